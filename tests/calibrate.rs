//! Calibration (ABC-SMC on the engine): the statistics agree with the engine's own tallies, the
//! harness recovers parameters that generated synthetic targets, the posterior is the same on
//! any thread count and after a resume, and bad files are clear errors with exit code 2.

mod util;

use deterrence_sim::sim::batch::{self, Silent};
use deterrence_sim::study::calibrate::output::summaries;
use deterrence_sim::study::calibrate::sampler::{calibrate, calibrate_in_memory, CalibrateOptions};
use deterrence_sim::study::calibrate::spec::{Calibration, CalibrationOverrides};
use deterrence_sim::study::calibrate::statistics::Tally;
use deterrence_sim::study::calibrate::synthetic;
use std::path::{Path, PathBuf};
use util::{run, text, tmp, DEFAULT};

/// Write the default config and a calibration file `body` into a fresh directory.
fn cal_file(name: &str, body: &str) -> PathBuf {
    let d = tmp(name);
    std::fs::write(d.join("default.toml"), DEFAULT).unwrap();
    let p = d.join("cal.toml");
    std::fs::write(&p, format!("base = \"default.toml\"\n{body}")).unwrap();
    p
}

const STATISTICS: &str = r#"
replicates = 400
[method]
kind = "abc_smc"
particles = 2
generations = 1
[honouring]
own = ["rapid_support", "sustained_support", "army_strengthening", "troops", "air_support"]
[[priors]]
path = "russia.lambda"
kind = "uniform"
range = [2.0, 3.0]
[[targets]]
name = "a5"
row = "X-1"
regime = "article5"
statistic = "honoured_share"
likelihood = "band"
band = [0.5, 0.75]
[[targets]]
name = "a5own"
row = "X-1"
regime = "article5"
statistic = "honoured_share"
definition = "own"
likelihood = "band"
band = [0.5, 0.75]
[[targets]]
name = "bil"
row = "X-1"
regime = "bilateral"
statistic = "honoured_share"
likelihood = "binomial"
successes = 42
trials = 102
[[targets]]
name = "none_off"
row = "X-1"
regime = "none"
statistic = "p_offensive"
likelihood = "band"
band = [0.0, 0.5]
[[targets]]
name = "det"
row = "X-1"
regime = "article5"
versus = "none"
statistic = "initiation_hazard_ratio"
likelihood = "band"
band = [0.6, 1.0]
"#;

/// Initiations (probes and offensives) and months at risk of one arm, from the engine's own
/// accumulator: a run that ends in an offensive at month t (0-based) was at risk t + 1 months.
fn initiations_and_months(acc: &deterrence_sim::sim::aggregate::Accumulator) -> (f64, f64) {
    let periods = acc.periods as u64;
    let lost: u64 = acc
        .offensives_by_month
        .iter()
        .enumerate()
        .map(|(t, &n)| n * (periods - t as u64 - 1))
        .sum();
    (
        (acc.probes + acc.offensives) as f64,
        (acc.runs * periods - lost) as f64,
    )
}

