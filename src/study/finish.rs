//! Finishing a study directory: `points.csv` from the partial rows, then the charts (a sweep) or
//! the indices and their charts (a sensitivity study), then `manifest.json`; and `plot`, which
//! redraws them from the files.

use crate::report::files::{sha256_hex, write_atomic};
use crate::report::manifest::write_manifest;
use crate::study::ensemble_sweep::{study_identity, SweepEnsemble};
use crate::study::spec::Sweep;
use crate::study::store::{read_state, Opened, SweepReport, PARTIAL, RUNS_PARTIAL};
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// Turn a complete partial file into `points.csv`, draw the charts, write the manifest.
pub(crate) fn finish(dir: &Path, sweep: &Sweep, ensemble: Option<&SweepEnsemble>, wall: f64) -> Result<()> {
    let partial = dir.join(PARTIAL);
    let points = dir.join("points.csv");
    if partial.exists() {
        let text = std::fs::read(&partial).map_err(|e| Error::io(&partial, e))?;
        write_atomic(&points, &text)?;
        std::fs::remove_file(&partial).map_err(|e| Error::io(&partial, e))?;
    }
    let mut files = vec![points];
    let runs_partial = dir.join(RUNS_PARTIAL);
    if runs_partial.exists() {
        let runs = dir.join("runs.csv");
        std::fs::rename(&runs_partial, &runs).map_err(|e| Error::io(&runs, e))?;
    }
    if dir.join("runs.csv").exists() && sweep.per_run {
        files.push(dir.join("runs.csv"));
    }
    // A shard holds part of the design: charts and indices wait for `merge`.
    if sweep.shard.1 == 1 {
        match &sweep.analysis {
            Some(a) => files.extend(crate::study::analysis::analyse(dir, sweep, a)?),
            None => files.extend(crate::study::charts::draw(dir, sweep)?),
        }
    }
    let (raw, model) = sweep.point_model(0)?;
    let mut extra = serde_json::json!({
        "sweep_file": sweep.sweep_file,
        "sweep_sha256": sweep.sweep_sha256,
        "sweep_identity": study_identity(sweep, ensemble),
        "design": sweep.design,
        "parameters": sweep.params,
        "points": sweep.points.len(),
        "replicates": sweep.replicates,
        "shard": [sweep.shard.0, sweep.shard.1],
        "base_config": sweep.base_origin,
        "base_sha256": sha256_hex(sweep.base_toml.as_bytes()),
    });
    if let (Some(e), serde_json::Value::Object(m)) = (ensemble, &mut extra) {
        m.insert("ensemble".into(), e.manifest(sweep.seed, sweep.replicates));
    }
    write_manifest(
        dir,
        &sweep.base_origin,
        &raw,
        model.force_design(),
        sweep.seed,
        sweep.threads,
        wall,
        if ensemble.is_some() {
            "sweep --ensemble"
        } else {
            "sweep"
        },
        &files,
        extra,
    )
}

/// `plot DIR` for a study: redraw its charts (and recompute its indices) from `points.csv`.
pub fn plot(dir: &Path) -> Result<Vec<PathBuf>> {
    let s = read_state(dir)?;
    if !dir.join("points.csv").exists() {
        return Err(Error::Results {
            path: dir.to_path_buf(),
            message: "has no points.csv yet (unfinished: finish it with --resume, or merge its shards)"
                .into(),
        });
    }
    match &s.analysis {
        Some(a) => crate::study::analysis::analyse(dir, &s, a),
        None => crate::study::charts::draw(dir, &s),
    }
}

impl Opened {
    /// Finish: points.csv, charts or indices, manifest; and the report.
    pub fn close(self, wall: f64) -> Result<SweepReport> {
        finish(&self.dir, &self.sweep, self.ensemble.as_ref(), wall)?;
        let dir = crate::report::files::commit(&self.dir)?; // a --force set swaps in whole
        let run = if self.complete {
            0
        } else {
            self.mine.len() - self.done
        };
        Ok(SweepReport {
            dir,
            points_run: run,
            points_total: self.mine.len(),
            runs: run as u64 * self.sweep.replicates,
            wall_seconds: wall,
        })
    }
}
