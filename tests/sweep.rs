//! Sweeps end to end: thread invariance, resume after kill -9, point reproduction, shards and
//! merge, and every bad sweep-file class.

mod util;
use util::*;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// A small 2-D grid sweep over the built-in default.
fn write_sweep(dir: &Path, name: &str, replicates: u64, extra: &str) -> PathBuf {
    let f = dir.join(format!("{name}.toml"));
    std::fs::write(
        &f,
        format!(
            "replicates = {replicates}\nperiods = 12\nseed = 17\n{extra}\n[design]\nkind = \"grid\"\n\n\
             [[parameters]]\npath = \"russia.war_cost\"\nvalues = [1.0, 3.0]\n\n\
             [[parameters]]\npath = \"regimes.nato_light.deadline_hours\"\nrange = [12.0, 72.0]\nlevels = 3\n"
        ),
    )
    .unwrap();
    f
}

fn sweep(f: &Path, out: &Path, more: &[&str]) -> Output {
    let mut a = vec![
        "sweep",
        f.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    a.extend_from_slice(more);
    run(&a)
}

fn points(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join("points.csv")).unwrap()
}

#[test]
fn grid_points_threads_and_point_reproduction() {
    let d = tmp("grid");
    let f = write_sweep(&d, "g", 150, "");
    let a = sweep(&f, &d.join("a"), &["--threads", "1"]);
    assert!(a.status.success(), "{}", text(&a));
    let b = sweep(&f, &d.join("b"), &["--threads", "3"]);
    assert!(b.status.success());
    assert_eq!(
        points(&d.join("a")),
        points(&d.join("b")),
        "thread count changed points.csv"
    );
    let csv = String::from_utf8(points(&d.join("a"))).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("point,russia.war_cost,regimes.nato_light.deadline_hours,regime,runs,successes,success_rate,ci_low,ci_high,diff_vs_none"));
    // 2 x 3 grid, last dimension fastest, 4 regimes per point.
    assert_eq!(lines.len(), 1 + 6 * 4);
    let values: Vec<(&str, &str)> = lines[1..]
        .iter()
        .step_by(4)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[1], c[2])
        })
        .collect();
    assert_eq!(
        values,
        [
            ("1.0", "12.0"),
            ("1.0", "42.0"),
            ("1.0", "72.0"),
            ("3.0", "12.0"),
            ("3.0", "42.0"),
            ("3.0", "72.0")
        ]
    );
    // Rerun point 4 alone: the same rows.
    let p = run(&[
        "run",
        "--from-sweep",
        d.join("a").to_str().unwrap(),
        "--point",
        "4",
        "--out",
        d.join("p4").to_str().unwrap(),
        "--quiet",
    ]);
    assert!(p.status.success(), "{}", text(&p));
    let rows = std::fs::read_to_string(d.join("p4/point.csv")).unwrap();
    let want: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("4,")).collect();
    assert_eq!(rows.lines().skip(1).collect::<Vec<_>>(), want);
    assert!(d.join("p4/summary.csv").exists());
    // The charts are there and plot redraws them.
    assert!(d.join("a/sweep.png").exists() && d.join("a/sweep_diff.png").exists());
    std::fs::remove_file(d.join("a/sweep.png")).unwrap();
    assert!(run(&["plot", d.join("a").to_str().unwrap()]).status.success());
    assert!(d.join("a/sweep.png").exists());
}

