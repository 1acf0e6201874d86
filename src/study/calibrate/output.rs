//! A finished calibration's files: `posterior.csv` (every generation's particles, parameter
//! scale, with weight and distance), `diagnostics.csv` (per generation: tolerance, acceptance,
//! ESS, simulations, runs), `parameters.csv` (prior and posterior summaries per parameter),
//! `predictive.csv` (each target's observed interval against the posterior predictive of its
//! statistic), the charts (marginal posteriors against priors, the pair of most constrained
//! parameters, the posterior predictive per target) and `manifest.json`, all written through
//! the atomic writers of `report`.

use crate::model::config::ForceDesign;
use crate::report::charts::{self, Bar, Figure, Panel, Series};
use crate::report::files::{sha256_hex, write_atomic};
use crate::report::manifest::write_manifest;
use crate::stats::abc::{self, Prior};
use crate::study::calibrate::spec::{Calibration, Role, Statistic};
use crate::study::calibrate::state::{to_parameters, Generation, State};
use crate::Result;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A number in a CSV cell (empty when not finite).
fn cell(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{v}"),
        _ => String::new(),
    }
}

/// Weighted quantile of a marginal.
fn quantile(values: &[f64], w: &[f64], q: f64) -> f64 {
    abc::weighted_quantile(values, w, q)
}

/// The final generation's parameter values (parameter scale), one vector per parameter.
fn marginals(cal: &Calibration, g: &Generation) -> Vec<Vec<f64>> {
    let xs: Vec<Vec<f64>> = g.particles.iter().map(|z| to_parameters(cal, z)).collect();
    (0..cal.parameters().len())
        .map(|k| xs.iter().map(|x| x[k]).collect())
        .collect()
}

/// Summary of one parameter's posterior: mean, sd, 5/25/50/75/95% quantiles, and the ratio of
/// its working-scale sd to the prior's.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterSummary {
    /// The dotted path.
    pub path: String,
    /// Weighted mean.
    pub mean: f64,
    /// Weighted quantiles at 5, 25, 50, 75 and 95%.
    pub q: [f64; 5],
    /// Posterior sd over prior sd, on the working scale (small = constrained by the targets).
    pub sd_ratio: f64,
}

fn prior_sd(p: Prior) -> f64 {
    let (lo, hi) = p.working_range();
    match p {
        Prior::Beta { a, b, .. } => (hi - lo) * (a * b / ((a + b) * (a + b) * (a + b + 1.0))).sqrt(),
        _ => (hi - lo) / 12f64.sqrt(),
    }
}

/// The posterior summaries of the last generation.
pub fn summaries(cal: &Calibration, g: &Generation) -> Vec<ParameterSummary> {
    let m = marginals(cal, g);
    cal.parameters()
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let w = &g.weights;
            let mean = m[k].iter().zip(w).map(|(x, w)| x * w).sum::<f64>();
            let z: Vec<f64> = g.particles.iter().map(|z| z[k]).collect();
            let zm = z.iter().zip(w).map(|(x, w)| x * w).sum::<f64>();
            let zsd = z
                .iter()
                .zip(w)
                .map(|(x, w)| w * (x - zm) * (x - zm))
                .sum::<f64>()
                .sqrt();
            ParameterSummary {
                path: p.path.clone(),
                mean,
                q: [0.05, 0.25, 0.5, 0.75, 0.95].map(|q| quantile(&m[k], w, q)),
                sd_ratio: zsd / prior_sd(p.prior()),
            }
        })
        .collect()
}

