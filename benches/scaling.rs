//! The scaling benchmark (issue 10, goal 4): runs per second of the parallel runner at 1, 2, 4,
//! ... threads up to the machine's cores, with the parallel efficiency (rate at t threads /
//! (t × rate at 1 thread)), for one batch of the default config and for a sweep.
//!
//! - batch: `sim::batch::run_batch` on the built-in default config at `SCALING_REPLICATES`
//!   replicates (default 5,000; every replicate runs all 8 arms: 4 regimes × with and without
//!   the reassurance force, so 40,000 runs), the path `deterrence-sim run` takes without its
//!   file writes;
//! - sweep: the 7 points of `configs/sweep_deadline.toml` through `study::execute::compute_point`
//!   (the per-point path of `deterrence-sim sweep`, without the file writes) at
//!   `SCALING_SWEEP_REPLICATES` replicates a point (default 700: 7 × 700 × 8 = 39,200 runs).
//!
//! Each (job, threads) is timed `SCALING_REPEATS` times (default 5), thread counts alternating,
//! and the median wall time is reported: on a shared machine the figures are noisy.
//! Also printed: what preparing the arms costs (reference equilibria, meeting tables: once a
//! batch, and again at every point of a sweep), serially and on the pool as the runner does it.
//!
//! Run with `cargo bench --bench scaling` (a plain program, not criterion: it prints a table).

use deterrence_sim::model::config::RawConfig;
use deterrence_sim::model::validate::Model;
use deterrence_sim::sim::batch as runner;
use deterrence_sim::study::execute::compute_point;
use deterrence_sim::study::spec::{Sweep, SweepOverrides};
use std::hint::black_box;
use std::time::Instant;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// 1, 2, 4, ... up to `cores`, and `cores` itself.
fn thread_counts(cores: usize) -> Vec<usize> {
    let mut t = vec![];
    let mut k = 1;
    while k < cores {
        t.push(k);
        k *= 2;
    }
    t.push(cores);
    t
}

/// Median seconds of `job` at each thread count, timed `repeats` times with the counts
/// alternating. Each timing gets a pool of its own, built before the clock starts and dropped
/// after: a second pool left alive, even idle, measurably slowed the one being timed.
fn time_all(threads: &[usize], repeats: u64, mut job: impl FnMut(&rayon::ThreadPool)) -> Vec<f64> {
    job(&runner::pool(threads[0]).unwrap()); // warm-up
    let mut times = vec![Vec::new(); threads.len()];
    for _ in 0..repeats {
        for (k, &t) in threads.iter().enumerate() {
            let pool = runner::pool(t).unwrap();
            let s = Instant::now();
            job(&pool);
            times[k].push(s.elapsed().as_secs_f64());
        }
    }
    times.into_iter().map(median).collect()
}

fn table(title: &str, runs: u64, threads: &[usize], secs: &[f64]) {
    println!("\n{title}: {runs} runs");
    println!(
        "{:>8} {:>10} {:>12} {:>11}",
        "threads", "seconds", "runs/s", "efficiency"
    );
    let base = runs as f64 / secs[0];
    for (&t, &s) in threads.iter().zip(secs) {
        let rate = runs as f64 / s;
        println!(
            "{t:>8} {s:>10.3} {rate:>12.0} {:>10.1}%",
            100.0 * rate / (base * t as f64)
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read from the arguments.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = thread_counts(cores);
    let repeats = env("SCALING_REPEATS", 5);
    println!("scaling: {cores} cores; medians of {repeats} alternating timings (shared machine: noisy)");

    let mut raw = RawConfig::builtin();
    raw.run.runs = env("SCALING_REPLICATES", 5000);
    let model = Model::from_raw(&raw, "default").unwrap();
    let arms = model.arms().len() as u64;
    let prep = median(
        (0..5)
            .map(|_| {
                let s = Instant::now();
                black_box(runner::prepare(&model));
                s.elapsed().as_secs_f64()
            })
            .collect(),
    );
    let prep_in = {
        let pool = runner::pool(cores).unwrap();
        median(
            (0..5)
                .map(|_| {
                    let s = Instant::now();
                    black_box(runner::prepare_in(&model, &pool));
                    s.elapsed().as_secs_f64()
                })
                .collect(),
        )
    };
    println!(
        "preparing the {arms} arms of the default config, once a batch: {:.1} ms serially, {:.1} ms on {cores} threads",
        prep * 1e3,
        prep_in * 1e3
    );
    let secs = time_all(&threads, repeats, |pool| {
        black_box(runner::run_batch(&model, 0, pool, &runner::Silent));
    });
    table(
        &format!(
            "batch (default config, {} replicates x {arms} arms)",
            model.run().runs
        ),
        model.run().runs * arms,
        &threads,
        &secs,
    );

    let reps = env("SCALING_SWEEP_REPLICATES", 700);
    let o = SweepOverrides {
        replicates: Some(reps),
        ..Default::default()
    };
    let sweep = Sweep::load(std::path::Path::new("configs/sweep_deadline.toml"), &o).unwrap();
    let points = sweep.points.len() as u64;
    let (_, m0) = sweep.point_model(0).unwrap();
    let sweep_arms = m0.arms().len() as u64;
    let secs = time_all(&threads, repeats, |pool| {
        for p in 0..sweep.points.len() {
            black_box(compute_point(&sweep, p, pool, &runner::Silent).unwrap());
        }
    });
    table(
        &format!(
            "sweep (configs/sweep_deadline.toml, {points} points x {reps} replicates x {sweep_arms} arms)"
        ),
        points * reps * sweep_arms,
        &threads,
        &secs,
    );
}
