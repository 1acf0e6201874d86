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
use crate::sim::engine::run_one;
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
pub fn load(
    path: &Path,
    o: &SweepOverrides,
    ensemble: Option<&Path>,
) -> Result<(Sweep, Option<SweepEnsemble>)> {
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
                        "column {col} `{p}` is not a parameter of the sweep's base config \
                         (was the posterior fitted to another config?)\nbase config: {}\nnearest valid paths: {}",
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
        let hex =
            self.posterior_sha256.len() == 64 && self.posterior_sha256.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex {
            return Err(bad("ensemble.posterior_sha256", "is not a SHA-256 in hex".into()));
        }
        if self.overridden != overridden(&p.paths, &sweep.params) {
            return Err(bad(
                "ensemble.overridden",
                "is not the posterior's paths that the sweep varies".into(),
            ));
        }
        particle_model(sweep, self, 0, 0)
            .map(|_| ())
            .map_err(|e| Error::Results {
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

/// Bytes of run records an ensemble point holds at once (its runs are computed particle by
/// particle, then folded in run order).
const RECORDS_BYTES: usize = 128 << 20;

/// The batch of point `p` over the ensemble: run i at the particle it draws, on the point's
/// stream (seed, point, i), folded in run order (so the result does not depend on the thread
/// count, and with one particle it is the plain batch's); every run's records go to `sink` in
/// run order.
///
/// Preparing a particle's arms (their meeting tables and reference equilibria) costs far more
/// than a run, and their tables are large, so the runs are taken in chunks of up to
/// [`RECORDS_BYTES`] of records, and within a chunk the particles drawn there a few at a time
/// (four per thread): each is built and prepared once per chunk, its runs computed, its tables
/// dropped. Memory is bounded by one chunk's records and one group's tables.
pub fn batch(
    sweep: &Sweep,
    e: &SweepEnsemble,
    p: usize,
    pool: &rayon::ThreadPool,
    progress: &dyn Progress,
    sink: &mut dyn FnMut(u64, &[RunRecord]),
) -> Result<BatchResult> {
    batch_within(sweep, e, p, pool, progress, sink, RECORDS_BYTES)
}

/// [`batch`] holding at most `budget` bytes of records at once (at least one run's).
fn batch_within(
    sweep: &Sweep,
    e: &SweepEnsemble,
    p: usize,
    pool: &rayon::ThreadPool,
    progress: &dyn Progress,
    sink: &mut dyn FnMut(u64, &[RunRecord]),
    budget: usize,
) -> Result<BatchResult> {
    let drawn = draws(&e.posterior, sweep.seed, sweep.replicates);
    let (_, shape) = particle_model(sweep, e, p, drawn[0])?;
    let mut result = BatchResult::new(&shape);
    let (seed, point) = (sweep.seed, sweep.stream_point(p));
    let chunk = (budget / runner::record_bytes(&shape).max(1)).max(1);
    let group = 4 * pool.current_num_threads().max(1);
    for start in (0..drawn.len()).step_by(chunk) {
        let end = (start + chunk).min(drawn.len());
        let mut used = drawn[start..end].to_vec();
        used.sort_unstable();
        used.dedup();
        let mut done: Vec<(usize, Vec<RunRecord>)> = Vec::with_capacity(end - start);
        for g in used.chunks(group) {
            // Built in parallel, errors reported in particle order (the same on any thread count).
            let built: Vec<Result<Model>> = pool.install(|| {
                g.par_iter()
                    .map(|&k| particle_model(sweep, e, p, k).map(|m| m.1))
                    .collect()
            });
            let models = built.into_iter().collect::<Result<Vec<Model>>>()?;
            let arms = shape.arms();
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
            let mine: Vec<(usize, usize)> = (start..end)
                .filter_map(|i| g.binary_search(&drawn[i]).ok().map(|s| (i, s)))
                .collect();
            let out: Vec<Vec<RunRecord>> = pool.install(|| {
                mine.par_iter()
                    .map(|&(i, s)| {
                        sets[s]
                            .iter()
                            .map(|a| run_one(a, seed, point, i as u64))
                            .collect()
                    })
                    .collect()
            });
            progress.advance(mine.len() as u64);
            done.extend(mine.iter().map(|m| m.0).zip(out));
        }
        done.sort_unstable_by_key(|d| d.0);
        for (i, records) in &done {
            result.add_run(records);
            sink(*i as u64, records);
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::batch::Silent;

    /// A sweep of two points over the default config and a posterior of three particles.
    fn study(dir: &Path) -> (Sweep, SweepEnsemble) {
        std::fs::create_dir_all(dir).unwrap();
        let f = dir.join("s.toml");
        std::fs::write(
            &f,
            "replicates = 40\nperiods = 6\nseed = 3\n[design]\nkind = \"grid\"\n\
             [[parameters]]\npath = \"russia.war_cost\"\nvalues = [1.0, 2.5]\n",
        )
        .unwrap();
        let post = dir.join("posterior.csv");
        std::fs::write(
            &post,
            "generation,particle,weight,distance,russia.lambda,guarantor_defaults.lambda\n\
             4,0,1,0.1,1.5,3.0\n4,1,1,0.1,3.5,6.0\n4,2,2,0.1,2.5,5.0\n",
        )
        .unwrap();
        let (s, e) = load(&f, &SweepOverrides::default(), Some(&post)).unwrap();
        (s, e.unwrap())
    }

    /// Chunks of one run (each particle prepared again for every run it draws) and of the
    /// whole point give the same batch and the same runs in the same order, on 1 and 3 threads.
    #[test]
    fn chunked_points_are_the_whole_point() {
        let dir = std::env::temp_dir().join(format!("dsim-ens-chunks-{}", std::process::id()));
        let (s, e) = study(&dir);
        let mut seen = Vec::new();
        for threads in [1, 3] {
            let pool = runner::pool(threads).unwrap();
            for budget in [1, RECORDS_BYTES] {
                let mut order = Vec::new();
                let b = batch_within(
                    &s,
                    &e,
                    1,
                    &pool,
                    &Silent,
                    &mut |i, r| order.push((i, r[0].offensive_month)),
                    budget,
                )
                .unwrap();
                assert_eq!(
                    order.iter().map(|o| o.0).collect::<Vec<_>>(),
                    (0..40).collect::<Vec<u64>>()
                );
                seen.push((b, order));
            }
        }
        for other in &seen[1..] {
            assert_eq!(other, &seen[0]);
        }
        // Every particle is drawn, and the draws are those of `run --ensemble`.
        let d = draws(&e.posterior, s.seed, s.replicates);
        assert_eq!(distinct(&e.posterior, s.seed, s.replicates), 3);
        assert!((0..40).all(|i| d[i as usize] == ensemble::draw(&e.posterior, 3, i)));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
