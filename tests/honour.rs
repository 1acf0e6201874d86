//! Honouring per regime (ISSUE9 item 3) and Russia's beliefs about resolve (item 6): which
//! responses keep each regime's commitment, how the honoured share and `guarantors.csv` count
//! them, and what Russia learns and plans with.

mod util;
use util::*;

use deterrence_sim::model::config::RawConfig;
use deterrence_sim::model::validate::Model;
use deterrence_sim::sim::engine::run_one;
use deterrence_sim::sim::prepared::{OptionId, Prepared};

fn model(f: impl FnOnce(&mut RawConfig)) -> Model {
    let mut raw = RawConfig::builtin();
    f(&mut raw);
    Model::from_raw(&raw, "test").unwrap()
}

/// Validate `text` as a config file; returns (exit code, output).
fn validate(name: &str, cfg: &str) -> (Option<i32>, String) {
    let d = tmp(name);
    let f = d.join(format!("{name}.toml"));
    std::fs::write(&f, cfg).unwrap();
    let o = run(&["validate", f.to_str().unwrap()]);
    (o.status.code(), text(&o))
}

/// The old per-response flag is refused with exit code 2, naming the file, the field and its
/// replacement.
#[test]
fn removed_honours_field_names_its_replacement() {
    let cfg = DEFAULT.replace(
        "[responses.rapid_support]\n",
        "[responses.rapid_support]\nhonours = true\n",
    );
    let (code, out) = validate("honours", &cfg);
    assert_eq!(code, Some(2), "{out}");
    for w in [
        "honours.toml",
        "responses.rapid_support.honours",
        "regimes.NAME.honouring",
    ] {
        assert!(out.contains(w), "missing {w:?} in: {out}");
    }
    assert!(!out.contains("panicked"), "{out}");
}

/// Every entry of `honouring` must be a response the model defines, on the regime's menu, or the
/// troops response when some guarantor has troops; clear errors (exit 2) otherwise.
#[test]
fn honouring_entries_are_checked() {
    let none_set = "honouring = [\"army_strengthening\"]";
    assert!(DEFAULT.contains(none_set));
    let no_troops = DEFAULT
        .replace("troops = true\n", "troops = false\n")
        .replace(none_set, "honouring = [\"troops\"]");
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "unknown",
            DEFAULT.replace(none_set, "honouring = [\"airstrikes\"]"),
            vec!["regimes.none.honouring", "airstrikes", "army_strengthening"],
        ),
        (
            "off-menu",
            DEFAULT.replace(none_set, "honouring = [\"rapid_support\"]"),
            vec![
                "regimes.none.honouring",
                "rapid_support",
                "regimes.none.responses",
            ],
        ),
        (
            "repeat",
            DEFAULT.replace(
                none_set,
                "honouring = [\"army_strengthening\", \"army_strengthening\"]",
            ),
            vec!["regimes.none.honouring", "twice"],
        ),
        (
            "no-troops",
            no_troops,
            vec!["regimes.none.honouring", "troops = true"],
        ),
        (
            "missing",
            DEFAULT.replace(&format!("{none_set}\n"), ""),
            vec!["regimes.none.honouring", "required"],
        ),
    ];
    for (name, cfg, want) in cases {
        let (code, out) = validate(name, &cfg);
        assert_eq!(code, Some(2), "{name}: {out}");
        assert!(out.contains(&format!("{name}.toml")), "{name}: {out}");
        for w in want {
            assert!(out.contains(w), "{name}: missing {w:?} in: {out}");
        }
    }
    // The troops response keeps a commitment off the menu when some guarantor has troops.
    let ok = DEFAULT.replace(none_set, "honouring = [\"army_strengthening\", \"troops\"]");
    let (code, out) = validate("troops-ok", &ok);
    assert_eq!(code, Some(0), "{out}");
}

/// The default sets, from each regime's text (configs/default.toml, docs/MODEL.md §8).
#[test]
fn default_honouring_sets() {
    let m = model(|_| {});
    let want: [(&str, &[&str]); 4] = [
        (
            "article5",
            &[
                "rapid_support",
                "sustained_support",
                "army_strengthening",
                "troops",
                "air_support",
            ],
        ),
        (
            "nato_light",
            &[
                "rapid_support",
                "sustained_support",
                "financial_aid",
                "army_strengthening",
                "sanctions",
                "air_support",
            ],
        ),
        (
            "bilateral",
            &[
                "rapid_support",
                "sustained_support",
                "army_strengthening",
                "air_support",
            ],
        ),
        ("none", &["army_strengthening"]),
    ];
    for (name, set) in want {
        let k = m.regime_index(name).unwrap();
        let p = Prepared::new(&m, k, true);
        assert!(!p.honours[OptionId::NOTHING.index()]);
        for (r, resp) in m.responses().iter().enumerate() {
            assert_eq!(
                p.honours[OptionId::respond(r).index()],
                set.contains(&resp.name.as_str()),
                "{name}: {}",
                resp.name
            );
        }
    }
}

