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
        let p = Prepared::new(&m, k);
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
        let p = Prepared::new(&m, k);
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
