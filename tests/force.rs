//! The reassurance force as a factor crossed with the regimes (issue 9, item 5): the default run
//! reports every regime without and with the force on the same seeded runs, the paired effect of
//! the force within each regime, and refuses the removed regime key.

mod util;
use deterrence_sim::model::config::RawConfig;
use deterrence_sim::model::validate::Model;
use deterrence_sim::sim::prepared::Prepared;
use deterrence_sim::sim::replay;
use std::collections::HashMap;
use std::path::Path;
use util::*;

/// The rows of a CSV file as maps from column name to cell (header dropped).
fn records(p: &Path) -> Vec<HashMap<String, String>> {
    let r = rows(p);
    let (head, body) = r.split_first().unwrap();
    body.iter()
        .map(|row| head.iter().cloned().zip(row.iter().cloned()).collect())
        .collect()
}

/// `run` with `args` into a fresh directory; the directory.
fn run_default(name: &str, args: &[&str]) -> std::path::PathBuf {
    let out = tmp(name);
    let mut a = vec!["run", "--quiet", "--force", "--out", out.to_str().unwrap()];
    a.extend_from_slice(args);
    let o = run(&a);
    assert!(o.status.success(), "{}", text(&o));
    out
}

fn int(r: &HashMap<String, String>, c: &str) -> i64 {
    r[c].parse().unwrap_or_else(|_| panic!("{c}: {:?}", r[c]))
}

fn float(r: &HashMap<String, String>, c: &str) -> f64 {
    r[c].parse().unwrap_or_else(|_| panic!("{c}: {:?}", r[c]))
}

/// The default run has one summary row per regime and arm (8), regime-major, without before
/// with; `force_effect.csv` holds, per regime, exactly the difference of its two rows' successes
/// over the runs, with discordant counts that add up to it and an interval around it; the
/// paired difference from `none` is taken within the same arm; and the force raises `none`.
#[test]
fn default_run_crosses_every_regime_with_the_force() {
    let out = run_default("force-default", &["--runs", "400"]);
    let head = &rows(&out.join("summary.csv"))[0];
    assert_eq!(&head[..2], &["regime".to_string(), "force".to_string()]);
    let summary = records(&out.join("summary.csv"));
    let arms: Vec<(String, String)> = summary
        .iter()
        .map(|r| (r["regime"].clone(), r["force"].clone()))
        .collect();
    let want: Vec<(String, String)> = ["article5", "nato_light", "bilateral", "none"]
        .iter()
        .flat_map(|g| ["without", "with"].map(|f| (g.to_string(), f.to_string())))
        .collect();
    assert_eq!(arms, want);
    let find = |g: &str, f: &str| {
        summary
            .iter()
            .find(|r| r["regime"] == g && r["force"] == f)
            .unwrap()
    };

    let effects = records(&out.join("force_effect.csv"));
    assert_eq!(
        rows(&out.join("force_effect.csv"))[0],
        ["regime", "runs", "diff", "lo", "hi", "with_only", "without_only"]
    );
    assert_eq!(effects.len(), 4);
    for e in &effects {
        let g = e["regime"].as_str();
        let (with, without) = (find(g, "with"), find(g, "without"));
        let runs = int(e, "runs");
        assert_eq!(runs, int(with, "runs"));
        assert_eq!(runs, int(without, "runs"));
        // Exactly, as counts: the discordant pairs are the difference in successes.
        let gap = int(with, "successes") - int(without, "successes");
        assert_eq!(int(e, "with_only") - int(e, "without_only"), gap, "{g}");
        let diff = float(e, "diff");
        assert_eq!(e["diff"], format!("{:.6}", gap as f64 / runs as f64 + 0.0), "{g}");
        assert!(float(e, "lo") <= diff && diff <= float(e, "hi"), "{g}: {e:?}");
        assert!(float(e, "lo") >= -1.0 && float(e, "hi") <= 1.0);
    }

    // The difference from `none` pairs each arm with none's arm of the same force.
    for f in ["without", "with"] {
        let base = int(find("none", f), "successes");
        for g in ["article5", "nato_light", "bilateral", "none"] {
            let r = find(g, f);
            assert_eq!(
                int(r, "better_than_none") - int(r, "worse_than_none"),
                int(r, "successes") - base,
                "{g} {f}"
            );
        }
    }

    // A force without a guarantee: `none` with the force deters more than without it.
    let none = effects.iter().find(|e| e["regime"] == "none").unwrap();
    assert!(float(none, "lo") > 0.0, "{none:?}");
    assert!(float(find("none", "with"), "success_rate") > float(find("none", "without"), "success_rate"));

    // Every per-regime table tells the arms apart.
    for t in ["guarantors.csv", "timeline.csv"] {
        let r = records(&out.join(t));
        assert_eq!(rows(&out.join(t))[0][1], "force", "{t}");
        assert!(r.iter().any(|x| x["force"] == "without") && r.iter().any(|x| x["force"] == "with"));
    }
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["design"]["reassurance_force"], "both");
    assert_eq!(m["design"]["arms"], serde_json::json!(["without", "with"]));
    assert!(m["files"]["force_effect.csv"].is_string());
}

