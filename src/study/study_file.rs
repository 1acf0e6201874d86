//! A sensitivity study file (`method = "sobol" | "morris" | "prim"`): its parameters, design and
//! metric, resolved into a [`crate::study::spec::Sweep`] with an analysis attached, so the study
//! runs on the sweep engine (resumable, streaming, seeded, thread-invariant, shardable).

use crate::input::{check_option, check_size};
use crate::stats::design::{self, Range};
use crate::stats::rng::Draws;
use crate::stats::sensitivity as sa;
use crate::study::spec::{replicates_of, threads_of};
use crate::study::spec::{Analysis, Method, Metric, MAX_BOOTSTRAP, MAX_LEVELS, MAX_POINTS};
use crate::study::spec::{Sweep, SweepOverrides};
use crate::{Error, Result};
use serde::Deserialize;
use std::path::Path;

/// A sensitivity file as written (README "Sensitivity analysis and scenario discovery").
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSens {
    /// Names the output directory (default: the file's stem).
    #[serde(default)]
    name: Option<String>,
    /// Base config, relative to this file (default: the built-in default).
    #[serde(default)]
    base: Option<String>,
    /// Runs per regime at every design point (`--replicates` overrides it).
    replicates: u64,
    /// Base seed of the streams and of the design (default: the base config's `run.seed`).
    #[serde(default)]
    seed: Option<u64>,
    /// Horizon in months, replacing the base config's `run.periods`.
    #[serde(default)]
    periods: Option<u64>,
    /// `"sobol"`, `"morris"` or `"prim"` ([`Method`]).
    method: String,
    /// Every point uses the same streams (default true, unlike a sweep: the indices then
    /// measure the parameters' effect, not Monte Carlo noise between points).
    #[serde(default = "yes")]
    common_random_numbers: bool,
    /// The `[output]` table: what is analysed.
    output: RawOutput,
    /// `[sobol]`, required when `method = "sobol"`.
    #[serde(default)]
    sobol: Option<RawSobol>,
    /// `[morris]`, required when `method = "morris"`.
    #[serde(default)]
    morris: Option<RawMorris>,
    /// `[prim]`, required when `method = "prim"`.
    #[serde(default)]
    prim: Option<RawPrim>,
    /// The `[[parameters]]` entries: dotted path and `range = [low, high]`, at least one.
    parameters: Vec<RawParam>,
}

/// Serde default of `common_random_numbers` in a sensitivity file.
fn yes() -> bool {
    true
}

/// The `[output]` table: exactly one of `regime` and `difference`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutput {
    /// The regime whose metric is analysed.
    #[serde(default)]
    regime: Option<String>,
    /// Two different regimes `[A, B]`: the metric of A minus that of B, paired run by run.
    #[serde(default)]
    difference: Option<Vec<String>>,
    /// A column of `points.csv` ([`METRICS`]; default `success_rate`).
    #[serde(default)]
    metric: Option<String>,
}

/// The summary metrics a study can analyse (columns of `points.csv`).
pub const METRICS: [Metric; 7] = Metric::ALL;

/// The `[sobol]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSobol {
    /// N, the Saltelli base sample size, 2 to 2^20, with N x (d + 2) at most [`MAX_POINTS`]
    /// (`--samples` overrides it).
    samples: u64,
    /// Bootstrap resamples for the intervals, 1 to [`MAX_BOOTSTRAP`] (default 500).
    #[serde(default)]
    bootstrap: Option<u64>,
    /// Points of the Sobol sequence skipped first (default 1: the origin).
    #[serde(default)]
    skip: Option<u64>,
}

/// The `[morris]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMorris {
    /// r, the trajectories of d + 1 points each, at least 2 (`--samples` overrides it).
    trajectories: u64,
    /// Levels of the grid, even, 2 to [`MAX_LEVELS`] (default 4).
    #[serde(default)]
    levels: Option<u64>,
    /// Bootstrap resamples for the mu* intervals, 1 to [`MAX_BOOTSTRAP`] (default 500).
    #[serde(default)]
    bootstrap: Option<u64>,
}

