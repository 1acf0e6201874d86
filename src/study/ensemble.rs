//! `run --ensemble POSTERIOR`: a run whose parameters carry their posterior uncertainty. Run i
//! draws a particle of the last generation of a calibration's `posterior.csv` by weight, from
//! its own stream (seed, point 2^32 − 1, replicate i), and then runs every regime and arm on the
//! usual stream (seed, 0, i) with that particle's parameters: the same draw and the same random
//! numbers in every regime, so regime differences stay paired. Because each run is an
//! independent draw of (parameters, randomness), the Wilson and Tango intervals over runs are
//! intervals of the posterior-predictive success, parameter uncertainty included. Per draw (the
//! runs that drew the same particle) the success of each arm gives the share of the posterior
//! in which each ordering of two regimes holds, and the distribution of each paired difference.

use crate::model::config::{arm_name, RawConfig};
use crate::model::validate::Model;
use crate::report::charts::{self, Figure, Panel, Series};
use crate::report::files::write_atomic;
use crate::sim::batch::{self as runner, Progress};
use crate::sim::engine::run_one;
use crate::stats::abc;
use crate::stats::intervals::{paired_difference, wilson, Z95};
use crate::stats::rng::{Draws, MAX_REPLICATE};
use crate::{Error, Result};
use rayon::prelude::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The last generation of a `posterior.csv`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Posterior {
    /// The parameters' dotted paths.
    pub paths: Vec<String>,
    /// The generation read.
    pub generation: u64,
    /// Particles (parameter scale).
    pub particles: Vec<Vec<f64>>,
    /// Their weights.
    pub weights: Vec<f64>,
}

/// Read and check a `posterior.csv` (as `calibrate` writes it): the particles of its last
/// generation. A damaged file is refused naming the line.
pub fn read_posterior(path: &Path) -> Result<Posterior> {
    let text = crate::input::read_text(path, crate::input::TABLE_LIMIT, "posterior table")?;
    let bad = |line: usize, m: String| Error::Input {
        path: path.to_path_buf(),
        message: format!("line {line}: {m}"),
    };
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    if header.len() < 5 || header[..4] != ["generation", "particle", "weight", "distance"] {
        return Err(bad(
            1,
            "expected the header `generation,particle,weight,distance,<parameter paths>` of a calibration's posterior.csv".into(),
        ));
    }
    let paths: Vec<String> = header[4..].iter().map(|s| s.to_string()).collect();
    let mut rows: Vec<(u64, f64, Vec<f64>)> = Vec::new();
    for (k, l) in lines.enumerate() {
        let line = k + 2;
        let c: Vec<&str> = l.split(',').collect();
        if c.len() != header.len() {
            return Err(bad(
                line,
                format!("{} cells where the header has {}", c.len(), header.len()),
            ));
        }
        let g: u64 = c[0]
            .parse()
            .map_err(|_| bad(line, format!("generation `{}` is not a whole number", c[0])))?;
        let num = |s: &str, what: &str| -> Result<f64> {
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| bad(line, format!("{what} `{s}` is not a finite number")))
        };
        let w = num(c[2], "weight")?;
        if w < 0.0 {
            return Err(bad(line, format!("weight {w} is negative")));
        }
        let x = c[4..]
            .iter()
            .map(|s| num(s, "value"))
            .collect::<Result<Vec<f64>>>()?;
        rows.push((g, w, x));
    }
    let last = rows
        .iter()
        .map(|r| r.0)
        .max()
        .ok_or_else(|| bad(2, "no particles".into()))?;
    let (weights, particles): (Vec<f64>, Vec<Vec<f64>>) = rows
        .into_iter()
        .filter(|r| r.0 == last)
        .map(|r| (r.1, r.2))
        .unzip();
    if weights.iter().sum::<f64>() <= 0.0 {
        return Err(bad(2, format!("the weights of generation {last} sum to 0")));
    }
    Ok(Posterior {
        paths,
        generation: last,
        particles,
        weights,
    })
}

