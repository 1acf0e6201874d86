//! `deterrence-sim calibrate`: load and validate a calibration file, then run the sampler in this
//! process, as one of `--shard K/N` processes, or over MPI ranks with `--mpi` (or, with
//! `--synthetic N`, the coverage study).

use crate::study::calibrate::sampler::{self, CalibrateOptions, CalibrationProgress, CalibrationReport};
use crate::study::calibrate::spec::{Calibration, CalibrationOverrides};
use crate::{Error, Result};
use std::path::Path;

/// Load a calibration file with its overrides.
pub fn load(path: &Path, o: &CalibrationOverrides) -> Result<Calibration> {
    Calibration::load(path, o)
}

/// Run a calibration (over MPI ranks with `mpi`). Returns the report, or `None` on an MPI
/// worker rank.
pub fn run(
    cal: Calibration,
    o: &CalibrateOptions,
    mpi: bool,
    progress: &dyn CalibrationProgress,
) -> Result<Option<CalibrationReport>> {
    if let Some(w) = o.wait_seconds {
        if !(w.is_finite() && w > 0.0) {
            return Err(Error::Usage {
                option: "--wait".into(),
                message: format!("must be a positive number of seconds (got {w})"),
            });
        }
    }
    if o.wait_seconds.is_some() && o.shard.is_none() {
        return Err(Error::Usage {
            option: "--wait".into(),
            message: "only applies with --shard K/N".into(),
        });
    }
    if mpi {
        return run_mpi(cal, o, progress);
    }
    if o.shard.is_some() {
        return crate::study::calibrate::shard::run(cal, o, progress).map(Some);
    }
    sampler::calibrate(cal, o, progress).map(Some)
}

#[cfg(feature = "mpi")]
fn run_mpi(
    cal: Calibration,
    o: &CalibrateOptions,
    progress: &dyn CalibrationProgress,
) -> Result<Option<CalibrationReport>> {
    crate::study::calibrate::mpi::run(cal, o, progress)
}

#[cfg(not(feature = "mpi"))]
fn run_mpi(
    _: Calibration,
    _: &CalibrateOptions,
    _: &dyn CalibrationProgress,
) -> Result<Option<CalibrationReport>> {
    Err(Error::Usage {
        option: "--mpi".into(),
        message: "this binary was built without MPI; build it with `cargo build --release --features mpi` \
                  (needs libopenmpi-dev and libclang-dev)"
            .into(),
    })
}