/// The `[prim]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrim {
    /// Latin hypercube points, 2 to [`MAX_POINTS`] (`--samples` overrides it).
    points: u64,
    /// A point is a case when its metric is below this (finite; for a rate, above its lowest
    /// possible value).
    threshold: f64,
    /// Peeling fraction, in (0, 0.5) (default 0.05).
    #[serde(default)]
    alpha: Option<f64>,
    /// Smallest share of the points a box may keep, in [0, 1] (default 0.05).
    #[serde(default)]
    min_mass: Option<f64>,
    /// Coverage the chosen box must reach, in [0, 1] (default 0.5).
    #[serde(default)]
    min_coverage: Option<f64>,
}

/// One `[[parameters]]` entry of a sensitivity file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParam {
    /// Dotted path into the base config ([`crate::model::params`]).
    path: String,
    /// `[low, high]`, finite with low < high.
    range: Vec<f64>,
}

/// Read a sensitivity file into a sweep whose points are the method's design.
pub fn load(path: &Path, o: &SweepOverrides) -> Result<Sweep> {
    let file = path.display().to_string();
    let (raw, text): (RawSens, String) = crate::model::config::read_toml(path)?;
    let bad = |field: &str, msg: String| Error::invalid(&file, field, msg);
    let method = Method::parse(&raw.method, &file)?;
    let replicates = replicates_of(&file, raw.replicates, o.replicates)?;
    if let Some(n) = o.points {
        // --samples: the sample size of the method (checked against its own range below).
        check_option("--samples", n, 1, MAX_POINTS as u64)?;
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let (base_toml, base_origin, base_raw) = crate::study::spec::load_base(dir, raw.base.as_deref())?;
    let known = |r: &String| base_raw.regimes.contains_key(r);
    let (regime, minus) =
        match (&raw.output.regime, &raw.output.difference) {
            (Some(r), None) => (r.clone(), None),
            (None, Some(d)) if d.len() == 2 && d[0] != d[1] => (d[0].clone(), Some(d[1].clone())),
            _ => return Err(bad(
                "output",
                "set exactly one of regime = \"NAME\" or difference = [\"A\", \"B\"] (success of A minus B, two different regimes)"
                    .into(),
            )),
        };
    for r in std::iter::once(&regime).chain(minus.iter()) {
        if !known(r) {
            return Err(bad(
                "output",
                format!(
                    "unknown regime `{r}`; the base config defines: {}",
                    base_raw.regimes.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    if raw.parameters.is_empty() {
        return Err(bad(
            "parameters",
            "must list at least one [[parameters]] entry".into(),
        ));
    }
    let mut ranges = Vec::new();
    for (k, p) in raw.parameters.iter().enumerate() {
        if p.range.len() != 2 {
            return Err(bad(
                &format!("parameters[{k}].range"),
                format!("`{}` needs range = [low, high]", p.path),
            ));
        }
        ranges.push(Range {
            low: p.range[0],
            high: p.range[1],
        });
    }
    let d = ranges.len();
    let seed = o.seed.or(raw.seed).unwrap_or(base_raw.run.seed);
    let mut aux = Draws::auxiliary(seed, 1);
    let mut u = aux.uniform_fn();
    let derr = |field: String| {
        let file = file.clone();
        move |e: design::DesignError| Error::invalid(&file, field, e.to_string())
    };
    let metric = match &raw.output.metric {
        Some(m) => Metric::parse(m, &file)?,
        None => Metric::default(),
    };
    let threads = threads_of(o.threads, base_raw.run.threads)?;
    let mut analysis = Analysis {
        method,
        regime: regime.clone(),
        minus: minus.clone(),
        metric,
        ranges: ranges.iter().map(|r| (r.low, r.high)).collect(),
        bootstrap: 500,
        morris_levels: 4,
        prim_threshold: 0.5,
        prim_alpha: 0.05,
        prim_min_mass: 0.05,
        prim_min_coverage: 0.5,
    };
    // Validate the ranges once, with the dimension index in the message.
    design::linspace(&ranges[0], 1).map_err(derr("parameters[0].range".into()))?;
    for (k, r) in ranges.iter().enumerate() {
        design::lhs(1, std::slice::from_ref(r), &mut || 0.5)
            .map_err(derr(format!("parameters[{k}].range")))?;
    }
    let c = Ctx {
        file: &file,
        samples: o.points,
    };
    let unit = match method {
        Method::Sobol => sobol_design(&c, &raw, d, &mut analysis)?,
        Method::Morris => morris_design(&c, &raw, d, &mut analysis, &mut u)?,
        Method::Prim => prim_design(&c, &raw, d, &mut analysis, &mut u)?,
    };
    let points = design::scale(&unit, &ranges);
    let params: Vec<String> = raw.parameters.iter().map(|p| p.path.clone()).collect();
    crate::study::spec::check_params(&params, &points, &file)?;
    let mut regimes = vec![regime.clone()];
    regimes.extend(minus.iter().cloned());
    let name = raw.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "sensitivity".into())
    });
    crate::study::spec::check_name(&name, &file)?;
    let force = crate::study::spec::study_force(None, &file, &base_raw, &base_origin)?;
    let sweep = Sweep {
        name: raw.name.clone().unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| "sensitivity".into())
        }),
        sweep_file: file.clone(),
        sweep_sha256: crate::report::files::sha256_hex(text.as_bytes()),
        base_origin,
        base_toml,
        design: method.design(),
        seed,
        replicates,
        periods: raw.periods,
        regimes: Some(regimes),
        compare: None,
        params: raw.parameters.iter().map(|p| p.path.clone()).collect(),
        points,
        shard: (0, 1),
        threads,
        crn: raw.common_random_numbers,
        analysis: Some(analysis),
        per_run: false,
        force,
    };
    for p in 0..sweep.points.len() {
        sweep.point_model(p)?;
    }
    Ok(sweep)
}