/// Write every output file and the manifest.
pub fn write(dir: &Path, state: &State, wall: f64) -> Result<Vec<PathBuf>> {
    let cal = &state.calibration;
    let Some(last) = state.generations.last() else {
        return Ok(Vec::new());
    };
    let mut files = Vec::new();
    let names: Vec<&str> = cal.parameters().iter().map(|p| p.path.as_str()).collect();

    // posterior.csv
    let mut t = format!("generation,particle,weight,distance,{}\n", names.join(","));
    for g in &state.generations {
        for (i, z) in g.particles.iter().enumerate() {
            let x = to_parameters(cal, z);
            let _ = write!(t, "{},{i},{},{}", g.index, g.weights[i], cell(g.distances[i]));
            for v in x {
                let _ = write!(t, ",{v}");
            }
            t.push('\n');
        }
    }
    files.push(put(dir, "posterior.csv", &t)?);

    // diagnostics.csv
    let reps = cal.replicates();
    let regimes = cal
        .point_model(&to_parameters(cal, &last.particles[0]))?
        .1
        .regimes()
        .len() as u64;
    let mut t = String::from("generation,tolerance,particles,simulations,acceptance,ess,runs\n");
    for g in &state.generations {
        let n = g.particles.len();
        let _ = writeln!(
            t,
            "{},{},{n},{},{},{},{}",
            g.index,
            cell(g.tolerance),
            g.simulations,
            n as f64 / g.simulations as f64,
            g.ess,
            g.simulations as u64 * reps * regimes
        );
    }
    files.push(put(dir, "diagnostics.csv", &t)?);

    // parameters.csv
    let sums = summaries(cal, last);
    let mut t = String::from("parameter,prior,low,high,a,b,mean,p05,p25,median,p75,p95,sd_ratio\n");
    for (p, s) in cal.parameters().iter().zip(&sums) {
        let _ = writeln!(
            t,
            "{},{},{},{},{},{},{},{},{},{},{},{},{}",
            p.path,
            p.kind(),
            p.prior.range().0,
            p.prior.range().1,
            p.shapes().0,
            p.shapes().1,
            s.mean,
            s.q[0],
            s.q[1],
            s.q[2],
            s.q[3],
            s.q[4],
            s.sd_ratio
        );
    }
    files.push(put(dir, "parameters.csv", &t)?);

    // predictive.csv
    let mut t = String::from(
        "target,row,regime,statistic,definition,role,observed,obs_low,obs_high,pred_p05,pred_median,pred_p95,share_in_interval\n",
    );
    let predictive = predictive(cal, last);
    for (tg, p) in cal.targets().iter().zip(&predictive) {
        let (v, _) = tg.observation.value_var();
        let (lo, hi) = tg.observation.interval();
        let def = if tg.statistic == Statistic::HonouredShare {
            tg.definition.name().to_string()
        } else {
            String::new()
        };
        let regime = match tg.versus {
            Some(_) => format!("{} vs {}", tg.regime_name, versus_name(cal, tg.versus)),
            None => tg.regime_name.clone(),
        };
        let _ = writeln!(
            t,
            "{},{},{},{},{def},{},{v},{lo},{hi},{},{},{},{}",
            tg.name,
            tg.row,
            regime,
            tg.statistic.name(),
            tg.role.name(),
            cell(Some(p.0)),
            cell(Some(p.1)),
            cell(Some(p.2)),
            p.3
        );
    }
    files.push(put(dir, "predictive.csv", &t)?);

    files.extend(draw(dir, cal, state, &sums, &predictive)?);

    // The manifest: the config recorded is the base with the posterior medians set.
    let medians: Vec<f64> = sums.iter().map(|s| s.q[2]).collect();
    let (raw, _) = cal.point_model(&medians)?;
    let extra = serde_json::json!({
        "calibration_file": cal.file(),
        "calibration_identity": cal.identity(),
        "method": "abc_smc (Beaumont et al. 2009 weights, Gaussian kernel 2x weighted covariance, tolerance = quantile of last distances)",
        "settings": cal.method(),
        "replicates": cal.replicates(),
        "parameters": cal.parameters(),
        "targets": cal.targets(),
        "generations": state.generations.len(),
        "stopped": state.stopped,
        "posterior_medians": names.iter().zip(&medians).map(|(n, m)| (n.to_string(), *m)).collect::<std::collections::BTreeMap<_, _>>(),
        "config_note": "config = the base config with every calibrated parameter at its posterior median",
        "base_config": cal.base_origin(),
        "state_sha256": sha256_hex(&std::fs::read(dir.join(crate::study::calibrate::state::STATE)).unwrap_or_default()),
    });
    let design = if cal.force() {
        ForceDesign::With
    } else {
        ForceDesign::Without
    };
    write_manifest(
        dir,
        cal.base_origin(),
        &raw,
        design,
        cal.seed(),
        cal.threads(),
        wall,
        "calibrate",
        &files,
        extra,
    )?;
    Ok(files)
}

fn versus_name(cal: &Calibration, v: Option<usize>) -> String {
    let Some(v) = v else { return String::new() };
    cal.point_model(
        &cal.parameters()
            .iter()
            .map(|p| p.prior.range().0)
            .collect::<Vec<_>>(),
    )
    .map(|(_, m)| m.regimes()[v].name.clone())
    .unwrap_or_default()
}

fn put(dir: &Path, name: &str, text: &str) -> Result<PathBuf> {
    let p = dir.join(name);
    write_atomic(&p, text.as_bytes())?;
    Ok(p)
}

/// Per target: the posterior predictive 5%, 50%, 95% of its statistic (the final particles'
/// own simulations, weighted) and the weighted share of particles inside the observed interval.
pub fn predictive(cal: &Calibration, g: &Generation) -> Vec<(f64, f64, f64, f64)> {
    (0..cal.targets().len())
        .map(|k| {
            let (vals, w): (Vec<f64>, Vec<f64>) = g
                .statistics
                .iter()
                .zip(&g.weights)
                .filter_map(|(s, &w)| s[k].map(|v| (v, w)))
                .unzip();
            if vals.is_empty() || w.iter().sum::<f64>() <= 0.0 {
                return (f64::NAN, f64::NAN, f64::NAN, 0.0);
            }
            let (lo, hi) = cal.targets()[k].observation.interval();
            let total: f64 = g.weights.iter().sum();
            let inside: f64 = vals
                .iter()
                .zip(&w)
                .filter(|(v, _)| **v >= lo && **v <= hi)
                .map(|(_, w)| w)
                .sum();
            (
                quantile(&vals, &w, 0.05),
                quantile(&vals, &w, 0.5),
                quantile(&vals, &w, 0.95),
                inside / total,
            )
        })
        .collect()
}

