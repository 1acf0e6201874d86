//! The floor benchmark (issue 10, goal 3): what one run's random draws and elementary functions
//! cost alone, beside what the engine spends on the whole run.
//!
//! For each arm of the default config it first counts, over the first `COUNTED` runs, the
//! streams opened, month seeks, uniforms, normals and calls of `exp`, `ln`, `cos` and `pow` per
//! run (the per-thread counters of `stats::maths`, feature `count-maths`; a normal is two
//! uniforms, one `ln`, one `cos` and a square root, already in those counts). The floor of a run
//! is then those operations alone: the same number of streams, seeks, uniforms (`Draws`) and
//! calls (`stats::maths`, on arguments in the ranges the engine uses), nothing else. The engine
//! is `run_with` on a reset `RunState`, as in `benches/engine.rs`. Both are timed by criterion
//! (groups `floor/<arm>` and `engine/<arm>`), and before that by a quick alternating timing whose
//! medians give the printed ratio engine / floor.
//!
//! Run with `cargo bench --features count-maths --bench floor`. The counters stay compiled in
//! both loops (a thread-local add per counted call, on both sides of the ratio); the
//! uninstrumented engine is in `cargo bench --bench engine`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use deterrence_sim::model::config::RawConfig;
use deterrence_sim::model::validate::Model;
use deterrence_sim::sim::batch as runner;
use deterrence_sim::sim::engine::{run_one, run_with};
use deterrence_sim::sim::prepared::Prepared;
use deterrence_sim::sim::state::RunState;
use deterrence_sim::sim::trace::NoTrace;
use deterrence_sim::stats::maths::{self, count};
use deterrence_sim::stats::rng::Draws;
use std::hint::black_box;
use std::time::Instant;

/// Runs counted per arm.
const COUNTED: u64 = 2000;

fn model() -> Model {
    let raw = RawConfig::builtin();
    Model::from_raw(&raw, "default").unwrap()
}

/// The name of an arm (`regime` or `regime+force`).
fn arm_name(m: &Model, p: &Prepared) -> String {
    let name = m.regimes()[p.regime_index].name.clone();
    if p.force {
        format!("{name}+force")
    } else {
        name
    }
}

/// Mean operations per run of an arm, rounded to whole operations: [`count::NAMES`] order.
fn per_run(m: &Model, p: &Prepared) -> [u64; count::N] {
    count::take();
    for i in 0..COUNTED {
        black_box(run_one(p, m.run().seed, 0, i));
    }
    count::take().map(|c| (c + COUNTED / 2) / COUNTED)
}

/// Arguments in the ranges the engine uses: exp of logit utilities, ln of 1 − u, cos of 2πu,
/// pow of strength ratios.
struct Args {
    exp: Vec<f64>,
    ln: Vec<f64>,
    cos: Vec<f64>,
    pow: Vec<f64>,
}

const ARGS: usize = 4096;

fn args() -> Args {
    let mut d = Draws::auxiliary(1, 0);
    let mut u = || d.uniform();
    Args {
        exp: (0..ARGS).map(|_| -12.0 + 14.0 * u()).collect(),
        ln: (0..ARGS).map(|_| 1.0 - u()).collect(),
        cos: (0..ARGS).map(|_| std::f64::consts::TAU * u()).collect(),
        pow: (0..ARGS).map(|_| 0.2 + 3.0 * u()).collect(),
    }
}

/// The floor of one run with operation counts `c`: replicate `i`'s stream opened `c[STREAM]`
/// times, `c[SEEK]` seeks, `c[UNIFORM]` uniforms and the counted calls, summed so nothing is
/// optimised away.
#[inline(never)]
fn floor_run(c: &[u64; count::N], a: &Args, i: u64) -> f64 {
    let mut acc = 0.0;
    let mut d = Draws::new(7, 0, i);
    for _ in 1..c[count::STREAM] {
        d = Draws::new(7, 0, i);
    }
    let seeks = c[count::SEEK].max(1);
    let per_seek = c[count::UNIFORM] / seeks;
    let mut left = c[count::UNIFORM];
    for s in 0..seeks {
        d.seek_month(s as u32);
        let n = if s + 1 == seeks { left } else { per_seek };
        for _ in 0..n {
            acc += d.uniform();
        }
        left -= n;
    }
    let o = (i as usize * 61) % ARGS;
    let at = |k: u64| (o + k as usize) % ARGS;
    for k in 0..c[count::EXP] {
        acc += maths::exp(black_box(a.exp[at(k)]));
    }
    for k in 0..c[count::LN] {
        acc += maths::ln(black_box(a.ln[at(k)])).sqrt();
    }
    for k in 0..c[count::COS] {
        acc += maths::cos(black_box(a.cos[at(k)]));
    }
    for k in 0..c[count::POW] {
        acc += maths::pow(black_box(a.pow[at(k)]), 2.5);
    }
    acc
}

