//! A sweep file as written ([`RawSweep`]) and resolved ([`Sweep`]): base config, regimes,
//! replicates, the varied parameters by dotted path and the design's points. A resolved sweep is
//! stored as `sweep-state.json`, so any point's config can be rebuilt from the directory alone.
//! Every run's stream is (seed, point, replicate), so a point can be rerun alone and the regimes
//! at a point are paired.

use crate::input::{check_option, check_size};
use crate::model::config::{ForceDesign, RawConfig};
use crate::model::validate::Model;
use crate::report::files::sha256_hex;
use crate::report::tables::{header_line, runs, summary, write_row, Column, Kind, Value};
use crate::sim::aggregate::BatchResult;
use crate::stats::design::{self, Range};
use crate::{model::params, Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Largest design a sweep accepts.
pub const MAX_POINTS: usize = 1_000_000;

/// Most shards a study can be split into (`--shard K/N`, N at most this).
pub const MAX_SHARDS: u64 = MAX_POINTS as u64;

/// Most worker threads (`--threads`, `[run].threads`).
pub const MAX_THREADS: usize = 4096;

/// Most bootstrap resamples of a sensitivity study (`bootstrap`).
pub const MAX_BOOTSTRAP: u64 = 100_000;

/// Most levels of a Morris grid (`morris.levels`); a sweep grid's `levels` is bounded by
/// [`MAX_POINTS`].
pub const MAX_LEVELS: u64 = 1000;

/// How a study's points were drawn (`design` in `sweep-state.json`): a sweep file's
/// `design.kind` (grid, lhs, sobol, table) or a sensitivity study's method (sobol, morris, prim).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    /// Every combination of each parameter's levels.
    Grid,
    /// A Latin hypercube sample.
    Lhs,
    /// A Sobol sequence (a sweep) or a Saltelli sample (a Sobol study).
    Sobol,
    /// Points read from a CSV table.
    Table,
    /// Morris trajectories.
    Morris,
    /// A Latin hypercube sample for PRIM scenario discovery.
    Prim,
}

impl Design {
    /// The kinds a sweep file's `design.kind` may name.
    pub const SWEEP_KINDS: [Design; 4] = [Design::Grid, Design::Lhs, Design::Sobol, Design::Table];

    /// The name as written in files.
    pub fn name(self) -> &'static str {
        match self {
            Design::Grid => "grid",
            Design::Lhs => "lhs",
            Design::Sobol => "sobol",
            Design::Table => "table",
            Design::Morris => "morris",
            Design::Prim => "prim",
        }
    }

    /// A sweep file's `design.kind`, or an error listing the kinds allowed.
    pub fn sweep_kind(kind: &str, file: &str) -> Result<Design> {
        Design::SWEEP_KINDS
            .into_iter()
            .find(|d| d.name() == kind)
            .ok_or_else(|| {
                Error::invalid(
                    file,
                    "design.kind",
                    format!(
                        "unknown `{kind}`; allowed: {}",
                        quoted(Design::SWEEP_KINDS.map(Design::name))
                    ),
                )
            })
    }
}

/// The method of a sensitivity study (`method` in its file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Sobol indices (S1, ST) from a Saltelli sample.
    Sobol,
    /// Morris elementary effects (mu, mu*, sigma).
    Morris,
    /// PRIM scenario discovery (a box of the parameter space).
    Prim,
}

impl Method {
    /// Every method.
    pub const ALL: [Method; 3] = [Method::Sobol, Method::Morris, Method::Prim];

    /// The name as written in files.
    pub fn name(self) -> &'static str {
        match self {
            Method::Sobol => "sobol",
            Method::Morris => "morris",
            Method::Prim => "prim",
        }
    }

    /// The design of a study by this method.
    pub fn design(self) -> Design {
        match self {
            Method::Sobol => Design::Sobol,
            Method::Morris => Design::Morris,
            Method::Prim => Design::Prim,
        }
    }

    /// A study file's `method`, or an error listing the methods allowed.
    pub fn parse(method: &str, file: &str) -> Result<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.name() == method)
            .ok_or_else(|| {
                Error::invalid(
                    file,
                    "method",
                    format!(
                        "unknown `{method}`; allowed: {}",
                        quoted(Method::ALL.map(Method::name))
                    ),
                )
            })
    }
}

/// The summary metric a sensitivity study analyses (`output.metric`; a column of `points.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Share of runs without a renewed offensive (the default).
    #[default]
    SuccessRate,
    /// Share of runs with an offensive in which Ukraine held.
    PHoldGivenOffensive,
    /// Share of called commitments that were honoured.
    HonouredShare,
    /// Probes per run.
    ProbesPerRun,
    /// Mean hours until support arrived.
    MeanResponseHours,
    /// Mean public support.
    MeanSupport,
    /// Median months until the offensive.
    MedianMonthsToOffensive,
}

impl Metric {
    /// Every metric, in the order listed in messages.
    pub const ALL: [Metric; 7] = [
        Metric::SuccessRate,
        Metric::PHoldGivenOffensive,
        Metric::HonouredShare,
        Metric::ProbesPerRun,
        Metric::MeanResponseHours,
        Metric::MeanSupport,
        Metric::MedianMonthsToOffensive,
    ];