/// The charts.
fn draw(
    dir: &Path,
    cal: &Calibration,
    state: &State,
    sums: &[ParameterSummary],
    predictive: &[(f64, f64, f64, f64)],
) -> Result<Vec<PathBuf>> {
    let Some(last) = state.generations.last() else {
        return Ok(Vec::new());
    };
    let mut files = Vec::new();
    // Marginals: a 30-bin weighted histogram of the posterior against the prior density, each
    // scaled to its maximum (relative density), over the prior's range, on the working scale.
    const BINS: usize = 30;
    let mut panels = Vec::new();
    for (k, p) in cal.parameters().iter().enumerate() {
        let prior = p.prior();
        let (lo, hi) = prior.working_range();
        let width = (hi - lo) / BINS as f64;
        let mut hist = vec![0.0; BINS];
        for (z, w) in last.particles.iter().zip(&last.weights) {
            let b = (((z[k] - lo) / width) as usize).min(BINS - 1);
            hist[b] += w;
        }
        let xs: Vec<f64> = (0..BINS).map(|b| lo + (b as f64 + 0.5) * width).collect();
        let dens: Vec<f64> = xs.iter().map(|&x| prior.density(x)).collect();
        let scale = |v: &[f64]| {
            let m = v.iter().copied().fold(0.0, f64::max);
            v.iter()
                .map(|x| if m > 0.0 { x / m } else { 0.0 })
                .collect::<Vec<f64>>()
        };
        let hist = scale(&hist);
        let dens = scale(&dens);
        let shown: Vec<f64> = xs.iter().map(|&x| prior.from_working(x)).collect();
        let log = matches!(prior, Prior::LogUniform { .. });
        let series = |label: &str, y: Vec<f64>| Series {
            label: label.into(),
            x: if log { xs.clone() } else { shown.clone() },
            low: y.clone(),
            high: y.clone(),
            y,
        };
        panels.push(Panel {
            title: if log {
                format!("{} (log)", p.path)
            } else {
                p.path.clone()
            },
            series: vec![series("posterior", hist), series("prior", dens)],
        });
    }
    let cols = panels.len().clamp(1, 3);
    let rows = panels.len().div_ceil(cols);
    files.extend(charts::render(
        dir,
        "marginals",
        (420 * cols as u32, 300 * rows as u32 + 60),
        &Figure::Panels {
            title: format!(
                "Posterior (generation {}) against prior, relative density",
                last.index
            ),
            x_label: "value".into(),
            y_label: "relative density".into(),
            y_range: (0.0, 1.05),
            panels,
            cols,
        },
    )?);
    // The pair of the most constrained parameters (smallest posterior / prior sd).
    if sums.len() >= 2 {
        let mut order: Vec<usize> = (0..sums.len()).collect();
        order.sort_by(|&a, &b| sums[a].sd_ratio.total_cmp(&sums[b].sd_ratio).then(a.cmp(&b)));
        let (a, b) = (order[0], order[1]);
        let m = marginals(cal, last);
        let points: Vec<(String, f64, f64)> = m[a]
            .iter()
            .zip(&m[b])
            .map(|(&x, &y)| (String::new(), x, y))
            .collect();
        files.extend(charts::render(
            dir,
            "pairs",
            (800, 600),
            &Figure::Scatter {
                title: format!(
                    "Final particles: the two most constrained parameters (sd ratio {:.2}, {:.2})",
                    sums[a].sd_ratio, sums[b].sd_ratio
                ),
                x_label: sums[a].path.clone(),
                y_label: sums[b].path.clone(),
                points,
                highlight: None,
                connect: false,
                x_err: Vec::new(),
                guide: None,
            },
        )?);
    }
    // Posterior predictive against each target's interval, one panel of two bars per target.
    for (tg, p) in cal.targets().iter().zip(predictive) {
        let (v, _) = tg.observation.value_var();
        let (lo, hi) = tg.observation.interval();
        let bars = vec![
            Bar {
                label: if tg.row.is_empty() {
                    "assumed".into()
                } else if tg.role == Role::Assumption {
                    format!("assumed ({})", tg.row)
                } else {
                    format!("observed ({})", tg.row)
                },
                value: v,
                low: lo,
                high: hi,
            },
            Bar {
                label: "posterior predictive".into(),
                value: if p.1.is_finite() { p.1 } else { 0.0 },
                low: if p.0.is_finite() { p.0 } else { 0.0 },
                high: if p.2.is_finite() { p.2 } else { 0.0 },
            },
        ];
        files.extend(charts::render(
            dir,
            &format!("predictive_{}", tg.name),
            (600, 420),
            &Figure::Bars {
                title: format!(
                    "{}: {} ({}{}), {:.0}% of the posterior inside",
                    tg.name,
                    tg.statistic.name(),
                    tg.regime_name,
                    match tg.role {
                        Role::Fit => "",
                        Role::Assumption => ", assumption",
                        Role::Check => ", check only",
                    },
                    100.0 * p.3
                ),
                y_label: tg.statistic.name().into(),
                bars,
            },
        )?);
    }
    Ok(files)
}
