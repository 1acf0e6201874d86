//! Benchmarks of the hot simulation loop: one month of one run, one whole run, and 1,000 runs
//! through the parallel runner, reported in runs per second and agent-decisions per second.
//!
//! Run with `cargo bench --bench engine`. Figures for this machine are in the README.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use deterrence_sim::model::config::RawConfig;
use deterrence_sim::model::validate::Model;
use deterrence_sim::sim::batch as runner;
use deterrence_sim::sim::engine::{run_one, run_with, step_month};
use deterrence_sim::sim::prepared::Prepared;
use deterrence_sim::sim::state::RunState;
use deterrence_sim::sim::trace::NoTrace;
use deterrence_sim::stats::rng::Draws;
use std::hint::black_box;

fn model(runs: u64) -> Model {
    let mut raw = RawConfig::builtin();
    raw.run.runs = runs;
    Model::from_raw(&raw, "default").unwrap()
}

/// Decisions taken by runs 0..n of every regime (deterministic, so a fixed throughput).
fn decisions(m: &Model, regimes: &[usize], n: u64) -> u64 {
    let mut total = 0;
    for &r in regimes {
        let p = Prepared::new(m, r, true);
        for i in 0..n {
            total += u64::from(run_one(&p, m.run().seed, 0, i).decisions);
        }
    }
    total
}

fn month(c: &mut Criterion) {
    let m = model(1);
    let r = m.regime_index("nato_light").unwrap();
    let p = Prepared::new(&m, r, true);
    let mut g = c.benchmark_group("month");
    g.throughput(Throughput::Elements(1));
    g.bench_function("nato_light/one_month", |b| {
        let mut st = RunState::new(&p);
        let mut d = Draws::new(1, 0, 0);
        b.iter_batched_ref(
            || {
                st.reset(&p);
                st.clone()
            },
            |s| {
                step_month(&p, s, &mut d, &mut NoTrace);
                black_box(s.capability)
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn whole_run(c: &mut Criterion) {
    let m = model(1);
    let mut g = c.benchmark_group("run");
    for name in ["article5", "nato_light", "bilateral", "none"] {
        let r = m.regime_index(name).unwrap();
        let p = Prepared::new(&m, r, true);
        let per_run = decisions(&m, &[r], 256) / 256;
        g.throughput(Throughput::Elements(per_run.max(1)));
        let mut st = RunState::new(&p);
        let mut i = 0u64;
        g.bench_function(format!("{name}/one_run (elements = mean decisions)"), |b| {
            b.iter(|| {
                i = (i + 1) % 4096;
                st.reset(&p);
                let mut d = Draws::new(m.run().seed, 0, i);
                run_with(&p, &mut st, &mut d, &mut NoTrace);
                black_box(st.record.offensive_month)
            })
        });
    }
    g.finish();
}

fn batch(c: &mut Criterion) {
    let m = model(1000);
    let all: Vec<usize> = (0..m.regimes().len()).collect();
    let pool = runner::pool(0).unwrap();
    let mut g = c.benchmark_group("batch_1000_runs_x4_regimes");
    g.sample_size(20);
    g.throughput(Throughput::Elements(1000 * m.regimes().len() as u64));
    g.bench_function("runs", |b| {
        b.iter(|| black_box(runner::run_batch(&m, 0, &pool, &runner::Silent)))
    });
    g.throughput(Throughput::Elements(decisions(&m, &all, 1000)));
    g.bench_function("decisions", |b| {
        b.iter(|| black_box(runner::run_batch(&m, 0, &pool, &runner::Silent)))
    });
    g.finish();
}

/// Sweep throughput: the 7 points of configs/sweep_deadline.toml at 250 replicates (x 4 regimes),
/// through the same per-point path `sweep` uses (without the file writes).
fn sweep(c: &mut Criterion) {
    use deterrence_sim::study::execute::compute_point;
    use deterrence_sim::study::spec::{Sweep, SweepOverrides};
    let o = SweepOverrides {
        replicates: Some(250),
        ..Default::default()
    };
    let s = Sweep::load(std::path::Path::new("configs/sweep_deadline.toml"), &o).unwrap();
    let pool = runner::pool(0).unwrap();
    let points = s.points.len() as u64;
    let mut g = c.benchmark_group("sweep_deadline_7_points_x250");
    g.sample_size(10);
    g.throughput(Throughput::Elements(points));
    g.bench_function("points", |b| {
        b.iter(|| {
            for p in 0..s.points.len() {
                black_box(compute_point(&s, p, &pool, &runner::Silent).unwrap());
            }
        })
    });
    g.throughput(Throughput::Elements(points * 250 * 4));
    g.bench_function("runs", |b| {
        b.iter(|| {
            for p in 0..s.points.len() {
                black_box(compute_point(&s, p, &pool, &runner::Silent).unwrap());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, month, whole_run, batch, sweep);
criterion_main!(benches);