/// Under `none` with the force, the tripwire has a positive probability and fires in some
/// offensives, forcing GBR and FRA into the fight although nothing binds them; without the force
/// it never fires.
#[test]
fn none_with_the_force_has_a_tripwire() {
    let m = Model::from_raw(&RawConfig::builtin(), "default").unwrap();
    let k = m.regime_index("none").unwrap();
    let with = Prepared::new(&m, k, true);
    let without = Prepared::new(&m, k, false);
    assert!(with.p_tripwire > 0.0);
    assert_eq!(without.p_tripwire, 0.0);
    let mut fired = 0;
    for run in 0..300 {
        let (t, _) = replay::replay(&with, 0, run);
        for c in t.months.iter().filter_map(|x| x.crisis.as_ref()) {
            if c.tripwire {
                fired += 1;
                for id in ["GBR", "FRA"] {
                    let g = c.guarantors.iter().find(|g| g.id == id).unwrap();
                    assert!(g.forced && !g.bound && g.choice == "troops", "{g:?}");
                }
            }
        }
        let (t, _) = replay::replay(&without, 0, run);
        assert!(t
            .months
            .iter()
            .filter_map(|x| x.crisis.as_ref())
            .all(|c| !c.tripwire));
    }
    assert!(fired > 0);
}

/// A one-arm design runs only that arm, and its rows are the both-arm run's rows of that arm:
/// the arms share every draw, whichever others run. The arm without the force is also exactly a
/// force of zero troops (p_trip = 0).
#[test]
fn one_arm_designs_match_the_arms_of_the_crossed_run() {
    let d = tmp("force-arms");
    let args = ["--runs", "300", "--periods", "12"];
    let both = run_default("force-both", &args);
    let cfg = |name: &str, design: &str, troops: &str| {
        let f = d.join(name);
        let text = DEFAULT
            .replace(
                "# [design]\n# reassurance_force = \"both\"",
                &format!("[design]\nreassurance_force = \"{design}\""),
            )
            .replace("reassurance_troops = 10000.0", troops);
        assert!(text.contains(&format!("reassurance_force = \"{design}\"")));
        std::fs::write(&f, text).unwrap();
        f
    };
    let key = |r: &HashMap<String, String>| {
        let mut v: Vec<(String, String)> = r
            .iter()
            .filter(|(k, _)| k.as_str() != "force")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        v.sort();
        v
    };
    let crossed = records(&both.join("summary.csv"));
    for (design, troops) in [
        ("without", "reassurance_troops = 10000.0"),
        ("with", "reassurance_troops = 10000.0"),
        ("with", "reassurance_troops = 0.0"),
    ] {
        let f = cfg(&format!("{design}-{}.toml", troops.len()), design, troops);
        let mut a = vec![f.to_str().unwrap()];
        a.extend_from_slice(&args);
        let one = run_default("force-one", &a);
        let got = records(&one.join("summary.csv"));
        assert_eq!(got.len(), 4, "{design}");
        assert!(got.iter().all(|r| r["force"] == design));
        // A zero-troop force is the arm without it.
        let arm = if troops.ends_with("0.0") && !troops.contains("10000") {
            "without"
        } else {
            design
        };
        let want: Vec<_> = crossed.iter().filter(|r| r["force"] == arm).map(key).collect();
        assert_eq!(got.iter().map(key).collect::<Vec<_>>(), want, "{design} {troops}");
        assert_eq!(rows(&one.join("force_effect.csv")).len(), 1, "header only");
    }
}

