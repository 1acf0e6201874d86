//! The consultation as a game, checked through the engine (docs/MODEL.md §7.10, §11): the
//! volunteer's dilemma and the stag hunt of `configs/checks/`, played crisis by crisis by
//! `sim::protocol::crisis`, against equilibria solved here independently.

use deterrence_sim::model::config::RawConfig;
use deterrence_sim::model::validate::Model;
use deterrence_sim::sim::prepared::{Prepared, NOTHING};
use deterrence_sim::sim::protocol::crisis;
use deterrence_sim::sim::state::RunState;
use deterrence_sim::stats::rng::Draws;

mod util;
use util::*;

const VD: &str = include_str!("../configs/checks/volunteers_dilemma.toml");
const STAG: &str = include_str!("../configs/checks/stag_hunt.toml");

/// A check config with `edit` applied to its raw form.
fn check(text: &str, edit: impl FnOnce(&mut RawConfig)) -> Model {
    let mut raw = RawConfig::parse(text, "check").unwrap();
    edit(&mut raw);
    Model::from_raw(&raw, "check").unwrap()
}

fn set_lambda(raw: &mut RawConfig, lambda: f64) {
    raw.guarantor_defaults.lambda = lambda;
}

fn set_rounds(raw: &mut RawConfig, rounds: u64) {
    raw.regimes.get_mut("meeting").unwrap().rounds = Some(rounds);
}

/// Play `crises` offensives of regime `name` through the engine; return the shares of crises
/// in which nobody acted and in which everybody acted, and the mean number acting.
fn play(m: &Model, name: &str, crises: u64) -> (f64, f64, f64) {
    let r = m.regimes().iter().position(|x| x.name == name).unwrap();
    let p = Prepared::new(m, r, false);
    let mut st = RunState::new(&p);
    let n = m.guarantors().len();
    let (mut nobody, mut all, mut acting) = (0u64, 0u64, 0u64);
    for rep in 0..crises {
        st.reset(&p);
        let mut d = Draws::new(11, 0, rep);
        crisis(&p, &mut st, &mut d, true);
        let k = st.choice.iter().filter(|&&o| o != NOTHING).count();
        nobody += u64::from(k == 0);
        all += u64::from(k == n);
        acting += k as u64;
    }
    let c = crises as f64;
    (nobody as f64 / c, all as f64 / c, acting as f64 / c)
}

/// The symmetric logit QRE of the n-player volunteer's dilemma (b = 1, cost c): the root of
/// q = logistic(λ((1 − q)^(n−1) − c)), unique because the right side falls in q; by bisection.
fn vd_qre(n: i32, c: f64, lambda: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    for _ in 0..200 {
        let q = 0.5 * (lo + hi);
        let rhs = 1.0 / (1.0 + (-lambda * ((1.0 - q).powi(n - 1) - c)).exp());
        if rhs > q {
            lo = q;
        } else {
            hi = q;
        }
    }
    0.5 * (lo + hi)
}

/// Binomial standard error of a share `p` over `n` trials.
fn se(p: f64, n: u64) -> f64 {
    (p * (1.0 - p) / n as f64).sqrt()
}

#[test]
fn volunteers_dilemma_qre_reference_is_the_symmetric_fixed_point() {
    // The engine's reference equilibrium (the warm start of every crisis) is the symmetric QRE.
    for lambda in [1.0, 5.0, 20.0] {
        let m = check(VD, |r| set_lambda(r, lambda));
        let p = Prepared::new(&m, 0, false);
        let q = vd_qre(5, 0.25, lambda);
        for i in 0..5 {
            // Menu position 1 is "act"; both types are identical here.
            let b = deterrence_sim::sim::qre::at(i, 0);
            let engine = p.qre_reference[0][b + 1];
            assert!(
                (engine - q).abs() < 1e-9,
                "λ = {lambda}: engine q = {engine}, fixed point {q}"
            );
        }
    }
    // The published values at λ = 5: q = 0.377608, P(nobody) = 0.093394.
    let q = vd_qre(5, 0.25, 5.0);
    assert!((q - 0.377608).abs() < 1e-6);
    assert!(((1.0 - q).powi(5) - 0.093394).abs() < 1e-6);
}