/// The particle run `i` draws.
pub fn draw(p: &Posterior, seed: u64, i: u64) -> usize {
    let mut d = Draws::new(seed, MAX_REPLICATE, i);
    abc::pick(&p.weights, d.uniform())
}

/// One arm's summary over the ensemble.
#[derive(Debug, Clone, PartialEq)]
pub struct EnsembleRow {
    /// Regime name.
    pub regime: String,
    /// Whether the force is deployed.
    pub force: bool,
    /// Runs.
    pub runs: u64,
    /// Success rate and its Wilson 95% interval.
    pub success: (f64, f64, f64),
    /// Paired difference from the baseline in the same arm (Tango 95%), if there is a baseline.
    pub diff: Option<(f64, f64, f64)>,
    /// Shares of the posterior draws in which this arm's success is above, equal to, below the
    /// baseline's (weighted by the draws' runs).
    pub draws_above: (f64, f64, f64),
}

/// The ensemble's result.
#[derive(Debug, Clone)]
pub struct Ensemble {
    /// The arms' labels (regime, force).
    pub arms: Vec<(String, bool)>,
    /// Per arm, the index of the baseline arm.
    pub baseline_arm: Vec<Option<usize>>,
    /// Per run, the particle drawn.
    pub drawn: Vec<usize>,
    /// Per run and arm (run-major), success.
    pub success: Vec<bool>,
    /// The posterior.
    pub posterior: Posterior,
}

/// The model of `raw` with the posterior particle `x` set, checked like the base.
fn particle_model(raw: &RawConfig, base: &Model, paths: &[String], x: &[f64], origin: &str) -> Result<Model> {
    let mut v: toml::Value = toml::from_str(&raw.to_toml()?).map_err(|e| Error::Parse {
        file: origin.into(),
        message: e.to_string(),
    })?;
    for (p, &val) in paths.iter().zip(x) {
        crate::model::params::set(&mut v, p, val, origin)?;
    }
    let r = RawConfig::from_value(v, origin)?;
    let mut m = Model::from_raw(&r, origin)?.with_force_design(base.force_design());
    if let Some(b) = base.baseline() {
        m = m.with_baseline(&base.regimes()[b].name)?;
    }
    Ok(m)
}

/// Run the ensemble: `model.run().runs` runs, each at the particle it draws.
pub fn run(
    raw: &RawConfig,
    model: &Model,
    posterior: Posterior,
    origin: &str,
    progress: &dyn Progress,
) -> Result<Ensemble> {
    let seed = model.run().seed;
    let n = model.run().runs;
    let pool = runner::pool(model.run().threads)?;
    let drawn: Vec<usize> = (0..n).map(|i| draw(&posterior, seed, i)).collect();
    let arms = model.arms();
    let na = arms.len();
    let mut success = vec![false; n as usize * na];
    let mut by_particle: Vec<Vec<u64>> = vec![Vec::new(); posterior.particles.len()];
    for (i, &k) in drawn.iter().enumerate() {
        by_particle[k].push(i as u64);
    }
    let origin = format!("{origin} (posterior particle)");
    for (k, runs) in by_particle.iter().enumerate() {
        if runs.is_empty() {
            continue;
        }
        let m = particle_model(
            raw,
            model,
            &posterior.paths,
            &posterior.particles[k],
            &format!("{origin} {k}"),
        )?;
        let prepared = runner::prepare_in(&m, &pool);
        let out: Vec<Vec<bool>> = pool.install(|| {
            runs.par_iter()
                .map(|&i| {
                    prepared
                        .iter()
                        .map(|p| run_one(p, seed, 0, i).offensive_month.is_none())
                        .collect()
                })
                .collect()
        });
        for (&i, s) in runs.iter().zip(out) {
            success[i as usize * na..(i as usize + 1) * na].copy_from_slice(&s);
        }
        progress.advance(runs.len() as u64);
    }
    let baseline = model.baseline();
    let baseline_arm = arms
        .iter()
        .map(|a| baseline.and_then(|b| arms.iter().position(|x| x.regime == b && x.force == a.force)))
        .collect();
    Ok(Ensemble {
        arms: arms
            .iter()
            .map(|a| (model.regimes()[a.regime].name.clone(), a.force))
            .collect(),
        baseline_arm,
        drawn,
        success,
        posterior,
    })
}

