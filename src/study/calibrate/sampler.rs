//! ABC-SMC on the engine (Beaumont et al. 2009 population Monte Carlo with the tolerance of
//! each generation set as a quantile of the last population's distances, after Del Moral,
//! Doucet & Jasra 2012). Generation 0 draws `particles` points from the prior and keeps them
//! all; generation t sets ε_t to the `quantile` of generation t−1's weighted distances, then
//! proposes candidates (a parent drawn by weight, moved by a Gaussian kernel with twice the
//! weighted covariance of generation t−1, on the priors' working scale), simulates each on the
//! engine ([`crate::sim::batch::run_batch_with`] at the point's model from the study engine's
//! [`crate::study::spec::Sweep::point_model`]) and accepts it when its distance is at most ε_t,
//! until `particles` are accepted; the new particles get Beaumont's importance weights.
//!
//! Determinism: candidate j of generation g draws its parent and move from its own stream
//! (seed, point (g << 24) | j, replicate 2^32 − 1) and its runs from the streams (seed, that
//! point, 0..replicates), every regime on the same streams; candidates are proposed in blocks
//! ([`block_size`], from the sampler's state only), each block is simulated by an [`Evaluate`]
//! (in this process, [`Local`]; by `--shard` processes, `shard`; over MPI ranks, `mpi`) and
//! accepted in index order, so the posterior is the same on any number of threads, shards or
//! ranks. Each finished generation is written atomically to `calibration-state.json`, so
//! `--resume` continues from the last one and ends with the same bytes.

use crate::report::files;
use crate::sim::batch::{self as runner, Silent};
use crate::stats::abc;
use crate::stats::rng::{Draws, MAX_REPLICATE};
use crate::study::calibrate::spec::Calibration;
pub use crate::study::calibrate::state::{to_parameters, Generation, State};
use crate::study::calibrate::statistics::{distance, Estimate, Tally};
use crate::{Error, Result};
use std::path::{Path, PathBuf};

pub use crate::study::calibrate::state::{SHARDS, STATE};

/// Names a calibration directory holds besides those its manifest lists (`shards`: the
/// files of `--shard` runs, `study::calibrate::shard`).
pub const KNOWN: [&str; 6] = [
    STATE,
    SHARDS,
    "posterior.csv",
    "diagnostics.csv",
    "predictive.csv",
    "parameters.csv",
];

/// Receives the sampler's progress.
pub trait CalibrationProgress: Sync {
    /// Generation `g` finished (`max` the most there can be), with its tolerance, acceptance
    /// and ESS.
    fn generation(&self, _g: usize, _max: usize, _tolerance: Option<f64>, _acceptance: f64, _ess: f64) {}
    /// One more candidate simulated in the current generation.
    fn simulated(&self) {}
}

/// Reports nothing.
impl CalibrationProgress for Silent {}

/// Options of `calibrate`.
#[derive(Debug, Clone, Default)]
pub struct CalibrateOptions {
    /// Output directory (default `output/<name>/`).
    pub out: Option<PathBuf>,
    /// Continue an interrupted calibration.
    pub resume: bool,
    /// Replace a directory holding results.
    pub force: bool,
    /// Stop (as if killed) after this many generations, leaving a resumable directory (tests).
    pub stop_after: Option<usize>,
    /// Run as shard K of N processes sharing `out` (`--shard K/N`, `study::calibrate::shard`).
    pub shard: Option<(u64, u64)>,
    /// With `shard`: give up after waiting this many seconds for another shard's file (default:
    /// wait as long as it takes, saying what is awaited).
    pub wait_seconds: Option<f64>,
}

