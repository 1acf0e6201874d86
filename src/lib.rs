//! `deterrence-sim`: a game-theoretic agent-based Monte Carlo simulation of security guarantees
//! for Ukraine.
//!
//! Russia, Ukraine, the United States and individual European states choose each month under a
//! guarantee regime (NATO Article 5, the "NATO-light" 24-hour consultation clause, bilateral
//! agreements only, or none). The library is organised one module per concept:
//!
//! - [`config`]: the TOML as written; [`model`]: the validated model the engine runs;
//! - [`actors`], [`regimes`]: the actors' parameters and the regimes and responses, as data;
//! - [`decisions`]: logit choice and the contest function; [`beliefs`]: Beta learning;
//! - [`engine`]: one run, month by month; [`crisis`]: a crisis on the hourly clock;
//! - [`rng`]: seeded, portable random streams; [`runner`]: the parallel Monte Carlo batch;
//! - [`metrics`], [`stats`]: what a batch reports and the intervals around it;
//! - [`output`], [`charts`]: files and figures; [`replay`]: one run's trace;
//! - [`theory`]: the analytic games the model is checked against;
//! - studies: [`design`] (grid, LHS, Sobol, tables), [`params`] (dotted paths), [`sweep`]
//!   (resumable, shardable point runner), [`merge`], [`sweep_charts`], [`sensitivity`] (Sobol,
//!   Morris, PRIM estimators), [`gsa`] (studies on the sweep engine), `mpi_backend` (feature
//!   `mpi`).
//!
//! See `docs/MODEL.md` for the model in ODD form.

pub mod app;
pub mod error;
pub mod input;
pub mod model;
pub mod report;
pub mod sim;
pub mod stats;
pub mod study;

pub use error::{Error, Result};