#[test]
fn volunteers_dilemma_separate_decisions_play_the_qre() {
    let n = 40_000;
    for (lambda, want) in [(5.0, 0.093394), (20.0, 0.144315)] {
        let m = check(VD, |r| set_lambda(r, lambda));
        let (nobody, _, _) = play(&m, "separate", n);
        let q = vd_qre(5, 0.25, lambda);
        let exact = (1.0 - q).powi(5);
        assert!((exact - want).abs() < 1e-6, "fixed point {exact} vs {want}");
        let z = (nobody - exact) / se(exact, n);
        eprintln!("VD separate λ = {lambda}: engine P(nobody) = {nobody:.5}, QRE {exact:.6}");
        assert!(
            z.abs() < 4.0,
            "λ = {lambda}: engine P(nobody) = {nobody}, QRE {exact} (z = {z:.2})"
        );
    }
    // Far from uniform play (1/32 = 0.031) and rising toward the Nash value (1/4)^(5/4) = 0.1768.
    let nash = 0.25_f64.powf(1.25);
    let p100 = (1.0 - vd_qre(5, 0.25, 100.0)).powi(5);
    let p20 = (1.0 - vd_qre(5, 0.25, 20.0)).powi(5);
    assert!(p20 < p100 && p100 < nash && nash - p100 < 0.01);
}

#[test]
fn volunteers_dilemma_meeting_settles_without_parity() {
    let n = 20_000;
    let separate = play(&check(VD, |_| {}), "separate", n).0;
    let mut last = f64::INFINITY;
    let mut by_rounds = Vec::new();
    for rounds in 1..=10 {
        let m = check(VD, |r| set_rounds(r, rounds));
        let (nobody, _, acting) = play(&m, "meeting", n);
        by_rounds.push((nobody, acting));
        eprintln!("VD meeting rounds = {rounds}: P(nobody) = {nobody:.5}, E[acting] = {acting:.3}");
        // The same uniforms, one more last call: commitments only accumulate.
        assert!(
            nobody <= last,
            "rounds {rounds}: P(nobody) {nobody} rose from {last}"
        );
        assert!(nobody <= separate, "meeting {nobody} above separate {separate}");
        last = nobody;
    }
    // Against the exact agent-QRE of the tour with myopic last calls, computed by enumeration of
    // every profile in tests/data/issue9_reference.py: P(nobody) after the tour 0.007794, and
    // E[acting] 1.405510 / 2.212021 / 2.518608 after 1 / 2 / 3 calls.
    let z = (by_rounds[0].0 - 0.007794) / se(0.007794, n);
    assert!(z.abs() < 4.0, "tour: P(nobody) {} (z = {z:.2})", by_rounds[0].0);
    for (r, want) in [(0, 1.405510), (1, 2.212021), (2, 2.518608)] {
        assert!(
            (by_rounds[r].1 - want).abs() < 0.05,
            "{} calls: E[acting] {} vs {want}",
            r + 1,
            by_rounds[r].1
        );
    }
    // Settled: from 6 calls on, nothing changes.
    for w in by_rounds[5..].windows(2) {
        assert_eq!(w[0], w[1]);
    }
    // The meeting does far better than separate decisions (0.093).
    assert!(by_rounds[0].0 < 0.5 * separate, "{by_rounds:?} vs {separate}");
}

#[test]
fn stag_hunt_meeting_coordinates_where_separate_decisions_do_not() {
    let n = 20_000;
    let m = check(STAG, |_| {});
    let (_, all_separate, _) = play(&m, "separate", n);
    let (_, all_meeting, _) = play(&m, "meeting", n);
    eprintln!("stag hunt P(all act): separate {all_separate:.5}, meeting {all_meeting:.5}");
    // Exact values (tests/data/issue9_reference.py): the principal-branch QRE of the
    // simultaneous game gives q = 0.187383, P(all) = q^4 = 0.001233; the meeting with 3 calls
    // 0.911440.
    let z = (all_separate - 0.001233) / se(0.001233, n);
    assert!(
        z.abs() < 4.0,
        "separate decisions reach all-act in {all_separate} (z = {z:.2})"
    );
    let z = (all_meeting - 0.911440) / se(0.911440, n);
    assert!(
        z.abs() < 4.0,
        "the meeting reaches all-act in {all_meeting} (z = {z:.2})"
    );
}