/// Seconds per run of `f` over `n` runs: the median of `reps` timings.
fn median_per_run(reps: usize, n: u64, mut f: impl FnMut(u64)) -> f64 {
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let s = Instant::now();
            for i in 0..n {
                f(i);
            }
            s.elapsed().as_secs_f64() / n as f64
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[reps / 2]
}

fn floor(c: &mut Criterion) {
    const { assert!(count::ENABLED, "run with --features count-maths") };
    let m = model();
    let prepared = runner::prepare(&m);
    let a = args();
    println!("\nOperations per run (means over {COUNTED} runs), default config:");
    println!(
        "{:<22} {}",
        "arm",
        count::NAMES.iter().map(|n| format!("{n:>8}")).collect::<String>()
    );
    let counts: Vec<[u64; count::N]> = prepared.iter().map(|p| per_run(&m, p)).collect();
    for (p, k) in prepared.iter().zip(&counts) {
        let cells: String = k.iter().map(|x| format!("{x:>8}")).collect();
        println!("{:<22} {cells}", arm_name(&m, p));
    }
    println!("\nEngine per run vs its floor (medians of 9 alternating timings of 2000 runs; a shared machine: noisy):");
    println!(
        "{:<22} {:>12} {:>12} {:>8}",
        "arm", "engine µs", "floor µs", "ratio"
    );
    let mut tot = (0.0, 0.0);
    for (p, k) in prepared.iter().zip(&counts) {
        let mut st = RunState::new(p);
        let (mut e, mut f) = (Vec::new(), Vec::new());
        for _ in 0..9 {
            e.push(median_per_run(1, 2000, |i| {
                st.reset(p);
                let mut d = Draws::new(m.run().seed, 0, i);
                run_with(p, &mut st, &mut d, &mut NoTrace);
                black_box(st.record.offensive_month);
            }));
            f.push(median_per_run(1, 2000, |i| {
                black_box(floor_run(k, &a, i));
            }));
        }
        e.sort_by(f64::total_cmp);
        f.sort_by(f64::total_cmp);
        let (e, f) = (e[4], f[4]);
        tot.0 += e;
        tot.1 += f;
        println!(
            "{:<22} {:>12.2} {:>12.2} {:>8.2}",
            arm_name(&m, p),
            e * 1e6,
            f * 1e6,
            e / f
        );
    }
    println!(
        "{:<22} {:>12.2} {:>12.2} {:>8.2}\n",
        "all arms",
        tot.0 * 1e6,
        tot.1 * 1e6,
        tot.0 / tot.1
    );

    for (p, k) in prepared.iter().zip(&counts) {
        let name = arm_name(&m, p);
        let mut g = c.benchmark_group(format!("floor_vs_engine/{name}"));
        g.throughput(Throughput::Elements(1));
        let mut st = RunState::new(p);
        let mut i = 0u64;
        g.bench_function("engine_run", |b| {
            b.iter(|| {
                i = (i + 1) % 4096;
                st.reset(p);
                let mut d = Draws::new(m.run().seed, 0, i);
                run_with(p, &mut st, &mut d, &mut NoTrace);
                black_box(st.record.offensive_month)
            })
        });
        g.bench_function("floor_run", |b| {
            b.iter(|| {
                i = (i + 1) % 4096;
                black_box(floor_run(k, &a, i))
            })
        });
        g.finish();
    }
}

criterion_group!(benches, floor);
criterion_main!(benches);
