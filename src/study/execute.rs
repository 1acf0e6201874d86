//! Running a study's points: each point's batch (every regime over the same streams), in order,
//! appended to the store as it finishes; memory is bounded by one point's accumulators. A study
//! over a posterior runs each point's batch over its draws ([`ensemble_sweep::batch`]). Also the
//! rerun of one point (`run --from-sweep`).

use crate::model::config::RawConfig;
use crate::model::validate::Model;
use crate::sim::aggregate::BatchResult;
use crate::sim::batch::{self as runner, Progress};
use crate::sim::state::RunRecord;
use crate::study::ensemble_sweep::{self, SweepEnsemble};
use crate::study::spec::Sweep;
use crate::study::store::{open, read_study, SweepOptions, SweepReport};
use crate::{Error, Result};
use std::path::Path;

/// Reports progress of a sweep (points done) on top of runs done.
pub trait SweepProgress: Progress {
    /// `done` of this process's `total` points are written (called once at the start with the
    /// points already done by an earlier, resumed invocation, then after each point). Default:
    /// nothing.
    fn point_done(&self, _done: usize, _total: usize) {}
}

/// The batch of point `p`: every regime over the point's streams, each run at the posterior
/// particle it draws when the study runs over an `ensemble`; every run's records go to `sink`.
pub fn point_batch(
    sweep: &Sweep,
    ensemble: Option<&SweepEnsemble>,
    p: usize,
    pool: &rayon::ThreadPool,
    progress: &dyn Progress,
    sink: &mut dyn FnMut(u64, &[RunRecord]),
) -> Result<BatchResult> {
    match ensemble {
        Some(e) => ensemble_sweep::batch(sweep, e, p, pool, progress, sink),
        None => {
            let (_, model) = sweep.point_model(p)?;
            Ok(runner::run_batch_with(
                &model,
                sweep.stream_point(p),
                pool,
                progress,
                sink,
            ))
        }
    }
}

/// Compute point `p` of a plain sweep: its rows of `points.csv`.
pub fn compute_point(
    sweep: &Sweep,
    p: usize,
    pool: &rayon::ThreadPool,
    progress: &dyn Progress,
) -> Result<String> {
    compute_point_over(sweep, None, p, pool, progress)
}

/// Compute point `p` of a plain sweep with its per-run rows: (rows of points.csv, rows of
/// runs.csv).
pub fn compute_point_runs(
    sweep: &Sweep,
    p: usize,
    pool: &rayon::ThreadPool,
    progress: &dyn Progress,
) -> Result<(String, String)> {
    compute_point_runs_over(sweep, None, p, pool, progress)
}

/// Compute point `p` (over `ensemble`, if the study runs over a posterior): its rows of
/// `points.csv`.
pub fn compute_point_over(
    sweep: &Sweep,
    ensemble: Option<&SweepEnsemble>,
    p: usize,
    pool: &rayon::ThreadPool,
    progress: &dyn Progress,
) -> Result<String> {
    let batch = point_batch(sweep, ensemble, p, pool, progress, &mut |_, _| {})?;
    Ok(sweep.rows(p, &batch))
}

/// Compute point `p` (over `ensemble`, if any) with its per-run rows: (rows of points.csv,
/// rows of runs.csv).
pub fn compute_point_runs_over(
    sweep: &Sweep,
    ensemble: Option<&SweepEnsemble>,
    p: usize,
    pool: &rayon::ThreadPool,
    progress: &dyn Progress,
) -> Result<(String, String)> {
    let prefix = sweep.point_prefix(p);
    let names = crate::study::store::regime_names(sweep)?;
    let mut runs = String::new();
    let batch = point_batch(sweep, ensemble, p, pool, progress, &mut |rep, records| {
        for (name, r) in names.iter().zip(records) {
            runs.push_str(&prefix);
            runs.push(',');
            runs.push_str(&crate::report::tables::run_row(name, rep, r));
            runs.push('\n');
        }
    })?;
    Ok((sweep.rows(p, &batch), runs))
}

/// Run a sweep (or sensitivity study) in this process.
pub fn run_sweep(sweep: Sweep, o: &SweepOptions, progress: &dyn SweepProgress) -> Result<SweepReport> {
    let st = open(sweep, o)?;
    if st.complete {
        // Killed after the rows were complete: only the charts and the manifest are missing.
        return st.close(0.0);
    }
    let start = std::time::Instant::now();
    let pool = runner::pool(st.sweep.threads)?;
    progress.advance(st.done as u64 * st.sweep.replicates);
    progress.point_done(st.done, st.mine.len());
    let mut file = st.append_file()?;
    let mut runs_file = st.runs_file()?;
    for (k, &p) in st.mine.iter().enumerate().skip(st.done) {
        let rows = match runs_file.as_mut() {
            Some(rf) => {
                let (rows, runs) =
                    compute_point_runs_over(&st.sweep, st.ensemble.as_ref(), p, &pool, progress)?;
                st.append_runs(rf, &runs)?;
                rows
            }
            None => compute_point_over(&st.sweep, st.ensemble.as_ref(), p, &pool, progress)?,
        };
        st.append(&mut file, &rows)?;
        progress.point_done(k + 1, st.mine.len());
    }
    drop(file);
    let wall = start.elapsed().as_secs_f64();
    st.close(wall)
}

/// A point rerun: the study, the posterior it runs over (if any), the point's config and
/// model (without a particle), the batch and its rows in `points.csv` form.
pub type Rerun = (
    Sweep,
    Option<SweepEnsemble>,
    RawConfig,
    Model,
    BatchResult,
    String,
);

/// `run --from-sweep DIR --point P`: rerun one point (over the study's ensemble, if it has one);
/// returns its rows in `points.csv` form and the batch (the caller writes the usual run files).
pub fn rerun_point(dir: &Path, p: usize) -> Result<Rerun> {
    let (sweep, ensemble) = read_study(dir)?;
    if p >= sweep.points.len() {
        return Err(Error::Usage {
            option: "--point".into(),
            message: format!(
                "this study has points 0 to {} (got {p})",
                sweep.points.len().saturating_sub(1)
            ),
        });
    }
    let (raw, model) = sweep.point_model(p)?;
    let pool = runner::pool(model.run().threads)?;
    let batch = point_batch(
        &sweep,
        ensemble.as_ref(),
        p,
        &pool,
        &runner::Silent,
        &mut |_, _| {},
    )?;
    let rows = sweep.rows(p, &batch);
    Ok((sweep, ensemble, raw, model, batch, rows))
}
