//! Model-level properties: value stability, thread invariance, replay agreement, monotonicity.

use deterrence_sim::model::config::RawConfig;
use deterrence_sim::model::validate::Model;
use deterrence_sim::sim::aggregate::BatchResult;
use deterrence_sim::sim::engine::run_one;
use deterrence_sim::sim::prepared::Prepared;
use deterrence_sim::{report::tables, sim::batch as runner, sim::replay};

fn model(f: impl FnOnce(&mut RawConfig)) -> Model {
    let mut raw = RawConfig::builtin();
    f(&mut raw);
    Model::from_raw(&raw, "test").unwrap()
}

fn batch(m: &Model, threads: usize) -> BatchResult {
    runner::run_batch(m, 0, &runner::pool(threads).unwrap(), &runner::Silent)
}

fn csvs(m: &Model, b: &BatchResult) -> [String; 3] {
    [
        tables::summary_csv(b),
        tables::guarantors_csv(m, b),
        tables::timeline_csv(m, b),
    ]
}

/// Check 7: the same seed gives the same numbers, bit for bit, on any number of threads.
#[test]
fn thread_count_does_not_change_a_bit() {
    // 700 runs cross a chunk boundary (512).
    let m = model(|r| {
        r.run.runs = 700;
        r.run.periods = 24;
        r.run.seed = 99;
    });
    let one = csvs(&m, &batch(&m, 1));
    let three = csvs(&m, &batch(&m, 3));
    assert_eq!(one, three);
}

/// Value stability: the exact results of a small seeded run. If the model or the generator
/// changes, these change, and every published number with them: update them deliberately.
#[test]
fn value_stability_of_a_small_run() {
    let m = model(|r| {
        r.run.runs = 300;
        r.run.periods = 12;
        r.run.seed = 1;
    });
    let b = batch(&m, 2);
    let got: Vec<(String, bool, u64, u64)> = b
        .regimes
        .iter()
        .zip(&b.arms)
        .zip(&b.accumulators)
        .map(|((n, arm), a)| (n.clone(), arm.force, a.successes, a.probes))
        .collect();
    let want: Vec<(String, bool, u64, u64)> = PINNED
        .iter()
        .map(|(n, f, s, p)| (n.to_string(), *f, *s, *p))
        .collect();
    assert_eq!(got, want);
    for (run, want) in PINNED_RUNS {
        let r = run_one(&Prepared::new(&m, 0, true), 1, 0, run);
        assert_eq!((r.offensive_month, r.probes, r.crises), want, "run {run}");
    }
}

/// (regime, force, successes, probes) per arm, regime-major and without before with. The two
/// arms of a regime share every draw and differ only in the tripwire's probability.
const PINNED: [(&str, bool, u64, u64); 8] = [
    ("article5", false, 263, 59),
    ("article5", true, 286, 67),
    ("nato_light", false, 263, 67),
    ("nato_light", true, 286, 72),
    ("bilateral", false, 262, 66),
    ("bilateral", true, 285, 71),
    ("none", false, 253, 82),
    ("none", true, 284, 89),
];
/// Two single runs of article5 with the force: (offensive month, probes, crises); run 5 has a
/// probe, run 32 an offensive in month 9 (0-based).
const PINNED_RUNS: [(u64, RunOutcome); 2] = [(5, (None, 1, 1)), (32, (Some(9), 0, 1))];

/// (offensive month, probes, crises) of one run.
type RunOutcome = (Option<u32>, u32, u32);

/// `replay` reproduces exactly what each run contributed to the batch.
#[test]
fn replay_agrees_with_the_batch() {
    let m = model(|r| {
        r.run.runs = 64;
        r.run.seed = 5;
    });
    let b = batch(&m, 2);
    let mut rebuilt = BatchResult::new(&m);
    let prepared: Vec<Prepared> = m
        .arms()
        .iter()
        .map(|a| Prepared::new(&m, a.regime, a.force))
        .collect();
    for run in 0..m.run().runs {
        let records: Vec<_> = prepared.iter().map(|p| replay::replay(p, 0, run).1).collect();
        for (p, r) in prepared.iter().zip(&records) {
            assert_eq!(r, &run_one(p, m.run().seed, 0, run));
        }
        rebuilt.add_run(&records);
    }
    assert_eq!(b, rebuilt);
    // The trace's outcome is the record's.
    let (t, r) = replay::replay(&prepared[1], 0, 5);
    assert_eq!(t.offensive_month, r.offensive_month.map(|x| x + 1));
    assert_eq!(
        t.probes as usize,
        t.months.iter().filter(|m| m.russia_choice == "probe").count()
    );
}

fn success(m: &Model, regime: &str) -> (f64, f64) {
    let b = batch(m, 0);
    let k = b.regimes.iter().position(|r| r == regime).unwrap();
    let a = &b.accumulators[k];
    let p = a.successes as f64 / a.runs as f64;
    (p, (p * (1.0 - p) / a.runs as f64).sqrt())
}