    /// The name as written in files: the column of `points.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Metric::SuccessRate => "success_rate",
            Metric::PHoldGivenOffensive => "p_hold_given_offensive",
            Metric::HonouredShare => "honoured_share",
            Metric::ProbesPerRun => "probes_per_run",
            Metric::MeanResponseHours => "mean_response_hours",
            Metric::MeanSupport => "mean_support",
            Metric::MedianMonthsToOffensive => "median_months_to_offensive",
        }
    }

    /// Whether the metric is a rate or share in [0, 1].
    pub fn is_rate(self) -> bool {
        matches!(
            self,
            Metric::SuccessRate | Metric::HonouredShare | Metric::PHoldGivenOffensive
        )
    }

    /// A study file's `output.metric`, or an error listing the metrics allowed.
    pub fn parse(metric: &str, file: &str) -> Result<Metric> {
        Metric::ALL
            .into_iter()
            .find(|m| m.name() == metric)
            .ok_or_else(|| {
                Error::invalid(
                    file,
                    "output.metric",
                    format!(
                        "unknown `{metric}`; allowed: {}",
                        Metric::ALL.map(Metric::name).join(", ")
                    ),
                )
            })
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Names in quotes, comma-separated: `"grid", "lhs"`.
fn quoted<const N: usize>(names: [&str; N]) -> String {
    names.map(|n| format!("\"{n}\"")).join(", ")
}

/// The replicates of a study: the `--replicates` option if given, else the file's field, each
/// checked against 1..=[`crate::stats::rng::MAX_REPLICATE`].
pub fn replicates_of(file: &str, from_file: u64, option: Option<u64>) -> Result<u64> {
    let max = crate::stats::rng::MAX_REPLICATE;
    match option {
        Some(r) => check_option("--replicates", r, 1, max),
        None => check_size(file, "replicates", from_file, 1, max),
    }
}

/// The threads of a study: `--threads` if given, else the base config's `[run].threads`.
pub fn threads_of(option: Option<usize>, from_base: u64) -> Result<usize> {
    match option {
        Some(t) => Ok(check_option("--threads", t as u64, 0, MAX_THREADS as u64)? as usize),
        // The base config's value is checked with the config (`run.threads`) at every point.
        None => Ok(from_base as usize),
    }
}

/// A sweep file as written (README "Parameter sweeps"; docs/MODEL.md §12).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSweep {
    /// Names the output directory (`output/NAME/`); checked by [`check_name`]. Default: the
    /// sweep file's stem.
    #[serde(default)]
    pub name: Option<String>,
    /// Base config, relative to the sweep file (default: the built-in default).
    #[serde(default)]
    pub base: Option<String>,
    /// The base config's regimes to run, at least one, each defined there (default: all). The
    /// baseline `none` is always kept for `diff_vs_none`.
    #[serde(default)]
    pub regimes: Option<Vec<String>>,
    /// Runs per regime at every point, 1 to [`crate::stats::rng::MAX_REPLICATE`] (`--replicates`
    /// overrides it).
    pub replicates: u64,
    /// Base seed of every point's streams (default: the base config's `run.seed`; `--seed`
    /// overrides it). Also seeds the lhs sample and the sobol shift.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Horizon in months, replacing the base config's `run.periods` (checked as that field).
    #[serde(default)]
    pub periods: Option<u64>,
    /// Two of the sweep's regimes whose difference gets its own chart (first minus second;
    /// `sweep_diff.png` for a 2-D sweep).
    #[serde(default)]
    pub compare: Option<Vec<String>>,
    /// Use the same random streams at every point (common random numbers across the design),
    /// so differences between points are paired. Default false: each point has its own.
    #[serde(default)]
    pub common_random_numbers: bool,
    /// The `[design]` table: how the points are drawn.
    pub design: RawDesign,
    /// The `[[parameters]]` entries: the varied dotted paths, in column order. Required (at
    /// least one) except for a table design, where they may be left out or must match the
    /// table's header. No `run.*` path and no path twice ([`check_params`]).
    #[serde(default)]
    pub parameters: Vec<RawParameter>,
    /// A calibration's `posterior.csv`, relative to the sweep file: every run at every point
    /// draws its parameters from it, under the point's own values
    /// ([`crate::study::ensemble_sweep`]; `--ensemble` overrides it).
    #[serde(default)]
    pub ensemble: Option<String>,
}

/// The `[design]` table of a sweep file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDesign {
    /// `"grid"`, `"lhs"`, `"sobol"` or `"table"` ([`Design::SWEEP_KINDS`]).
    pub kind: String,
    /// lhs and sobol: the sample size, 1 to [`MAX_POINTS`] (required; `--points` overrides it).
    #[serde(default)]
    pub points: Option<u64>,
    /// grid: levels of every parameter given by `range` without its own `levels`, 1 to
    /// [`MAX_POINTS`] (default 5).
    #[serde(default)]
    pub levels: Option<u64>,
    /// table: the CSV of points, relative to the sweep file (required), a header naming the
    /// parameter paths then one row of finite numbers per point
    /// ([`crate::stats::design::parse_table`]).
    #[serde(default)]
    pub file: Option<String>,
    /// The arm of the reassurance force the study runs: `"with"` or `"without"` (default: the
    /// base config's `[design] reassurance_force`, else `"with"`). `"both"` is refused: a
    /// study's `points.csv` has one row per regime.
    #[serde(default)]
    pub reassurance_force: Option<ForceDesign>,
    /// sobol: apply a random digital shift drawn from the seed (default false: the plain
    /// Joe-Kuo sequence).
    #[serde(default)]
    pub shift: bool,
    /// sobol: points of the sequence skipped first, 0 to 2^32 - 1 (default 0).
    #[serde(default)]
    pub skip: Option<u64>,
}