fn opt(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// The stream of candidate `j` of generation `g`'s proposal (parent and move).
fn proposal_stream(cal: &Calibration, g: usize, j: usize) -> Draws {
    Draws::new(cal.seed(), Calibration::stream_point(g, j), MAX_REPLICATE)
}

/// Simulate the point `x` (working scale) as candidate `point`: its estimates per target.
pub fn simulate(
    cal: &Calibration,
    working: &[f64],
    point: u64,
    pool: &rayon::ThreadPool,
) -> Result<Vec<Estimate>> {
    let x = to_parameters(cal, working);
    let (_, model) = cal.point_model(&x)?;
    let mut tally = Tally::new(&model, cal.targets());
    runner::run_batch_with(&model, point, pool, &Silent, &mut |_, records| tally.add(records));
    Ok(tally.estimates())
}

/// The prior density of a working-scale point (product over parameters, up to a constant).
fn prior_density(cal: &Calibration, z: &[f64]) -> f64 {
    cal.parameters()
        .iter()
        .zip(z)
        .map(|(p, &v)| p.prior().density(v))
        .product()
}

/// The Cholesky factor of the perturbation kernel: twice the weighted covariance of `g`, with
/// a coordinate that has collapsed to one value given a variance of (10⁻⁶ × its prior width)².
fn kernel(cal: &Calibration, g: &Generation) -> Vec<f64> {
    let d = cal.parameters().len();
    let (_, mut cov) = abc::weighted_mean_cov(&g.particles, &g.weights);
    for c in &mut cov {
        *c *= 2.0;
    }
    for (k, p) in cal.parameters().iter().enumerate() {
        let (lo, hi) = p.prior().working_range();
        let floor = (1e-6 * (hi - lo)).powi(2);
        if cov[k * d + k].is_nan() || cov[k * d + k] <= floor {
            cov[k * d + k] = floor;
        }
    }
    let mut ridge = 0.0;
    loop {
        let mut a = cov.clone();
        for k in 0..d {
            a[k * d + k] += ridge * cov[k * d + k];
        }
        if let Some(l) = abc::cholesky(&a, d) {
            return l;
        }
        ridge = if ridge == 0.0 { 1e-9 } else { ridge * 10.0 };
    }
}

/// One candidate of a block: its index in the generation, its stream design point and its
/// point on the working scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Its index `j` in the generation.
    pub j: usize,
    /// Its stream design point ([`Calibration::stream_point`]).
    pub point: u64,
    /// The proposed point, working scale.
    pub working: Vec<f64>,
}

/// What simulating one candidate gave: its estimates per target, or why its point is not a
/// valid model.
pub type Outcome = Result<Vec<Estimate>>;

/// Simulates blocks of candidates: in this process ([`Local`]), over MPI ranks or over shard
/// processes. Every implementation gives each candidate exactly [`simulate`]'s estimates, so
/// the posterior does not depend on which one runs.
pub trait Evaluate {
    /// Simulate block `b` of generation `g` (candidates in index order) and hand each outcome,
    /// in that order, to `take`, which returns `false` once it needs no more (the sampler has
    /// its particles): an evaluator may stop simulating there, or have simulated the whole
    /// block. An `Err` from `take` or from the evaluation itself ends the calibration.
    fn block(
        &mut self,
        g: usize,
        b: usize,
        block: &[Candidate],
        take: &mut dyn FnMut(Outcome) -> Result<bool>,
    ) -> Result<()>;
}

/// Simulates candidates one after another in this process, each over the pool's threads, and
/// stops as soon as the sampler has its particles (no candidate is simulated in vain).
pub struct Local<'a> {
    cal: &'a Calibration,
    pool: rayon::ThreadPool,
}

impl<'a> Local<'a> {
    /// An evaluator on `cal.threads()` threads.
    pub fn new(cal: &'a Calibration) -> Result<Local<'a>> {
        Ok(Local {
            cal,
            pool: runner::pool(cal.threads())?,
        })
    }
}

impl Evaluate for Local<'_> {
    fn block(
        &mut self,
        _g: usize,
        _b: usize,
        block: &[Candidate],
        take: &mut dyn FnMut(Outcome) -> Result<bool>,
    ) -> Result<()> {
        for c in block {
            if !take(simulate(self.cal, &c.working, c.point, &self.pool))? {
                break;
            }
        }
        Ok(())
    }
}

/// The fewest candidates in a block after the prior sample (some work for every rank or shard
/// at the end of a generation).
pub const MIN_BLOCK: usize = 8;
/// The most candidates in a block.
pub const MAX_BLOCK: usize = 1024;

/// The size of the next block: the candidates expected to give the `needed` particles still
/// missing, at the acceptance seen so far in this generation (`accepted` of `tried`), or at the
/// previous generation's (`prev` = (particles, candidates)) before any; at least [`MIN_BLOCK`]
/// after the prior sample, at most [`MAX_BLOCK`] and the `budget` left. It depends only on the
/// sampler's state, never on threads, ranks or shards: the blocks (and the shard files named by
/// them) are the same whatever runs the calibration.
pub fn block_size(
    needed: usize,
    accepted: usize,
    tried: usize,
    prev: Option<(usize, usize)>,
    budget: usize,
) -> usize {
    let (acc, of) = match (accepted, prev) {
        (0, None) => (1, 1),
        (0, Some((p, s))) if tried == 0 => (p.max(1), s.max(1)),
        _ => (accepted.max(1), tried.max(1)),
    };
    let expected = (needed * of).div_ceil(acc);
    let floor = if prev.is_some() { MIN_BLOCK } else { 1 };
    expected.clamp(floor, MAX_BLOCK).min(budget)
}