/// What the method-specific parts of [`load`] share: the file (for messages) and `--samples`.
struct Ctx<'a> {
    file: &'a str,
    samples: Option<u64>,
}

impl Ctx<'_> {
    fn bad(&self, field: &str, msg: String) -> Error {
        Error::invalid(self.file, field, msg)
    }
    /// A size from the file or from `--samples`, with the message naming the one given.
    fn size(&self, field: &str, from_file: u64, low: u64, high: u64) -> Result<u64> {
        match self.samples {
            Some(n) => check_option("--samples", n, low, high),
            None => check_size(self.file, field, from_file, low, high),
        }
    }
    fn bootstrap(&self, field: &str, b: Option<u64>) -> Result<u64> {
        check_size(self.file, field, b.unwrap_or(500), 1, MAX_BOOTSTRAP)
    }
    fn derr(&self, field: String) -> impl FnOnce(design::DesignError) -> Error + '_ {
        move |e| Error::invalid(self.file, field, e.to_string())
    }
    fn serr(&self, field: &'static str) -> impl FnOnce(sa::SensError) -> Error + '_ {
        move |e| Error::invalid(self.file, field, e.to_string())
    }
}

/// The Saltelli design of a Sobol study, in the unit cube.
fn sobol_design(c: &Ctx, raw: &RawSens, d: usize, analysis: &mut Analysis) -> Result<Vec<Vec<f64>>> {
    let s = raw.sobol.as_ref().ok_or_else(|| {
        c.bad(
            "sobol",
            "method = \"sobol\" needs a [sobol] table with samples = N".into(),
        )
    })?;
    let n = c.size("sobol.samples", s.samples, 2, 1 << 20)?;
    if 2 * d > 64 {
        return Err(c.bad(
            "parameters",
            format!("Sobol sampling supports at most 32 parameters (got {d})"),
        ));
    }
    if (n as usize) * (d + 2) > crate::study::spec::MAX_POINTS {
        return Err(c.bad(
            "sobol.samples",
            format!(
                "N x (d + 2) = {} design points; at most {}",
                n as usize * (d + 2),
                crate::study::spec::MAX_POINTS
            ),
        ));
    }
    analysis.bootstrap = c.bootstrap("sobol.bootstrap", s.bootstrap)? as usize;
    let skip = check_size(c.file, "sobol.skip", s.skip.unwrap_or(1), 0, u32::MAX as u64)?;
    let base = design::sobol_unit(n as usize, 2 * d, skip as usize).map_err(c.derr("sobol".into()))?;
    sa::saltelli_sample(&base, d).map_err(c.serr("sobol"))
}

