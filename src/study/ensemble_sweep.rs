//! `sweep STUDY.toml --ensemble POSTERIOR` (or `ensemble = "posterior.csv"` in the sweep file):
//! a sweep whose runs carry a calibration's parameter uncertainty. At every design point, run i
//! draws the particle of the posterior's last generation that `run --ensemble`'s run i draws
//! ([`ensemble::draw`]: by weight, from stream (seed, point 2^32 − 1, replicate i)), so the draw
//! is common to every point and regime. The run's config is the base config with that
//! particle's values set, then the point's own values on top: a swept path that is also a
//! posterior parameter takes the sweep's value ([`SweepEnsemble::overridden`], recorded in the
//! manifest). The run is on the point's usual stream, so a single point at the base config's
//! values is `run --ensemble` exactly. `points.csv` keeps its columns; its intervals are then
//! over (parameters, randomness) draws. The ensemble (the posterior's SHA-256, generation and
//! particles) is stored in the study's state file and is part of the study's identity
//! ([`study_identity`]), so `--resume` and `merge` refuse to mix an ensemble sweep with a
//! plain one or with another posterior.

use crate::model::config::RawConfig;
use crate::model::params;
use crate::model::validate::Model;
use crate::report::files::{sha256_file, sha256_hex};
use crate::sim::aggregate::BatchResult;
use crate::sim::batch::{self as runner, Progress};
use crate::sim::prepared::Prepared;
use crate::sim::state::RunRecord;
use crate::study::ensemble::{self, Posterior};
use crate::study::spec::{Sweep, SweepOverrides};
use crate::{Error, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The posterior a sweep runs over, as stored in its `sweep-state.json` (key `ensemble`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepEnsemble {
    /// The posterior file as named when the study was started (a label; not part of
    /// [`SweepEnsemble::identity`]).
    pub posterior_file: String,
    /// SHA-256 (hex) of the posterior file.
    pub posterior_sha256: String,
    /// The posterior's paths the sweep also varies: at every point the sweep's value replaces
    /// the particle's (the other paths keep the particle's values).
    pub overridden: Vec<String>,
    /// The posterior's last generation: paths, particles and weights.
    pub posterior: Posterior,
}

/// Read a sweep file and the posterior it runs over: `ensemble` (the `--ensemble` option) if
/// given, else the file's own `ensemble`, else none (a plain sweep).
pub fn load(path: &Path, o: &SweepOverrides, ensemble: Option<&Path>) -> Result<(Sweep, Option<SweepEnsemble>)> {
    let (sweep, named) = Sweep::load_parts(path, o)?;
    let Some(post) = ensemble.map(Path::to_path_buf).or(named) else {
        return Ok((sweep, None));
    };
    let e = SweepEnsemble::read(&post, &sweep)?;
    Ok((sweep, Some(e)))
}

/// What identifies a study's results: [`Sweep::identity`] for a plain sweep (unchanged), and
/// with it the ensemble's [`SweepEnsemble::identity`] for a sweep over a posterior.
pub fn study_identity(sweep: &Sweep, e: Option<&SweepEnsemble>) -> String {
    match e {
        None => sweep.identity(),
        Some(e) => sha256_hex(format!("{} ensemble {}", sweep.identity(), e.identity()).as_bytes()),
    }
}

impl SweepEnsemble {
    /// Read `path` (a calibration's `posterior.csv`) for `sweep`: refused naming the file and
    /// line when it is damaged, when a column is a `run.*` path or repeated, or when a column
    /// names no parameter of the sweep's base config; every particle is checked at point 0.
    pub fn read(path: &Path, sweep: &Sweep) -> Result<SweepEnsemble> {
        let posterior = ensemble::read_posterior(path)?;
        let header = |m: String| Error::Input {
            path: path.to_path_buf(),
            message: format!("line 1: {m}"),
        };
        let mut v: toml::Value = toml::from_str(&sweep.base_toml).map_err(|e| Error::Parse {
            file: sweep.base_origin.clone(),
            message: e.to_string(),
        })?;
        for (j, p) in posterior.paths.iter().enumerate() {
            let col = j + 5;
            if p.starts_with("run.") {
                return Err(header(format!(
                    "column {col} `{p}`: a study sets run.* itself; a posterior cannot vary it"
                )));
            }
            if posterior.paths[..j].contains(p) {
                return Err(header(format!("column {col} `{p}` is listed twice")));
            }
            if let Err(e) = params::set(&mut v, p, posterior.particles[0][j], &sweep.base_origin) {
                return Err(match e {
                    Error::UnknownParameter { nearest, .. } => header(format!(
                        "column {col} `{p}` is not a parameter of the sweep's base config {} \
                         (nearest valid paths: {}); was the posterior fitted to another config?",
                        sweep.base_origin,
                        nearest.join(", ")
                    )),
                    other => other,
                });
            }
        }
        let e = SweepEnsemble {
            posterior_file: path.display().to_string(),
            posterior_sha256: sha256_file(path)?,
            overridden: overridden(&posterior.paths, &sweep.params),
            posterior,
        };
        // Every particle over the base config (point 0), so a bad particle fails before any work;
        // the combination of a particle with another point is checked when that point runs.
        for k in 0..e.posterior.particles.len() {
            particle_model(sweep, &e, 0, k)?;
        }
        Ok(e)
    }

    /// What identifies the ensemble's results: everything but the file's name.
    pub fn identity(&self) -> String {
        let mut c = self.clone();
        c.posterior_file = String::new();
        // Strings, numbers and vectors serialize to JSON without failure.
        sha256_hex(serde_json::to_string(&c).unwrap_or_default().as_bytes())
    }

    /// Check an ensemble read back with its study from `file` (its state file): the posterior
    /// well formed, the overridden paths those the sweep varies, particle 0 builds at point 0.
    pub fn check_stored(&self, sweep: &Sweep, file: &str) -> Result<()> {
        let bad = |field: &str, m: String| Error::invalid(file, field, m);
        let p = &self.posterior;
        if p.paths.is_empty() {
            return Err(bad("ensemble.posterior.paths", "lists no parameter".into()));
        }
        if p.particles.is_empty() || p.weights.len() != p.particles.len() {
            return Err(bad(
                "ensemble.posterior",
                format!(
                    "holds {} particles and {} weights; it needs one weight per particle and at least one",
                    p.particles.len(),
                    p.weights.len()
                ),
            ));
        }
        for (k, x) in p.particles.iter().enumerate() {
            if x.len() != p.paths.len() || !x.iter().all(|v| v.is_finite()) {
                return Err(bad(
                    &format!("ensemble.posterior.particles[{k}]"),
                    format!("is not {} finite values", p.paths.len()),
                ));
            }
        }
        if !p.weights.iter().all(|w| w.is_finite() && *w >= 0.0) || p.weights.iter().sum::<f64>() <= 0.0 {
            return Err(bad(
                "ensemble.posterior.weights",
                "must be finite, not negative, with a positive sum".into(),
            ));
        }
        let hex = self.posterior_sha256.len() == 64 && self.posterior_sha256.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex {
            return Err(bad(
                "ensemble.posterior_sha256",
                "is not a SHA-256 in hex".into(),
            ));
        }
        if self.overridden != overridden(&p.paths, &sweep.params) {
            return Err(bad(
                "ensemble.overridden",
                "is not the posterior's paths that the sweep varies".into(),
            ));
        }
        particle_model(sweep, self, 0, 0).map(|_| ()).map_err(|e| Error::Results {
            path: file.into(),
            message: format!("the ensemble it holds does not build: {e}"),
        })
    }

    /// The note `sweep` prints when the sweep varies some of the posterior's paths.
    pub fn note(&self) -> Option<String> {
        (!self.overridden.is_empty()).then(|| {
            format!(
                "note: the sweep varies {} of the posterior's parameters ({}): at every point the sweep's value \
                 replaces the particle's; the other {} come from the posterior (recorded in manifest.json)",
                self.overridden.len(),
                self.overridden.join(", "),
                self.posterior.paths.len() - self.overridden.len()
            )
        })
    }

    /// The ensemble's entry in the study's `manifest.json`.
    pub fn manifest(&self, seed: u64, replicates: u64) -> serde_json::Value {
        serde_json::json!({
            "posterior": self.posterior_file,
            "posterior_sha256": self.posterior_sha256,
            "posterior_generation": self.posterior.generation,
            "posterior_parameters": self.posterior.paths,
            "posterior_particles": self.posterior.particles.len(),
            "overridden_by_sweep": self.overridden,
            "draws_per_point": distinct(&self.posterior, seed, replicates),
            "draw_stream": "run i at every point draws its particle by weight from stream (seed, point 2^32-1, replicate i), as run --ensemble; its config is the base config with the particle's values, then the point's values on top; it runs on the point's usual stream",
            "intervals": "the intervals in points.csv are over (parameters, randomness) draws: each run is an independent draw of a posterior particle and of the noise",
        })
    }
}

/// The paths of `posterior` that `swept` also holds, in the posterior's order.
fn overridden(posterior: &[String], swept: &[String]) -> Vec<String> {
    posterior.iter().filter(|p| swept.contains(p)).cloned().collect()
}

/// The particle each of runs `0..runs` draws (the same at every point).
pub fn draws(p: &Posterior, seed: u64, runs: u64) -> Vec<usize> {
    (0..runs).map(|i| ensemble::draw(p, seed, i)).collect()
}

/// How many distinct particles runs `0..runs` of `seed` draw.
fn distinct(p: &Posterior, seed: u64, runs: u64) -> usize {
    let mut d = draws(p, seed, runs);
    d.sort_unstable();
    d.dedup();
    d.len()
}

/// The config and model of point `p` of `sweep` at posterior particle `k`: the particle's values
/// set first, then the point's.
pub fn particle_model(sweep: &Sweep, e: &SweepEnsemble, p: usize, k: usize) -> Result<(RawConfig, Model)> {
    let under: Vec<(&str, f64)> = e
        .posterior
        .paths
        .iter()
        .map(String::as_str)
        .zip(e.posterior.particles[k].iter().copied())
        .collect();
    sweep.point_model_over(
        p,
        &under,
        &format!(", posterior particle {k} of {}", e.posterior_file),
    )
}

/// The batch of point `p` over the ensemble: run i at the particle it draws, on the point's
/// stream (seed, point, i); every run's records go to `sink` in run order.
pub fn batch(
    sweep: &Sweep,
    e: &SweepEnsemble,
    p: usize,
    pool: &rayon::ThreadPool,
    progress: &dyn Progress,
    sink: &mut dyn FnMut(u64, &[RunRecord]),
) -> Result<BatchResult> {
    let drawn = draws(&e.posterior, sweep.seed, sweep.replicates);
    let mut used = drawn.clone();
    used.sort_unstable();
    used.dedup();
    // Built in parallel, errors reported in particle order (the same message on any thread count).
    let built: Vec<Result<Model>> = pool.install(|| {
        used.par_iter()
            .map(|&k| particle_model(sweep, e, p, k).map(|m| m.1))
            .collect()
    });
    let models = built.into_iter().collect::<Result<Vec<Model>>>()?;
    // Every (particle, arm) prepared in parallel, then split back per particle.
    let arms = models[0].arms();
    let na = arms.len();
    let pairs: Vec<(usize, usize)> = (0..models.len())
        .flat_map(|m| (0..na).map(move |a| (m, a)))
        .collect();
    let flat: Vec<Prepared> = pool.install(|| {
        pairs
            .par_iter()
            .map(|&(m, a)| Prepared::new(&models[m], arms[a].regime, arms[a].force))
            .collect()
    });
    let mut it = flat.into_iter();
    let sets: Vec<Vec<Prepared>> = (0..models.len())
        .map(|_| it.by_ref().take(na).collect())
        .collect();
    let which: Vec<usize> = drawn
        .iter()
        .map(|k| used.binary_search(k).unwrap_or_default())
        .collect();
    Ok(runner::run_batch_sets_with(
        &models[0],
        &sets,
        &which,
        sweep.stream_point(p),
        pool,
        progress,
        sink,
    ))
}
