//! `deterrence-sim`: a game-theoretic agent-based Monte Carlo simulation of security guarantees
//! for Ukraine.
//!
//! Russia, Ukraine, the United States and individual European states choose each month under a
//! guarantee regime (NATO Article 5, the "NATO-light" 24-hour consultation clause, bilateral
//! agreements only, or none). The library is layered, one folder a layer, each using only the
//! layers below it (checked by `tests/layers.rs`):
//!
//! - [`stats`]: pure maths (random streams, intervals, designs, sensitivity estimators);
//! - [`model`]: the model as data (config as written, validation into a [`model::Model`], actors,
//!   regimes, choice rules, beliefs, dotted paths, analytic games);
//! - [`sim`]: one run and a batch (where Russia, Ukraine and each guarantor choose, a regime's
//!   crisis protocol, the monthly loop, aggregates, replay);
//! - [`report`]: results directory, CSV tables, manifest, charts;
//! - [`study`]: sweeps and sensitivity studies (resumable, shardable, MPI with feature `mpi`);
//! - [`app`]: the job behind each command of the binary;
//! - [`error`]: the typed errors every layer returns.
//!
//! See `docs/MODEL.md` for the model in ODD form.

#![warn(missing_docs)]

pub mod app;
pub mod error;
pub mod input;
pub mod model;
pub mod report;
pub mod sim;
pub mod stats;
pub mod study;

pub use error::{Error, Result};