/// The honoured share counts only the calls a bound member decided: a call the tripwire forced is
/// not a commitment. Checked run by run on every default regime, with a large force and an
/// eager Russia so that the tripwire fires often, against the per-guarantor tallies.
#[test]
fn forced_calls_are_not_commitments() {
    let m = model(|r| {
        r.modifiers.reassurance_troops = 60000.0;
        r.russia.offensive_gain = 8.0;
        r.run.periods = 24;
    });
    let mut forced_total = 0;
    for k in 0..m.regimes().len() {
        let p = Prepared::new(&m, k, true);
        let troops_honour = p.tripwire_option.is_some_and(|o| p.honours[o.index()]);
        for run in 0..300 {
            let r = run_one(&p, 3, 0, run);
            let (mut calls, mut honoured, mut forced) = (0, 0, 0);
            for i in 0..m.guarantors().len() {
                if p.bound[i] {
                    calls += r.called[i];
                    honoured += r.honoured[i];
                    forced += r.forced[i];
                }
            }
            forced_total += forced;
            assert_eq!(r.commitments, calls - forced, "{} run {run}", p.regime.name);
            let forced_honoured = if troops_honour { forced } else { 0 };
            assert_eq!(
                r.commitments_honoured,
                honoured - forced_honoured,
                "{} run {run}",
                p.regime.name
            );
        }
    }
    assert!(
        forced_total > 50,
        "the tripwire must fire in these runs ({forced_total})"
    );
}

