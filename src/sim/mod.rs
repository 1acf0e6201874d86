//! The simulation: one run month by month (`engine`), a crisis on the hourly clock under the
//! regime's decision protocol (`protocol`), the parallel Monte Carlo batch (`batch`), what a batch
//! aggregates (`aggregate`) and one run's trace (`replay`).

pub mod aggregate;
pub mod batch;
pub mod engine;
pub mod guarantor;
pub mod meeting;
pub mod prepared;
pub mod protocol;
pub mod qre;
pub mod replay;
pub mod russia;
pub mod state;
pub mod trace;
pub mod ukraine;
pub mod vote;