/// Propose candidate `j` of generation `g`: from the prior (generation 0) or by moving a
/// parent of `prev` drawn by weight with the kernel `l`; `None` when 1000 moves all left the
/// prior's support (the candidate counts as simulated and is not).
fn propose(cal: &Calibration, g: usize, j: usize, prev: Option<(&Generation, &[f64])>) -> Option<Vec<f64>> {
    let mut dr = proposal_stream(cal, g, j);
    match prev {
        Some((p, l)) => {
            let parent = abc::pick(&p.weights, dr.uniform());
            for _ in 0..1000 {
                let c = abc::mvn_sample(&p.particles[parent], l, &mut dr);
                if prior_density(cal, &c) > 0.0 {
                    return Some(c);
                }
            }
            None
        }
        None => Some(
            cal.parameters()
                .iter()
                .map(|p| p.prior().sample(&mut dr))
                .collect::<Vec<f64>>(),
        ),
    }
}

/// Run one generation after `prev` (or the prior sample when `prev` is `None`): propose a
/// block of candidates, have `eval` simulate it, accept in index order until `particles` are
/// accepted (later candidates of the last block are discarded). Returns `None` when the
/// candidate budget ran out before enough particles were accepted.
fn generation(
    cal: &Calibration,
    index: usize,
    prev: Option<&Generation>,
    eval: &mut dyn Evaluate,
    progress: &dyn CalibrationProgress,
) -> Result<Option<Generation>> {
    let m = cal.method();
    let n = m.particles;
    let d = cal.parameters().len();
    let tolerance = prev.map(|p| {
        let dist: Vec<f64> = p.distances.iter().map(|x| x.unwrap_or(f64::INFINITY)).collect();
        abc::weighted_quantile(&dist, &p.weights, m.quantile)
    });
    let l = prev.map(|p| kernel(cal, p));
    let parent = prev.zip(l.as_deref());
    let mut particles = Vec::with_capacity(n);
    let mut distances = Vec::with_capacity(n);
    let mut statistics = Vec::with_capacity(n);
    let mut next = 0; // the next candidate to propose
    let mut used = 0; // candidates looked at: the last one taken + 1
    let mut b = 0;
    while particles.len() < n {
        if next >= m.max_simulations {
            return Ok(None);
        }
        let size = block_size(
            n - particles.len(),
            particles.len(),
            next,
            prev.map(|p| (p.particles.len(), p.simulations)),
            m.max_simulations - next,
        );
        let block: Vec<Candidate> = (next..next + size)
            .filter_map(|j| {
                propose(cal, index, j, parent).map(|z| Candidate {
                    j,
                    point: Calibration::stream_point(index, j),
                    working: z,
                })
            })
            .collect();
        next += size;
        let mut k = 0;
        eval.block(index, b, &block, &mut |outcome| {
            let c = &block[k];
            k += 1;
            let est = outcome?;
            debug_assert_eq!(c.working.len(), d);
            progress.simulated();
            used = c.j + 1;
            let dist = distance(cal.targets(), &est);
            if tolerance.is_none_or(|e| dist <= e) {
                particles.push(c.working.clone());
                distances.push(opt(dist));
                statistics.push(est.iter().map(|e| opt(e.value)).collect());
            }
            Ok(particles.len() < n)
        })?;
        b += 1;
    }
    let weights = match (prev, &l) {
        (Some(p), Some(l)) => {
            let prior: Vec<f64> = particles.iter().map(|z| prior_density(cal, z)).collect();
            abc::beaumont_weights(&particles, &prior, &p.particles, &p.weights, l)
        }
        _ => vec![1.0 / n as f64; n],
    };
    let ess = abc::ess(&weights);
    Ok(Some(Generation {
        index,
        tolerance: tolerance.and_then(opt),
        particles,
        weights,
        distances,
        statistics,
        simulations: used,
        ess,
    }))
}

