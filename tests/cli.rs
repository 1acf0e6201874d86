//! End-to-end checks of the binary, as a user would run it.

mod util;
use util::*;

use std::process::Command;

/// Every bad-input class gets exit code 2, a message naming the file and the field, no panic.
#[test]
fn bad_input_is_a_clear_error_with_exit_code_2() {
    let d = tmp("bad");
    let cases: Vec<(&str, String, &[&str])> = vec![
        ("malformed", "[broken\n".to_string(), &["expected"]),
        (
            "unknown-field",
            DEFAULT.replace("[russia]\n", "[russia]\nlambdda = 3.0\n"),
            &["unknown field", "lambdda"],
        ),
        (
            "unknown-response",
            DEFAULT.replace("\"troops\", \"air_support\"]", "\"troops\", \"airstrikes\"]"),
            &["regimes.article5.responses", "airstrikes", "rapid_support"],
        ),
        (
            "unknown-protocol",
            DEFAULT.replace("protocol = \"meeting\"", "protocol = \"vote\""),
            &["protocol", "vote", "meeting", "separate"],
        ),
        (
            "old-protocol",
            DEFAULT.replace("protocol = \"meeting\"", "protocol = \"joint\""),
            &["regimes.article5.protocol", "joint", "replaced", "meeting"],
        ),
        (
            "removed-clock",
            DEFAULT.replace("consult_hours = 24.0", "decision_delay_hours = 120.0"),
            &[
                "regimes.bilateral.decision_delay_hours",
                "consult_hours",
                "separate",
            ],
        ),
        (
            "bad-speaking-order",
            DEFAULT.replace(
                "rounds = 3            #",
                "speaking_order = [\"USA\", \"XXX\"]\nrounds = 3 #",
            ),
            &["regimes.article5.speaking_order", "XXX"],
        ),
        (
            "out-of-range",
            DEFAULT.replace("forgetting = 0.03", "forgetting = 1.5"),
            &["russia.forgetting", "[0, 1]"],
        ),
        (
            "non-finite",
            util::with_value(DEFAULT, "russia", "lambda", "nan"),
            &["russia.lambda", "finite"],
        ),
        (
            "infinite",
            util::with_value(DEFAULT, "russia", "war_cost", "inf"),
            &["russia.war_cost", "finite"],
        ),
        (
            "empty-list",
            DEFAULT.replace(
                "responses = [\"financial_aid\", \"army_strengthening\", \"sanctions\"]",
                "responses = []",
            ),
            &["regimes.none.responses"],
        ),
        (
            "zero-runs",
            DEFAULT.replace("runs = 10000", "runs = 0"),
            &["run.runs", "1..="],
        ),
        (
            "huge-periods",
            DEFAULT.replace("periods = 36", "periods = 100000"),
            &["run.periods"],
        ),
        (
            "negative-runs",
            DEFAULT.replace("runs = 10000", "runs = -5"),
            &["runs"],
        ),
        (
            "wrong-type",
            util::with_value(DEFAULT, "regimes.article5", "audience_cost", "\"high\""),
            &["audience_cost"],
        ),
        (
            "ignored-setting",
            DEFAULT.replace(
                "consult_hours = 24.0",
                "consult_hours = 24.0\ndeadline_hours = 1.0",
            ),
            &["regimes.bilateral.deadline_hours", "no effect", "separate"],
        ),
        (
            "denormal-half-life",
            DEFAULT.replace(
                "support_half_life_hours = 168.0",
                "support_half_life_hours = 1e-320",
            ),
            &["crisis.support_half_life_hours", "1e-9"],
        ),
    ];
    for (name, body, needles) in cases {
        let f = d.join(format!("{name}.toml"));
        std::fs::write(&f, body).unwrap();
        for cmd in ["validate", "run"] {
            let out_dir = d.join(format!("out-{name}"));
            let args: Vec<&str> = if cmd == "run" {
                vec![
                    "run",
                    f.to_str().unwrap(),
                    "--out",
                    out_dir.to_str().unwrap(),
                    "--quiet",
                ]
            } else {
                vec!["validate", f.to_str().unwrap()]
            };
            let o = run_in(&args, None);
            let t = text(&o);
            assert_eq!(o.status.code(), Some(2), "{name} ({cmd}): {t}");
            assert!(!t.contains("panicked"), "{name}: {t}");
            assert!(
                t.contains(&format!("{name}.toml")),
                "{name}: message must name the file: {t}"
            );
            for n in needles {
                assert!(t.contains(n), "{name}: message must mention `{n}`: {t}");
            }
            assert!(
                !out_dir.join("summary.csv").exists(),
                "{name}: no results on bad input"
            );
        }
    }
    // Bad command-line values: exit 2 too.
    for args in [
        vec!["run", "--runs", "zero"],
        vec!["run", "--runs", "0", "--quiet", "--out", "/nonexistent/x"],
        vec!["replay", "--regime", "nope"],
        vec!["validate", "/nonexistent/config.toml"],
        vec!["frobnicate"],
    ] {
        let o = run_in(&args, Some(&d));
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(!text(&o).contains("panicked"));
    }
}