/// One `[[parameters]]` entry of a sweep file: a varied parameter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawParameter {
    /// Dotted path into the base config (`russia.lambda`, `guarantors.USA.public_support`;
    /// [`crate::model::params`]); names the parameter's column in `points.csv`.
    pub path: String,
    /// `[low, high]`, finite with low < high: required for lhs and sobol; for grid, the
    /// alternative to `values`.
    #[serde(default)]
    pub range: Option<Vec<f64>>,
    /// grid: the explicit levels (finite numbers), instead of `range`.
    #[serde(default)]
    pub values: Option<Vec<f64>>,
    /// grid with `range`: this parameter's number of evenly spaced levels, 1 to
    /// [`MAX_POINTS`] (default: `design.levels`).
    #[serde(default)]
    pub levels: Option<u64>,
}

/// Command-line overrides of a sweep or sensitivity file; each is checked against the same
/// limit as the field it replaces, and blamed on the option.
#[derive(Debug, Clone, Default)]
pub struct SweepOverrides {
    /// `--seed`: replaces the file's `seed` (any u64).
    pub seed: Option<u64>,
    /// `--replicates`: replaces `replicates`, 1 to [`crate::stats::rng::MAX_REPLICATE`].
    pub replicates: Option<u64>,
    /// `--points` (sweeps: the lhs/sobol sample size, or the first N points of a grid or
    /// table) or `--samples` (sensitivity studies: the method's sample size); 1 to
    /// [`MAX_POINTS`].
    pub points: Option<u64>,
    /// `--threads`: 0 (all cores) to [`MAX_THREADS`]; replaces the base config's
    /// `run.threads`. Results do not depend on it.
    pub threads: Option<usize>,
}

/// A resolved sweep: everything needed to rebuild any point's config. Stored in the output
/// directory as `sweep-state.json`, so `run --from-sweep` and `merge` need nothing else.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Sweep {
    /// The study's name, which names its output directory ([`check_name`]).
    pub name: String,
    /// The study file as named when the study was started (a label; not part of
    /// [`Sweep::identity`]).
    pub sweep_file: String,
    /// SHA-256 (hex) of the study file's text; `--resume` refuses a changed file.
    pub sweep_sha256: String,
    /// Where the base config came from (a path or `<built-in default>`; a label).
    pub base_origin: String,
    /// The base config's full text, at most [`crate::input::CONFIG_LIMIT`] bytes: every point's
    /// config is this with the point's values set.
    pub base_toml: String,
    /// How the points were drawn.
    pub design: Design,
    /// Base seed of every run's stream (seed, point, replicate).
    pub seed: u64,
    /// Runs per regime at every point, 1 to [`crate::stats::rng::MAX_REPLICATE`].
    pub replicates: u64,
    /// Horizon in months replacing the base config's `run.periods`, if the file set one.
    pub periods: Option<u64>,
    /// The regimes run (`None`: all of the base config's). A sweep also keeps `none`.
    pub regimes: Option<Vec<String>>,
    /// Two regimes whose difference is charted (first minus second).
    pub compare: Option<Vec<String>>,
    /// The varied parameters' dotted paths, in column order.
    pub params: Vec<String>,
    /// The design: one value per parameter for each point, at most [`MAX_POINTS`] points.
    pub points: Vec<Vec<f64>>,
    /// This directory's share of the points: (k, n) runs points with index % n == k.
    pub shard: (u64, u64),
    /// Worker threads, 0 = all cores, at most [`MAX_THREADS`]; results do not depend on it
    /// (not part of [`Sweep::identity`]).
    pub threads: usize,
    /// Common random numbers across the design: every point uses the streams of point 0.
    #[serde(default)]
    pub crn: bool,
    /// A sensitivity analysis to compute from the points when they are complete.
    #[serde(default)]
    pub analysis: Option<crate::study::spec::Analysis>,
    /// Also write `runs.csv`: one row per point, regime and replicate.
    #[serde(default)]
    pub per_run: bool,
    /// The arm of the reassurance force every point runs: true = with it (the default, left out
    /// of the stored state and so of [`Sweep::identity`]), false = without.
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub force: bool,
}

/// Serde default of [`Sweep::force`].
fn yes() -> bool {
    true
}

/// Whether [`Sweep::force`] is the default (then it is not stored).
fn is_yes(b: &bool) -> bool {
    *b
}