/// What a calibration produced.
#[derive(Debug, Clone)]
pub struct CalibrationReport {
    /// The results directory.
    pub dir: PathBuf,
    /// The final state.
    pub state: State,
    /// Generations run by this process.
    pub generations_run: usize,
    /// Candidates simulated by this process.
    pub simulations: usize,
    /// Wall time, seconds.
    pub wall_seconds: f64,
}

/// Read a calibration directory's state, checked.
pub fn read_state(dir: &Path) -> Result<State> {
    let p = dir.join(STATE);
    let t = crate::input::read_text(&p, crate::input::TABLE_LIMIT, "calibration state file")?;
    let s: State = serde_json::from_str(&t).map_err(|e| Error::Results {
        path: p.clone(),
        message: format!("not a calibration state file: {e}"),
    })?;
    let bad = |m: String| Error::Results {
        path: p.clone(),
        message: format!("{m}; the file is damaged (start over with --force)"),
    };
    if s.identity != s.calibration.identity() {
        return Err(bad("its identity does not match the calibration it holds".into()));
    }
    let (n, d, k) = (
        s.calibration.method().particles,
        s.calibration.parameters().len(),
        s.calibration.targets().len(),
    );
    for (i, g) in s.generations.iter().enumerate() {
        let ok = g.index == i
            && g.particles.len() == n
            && g.weights.len() == n
            && g.distances.len() == n
            && g.statistics.len() == n
            && g.particles
                .iter()
                .all(|x| x.len() == d && x.iter().all(|v| v.is_finite()))
            && g.statistics.iter().all(|x| x.len() == k)
            && g.weights.iter().all(|w| w.is_finite() && *w >= 0.0)
            && g.weights.iter().sum::<f64>() > 0.0;
        if !ok {
            return Err(bad(format!(
                "generation {i} is not a population of {n} particles of {d} parameters"
            )));
        }
    }
    Ok(s)
}

fn write_state(dir: &Path, s: &State) -> Result<()> {
    let text =
        serde_json::to_string_pretty(s).map_err(|e| Error::io(dir.join(STATE), std::io::Error::other(e)))?;
    files::write_atomic(&dir.join(STATE), text.as_bytes())
}

/// Run (or resume) a calibration: generations until a stopping rule, then the output files.
/// In this process: `o.shard` is refused (a shard runs through
/// `study::calibrate::shard::run`).
pub fn calibrate(
    cal: Calibration,
    o: &CalibrateOptions,
    progress: &dyn CalibrationProgress,
) -> Result<CalibrationReport> {
    if o.shard.is_some() {
        return Err(Error::Usage {
            option: "--shard".into(),
            message: "a shard runs through study::calibrate::shard::run".into(),
        });
    }
    let mut eval = Local::new(&cal)?;
    calibrate_with(&cal, o, &mut eval, progress, &|_| Ok(()))
}

/// Run (or resume) a calibration whose candidates `eval` simulates, owning its directory:
/// `after_open` is called with the directory once it is locked and holds the state, before the
/// first generation.
pub fn calibrate_with(
    cal: &Calibration,
    o: &CalibrateOptions,
    eval: &mut dyn Evaluate,
    progress: &dyn CalibrationProgress,
    after_open: &dyn Fn(&Path) -> Result<()>,
) -> Result<CalibrationReport> {
    let dir = o
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(cal.name()));
    let (work, mut state) = if o.resume {
        if !dir.join(STATE).exists() {
            return Err(Error::Results {
                path: dir.clone(),
                message: "nothing to resume here (no calibration-state.json); run without --resume".into(),
            });
        }
        files::lock_dir(&dir)?;
        let old = read_state(&dir)?;
        if old.identity != cal.identity() {
            return Err(Error::Results {
                path: dir.clone(),
                message: "was made by a different calibration (file, base config, seed or settings differ); refusing to resume. Use another --out, or --force without --resume to start over".into(),
            });
        }
        (dir.clone(), old)
    } else {
        let work = files::begin(&dir, o.force, &KNOWN)?;
        let identity = cal.identity();
        let s = State {
            calibration: cal.clone(),
            identity,
            generations: Vec::new(),
            stopped: None,
        };
        write_state(&work, &s)?;
        (work, s)
    };
    let result = after_open(&work).and_then(|()| run_generations(Some(&work), &mut state, o, eval, progress));
    let (ran, sims, wall) = match result {
        Ok(r) => r,
        Err(e) => {
            if !o.resume {
                files::abandon(&work);
            }
            return Err(e);
        }
    };
    if state.stopped.is_some() {
        crate::study::calibrate::output::write(&work, &state, wall)?;
    }
    let dir = files::commit(&work)?;
    Ok(CalibrationReport {
        dir,
        state,
        generations_run: ran,
        simulations: sims,
        wall_seconds: wall,
    })
}