/// An existing results directory is not overwritten without --force; no temporary files remain.
#[test]
fn results_are_protected_and_written_atomically() {
    let d = tmp("protect");
    let out = d.join("o");
    let o = out.to_str().unwrap();
    let first = run_in(
        &["run", "--runs", "200", "--periods", "12", "--out", o, "--quiet"],
        Some(&d),
    );
    assert!(first.status.success(), "{}", text(&first));
    let before = std::fs::read(out.join("summary.csv")).unwrap();
    let again = run_in(
        &["run", "--runs", "100", "--seed", "8", "--out", o, "--quiet"],
        Some(&d),
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again).contains("--force"));
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), before);
    let forced = run_in(
        &[
            "run", "--runs", "100", "--seed", "8", "--out", o, "--quiet", "--force",
        ],
        Some(&d),
    );
    assert!(forced.status.success());
    assert_ne!(std::fs::read(out.join("summary.csv")).unwrap(), before);
    // A killed --force run keeps the old results (the new set is built in a sibling directory and
    // swapped in whole) and leaves only its staging directory, which the next run removes.
    let before = std::fs::read(out.join("summary.csv")).unwrap();
    let mut child = Command::new(BIN)
        .args([
            "run",
            "--runs",
            "50000000",
            "--per-run",
            "--out",
            o,
            "--quiet",
            "--force",
        ])
        .current_dir(&d)
        .spawn()
        .unwrap();
    let prefix = format!(".o.deterrence-sim-new.{}-", child.id());
    let find = || {
        std::fs::read_dir(&d)
            .unwrap()
            .flatten()
            .find(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .map(|e| e.path())
    };
    let t0 = std::time::Instant::now();
    while find().is_none() && t0.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let staging = find().expect("the --force run builds its results aside");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(staging.exists());
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), before);
    assert!(out.join("manifest.json").exists());
    let forced = run_in(
        &[
            "run", "--runs", "100", "--seed", "8", "--out", o, "--quiet", "--force",
        ],
        Some(&d),
    );
    assert!(forced.status.success());
    assert!(!staging.exists());
    // An --out that is a file is a usage error.
    let f = d.join("a-file");
    std::fs::write(&f, "x").unwrap();
    let bad = run_in(
        &["run", "--runs", "10", "--out", f.to_str().unwrap(), "--quiet"],
        Some(&d),
    );
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(text(&bad).contains("not a directory"), "{}", text(&bad));
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| (n.starts_with('.') || n.contains("tmp")) && n != ".deterrence-sim.lock")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // The manifest lists every file with its SHA-256.
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    for f in [
        "summary.csv",
        "guarantors.csv",
        "timeline.csv",
        "deterrence.png",
        "survival.svg",
        "beliefs.png",
    ] {
        assert_eq!(m["files"][f].as_str().map(str::len), Some(64), "{f}");
    }
    assert_eq!(m["seed"], 8);
}

/// Outside the repository the built-in default runs; init writes it out; validate accepts it;
/// plot redraws the charts from the CSVs.
#[test]
fn builtin_default_init_validate_plot() {
    let d = tmp("builtin");
    let o = run_in(&["run", "--runs", "100", "--periods", "6", "--quiet"], Some(&d));
    assert!(o.status.success(), "{}", text(&o));
    let res = d.join("output/default");
    assert!(res.join("summary.csv").exists());
    let i = run_in(&["init", "study"], Some(&d));
    assert!(i.status.success());
    assert_eq!(
        std::fs::read_to_string(d.join("study/default.toml")).unwrap(),
        // The default config, named after its directory.
        DEFAULT.replacen("name = \"default\"", "name = \"study\"", 1)
    );
    assert_eq!(run_in(&["init", "study"], Some(&d)).status.code(), Some(2));
    let v = run_in(&["validate", "study/default.toml"], Some(&d));
    assert!(v.status.success() && text(&v).contains("valid"), "{}", text(&v));
    // validate also checks sweep and sensitivity files, every design point included.
    let sweep = "name = \"s\"\nbase = \"default.toml\"\nreplicates = 10\n[design]\nkind = \"grid\"\n\
                 [[parameters]]\npath = \"russia.lambda\"\nvalues = [1.0, 2.0]\n";
    std::fs::write(d.join("study/s.toml"), sweep).unwrap();
    let v = run_in(&["validate", "study/s.toml"], Some(&d));
    assert!(
        v.status.success() && text(&v).contains("valid sweep file (2 points"),
        "{}",
        text(&v)
    );
    std::fs::write(d.join("study/s.toml"), sweep.replace("1.0, 2.0", "1.0, -2.0")).unwrap();
    let v = run_in(&["validate", "study/s.toml"], Some(&d));
    assert_eq!(v.status.code(), Some(2), "{}", text(&v));
    assert!(
        text(&v).contains("point 1") && text(&v).contains("russia.lambda"),
        "{}",
        text(&v)
    );
    for f in ["deterrence.png", "survival.svg", "beliefs.png"] {
        std::fs::remove_file(res.join(f)).unwrap();
    }
    let p = run_in(&["plot", res.to_str().unwrap()], Some(&d));
    assert!(p.status.success(), "{}", text(&p));
    for f in ["deterrence.png", "survival.svg", "beliefs.png"] {
        assert!(res.join(f).metadata().unwrap().len() > 1000, "{f}");
    }
}