impl Ensemble {
    fn runs(&self) -> usize {
        self.drawn.len()
    }

    fn ok(&self, i: usize, a: usize) -> bool {
        self.success[i * self.arms.len() + a]
    }

    /// Per draw (particle with runs): its runs and each arm's success rate.
    pub fn per_draw(&self) -> Vec<(usize, u64, Vec<f64>)> {
        let na = self.arms.len();
        let mut runs = vec![0u64; self.posterior.particles.len()];
        let mut wins = vec![0u64; self.posterior.particles.len() * na];
        for (i, &k) in self.drawn.iter().enumerate() {
            runs[k] += 1;
            for a in 0..na {
                wins[k * na + a] += u64::from(self.ok(i, a));
            }
        }
        (0..runs.len())
            .filter(|&k| runs[k] > 0)
            .map(|k| {
                (
                    k,
                    runs[k],
                    (0..na)
                        .map(|a| wins[k * na + a] as f64 / runs[k] as f64)
                        .collect(),
                )
            })
            .collect()
    }

    /// Shares of the draws (weighted by their runs) in which arm `a`'s success is above, equal
    /// to and below arm `b`'s.
    pub fn ordering(&self, a: usize, b: usize) -> (f64, f64, f64) {
        let n = self.runs().max(1) as f64;
        let (mut hi, mut eq, mut lo) = (0u64, 0u64, 0u64);
        for (_, r, s) in self.per_draw() {
            if s[a] > s[b] {
                hi += r;
            } else if s[a] < s[b] {
                lo += r;
            } else {
                eq += r;
            }
        }
        (hi as f64 / n, eq as f64 / n, lo as f64 / n)
    }

    /// The summary rows.
    pub fn rows(&self) -> Vec<EnsembleRow> {
        let n = self.runs() as u64;
        (0..self.arms.len())
            .map(|a| {
                let s = (0..self.runs()).filter(|&i| self.ok(i, a)).count() as u64;
                let (lo, hi) = wilson(s, n, Z95);
                let base = self.baseline_arm[a];
                let diff = base.map(|b| {
                    let better = (0..self.runs())
                        .filter(|&i| self.ok(i, a) && !self.ok(i, b))
                        .count() as u64;
                    let worse = (0..self.runs())
                        .filter(|&i| !self.ok(i, a) && self.ok(i, b))
                        .count() as u64;
                    paired_difference(better, worse, n)
                });
                EnsembleRow {
                    regime: self.arms[a].0.clone(),
                    force: self.arms[a].1,
                    runs: n,
                    success: (s as f64 / n.max(1) as f64, lo, hi),
                    diff,
                    draws_above: base.map_or((f64::NAN, f64::NAN, f64::NAN), |b| self.ordering(a, b)),
                }
            })
            .collect()
    }

