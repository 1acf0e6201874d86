//! The monthly loop allocates nothing on the heap (a counting allocator watches it).

use deterrence_sim::model::config::RawConfig;
use deterrence_sim::model::validate::Model;
use deterrence_sim::sim::engine::run_with;
use deterrence_sim::sim::prepared::Prepared;
use deterrence_sim::sim::state::RunState;
use deterrence_sim::sim::trace::NoTrace;
use deterrence_sim::stats::rng::Draws;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
thread_local! {
    static WATCH: Cell<bool> = const { Cell::new(false) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if WATCH.with(Cell::get) {
            ALLOCS.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        if WATCH.with(Cell::get) {
            ALLOCS.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static A: Counting = Counting;

#[test]
fn whole_runs_allocate_nothing_after_warm_up() {
    let m = Model::from_raw(&RawConfig::builtin(), "default").unwrap();
    let mut crises = 0;
    // Every arm (each regime with and without the force), and the whole run: opening its
    // stream, resetting the reused state, every month and crisis.
    for r in 0..m.regimes().len() {
        for force in [false, true] {
            let p = Prepared::new(&m, r, force);
            let mut st = RunState::new(&p);
            for run in 0..50 {
                WATCH.with(|w| w.set(true));
                let mut d = Draws::new(9, 0, run);
                st.reset(&p);
                run_with(&p, &mut st, &mut d, &mut NoTrace);
                WATCH.with(|w| w.set(false));
                crises += st.record.crises;
            }
        }
    }
    assert!(crises > 100, "the watched runs must include crises ({crises})");
    assert_eq!(
        ALLOCS.load(Ordering::SeqCst),
        0,
        "heap allocations in a whole run"
    );
}
