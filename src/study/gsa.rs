//! Global sensitivity analysis and scenario discovery on the sweep engine: which uncertain
//! parameters decide deterrence, and under which combinations a regime fails.
//!
//! A sensitivity file names a base config, the parameters with their ranges (dotted paths), the
//! output studied (a regime's success rate, or the difference between two regimes), the method
//! (`sobol`: Saltelli sampling, S1 and ST with bootstrap intervals; `morris`: elementary
//! effects; `prim`: PRIM boxes over a Latin hypercube) and its sample size. The design points
//! run through [`crate::study::sweep`] (so the study is resumable, streaming, seeded, thread-invariant
//! and shardable), with common random numbers across the design by default; the estimators
//! ([`crate::stats::sensitivity`]) run when the points are complete.
//!
//! Each design point is itself a Monte Carlo estimate, so every result comes with the noise
//! floor: the index that Monte Carlo noise alone would produce (see `noise_floor` in
//! `indices.csv` and docs/MODEL.md).

use crate::report::charts::{self, Figure};
use crate::report::files::write_atomic;
use crate::report::tables::{cell, Table};
use crate::stats::design::{self, Range};
use crate::stats::intervals::Z95;
use crate::stats::rng::Draws;
use crate::stats::sensitivity as sa;
use crate::study::sweep::{Sweep, SweepOverrides};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The analysis stored with a sensitivity study's points.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Analysis {
    pub method: String,
    /// The regime whose success rate is studied.
    pub regime: String,
    /// If set, the output is success(regime) - success(minus).
    pub minus: Option<String>,
    /// The summary metric studied (a column of `points.csv`); success_rate by default.
    #[serde(default = "success_rate")]
    pub metric: String,
    pub ranges: Vec<(f64, f64)>,
    pub bootstrap: usize,
    pub morris_levels: usize,
    pub prim_threshold: f64,
    pub prim_alpha: f64,
    pub prim_min_mass: f64,
    pub prim_min_coverage: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSens {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    base: Option<String>,
    replicates: u64,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    periods: Option<u64>,
    method: String,
    #[serde(default = "yes")]
    common_random_numbers: bool,
    output: RawOutput,
    #[serde(default)]
    sobol: Option<RawSobol>,
    #[serde(default)]
    morris: Option<RawMorris>,
    #[serde(default)]
    prim: Option<RawPrim>,
    parameters: Vec<RawParam>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutput {
    #[serde(default)]
    regime: Option<String>,
    #[serde(default)]
    difference: Option<Vec<String>>,
    #[serde(default)]
    metric: Option<String>,
}

/// The summary metrics a study can analyse (columns of `points.csv`).
pub const METRICS: [&str; 7] = [
    "success_rate",
    "p_hold_given_offensive",
    "honoured_share",
    "probes_per_run",
    "mean_response_hours",
    "mean_support",
    "median_months_to_offensive",
];

fn success_rate() -> String {
    "success_rate".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSobol {
    samples: u64,
    #[serde(default)]
    bootstrap: Option<u64>,
    #[serde(default)]
    skip: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMorris {
    trajectories: u64,
    #[serde(default)]
    levels: Option<u64>,
    #[serde(default)]
    bootstrap: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrim {
    points: u64,
    threshold: f64,
    #[serde(default)]
    alpha: Option<f64>,
    #[serde(default)]
    min_mass: Option<f64>,
    #[serde(default)]
    min_coverage: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParam {
    path: String,
    range: Vec<f64>,
}

/// Read a sensitivity file into a sweep whose points are the method's design.
pub fn load(path: &Path, o: &SweepOverrides) -> Result<Sweep> {
    let file = path.display().to_string();
    let (raw, text): (RawSens, String) = crate::model::config::read_toml(path)?;
    let bad = |field: &str, msg: String| Error::invalid(&file, field, msg);
    let dir = path.parent().unwrap_or(Path::new("."));
    let (base_toml, base_origin, base_raw) = crate::study::sweep::load_base(dir, raw.base.as_deref())?;
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
    let serr = |field: &'static str| {
        let file = file.clone();
        move |e: sa::SensError| Error::invalid(&file, field, e.to_string())
    };
    let metric = raw.output.metric.clone().unwrap_or_else(success_rate);
    if !METRICS.contains(&metric.as_str()) {
        return Err(bad(
            "output.metric",
            format!("unknown `{metric}`; allowed: {}", METRICS.join(", ")),
        ));
    }
    let mut analysis = Analysis {
        method: raw.method.clone(),
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
    let unit: Vec<Vec<f64>> = match raw.method.as_str() {
        "sobol" => {
            let s = raw.sobol.as_ref().ok_or_else(|| {
                bad(
                    "sobol",
                    "method = \"sobol\" needs a [sobol] table with samples = N".into(),
                )
            })?;
            let n = o.points.unwrap_or(s.samples);
            if !(2..=1 << 20).contains(&n) {
                return Err(bad("sobol.samples", format!("must be in 2..=1048576 (got {n})")));
            }
            if 2 * d > 64 {
                return Err(bad(
                    "parameters",
                    format!("Sobol sampling supports at most 32 parameters (got {d})"),
                ));
            }
            if (n as usize) * (d + 2) > crate::study::sweep::MAX_POINTS {
                return Err(bad(
                    "sobol.samples",
                    format!(
                        "N x (d + 2) = {} design points; at most {}",
                        n as usize * (d + 2),
                        crate::study::sweep::MAX_POINTS
                    ),
                ));
            }
            analysis.bootstrap = s.bootstrap.unwrap_or(500) as usize;
            let base = design::sobol_unit(n as usize, 2 * d, s.skip.unwrap_or(1) as usize)
                .map_err(derr("sobol".into()))?;
            sa::saltelli_sample(&base, d).map_err(serr("sobol"))?
        }
        "morris" => {
            let m = raw.morris.as_ref().ok_or_else(|| {
                bad(
                    "morris",
                    "method = \"morris\" needs a [morris] table with trajectories = R".into(),
                )
            })?;
            let r = o.points.unwrap_or(m.trajectories);
            if r == 0 || (r as usize).saturating_mul(d + 1) > crate::study::sweep::MAX_POINTS {
                return Err(bad(
                    "morris.trajectories",
                    format!(
                        "must be at least 1 and give at most {} points (got {r})",
                        crate::study::sweep::MAX_POINTS
                    ),
                ));
            }
            analysis.morris_levels = m.levels.unwrap_or(4) as usize;
            analysis.bootstrap = m.bootstrap.unwrap_or(500) as usize;
            sa::morris_sample(r as usize, d, analysis.morris_levels, &mut u).map_err(serr("morris"))?
        }
        "prim" => {
            let p = raw.prim.as_ref().ok_or_else(|| {
                bad(
                    "prim",
                    "method = \"prim\" needs a [prim] table with points and threshold".into(),
                )
            })?;
            let n = o.points.unwrap_or(p.points);
            if n < 2 || n as usize > crate::study::sweep::MAX_POINTS {
                return Err(bad(
                    "prim.points",
                    format!("must be in 2..={} (got {n})", crate::study::sweep::MAX_POINTS),
                ));
            }
            if !p.threshold.is_finite() {
                return Err(bad("prim.threshold", "must be a finite number".into()));
            }
            // Rates and shares lie in [0, 1] (their difference in [-1, 1]): a threshold at or
            // beyond the bottom of that range selects no case, so say so before any run.
            let rate = ["success_rate", "honoured_share", "p_hold_given_offensive"]
                .contains(&analysis.metric.as_str());
            let low = if analysis.minus.is_some() { -1.0 } else { 0.0 };
            if rate && p.threshold <= low {
                return Err(bad(
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
                return Err(bad(
                    "prim.alpha",
                    format!("must be in (0, 0.5) (got {})", analysis.prim_alpha),
                ));
            }
            for (f, v) in [
                ("prim.min_mass", analysis.prim_min_mass),
                ("prim.min_coverage", analysis.prim_min_coverage),
            ] {
                if !(0.0..=1.0).contains(&v) {
                    return Err(bad(f, format!("must be in [0, 1] (got {v})")));
                }
            }
            let unit_ranges = vec![Range { low: 0.0, high: 1.0 }; d];
            design::lhs(n as usize, &unit_ranges, &mut u).map_err(derr("prim.points".into()))?
        }
        m => {
            return Err(bad(
                "method",
                format!("unknown `{m}`; allowed: \"sobol\", \"morris\", \"prim\""),
            ))
        }
    };
    if analysis.bootstrap == 0 {
        return Err(bad(
            &format!("{}.bootstrap", raw.method),
            "must be at least 1".into(),
        ));
    }
    let points = design::scale(&unit, &ranges);
    let params: Vec<String> = raw.parameters.iter().map(|p| p.path.clone()).collect();
    crate::study::sweep::check_params(&params, &points, &file)?;
    let mut regimes = vec![regime.clone()];
    regimes.extend(minus.iter().cloned());
    let replicates = o.replicates.unwrap_or(raw.replicates);
    if replicates == 0 || replicates > crate::stats::rng::MAX_REPLICATE {
        return Err(bad(
            "replicates",
            format!("must be at least 1 (got {replicates})"),
        ));
    }
    let name = raw.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "sensitivity".into())
    });
    crate::study::sweep::check_name(&name, &file)?;
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
        design: raw.method.clone(),
        seed,
        replicates,
        periods: raw.periods,
        regimes: Some(regimes),
        compare: None,
        params: raw.parameters.iter().map(|p| p.path.clone()).collect(),
        points,
        shard: (0, 1),
        threads: o.threads.unwrap_or(base_raw.run.threads as usize),
        crn: raw.common_random_numbers,
        analysis: Some(analysis),
        per_run: false,
    };
    for p in 0..sweep.points.len() {
        sweep.point_model(p)?;
    }
    Ok(sweep)
}

/// The studied output at every point, and each point's Monte Carlo variance.
fn outputs(dir: &Path, sweep: &Sweep, a: &Analysis) -> Result<(Vec<f64>, Vec<f64>)> {
    let path = dir.join("points.csv");
    let t = Table::read(&path)?;
    let (pc, rc, sc, nc) = (
        t.col("point", &path)?,
        t.col("regime", &path)?,
        t.col("successes", &path)?,
        t.col("runs", &path)?,
    );
    let success = a.metric == "success_rate";
    let mc = t.col(&a.metric, &path)?;
    // A difference study's points.csv pairs the two regimes run by run (diff_vs_<minus>): the
    // variance of that paired difference is its noise, far below the sum of the two variances.
    let dci = match a.minus {
        Some(_) if success => Some((t.col("diff_ci_low", &path)?, t.col("diff_ci_high", &path)?)),
        _ => None,
    };
    let n = sweep.points.len();
    let mut rate = vec![[f64::NAN; 2]; n];
    let mut var = vec![[0.0; 2]; n];
    for r in 0..t.rows.len() {
        let p = t.num(r, pc) as usize;
        let which = if t.rows[r][rc] == a.regime {
            0
        } else if a.minus.as_deref() == Some(t.rows[r][rc].as_str()) {
            1
        } else {
            continue;
        };
        if p < n {
            let (s, k) = (t.num(r, sc), t.num(r, nc));
            if success {
                rate[p][which] = s / k;
                var[p][which] = match dci {
                    // Row `regime` carries the paired difference from `minus`: its variance is
                    // the whole noise of the output; row `minus` adds none.
                    Some((lo, hi)) if which == 0 => ((t.num(r, hi) - t.num(r, lo)) / (2.0 * Z95)).powi(2),
                    Some(_) => 0.0,
                    // Binomial variance of the estimate, smoothed (Jeffreys) so that 0 or k
                    // successes do not claim zero noise.
                    None => {
                        let qs = (s + 0.5) / (k + 1.0);
                        qs * (1.0 - qs) / k
                    }
                };
            } else {
                // Other metrics: the per-point Monte Carlo variance is not in points.csv, so no
                // noise floor is claimed (reported as empty).
                rate[p][which] = t.num(r, mc);
                var[p][which] = f64::NAN;
            }
        }
    }
    let mut y = Vec::with_capacity(n);
    let mut v = Vec::with_capacity(n);
    for p in 0..n {
        let (yp, vp) = match a.minus {
            Some(_) => (rate[p][0] - rate[p][1], var[p][0] + var[p][1]),
            None => (rate[p][0], var[p][0]),
        };
        if !yp.is_finite() {
            return Err(Error::Results {
                path: path.clone(),
                message: format!(
                    "point {p} has no value of `{}` for the studied regime(s) (e.g. no offensive \
                     happened, so P(hold | offensive) is undefined); choose another metric or more replicates",
                    a.metric
                ),
            });
        }
        y.push(yp);
        v.push(vp);
    }
    Ok((y, v))
}

fn label(a: &Analysis) -> String {
    let m = if a.metric == "success_rate" {
        "success"
    } else {
        a.metric.as_str()
    };
    match &a.minus {
        Some(b) => format!("{m}({}) - {m}({b})", a.regime),
        None => format!("{m}({})", a.regime),
    }
}

/// A number with three significant digits, for chart labels.
fn significant(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.digits$}")
}

/// One row of `indices.csv`: the parameter, its values, then runs per point and points.
fn index_row(parameter: &str, values: &[f64], sweep: &Sweep) -> String {
    let cells: Vec<String> = values.iter().map(|&v| cell(Some(v))).collect();
    format!(
        "{parameter},{},{},{}\n",
        cells.join(","),
        sweep.replicates,
        sweep.points.len()
    )
}

fn write_indices(dir: &Path, text: &str) -> Result<PathBuf> {
    let f = dir.join("indices.csv");
    write_atomic(&f, text.as_bytes())?;
    Ok(f)
}

/// Compute the analysis from a complete points.csv: indices.csv or boxes.csv, and charts.
pub fn analyse(dir: &Path, sweep: &Sweep, a: &Analysis) -> Result<Vec<PathBuf>> {
    let (y, mc_var) = outputs(dir, sweep, a)?;
    let d = sweep.params.len();
    let mean_mc_var = mc_var.iter().sum::<f64>() / mc_var.len().max(1) as f64;
    let mut boot = Draws::auxiliary(sweep.seed, 3);
    let mut u = boot.uniform_fn();
    let results = |e: sa::SensError| Error::Results {
        path: dir.join("points.csv"),
        message: e.to_string(),
    };
    let title = format!(
        "{} · {} · seed {} · {} runs per point x {} points",
        sweep.name,
        label(a),
        sweep.seed,
        sweep.replicates,
        sweep.points.len()
    );
    let mut files = Vec::new();
    match a.method.as_str() {
        "sobol" => {
            let idx = sa::sobol_indices(&y, d, a.bootstrap, &mut u).map_err(results)?;
            // Total variance of the outputs over the A and B rows (as the estimator uses).
            let ab: Vec<f64> = y.chunks(d + 2).flat_map(|c| [c[0], c[1]]).collect();
            let m = ab.iter().sum::<f64>() / ab.len() as f64;
            let v = ab.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / ab.len() as f64;
            let floor = if v > 0.0 { mean_mc_var / v } else { f64::NAN };
            let mut csv = String::from(
                "parameter,S1,S1_low,S1_high,ST,ST_low,ST_high,noise_floor,runs_per_point,points\n",
            );
            for (p, i) in sweep.params.iter().zip(&idx) {
                let (s1, st) = (&i.s1, &i.st);
                let values = [s1.estimate, s1.low, s1.high, st.estimate, st.low, st.high, floor];
                csv.push_str(&index_row(p, &values, sweep));
            }
            files.push(write_indices(dir, &csv)?);
            let mut order: Vec<usize> = (0..d).collect();
            order.sort_by(|&i, &j| idx[j].st.estimate.total_cmp(&idx[i].st.estimate));
            order.reverse(); // largest at the top of a horizontal chart
            let hi = idx
                .iter()
                .map(|i| i.st.high.max(i.s1.high))
                .fold(0.1_f64, f64::max)
                .min(2.0)
                * 1.05;
            let lo = idx
                .iter()
                .map(|i| i.s1.low.min(i.st.low))
                .fold(0.0_f64, f64::min)
                .max(-1.0);
            let fig = Figure::HBars {
                title: format!("Sobol indices — {title}"),
                x_label: "index (95% bootstrap interval)".into(),
                categories: order.iter().map(|&i| sweep.params[i].clone()).collect(),
                series: vec![
                    (
                        "S1 (first order)".into(),
                        order
                            .iter()
                            .map(|&i| (idx[i].s1.estimate, idx[i].s1.low, idx[i].s1.high))
                            .collect(),
                    ),
                    (
                        "ST (total)".into(),
                        order
                            .iter()
                            .map(|&i| (idx[i].st.estimate, idx[i].st.low, idx[i].st.high))
                            .collect(),
                    ),
                ],
                x_range: (lo, hi),
                reference: floor
                    .is_finite()
                    .then(|| ("Monte Carlo noise floor".to_string(), floor)),
            };
            files.extend(charts::render(dir, "sobol", (1200, 120 + 70 * d as u32), &fig)?);
        }
        "morris" => {
            let unit: Vec<Vec<f64>> = sweep
                .points
                .iter()
                .map(|x| {
                    x.iter()
                        .zip(&a.ranges)
                        .map(|(v, (lo, hi))| ((v - lo) / (hi - lo)).clamp(0.0, 1.0))
                        .collect()
                })
                .collect();
            let idx = sa::morris_indices(&unit, &y, d, a.bootstrap, &mut u).map_err(results)?;
            let delta = a.morris_levels as f64 / (2.0 * (a.morris_levels as f64 - 1.0));
            // E|e| for e ~ N(0, 2 s2) is sqrt(2 s2) sqrt(2 / pi); an effect divides it by delta.
            let floor = (2.0 * mean_mc_var).sqrt() * (2.0 / std::f64::consts::PI).sqrt() / delta;
            let mut csv = String::from(
                "parameter,mu,mu_star,mu_star_low,mu_star_high,sigma,noise_floor,runs_per_point,points\n",
            );
            for (p, i) in sweep.params.iter().zip(&idx) {
                let values = [i.mu, i.mu_star, i.mu_star_low, i.mu_star_high, i.sigma, floor];
                csv.push_str(&index_row(p, &values, sweep));
            }
            files.push(write_indices(dir, &csv)?);
            let fig = Figure::Scatter {
                title: format!("Morris mu* against sigma (95% bootstrap interval of mu*) — {title}"),
                x_label: "mu* (mean |elementary effect| per unit of the range)".into(),
                y_label: "sigma (interaction / non-linearity)".into(),
                points: sweep
                    .params
                    .iter()
                    .zip(&idx)
                    .map(|(p, i)| (p.clone(), i.mu_star, i.sigma))
                    .collect(),
                highlight: None,
                connect: false,
                x_err: idx.iter().map(|i| (i.mu_star_low, i.mu_star_high)).collect(),
                guide: floor
                    .is_finite()
                    .then(|| (format!("Monte Carlo noise floor of mu* ({floor:.3})"), floor)),
            };
            files.extend(charts::render(dir, "morris", (1200, 750), &fig)?);
        }
        "prim" => {
            let cases: Vec<bool> = y.iter().map(|&v| v < a.prim_threshold).collect();
            let r = sa::prim(
                &sweep.points,
                &cases,
                a.prim_alpha,
                a.prim_min_mass,
                a.prim_min_coverage,
            )
            .map_err(results)?;
            let mut csv = String::from("step,chosen,coverage,density,mass,points_in_box");
            for p in &sweep.params {
                let _ = write!(csv, ",{p}_low,{p}_high");
            }
            csv.push('\n');
            for (k, b) in r.trajectory.iter().enumerate() {
                let _ = write!(
                    csv,
                    "{k},{},{},{},{},{}",
                    k == r.chosen,
                    cell(Some(b.coverage)),
                    cell(Some(b.density)),
                    cell(Some(b.mass)),
                    b.n_in
                );
                for (lo, hi) in b.low.iter().zip(&b.high) {
                    let _ = write!(csv, ",{},{}", cell(Some(*lo)), cell(Some(*hi)));
                }
                csv.push('\n');
            }
            let f = dir.join("boxes.csv");
            write_atomic(&f, csv.as_bytes())?;
            files.push(f);
            // Points whose estimate is within 2 standard errors of the threshold (their case
            // label may be noise); unknown (empty) for metrics without a variance.
            let near = if mean_mc_var.is_finite() {
                y.iter()
                    .zip(&mc_var)
                    .filter(|(v, s)| (*v - a.prim_threshold).abs() < 2.0 * s.sqrt())
                    .count()
                    .to_string()
            } else {
                String::new()
            };
            let mut summary = String::from("parameter,box_low,box_high,range_low,range_high,restricted,runs_per_point,points,points_within_2se_of_threshold\n");
            let chosen = &r.trajectory[r.chosen];
            let first = &r.trajectory[0];
            // Peeled means narrower than the first box (the sample's own bounds); an unpeeled
            // side is reported as the nominal bound.
            let bounds: Vec<(f64, f64)> = (0..d)
                .map(|j| {
                    let (lo, hi) = a.ranges[j];
                    let l = if chosen.low[j] > first.low[j] {
                        chosen.low[j]
                    } else {
                        lo
                    };
                    let h = if chosen.high[j] < first.high[j] {
                        chosen.high[j]
                    } else {
                        hi
                    };
                    (l, h)
                })
                .collect();
            for (j, p) in sweep.params.iter().enumerate() {
                let (lo, hi) = a.ranges[j];
                let restricted = bounds[j] != (lo, hi);
                let _ = writeln!(
                    summary,
                    "{p},{},{},{lo},{hi},{restricted},{},{},{near}",
                    cell(Some(bounds[j].0)),
                    cell(Some(bounds[j].1)),
                    sweep.replicates,
                    sweep.points.len()
                );
            }
            files.push(write_indices(dir, &summary)?);
            let fig = Figure::Scatter {
                title: format!(
                    "PRIM peeling trajectory, cases: {} < {} — {}",
                    label(a),
                    a.prim_threshold,
                    sweep.name
                ),
                x_label: "coverage (share of all cases inside the box)".into(),
                y_label: "density (share of the box's points that are cases)".into(),
                points: r
                    .trajectory
                    .iter()
                    .enumerate()
                    .map(|(k, b)| {
                        (
                            if k == r.chosen {
                                format!("chosen box (step {k})")
                            } else {
                                String::new()
                            },
                            b.coverage,
                            b.density,
                        )
                    })
                    .collect(),
                highlight: Some(r.chosen),
                connect: true,
                x_err: Vec::new(),
                guide: None,
            };
            files.extend(charts::render(dir, "prim_trajectory", (1000, 700), &fig)?);
            let fig = Figure::Ranges {
                title: format!(
                    "PRIM box: coverage {:.2}, density {:.2} — {title}",
                    chosen.coverage, chosen.density
                ),
                categories: sweep.params.clone(),
                ranges: bounds
                    .iter()
                    .zip(&a.ranges)
                    .map(|(&(l, h), &(lo, hi))| ((l - lo) / (hi - lo), (h - lo) / (hi - lo)))
                    .collect(),
                labels: bounds
                    .iter()
                    .map(|(l, h)| format!("{} to {}", significant(*l), significant(*h)))
                    .collect(),
            };
            files.extend(charts::render(
                dir,
                "prim_box",
                (1200, 120 + 70 * d as u32),
                &fig,
            )?);
        }
        m => {
            return Err(Error::Results {
                path: dir.to_path_buf(),
                message: format!("unknown analysis method `{m}`"),
            })
        }
    }
    Ok(files)
}