/// The arm of the reassurance force a study runs (true = with): `from_file` (a sweep file's
/// `design.reassurance_force`), else the base config's `[design] reassurance_force`, else with.
/// `"both"` is refused, naming the file and field that set it: a study runs one arm.
pub fn study_force(
    from_file: Option<ForceDesign>,
    file: &str,
    base: &RawConfig,
    base_origin: &str,
) -> Result<bool> {
    let from_base = base.design.as_ref().and_then(|d| d.reassurance_force);
    let (design, origin, field) = match (from_file, from_base) {
        (Some(d), _) => (d, file, "design.reassurance_force"),
        (None, Some(d)) => (d, base_origin, "design.reassurance_force"),
        (None, None) => return Ok(true),
    };
    match design {
        ForceDesign::With => Ok(true),
        ForceDesign::Without => Ok(false),
        ForceDesign::Both => Err(Error::invalid(
            origin,
            field,
            "\"both\" is not supported by sweeps and sensitivity studies (their points.csv has one \
             row per regime and point); set \"with\" (the default) or \"without\" (in a sweep \
             file's [design] table or the base config's), and run the two arms as two studies",
        )),
    }
}

impl Sweep {
    /// Check a study read back from `file` (its `sweep-state.json`): every field within what a
    /// study file can produce, so a damaged or edited state file is refused by name instead of
    /// misleading `merge`, `--resume`, `plot` or `run --from-sweep`.
    pub fn check_stored(&self, file: &str) -> Result<()> {
        let bad = |field: &str, m: String| Error::invalid(file, field, m);
        check_name(&self.name, file)?;
        let (k, n) = self.shard;
        if n == 0 || n > MAX_SHARDS || k >= n {
            return Err(bad(
                "shard",
                format!("[{k}, {n}] is not a shard K/N with 0 <= K < N <= {MAX_SHARDS}"),
            ));
        }
        check_size(
            file,
            "replicates",
            self.replicates,
            1,
            crate::stats::rng::MAX_REPLICATE,
        )?;
        check_size(file, "threads", self.threads as u64, 0, MAX_THREADS as u64)?;
        if self.base_toml.len() as u64 > crate::input::CONFIG_LIMIT {
            return Err(bad(
                "base_toml",
                format!(
                    "is longer than {}, the limit for a config",
                    crate::input::size_words(crate::input::CONFIG_LIMIT)
                ),
            ));
        }
        if self.points.is_empty() || self.points.len() > MAX_POINTS {
            return Err(bad(
                "points",
                format!("holds {} points; a study has 1..={MAX_POINTS}", self.points.len()),
            ));
        }
        if self.params.is_empty() {
            return Err(bad("params", "lists no parameter".into()));
        }
        for (i, x) in self.points.iter().enumerate() {
            if x.len() != self.params.len() {
                return Err(bad(
                    &format!("points[{i}]"),
                    format!("has {} values for {} parameters", x.len(), self.params.len()),
                ));
            }
        }
        check_params(&self.params, &self.points, file)?;
        for l in [&self.regimes, &self.compare].into_iter().flatten() {
            if l.is_empty() {
                return Err(bad("regimes", "lists no regime".into()));
            }
        }
        if let Some(a) = &self.analysis {
            a.check_stored(self, file)?;
        } else if !Design::SWEEP_KINDS.contains(&self.design) {
            return Err(bad(
                "design",
                format!("`{}` needs an analysis (a sensitivity study)", self.design.name()),
            ));
        }
        // The base config and the parameters: any point's config is rebuilt and validated from
        // them (point 0 here, every point when it runs).
        self.point_model(0).map_err(|e| Error::Results {
            path: file.into(),
            message: format!("the study it holds is not valid: {e}"),
        })?;
        Ok(())
    }

    /// What differs between this sweep (as it was started) and `new`, for a refused resume.
    pub fn differences(&self, new: &Sweep) -> Vec<String> {
        let mut d = Vec::new();
        let mut check = |what: &str, a: String, b: String| {
            if a != b {
                d.push(format!("{what}: {a} then, {b} now"));
            }
        };
        check("seed", self.seed.to_string(), new.seed.to_string());
        check(
            "replicates",
            self.replicates.to_string(),
            new.replicates.to_string(),
        );
        check(
            "design points",
            self.points.len().to_string(),
            new.points.len().to_string(),
        );
        check(
            "periods",
            format!("{:?}", self.periods),
            format!("{:?}", new.periods),
        );
        check(
            "shard",
            format!("{}/{}", self.shard.0, self.shard.1),
            format!("{}/{}", new.shard.0, new.shard.1),
        );
        check("parameters", self.params.join(","), new.params.join(","));
        if self.sweep_sha256 != new.sweep_sha256 {
            d.push("the study file's content differs".into());
        }
        if self.base_toml != new.base_toml {
            d.push("the base config differs".into());
        }
        if d.is_empty() {
            d.push("the design or the analysis settings differ".into());
        }
        d
    }

    /// Read and resolve a sweep file that names no `ensemble` (a sweep over a posterior is
    /// loaded by [`crate::study::ensemble_sweep::load`], which also reads the posterior).
    pub fn load(path: &Path, o: &SweepOverrides) -> Result<Sweep> {
        let (sweep, ensemble) = Sweep::load_parts(path, o)?;
        if ensemble.is_some() {
            return Err(Error::invalid(
                &path.display().to_string(),
                "ensemble",
                "a sweep over a posterior is run by `deterrence-sim sweep` (this caller runs plain sweeps only)",
            ));
        }
        Ok(sweep)
    }

