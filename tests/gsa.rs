//! Sensitivity studies end to end: the three methods, a parameter the output cannot depend on
//! (exactly zero effect under common random numbers), shards and merge, bad files.

mod util;
use util::*;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PARAMS: &str = "[[parameters]]\npath = \"russia.war_cost\"\nrange = [0.5, 3.0]\n\n\
[[parameters]]\npath = \"regimes.nato_light.audience_cost\"\nrange = [0.0, 2.0]\n\n\
[[parameters]]\npath = \"russia.lambda\"\nrange = [1.5, 3.5]\n";

fn study(dir: &Path, name: &str, body: &str) -> PathBuf {
    let f = dir.join(format!("{name}.toml"));
    std::fs::write(
        &f,
        format!("replicates = 40\nperiods = 12\nseed = 2\n{body}\n{PARAMS}"),
    )
    .unwrap();
    f
}

fn run(f: &Path, out: &Path, more: &[&str]) -> Output {
    let mut a = vec![
        "sensitivity",
        f.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    a.extend_from_slice(more);
    Command::new(BIN).args(&a).output().unwrap()
}

#[test]
fn sobol_morris_prim_run_and_a_dummy_parameter_has_no_effect() {
    let d = tmp("methods");
    // article5's success cannot depend on nato_light's audience cost.
    let sobol = study(
        &d,
        "sobol",
        "method = \"sobol\"\n[output]\nregime = \"article5\"\n[sobol]\nsamples = 16\nbootstrap = 100\n",
    );
    let o = run(&sobol, &d.join("s"), &[]);
    assert!(o.status.success(), "{}", text(&o));
    let r = rows(&d.join("s/indices.csv"));
    assert_eq!(
        r[0][..7],
        ["parameter", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"]
    );
    let dummy = r
        .iter()
        .find(|x| x[0] == "regimes.nato_light.audience_cost")
        .unwrap();
    for k in 1..7 {
        assert_eq!(dummy[k].parse::<f64>().unwrap(), 0.0, "dummy column {}", r[0][k]);
    }
    let lambda = r.iter().find(|x| x[0] == "russia.lambda").unwrap();
    assert!(
        lambda[4].parse::<f64>().unwrap() > 0.1,
        "lambda must matter: {lambda:?}"
    );
    assert!(d.join("s/sobol.png").exists() && d.join("s/manifest.json").exists());
    assert_eq!(r[1][8], "40"); // runs per point
    let morris = study(&d, "morris", "method = \"morris\"\n[output]\ndifference = [\"article5\", \"bilateral\"]\n[morris]\ntrajectories = 6\n");
    let o = run(&morris, &d.join("m"), &[]);
    assert!(o.status.success(), "{}", text(&o));
    let r = rows(&d.join("m/indices.csv"));
    assert_eq!(
        r[0][..6],
        [
            "parameter",
            "mu",
            "mu_star",
            "mu_star_seed_low",
            "mu_star_seed_high",
            "sigma"
        ]
    );
    assert!(d.join("m/morris.png").exists());
    // The two regimes of a difference share every run: points.csv pairs them (diff_vs_bilateral
    // and the discordant counts better_than_bilateral / worse_than_bilateral on article5's rows)
    // and the noise floor is that paired difference's noise (the sample variance of the per-run
    // differences), not the sum of the two regimes' variances (which, with the pairing ignored,
    // overstates it many times).
    let pts = rows(&d.join("m/points.csv"));
    let col = |name: &str| pts[0].iter().position(|c| c == name).unwrap();
    let (rc, sr, dv, bc, wc) = (
        col("regime"),
        col("success_rate"),
        col("diff_vs_bilateral"),
        col("better_than_bilateral"),
        col("worse_than_bilateral"),
    );
    let num = |r: &Vec<String>, k: usize| r[k].parse::<f64>().unwrap();
    let (mut paired, mut summed, mut n) = (0.0, 0.0, 0.0);
    for w in pts[1..].chunks(2) {
        let (a, b) = (&w[0], &w[1]);
        assert_eq!((a[rc].as_str(), b[rc].as_str()), ("article5", "bilateral"));
        assert!((num(a, dv) - (num(a, sr) - num(b, sr))).abs() < 2e-6);
        let (better, worse, runs) = (num(a, bc), num(a, wc), 40.0);
        let m = (better - worse) / runs;
        assert!((num(a, dv) - m).abs() < 2e-6);
        paired += (better + worse - runs * m * m) / (runs - 1.0) / runs;
        for r in [a, b] {
            let q = (num(r, sr) * 40.0 + 0.5) / 41.0;
            summed += q * (1.0 - q) / 40.0;
        }
        n += 1.0;
    }
    let delta = 4.0 / 6.0; // levels = 4
    let floor_of = |s2: f64| (2.0 * s2 / n).sqrt() * (2.0 / std::f64::consts::PI).sqrt() / delta;
    let floor = num(&r[1], 6);
    assert!(
        (floor - floor_of(paired)).abs() < 1e-4,
        "floor {floor} vs {}",
        floor_of(paired)
    );
    assert!(
        floor < 0.8 * floor_of(summed),
        "pairing must lower the floor: {floor}"
    );
    let prim = study(
        &d,
        "prim",
        "method = \"prim\"\n[output]\nregime = \"bilateral\"\n[prim]\npoints = 60\nthreshold = 0.7\n",
    );
    let o = run(&prim, &d.join("p"), &[]);
    assert!(o.status.success(), "{}", text(&o));
    let b = rows(&d.join("p/boxes.csv"));
    assert_eq!(
        b[0][..6],
        ["step", "chosen", "coverage", "density", "mass", "points_in_box"]
    );
    assert_eq!(b.iter().filter(|x| x[1] == "true").count(), 1);
    assert!(d.join("p/prim_trajectory.png").exists() && d.join("p/prim_box.png").exists());
}

/// Any summary metric can be studied; one with no binomial variance gets no noise floor.
#[test]
fn another_metric_can_be_studied() {
    let d = tmp("metric");
    let f = study(&d, "m", "method = \"morris\"\n[output]\nregime = \"nato_light\"\nmetric = \"probes_per_run\"\n[morris]\ntrajectories = 4\n");
    let o = run(&f, &d.join("m"), &[]);
    assert!(o.status.success(), "{}", text(&o));
    let r = rows(&d.join("m/indices.csv"));
    // The noise floor is unknown for it: its column is left out (never empty in every row).
    assert!(!r[0].iter().any(|c| c == "noise_floor"), "{:?}", r[0]);
    // nato_light's probes do depend on Russia's lambda.
    let lambda = r.iter().find(|x| x[0] == "russia.lambda").unwrap();
    assert!(lambda[2].parse::<f64>().unwrap() > 0.0);
    let bad = study(&d, "b", "method = \"morris\"\n[output]\nregime = \"nato_light\"\nmetric = \"probes\"\n[morris]\ntrajectories = 4\n");
    let o = run(&bad, &d.join("b"), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("probes_per_run"), "{}", text(&o));
}

#[test]
fn sharded_study_merges_to_the_same_indices() {
    let d = tmp("shards");
    let f = study(
        &d,
        "s",
        "method = \"sobol\"\n[output]\nregime = \"nato_light\"\n[sobol]\nsamples = 8\nbootstrap = 50\n",
    );
    assert!(run(&f, &d.join("full"), &["--threads", "1"]).status.success());
    for k in 0..3 {
        let o = run(
            &f,
            &d.join(format!("s{k}")),
            &["--shard", &format!("{k}/3"), "--threads", "2"],
        );
        assert!(o.status.success(), "{}", text(&o));
    }
    let m = Command::new(BIN)
        .args([
            "merge",
            d.join("m").to_str().unwrap(),
            d.join("s0").to_str().unwrap(),
            d.join("s1").to_str().unwrap(),
            d.join("s2").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(m.status.success(), "{}", text(&m));
    for f in ["points.csv", "indices.csv"] {
        assert_eq!(
            std::fs::read(d.join("full").join(f)).unwrap(),
            std::fs::read(d.join("m").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn bad_sensitivity_files_are_clear_errors() {
    let d = tmp("bad");
    let cases = [
        (
            "method",
            "method = \"fast\"\n[output]\nregime = \"article5\"\n",
            vec!["method", "fast", "sobol"],
        ),
        (
            "output",
            "method = \"sobol\"\n[output]\n[sobol]\nsamples = 8\n",
            vec!["output", "regime"],
        ),
        (
            "regime",
            "method = \"sobol\"\n[output]\nregime = \"nato\"\n[sobol]\nsamples = 8\n",
            vec!["nato", "nato_light"],
        ),
        (
            "no-table",
            "method = \"morris\"\n[output]\nregime = \"article5\"\n",
            vec!["[morris]"],
        ),
        (
            "same-regime-twice",
            "method = \"morris\"\n[output]\ndifference = [\"article5\", \"article5\"]\n[morris]\ntrajectories = 4\n",
            vec!["output", "two different regimes"],
        ),
        (
            "prim-threshold",
            "method = \"prim\"\n[output]\nregime = \"bilateral\"\n[prim]\npoints = 20\nthreshold = -0.5\n",
            vec!["prim.threshold", "never fall below 0"],
        ),
    ];
    for (name, body, needles) in cases {
        let f = study(&d, name, body);
        let o = run(&f, &d.join(name), &[]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", text(&o));
        // Refused before any simulation: nothing was written.
        assert!(!d.join(name).join("points.partial.csv").exists(), "{name}");
        for n in needles {
            assert!(text(&o).contains(n), "{name}: `{n}` in {}", text(&o));
        }
    }
}
