//! The parallel Monte Carlo runner.
//!
//! Runs are computed in parallel in chunks (every arm of run i, that is every regime with and
//! without the reassurance force, on the same task, with the same stream: common random
//! numbers) and folded into the [`BatchResult`] in run order on the
//! calling thread while the pool computes the next chunk (so a slow sink, such as the writer of
//! `runs.csv`, stalls the workers by at most one chunk). Memory is bounded by two chunks, not by
//! the number of runs, and the result is the same bit for bit on any number of threads. The
//! arms are prepared on the pool too ([`prepare_in`]), so no serial step but the fold remains.

use crate::model::validate::Model;
use crate::sim::aggregate::BatchResult;
use crate::sim::engine::run_into;
use crate::sim::prepared::Prepared;
use crate::sim::state::{RunRecord, RunState};
use crate::{Error, Result};
use rayon::prelude::*;

/// Runs computed per chunk before they are folded.
pub const CHUNK: u64 = 512;

/// Runs per chunk: [`CHUNK`], fewer when long horizons or many guarantors make each run's
/// record large, so that a chunk's records stay under about 64 MiB.
pub fn chunk_size(model: &Model) -> u64 {
    ((64usize << 20) / record_bytes(model).max(1)).clamp(16, CHUNK as usize) as u64
}

/// About how many bytes the records of one run (every arm) of `model` take.
pub fn record_bytes(model: &Model) -> usize {
    let g = model.guarantors().len();
    let t = model.run().periods as usize;
    model.arms().len() * (t * (g * 4 + 1) + g * (model.responses().len() + 1) * 4 + g * 16 + 256)
}

/// Receives progress reports from the runner (a progress bar, a log, or nothing).
pub trait Progress: Sync {
    /// `runs` more runs (of all arms) are done.
    fn advance(&self, _runs: u64) {}
}

/// Reports nothing.
pub struct Silent;
impl Progress for Silent {}

/// The number of threads a pool of `requested` (0 = all cores) will have.
pub fn thread_count(requested: usize) -> usize {
    if requested == 0 {
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    } else {
        requested
    }
}

/// Build a rayon pool with `threads` threads (0 = one per core).
pub fn pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Usage {
            option: "--threads".into(),
            message: format!("cannot start {threads} threads: {e}"),
        })
}

/// Prepare every arm of `model` ([`Model::arms`]: regime-major, without the force before with).
pub fn prepare(model: &Model) -> Vec<Prepared<'_>> {
    model
        .arms()
        .into_iter()
        .map(|a| Prepared::new(model, a.regime, a.force))
        .collect()
}

/// As [`prepare`], the arms prepared in parallel on `pool` (each arm's reference equilibria and
/// meeting tables are independent of the others', so the result is the same): preparing is
/// the serial part of a batch otherwise, about 80 ms for the 8 arms of the default config,
/// which every point of a sweep repeats.
pub fn prepare_in<'m>(model: &'m Model, pool: &rayon::ThreadPool) -> Vec<Prepared<'m>> {
    let arms = model.arms();
    pool.install(|| {
        arms.par_iter()
            .map(|a| Prepared::new(model, a.regime, a.force))
            .collect()
    })
}

/// Run replicates `0..model.run.runs` of design point `point` for every arm.
pub fn run_batch(
    model: &Model,
    point: u64,
    pool: &rayon::ThreadPool,
    progress: &dyn Progress,
) -> BatchResult {
    run_batch_with(model, point, pool, progress, &mut |_, _| {})
}

/// As [`run_batch`], also reporting every run's records (one per arm, in [`Model::arms`] order) to
/// `sink`, in run order, on the calling thread.
pub fn run_batch_with(
    model: &Model,
    point: u64,
    pool: &rayon::ThreadPool,
    progress: &dyn Progress,
    sink: &mut dyn FnMut(u64, &[RunRecord]),
) -> BatchResult {
    batch_until(model, point, pool, progress, sink, &|| false).0
}

/// As [`run_batch`], stopping early once `cancel()` returns true (it is asked before each chunk
/// of [`chunk_size`] runs is started): `None` then, the batch otherwise (the same as
/// [`run_batch`]'s). Lets an interactive caller drop a batch a newer request has replaced.
pub fn run_batch_cancellable(
    model: &Model,
    point: u64,
    pool: &rayon::ThreadPool,
    progress: &dyn Progress,
    cancel: &(dyn Fn() -> bool + Sync),
) -> Option<BatchResult> {
    match batch_until(model, point, pool, progress, &mut |_, _| {}, cancel) {
        (result, false) => Some(result),
        (_, true) => None,
    }
}