/// The trajectories of a Morris study, in the unit cube.
fn morris_design(
    c: &Ctx,
    raw: &RawSens,
    d: usize,
    analysis: &mut Analysis,
    u: &mut dyn FnMut() -> f64,
) -> Result<Vec<Vec<f64>>> {
    let m = raw.morris.as_ref().ok_or_else(|| {
        c.bad(
            "morris",
            "method = \"morris\" needs a [morris] table with trajectories = R".into(),
        )
    })?;
    // r trajectories of d + 1 points each, at most MAX_POINTS points in all.
    let r = c.size(
        "morris.trajectories",
        m.trajectories,
        2,
        (MAX_POINTS / (d + 1)).max(2) as u64,
    )?;
    let levels = check_size(c.file, "morris.levels", m.levels.unwrap_or(4), 2, MAX_LEVELS)?;
    if !levels.is_multiple_of(2) {
        return Err(c.bad(
            "morris.levels",
            format!("must be an even number in 2..={MAX_LEVELS} (got {levels})"),
        ));
    }
    analysis.morris_levels = levels as usize;
    analysis.bootstrap = c.bootstrap("morris.bootstrap", m.bootstrap)? as usize;
    sa::morris_sample(r as usize, d, analysis.morris_levels, u).map_err(c.serr("morris"))
}

/// The Latin hypercube of a PRIM study, in the unit cube, and its PRIM settings.
fn prim_design(
    c: &Ctx,
    raw: &RawSens,
    d: usize,
    analysis: &mut Analysis,
    u: &mut dyn FnMut() -> f64,
) -> Result<Vec<Vec<f64>>> {
    let p = raw.prim.as_ref().ok_or_else(|| {
        c.bad(
            "prim",
            "method = \"prim\" needs a [prim] table with points and threshold".into(),
        )
    })?;
    let n = c.size("prim.points", p.points, 2, MAX_POINTS as u64)?;
    if !p.threshold.is_finite() {
        return Err(c.bad("prim.threshold", "must be a finite number".into()));
    }
    // Rates and shares lie in [0, 1] (their difference in [-1, 1]): a threshold at or
    // beyond the bottom of that range selects no case, so say so before any run.
    let rate = analysis.metric.is_rate();
    let low = if analysis.minus.is_some() { -1.0 } else { 0.0 };
    if rate && p.threshold <= low {
        return Err(c.bad(
            "prim.threshold",
            format!(
                "{} can never fall below {} (got {}): no design point could be a case",
                analysis.metric, low, p.threshold
            ),
        ));
    }
    analysis.prim_threshold = p.threshold;
    analysis.prim_alpha = p.alpha.unwrap_or(0.05);
    analysis.prim_min_mass = p.min_mass.unwrap_or(0.05);
    analysis.prim_min_coverage = p.min_coverage.unwrap_or(0.5);
    if !(analysis.prim_alpha > 0.0 && analysis.prim_alpha < 0.5) {
        return Err(c.bad(
            "prim.alpha",
            format!("must be in (0, 0.5) (got {})", analysis.prim_alpha),
        ));
    }
    for (f, v) in [
        ("prim.min_mass", analysis.prim_min_mass),
        ("prim.min_coverage", analysis.prim_min_coverage),
    ] {
        if !(0.0..=1.0).contains(&v) {
            return Err(c.bad(f, format!("must be in [0, 1] (got {v})")));
        }
    }
    let unit_ranges = vec![Range { low: 0.0, high: 1.0 }; d];
    design::lhs(n as usize, &unit_ranges, u).map_err(c.derr("prim.points".into()))
}
