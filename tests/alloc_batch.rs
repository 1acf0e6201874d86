//! The batch runner allocates nothing per run once warm: its chunks' records are recycled
//! (`RunRecord::clone_from` into the vectors of a chunk two back), so allocations grow with the
//! number of chunks (a thread and a pool call each), not with the number of runs.

use deterrence_sim::model::config::RawConfig;
use deterrence_sim::model::validate::Model;
use deterrence_sim::sim::batch::{self as runner, Silent};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static WATCH: AtomicBool = AtomicBool::new(false);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if WATCH.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        if WATCH.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static A: Counting = Counting;

/// Allocations of a batch of `runs` runs on 1 thread (preparing the arms included, the same for
/// every size).
fn allocations(runs: u64) -> usize {
    let mut raw = RawConfig::builtin();
    raw.run.runs = runs;
    let m = Model::from_raw(&raw, "default").unwrap();
    let pool = runner::pool(1).unwrap();
    ALLOCS.store(0, Ordering::SeqCst);
    WATCH.store(true, Ordering::SeqCst);
    let b = runner::run_batch(&m, 0, &pool, &Silent);
    WATCH.store(false, Ordering::SeqCst);
    assert_eq!(b.accumulators[0].runs, runs);
    ALLOCS.load(Ordering::SeqCst)
}

/// Two batches with the same number of chunks (four), one whose last chunk is half full and one
/// whose last chunk is full: 256 more runs, and no more allocations. A per-run copy of the
/// records would add 8 arms x 8 vectors = 64 allocations a run (16,384 here). What remains is per
/// chunk and per piece the pool splits a chunk into (each piece builds its run states: a last
/// chunk of one run, not split, allocates about 200 fewer), so both last chunks are split alike.
#[test]
fn batch_allocations_do_not_grow_with_runs() {
    let chunk = runner::CHUNK;
    let (small, large) = (3 * chunk + chunk / 2, 4 * chunk);
    let a = allocations(small);
    let b = allocations(large);
    let extra_runs = (large - small) as usize;
    assert!(
        b.saturating_sub(a) < extra_runs / 4,
        "{a} allocations at {small} runs, {b} at {large} (the same 4 chunks): they grow with runs"
    );
}