/// Run a calibration in memory (no directory): the synthetic coverage study's problems.
pub fn calibrate_in_memory(cal: &Calibration, progress: &dyn CalibrationProgress) -> Result<State> {
    let mut state = State {
        calibration: cal.clone(),
        identity: cal.identity(),
        generations: Vec::new(),
        stopped: None,
    };
    let mut eval = Local::new(cal)?;
    run_generations(
        None,
        &mut state,
        &CalibrateOptions::default(),
        &mut eval,
        progress,
    )?;
    Ok(state)
}

/// Run generations from `state` until a stopping rule (or `o.stop_after`), writing the state
/// into `work` after each when given. Returns (generations run, candidates simulated, seconds).
pub fn run_generations(
    work: Option<&Path>,
    state: &mut State,
    o: &CalibrateOptions,
    eval: &mut dyn Evaluate,
    progress: &dyn CalibrationProgress,
) -> Result<(usize, usize, f64)> {
    let start = std::time::Instant::now();
    let m = *state.calibration.method();
    let mut ran = 0;
    let mut sims = 0;
    for g in &state.generations {
        progress.generation(
            g.index,
            m.generations,
            g.tolerance,
            m.particles as f64 / g.simulations as f64,
            g.ess,
        );
    }
    while state.stopped.is_none() {
        if o.stop_after.is_some_and(|k| state.generations.len() >= k) {
            break;
        }
        let index = state.generations.len();
        let next = generation(
            &state.calibration,
            index,
            state.generations.last(),
            eval,
            progress,
        )?;
        ran += 1;
        let Some(g) = next else {
            sims += m.max_simulations;
            state.stopped = Some(format!(
                "generation {index} reached method.max_simulations = {} before accepting {} particles; generation {} is the posterior",
                m.max_simulations,
                m.particles,
                index - 1
            ));
            if let Some(w) = work {
                write_state(w, state)?;
            }
            break;
        };
        sims += g.simulations;
        let acceptance = m.particles as f64 / g.simulations as f64;
        progress.generation(index, m.generations, g.tolerance, acceptance, g.ess);
        let tol = g.tolerance;
        state.generations.push(g);
        if index >= m.generations {
            state.stopped = Some(format!("reached method.generations = {}", m.generations));
        } else if index > 0 && acceptance < m.min_acceptance {
            state.stopped = Some(format!(
                "generation {index} accepted {:.4} of its candidates, below method.min_acceptance = {}",
                acceptance, m.min_acceptance
            ));
        } else if tol.is_some_and(|t| t <= m.final_tolerance) {
            state.stopped = Some(format!(
                "tolerance {} reached method.final_tolerance = {}",
                tol.unwrap_or(0.0),
                m.final_tolerance
            ));
        }
        if let Some(w) = work {
            write_state(w, state)?;
        }
    }
    Ok((ran, sims, start.elapsed().as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prior sample is one block of exactly the particles needed; later blocks aim at the
    /// particles still missing at the acceptance seen so far (the previous generation's before
    /// any), never fewer than MIN_BLOCK, never more than MAX_BLOCK or the budget left.
    #[test]
    fn blocks_aim_at_the_particles_missing() {
        assert_eq!(block_size(40, 0, 0, None, 1000), 40);
        assert_eq!(block_size(2, 0, 0, None, 1000), 2);
        // Previous generation: 40 particles from 100 candidates; 40 missing -> 100.
        assert_eq!(block_size(40, 0, 0, Some((40, 100)), 1000), 100);
        // 30 of 60 accepted so far: 10 missing -> 20.
        assert_eq!(block_size(10, 30, 60, Some((40, 100)), 1000), 20);
        // One missing at acceptance 1/2: still MIN_BLOCK.
        assert_eq!(block_size(1, 39, 78, Some((40, 100)), 1000), MIN_BLOCK);
        // None accepted of 50 tried: as if 1 of 50.
        assert_eq!(block_size(40, 0, 50, Some((40, 100)), 5000), 2000.min(MAX_BLOCK));
        // The budget caps every block.
        assert_eq!(block_size(40, 0, 0, Some((40, 100)), 7), 7);
    }
}
