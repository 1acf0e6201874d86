//! Calibration to evidence: a calibration file (`spec`) names priors over dotted paths and
//! targets (a regime's simulated statistic against an observed value, each the row of
//! `targets.csv` it comes from); the statistics are computed from the engine's run records
//! (`statistics`); ABC-SMC runs the particles on the engine, resumable per generation
//! (`sampler`, its blocks of candidates simulated in this process, by `--shard` processes
//! sharing a directory (`shard`) or over MPI ranks (`mpi`, feature `mpi`), with the maths in
//! [`crate::stats::abc`] and the state kept between generations in `state`); the posterior,
//! diagnostics, predictive checks, charts and manifest are written at the end (`output`). The synthetic coverage study
//! (`synthetic`) checks that the harness recovers known parameters; `check` simulates the
//! targets at a config's own values (is the shipped default consistent with the evidence?).

pub mod check;
#[cfg(feature = "mpi")]
pub mod mpi;
pub mod output;
pub mod sampler;
pub mod shard;
pub mod spec;
pub mod state;
pub mod statistics;
pub mod synthetic;