/// Check 6: success does not fall when audience costs, tripwire probability or Russia's cost of
/// war rise (within Monte Carlo error; the regimes share random numbers, so the comparison is
/// paired and the tolerance of 3 unpaired standard errors is conservative).
#[test]
fn success_is_monotone_in_audience_cost_tripwire_and_war_cost() {
    type Edit = fn(&mut RawConfig, f64);
    let cases: [(&str, &str, Edit, [f64; 3]); 3] = [
        (
            "audience cost",
            "nato_light",
            |r, x| r.regimes["nato_light"].audience_cost = x,
            [0.0, 0.6, 2.0],
        ),
        (
            "tripwire troops",
            "bilateral",
            |r, x| r.modifiers.reassurance_troops = x,
            [0.0, 10000.0, 30000.0],
        ),
        (
            "war cost",
            "article5",
            |r, x| r.russia.war_cost = x,
            [0.5, 2.0, 4.0],
        ),
    ];
    for (what, regime, edit, levels) in cases {
        let mut last: Option<(f64, f64)> = None;
        for x in levels {
            let m = model(|r| {
                r.run.runs = 1500;
                r.run.periods = 24;
                r.run.seed = 3;
                edit(r, x);
            });
            let (p, se) = success(&m, regime);
            if let Some((q, se0)) = last {
                assert!(
                    p >= q - 3.0 * (se * se + se0 * se0).sqrt(),
                    "{what} = {x}: success {p} fell from {q}"
                );
            }
            last = Some((p, se));
        }
    }
}

/// The default calibration is informative: no regime at 0 or 1, and Article 5 beats no
/// guarantee by more than three standard errors (unpaired, so conservative for these paired runs).
#[test]
fn default_calibration_is_informative() {
    let m = model(|r| r.run.runs = 2000);
    let b = batch(&m, 0);
    for (n, a) in b.regimes.iter().zip(&b.accumulators) {
        let p = a.successes as f64 / a.runs as f64;
        assert!((0.02..=0.98).contains(&p), "{n}: {p}");
    }
    let none = b.regimes.iter().position(|r| r == "none").unwrap();
    let a5 = b.regimes.iter().position(|r| r == "article5").unwrap();
    let p = |i: usize| b.accumulators[i].successes as f64 / b.accumulators[i].runs as f64;
    let se = ((p(a5) * (1.0 - p(a5)) + p(none) * (1.0 - p(none))) / 2000.0).sqrt();
    assert!(
        p(a5) - p(none) > 3.0 * se,
        "article5 {} vs none {} (se {se})",
        p(a5),
        p(none)
    );
}

/// Check 1 through the engine: one guarantor, best-response play (lambda = 1e6). A Hard
/// guarantor responds, a Soft one does not; Russia's payoff of an offensive is a_DC = 1 if no
/// one responds (here `provocation`, with no other gain or cost) and a_DD = 1 - war_cost * e
/// if the guarantor responds (e: the escalation risk of its response). Russia then challenges
/// iff its belief that the guarantor is Hard is below (a_DC - a_SQ) / (a_DC - a_DD).
#[test]
fn zagare_kilgour_threshold_holds_in_the_engine() {
    let build = |mu: f64| {
        model(|r| {
            r.guarantors.retain(|g| g.id == "USA");
            r.guarantors[0].public_support = Some(mu);
            let keep = r.regimes["bilateral"].clone();
            r.regimes.clear();
            r.regimes.insert("one".into(), keep);
            let one = &mut r.regimes["one"];
            one.bound = deterrence_sim::model::config::RawBound::Keyword("none".into());
            one.audience_cost = 0.0;
            one.provocation = 1.0;
            let ru = &mut r.russia;
            ru.lambda = 1e6;
            (
                ru.offensive_gain,
                ru.combat_cost,
                ru.sanctions_weight,
                ru.war_cost,
            ) = (0.0, 0.0, 0.0, 20.0);
            (ru.probe_gain, ru.probe_cost, ru.info_value) = (0.0, 5.0, 0.0);
            r.guarantor_defaults.lambda = 1e6;
            (r.guarantor_defaults.value_hard, r.guarantor_defaults.value_soft) = (200.0, 0.0);
        })
    };
    let m = build(0.5);
    let p = Prepared::new(&m, 0, false);
    let [hard, soft] = p.expect_offensive[0];
    assert_eq!((hard.honour, soft.honour, soft.escalation), (1.0, 0.0, 0.0));
    assert!(hard.escalation > 0.0);
    let (a_sq, a_dc, a_dd) = (0.0, 1.0, 1.0 - m.russia().war_cost * hard.escalation);
    let threshold = (a_dc - a_sq) / (a_dc - a_dd);
    assert!(threshold > 0.05 && threshold < 0.95, "{threshold}");
    for k in 1..100 {
        let mu = k as f64 / 100.0;
        if (mu - threshold).abs() < 0.011 {
            continue;
        }
        let m = build(mu);
        let p = Prepared::new(&m, 0, false);
        let st = deterrence_sim::sim::state::RunState::new(&p);
        let (_, probs) = deterrence_sim::sim::russia::russia_utilities(&p, &st);
        let challenge = probs[deterrence_sim::sim::russia::OFFENSIVE];
        assert_eq!(
            challenge.round(),
            if mu < threshold { 1.0 } else { 0.0 },
            "belief {mu}, threshold {threshold}"
        );
    }
}

