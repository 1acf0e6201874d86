//! Studies on many design points. A sweep or sensitivity file is read into a [`spec::Sweep`]
//! (`spec`, `study_file`), its points run in order (`execute`) into a directory that can be
//! resumed (`store`), then finished (`finish`): `points.csv`, charts (`charts`) or indices
//! (`analysis`), manifest. Shards are combined by `merge`; `mpi` spreads points over ranks
//! (feature `mpi`). A design matrix given in memory (the Python package's `evaluate`) becomes
//! the sweep of its points in `matrix`. `calibrate` fits parameters to empirical targets by
//! ABC-SMC on the same point builder and runner; `ensemble` runs a config over draws from its
//! posterior, and `ensemble_sweep` runs every point of a sweep over those draws.

pub mod analysis;
pub mod calibrate;
pub mod charts;
pub mod ensemble;
pub mod ensemble_sweep;
pub mod execute;
pub mod finish;
pub mod matrix;
pub mod merge;
#[cfg(feature = "mpi")]
pub mod mpi;
pub mod spec;
pub mod store;
pub mod study_file;
