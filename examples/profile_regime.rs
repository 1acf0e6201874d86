//! A profiling loop: `cargo run --release --example profile_regime -- REGIME RUNS` runs RUNS
//! whole runs of one regime of the built-in default config on one thread, without a trace,
//! and prints runs per second. Meant for `perf record` and `valgrind --tool=callgrind`, where a
//! whole `run` would mix four regimes and the output stage.

use deterrence_sim::model::config::RawConfig;
use deterrence_sim::model::validate::Model;
use deterrence_sim::sim::engine::run_with;
use deterrence_sim::sim::prepared::Prepared;
use deterrence_sim::sim::state::RunState;
use deterrence_sim::sim::trace::NoTrace;
use deterrence_sim::stats::rng::Draws;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let regime = args.next().unwrap_or_else(|| "bilateral".into());
    let runs: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let raw = RawConfig::builtin();
    let m = match Model::from_raw(&raw, "default") {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let r = match m.regime_index(&regime) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let p = Prepared::new(&m, r, true);
    let mut st = RunState::new(&p);
    let start = Instant::now();
    let mut offensives = 0u64;
    let (mut crises, mut iterations, mut months) = (0u64, 0u64, 0u64);
    for i in 0..runs {
        st.reset(&p);
        let mut d = Draws::new(m.run().seed, 0, i);
        run_with(&p, &mut st, &mut d, &mut NoTrace);
        offensives += u64::from(st.record.offensive_month.is_some());
        crises += u64::from(st.record.crises);
        iterations += u64::from(st.record.qre_iterations);
        months += u64::from(st.month);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{regime}: {runs} runs in {secs:.3} s = {:.0} runs/s ({offensives} with an offensive; \
         per run {:.2} months, {:.3} crises; {:.2} QRE iterations per crisis)",
        runs as f64 / secs,
        months as f64 / runs.max(1) as f64,
        crises as f64 / runs.max(1) as f64,
        iterations as f64 / crises.max(1) as f64
    );
}
