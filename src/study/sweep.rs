//! Parameter sweeps: a sweep file names a base config, the regimes, the replicates per point and
//! the varied parameters (dotted paths with ranges or values); a design (grid, Latin hypercube,
//! Sobol, or a table) gives the points.
//!
//! Every run's stream is (seed, point, replicate), so a point can be rerun alone, the regimes at a
//! point are paired, and results do not depend on threads. Points run in order; each finished
//! point's rows are appended (and synced) to `points.partial.csv`, so a sweep killed at any
//! moment resumes where it stopped and ends with the same bytes as an uninterrupted one. Memory is
//! bounded by one point's accumulators.

use crate::model::config::RawConfig;
use crate::model::validate::Model;
use crate::report::files::{prepare_dir, sha256_hex, write_atomic};
use crate::report::manifest::write_manifest;
use crate::report::tables::{summary_cells, summary_columns};
use crate::sim::aggregate::BatchResult;
use crate::sim::batch::{self as runner, Progress};
use crate::stats::design::{self, Range};
use crate::{model::params, Error, Result};
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Largest design a sweep accepts.
pub const MAX_POINTS: usize = 1_000_000;
/// Name of the state file that identifies a sweep directory.
pub const STATE: &str = "sweep-state.json";
/// The per-run rows of complete points (with `--per-run`), renamed to `runs.csv` at the end.
pub(crate) const RUNS_PARTIAL: &str = "runs.partial.csv";
pub(crate) const PARTIAL: &str = "points.partial.csv";

/// A sweep file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSweep {
    #[serde(default)]
    pub name: Option<String>,
    /// Base config, relative to the sweep file (default: the built-in default).
    #[serde(default)]
    pub base: Option<String>,
    #[serde(default)]
    pub regimes: Option<Vec<String>>,
    pub replicates: u64,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub periods: Option<u64>,
    /// Two regimes whose difference gets its own chart (first minus second).
    #[serde(default)]
    pub compare: Option<Vec<String>>,
    /// Use the same random streams at every point (common random numbers across the design).
    #[serde(default)]
    pub common_random_numbers: bool,
    pub design: RawDesign,
    #[serde(default)]
    pub parameters: Vec<RawParameter>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDesign {
    pub kind: String,
    #[serde(default)]
    pub points: Option<u64>,
    #[serde(default)]
    pub levels: Option<u64>,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub shift: bool,
    #[serde(default)]
    pub skip: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawParameter {
    pub path: String,
    #[serde(default)]
    pub range: Option<Vec<f64>>,
    #[serde(default)]
    pub values: Option<Vec<f64>>,
    #[serde(default)]
    pub levels: Option<u64>,
}

/// Command-line overrides of a sweep file.
#[derive(Debug, Clone, Default)]
pub struct SweepOverrides {
    pub seed: Option<u64>,
    pub replicates: Option<u64>,
    pub points: Option<u64>,
    pub threads: Option<usize>,
}

/// A resolved sweep: everything needed to rebuild any point's config. Stored in the output
/// directory as `sweep-state.json`, so `run --from-sweep` and `merge` need nothing else.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Sweep {
    pub name: String,
    pub sweep_file: String,
    pub sweep_sha256: String,
    pub base_origin: String,
    pub base_toml: String,
    pub design: String,
    pub seed: u64,
    pub replicates: u64,
    pub periods: Option<u64>,
    pub regimes: Option<Vec<String>>,
    pub compare: Option<Vec<String>>,
    pub params: Vec<String>,
    pub points: Vec<Vec<f64>>,
    /// This directory's share of the points: (k, n) runs points with index % n == k.
    pub shard: (u64, u64),
    pub threads: usize,
    /// Common random numbers across the design: every point uses the streams of point 0.
    #[serde(default)]
    pub crn: bool,
    /// A sensitivity analysis to compute from the points when they are complete.
    #[serde(default)]
    pub analysis: Option<crate::study::gsa::Analysis>,
    /// Also write `runs.csv`: one row per point, regime and replicate.
    #[serde(default)]
    pub per_run: bool,
}

impl Sweep {
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

