//! `sweep --ensemble POSTERIOR`: every point's runs draw their parameters from a calibration's
//! posterior, as `run --ensemble` does. A single point at the base config's values is
//! `run --ensemble` exactly; a swept path of the posterior takes the sweep's value; the result
//! does not depend on the thread count; resume, shards and merge give the same bytes and refuse
//! to mix an ensemble sweep with a plain one; damaged or foreign posteriors are refused.

mod util;
use util::*;

use std::path::{Path, PathBuf};
use std::process::Output;

/// Two particles far apart (weights 1 and 2), so a wrong draw or a particle not applied shows.
const POSTERIOR: &str = "generation,particle,weight,distance,russia.lambda,russia.war_cost\n\
     0,0,1,,9,9\n\
     1,0,1,0.5,1.0,0.5\n\
     1,1,2,0.4,4.0,3.0\n";

/// A directory with the default config, the posterior and a grid sweep over
/// `regimes.nato_light.deadline_hours` (default 24) with `values`.
fn setup(name: &str, values: &str, extra: &str) -> (PathBuf, PathBuf, PathBuf) {
    let d = tmp(name);
    std::fs::write(d.join("default.toml"), DEFAULT).unwrap();
    std::fs::write(d.join("posterior.csv"), POSTERIOR).unwrap();
    let f = d.join("s.toml");
    std::fs::write(
        &f,
        format!(
            "base = \"default.toml\"\nreplicates = 200\nperiods = 12\nseed = 17\n{extra}\n[design]\nkind = \"grid\"\n\
             [[parameters]]\npath = \"regimes.nato_light.deadline_hours\"\nvalues = [{values}]\n"
        ),
    )
    .unwrap();
    let post = d.join("posterior.csv");
    (d, f, post)
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

fn points(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("points.csv")).unwrap()
}

/// `run --ensemble` on the default config of `d` with 200 runs of 12 months, seed 17, and the
/// `--set`s given: its `ensemble.csv` rows.
fn run_ensemble(d: &Path, post: &Path, out: &str, sets: &[&str]) -> Vec<Vec<String>> {
    let cfg = d.join("default.toml");
    let mut a = vec![
        "run",
        cfg.to_str().unwrap(),
        "--runs",
        "200",
        "--periods",
        "12",
        "--seed",
        "17",
        "--quiet",
        "--ensemble",
        post.to_str().unwrap(),
        "--out",
    ];
    let o = d.join(out);
    a.push(o.to_str().unwrap());
    for s in sets {
        a.extend(["--set", s]);
    }
    let r = run(&a);
    assert!(r.status.success(), "{}", text(&r));
    rows(&o.join("ensemble.csv"))
}

/// The sweep's rows of point 0 against `run --ensemble`'s rows of the arm with the force (a
/// sweep runs that arm): the same successes and paired differences, regime by regime.
fn assert_same_as_run(sweep_rows: &[Vec<String>], ens: &[Vec<String>], np: usize) {
    let col = |rows: &[Vec<String>], name: &str| rows[0].iter().position(|c| c == name).unwrap();
    let (wins, better, worse) = (
        col(sweep_rows, "successes"),
        col(sweep_rows, "better_than_none"),
        col(sweep_rows, "worse_than_none"),
    );
    let (rate, diff) = (col(ens, "success_rate"), col(ens, "diff_vs_baseline"));
    let with: Vec<&Vec<String>> = ens[1..].iter().filter(|r| r[1] == "with").collect();
    let mine: Vec<&Vec<String>> = sweep_rows[1..].iter().filter(|r| r[0] == "0").collect();
    assert_eq!(mine.len(), with.len());
    let f = |x: &str| x.parse::<f64>().unwrap();
    for (s, e) in mine.iter().zip(&with) {
        assert_eq!(s[1 + np], e[0], "regime order");
        assert_eq!(f(&s[wins]) / 200.0, f(&e[rate]), "{s:?} vs {e:?}");
        let d = (f(&s[better]) - f(&s[worse])) / 200.0;
        assert!((d - f(&e[diff])).abs() < 1e-15, "{s:?} vs {e:?}");
    }
}