/// The statistics, folded from the engine's run records, equal the engine's own summary: the
/// honoured share under the regime's definition is `commitments_honoured / commitments`; a
/// named definition equal to Article 5's honouring set (every member can give one of it) gives
/// the same number; p_offensive is 1 − success. Both arms: with the force, forced calls are
/// left out of the named count exactly as the engine leaves them out.
#[test]
fn statistics_agree_with_the_engine() {
    let p = cal_file("cal-stats", STATISTICS);
    for force in ["without", "with"] {
        let body = format!("reassurance_force = \"{force}\"\n{STATISTICS}");
        std::fs::write(&p, format!("base = \"default.toml\"\n{body}")).unwrap();
        let cal = Calibration::load(&p, &CalibrationOverrides::default()).unwrap();
        let (_, model) = cal.point_model(&[2.5]).unwrap();
        let mut tally = Tally::new(&model, cal.targets());
        let pool = batch::pool(2).unwrap();
        let result = batch::run_batch_with(&model, 7, &pool, &Silent, &mut |_, r| tally.add(r));
        let est = tally.estimates();
        let summary = result.summary();
        let row = |name: &str| summary.iter().find(|s| s.regime == name).unwrap();
        assert_eq!(est[0].value, row("article5").honoured_share.unwrap(), "{force}");
        assert_eq!(est[1].value, est[0].value, "{force}");
        assert_eq!(est[2].value, row("bilateral").honoured_share.unwrap(), "{force}");
        let none = row("none");
        assert_eq!(
            est[3].value,
            (none.runs - none.successes) as f64 / none.runs as f64,
            "{force}"
        );
        // The initiation hazard ratio from the engine's accumulators (0.5 added to each count).
        let acc = |name: &str| {
            let k = result.regimes.iter().position(|r| r == name).unwrap();
            initiations_and_months(&result.accumulators[k])
        };
        let ((ia, ma), (iv, mv)) = (acc("article5"), acc("none"));
        let want = ((ia + 0.5) / ma) / ((iv + 0.5) / mv);
        assert!(
            (est[4].value - want).abs() < 1e-12 * want,
            "{force}: {} vs {want}",
            est[4].value
        );
        assert!((est[4].var - (1.0 / (ia + 0.5) + 1.0 / (iv + 0.5))).abs() < 1e-15);
        assert!(
            ia > 0.0 && iv > ia,
            "{force}: initiations {ia} under article5, {iv} under none"
        );
        assert!(est.iter().all(|e| e.var > 0.0 && e.var.is_finite()));
    }
}

const SMALL: &str = r#"
replicates = 120
seed = 11
[method]
kind = "abc_smc"
particles = 40
generations = 3
quantile = 0.5
[[priors]]
path = "russia.lambda"
kind = "log_uniform"
range = [1.0, 6.0]
[[priors]]
path = "russia.probe_gain"
kind = "uniform"
range = [0.1, 1.2]
[[targets]]
name = "probes"
row = "PROBE-01"
regime = "none"
statistic = "probe_hazard"
likelihood = "poisson"
count = 5
exposure = 228.0
[[targets]]
name = "offensive"
row = "CF-01"
regime = "none"
statistic = "p_offensive"
likelihood = "band"
band = [0.0, 0.5]
"#;

fn small(name: &str) -> Calibration {
    let p = cal_file(name, SMALL);
    Calibration::load(&p, &CalibrationOverrides::default()).unwrap()
}

/// Targets generated by the model at known parameters: the posterior's central 99% interval
/// holds each true value, and the posterior is narrower than the prior for at least one
/// parameter (the targets carry information).
#[test]
fn synthetic_targets_are_recovered() {
    let cal = small("cal-synth");
    for k in 0..2 {
        let pool = batch::pool(2).unwrap();
        let (truth_z, problem) = synthetic::problem(&cal, k, &pool).unwrap();
        let state = calibrate_in_memory(&problem, &Silent).unwrap();
        let last = state.generations.last().unwrap();
        assert!(last.index >= 2, "the sampler ran past the prior sample");
        let truth = deterrence_sim::study::calibrate::sampler::to_parameters(&cal, &truth_z);
        let sums = summaries(&problem, last);
        for (j, s) in sums.iter().enumerate() {
            // The 99% interval from the final particles (weighted quantiles).
            let xs: Vec<f64> = last
                .particles
                .iter()
                .map(|z| deterrence_sim::study::calibrate::sampler::to_parameters(&cal, z)[j])
                .collect();
            let lo = deterrence_sim::stats::abc::weighted_quantile(&xs, &last.weights, 0.005);
            let hi = deterrence_sim::stats::abc::weighted_quantile(&xs, &last.weights, 0.995);
            assert!(
                truth[j] >= lo && truth[j] <= hi,
                "problem {k}: {} = {} outside [{lo}, {hi}]",
                s.path,
                truth[j]
            );
        }
        assert!(
            sums.iter().any(|s| s.sd_ratio < 0.7),
            "problem {k}: no parameter constrained: {sums:?}"
        );
    }
}

fn read(dir: &Path, f: &str) -> String {
    std::fs::read_to_string(dir.join(f)).unwrap()
}