    /// Write `ensemble.csv`, `orderings.csv`, `draws.csv` and the chart of each paired
    /// difference's distribution over the draws into `dir`; returns the files.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        let cell = |x: f64| {
            if x.is_finite() {
                format!("{x}")
            } else {
                String::new()
            }
        };
        let mut t = String::from("regime,force,runs,success_rate,ci_low,ci_high,diff_vs_baseline,diff_ci_low,diff_ci_high,draws_above_baseline,draws_equal,draws_below_baseline\n");
        for r in self.rows() {
            let (d, dl, dh) = r.diff.unwrap_or((f64::NAN, f64::NAN, f64::NAN));
            let _ = writeln!(
                t,
                "{},{},{},{},{},{},{},{},{},{},{},{}",
                r.regime,
                arm_name(r.force),
                r.runs,
                r.success.0,
                r.success.1,
                r.success.2,
                cell(d),
                cell(dl),
                cell(dh),
                cell(r.draws_above.0),
                cell(r.draws_above.1),
                cell(r.draws_above.2)
            );
        }
        files.push(put(dir, "ensemble.csv", &t)?);
        let mut t = String::from("force,first,second,share_first_higher,share_equal,share_second_higher\n");
        for a in 0..self.arms.len() {
            for b in a + 1..self.arms.len() {
                if self.arms[a].1 != self.arms[b].1 {
                    continue;
                }
                let (h, e, l) = self.ordering(a, b);
                let _ = writeln!(
                    t,
                    "{},{},{},{h},{e},{l}",
                    arm_name(self.arms[a].1),
                    self.arms[a].0,
                    self.arms[b].0
                );
            }
        }
        files.push(put(dir, "orderings.csv", &t)?);
        let mut t = format!("particle,runs,{}", self.posterior.paths.join(","));
        for (r, f) in &self.arms {
            let _ = write!(t, ",success_{r}_{}", arm_name(*f));
        }
        t.push('\n');
        for (k, runs, s) in self.per_draw() {
            let _ = write!(t, "{k},{runs}");
            for v in &self.posterior.particles[k] {
                let _ = write!(t, ",{v}");
            }
            for v in s {
                let _ = write!(t, ",{v}");
            }
            t.push('\n');
        }
        files.push(put(dir, "draws.csv", &t)?);
        // Chart: the distribution over the draws of each arm's paired difference from its
        // baseline (a 25-bin histogram weighted by runs, relative frequency).
        let draws = self.per_draw();
        let mut panels = Vec::new();
        for a in 0..self.arms.len() {
            let Some(b) = self.baseline_arm[a].filter(|&b| b != a) else {
                continue;
            };
            let d: Vec<(f64, f64)> = draws.iter().map(|(_, r, s)| (s[a] - s[b], *r as f64)).collect();
            const BINS: usize = 25;
            let lo = d.iter().map(|x| x.0).fold(f64::INFINITY, f64::min).min(0.0);
            let hi = d.iter().map(|x| x.0).fold(f64::NEG_INFINITY, f64::max).max(0.0);
            let w = ((hi - lo) / BINS as f64).max(1e-9);
            let mut h = [0.0; BINS];
            for (x, r) in &d {
                h[(((x - lo) / w) as usize).min(BINS - 1)] += r;
            }
            let m = h.iter().copied().fold(0.0, f64::max).max(1e-300);
            let y: Vec<f64> = h.iter().map(|v| v / m).collect();
            let xs: Vec<f64> = (0..BINS).map(|k| lo + (k as f64 + 0.5) * w).collect();
            panels.push(Panel {
                title: format!(
                    "{} {} − {}",
                    self.arms[a].0,
                    arm_name(self.arms[a].1),
                    self.arms[b].0
                ),
                series: vec![Series {
                    label: "share of draws".into(),
                    x: xs,
                    low: y.clone(),
                    high: y.clone(),
                    y,
                }],
            });
        }
        if !panels.is_empty() {
            let cols = panels.len().clamp(1, 3);
            let rows = panels.len().div_ceil(cols);
            files.extend(charts::render(
                dir,
                "ensemble_diff",
                (420 * cols as u32, 300 * rows as u32 + 60),
                &Figure::Panels {
                    title: format!(
                        "Paired success difference from the baseline across {} posterior draws",
                        draws.len()
                    ),
                    x_label: "success difference (same runs)".into(),
                    y_label: "relative frequency".into(),
                    y_range: (0.0, 1.05),
                    panels,
                    cols,
                },
            )?);
        }
        Ok(files)
    }
}

fn put(dir: &Path, name: &str, text: &str) -> Result<PathBuf> {
    let p = dir.join(name);
    write_atomic(&p, text.as_bytes())?;
    Ok(p)
}