/// `guarantors.csv` has the `forced` column, and its `honoured` column is the sum of the
/// response counts in the regime's honouring set (plus nothing else).
#[test]
fn guarantors_csv_follows_the_regime_set() {
    let d = tmp("gcsv");
    let out = d.join("out");
    let o = run(&[
        "run",
        "--runs",
        "300",
        "--seed",
        "7",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let rows = rows(&out.join("guarantors.csv"));
    let h = &rows[0];
    let col = |n: &str| {
        h.iter()
            .position(|c| c == n)
            .unwrap_or_else(|| panic!("no {n} in {h:?}"))
    };
    let (regime, honoured, forced) = (col("regime"), col("honoured"), col("forced"));
    let m = model(|_| {});
    let mut forced_seen = 0;
    for row in &rows[1..] {
        let k = m.regime_index(&row[regime]).unwrap();
        let set = &m.regimes()[k].honouring;
        let sum: u64 = set
            .iter()
            .map(|&r| {
                row[col(&format!("resp_{}", m.responses()[r].name))]
                    .parse::<u64>()
                    .unwrap()
            })
            .sum();
        assert_eq!(row[honoured].parse::<u64>().unwrap(), sum, "{row:?}");
        forced_seen += row[forced].parse::<u64>().unwrap();
    }
    assert!(forced_seen > 0, "the tripwire fires in the default run");
}

/// Russia's planned P(hold) in an offensive and in a probe at state `st`, read through the
/// engine's utilities: U_offensive and U_probe are linear in `offensive_gain` and `probe_gain`
/// with slopes (1 − hold), so two models that differ only in those gains give hold exactly.
fn planned_holds(edit: impl Fn(&mut RawConfig) + Copy, regime: usize) -> (f64, f64) {
    use deterrence_sim::sim::russia::{russia_utilities, OFFENSIVE, PROBE};
    use deterrence_sim::sim::state::RunState;
    let u = |gain: f64| {
        let m = model(|r| {
            edit(r);
            r.russia.offensive_gain = gain;
            r.russia.probe_gain = gain;
        });
        let p = Prepared::new(&m, regime, true);
        let st = RunState::new(&p);
        russia_utilities(&p, &st).0
    };
    let (u0, u1) = (u(0.0), u(1.0));
    (
        1.0 - (u1[OFFENSIVE] - u0[OFFENSIVE]),
        1.0 - (u1[PROBE] - u0[PROBE]),
    )
}

/// Resolve, not speed: a guarantor that honours most of its calls raises Russia's belief in its
/// resolve. Under NATO-light the US honours about nine calls in ten; with observations weighted
/// by timeliness (support arriving after days counted as partly failed) Russia's belief fell
/// below its prior (ISSUE9 #5). Read from the runs' belief timelines.
#[test]
fn beta_binary_resolve() {
    let m = model(|_| {});
    let k = m.regime_index("nato_light").unwrap();
    let p = Prepared::new(&m, k, true);
    let us = m.guarantors().iter().position(|g| g.id == "USA").unwrap();
    let prior = p.slot_prior[p.slot[us]];
    let periods = m.run().periods as usize;
    let g = m.guarantors().len();
    let (mut called, mut honoured, mut moved, mut n) = (0, 0, 0.0, 0);
    for run in 0..2000 {
        let r = run_one(&p, 11, 0, run);
        if r.called[us] == 0 {
            continue;
        }
        called += r.called[us];
        honoured += r.honoured[us];
        moved += f64::from(r.beliefs[(periods - 1) * g + us]) - prior;
        n += 1;
    }
    let rate = f64::from(honoured) / f64::from(called);
    assert!(rate > 0.8, "the US honours most calls under nato_light ({rate})");
    let moved = moved / n as f64;
    eprintln!(
        "US under nato_light: honours {rate:.3} of its calls; belief {prior} -> {:.3} on average",
        prior + moved
    );
    assert!(
        moved > 0.01,
        "Russia's belief in the US must rise above its prior {prior} when it honours {rate} of its calls (mean change {moved}, {n} runs)"
    );
}

/// The tripwire counted once: when it fires, the troop contributors are forced into the troops
/// response, which replaces their voluntary choice. With p_trip ≈ 1 (a huge force), Russia's
/// planned P(hold) in an offensive is the fired branch alone, so it cannot depend on how the
/// troop contributors would have chosen freely (here: their logit precision). Before the fix
/// Russia added their voluntary expected support on top of the tripwire's.
#[test]
fn tripwire_counted_once() {
    let mut checked = 0;
    for k in 0..4 {
        let edit = |lambda: f64| {
            move |r: &mut RawConfig| {
                r.modifiers.reassurance_troops = 1e6;
                for g in r.guarantors.iter_mut().filter(|g| g.troops) {
                    g.lambda = Some(lambda);
                }
            }
        };
        let m = model(edit(0.0));
        let p = Prepared::new(&m, k, true);
        let i = m.guarantors().iter().position(|g| g.troops).unwrap();
        // Only where troops are also a voluntary option is there a double count to miss.
        let voluntary = p.tripwire_option.is_some_and(|o| p.options[i].contains(&o));
        if p.p_tripwire < 0.999 || !voluntary {
            continue;
        }
        let (free, _) = planned_holds(edit(0.0), k);
        let (sharp, _) = planned_holds(edit(50.0), k);
        // Their voluntary expectations differ a lot between the two precisions...
        let e = |lambda| Prepared::new(&model(edit(lambda)), k, true).expect_offensive[i][0].support;
        assert!((e(0.0) - e(50.0)).abs() > 1e-3, "{}", p.regime.name);
        // ...and Russia's offensive P(hold) does not see it.
        assert!(
            (free - sharp).abs() < 1e-9,
            "{}: hold_off {free} vs {sharp}",
            p.regime.name
        );
        checked += 1;
    }
    assert!(
        checked >= 1,
        "the default regimes with troops on the menu ({checked})"
    );
}

/// Russia's P(hold) is an expectation over the support it expects, E[C(B + X)], X the sum of
/// the members' support with member i Hard with probability μ_i (its slot mean) and its support
/// given the type following the reference mixture. The engine approximates it by 2-point
/// Gauss–Hermite on the sum's mean and variance; here the exact value comes from a fine grid
/// convolution of the per-member mixtures, at the initial state of the default config.
#[test]
fn russia_hold_mixture() {
    use deterrence_sim::model::choice::contest;
    use deterrence_sim::sim::state::RunState;
    let m = model(|_| {});
    let exponent = m.crisis().contest_exponent;
    let ru = m.russia();
    let mut worst: f64 = 0.0;
    for k in 0..m.regimes().len() {
        let p = Prepared::new(&m, k, true);
        let st = RunState::new(&p);
        let base = m.ukraine().defence_multiplier * st.capability;
        // Each member's support atoms (value, probability) under Russia's type mixture.
        let atoms = |i: usize, kind: usize, e: &[deterrence_sim::sim::prepared::Expectation; 2]| {
            let mu = st.belief(&p, i);
            let menu = &p.game.menus[i];
            let mut out = Vec::new();
            for (j, hard) in [true, false].into_iter().enumerate() {
                let pr = &p.reference_play[kind][i][j];
                let m1: f64 = (0..menu.len()).map(|k| pr[k] * menu.x[k]).sum();
                assert!(
                    (m1 - e[j].support).abs() < 1e-12,
                    "the reference mixture is the engine's"
                );
                let w = if hard { mu } else { 1.0 - mu };
                out.extend((0..menu.len()).map(|k| (menu.x[k], w * pr[k])));
            }
            out
        };
        // E[C(shift + Σ_{i in members} x_i)] by convolution on a grid of step h, each atom split
        // linearly between its two neighbouring nodes (mean-preserving).
        // Case 0: offensive, 1: probe, 2: offensive after the tripwire fired.
        let exact = |members: &[usize], case: usize, shift: f64| {
            let scale = if case == 1 { ru.probe_scale } else { 1.0 };
            let e = [&p.expect_offensive, &p.expect_probe, &p.expect_tripwire][case];
            let per: Vec<Vec<(f64, f64)>> = members.iter().map(|&i| atoms(i, case, &e[i])).collect();
            let top: f64 = per
                .iter()
                .map(|a| a.iter().map(|x| x.0).fold(0.0, f64::max))
                .sum();
            let nodes = 1 << 14;
            let h = (top / (nodes - 64) as f64).max(1e-12);
            let mut pmf = vec![0.0; nodes];
            pmf[0] = 1.0;
            for a in &per {
                let mut next = vec![0.0; nodes];
                for (j, &q) in pmf.iter().enumerate() {
                    if q == 0.0 {
                        continue;
                    }
                    for &(x, w) in a {
                        let f = x / h;
                        let lo = f.floor() as usize;
                        let frac = f - lo as f64;
                        next[j + lo] += q * w * (1.0 - frac);
                        next[j + lo + 1] += q * w * frac;
                    }
                }
                pmf = next;
            }
            pmf.iter()
                .enumerate()
                .map(|(j, &q)| q * contest(base + shift + j as f64 * h, ru.strength * scale, exponent))
                .sum::<f64>()
        };
        let all: Vec<usize> = (0..m.guarantors().len()).collect();
        let not_troops: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&i| !m.guarantors()[i].troops)
            .collect();
        let exact_off = (1.0 - p.p_tripwire) * exact(&all, 0, 0.0)
            + p.p_tripwire * exact(&not_troops, 2, p.tripwire_support);
        let exact_probe = exact(&all, 1, 0.0);
        let (hold_off, hold_probe) = planned_holds(|_| {}, k);
        let (e_off, e_probe) = (hold_off - exact_off, hold_probe - exact_probe);
        eprintln!(
            "{}: offensive {hold_off:.6} vs exact {exact_off:.6} ({e_off:+.2e}); probe {hold_probe:.6} vs exact {exact_probe:.6} ({e_probe:+.2e})",
            p.regime.name
        );
        worst = worst.max(e_off.abs()).max(e_probe.abs());
    }
    assert!(worst < 2e-3, "2-point Gauss–Hermite error {worst:.2e}");
}

/// Speed apart from resolve: Russia's speed belief starts at its prior (so it scales nothing),
/// and faster honouring support than it expected raises the support it plans with, so it attacks
/// less (slower support: more), without touching its belief in the guarantor's resolve.
#[test]
fn speed_belief_scales_expected_support() {
    use deterrence_sim::sim::state::RunState;
    let m = model(|_| {});
    let us = m.guarantors().iter().position(|g| g.id == "USA").unwrap();
    let mut checked = 0;
    for k in 0..m.regimes().len() {
        let p = Prepared::new(&m, k, true);
        let st = RunState::new(&p);
        let slot = p.slot[us];
        assert!((st.speed[slot].mean() - p.speed_prior[slot]).abs() < 1e-12);
        let prior = p.speed_prior[slot];
        assert!(prior > 0.0 && prior < 1.0, "{}: {prior}", p.regime.name);
        let [h, s] = p.expect_offensive[us];
        if h.support + s.support < 1e-6 {
            continue;
        }
        // Russia's P(offensive): lower when it expects more support.
        let attack = |st: &RunState| {
            use deterrence_sim::sim::russia::{russia_utilities, OFFENSIVE};
            russia_utilities(&p, st).1[OFFENSIVE]
        };
        let before = attack(&st);
        let mut fast = st.clone();
        fast.speed[slot].observe(1.0, 20.0);
        let mut slow = st.clone();
        slow.speed[slot].observe(0.0, 20.0);
        assert_eq!(fast.beliefs, st.beliefs);
        let (f, sl) = (attack(&fast), attack(&slow));
        assert!(f < before && before < sl, "{}: {f} {before} {sl}", p.regime.name);
        checked += 1;
    }
    assert!(checked >= 3);
}
