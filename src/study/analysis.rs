//! The analysis of a finished sensitivity study: the metric per point from `points.csv`, the
//! Sobol, Morris or PRIM estimators of [`crate::stats::sensitivity`], `indices.csv` (and
//! `boxes.csv`) and their charts.

use crate::report::charts::{self, Figure};
use crate::report::files::write_atomic;
use crate::report::tables::{header_line, summary, write_row, Column, Table, Value};
use crate::stats::intervals::paired_variance;
use crate::stats::rng::Draws;
use crate::stats::sensitivity as sa;
use crate::study::spec::{Analysis, Method, Metric};
use crate::study::spec::{Sweep, POINT};
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// The studied output at every point, and each point's Monte Carlo variance.
fn outputs(dir: &Path, sweep: &Sweep, a: &Analysis) -> Result<(Vec<f64>, Vec<f64>)> {
    let path = dir.join("points.csv");
    let t = Table::read(&path)?;
    let metric = summary::metric(a.metric.name()).ok_or_else(|| Error::Results {
        path: path.clone(),
        message: format!("`{}` is not a metric a study can analyse", a.metric.name()),
    })?;
    let (pc, rc, sc, nc) = (
        t.column(&POINT, "", &path)?,
        t.column(&summary::REGIME, "", &path)?,
        t.column(&summary::SUCCESSES, "", &path)?,
        t.column(&summary::RUNS, "", &path)?,
    );
    let success = metric == summary::SUCCESS_RATE;
    let mc = t.column(&metric, "", &path)?;
    // A difference study's points.csv pairs the two regimes run by run (the discordant counts
    // better_than_<minus> and worse_than_<minus> on the studied regime's rows): the variance of
    // that paired difference is its noise, far below the sum of the two variances.
    let paired = match a.minus.as_deref() {
        Some(m) if success => Some((
            t.column(&summary::BETTER, m, &path)?,
            t.column(&summary::WORSE, m, &path)?,
        )),
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
                var[p][which] = match paired {
                    // Row `regime` carries the paired difference from `minus`: its variance is
                    // the whole noise of the output; row `minus` adds none.
                    Some((bc, wc)) if which == 0 => {
                        paired_variance(t.num(r, bc) as u64, t.num(r, wc) as u64, k as u64)
                    }
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
                // noise floor is claimed (its column is left out).
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
    let m = if a.metric == Metric::SuccessRate {
        "success"
    } else {
        a.metric.name()
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

/// The columns of `indices.csv` (Sobol, Morris, PRIM) and `boxes.csv` (PRIM), defined once.
pub mod columns {
    use crate::report::tables::{Column, Kind};
    /// The varied parameter (dotted path).
    pub const PARAMETER: Column = Column::new("parameter", Kind::Text);
    /// Sobol first-order index.
    pub const S1: Column = Column::new("S1", Kind::Float);
    /// 95% bootstrap interval of S1: lower end.
    pub const S1_LOW: Column = Column::new("S1_low", Kind::Float);
    /// 95% bootstrap interval of S1: upper end.
    pub const S1_HIGH: Column = Column::new("S1_high", Kind::Float);
    /// Sobol total index.
    pub const ST: Column = Column::new("ST", Kind::Float);
    /// 95% bootstrap interval of ST: lower end.
    pub const ST_LOW: Column = Column::new("ST_low", Kind::Float);
    /// 95% bootstrap interval of ST: upper end.
    pub const ST_HIGH: Column = Column::new("ST_high", Kind::Float);
    /// Morris mean elementary effect.
    pub const MU: Column = Column::new("mu", Kind::Float);
    /// Morris mean absolute elementary effect.
    pub const MU_STAR: Column = Column::new("mu_star", Kind::Float);
    /// Seed-to-seed range of mu* (95% of reruns with another seed fall inside; trajectories
    /// and each point's Monte Carlo noise redrawn): lower end. Not a confidence interval for
    /// the noise-free mu*.
    pub const MU_STAR_LOW: Column = Column::new("mu_star_seed_low", Kind::Float);
    /// Seed-to-seed range of mu*: upper end.
    pub const MU_STAR_HIGH: Column = Column::new("mu_star_seed_high", Kind::Float);
    /// Morris standard deviation of the elementary effects.
    pub const SIGMA: Column = Column::new("sigma", Kind::Float);
    /// The index level Monte Carlo noise alone produces (left out when the metric's noise is
    /// not known).
    pub const NOISE_FLOOR: Column = Column::new("noise_floor", Kind::Float);
    /// Runs per design point.
    pub const RUNS_PER_POINT: Column = Column::new("runs_per_point", Kind::Int);
    /// Design points.
    pub const POINTS: Column = Column::new("points", Kind::Int);
    /// PRIM box: lower bound of the parameter.
    pub const BOX_LOW: Column = Column::new("box_low", Kind::Float);
    /// PRIM box: upper bound of the parameter.
    pub const BOX_HIGH: Column = Column::new("box_high", Kind::Float);
    /// The parameter's range in the study: lower end.
    pub const RANGE_LOW: Column = Column::new("range_low", Kind::Exact);
    /// The parameter's range in the study: upper end.
    pub const RANGE_HIGH: Column = Column::new("range_high", Kind::Exact);
    /// Whether the box restricts the parameter.
    pub const RESTRICTED: Column = Column::new("restricted", Kind::Bool);
    /// Points whose estimate is within 2 standard errors of the threshold (left out when the
    /// metric's noise is not known).
    pub const NEAR_THRESHOLD: Column = Column::new("points_within_2se_of_threshold", Kind::Int);
    /// `boxes.csv`: the peeling step.
    pub const STEP: Column = Column::new("step", Kind::Int);
    /// `boxes.csv`: whether this is the chosen box.
    pub const CHOSEN: Column = Column::new("chosen", Kind::Bool);
    /// `boxes.csv`: share of all cases inside the box.
    pub const COVERAGE: Column = Column::new("coverage", Kind::Float);
    /// `boxes.csv`: share of the box's points that are cases.
    pub const DENSITY: Column = Column::new("density", Kind::Float);
    /// `boxes.csv`: share of all points inside the box.
    pub const MASS: Column = Column::new("mass", Kind::Float);
    /// `boxes.csv`: points inside the box.
    pub const POINTS_IN_BOX: Column = Column::new("points_in_box", Kind::Int);
    /// `boxes.csv`: the box's lower bound on parameter `{}`.
    pub const LOW: Column = Column::new("{}_low", Kind::Float);
    /// `boxes.csv`: the box's upper bound on parameter `{}`.
    pub const HIGH: Column = Column::new("{}_high", Kind::Float);
}

/// A table from its columns (with their values per row); a column whose `keep` is false is
/// left out of the header and every row.
struct Csv {
    names: Vec<String>,
    keep: Vec<bool>,
    text: String,
}

impl Csv {
    fn new(cols: &[(String, bool)]) -> Csv {
        let names: Vec<String> = cols.iter().filter(|c| c.1).map(|c| c.0.clone()).collect();
        Csv {
            text: header_line(&names),
            names,
            keep: cols.iter().map(|c| c.1).collect(),
        }
    }

    fn row(&mut self, cells: &[Value]) {
        debug_assert_eq!(cells.len(), self.keep.len());
        let kept: Vec<Value> = cells
            .iter()
            .zip(&self.keep)
            .filter(|(_, k)| **k)
            .map(|(c, _)| *c)
            .collect();
        debug_assert_eq!(kept.len(), self.names.len());
        write_row(&mut self.text, &kept);
    }
}

/// Static columns, all kept except those in `drop`.
fn cols(list: &[Column], drop: &[Column]) -> Vec<(String, bool)> {
    list.iter()
        .map(|c| (c.name.to_string(), !drop.contains(c)))
        .collect()
}

fn write_indices(dir: &Path, text: &str) -> Result<PathBuf> {
    let f = dir.join("indices.csv");
    write_atomic(&f, text.as_bytes())?;
    Ok(f)
}

/// Compute the analysis from a complete points.csv: indices.csv or boxes.csv, and charts.
pub fn analyse(dir: &Path, sweep: &Sweep, a: &Analysis) -> Result<Vec<PathBuf>> {
    let (y, mc_var) = outputs(dir, sweep, a)?;
    let mean_mc_var = mc_var.iter().sum::<f64>() / mc_var.len().max(1) as f64;
    let title = format!(
        "{} · {} · seed {} · {} runs per point x {} points",
        sweep.name,
        label(a),
        sweep.seed,
        sweep.replicates,
        sweep.points.len()
    );
    let s = Study {
        dir,
        sweep,
        a,
        y,
        mc_var,
        mean_mc_var,
        d: sweep.params.len(),
        title,
    };
    let mut boot = Draws::auxiliary(sweep.seed, 3);
    let mut u = boot.uniform_fn();
    match a.method {
        Method::Sobol => sobol(&s, &mut u),
        Method::Morris => morris(&s, &mut u),
        Method::Prim => prim(&s),
    }
}

/// What every method's analysis reads: the study, its outputs and the charts' title.
struct Study<'a> {
    dir: &'a Path,
    sweep: &'a Sweep,
    a: &'a Analysis,
    /// The studied output at every point, and each point's Monte Carlo variance.
    y: Vec<f64>,
    mc_var: Vec<f64>,
    /// The mean Monte Carlo variance over the points.
    mean_mc_var: f64,
    /// Number of parameters.
    d: usize,
    title: String,
}

impl Study<'_> {
    /// An estimator's error as an error about this study's `points.csv`.
    fn results(&self, e: sa::SensError) -> Error {
        Error::Results {
            path: self.dir.join("points.csv"),
            message: e.to_string(),
        }
    }
}

/// Sobol indices (`indices.csv`) and their chart.
fn sobol(s: &Study, u: &mut dyn FnMut() -> f64) -> Result<Vec<PathBuf>> {
    let Study {
        dir,
        sweep,
        a,
        ref y,
        mean_mc_var,
        d,
        ref title,
        ..
    } = *s;
    let results = |e| s.results(e);
    let mut files = Vec::new();
    let idx = sa::sobol_indices(y, d, a.bootstrap, u).map_err(results)?;
    // Total variance of the outputs over the A and B rows (as the estimator uses).
    let ab: Vec<f64> = y.chunks(d + 2).flat_map(|c| [c[0], c[1]]).collect();
    let m = ab.iter().sum::<f64>() / ab.len() as f64;
    let v = ab.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / ab.len() as f64;
    let floor = if v > 0.0 { mean_mc_var / v } else { f64::NAN };
    use columns as c;
    let drop = if floor.is_finite() {
        vec![]
    } else {
        vec![c::NOISE_FLOOR]
    };
    let mut csv = Csv::new(&cols(
        &[
            c::PARAMETER,
            c::S1,
            c::S1_LOW,
            c::S1_HIGH,
            c::ST,
            c::ST_LOW,
            c::ST_HIGH,
            c::NOISE_FLOOR,
            c::RUNS_PER_POINT,
            c::POINTS,
        ],
        &drop,
    ));
    for (p, i) in sweep.params.iter().zip(&idx) {
        let (s1, st) = (&i.s1, &i.st);
        let f = |x: f64| Value::Float(Some(x));
        csv.row(&[
            Value::Text(p),
            f(s1.estimate),
            f(s1.low),
            f(s1.high),
            f(st.estimate),
            f(st.low),
            f(st.high),
            f(floor),
            Value::Int(sweep.replicates),
            Value::Int(sweep.points.len() as u64),
        ]);
    }
    files.push(write_indices(dir, &csv.text)?);
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
    Ok(files)
}

/// Morris elementary effects (`indices.csv`) and their chart.
fn morris(s: &Study, u: &mut dyn FnMut() -> f64) -> Result<Vec<PathBuf>> {
    let Study {
        dir,
        sweep,
        a,
        ref y,
        ref mc_var,
        mean_mc_var,
        d,
        ref title,
        ..
    } = *s;
    let results = |e| s.results(e);
    let mut files = Vec::new();
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
    // Each point's Monte Carlo variance enters the interval of mu*; for a metric whose
    // variance points.csv does not give, the interval reflects the trajectories only.
    let noise: Vec<f64> = mc_var
        .iter()
        .map(|v| if v.is_finite() { *v } else { 0.0 })
        .collect();
    let idx = sa::morris_indices(&unit, y, &noise, d, a.bootstrap, u).map_err(results)?;
    let delta = a.morris_levels as f64 / (2.0 * (a.morris_levels as f64 - 1.0));
    // E|e| for e ~ N(0, 2 s2) is sqrt(2 s2) sqrt(2 / pi); an effect divides it by delta.
    let floor = (2.0 * mean_mc_var).sqrt() * (2.0 / std::f64::consts::PI).sqrt() / delta;
    use columns as c;
    let drop = if floor.is_finite() {
        vec![]
    } else {
        vec![c::NOISE_FLOOR]
    };
    let mut csv = Csv::new(&cols(
        &[
            c::PARAMETER,
            c::MU,
            c::MU_STAR,
            c::MU_STAR_LOW,
            c::MU_STAR_HIGH,
            c::SIGMA,
            c::NOISE_FLOOR,
            c::RUNS_PER_POINT,
            c::POINTS,
        ],
        &drop,
    ));
    for (p, i) in sweep.params.iter().zip(&idx) {
        let f = |x: f64| Value::Float(Some(x));
        csv.row(&[
            Value::Text(p),
            f(i.mu),
            f(i.mu_star),
            f(i.mu_star_low),
            f(i.mu_star_high),
            f(i.sigma),
            f(floor),
            Value::Int(sweep.replicates),
            Value::Int(sweep.points.len() as u64),
        ]);
    }
    files.push(write_indices(dir, &csv.text)?);
    let fig = Figure::Scatter {
        title: format!("Morris mu* against sigma (bars: 95% seed-to-seed range of mu*) — {title}"),
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
    Ok(files)
}

/// PRIM boxes (`boxes.csv`, `indices.csv`) and their charts.
fn prim(s: &Study) -> Result<Vec<PathBuf>> {
    let Study {
        dir,
        sweep,
        a,
        ref y,
        ref mc_var,
        mean_mc_var,
        d,
        ..
    } = *s;
    let results = |e| s.results(e);
    let mut files = Vec::new();
    let cases: Vec<bool> = y.iter().map(|&v| v < a.prim_threshold).collect();
    let r = sa::prim(
        &sweep.points,
        &cases,
        a.prim_alpha,
        a.prim_min_mass,
        a.prim_min_coverage,
    )
    .map_err(results)?;
    use columns as c;
    let mut names = cols(
        &[
            c::STEP,
            c::CHOSEN,
            c::COVERAGE,
            c::DENSITY,
            c::MASS,
            c::POINTS_IN_BOX,
        ],
        &[],
    );
    for p in &sweep.params {
        names.push((c::LOW.named(p), true));
        names.push((c::HIGH.named(p), true));
    }
    let mut csv = Csv::new(&names);
    for (k, b) in r.trajectory.iter().enumerate() {
        let mut cells = vec![
            Value::Int(k as u64),
            Value::Bool(k == r.chosen),
            Value::Float(Some(b.coverage)),
            Value::Float(Some(b.density)),
            Value::Float(Some(b.mass)),
            Value::Int(b.n_in as u64),
        ];
        for (lo, hi) in b.low.iter().zip(&b.high) {
            cells.extend([Value::Float(Some(*lo)), Value::Float(Some(*hi))]);
        }
        csv.row(&cells);
    }
    let csv = csv.text;
    let f = dir.join("boxes.csv");
    write_atomic(&f, csv.as_bytes())?;
    files.push(f);
    // Points whose estimate is within 2 standard errors of the threshold (their case
    // label may be noise); unknown (empty) for metrics without a variance.
    let near = mean_mc_var.is_finite().then(|| {
        y.iter()
            .zip(mc_var)
            .filter(|(v, s)| (*v - a.prim_threshold).abs() < 2.0 * s.sqrt())
            .count() as u64
    });
    let drop = if near.is_some() {
        vec![]
    } else {
        vec![c::NEAR_THRESHOLD]
    };
    let mut summary = Csv::new(&cols(
        &[
            c::PARAMETER,
            c::BOX_LOW,
            c::BOX_HIGH,
            c::RANGE_LOW,
            c::RANGE_HIGH,
            c::RESTRICTED,
            c::RUNS_PER_POINT,
            c::POINTS,
            c::NEAR_THRESHOLD,
        ],
        &drop,
    ));
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
        summary.row(&[
            Value::Text(p),
            Value::Float(Some(bounds[j].0)),
            Value::Float(Some(bounds[j].1)),
            Value::Exact(lo),
            Value::Exact(hi),
            Value::Bool(restricted),
            Value::Int(sweep.replicates),
            Value::Int(sweep.points.len() as u64),
            Value::Int(near.unwrap_or(0)),
        ]);
    }
    files.push(write_indices(dir, &summary.text)?);
    files.extend(prim_charts(s, &r, &bounds)?);
    Ok(files)
}
/// The PRIM charts: the peeling trajectory and the chosen box's ranges.
fn prim_charts(s: &Study, r: &sa::PrimResult, bounds: &[(f64, f64)]) -> Result<Vec<PathBuf>> {
    let Study {
        dir,
        sweep,
        a,
        d,
        ref title,
        ..
    } = *s;
    let chosen = &r.trajectory[r.chosen];
    let mut files = Vec::new();
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
    Ok(files)
}