#[test]
fn stag_hunt_decision_rules() {
    let n = 20_000;
    let m = check(STAG, |_| {});
    let (_, willing, _) = play(&m, "meeting", n);
    let (_, consensus, _) = play(&m, "consensus", n);
    eprintln!("stag hunt P(all act): willing {willing:.5}, consensus {consensus:.5}");
    // A vetoed package falls back to the tour; an adopted one has everyone act.
    assert!(
        consensus >= willing - 4.0 * se(willing, n),
        "{consensus} < {willing}"
    );
    // Nobody can veto: every package is adopted, so everyone acts in every crisis.
    let open = check(STAG, |r| {
        r.regimes.get_mut("consensus").unwrap().veto =
            Some(deterrence_sim::model::config::RawOrder::List(vec![]));
    });
    assert_eq!(play(&open, "consensus", 2_000).1, 1.0);
    // A qualified majority of 3 of 4 (0.75): adopted more often than under unanimity.
    let qmv = check(STAG, |r| {
        let x = r.regimes.get_mut("consensus").unwrap();
        x.rule = Some("qmv".into());
        x.qmv_threshold = Some(0.75);
    });
    let (_, by_qmv, _) = play(&qmv, "consensus", n);
    eprintln!("stag hunt P(all act): qmv 3/4 {by_qmv:.5}");
    assert!(
        by_qmv >= consensus - 4.0 * se(consensus, n),
        "{by_qmv} < {consensus}"
    );
}

#[test]
fn decision_rules_are_validated() {
    let bad = |edit: fn(&mut RawConfig), needle: &str| {
        let mut raw = RawConfig::parse(STAG, "stag.toml").unwrap();
        edit(&mut raw);
        let e = Model::from_raw(&raw, "stag.toml").unwrap_err().to_string();
        assert!(e.contains("stag.toml") && e.contains(needle), "{e}");
    };
    bad(
        |r| r.regimes.get_mut("consensus").unwrap().package = None,
        "regimes.consensus.package",
    );
    bad(
        |r| r.regimes.get_mut("consensus").unwrap().rule = Some("vote".into()),
        "willing",
    );
    bad(
        |r| r.regimes.get_mut("consensus").unwrap().package = Some(vec!["troops".into()]),
        "troops",
    );
    bad(
        |r| {
            r.regimes.get_mut("consensus").unwrap().veto =
                Some(deterrence_sim::model::config::RawOrder::List(vec!["XX".into()]))
        },
        "regimes.consensus.veto",
    );
    bad(
        |r| r.regimes.get_mut("meeting").unwrap().rule = Some("consensus".into()),
        "binds nobody",
    );
    bad(
        |r| r.regimes.get_mut("meeting").unwrap().qmv_threshold = Some(0.5),
        "regimes.meeting.qmv_threshold",
    );
}

/// Every separate-consultation equilibrium of the default run converges (the manifest counts the
/// crises that hit `crisis.qre_max_iterations`).
#[test]
fn qre_capped_is_zero_in_the_default_run() {
    use deterrence_sim::sim::batch as runner;
    let mut raw = RawConfig::builtin();
    raw.run.runs = 400;
    let m = Model::from_raw(&raw, "default").unwrap();
    let b = runner::run_batch(&m, 0, &runner::pool(0).unwrap(), &runner::Silent);
    let crises: u64 = b.accumulators.iter().map(|a| a.crises).sum();
    let capped: u64 = b.accumulators.iter().map(|a| a.qre_capped).sum();
    assert!(crises > 1000, "{crises} crises");
    for (name, a) in b.regimes.iter().zip(&b.accumulators) {
        eprintln!(
            "{name}: {} crises, {:.2} QRE iterations per crisis",
            a.crises,
            a.qre_iterations as f64 / a.crises as f64
        );
    }
    assert_eq!(capped, 0);
    // ...and a cap of one iteration is counted.
    raw.crisis.qre_max_iterations = Some(1);
    let m = Model::from_raw(&raw, "default").unwrap();
    let b = runner::run_batch(&m, 0, &runner::pool(0).unwrap(), &runner::Silent);
    assert!(b.accumulators.iter().map(|a| a.qre_capped).sum::<u64>() > 0);
}