#[test]
fn resume_after_kill_is_byte_identical() {
    let d = tmp("resume");
    let f = write_sweep(&d, "r", 500, "");
    let full = sweep(&f, &d.join("full"), &[]);
    assert!(full.status.success(), "{}", text(&full));
    let want = points(&d.join("full"));
    for (k, ms) in [50u64, 400, 1200, 2500].into_iter().enumerate() {
        let out = d.join(format!("k{k}"));
        let mut child = Command::new(BIN)
            .args([
                "sweep",
                f.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--quiet",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        if !out.join("sweep-state.json").exists() {
            continue; // killed before it started: nothing to resume
        }
        let r = sweep(&f, &out, &["--resume"]);
        assert!(r.status.success(), "kill at {ms} ms: {}", text(&r));
        assert_eq!(points(&out), want, "resumed after kill at {ms} ms differs");
    }
    // A torn last line in the partial file: the incomplete point is rerun.
    let out = d.join("torn");
    assert!(sweep(&f, &out, &["--points", "2"]).status.success());
    let csv = String::from_utf8(points(&out)).unwrap();
    std::fs::remove_file(out.join("points.csv")).unwrap();
    std::fs::remove_file(out.join("manifest.json")).unwrap();
    std::fs::write(out.join("points.partial.csv"), &csv[..csv.len() - 25]).unwrap();
    // --points changes the design, so this directory can only be resumed with the same --points.
    let r = sweep(&f, &out, &["--points", "2", "--resume"]);
    assert!(r.status.success(), "{}", text(&r));
    assert_eq!(String::from_utf8(points(&out)).unwrap(), csv);
    // Resume is refused for another seed or another sweep file.
    let r = sweep(&f, &d.join("full"), &["--resume", "--seed", "5"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(text(&r).contains("different study"), "{}", text(&r));
    let g = write_sweep(&d, "other", 300, "");
    let r = sweep(&g, &d.join("full"), &["--resume"]);
    assert_eq!(r.status.code(), Some(2));
    // Without --resume or --force an existing sweep is not touched.
    let r = sweep(&f, &d.join("full"), &[]);
    assert_eq!(r.status.code(), Some(2));
    assert_eq!(points(&d.join("full")), want);
}

#[test]
fn shards_merge_identically_and_merge_refuses_bad_sets() {
    let d = tmp("shards");
    let f = write_sweep(&d, "s", 120, "");
    assert!(sweep(&f, &d.join("full"), &[]).status.success());
    let want = points(&d.join("full"));
    for n in 1..=4 {
        let mut dirs = Vec::new();
        for k in 0..n {
            let out = d.join(format!("n{n}-{k}"));
            let s = sweep(&f, &out, &["--shard", &format!("{k}/{n}")]);
            assert!(s.status.success(), "{}", text(&s));
            dirs.push(out.to_str().unwrap().to_string());
        }
        let m = d.join(format!("merged{n}"));
        let mut args = vec!["merge".to_string(), m.to_str().unwrap().to_string()];
        args.extend(dirs.iter().cloned());
        let o = Command::new(BIN).args(&args).output().unwrap();
        assert!(o.status.success(), "{}", text(&o));
        assert_eq!(points(&m), want, "merge of {n} shards differs");
    }
    let s = |k: usize| d.join(format!("n3-{k}")).to_str().unwrap().to_string();
    let merged = |args: &[String]| {
        let mut a = vec![
            "merge".to_string(),
            d.join(format!("bad{}", args.len())).to_str().unwrap().to_string(),
            "--force".into(),
        ];
        a.extend(args.iter().cloned());
        Command::new(BIN).args(&a).output().unwrap()
    };
    let o = merged(&[s(0), s(1)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("missing shard(s) 2/3"), "{}", text(&o));
    let o = merged(&[s(0), s(1), s(1)]);
    assert!(text(&o).contains("is shard 1/3"), "{}", text(&o));
    // A shard of another seed.
    let other = d.join("seed9");
    assert!(sweep(&f, &other, &["--shard", "2/3", "--seed", "9"])
        .status
        .success());
    let o = merged(&[s(0), s(1), other.to_str().unwrap().to_string()]);
    assert!(
        text(&o).contains("different study") && text(&o).contains("seeds"),
        "{}",
        text(&o)
    );
    // An unfinished shard.
    std::fs::remove_file(d.join("n3-2/points.csv")).unwrap();
    let o = merged(&[s(0), s(1), s(2)]);
    assert!(
        text(&o).contains("unfinished") && text(&o).contains("--resume"),
        "{}",
        text(&o)
    );
}

#[test]
fn bad_sweep_files_are_clear_errors() {
    let d = tmp("bad");
    let base = "replicates = 10\n[design]\nkind = \"grid\"\n[[parameters]]\npath = \"russia.war_cost\"\nvalues = [1.0]\n";
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        ("malformed", "replicates = \n".into(), vec!["malformed.toml"]),
        (
            "unknown-field",
            base.replace("replicates = 10", "replicates = 10\nrepeats = 3"),
            vec!["unknown field", "repeats"],
        ),
        (
            "unknown-path",
            base.replace("russia.war_cost", "russia.warcost"),
            vec!["russia.warcost", "nearest valid paths", "russia.war_cost"],
        ),
        (
            "bad-value",
            base.replace("values = [1.0]", "values = [1.0, -4.0]"),
            vec!["point 1", "russia.war_cost", "finite number"],
        ),
        (
            "bad-kind",
            base.replace("kind = \"grid\"", "kind = \"factorial\""),
            vec!["design.kind", "factorial", "lhs"],
        ),
        (
            "lhs-no-points",
            base.replace("kind = \"grid\"", "kind = \"lhs\"")
                .replace("values = [1.0]", "range = [1.0, 2.0]"),
            vec!["design.points", "required"],
        ),
        (
            "bad-range",
            base.replace("values = [1.0]", "range = [2.0, 1.0]"),
            vec!["range", "low < high"],
        ),
        (
            "no-parameters",
            "replicates = 10\n[design]\nkind = \"grid\"\n".into(),
            vec!["parameters", "at least one"],
        ),
        (
            "zero-replicates",
            base.replace("replicates = 10", "replicates = 0"),
            vec!["replicates"],
        ),
        (
            "unknown-regime",
            base.replace("replicates = 10", "replicates = 10\nregimes = [\"nato_lite\"]"),
            vec!["nato_lite", "nato_light"],
        ),
        (
            "missing-table",
            base.replace("kind = \"grid\"", "kind = \"table\"\nfile = \"nope.csv\""),
            vec!["nope.csv"],
        ),
        ("run-path", base.replace("russia.war_cost", "run.seed"), vec!["run.seed", "cannot be varied"]),
        (
            "dup-path",
            format!("{base}[[parameters]]\npath = \"russia.war_cost\"\nvalues = [2.0]\n"),
            vec!["listed twice"],
        ),
        (
            "bad-name",
            base.replace("replicates = 10", "name = \"../escape\"\nreplicates = 10"),
            vec!["name", "../escape"],
        ),
        (
            "bool-range",
            "replicates = 10\n[design]\nkind = \"lhs\"\npoints = 4\n[[parameters]]\npath = \"guarantors.USA.troops\"\nrange = [0.0, 1.0]\n".into(),
            vec!["true/false", "values = [0, 1]"],
        ),
        (
            "huge-levels",
            base.replace("values = [1.0]", "range = [1.0, 2.0]\nlevels = 100000000000"),
            vec!["levels"],
        ),
    ];
    for (name, body, needles) in cases {
        let f = d.join(format!("{name}.toml"));
        std::fs::write(&f, body).unwrap();
        let o = sweep(&f, &d.join(format!("out-{name}")), &[]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {t}");
        assert!(!t.contains("panicked"), "{name}: {t}");
        for n in needles {
            assert!(t.contains(n), "{name}: message must mention `{n}`: {t}");
        }
    }
}

#[test]
fn resume_accepts_another_spelling_of_the_same_paths_and_damaged_files_are_errors() {
    let d = tmp("spelling");
    let f = write_sweep(&d, "p", 60, "");
    let out = d.join("o");
    assert!(sweep(&f, &out, &[]).status.success());
    // The same study, named through another path: resumable (nothing left to do).
    let other = d.join(".").join("p.toml");
    let r = sweep(&other, &out, &["--resume"]);
    assert!(r.status.success(), "{}", text(&r));
    // A damaged points.csv: plot says so (exit 2), no panic.
    let mut csv = std::fs::read_to_string(out.join("points.csv")).unwrap();
    csv.push_str("3\n");
    std::fs::write(out.join("points.csv"), csv).unwrap();
    let o = run(&["plot", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("damaged") && !text(&o).contains("panicked"),
        "{}",
        text(&o)
    );
}

/// Random designs (LHS, Sobol) have parameter values with all 17 digits: the state file must
/// give them back exactly, or resume and point reruns would not match.
#[test]
fn random_designs_resume_and_rerun_exactly() {
    let d = tmp("lhs");
    let f = d.join("l.toml");
    std::fs::write(
        &f,
        "replicates = 60\nperiods = 12\nseed = 8\n[design]\nkind = \"lhs\"\npoints = 6\n\
         [[parameters]]\npath = \"guarantors.USA.public_support\"\nrange = [0.05, 0.95]\n\
         [[parameters]]\npath = \"russia.war_cost\"\nrange = [0.5, 3.0]\n",
    )
    .unwrap();
    let out = d.join("o");
    assert!(sweep(&f, &out, &[]).status.success());
    let want = String::from_utf8(points(&out)).unwrap();
    // Simulate an interruption after two points: keep header + 2 points x 4 regimes.
    let kept: String = want.split_inclusive('\n').take(1 + 2 * 4).collect();
    std::fs::remove_file(out.join("points.csv")).unwrap();
    std::fs::remove_file(out.join("manifest.json")).unwrap();
    std::fs::write(out.join("points.partial.csv"), kept).unwrap();
    let r = sweep(&f, &out, &["--resume"]);
    assert!(r.status.success(), "{}", text(&r));
    assert_eq!(String::from_utf8(points(&out)).unwrap(), want);
    let p = run(&[
        "run",
        "--from-sweep",
        out.to_str().unwrap(),
        "--point",
        "4",
        "--out",
        d.join("p").to_str().unwrap(),
        "--quiet",
    ]);
    assert!(p.status.success(), "{}", text(&p));
    let rows = std::fs::read_to_string(d.join("p/point.csv")).unwrap();
    let mine: Vec<&str> = want.lines().filter(|l| l.starts_with("4,")).collect();
    assert_eq!(rows.lines().skip(1).collect::<Vec<_>>(), mine);
}

/// `--per-run` writes one row per point, regime and replicate; they add up to points.csv, and
/// survive an interruption (rows of a torn point are dropped and rerun).
#[test]
fn per_run_rows_add_up_and_resume() {
    let d = tmp("perrun");
    let f = write_sweep(&d, "r", 40, "");
    let out = d.join("o");
    assert!(sweep(&f, &out, &["--per-run"]).status.success());
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let pts = String::from_utf8(points(&out)).unwrap();
    assert_eq!(runs.lines().count(), 1 + 6 * 4 * 40);
    for line in pts.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let (p, regime, successes) = (c[0], c[3], c[5]);
        let n = runs
            .lines()
            .filter(|l| {
                let r: Vec<&str> = l.split(',').collect();
                r[0] == p && r[3] == regime && r[5] == "true"
            })
            .count();
        assert_eq!(n.to_string(), successes, "point {p} {regime}");
    }
    // Interrupt after 3 points, with half of point 3's run rows written.
    let keep_pts: String = pts.split_inclusive('\n').take(1 + 3 * 4).collect();
    let torn: String = runs.split_inclusive('\n').take(1 + 3 * 4 * 40 + 70).collect();
    for f in ["points.csv", "runs.csv", "manifest.json"] {
        std::fs::remove_file(out.join(f)).unwrap();
    }
    std::fs::write(out.join("points.partial.csv"), keep_pts).unwrap();
    std::fs::write(out.join("runs.partial.csv"), torn).unwrap();
    let r = sweep(&f, &out, &["--per-run", "--resume"]);
    assert!(r.status.success(), "{}", text(&r));
    assert_eq!(std::fs::read_to_string(out.join("runs.csv")).unwrap(), runs);
    assert_eq!(String::from_utf8(points(&out)).unwrap(), pts);
}

#[test]
fn table_and_sobol_designs_run() {
    let d = tmp("designs");
    std::fs::write(
        d.join("pts.csv"),
        "russia.war_cost,modifiers.reassurance_troops\n1.0,0\n2.5,20000\n",
    )
    .unwrap();
    let f = d.join("t.toml");
    std::fs::write(
        &f,
        "replicates = 50\nperiods = 6\n[design]\nkind = \"table\"\nfile = \"pts.csv\"\n",
    )
    .unwrap();
    let o = sweep(&f, &d.join("t"), &[]);
    assert!(o.status.success(), "{}", text(&o));
    let csv = String::from_utf8(points(&d.join("t"))).unwrap();
    assert!(csv.lines().nth(5).unwrap().starts_with("1,2.5,20000.0,"), "{csv}");
    let g = d.join("s.toml");
    std::fs::write(&g, "replicates = 30\nperiods = 6\n[design]\nkind = \"sobol\"\npoints = 8\n[[parameters]]\npath = \"russia.lambda\"\nrange = [1.0, 3.0]\n[[parameters]]\npath = \"russia.war_cost\"\nrange = [0.0, 4.0]\n[[parameters]]\npath = \"ukraine.defence_multiplier\"\nrange = [1.0, 2.0]\n").unwrap();
    let o = sweep(&g, &d.join("s"), &[]);
    assert!(o.status.success(), "{}", text(&o));
    let csv = String::from_utf8(points(&d.join("s"))).unwrap();
    // Unscrambled Sobol: point 1 is the centre of the box.
    assert!(csv.lines().any(|l| l.starts_with("1,2.0,2.0,1.5,")), "{csv}");
}
