//! `deterrence-sim run --from-sweep DIR --point P`: rerun one point of a sweep or study from its
//! directory alone (over the study's posterior, if it has one); its rows (`point.csv`) are
//! byte-identical to the study's.

use crate::app::run::write_run;
use crate::app::run::RESULT_NAMES;
use crate::report::files::{self, write_atomic};
use crate::sim::aggregate::BatchResult;
use crate::study::execute::rerun_point;
use crate::Result;
use std::path::{Path, PathBuf};

/// What a point rerun wrote.
#[derive(Debug)]
pub struct PointReport {
    /// The results directory.
    pub dir: PathBuf,
    /// The point's batch, for the summary table.
    pub batch: BatchResult,
}

/// Rerun point `p` of the study in `dir`, writing a run's files and `point.csv` to `out`
/// (default `output/<study>-point-<p>/`).
pub fn rerun(dir: &Path, p: usize, out: Option<PathBuf>, force: bool) -> Result<PointReport> {
    let (sweep, ensemble, raw, model, batch, rows) = rerun_point(dir, p)?;
    let out = out.unwrap_or_else(|| PathBuf::from("output").join(format!("{}-point-{p}", sweep.name)));
    // Locked; with --force built aside and swapped in whole (as `run`).
    let work = files::begin(&out, force, &RESULT_NAMES)?;
    let mut extra = serde_json::json!({"sweep": dir, "point": p});
    if let (Some(e), serde_json::Value::Object(m)) = (&ensemble, &mut extra) {
        // The config written is the point's without a particle: the runs drew theirs.
        m.insert("ensemble".into(), e.manifest(sweep.seed, sweep.replicates));
    }
    if let Err(e) = write_point(&work, p, &sweep, &raw, &model, &batch, &rows, extra) {
        files::abandon(&work);
        return Err(e);
    }
    files::commit(&work)?;
    Ok(PointReport { dir: out, batch })
}

/// Write a rerun point's files into `out`.
#[allow(clippy::too_many_arguments)]
fn write_point(
    out: &Path,
    p: usize,
    sweep: &crate::study::spec::Sweep,
    raw: &crate::model::config::RawConfig,
    model: &crate::model::validate::Model,
    batch: &BatchResult,
    rows: &str,
    extra: serde_json::Value,
) -> Result<()> {
    write_atomic(
        &out.join("point.csv"),
        format!("{}{rows}", sweep.header()).as_bytes(),
    )?;
    let origin = format!("{} (point {p})", sweep.sweep_file);
    write_run(
        out,
        &origin,
        raw,
        model,
        batch,
        0.0,
        "run --from-sweep",
        extra,
        &[out.join("point.csv")],
    )?;
    Ok(())
}