    /// Read and resolve a sweep file: the sweep, and the posterior its `ensemble` names
    /// (relative to the sweep file), if it names one.
    pub fn load_parts(path: &Path, o: &SweepOverrides) -> Result<(Sweep, Option<std::path::PathBuf>)> {
        let file = path.display().to_string();
        let (raw, text): (RawSweep, String) = crate::model::config::read_toml(path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let (base_toml, base_origin, base_raw) = load_base(dir, raw.base.as_deref())?;
        let replicates = replicates_of(&file, raw.replicates, o.replicates)?;
        let threads = threads_of(o.threads, base_raw.run.threads)?;
        if let Some(n) = o.points {
            check_option("--points", n, 1, MAX_POINTS as u64)?;
        }
        check_regime_lists(&file, raw.regimes.as_ref(), raw.compare.as_ref(), &base_raw)?;
        let force = study_force(raw.design.reassurance_force, &file, &base_raw, &base_origin)?;
        let design = Design::sweep_kind(&raw.design.kind, &file)?;
        let (params, mut points) = design_points(&file, dir, &raw, &base_raw, o, design)?;
        check_params(&params, &points, &file)?;
        if let Some(n) = o.points {
            points.truncate(n as usize);
        }
        let name = raw.name.clone().unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| "sweep".into())
        });
        check_name(&name, &file)?;
        let sweep = Sweep {
            name,
            sweep_file: file,
            sweep_sha256: sha256_hex(text.as_bytes()),
            base_origin,
            base_toml,
            design,
            seed: o.seed.or(raw.seed).unwrap_or(base_raw.run.seed),
            replicates,
            periods: raw.periods,
            regimes: raw.regimes.clone(),
            compare: raw.compare.clone(),
            params,
            points,
            shard: (0, 1),
            threads,
            crn: raw.common_random_numbers,
            analysis: None,
            per_run: false,
            force,
        };
        // Validate every point now, so a bad point fails before hours of work.
        for p in 0..sweep.points.len() {
            sweep.point_model(p)?;
        }
        let ensemble = raw.ensemble.as_ref().map(|e| dir.join(e));
        Ok((sweep, ensemble))
    }

    /// The config and model of point `p`.
    pub fn point_model(&self, p: usize) -> Result<(RawConfig, Model)> {
        self.point_model_over(p, &[], "")
    }

    /// The config and model of point `p` over other values: the base config with `under` set
    /// first (paths and values, e.g. a posterior particle's), then the point's own values, so
    /// that a path in both takes the point's value. `what` is added to the origin in errors
    /// (e.g. `, posterior particle 7`).
    pub fn point_model_over(
        &self,
        p: usize,
        under: &[(&str, f64)],
        what: &str,
    ) -> Result<(RawConfig, Model)> {
        let origin = format!(
            "{} (sweep {}, point {p}{what})",
            self.base_origin, self.sweep_file
        );
        let mut v: toml::Value = toml::from_str(&self.base_toml).map_err(|e| Error::Parse {
            file: self.base_origin.clone(),
            message: e.to_string(),
        })?;
        for &(path, x) in under {
            params::set(&mut v, path, x, &origin)?;
        }
        for (path, &x) in self.params.iter().zip(&self.points[p]) {
            params::set(&mut v, path, x, &origin)?;
        }
        let mut raw = RawConfig::from_value(v, &origin)?;
        keep_regimes(&mut raw, self.regimes.as_ref(), self.analysis.is_none());
        raw.run.seed = self.seed;
        raw.run.runs = self.replicates;
        raw.run.threads = self.threads as u64;
        if let Some(t) = self.periods {
            raw.run.periods = t;
        }
        let arm = if self.force {
            ForceDesign::With
        } else {
            ForceDesign::Without
        };
        let mut model = Model::from_raw(&raw, &origin)?.with_force_design(arm);
        if let Some(minus) = self.analysis.as_ref().and_then(|a| a.minus.as_deref()) {
            // A difference study pairs its two regimes run by run: that paired difference and its
            // interval are in points.csv, and its variance is the study's noise floor.
            model = model.with_baseline(minus)?;
        }
        Ok((raw, model))
    }

    /// The design point whose streams point `p` uses (0 for all under common random numbers).
    pub fn stream_point(&self, p: usize) -> u64 {
        if self.crn {
            0
        } else {
            p as u64
        }
    }

    /// The points this directory runs.
    pub fn my_points(&self) -> Vec<usize> {
        (0..self.points.len())
            .filter(|&p| p as u64 % self.shard.1 == self.shard.0)
            .collect()
    }

    /// What identifies the sweep's results (everything but the shard and thread count).
    pub fn identity(&self) -> String {
        let mut s = self.clone();
        s.shard = (0, 1);
        s.threads = 0;
        // Content, not paths: the same study started from another directory is the same study.
        s.sweep_file = String::new();
        s.base_origin = String::new();
        // Serializing strings, numbers, vectors and options to JSON cannot fail (a non-finite
        // number becomes null), so the default is never taken.
        sha256_hex(serde_json::to_string(&s).unwrap_or_default().as_bytes())
    }

    /// The regime of the paired differences in `points.csv`: a difference study's subtracted
    /// regime, otherwise `none` if the points have that regime; `None` when they have no
    /// baseline (e.g. a single-regime study), and `points.csv` then has no difference columns.
    pub fn baseline_name(&self) -> Option<String> {
        if let Some(minus) = self.analysis.as_ref().and_then(|a| a.minus.as_deref()) {
            return Some(minus.to_string());
        }
        // Every point has the same regimes (validated when the study was loaded); a state file
        // whose point 0 no longer builds fails with that error when its points are run.
        match self.point_model(0) {
            Ok((_, m)) => m.baseline().map(|b| m.regimes()[b].name.clone()),
            Err(_) => Some("none".into()),
        }
    }

    /// The header of `points.csv`: `point`, the parameters, then `regime` and the summary
    /// columns of [`summary::columns`] (the difference columns named after the baseline).
    pub fn header(&self) -> String {
        let mut names = vec![POINT.name.to_string()];
        names.extend(self.params.iter().cloned());
        names.push(summary::REGIME.name.to_string());
        let base = self.baseline_name();
        names.extend(summary::columns(base.as_deref()).into_iter().map(|c| c.0));
        header_line(&names)
    }

    /// The header of `runs.csv`: `point`, the parameters, then [`crate::report::tables::runs`].
    pub fn runs_header(&self) -> String {
        let mut names = vec![POINT.name.to_string()];
        names.extend(self.params.iter().cloned());
        names.extend(runs::COLUMNS.iter().map(|c| c.name.to_string()));
        header_line(&names)
    }

    /// The first cells of every row of point `p` in `points.csv` and `runs.csv`: the point's
    /// index and its parameter values (each with a decimal point, [`Kind::Exact`]).
    pub fn point_prefix(&self, p: usize) -> String {
        let mut out = String::new();
        let mut cells = vec![Value::Int(p as u64)];
        cells.extend(self.points[p].iter().map(|&x| Value::Exact(x)));
        write_row(&mut out, &cells);
        out.pop();
        out
    }

    /// The rows of `points.csv` for point `p`.
    pub fn rows(&self, p: usize, batch: &BatchResult) -> String {
        let prefix = self.point_prefix(p);
        let mut out = String::new();
        for s in batch.summary() {
            out.push_str(&prefix);
            out.push(',');
            let mut cells = vec![Value::Text(&s.regime)];
            cells.extend(summary::cells(&s));
            write_row(&mut out, &cells);
        }
        out
    }
}