/// Same seed, 1 or 3 threads: byte-identical CSV files.
#[test]
fn cli_results_do_not_depend_on_threads() {
    let d = tmp("threads");
    for k in ["1", "3"] {
        let out = d.join(k);
        let o = run_in(
            &[
                "run",
                "--runs",
                "600",
                "--periods",
                "18",
                "--seed",
                "4",
                "--threads",
                k,
                "--quiet",
                "--out",
                out.to_str().unwrap(),
            ],
            Some(&d),
        );
        assert!(o.status.success(), "{}", text(&o));
    }
    for f in ["summary.csv", "guarantors.csv", "timeline.csv"] {
        assert_eq!(
            std::fs::read(d.join("1").join(f)).unwrap(),
            std::fs::read(d.join("3").join(f)).unwrap(),
            "{f}"
        );
    }
}

/// Replay prints a trace, as text or JSON, and agrees with the run's outcome.
#[test]
fn replay_prints_a_trace() {
    let d = tmp("replay");
    let o = run_in(&["replay", "--regime", "nato_light", "--run", "5"], Some(&d));
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("outcome:"));
    let j = run_in(
        &["replay", "--regime", "article5", "--run", "2", "--json"],
        Some(&d),
    );
    let v: serde_json::Value = serde_json::from_slice(&j.stdout).unwrap();
    assert_eq!(v["regime"], "article5");
    assert!(v["months"].as_array().unwrap().len() <= 36);
}

#[test]
fn every_command_has_help_with_an_example() {
    for c in ["run", "replay", "validate", "init", "plot"] {
        let o = run_in(&[c, "--help"], None);
        assert!(o.status.success());
        assert!(text(&o).contains("Example"), "{c}");
    }
}

/// `--set` edits any parameter by path (and is checked like a file); `--per-run` writes one row
/// per regime, force arm and run that adds up to the summary.
#[test]
fn set_overrides_and_per_run_rows() {
    let d = tmp("set");
    let a = d.join("a");
    let o = run_in(
        &[
            "run",
            "--runs",
            "300",
            "--periods",
            "12",
            "--per-run",
            "--quiet",
            "--out",
            a.to_str().unwrap(),
            "--set",
            "modifiers.reassurance_troops=0",
        ],
        Some(&d),
    );
    assert!(o.status.success(), "{}", text(&o));
    let runs = std::fs::read_to_string(a.join("runs.csv")).unwrap();
    let summary = std::fs::read_to_string(a.join("summary.csv")).unwrap();
    for line in summary.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let successes = runs
            .lines()
            .filter(|l| l.starts_with(&format!("{},{},", c[0], c[1])) && l.split(',').nth(3) == Some("true"))
            .count();
        assert_eq!(successes.to_string(), c[3], "{} {}", c[0], c[1]);
    }
    // One row per regime, force arm (without, with) and run.
    assert_eq!(runs.lines().count(), 1 + 300 * 8);
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["config"]["modifiers"]["reassurance_troops"], 0.0);
    assert!(m["files"]["runs.csv"].is_string());
    // The same through a config file gives the same bytes.
    let f = d.join("c.toml");
    std::fs::write(
        &f,
        DEFAULT.replace("reassurance_troops = 10000.0", "reassurance_troops = 0.0"),
    )
    .unwrap();
    let b = d.join("b");
    let o = run_in(
        &[
            "run",
            f.to_str().unwrap(),
            "--runs",
            "300",
            "--periods",
            "12",
            "--quiet",
            "--out",
            b.to_str().unwrap(),
        ],
        Some(&d),
    );
    assert!(o.status.success());
    assert_eq!(
        std::fs::read(a.join("summary.csv")).unwrap(),
        std::fs::read(b.join("summary.csv")).unwrap()
    );
    // A wrong path is a clear error with suggestions.
    let o = run_in(
        &[
            "run",
            "--set",
            "russia.lamda=3",
            "--quiet",
            "--out",
            d.join("c").to_str().unwrap(),
        ],
        Some(&d),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("russia.lambda"), "{}", text(&o));
}