    /// Read and resolve a sweep file.
    pub fn load(path: &Path, o: &SweepOverrides) -> Result<Sweep> {
        let file = path.display().to_string();
        let (raw, text): (RawSweep, String) = crate::model::config::read_toml(path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let bad = |field: &str, msg: String| Error::invalid(&file, field, msg);
        let (base_toml, base_origin, base_raw) = load_base(dir, raw.base.as_deref())?;
        let replicates = o.replicates.unwrap_or(raw.replicates);
        if replicates == 0 || replicates > crate::stats::rng::MAX_REPLICATE {
            return Err(bad(
                "replicates",
                format!(
                    "must be in 1..={} (got {replicates})",
                    crate::stats::rng::MAX_REPLICATE
                ),
            ));
        }
        if let Some(rs) = &raw.regimes {
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
        if let Some(c) = &raw.compare {
            let known = |r: &String| {
                raw.regimes
                    .as_ref()
                    .map_or(base_raw.regimes.contains_key(r), |rs| rs.contains(r))
            };
            if c.len() != 2 || !c.iter().all(known) {
                return Err(bad(
                    "compare",
                    "must name two of the sweep's regimes, e.g. [\"nato_light\", \"article5\"]".into(),
                ));
            }
        }

        // Parameters and design.
        let kind = raw.design.kind.as_str();
        let (params, mut points) = if kind == "table" {
            let f = raw
                .design
                .file
                .as_ref()
                .ok_or_else(|| bad("design.file", "required when design.kind = \"table\"".into()))?;
            let p = dir.join(f);
            let t = std::fs::read_to_string(&p).map_err(|e| Error::Read {
                path: p.clone(),
                source: e,
            })?;
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
            let pts = match kind {
                "grid" => {
                    let mut levels = Vec::new();
                    for (k, x) in raw.parameters.iter().enumerate() {
                        match (&x.values, &x.range) {
                            (Some(v), None) => levels.push(v.clone()),
                            (None, Some(_)) => {
                                let n = x.levels.or(raw.design.levels).unwrap_or(5);
                                if n == 0 || n as usize > MAX_POINTS {
                                    return Err(bad(
                                        &format!("parameters[{k}].levels"),
                                        format!("must be in 1..={MAX_POINTS} (got {n})"),
                                    ));
                                }
                                let r = range_of(k, x)?;
                                levels.push(
                                    design::linspace(&r, n as usize)
                                        .map_err(|e| bad(&format!("parameters[{k}]"), e.to_string()))?,
                                );
                            }
                            _ => {
                                return Err(bad(
                                    &format!("parameters[{k}]"),
                                    format!(
                                        "`{}` needs either values = [...] or range = [low, high]",
                                        x.path
                                    ),
                                ))
                            }
                        }
                    }
                    design::grid(&levels, MAX_POINTS).map_err(|e| bad("parameters", e.to_string()))?
                }
                "lhs" | "sobol" => {
                    let n = o.points.or(raw.design.points).ok_or_else(|| {
                        bad("design.points", format!("required when design.kind = \"{kind}\""))
                    })?;
                    if n == 0 || n as usize > MAX_POINTS {
                        return Err(bad(
                            "design.points",
                            format!("must be in 1..={MAX_POINTS} (got {n})"),
                        ));
                    }
                    let ranges = raw
                        .parameters
                        .iter()
                        .enumerate()
                        .map(|(k, x)| range_of(k, x))
                        .collect::<Result<Vec<_>>>()?;
                    let seed = o.seed.or(raw.seed).unwrap_or(base_raw.run.seed);
                    let mut d = crate::stats::rng::Draws::auxiliary(seed, 1);
                    let mut u = d.uniform_fn();
                    let r = if kind == "lhs" {
                        design::lhs(n as usize, &ranges, &mut u)
                    } else {
                        let skip = raw.design.skip.unwrap_or(0) as usize;
                        if raw.design.shift {
                            design::sobol(n as usize, &ranges, skip, Some(&mut u))
                        } else {
                            design::sobol(n as usize, &ranges, skip, None)
                        }
                    };
                    r.map_err(|e| bad("parameters", e.to_string()))?
                }
                o => {
                    return Err(bad(
                        "design.kind",
                        format!("unknown `{o}`; allowed: \"grid\", \"lhs\", \"sobol\", \"table\""),
                    ))
                }
            };
            (names, pts)
        };
        check_params(&params, &points, &file)?;
        if let Some(n) = o.points {
            if n == 0 {
                return Err(Error::Usage {
                    option: "--points".into(),
                    message: "must be at least 1".into(),
                });
            }
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
            design: kind.to_string(),
            seed: o.seed.or(raw.seed).unwrap_or(base_raw.run.seed),
            replicates,
            periods: raw.periods,
            regimes: raw.regimes.clone(),
            compare: raw.compare.clone(),
            params,
            points,
            shard: (0, 1),
            threads: o.threads.unwrap_or(base_raw.run.threads as usize),
            crn: raw.common_random_numbers,
            analysis: None,
            per_run: false,
        };
        // Validate every point now, so a bad point fails before hours of work.
        for p in 0..sweep.points.len() {
            sweep.point_model(p)?;
        }
        Ok(sweep)
    }

    /// The config and model of point `p`.
    pub fn point_model(&self, p: usize) -> Result<(RawConfig, Model)> {
        let origin = format!("{} (sweep {}, point {p})", self.base_origin, self.sweep_file);
        let mut v: toml::Value = toml::from_str(&self.base_toml).map_err(|e| Error::Parse {
            file: self.base_origin.clone(),
            message: e.to_string(),
        })?;
        for (path, &x) in self.params.iter().zip(&self.points[p]) {
            params::set(&mut v, path, x, &origin)?;
        }
        let mut raw = RawConfig::from_value(v, &origin)?;
        if let Some(keep) = &self.regimes {
            // Sweeps keep the baseline for diff_vs_none; an analysis needs only its regimes.
            let baseline = self.analysis.is_none();
            raw.regimes
                .retain(|k, _| keep.contains(k) || (baseline && k == "none"));
        }
        raw.run.seed = self.seed;
        raw.run.runs = self.replicates;
        raw.run.threads = self.threads as u64;
        if let Some(t) = self.periods {
            raw.run.periods = t;
        }
        let mut model = Model::from_raw(&raw, &origin)?;
        if let Some(minus) = self.analysis.as_ref().and_then(|a| a.minus.as_deref()) {
            // A difference study pairs its two regimes run by run: that paired difference and its
            // interval are in points.csv, and its variance is the study's noise floor.
            model.baseline = model.regimes.iter().position(|r| r.name == minus);
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
        sha256_hex(serde_json::to_string(&s).unwrap_or_default().as_bytes())
    }

    /// The regime of the paired differences in `points.csv`: a difference study's subtracted
    /// regime, otherwise `none`.
    pub fn baseline_name(&self) -> &str {
        self.analysis
            .as_ref()
            .and_then(|a| a.minus.as_deref())
            .unwrap_or("none")
    }

    /// The header of `points.csv`.
    pub fn header(&self) -> String {
        format!(
            "point,{},regime,{}\n",
            self.params.join(","),
            summary_columns(self.baseline_name())
        )
    }

    /// The header of `runs.csv`.
    pub fn runs_header(&self) -> String {
        format!(
            "point,{},{}\n",
            self.params.join(","),
            crate::report::tables::RUN_COLUMNS
        )
    }

    /// The rows of `points.csv` for point `p`.
    pub fn rows(&self, p: usize, batch: &BatchResult) -> String {
        let values: Vec<String> = self.points[p].iter().map(|x| format!("{x}")).collect();
        let mut out = String::new();
        for s in batch.summary() {
            out.push_str(&format!(
                "{p},{},{},{}\n",
                values.join(","),
                s.regime,
                summary_cells(&s)
            ));
        }
        out
    }
}

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

/// Load a study's base config: `base` relative to `dir`, or the built-in default.
pub fn load_base(dir: &Path, base: Option<&str>) -> Result<(String, String, RawConfig)> {
    let (text, origin) = match base {
        Some(b) => {
            let p = dir.join(b);
            let t = std::fs::read_to_string(&p).map_err(|e| Error::Read {
                path: p.clone(),
                source: e,
            })?;
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

/// Options of `sweep`.
#[derive(Debug, Clone, Default)]
pub struct SweepOptions {
    pub out: Option<PathBuf>,
    pub resume: bool,
    pub force: bool,
    /// (k, n): run only points with index % n == k.
    pub shard: Option<(u64, u64)>,
    /// Also write `runs.csv` (one row per point, regime and replicate).
    pub per_run: bool,
}

/// Reports progress of a sweep (points done) on top of runs done.
pub trait SweepProgress: Progress {
    fn point_done(&self, _done: usize, _total: usize) {}
}

/// What a sweep produced.
#[derive(Debug, Clone)]
pub struct SweepReport {
    pub dir: PathBuf,
    pub points_run: usize,
    pub points_total: usize,
    pub runs: u64,
    pub wall_seconds: f64,
}

/// Read a sweep directory's state.
pub fn read_state(dir: &Path) -> Result<Sweep> {
    let p = dir.join(STATE);
    let t = std::fs::read_to_string(&p).map_err(|e| Error::Read {
        path: p.clone(),
        source: e,
    })?;
    serde_json::from_str(&t).map_err(|e| Error::Results {
        path: p,
        message: format!("not a sweep state file: {e}"),
    })
}

/// Complete points already in a partial file: the rows of the longest prefix of `mine` whose
/// every regime row is present and whole.
fn completed_prefix(text: &str, sweep: &Sweep, mine: &[usize], regimes: usize) -> (usize, String) {
    let mut lines = text.split_inclusive('\n');
    let mut kept = String::new();
    match lines.next() {
        Some(h) if h == sweep.header() => kept.push_str(h),
        _ => return (0, sweep.header()),
    }
    let cols = sweep.header().trim_end().split(',').count();
    let rest: Vec<&str> = lines.collect();
    let mut done = 0;
    let mut i = 0;
    for &p in mine {
        let block = rest.get(i..i + regimes);
        let ok = block.is_some_and(|b| {
            b.iter().all(|l| {
                l.ends_with('\n')
                    && l.trim_end().split(',').count() == cols
                    && l.split(',').next() == Some(&p.to_string())
            })
        });
        if !ok {
            break;
        }
        for l in &rest[i..i + regimes] {
            kept.push_str(l);
        }
        i += regimes;
        done += 1;
    }
    (done, kept)
}

/// A study directory opened for running: what is left to do.
#[derive(Debug, Clone)]
pub struct Opened {
    pub dir: PathBuf,
    pub sweep: Sweep,
    /// The points this directory runs, in order.
    pub mine: Vec<usize>,
    /// How many of them are already complete (a resumed study).
    pub done: usize,
    /// Whether all rows are already in `points.csv` (only charts and manifest may be missing).
    pub complete: bool,
}

impl Opened {
    /// The partial rows file that finished points are appended to.
    pub fn partial(&self) -> PathBuf {
        self.dir.join(PARTIAL)
    }

    /// Append one point's rows and sync them to disk.
    pub fn append(&self, file: &mut std::fs::File, rows: &str) -> Result<()> {
        file.write_all(rows.as_bytes())
            .map_err(|e| Error::io(self.partial(), e))?;
        file.sync_data().map_err(|e| Error::io(self.partial(), e))
    }

    /// Append one point's per-run rows (before its summary rows, so a point whose summary is
    /// in the partial file always has all its run rows).
    pub fn append_runs(&self, file: &mut std::fs::File, rows: &str) -> Result<()> {
        let p = self.dir.join(RUNS_PARTIAL);
        file.write_all(rows.as_bytes()).map_err(|e| Error::io(&p, e))?;
        file.sync_data().map_err(|e| Error::io(&p, e))
    }

    /// Open the per-run partial file for appending (with `--per-run`).
    pub fn runs_file(&self) -> Result<Option<std::fs::File>> {
        if !self.sweep.per_run {
            return Ok(None);
        }
        let p = self.dir.join(RUNS_PARTIAL);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .map(Some)
            .map_err(|e| Error::io(&p, e))
    }

    /// Open the partial file for appending.
    pub fn append_file(&self) -> Result<std::fs::File> {
        std::fs::OpenOptions::new()
            .append(true)
            .open(self.partial())
            .map_err(|e| Error::io(self.partial(), e))
    }

    /// Finish: points.csv, charts or indices, manifest; and the report.
    pub fn close(self, wall: f64) -> Result<SweepReport> {
        finish(&self.dir, &self.sweep, wall)?;
        let run = if self.complete {
            0
        } else {
            self.mine.len() - self.done
        };
        Ok(SweepReport {
            dir: self.dir,
            points_run: run,
            points_total: self.mine.len(),
            runs: run as u64 * self.sweep.replicates,
            wall_seconds: wall,
        })
    }
}

/// Prepare a study directory (default `output/<name>/`): refuse to overwrite results, check a
/// resumed directory belongs to this study, keep the complete points of a partial file.
pub fn open(mut sweep: Sweep, o: &SweepOptions) -> Result<Opened> {
    if let Some((k, n)) = o.shard {
        if n == 0 || k >= n {
            return Err(Error::Usage {
                option: "--shard".into(),
                message: format!("K/N needs 0 <= K < N (got {k}/{n})"),
            });
        }
        sweep.shard = (k, n);
    }
    sweep.per_run = o.per_run;
    let dir = o.out.clone().unwrap_or_else(|| {
        let mut name = sweep.name.clone();
        if sweep.shard.1 > 1 {
            name = format!("{name}-shard-{}-of-{}", sweep.shard.0, sweep.shard.1);
        }
        PathBuf::from("output").join(name)
    });
    let mine = sweep.my_points();
    let regimes = sweep.point_model(0)?.1.regimes.len();
    let partial = dir.join(PARTIAL);
    if o.resume {
        let old = read_state(&dir).map_err(|_| Error::Results {
            path: dir.clone(),
            message: "nothing to resume here (no sweep-state.json); run without --resume".into(),
        })?;
        if old.per_run != sweep.per_run {
            return Err(Error::Results {
                path: dir.clone(),
                message: format!(
                    "was started {} --per-run; resume it the same way",
                    if old.per_run { "with" } else { "without" }
                ),
            });
        }
        if old.identity() != sweep.identity() || old.shard != sweep.shard {
            return Err(Error::Results {
                path: dir.clone(),
                message: format!(
                    "was made by a different study ({}); refusing to resume. Use another --out, or --force without --resume to start over",
                    old.differences(&sweep).join("; ")
                ),
            });
        }
        if dir.join("points.csv").exists() {
            let done = mine.len();
            return Ok(Opened {
                dir,
                sweep,
                mine,
                done,
                complete: true,
            });
        }
    } else if !o.force && dir.join(STATE).exists() {
        return Err(Error::Results {
            path: dir.clone(),
            message: "holds a study; pass --resume to finish it or --force to start over".into(),
        });
    }
    let (done, kept) = if o.resume {
        let text = std::fs::read_to_string(&partial).unwrap_or_default();
        completed_prefix(&text, &sweep, &mine, regimes)
    } else {
        prepare_dir(&dir, o.force)?;
        let _ = std::fs::remove_file(dir.join("points.csv"));
        let _ = std::fs::remove_file(dir.join("manifest.json"));
        (0, sweep.header())
    };
    write_atomic(
        &dir.join(STATE),
        serde_json::to_string_pretty(&sweep)
            .unwrap_or_default()
            .as_bytes(),
    )?;
    write_atomic(&partial, kept.as_bytes())?;
    if sweep.per_run {
        // Keep the run rows of the complete points only (a torn point is rerun whole).
        let runs = dir.join(RUNS_PARTIAL);
        let old = if o.resume {
            std::fs::read_to_string(&runs).unwrap_or_default()
        } else {
            String::new()
        };
        let complete: std::collections::HashSet<String> =
            mine[..done].iter().map(|p| p.to_string()).collect();
        let header = sweep.runs_header();
        let cols = header.trim_end().split(',').count();
        let mut text = header.clone();
        for l in old.split_inclusive('\n').skip(1) {
            let whole = l.ends_with('\n') && l.trim_end().split(',').count() == cols;
            if whole && l.split(',').next().is_some_and(|p| complete.contains(p)) {
                text.push_str(l);
            }
        }
        write_atomic(&runs, text.as_bytes())?;
    }
    Ok(Opened {
        dir,
        sweep,
        mine,
        done,
        complete: false,
    })
}

/// Compute point `p`: its rows of `points.csv`.
pub fn compute_point(
    sweep: &Sweep,
    p: usize,
    pool: &rayon::ThreadPool,
    progress: &dyn Progress,
) -> Result<String> {
    let (_, model) = sweep.point_model(p)?;
    let batch = runner::run_batch(&model, sweep.stream_point(p), pool, progress);
    Ok(sweep.rows(p, &batch))
}

/// Compute point `p` with its per-run rows: (rows of points.csv, rows of runs.csv).
pub fn compute_point_runs(
    sweep: &Sweep,
    p: usize,
    pool: &rayon::ThreadPool,
    progress: &dyn Progress,
) -> Result<(String, String)> {
    let (_, model) = sweep.point_model(p)?;
    let values: Vec<String> = sweep.points[p].iter().map(|x| format!("{x}")).collect();
    let prefix = format!("{p},{}", values.join(","));
    let names: Vec<String> = model.regimes.iter().map(|r| r.name.clone()).collect();
    let mut runs = String::new();
    let batch = runner::run_batch_with(
        &model,
        sweep.stream_point(p),
        pool,
        progress,
        &mut |rep, records| {
            for (name, r) in names.iter().zip(records) {
                runs.push_str(&prefix);
                runs.push(',');
                runs.push_str(&crate::report::tables::run_row(name, rep, r));
                runs.push('\n');
            }
        },
    );
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
                let (rows, runs) = compute_point_runs(&st.sweep, p, &pool, progress)?;
                st.append_runs(rf, &runs)?;
                rows
            }
            None => compute_point(&st.sweep, p, &pool, progress)?,
        };
        st.append(&mut file, &rows)?;
        progress.point_done(k + 1, st.mine.len());
    }
    drop(file);
    let wall = start.elapsed().as_secs_f64();
    st.close(wall)
}

/// Turn a complete partial file into `points.csv`, draw the charts, write the manifest.
pub(crate) fn finish(dir: &Path, sweep: &Sweep, wall: f64) -> Result<()> {
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
            Some(a) => files.extend(crate::study::gsa::analyse(dir, sweep, a)?),
            None => files.extend(crate::study::charts::draw(dir, sweep)?),
        }
    }
    let (raw, _) = sweep.point_model(0)?;
    let extra = serde_json::json!({
        "sweep_file": sweep.sweep_file,
        "sweep_sha256": sweep.sweep_sha256,
        "sweep_identity": sweep.identity(),
        "design": sweep.design,
        "parameters": sweep.params,
        "points": sweep.points.len(),
        "replicates": sweep.replicates,
        "shard": [sweep.shard.0, sweep.shard.1],
        "base_config": sweep.base_origin,
        "base_sha256": sha256_hex(sweep.base_toml.as_bytes()),
    });
    write_manifest(
        dir,
        &sweep.base_origin,
        &raw,
        sweep.seed,
        sweep.threads,
        wall,
        "sweep",
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
        Some(a) => crate::study::gsa::analyse(dir, &s, a),
        None => crate::study::charts::draw(dir, &s),
    }
}

/// `run --from-sweep DIR --point P`: rerun one point; returns its rows in `points.csv` form and
/// the batch (the caller writes the usual run files).
pub fn rerun_point(dir: &Path, p: usize) -> Result<(Sweep, RawConfig, Model, BatchResult, String)> {
    let sweep = read_state(dir)?;
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
    let pool = runner::pool(model.run.threads)?;
    let batch = runner::run_batch(&model, sweep.stream_point(p), &pool, &runner::Silent);
    let rows = sweep.rows(p, &batch);
    Ok((sweep, raw, model, batch, rows))
}