/// The first column of `points.csv` and a study's `runs.csv`: the point's index.
pub const POINT: Column = Column::new("point", Kind::Int);

/// A varied parameter's column in `points.csv` and `runs.csv`, named by its dotted path.
pub const PARAMETER: Column = Column::new("{}", Kind::Exact);

/// A study's name becomes a directory name: letters, digits, `_`, `-` and `.` only, not `..`.
pub fn check_name(name: &str, file: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            file,
            "name",
            format!(
                "`{name}` must be 1-100 letters, digits, `_`, `-` or `.` (it names the output directory)"
            ),
        ))
    }
}

/// Checks every study's parameters and design get: no `run.*` paths (the study sets those), no
/// repeated path, and at most [`MAX_POINTS`] points.
pub fn check_params(params: &[String], points: &[Vec<f64>], file: &str) -> Result<()> {
    for (k, p) in params.iter().enumerate() {
        if p.starts_with("run.") {
            return Err(Error::invalid(
                file,
                format!("parameters[{k}]"),
                format!("`{p}` cannot be varied: a study sets the seed, runs and threads itself (use --seed, replicates)"),
            ));
        }
        if params[..k].contains(p) {
            return Err(Error::invalid(
                file,
                format!("parameters[{k}]"),
                format!("`{p}` is listed twice"),
            ));
        }
    }
    if points.len() > MAX_POINTS {
        return Err(Error::invalid(
            file,
            "design",
            format!("{} points; at most {MAX_POINTS} are allowed", points.len()),
        ));
    }
    Ok(())
}

/// Keep the regimes a study runs: those of `keep` (all when `None`) and, for a sweep
/// (`baseline`), `none` for the paired differences; an analysis needs only its regimes.
pub fn keep_regimes(raw: &mut RawConfig, keep: Option<&Vec<String>>, baseline: bool) {
    if let Some(keep) = keep {
        raw.regimes
            .retain(|k, _| keep.contains(k) || (baseline && k == "none"));
    }
}

/// Load a study's base config: `base` relative to `dir`, or the built-in default.
pub fn load_base(dir: &Path, base: Option<&str>) -> Result<(String, String, RawConfig)> {
    let (text, origin) = match base {
        Some(b) => {
            let p = dir.join(b);
            let t = crate::input::read_config(&p)?;
            (t, p.display().to_string())
        }
        None => (
            crate::model::config::DEFAULT_TOML.to_string(),
            "<built-in default>".to_string(),
        ),
    };
    let value: toml::Value = toml::from_str(&text).map_err(|e| Error::Parse {
        file: origin.clone(),
        message: e.to_string(),
    })?;
    let raw = RawConfig::from_value(value, &origin)?;
    Ok((text, origin, raw))
}

