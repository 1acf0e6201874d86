//! `deterrence-sim replay`: one run of one regime and arm, traced month by month: the config
//! loaded with its overrides, the run index checked, the arm prepared and the run replayed on
//! the stream the batch gives it (so the trace is exactly the run the batch folded in).

use crate::app::load::{resolve_loaded, Loaded, Overrides};
use crate::sim::prepared::Prepared;
use crate::sim::replay::RunTrace;
use crate::{Error, Result};

/// Replay run `run` of `regime` in the arm with the reassurance force (`with_force`) or without
/// it, from an already loaded config and its overrides (`--seed`, `--periods`, `--set`).
pub fn replay(loaded: Loaded, o: &Overrides, regime: &str, run: u64, with_force: bool) -> Result<RunTrace> {
    let (_, _, model) = resolve_loaded(loaded, o)?;
    if run > crate::stats::rng::MAX_REPLICATE {
        return Err(Error::Usage {
            option: "--run".into(),
            message: format!("must be at most {}", crate::stats::rng::MAX_REPLICATE),
        });
    }
    let r = model.regime_index(regime)?;
    let p = Prepared::new(&model, r, with_force);
    let (trace, _) = crate::sim::replay::replay(&p, 0, run);
    Ok(trace)
}