/// One point at the base config's own value is `run --ensemble` on the same config; the result
/// is the same on 1 and 3 threads; the posterior's particles are applied (the rows differ from
/// a plain sweep's); the sweep file's `ensemble` is the same as `--ensemble`.
#[test]
fn single_point_is_run_ensemble_and_threads_do_not_matter() {
    let (d, f, post) = setup("ens-one", "24.0", "");
    let p = post.to_str().unwrap();
    let a = sweep(&f, &d.join("a"), &["--ensemble", p, "--threads", "1"]);
    assert!(a.status.success(), "{}", text(&a));
    let ens = run_ensemble(&d, &post, "r", &[]);
    assert_same_as_run(&rows(&d.join("a/points.csv")), &ens, 1);
    // Thread invariance over several points.
    let (d3, f3, post3) = setup("ens-threads", "6.0, 24.0, 72.0", "");
    let p3 = post3.to_str().unwrap();
    let one = sweep(&f3, &d3.join("t1"), &["--ensemble", p3, "--threads", "1"]);
    assert!(one.status.success(), "{}", text(&one));
    let three = sweep(&f3, &d3.join("t3"), &["--ensemble", p3, "--threads", "3"]);
    assert!(three.status.success(), "{}", text(&three));
    assert_eq!(points(&d3.join("t1")), points(&d3.join("t3")));
    // The particles change the results: a plain sweep of the same file differs.
    let plain = sweep(&f3, &d3.join("plain"), &[]);
    assert!(plain.status.success(), "{}", text(&plain));
    assert_ne!(points(&d3.join("plain")), points(&d3.join("t1")));
    // One particle at the base config's own values (russia.lambda, russia.war_cost): the plain
    // sweep, every column to the last bit.
    let base = d3.join("base.csv");
    let (lambda, war_cost) = (
        util::default_value("russia", "lambda"),
        util::default_value("russia", "war_cost"),
    );
    std::fs::write(
        &base,
        format!("generation,particle,weight,distance,russia.lambda,russia.war_cost\n3,0,1,0.1,{lambda},{war_cost}\n"),
    )
    .unwrap();
    let o = sweep(&f3, &d3.join("one"), &["--ensemble", base.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(points(&d3.join("one")), points(&d3.join("plain")));
    // Named in the sweep file (relative to it): the same study, the same bytes.
    let (d4, f4, _) = setup("ens-file", "6.0, 24.0, 72.0", "ensemble = \"posterior.csv\"");
    let o = sweep(&f4, &d4.join("o"), &["--threads", "2"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(points(&d4.join("o")), points(&d3.join("t1")));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d4.join("o/manifest.json")).unwrap()).unwrap();
    let e = &m["extra"]["ensemble"];
    assert_eq!(e["posterior_generation"], 1);
    assert_eq!(e["posterior_particles"], 2);
    assert_eq!(e["draws_per_point"], 2);
    assert_eq!(e["posterior_sha256"].as_str().unwrap().len(), 64, "{m}");
    assert!(e["intervals"]
        .as_str()
        .unwrap()
        .contains("(parameters, randomness)"));
}

/// A swept path that is also a posterior parameter takes the sweep's value: the rows are those
/// of `run --ensemble` over the posterior without that column, with the value `--set` (the
/// draws depend only on the weights); a note says so and the manifest records it.
#[test]
fn a_swept_posterior_path_takes_the_sweep_value() {
    let d = tmp("ens-over");
    std::fs::write(d.join("default.toml"), DEFAULT).unwrap();
    let post = d.join("posterior.csv");
    std::fs::write(&post, POSTERIOR).unwrap();
    let f = d.join("s.toml");
    std::fs::write(
        &f,
        "base = \"default.toml\"\nreplicates = 200\nperiods = 12\nseed = 17\n[design]\nkind = \"grid\"\n\
         [[parameters]]\npath = \"russia.lambda\"\nvalues = [2.0]\n",
    )
    .unwrap();
    let out = d.join("o");
    let o = run(&[
        "sweep",
        f.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--ensemble",
        post.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("note:") && t.contains("russia.lambda"), "{t}");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        m["extra"]["ensemble"]["overridden_by_sweep"],
        serde_json::json!(["russia.lambda"])
    );
    let war_only = d.join("war_cost.csv");
    std::fs::write(
        &war_only,
        "generation,particle,weight,distance,russia.war_cost\n0,0,1,,9\n1,0,1,0.5,0.5\n1,1,2,0.4,3.0\n",
    )
    .unwrap();
    let ens = run_ensemble(&d, &war_only, "r", &["russia.lambda=2.0"]);
    assert_same_as_run(&rows(&out.join("points.csv")), &ens, 1);
}

/// An interrupted ensemble sweep resumes to the same bytes; two shards merge to the same bytes;
/// a point reruns alone to its rows; resuming or merging without the ensemble (or with another
/// posterior) is refused.
#[test]
fn resume_shards_and_merge_give_identical_bytes() {
    let (d, f, post) = setup("ens-resume", "6.0, 12.0, 24.0, 72.0", "");
    let p = post.to_str().unwrap();
    let full = d.join("full");
    let o = sweep(&f, &full, &["--ensemble", p]);
    assert!(o.status.success(), "{}", text(&o));
    let want = points(&full);
    // Interrupted after two points, the third torn.
    let out = d.join("cut");
    assert!(sweep(&f, &out, &["--ensemble", p]).status.success());
    let kept: String = want.split_inclusive('\n').take(1 + 2 * 4 + 1).collect();
    let kept = &kept[..kept.len() - 10];
    for x in ["points.csv", "manifest.json"] {
        std::fs::remove_file(out.join(x)).unwrap();
    }
    std::fs::write(out.join("points.partial.csv"), kept).unwrap();
    // Without the ensemble the directory is another study's.
    let r = sweep(&f, &out, &["--resume"]);
    assert_eq!(r.status.code(), Some(2), "{}", text(&r));
    assert!(
        text(&r).contains("different study") && text(&r).contains("ensemble"),
        "{}",
        text(&r)
    );
    // Nor with another posterior.
    let other = d.join("other.csv");
    std::fs::write(&other, POSTERIOR.replace("1,1,2,0.4,4.0", "1,1,2,0.4,4.5")).unwrap();
    let r = sweep(&f, &out, &["--resume", "--ensemble", other.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(2), "{}", text(&r));
    assert!(text(&r).contains("ensemble"), "{}", text(&r));
    let r = sweep(&f, &out, &["--resume", "--ensemble", p]);
    assert!(r.status.success(), "{}", text(&r));
    assert_eq!(points(&out), want);
    // Two shards, merged.
    let mut dirs = Vec::new();
    for k in 0..2 {
        let s = d.join(format!("s{k}"));
        let o = sweep(&f, &s, &["--ensemble", p, "--shard", &format!("{k}/2")]);
        assert!(o.status.success(), "{}", text(&o));
        dirs.push(s);
    }
    let m = d.join("merged");
    let o = run(&[
        "merge",
        m.to_str().unwrap(),
        dirs[0].to_str().unwrap(),
        dirs[1].to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(points(&m), want);
    // A plain shard does not merge with an ensemble shard.
    let plain = d.join("plain1");
    assert!(sweep(&f, &plain, &["--shard", "1/2"]).status.success());
    let o = run(&[
        "merge",
        d.join("bad").to_str().unwrap(),
        dirs[0].to_str().unwrap(),
        plain.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("different study") && text(&o).contains("ensemble"),
        "{}",
        text(&o)
    );
    // With --per-run: one row per point, regime and replicate, adding up to points.csv.
    let pr = d.join("perrun");
    let o = sweep(&f, &pr, &["--ensemble", p, "--per-run"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(points(&pr), want);
    let runs = std::fs::read_to_string(pr.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 4 * 4 * 200);
    for line in want.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let n = runs
            .lines()
            .filter(|l| {
                let r: Vec<&str> = l.split(',').collect();
                r[0] == c[0] && r[2] == c[2] && r[4] == "true"
            })
            .count();
        assert_eq!(n.to_string(), c[4], "point {} {}", c[0], c[2]);
    }
    // One point rerun alone from the directory: its rows.
    let o = run(&[
        "run",
        "--from-sweep",
        full.to_str().unwrap(),
        "--point",
        "2",
        "--out",
        d.join("p2").to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let rows = std::fs::read_to_string(d.join("p2/point.csv")).unwrap();
    let mine: Vec<&str> = want.lines().filter(|l| l.starts_with("2,")).collect();
    assert_eq!(rows.lines().skip(1).collect::<Vec<_>>(), mine);
}

/// A damaged posterior is refused naming the file and line; so are a column the base config
/// does not have, a `run.*` column, a repeated column and a missing file; all exit 2.
#[test]
fn damaged_or_foreign_posteriors_are_refused() {
    let (d, f, post) = setup("ens-bad", "24.0", "");
    let header = "generation,particle,weight,distance";
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "weight",
            format!("{header},russia.lambda\n1,0,1,0.1,2.0\n1,1,x,0.1,3.0\n"),
            vec!["line 3", "weight"],
        ),
        (
            "cells",
            format!("{header},russia.lambda\n1,0,1,0.1,2.0,7\n"),
            vec!["line 2", "cells"],
        ),
        (
            "header",
            "gen,particle,weight,distance,russia.lambda\n1,0,1,0.1,2.0\n".into(),
            vec!["line 1", "header"],
        ),
        (
            "unknown",
            format!("{header},russia.lambda,regimes.article6.audience_cost\n1,0,1,0.1,2.0,0.5\n"),
            vec![
                "line 1",
                "regimes.article6.audience_cost",
                "not a parameter of the sweep's base config",
            ],
        ),
        (
            "run",
            format!("{header},run.seed\n1,0,1,0.1,2.0\n"),
            vec!["line 1", "run.seed"],
        ),
        (
            "twice",
            format!("{header},russia.lambda,russia.lambda\n1,0,1,0.1,2.0,2.0\n"),
            vec!["line 1", "listed twice"],
        ),
        (
            "value",
            format!("{header},russia.war_cost\n1,0,1,0.1,-5.0\n"),
            vec!["russia.war_cost", "posterior particle 0"],
        ),
    ];
    for (name, body, needles) in cases {
        std::fs::write(&post, body).unwrap();
        let o = sweep(
            &f,
            &d.join(format!("o-{name}")),
            &["--ensemble", post.to_str().unwrap()],
        );
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {t}");
        assert!(
            t.contains("posterior.csv") && !t.contains("panicked"),
            "{name}: {t}"
        );
        for n in needles {
            assert!(t.contains(n), "{name}: expected `{n}` in: {t}");
        }
        assert!(!d.join(format!("o-{name}")).exists(), "{name}: nothing written");
    }
    let o = sweep(
        &f,
        &d.join("o-missing"),
        &["--ensemble", "/nonexistent/posterior.csv"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("/nonexistent/posterior.csv"), "{}", text(&o));
}

/// Under MPI (with `--features mpi`) the workers run each point over the ensemble too: the same
/// bytes as one process on 3 ranks.
#[cfg(feature = "mpi")]
#[test]
fn mpi_ensemble_sweep_is_one_process() {
    let (d, f, post) = setup("ens-mpi", "6.0, 12.0, 24.0, 72.0", "");
    let p = post.to_str().unwrap();
    let o = sweep(&f, &d.join("one"), &["--ensemble", p]);
    assert!(o.status.success(), "{}", text(&o));
    let out = d.join("mpi");
    let o = std::process::Command::new("mpirun")
        .args(["--allow-run-as-root", "--oversubscribe", "-np", "3", BIN])
        .args([
            "sweep",
            f.to_str().unwrap(),
            "--ensemble",
            p,
            "--mpi",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(points(&out), points(&d.join("one")));
}