/// The analysis stored with a sensitivity study's points.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Analysis {
    /// The method (`method` in the study file); fixes the design.
    pub method: Method,
    /// The regime whose metric is studied (`output.regime`, or the first of
    /// `output.difference`).
    pub regime: String,
    /// If set (the second of `output.difference`), the output is metric(regime) -
    /// metric(minus), paired run by run.
    pub minus: Option<String>,
    /// The summary metric studied (a column of `points.csv`); success_rate by default.
    #[serde(default)]
    pub metric: Metric,
    /// Each parameter's `[low, high]` (finite, low < high), in the order of [`Sweep::params`].
    pub ranges: Vec<(f64, f64)>,
    /// Bootstrap resamples for the Sobol or Morris confidence intervals (`sobol.bootstrap`,
    /// `morris.bootstrap`), 1 to [`MAX_BOOTSTRAP`]; default 500.
    pub bootstrap: usize,
    /// Levels of the Morris grid (`morris.levels`), even, 2 to [`MAX_LEVELS`]; default 4.
    pub morris_levels: usize,
    /// PRIM: a point is a case when its metric falls below this (`prim.threshold`, finite;
    /// required in the file).
    pub prim_threshold: f64,
    /// PRIM peeling fraction (`prim.alpha`), in (0, 0.5); default 0.05.
    pub prim_alpha: f64,
    /// PRIM: peeling stops before a box would keep less than this share of the points
    /// (`prim.min_mass`), in [0, 1]; default 0.05.
    pub prim_min_mass: f64,
    /// PRIM: the chosen box is the densest with at least this share of the cases inside it
    /// (`prim.min_coverage`), in [0, 1]; default 0.5.
    pub prim_min_coverage: f64,
}

impl Analysis {
    /// Check an analysis read back with its study (see [`Sweep::check_stored`]).
    fn check_stored(&self, s: &Sweep, file: &str) -> Result<()> {
        let bad = |field: &str, m: String| Error::invalid(file, field, m);
        let d = s.params.len();
        if s.design != self.method.design() {
            return Err(bad(
                "design",
                format!(
                    "`{}` is not the design of a {} study",
                    s.design.name(),
                    self.method.name()
                ),
            ));
        }
        if self.ranges.len() != d {
            return Err(bad(
                "analysis.ranges",
                format!("has {} ranges for {d} parameters", self.ranges.len()),
            ));
        }
        for (j, &(lo, hi)) in self.ranges.iter().enumerate() {
            if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                return Err(bad(
                    &format!("analysis.ranges[{j}]"),
                    format!("[{lo}, {hi}] is not a range with low < high"),
                ));
            }
        }
        check_size(
            file,
            "analysis.bootstrap",
            self.bootstrap as u64,
            1,
            MAX_BOOTSTRAP,
        )?;
        let n = s.points.len();
        match self.method {
            Method::Sobol if d > 32 || !n.is_multiple_of(d + 2) => {
                return Err(bad(
                    "points",
                    format!("{n} points are not a Saltelli sample of {d} parameters (N x (d + 2))"),
                ))
            }
            Method::Morris => {
                check_size(
                    file,
                    "analysis.morris_levels",
                    self.morris_levels as u64,
                    2,
                    MAX_LEVELS,
                )?;
                if !self.morris_levels.is_multiple_of(2) || !n.is_multiple_of(d + 1) || n / (d + 1) < 2 {
                    return Err(bad(
                        "points",
                        format!(
                            "{n} points are not at least 2 Morris trajectories of {d} parameters on an even number of levels (got {})",
                            self.morris_levels
                        ),
                    ));
                }
            }
            Method::Prim => {
                if n < 2 || !self.prim_threshold.is_finite() {
                    return Err(bad(
                        "analysis.prim_threshold",
                        "PRIM needs 2 or more points and a finite threshold".into(),
                    ));
                }
                if !(self.prim_alpha > 0.0 && self.prim_alpha < 0.5) {
                    return Err(bad(
                        "analysis.prim_alpha",
                        format!("must be in (0, 0.5) (got {})", self.prim_alpha),
                    ));
                }
                for (f, v) in [
                    ("analysis.prim_min_mass", self.prim_min_mass),
                    ("analysis.prim_min_coverage", self.prim_min_coverage),
                ] {
                    if !(0.0..=1.0).contains(&v) {
                        return Err(bad(f, format!("must be in [0, 1] (got {v})")));
                    }
                }
            }
            Method::Sobol => {}
        }
        let listed = |r: &String| s.regimes.as_ref().is_some_and(|l| l.contains(r));
        for r in std::iter::once(&self.regime).chain(self.minus.iter()) {
            if !listed(r) {
                return Err(bad(
                    "analysis.regime",
                    format!("`{r}` is not one of the study's regimes"),
                ));
            }
        }
        Ok(())
    }
}