/// The batch and whether it was cancelled before its last run.
fn batch_until(
    model: &Model,
    point: u64,
    pool: &rayon::ThreadPool,
    progress: &dyn Progress,
    sink: &mut dyn FnMut(u64, &[RunRecord]),
    cancel: &(dyn Fn() -> bool + Sync),
) -> (BatchResult, bool) {
    let prepared = prepare_in(model, pool);
    let mut result = BatchResult::new(model);
    let chunk_runs = chunk_size(model);
    let seed = model.run().seed;
    let runs = model.run().runs;
    // A chunk's records go into a buffer that is recycled two chunks later (clone_from into its
    // vectors), so after the first two chunks the runner allocates nothing per run.
    let compute = |start: u64, end: u64, mut buf: Vec<Vec<RunRecord>>| -> Vec<Vec<RunRecord>> {
        let n = (end - start) as usize;
        buf.truncate(n);
        buf.resize_with(n, Vec::new);
        pool.install(|| {
            buf.par_iter_mut().enumerate().for_each_init(
                || prepared.iter().map(RunState::new).collect::<Vec<_>>(),
                |states, (k, slot)| {
                    let rep = start + k as u64;
                    if slot.len() != prepared.len() {
                        slot.clear();
                        slot.extend(states.iter().map(|st| st.record.clone()));
                    }
                    for ((p, st), out) in prepared.iter().zip(states.iter_mut()).zip(slot.iter_mut()) {
                        run_into(p, st, seed, point, rep, out);
                    }
                },
            )
        });
        buf
    };
    let compute = &compute;
    let mut cancelled = false;
    // One chunk ahead: the pool computes chunk k+1 while this thread folds chunk k and hands its
    // runs to `sink` (the only reorder buffer; memory stays at two chunks).
    std::thread::scope(|s| {
        let ahead = |start: u64, buf: Vec<Vec<RunRecord>>| {
            let end = (start + chunk_runs).min(runs);
            (start, end, s.spawn(move || compute(start, end, buf)))
        };
        cancelled = runs > 0 && cancel();
        let mut spare: Vec<Vec<RunRecord>> = Vec::new();
        let mut next = (runs > 0 && !cancelled).then(|| ahead(0, Vec::new()));
        while let Some((start, end, job)) = next.take() {
            let chunk = job.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            if end < runs {
                if cancel() {
                    cancelled = true;
                } else {
                    next = Some(ahead(end, std::mem::take(&mut spare)));
                }
            }
            for (k, records) in chunk.iter().enumerate() {
                result.add_run(records);
                sink(start + k as u64, records);
            }
            progress.advance(end - start);
            spare = chunk;
        }
    });
    (result, cancelled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::RawConfig;

    /// Preparing the arms on a pool gives the same arms, in the same order, as preparing them
    /// one after the other.
    #[test]
    fn arms_prepared_in_parallel_are_the_same() {
        let model = Model::from_raw(&RawConfig::builtin(), "default").unwrap();
        let serial = format!("{:?}", prepare(&model));
        let parallel = format!("{:?}", prepare_in(&model, &pool(2).unwrap()));
        assert_eq!(serial, parallel);
    }

    /// A batch nobody cancels is the plain batch; one cancelled after its first chunk (or
    /// before it starts) is dropped.
    #[test]
    fn cancelled_batch_is_dropped_and_uncancelled_is_the_batch() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let mut raw = RawConfig::builtin();
        raw.run.runs = 2 * CHUNK + 3;
        raw.run.periods = 4;
        let model = Model::from_raw(&raw, "default").unwrap();
        let pool = pool(2).unwrap();
        let plain = run_batch(&model, 0, &pool, &Silent);
        let kept = run_batch_cancellable(&model, 0, &pool, &Silent, &|| false).unwrap();
        assert_eq!(plain, kept);
        let asked = AtomicUsize::new(0);
        let after_first = || asked.fetch_add(1, Ordering::SeqCst) >= 1;
        assert!(run_batch_cancellable(&model, 0, &pool, &Silent, &after_first).is_none());
        assert_eq!(
            asked.load(Ordering::SeqCst),
            2,
            "asked before chunk 0 and before chunk 1"
        );
        assert!(run_batch_cancellable(&model, 0, &pool, &Silent, &|| true).is_none());
    }
}