/// The same seed gives the same posterior on 1 and 2 threads, and a calibration stopped after
/// its first generation and resumed ends with the same files as one run straight through.
#[test]
fn posterior_is_thread_invariant_and_resumable() {
    let base = small("cal-det");
    let d = tmp("cal-det-out");
    let one = d.join("one");
    let two = d.join("two");
    let cut = d.join("cut");
    let opts = |out: &Path, resume: bool, stop: Option<usize>| CalibrateOptions {
        out: Some(out.to_path_buf()),
        resume,
        force: false,
        stop_after: stop,
        ..CalibrateOptions::default()
    };
    calibrate(base.clone().with_threads(1), &opts(&one, false, None), &Silent).unwrap();
    calibrate(base.clone().with_threads(2), &opts(&two, false, None), &Silent).unwrap();
    let r = calibrate(base.clone().with_threads(2), &opts(&cut, false, Some(1)), &Silent).unwrap();
    assert_eq!(r.state.generations.len(), 1);
    assert!(!cut.join("posterior.csv").exists());
    let r = calibrate(base.clone().with_threads(1), &opts(&cut, true, None), &Silent).unwrap();
    assert_eq!(r.generations_run + 1, r.state.generations.len());
    for f in [
        "posterior.csv",
        "diagnostics.csv",
        "parameters.csv",
        "predictive.csv",
    ] {
        assert_eq!(read(&one, f), read(&two, f), "{f}: 1 vs 2 threads");
        assert_eq!(read(&one, f), read(&cut, f), "{f}: resumed");
    }
    // A different seed gives a different posterior.
    let other = d.join("other");
    calibrate(base.clone().with_seed(12), &opts(&other, false, None), &Silent).unwrap();
    assert_ne!(read(&one, "posterior.csv"), read(&other, "posterior.csv"));
    // A finished directory is not overwritten without --force.
    assert!(calibrate(base, &opts(&one, false, None), &Silent).is_err());
}

