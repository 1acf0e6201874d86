//! A design matrix evaluated in memory (the Python package's `evaluate`): rows of parameter
//! values, one column per dotted path, resolved into the [`Sweep`] a table sweep over the same
//! points would be, checked as [`Sweep::load`] checks one, and each point computed by the study
//! engine's [`compute_point`] on one pool. The rows are those `deterrence-sim sweep` writes to
//! `points.csv` for the same base config, points, regimes, seed, replicates and common random
//! numbers.

use crate::model::config::RawConfig;
use crate::report::files::sha256_hex;
use crate::report::tables::{runs, summary, Kind};
use crate::sim::batch::{self as runner, Progress};
use crate::study::execute::{compute_point, compute_point_runs};
use crate::study::spec::{
    check_params, check_regime_lists, keep_regimes, replicates_of, study_force, threads_of, Design, Sweep,
    PARAMETER, POINT,
};
use crate::{Error, Result};

/// A design matrix and how to run it.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// Names the caller in messages (`evaluate()`), as a study file's name does.
    pub label: String,
    /// The base config's TOML text.
    pub base_toml: String,
    /// Where the base config came from (a path, or `<built-in default>`).
    pub base_origin: String,
    /// The varied parameters' dotted paths, one per column of `points`.
    pub params: Vec<String>,
    /// The design: one row of values per point.
    pub points: Vec<Vec<f64>>,
    /// The regimes run (`None`: all of the base config's); `none` is kept as the baseline.
    pub regimes: Option<Vec<String>>,
    /// Runs per regime at every point.
    pub replicates: u64,
    /// Seed of every run's stream (`None`: the base config's `run.seed`).
    pub seed: Option<u64>,
    /// Every point uses the streams of point 0 (common random numbers across the design).
    pub crn: bool,
    /// Worker threads (0 = all cores; `None`: the base config's `run.threads`).
    pub threads: Option<usize>,
    /// Months in the horizon (`None`: the base config's `run.periods`).
    pub periods: Option<u64>,
}

impl Matrix {
    /// The sweep over these points, every point's config built and validated (so a bad point
    /// fails before any run, naming it).
    pub fn sweep(&self) -> Result<Sweep> {
        let file = self.label.as_str();
        let value: toml::Value = toml::from_str(&self.base_toml).map_err(|e| Error::Parse {
            file: self.base_origin.clone(),
            message: e.to_string(),
        })?;
        let base_raw = RawConfig::from_value(value, &self.base_origin)?;
        let replicates = replicates_of(file, self.replicates, None)?;
        let threads = threads_of(self.threads, base_raw.run.threads)?;
        check_regime_lists(file, self.regimes.as_ref(), None, &base_raw)?;
        let force = study_force(None, file, &base_raw, &self.base_origin)?;
        if self.params.is_empty() {
            return Err(Error::invalid(
                file,
                "params",
                "must name at least one parameter (a dotted path)",
            ));
        }
        if self.points.is_empty() {
            return Err(Error::invalid(
                file,
                "X",
                "has no rows; give at least one design point",
            ));
        }
        for (i, row) in self.points.iter().enumerate() {
            if row.len() != self.params.len() {
                return Err(Error::invalid(
                    file,
                    format!("X[{i}]"),
                    format!("has {} values for {} parameters", row.len(), self.params.len()),
                ));
            }
        }
        check_params(&self.params, &self.points, file)?;
        if let Some(t) = self.periods {
            crate::input::check_option("--periods", t, 1, crate::model::validate::MAX_PERIODS)?;
        }
        let sweep = Sweep {
            name: "evaluate".into(),
            sweep_file: self.label.clone(),
            sweep_sha256: sha256_hex(self.label.as_bytes()),
            base_origin: self.base_origin.clone(),
            base_toml: self.base_toml.clone(),
            design: Design::Table,
            seed: self.seed.unwrap_or(base_raw.run.seed),
            replicates,
            periods: self.periods,
            regimes: self.regimes.clone(),
            compare: None,
            params: self.params.clone(),
            points: self.points.clone(),
            shard: (0, 1),
            threads,
            crn: self.crn,
            analysis: None,
            per_run: false,
            force,
        };
        for p in 0..sweep.points.len() {
            sweep.point_model(p)?;
        }
        Ok(sweep)
    }
}

/// The regimes a sweep over `base_toml` runs at every point, in config order: those of `keep`
/// (all when `None`) and the baseline `none`; unknown names are refused as a sweep refuses them.
pub fn regimes_run(
    label: &str,
    base_toml: &str,
    base_origin: &str,
    keep: Option<&Vec<String>>,
) -> Result<Vec<String>> {
    let value: toml::Value = toml::from_str(base_toml).map_err(|e| Error::Parse {
        file: base_origin.to_string(),
        message: e.to_string(),
    })?;
    let mut raw = RawConfig::from_value(value, base_origin)?;
    check_regime_lists(label, keep, None, &raw)?;
    keep_regimes(&mut raw, keep, true);
    Ok(raw.regimes.keys().cloned().collect())
}

/// Every column of the sweep's `points.csv` with its kind: `point`, the parameters, `regime`,
/// then the summary columns.
pub fn points_columns(sweep: &Sweep) -> Vec<(String, Kind)> {
    let mut cols = vec![(POINT.name.to_string(), POINT.kind)];
    cols.extend(sweep.params.iter().map(|p| (PARAMETER.named(p), PARAMETER.kind)));
    cols.push((summary::REGIME.name.to_string(), summary::REGIME.kind));
    cols.extend(summary::columns(sweep.baseline_name().as_deref()));
    cols
}

/// Every column of the sweep's `runs.csv` with its kind: `point`, the parameters, then
/// [`runs::COLUMNS`].
pub fn runs_columns(sweep: &Sweep) -> Vec<(String, Kind)> {
    let mut cols = vec![(POINT.name.to_string(), POINT.kind)];
    cols.extend(sweep.params.iter().map(|p| (PARAMETER.named(p), PARAMETER.kind)));
    cols.extend(runs::COLUMNS.iter().map(|c| (c.name.to_string(), c.kind)));
    cols
}

/// Run every point in order on one pool: `points.csv` (header and rows) and, with `per_run`,
/// `runs.csv`, as `deterrence-sim sweep` (with `--per-run`) writes them.
pub fn evaluate(sweep: &Sweep, per_run: bool, progress: &dyn Progress) -> Result<(String, Option<String>)> {
    let pool = runner::pool(sweep.threads)?;
    let mut points = sweep.header();
    let mut runs = per_run.then(|| sweep.runs_header());
    for p in 0..sweep.points.len() {
        match runs.as_mut() {
            Some(r) => {
                let (rows, run_rows) = compute_point_runs(sweep, p, &pool, progress)?;
                points.push_str(&rows);
                r.push_str(&run_rows);
            }
            None => points.push_str(&compute_point(sweep, p, &pool, progress)?),
        }
    }
    Ok((points, runs))
}
