//! Studies on many design points: sweep files, the resumable point runner and its store
//! (`sweep`), sensitivity studies (`gsa`), their charts (`charts`), shard merging (`merge`) and
//! the MPI backend (`mpi`, feature `mpi`).

pub mod charts;
pub mod gsa;
pub mod merge;
#[cfg(feature = "mpi")]
pub mod mpi;
pub mod sweep;