/// `configs/meeting_value.toml` is the default config but for its two regimes (nato_light and a
/// copy with separate 24-hour consultations), and `run --baseline` makes the copy the baseline of
/// the paired differences: the value of the meeting, reproducible from the README.
#[test]
fn meeting_value_config_and_baseline_flag() {
    let file =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/configs/meeting_value.toml")).unwrap();
    let mut a: toml::Value = toml::from_str(&file).unwrap();
    let mut b: toml::Value = toml::from_str(DEFAULT).unwrap();
    let ra = a.as_table_mut().unwrap().remove("regimes").unwrap();
    let rb = b.as_table_mut().unwrap().remove("regimes").unwrap();
    for t in [&mut a, &mut b] {
        let t = t.as_table_mut().unwrap();
        t.remove("name");
        t.remove("description");
    }
    assert_eq!(
        a, b,
        "meeting_value.toml differs from default.toml outside the regimes"
    );
    let (ra, rb) = (ra.as_table().unwrap(), rb.as_table().unwrap());
    assert_eq!(ra["nato_light"], rb["nato_light"]);
    let mut sep = ra["nato_light_separate"].as_table().unwrap().clone();
    let mut nl = rb["nato_light"].as_table().unwrap().clone();
    for t in [&mut sep, &mut nl] {
        for k in [
            "description",
            "protocol",
            "deadline_hours",
            "rounds",
            "consult_hours",
        ] {
            t.remove(k);
        }
    }
    assert_eq!(
        sep, nl,
        "nato_light_separate differs from nato_light beyond its protocol"
    );

    let d = tmp("meeting-value");
    let out = d.join("out");
    let o = run(&[
        "run",
        "configs/meeting_value.toml",
        "--baseline",
        "nato_light_separate",
        "--runs",
        "300",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let r = rows(&out.join("summary.csv"));
    assert!(
        r[0].iter().any(|c| c == "diff_vs_nato_light_separate"),
        "{:?}",
        r[0]
    );
    let bad = run(&[
        "run",
        "configs/meeting_value.toml",
        "--baseline",
        "nobody",
        "--quiet",
        "--out",
        d.join("bad").to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    let t = text(&bad);
    assert!(
        t.contains("--baseline") && t.contains("nobody") && t.contains("nato_light_separate"),
        "{t}"
    );
}

/// The QRE stopping rule's promise: strategies returned at `crisis.qre_tolerance` are within
/// that tolerance of the fixed point (solved again from them to 1e-14), in crises of the default
/// `bilateral` game away from the reference setting (other P(Hard), another strength), offensive
/// and probe.
#[test]
fn qre_stops_within_its_tolerance_of_the_fixed_point() {
    use deterrence_sim::sim::qre::{scratch_len, solve, Setting};
    let m = Model::from_raw(&RawConfig::builtin(), "default").unwrap();
    let r = m.regime_index("bilateral").unwrap();
    let p = Prepared::new(&m, r, false);
    let n = m.guarantors().len();
    let tol = m.crisis().qre_tolerance;
    let forced = vec![false; n];
    let mut work = vec![0.0; scratch_len(n)];
    let mut worst: f64 = 0.0;
    for (case, kind) in [(0, 0), (1, 1)] {
        for shift in [-0.3, -0.1, 0.1, 0.25] {
            for seen in [0.6, 0.9, 1.3] {
                let p_hard: Vec<f64> = (0..n)
                    .map(|i| {
                        (p.game.menus[i].resolve + shift * (1.0 + i as f64 / n as f64)).clamp(0.02, 0.98)
                    })
                    .collect();
                let s = Setting {
                    kind,
                    seen,
                    forced_count: 0.0,
                    forced: &forced,
                    p_hard: &p_hard,
                    lattice: p.lattice,
                    lambda_scale: 1.0,
                };
                let mut sigma = p.qre_reference[case].clone();
                let got = solve(&p.game, &s, tol, 200, &mut sigma, &mut work);
                assert!(got.converged, "{got:?}");
                let mut exact = sigma.clone();
                let tight = solve(&p.game, &s, 1e-14, 10_000, &mut exact, &mut work);
                assert!(tight.converged, "{tight:?}");
                let gap = sigma
                    .iter()
                    .zip(&exact)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                worst = worst.max(gap);
                assert!(gap < tol, "case {case}, shift {shift}, seen {seen}: {gap:e} from the fixed point after {} iterations", got.iterations);
            }
        }
    }
    eprintln!("largest distance from the fixed point at tolerance {tol:e}: {worst:e}");
}