/// Probes teach: a failed (or late) answer to a probe lowers Russia's belief in that
/// guarantor's resolve and raises its probability of a major offensive next month; an honoured,
/// timely answer does the reverse. Checked for the US under every regime that binds it.
#[test]
fn a_weak_answer_makes_the_next_offensive_more_likely() {
    use deterrence_sim::sim::russia::{russia_utilities, OFFENSIVE};
    use deterrence_sim::sim::state::RunState;
    let m = model(|_| {});
    let us = m.guarantors().iter().position(|g| g.id == "USA").unwrap();
    for r in 0..m.regimes().len() {
        let p = Prepared::new(&m, r, true);
        let st = RunState::new(&p);
        let before = russia_utilities(&p, &st).1[OFFENSIVE];
        let after = |seen: f64| {
            let mut s = st.clone();
            for _ in 0..3 {
                s.beliefs[p.slot[us]].observe(seen, p.slot_weight[us]);
            }
            (s.belief(&p, us), russia_utilities(&p, &s).1[OFFENSIVE])
        };
        let (b_fail, p_fail) = after(0.0);
        let (b_late, p_late) = after(0.3);
        let (b_good, p_good) = after(1.0);
        let b0 = st.belief(&p, us);
        assert!(
            b_fail < b_late && b_late < b0 && b0 < b_good,
            "{}",
            m.regimes()[r].name
        );
        // Every answer also teaches Russia (less uncertainty, less value in probing again), so
        // answers are compared with each other, after the same number of observations. Under
        // `none` nobody is bound and the US type barely changes what Russia expects.
        if m.regimes()[r].name != "none" {
            assert!(
                p_fail > p_late && p_late > p_good,
                "{}: {p_fail} {p_late} {p_good} (before {before})",
                m.regimes()[r].name
            );
        }
    }
}

/// A tripwire needs troops: with no guarantor that would send them, the size of the reassurance
/// force changes nothing (Russia prices no war risk from it, and nobody is forced to fight).
#[test]
fn a_reassurance_force_without_troop_contributors_is_no_tripwire() {
    let no_troops = |x: f64| {
        model(|r| {
            r.run.runs = 300;
            r.run.seed = 5;
            r.modifiers.reassurance_troops = x;
            for g in r.guarantors.iter_mut() {
                g.troops = false;
            }
        })
    };
    let (small, large) = (no_troops(0.0), no_troops(30000.0));
    for k in 0..small.regimes().len() {
        assert_eq!(Prepared::new(&large, k, true).p_tripwire, 0.0);
    }
    assert_eq!(csvs(&small, &batch(&small, 1)), csvs(&large, &batch(&large, 1)));
    // With troop contributors (the default) the same force is a tripwire.
    let with = model(|r| r.modifiers.reassurance_troops = 30000.0);
    let k = with.regimes().iter().position(|r| r.name == "article5").unwrap();
    assert!(Prepared::new(&with, k, true).p_tripwire > 0.5);
}

/// Who waits is visible: each guarantor's support arrives later under NATO-light's 24-hour
/// meeting than under Article 5's 6-hour decision, and later under `none`'s two-week ad hoc
/// clock than under the bilateral agreements' 24-hour consultations (guarantors.csv,
/// `mean_hours_to_support`). The column follows each regime's honouring set, so NATO-light is
/// given bilateral's (military) set here: the default also counts financial aid, which arrives
/// after 720 hours whatever the clock.
#[test]
fn support_arrives_later_with_a_later_clock() {
    let m = model(|r| {
        r.run.runs = 400;
        r.run.seed = 9;
        r.regimes["nato_light"].honouring = r.regimes["bilateral"].honouring.clone();
    });
    let csv = tables::guarantors_csv(&m, &batch(&m, 0));
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| head.iter().position(|c| *c == n).unwrap();
    let (rc, gc, wc) = (col("regime"), col("guarantor"), col("mean_hours_to_support"));
    let mut wait = std::collections::HashMap::new();
    for l in lines {
        let c: Vec<&str> = l.split(',').collect();
        wait.insert(
            (c[rc].to_string(), c[gc].to_string()),
            c[wc].parse::<f64>().unwrap(),
        );
    }
    for g in m.guarantors() {
        let w = |r: &str| wait[&(r.to_string(), g.id.clone())];
        assert!(
            w("article5") < w("nato_light"),
            "{}: {} {}",
            g.id,
            w("article5"),
            w("nato_light")
        );
        let none = w("none");
        assert!(
            none.is_nan() || w("bilateral") < none,
            "{}: {} {none}",
            g.id,
            w("bilateral")
        );
    }
}
