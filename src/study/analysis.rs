//! The analysis of a finished sensitivity study: the metric per point from `points.csv`, the
//! Sobol, Morris or PRIM estimators of [`crate::stats::sensitivity`], `indices.csv` (and
//! `boxes.csv`) and their charts.

use crate::report::charts::{self, Figure};
use crate::report::files::write_atomic;
use crate::report::tables::{cell, Table};
use crate::stats::intervals::Z95;
use crate::stats::rng::Draws;
use crate::stats::sensitivity as sa;
use crate::study::spec::Sweep;
use crate::study::spec::{Analysis, Method, Metric};
use crate::{Error, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

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
    let success = a.metric == Metric::SuccessRate;
    let mc = t.col(a.metric.name(), &path)?;
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
    match a.method {
        Method::Sobol => {
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
        Method::Morris => {
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
        Method::Prim => {
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
    }
    Ok(files)
}
