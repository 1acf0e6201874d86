//! The check of one config against a calibration's targets (`calibrate FILE --check`): every
//! target's statistic simulated at the base config's own values, none of the priors drawn, with
//! its Monte Carlo standard error, against the target's observed interval. This is how a
//! researcher asks whether a config (the shipped default, say) is consistent with the evidence
//! the calibration fits, and what `check.csv` records.

use crate::report::files::{self, write_atomic};
use crate::sim::batch::{self as runner, Silent};
use crate::study::calibrate::spec::Calibration;
use crate::study::calibrate::statistics::{discrepancy, Estimate, Tally};
use crate::Result;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One target's check at the base config.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRow {
    /// The target's name.
    pub target: String,
    /// Its row in `targets.csv`.
    pub row: String,
    /// The regime compared ("article5", or "article5 vs none" for a hazard ratio).
    pub regime: String,
    /// The statistic's name.
    pub statistic: &'static str,
    /// "fit" or "check".
    pub role: &'static str,
    /// The observed interval (a band, or the observation's 95% interval).
    pub observed: (f64, f64),
    /// The simulated estimate.
    pub estimate: Estimate,
    /// The estimate's standard error on its natural scale (delta method for a hazard ratio).
    pub se: f64,
    /// The standardised discrepancy the calibration's distance uses.
    pub discrepancy: f64,
    /// Whether the estimate lies inside the observed interval.
    pub inside: bool,
}

/// Simulate every target at the base config of `cal` (its `replicates` runs per regime, the
/// calibration's arm, design point 0 of its seed) and compare each with its observation.
pub fn check_base(cal: &Calibration, pool: &rayon::ThreadPool) -> Result<Vec<CheckRow>> {
    let (_, model) = cal.base_model()?;
    let mut tally = Tally::new(&model, cal.targets());
    runner::run_batch_with(&model, 0, pool, &Silent, &mut |_, records| tally.add(records));
    Ok(cal
        .targets()
        .iter()
        .zip(tally.estimates())
        .map(|(t, e)| {
            let (lo, hi) = t.observation.interval();
            let se = if t.statistic.is_hazard_ratio() {
                e.value * e.var.sqrt()
            } else {
                e.var.sqrt()
            };
            let name = |r: usize| model.regimes()[r].name.clone();
            CheckRow {
                target: t.name.clone(),
                row: t.row.clone(),
                regime: match t.versus {
                    Some(v) => format!("{} vs {}", name(t.regime), name(v)),
                    None => name(t.regime),
                },
                statistic: t.statistic.name(),
                role: t.role.name(),
                observed: (lo, hi),
                estimate: e,
                se,
                discrepancy: discrepancy(t, &e),
                inside: e.value >= lo && e.value <= hi,
            }
        })
        .collect())
}

/// Check the base config and write `check.csv` (one row per target, written atomically) to
/// `out`, or `output/<name>-check/`; a directory holding results is refused unless `force`.
/// Returns the directory and the rows.
pub fn check(
    cal: &Calibration,
    out: Option<&Path>,
    force: bool,
    pool: &rayon::ThreadPool,
) -> Result<(PathBuf, Vec<CheckRow>)> {
    let dir = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("output").join(format!("{}-check", cal.name())));
    let work = files::begin(&dir, force, &["check.csv"])?;
    let rows = check_base(cal, pool)?;
    write_check(&work, cal, &rows)?;
    Ok((files::commit(&work)?, rows))
}

fn write_check(dir: &Path, cal: &Calibration, rows: &[CheckRow]) -> Result<()> {
    let mut s = String::from(
        "target,row,regime,statistic,role,obs_low,obs_high,estimate,se,discrepancy,inside,runs_per_regime\n",
    );
    for r in rows {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            r.target,
            r.row,
            r.regime,
            r.statistic,
            r.role,
            r.observed.0,
            r.observed.1,
            finite(r.estimate.value),
            finite(r.se),
            finite(r.discrepancy),
            r.inside,
            cal.replicates()
        );
    }
    write_atomic(&dir.join("check.csv"), s.as_bytes())
}

fn finite(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}
