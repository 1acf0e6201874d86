//! `deterrence-sim calibrate`: load and validate a calibration file, refuse what is not built
//! (`--shard`, `--mpi`), then run the sampler (or, with `--synthetic N`, the coverage study).

use crate::study::calibrate::sampler::{self, CalibrateOptions, CalibrationProgress, CalibrationReport};
use crate::study::calibrate::spec::{Calibration, CalibrationOverrides};
use crate::{Error, Result};
use std::path::Path;

/// Refuse the study-engine options calibration does not support yet.
pub fn refuse_unsupported(shard: bool, mpi: bool) -> Result<()> {
    let msg = "calibrate runs in one process: ABC-SMC generations depend on each other, and \
               spreading a generation's candidates over shards or MPI ranks is not built yet; \
               run without it (use --threads for the cores of one machine)";
    if shard {
        return Err(Error::Usage {
            option: "--shard".into(),
            message: msg.into(),
        });
    }
    if mpi {
        return Err(Error::Usage {
            option: "--mpi".into(),
            message: msg.into(),
        });
    }
    Ok(())
}

/// Load a calibration file with its overrides.
pub fn load(path: &Path, o: &CalibrationOverrides) -> Result<Calibration> {
    Calibration::load(path, o)
}

/// Run a calibration.
pub fn run(
    cal: Calibration,
    o: &CalibrateOptions,
    progress: &dyn CalibrationProgress,
) -> Result<CalibrationReport> {
    sampler::calibrate(cal, o, progress)
}