/// The base config's regimes named by `regimes` and `compare` exist, and `compare` names two of
/// the sweep's.
pub fn check_regime_lists(
    file: &str,
    regimes: Option<&Vec<String>>,
    compare: Option<&Vec<String>>,
    base_raw: &RawConfig,
) -> Result<()> {
    let bad = |field: &str, msg: String| Error::invalid(file, field, msg);
    if let Some(rs) = regimes {
        if rs.is_empty() {
            return Err(bad(
                "regimes",
                "must list at least one regime (or be left out for all)".into(),
            ));
        }
        for r in rs {
            if !base_raw.regimes.contains_key(r) {
                return Err(bad(
                    "regimes",
                    format!(
                        "unknown regime `{r}`; the base config defines: {}",
                        base_raw.regimes.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
    }
    if let Some(c) = compare {
        let known = |r: &String| regimes.map_or(base_raw.regimes.contains_key(r), |rs| rs.contains(r));
        if c.len() != 2 || !c.iter().all(known) {
            return Err(bad(
                "compare",
                "must name two of the sweep's regimes, e.g. [\"nato_light\", \"article5\"]".into(),
            ));
        }
    }
    Ok(())
}

/// The sweep's parameters (dotted paths) and its design points: read from the design table, or
/// generated as a grid, a Latin hypercube or a Sobol sequence over the parameters' ranges.
fn design_points(
    file: &str,
    dir: &Path,
    raw: &RawSweep,
    base_raw: &RawConfig,
    o: &SweepOverrides,
    design: Design,
) -> Result<(Vec<String>, Vec<Vec<f64>>)> {
    let bad = |field: &str, msg: String| Error::invalid(file, field, msg);
    let kind = design.name();
    Ok(if design == Design::Table {
        let f = raw
            .design
            .file
            .as_ref()
            .ok_or_else(|| bad("design.file", "required when design.kind = \"table\"".into()))?;
        let p = dir.join(f);
        let t = crate::input::read_text(&p, crate::input::TABLE_LIMIT, "design table")?;
        let (header, rows) = design::parse_table(&t)
            .map_err(|e| Error::invalid(&p.display().to_string(), "design table", e.to_string()))?;
        let listed: Vec<&str> = raw.parameters.iter().map(|x| x.path.as_str()).collect();
        if !listed.is_empty() && listed != header.iter().map(String::as_str).collect::<Vec<_>>() {
            return Err(bad(
                "parameters",
                format!("must match the table's columns {header:?} (or be left out)"),
            ));
        }
        (header, rows)
    } else {
        if raw.parameters.is_empty() {
            return Err(bad(
                "parameters",
                "must list at least one [[parameters]] entry".into(),
            ));
        }
        let names: Vec<String> = raw.parameters.iter().map(|x| x.path.clone()).collect();
        let range_of = |k: usize, x: &RawParameter| -> Result<Range> {
            match &x.range {
                Some(r) if r.len() == 2 => Ok(Range {
                    low: r[0],
                    high: r[1],
                }),
                _ => Err(bad(
                    &format!("parameters[{k}].range"),
                    format!(
                        "`{}` needs range = [low, high] for design.kind = \"{kind}\"",
                        x.path
                    ),
                )),
            }
        };
        let pts = match design {
            Design::Grid => {
                let mut levels = Vec::new();
                for (k, x) in raw.parameters.iter().enumerate() {
                    match (&x.values, &x.range) {
                        (Some(v), None) => levels.push(v.clone()),
                        (None, Some(_)) => {
                            let field = if x.levels.is_some() {
                                format!("parameters[{k}].levels")
                            } else {
                                "design.levels".to_string()
                            };
                            let n = x.levels.or(raw.design.levels).unwrap_or(5);
                            check_size(file, &field, n, 1, MAX_POINTS as u64)?;
                            let r = range_of(k, x)?;
                            levels.push(
                                design::linspace(&r, n as usize)
                                    .map_err(|e| bad(&format!("parameters[{k}]"), e.to_string()))?,
                            );
                        }
                        _ => {
                            return Err(bad(
                                &format!("parameters[{k}]"),
                                format!("`{}` needs either values = [...] or range = [low, high]", x.path),
                            ))
                        }
                    }
                }
                design::grid(&levels, MAX_POINTS).map_err(|e| bad("parameters", e.to_string()))?
            }
            Design::Lhs | Design::Sobol => {
                let n = o
                    .points
                    .or(raw.design.points)
                    .ok_or_else(|| bad("design.points", format!("required when design.kind = \"{kind}\"")))?;
                check_size(file, "design.points", n, 1, MAX_POINTS as u64)?;
                let ranges = raw
                    .parameters
                    .iter()
                    .enumerate()
                    .map(|(k, x)| range_of(k, x))
                    .collect::<Result<Vec<_>>>()?;
                let seed = o.seed.or(raw.seed).unwrap_or(base_raw.run.seed);
                let mut d = crate::stats::rng::Draws::auxiliary(seed, 1);
                let mut u = d.uniform_fn();
                let r = if design == Design::Lhs {
                    design::lhs(n as usize, &ranges, &mut u)
                } else {
                    let skip = check_size(
                        file,
                        "design.skip",
                        raw.design.skip.unwrap_or(0),
                        0,
                        u32::MAX as u64,
                    )? as usize;
                    if raw.design.shift {
                        design::sobol(n as usize, &ranges, skip, Some(&mut u))
                    } else {
                        design::sobol(n as usize, &ranges, skip, None)
                    }
                };
                r.map_err(|e| bad("parameters", e.to_string()))?
            }
            other => {
                return Err(bad(
                    "design.kind",
                    format!("`{}` is not a design of a sweep file", other.name()),
                ))
            }
        };
        (names, pts)
    })
}