/// A config that still sets the removed regime key is refused with exit 2, naming the file, the
/// field and the replacement; a bad `[design]` value is refused too.
#[test]
fn the_removed_regime_key_is_refused_by_name() {
    let d = tmp("force-old");
    let f = d.join("old.toml");
    std::fs::write(
        &f,
        DEFAULT.replace(
            "[regimes.nato_light]\n",
            "[regimes.nato_light]\nreassurance_force = true\n",
        ),
    )
    .unwrap();
    let o_dir = d.join("o");
    let run_args = [
        "run",
        "--quiet",
        "--out",
        o_dir.to_str().unwrap(),
        f.to_str().unwrap(),
    ];
    let validate_args = ["validate", f.to_str().unwrap()];
    for a in [&run_args[..], &validate_args[..]] {
        let o = run(a);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{t}");
        assert!(t.contains("old.toml"), "{t}");
        assert!(t.contains("regimes.nato_light.reassurance_force"), "{t}");
        assert!(
            t.contains(r#"[design] reassurance_force = "both" | "with" | "without""#),
            "{t}"
        );
    }
    // As a study's base config too.
    let s = d.join("sweep.toml");
    std::fs::write(
        &s,
        "base = \"old.toml\"\nreplicates = 4\n[design]\nkind = \"grid\"\n[[parameters]]\npath = \"russia.lambda\"\nvalues = [2.0]\n",
    )
    .unwrap();
    let o = run(&[
        "sweep",
        s.to_str().unwrap(),
        "--quiet",
        "--out",
        d.join("s").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("regimes.nato_light.reassurance_force"),
        "{}",
        text(&o)
    );

    let g = d.join("bad.toml");
    std::fs::write(
        &g,
        DEFAULT.replace(
            "# [design]\n# reassurance_force = \"both\"",
            "[design]\nreassurance_force = \"maybe\"",
        ),
    )
    .unwrap();
    let o = run(&["validate", g.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("bad.toml") && text(&o).contains("maybe"),
        "{}",
        text(&o)
    );
}

/// Sweeps run one arm: with the force unless the sweep file (or its base config) says
/// otherwise; `"both"` is refused with exit 2 naming the file and the field. `points.csv` keeps
/// its shape (no force column).
#[test]
fn sweeps_run_one_arm_and_refuse_both() {
    let d = tmp("force-sweep");
    let sweep = |design: &str| {
        let s = d.join(format!("sweep-{}.toml", design.len()));
        std::fs::write(
            &s,
            format!(
                "replicates = 20\nperiods = 6\n[design]\nkind = \"grid\"\n{design}\n[[parameters]]\npath = \"russia.lambda\"\nvalues = [2.0, 3.0]\n"
            ),
        )
        .unwrap();
        s
    };
    let out = |n: &str| d.join(n).to_str().unwrap().to_string();
    let o = run(&[
        "sweep",
        sweep("").to_str().unwrap(),
        "--quiet",
        "--out",
        &out("a"),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let head = &rows(&d.join("a").join("points.csv"))[0];
    assert!(!head.iter().any(|h| h == "force"), "{head:?}");
    assert_eq!(rows(&d.join("a").join("points.csv")).len(), 1 + 2 * 4);

    let b = sweep("reassurance_force = \"both\"");
    let o = run(&["sweep", b.to_str().unwrap(), "--quiet", "--out", &out("b")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("design.reassurance_force") && t.contains("both"),
        "{t}"
    );

    // "without" runs the other arm: the same shape, other numbers.
    let w = sweep("reassurance_force = \"without\"");
    let o = run(&["sweep", w.to_str().unwrap(), "--quiet", "--out", &out("w")]);
    assert!(o.status.success(), "{}", text(&o));
    let (a, w) = (
        rows(&d.join("a").join("points.csv")),
        rows(&d.join("w").join("points.csv")),
    );
    assert_eq!(a[0], w[0]);
    assert_ne!(a, w);
}

/// `replay --force` picks the arm (default with); the trace says which.
#[test]
fn replay_takes_the_arm() {
    let get = |extra: &[&str]| {
        let mut a = vec!["replay", "--regime", "none", "--run", "3", "--json"];
        a.extend_from_slice(extra);
        let o = run(&a);
        assert!(o.status.success(), "{}", text(&o));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    assert_eq!(get(&[])["force"], "with");
    assert_eq!(get(&["--force", "with"]), get(&[]));
    assert_eq!(get(&["--force", "without"])["force"], "without");
    let o = run(&["replay", "--regime", "none", "--force", "maybe"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}