/// Bad calibration files and options that do not go together: a message naming the file, the field and
/// what is allowed, and exit code 2.
#[test]
fn bad_calibration_files_are_clear_errors() {
    let cases: [(&str, &str, &[&str]); 7] = [
        (
            "kind = \"uniform\"",
            "kind = \"gaussian\"",
            &["priors[1].kind", "\"uniform\", \"log_uniform\", \"beta\""],
        ),
        (
            "path = \"russia.lambda\"",
            "path = \"russia.lambada\"",
            &["russia.lambada", "russia.lambda"],
        ),
        (
            "statistic = \"probe_hazard\"",
            "statistic = \"probes\"",
            &["targets[0].statistic", "\"probe_hazard\""],
        ),
        (
            "regime = \"none\"\nstatistic = \"probe_hazard\"",
            "regime = \"nato\"\nstatistic = \"probe_hazard\"",
            &["targets[0].regime", "article5"],
        ),
        (
            "likelihood = \"poisson\"",
            "likelihood = \"poisson2\"",
            &["targets[0].likelihood", "\"binomial\""],
        ),
        (
            "kind = \"abc_smc\"",
            "kind = \"mcmc\"",
            &["method.kind", "\"abc_smc\""],
        ),
        (
            "row = \"PROBE-01\"",
            "row = \"PROBE-99\"",
            &["targets[0].row", "PROBE-01"],
        ),
    ];
    let csv = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/targets_ids.csv");
    for (from, to, want) in cases {
        let body = format!("targets_csv = \"{csv}\"\n{}", SMALL.replacen(from, to, 1));
        let p = cal_file("cal-bad", &body);
        let o = run(&["calibrate", p.to_str().unwrap(), "--quiet"]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{to}: {t}");
        assert!(t.contains("cal.toml"), "{to}: names the file: {t}");
        for w in want {
            assert!(t.contains(w), "{to}: expected `{w}` in: {t}");
        }
    }
    // Options that do not go together: usage errors naming the option, nothing written.
    let p = cal_file("cal-shard", SMALL);
    let out = p.with_file_name("never");
    let mut cases: Vec<(&[&str], &str)> = vec![
        (&["--shard", "0/2", "--force"], "--force"),
        (&["--wait", "5"], "--wait"),
        (&["--shard", "1/2", "--wait", "0"], "--wait"),
    ];
    if !cfg!(feature = "mpi") {
        cases.push((&["--mpi"], "built without MPI"));
    }
    for (opt, want) in cases {
        let mut args = vec!["calibrate", p.to_str().unwrap(), "--out", out.to_str().unwrap()];
        args.extend_from_slice(opt);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{opt:?}: {}", text(&o));
        assert!(text(&o).contains(want), "{opt:?}: {}", text(&o));
        assert!(!out.exists(), "{opt:?}");
    }
}

/// A scenario assumption (role = "assumption") enters the distance exactly as evidence does,
/// a check does not, and the outputs label it; an assumption must give its basis, only an
/// assumption may omit its row or give a basis, and assumptions alone are not a calibration.
#[test]
fn assumption_targets_enter_the_distance_and_are_labelled() {
    use deterrence_sim::study::calibrate::spec::Role;
    use deterrence_sim::study::calibrate::statistics::{discrepancy, distance, Estimate};
    let threat = "[[targets]]\nname = \"threat\"\nrole = \"assumption\"\nbasis = \"scenario premise\"\nregime = \"none\"\nstatistic = \"p_offensive\"\nlikelihood = \"band\"\nband = [0.25, 1.0]\n";
    let load = |body: &str| {
        let p = cal_file("cal-assume", body);
        Calibration::load(&p, &CalibrationOverrides::default())
    };
    let cal = load(&format!("{SMALL}{threat}")).unwrap();
    let t = &cal.targets()[2];
    assert_eq!((t.role, t.row.as_str(), t.fit()), (Role::Assumption, "", true));
    assert_eq!(t.basis.as_deref(), Some("scenario premise"));
    // Estimates: the probe hazard on its observation, P(offensive) 0.1 with SE 0.02 (inside the
    // evidence band [0, 0.5], 0.15 below the assumption's lower edge: 7.5 SE).
    let probe = Estimate {
        value: 5.0 / 228.0,
        scaled: 5.0 / 228.0,
        var: 1e-6,
    };
    let off = Estimate {
        value: 0.1,
        scaled: 0.1,
        var: 4e-4,
    };
    let est = [probe, off, off];
    let d_probe = discrepancy(&cal.targets()[0], &probe);
    assert!(d_probe.abs() < 1e-9, "{d_probe}");
    assert_eq!(discrepancy(&cal.targets()[1], &off), 0.0);
    let d = discrepancy(t, &off);
    assert!((d - 7.5).abs() < 1e-9, "{d}");
    let total = distance(cal.targets(), &est);
    assert!(
        (total - (d_probe * d_probe + d * d).sqrt()).abs() < 1e-12,
        "{total}"
    );
    // The same target as a check adds nothing.
    let checked = load(&format!(
        "{SMALL}{}",
        threat.replace(
            "role = \"assumption\"\nbasis = \"scenario premise\"\n",
            "role = \"check\"\nrow = \"CF-01\"\n"
        )
    ))
    .unwrap();
    assert_eq!(checked.targets()[2].role, Role::Check);
    assert!((distance(checked.targets(), &est) - d_probe.abs()).abs() < 1e-12);
    // The outputs label it: predictive.csv's role column and the CLI's table.
    let p = cal_file(
        "cal-assume-run",
        &format!("{}{threat}", SMALL.replace("generations = 3", "generations = 1")),
    );
    let out = p.parent().unwrap().join("out");
    let o = run(&["calibrate", p.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("(assumption)"), "{}", text(&o));
    let pred = read(&out, "predictive.csv");
    let row = pred.lines().find(|l| l.starts_with("threat,")).unwrap();
    assert!(
        row.starts_with("threat,,none,p_offensive,") && row.contains(",assumption,"),
        "{row}"
    );
    // Bad assumption entries: exit 2, naming the field.
    let no_fit = SMALL
        .replacen(
            "row = \"PROBE-01\"\n",
            "role = \"check\"\nrow = \"PROBE-01\"\n",
            1,
        )
        .replacen("row = \"CF-01\"\n", "role = \"check\"\nrow = \"CF-01\"\n", 1);
    let cases: [(String, &[&str]); 4] = [
        (
            format!("{SMALL}{}", threat.replace("basis = \"scenario premise\"\n", "")),
            &["targets[2].basis", "where it comes from"],
        ),
        (
            SMALL.replacen("row = \"PROBE-01\"", "row = \"PROBE-01\"\nbasis = \"x\"", 1),
            &["targets[0].basis", "only role = \"assumption\""],
        ),
        (
            SMALL.replacen("row = \"PROBE-01\"\n", "", 1),
            &["targets[0].row", "is required"],
        ),
        (format!("{no_fit}{threat}"), &["targets", "role = \"fit\""]),
    ];
    for (body, want) in cases {
        let p = cal_file("cal-assume-bad", &body);
        let o = run(&["calibrate", p.to_str().unwrap(), "--quiet"]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{t}");
        for w in want {
            assert!(t.contains(w), "expected `{w}` in: {t}");
        }
    }
}

/// `run --ensemble` with a posterior of one particle at the config's own values is the plain
/// run: the same streams in every regime, so the same success rates and paired differences as
/// `run`'s summary.csv; it does not depend on the thread count; with two particles the draws
/// split the runs by weight; a damaged posterior is refused naming the line.
#[test]
fn ensemble_runs_are_paired_draws_from_the_posterior() {
    let d = tmp("cal-ens");
    let cfg = d.join("default.toml");
    std::fs::write(&cfg, DEFAULT).unwrap();
    let post = d.join("posterior.csv");
    let (lambda, war_cost) = (
        util::default_value("russia", "lambda"),
        util::default_value("russia", "war_cost"),
    );
    std::fs::write(
        &post,
        format!("generation,particle,weight,distance,russia.lambda,russia.war_cost\n0,0,1,,9,9\n1,0,1,0.5,{lambda},{war_cost}\n"),
    )
    .unwrap();
    let c = cfg.to_str().unwrap();
    let plain = run(&[
        "run",
        c,
        "--runs",
        "300",
        "--quiet",
        "--out",
        d.join("plain").to_str().unwrap(),
    ]);
    assert!(plain.status.success(), "{}", text(&plain));
    for threads in ["1", "2"] {
        let out = d.join(format!("ens{threads}"));
        let o = run(&[
            "run",
            c,
            "--runs",
            "300",
            "--quiet",
            "--threads",
            threads,
            "--ensemble",
            post.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o));
    }
    let summary = util::rows(&d.join("plain/summary.csv"));
    let ens = util::rows(&d.join("ens1/ensemble.csv"));
    let col = |rows: &[Vec<String>], name: &str| rows[0].iter().position(|c| c == name).unwrap();
    // summary.csv rounds rates to 6 decimals: compare against its exact counts.
    let (s_wins, e_rate) = (col(&summary, "successes"), col(&ens, "success_rate"));
    let (s_better, s_worse, e_diff) = (
        col(&summary, "better_than_none"),
        col(&summary, "worse_than_none"),
        col(&ens, "diff_vs_baseline"),
    );
    assert_eq!(summary.len(), ens.len());
    for (s, e) in summary[1..].iter().zip(&ens[1..]) {
        assert_eq!((&s[0], &s[1]), (&e[0], &e[1]));
        let f = |x: &str| x.parse::<f64>().unwrap();
        assert_eq!(f(&s[s_wins]) / 300.0, f(&e[e_rate]), "{s:?} vs {e:?}");
        let diff = (f(&s[s_better]) - f(&s[s_worse])) / 300.0;
        assert!((diff - f(&e[e_diff])).abs() < 1e-15, "{s:?} vs {e:?}");
    }
    assert_eq!(
        read(&d.join("ens1"), "ensemble.csv"),
        read(&d.join("ens2"), "ensemble.csv")
    );
    // Two particles with weights 1 and 3: about a quarter of the runs draw the first.
    std::fs::write(
        &post,
        "generation,particle,weight,distance,russia.lambda\n2,0,1,0.1,2.0\n2,1,3,0.1,3.0\n",
    )
    .unwrap();
    let out = d.join("two");
    let o = run(&[
        "run",
        c,
        "--runs",
        "2000",
        "--quiet",
        "--ensemble",
        post.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let draws = util::rows(&out.join("draws.csv"));
    let first: f64 = draws[1][1].parse().unwrap();
    assert!((first / 2000.0 - 0.25).abs() < 0.03, "{draws:?}");
    std::fs::write(
        &post,
        "generation,particle,weight,distance,russia.lambda\n2,0,x,0.1,2.0\n",
    )
    .unwrap();
    let o = run(&[
        "run",
        c,
        "--quiet",
        "--ensemble",
        post.to_str().unwrap(),
        "--out",
        d.join("bad").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("line 2") && text(&o).contains("weight"),
        "{}",
        text(&o)
    );
}

/// `--check` simulates the base config at its own values: its estimates are those of a particle
/// at the base's values of the priors' paths (here the default's `russia.lambda`, inside
/// the prior [2, 3]), on the same streams; and the command writes one `check.csv` row per target,
/// `inside` true exactly when the estimate lies in the observed interval.
#[test]
fn check_simulates_the_base_config_itself() {
    let p = cal_file("cal-check", STATISTICS);
    let cal = Calibration::load(&p, &CalibrationOverrides::default()).unwrap();
    let pool = batch::pool(2).unwrap();
    let rows = deterrence_sim::study::calibrate::check::check_base(&cal, &pool).unwrap();
    let lambda = util::default_value("russia", "lambda");
    assert!(
        (2.0..=3.0).contains(&lambda),
        "the default's russia.lambda {lambda} is inside the prior"
    );
    let (_, model) = cal.point_model(&[lambda]).unwrap();
    let mut tally = Tally::new(&model, cal.targets());
    batch::run_batch_with(&model, 0, &pool, &Silent, &mut |_, r| tally.add(r));
    let est = tally.estimates();
    assert_eq!(rows.len(), est.len());
    for (r, e) in rows.iter().zip(&est) {
        assert_eq!(r.estimate, *e, "{}", r.target);
        assert_eq!(r.inside, e.value >= r.observed.0 && e.value <= r.observed.1);
    }
    // A different base value gives the particle at that value, not the prior's.
    let d = p.parent().unwrap();
    let def = std::fs::read_to_string(d.join("default.toml")).unwrap();
    std::fs::write(
        d.join("default.toml"),
        def.replacen(&format!("lambda = {lambda} "), "lambda = 1.7 ", 1),
    )
    .unwrap();
    let cal = Calibration::load(&p, &CalibrationOverrides::default()).unwrap();
    let rows = deterrence_sim::study::calibrate::check::check_base(&cal, &pool).unwrap();
    let (_, model) = cal.point_model(&[1.7]).unwrap();
    let mut tally = Tally::new(&model, cal.targets());
    batch::run_batch_with(&model, 0, &pool, &Silent, &mut |_, r| tally.add(r));
    assert_eq!(rows[0].estimate, tally.estimates()[0]);
    assert_ne!(rows[0].estimate, est[0], "the base's lambda was not used");

    let out = d.join("checked");
    let r = run(&[
        "calibrate",
        p.to_str().unwrap(),
        "--check",
        "--replicates",
        "300",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(r.status.success(), "{}", text(&r));
    let csv = read(&out, "check.csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + est.len(), "{csv}");
    assert!(lines[0].starts_with("target,row,regime,statistic,role,obs_low,obs_high,estimate,se"));
    assert!(lines[5].starts_with("det,X-1,article5 vs none,initiation_hazard_ratio,fit,0.6,1,"));
    // Bad flags are usage errors (exit 2), and nothing is written.
    let r = run(&["calibrate", p.to_str().unwrap(), "--check", "--replicates", "1"]);
    assert_eq!(r.status.code(), Some(2), "{}", text(&r));
    assert!(text(&r).contains("--replicates"), "{}", text(&r));
    let r = run(&["calibrate", p.to_str().unwrap(), "--check", "--resume"]);
    assert_eq!(r.status.code(), Some(2));
}
