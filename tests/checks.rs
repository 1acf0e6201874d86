//! Issue 9's checks through the engine, run as the user runs it (the CLI): the brief's logit
//! AQRE on a one-guarantor config read back from `replay --json`, and monotonicity of deterrence
//! success in audience cost, tripwire probability and Russia's cost of war on six levels each,
//! with common random numbers. Reference numbers for the coordination checks still to come are
//! produced by `tests/data/issue9_reference.py` (exact, no sampling); nothing here needs Python.

mod util;
use std::collections::BTreeMap;
use std::path::Path;
use util::*;

/// The brief's logit AQRE values (docs/sources/MODEL-BRIEF.md, check 2; Gambit 16.7).
const P_CHALLENGE: f64 = 0.687608;
const P_RESIST_HARD: f64 = 0.731059;
const P_RESIST_SOFT: f64 = 0.119203;

const AQRE_CONFIG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/configs/checks/aqre_one_guarantor.toml"
);

fn replay_json(config: &str, regime: &str, run_index: u64) -> serde_json::Value {
    let o = run(&[
        "replay",
        config,
        "--regime",
        regime,
        "--run",
        &run_index.to_string(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The probability of option `name` in a guarantor's `probs` list of (name, p) pairs.
fn prob_of(probs: &serde_json::Value, name: &str) -> f64 {
    let p = probs
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x[0].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no option {name} in {probs}"));
    f(&p[1])
}

/// Check 2 of the brief through the engine: with the brief's game mapped onto one guarantor's
/// crisis choice and Russia's monthly choice (the mapping is in the config's comments), the
/// replay's JSON shows Russia's P(offensive) = P(challenge), P(probe) = 0, and the guarantor's
/// P(resist) by its realised type equal to Gambit's AQRE within 1e-6. The batch's success rate
/// over one month is 1 - P(challenge) within Monte Carlo error.
#[test]
fn aqre_gambit_engine_one_guarantor() {
    let (mut hard, mut soft, mut months) = (0, 0, 0);
    for r in 0..40 {
        let t = replay_json(AQRE_CONFIG, "brief", r);
        for m in t["months"].as_array().unwrap() {
            months += 1;
            let p = &m["russia_probs"];
            assert!((f(&p[2]) - P_CHALLENGE).abs() < 1e-6, "P(challenge) {p}");
            assert!((f(&p[0]) - (1.0 - P_CHALLENGE)).abs() < 1e-6, "P(hold) {p}");
            assert_eq!(f(&p[1]), 0.0, "probes must be priced out: {p}");
            let Some(c) = m["crisis"].as_object() else {
                // No crisis: Russia's belief (end of month) is still the prior p = 0.3.
                let belief = f(&m["beliefs"][0][1]);
                assert!((belief - 0.3).abs() < 1e-12, "belief {belief}");
                continue;
            };
            assert_eq!(c["kind"], "offensive");
            assert_eq!(c["tripwire"], false);
            let g = &c["guarantors"][0];
            assert_eq!(g["forced"], false);
            let resist = prob_of(&g["probs"], "resist");
            let concede = prob_of(&g["probs"], "nothing");
            assert!((resist + concede - 1.0).abs() < 1e-12);
            if g["hard"].as_bool().unwrap() {
                hard += 1;
                assert!((resist - P_RESIST_HARD).abs() < 1e-6, "P(resist | Hard) {resist}");
            } else {
                soft += 1;
                assert!((resist - P_RESIST_SOFT).abs() < 1e-6, "P(resist | Soft) {resist}");
            }
        }
    }
    assert!(
        hard > 0 && soft > 0,
        "both types must be seen: {hard} hard, {soft} soft"
    );
    assert!(months >= 40);

    // The batch: one month per run, so success = hold = 1 - P(challenge).
    let out = tmp("aqre");
    let o = run(&["run", AQRE_CONFIG, "--quiet", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let s = rows(&out.join("summary.csv"));
    let col = |name: &str| s[0].iter().position(|h| h == name).unwrap();
    let n: f64 = s[1][col("runs")].parse().unwrap();
    let rate: f64 = s[1][col("success_rate")].parse().unwrap();
    let want = 1.0 - P_CHALLENGE;
    let se = (want * (1.0 - want) / n).sqrt();
    assert!((rate - want).abs() < 4.0 * se, "success {rate} vs {want} ± {se}");
}

/// The default config with every regime but `keep` removed (so a run computes only the regime
/// concerned): drops each `[regimes.X]` table, X != keep, up to the next table header.
fn one_regime(keep: &str) -> String {
    let header = format!("[regimes.{keep}]");
    let mut skip = false;
    let mut out = String::new();
    for line in DEFAULT.lines() {
        let l = line.trim_start();
        if l.starts_with('[') {
            skip = l.starts_with("[regimes.") && l.trim_end() != header;
        }
        if !skip {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(out.contains(&header), "no regime {keep} in the default config");
    out
}

/// Per-run success (0/1) by regime (arm) and run index, from `runs.csv`.
fn successes(dir: &Path) -> BTreeMap<String, BTreeMap<u64, f64>> {
    let r = rows(&dir.join("runs.csv"));
    let col = |name: &str| r[0].iter().position(|h| h == name).unwrap();
    let (reg, force, idx, ok) = (col("regime"), col("force"), col("run"), col("success"));
    let mut m: BTreeMap<String, BTreeMap<u64, f64>> = BTreeMap::new();
    for row in &r[1..] {
        let s = match row[ok].as_str() {
            "true" => 1.0,
            "false" => 0.0,
            o => panic!("success = {o}"),
        };
        // One series per arm: the regime and whether the reassurance force is deployed.
        m.entry(format!("{} ({} force)", row[reg], row[force]))
            .or_default()
            .insert(row[idx].parse().unwrap(), s);
    }
    m
}

/// Mean and standard error of the paired difference b - a over the runs both have.
fn paired(a: &BTreeMap<u64, f64>, b: &BTreeMap<u64, f64>) -> (f64, f64) {
    let d: Vec<f64> = a.iter().map(|(k, x)| b[k] - x).collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

const MONO_RUNS: &str = "2000";
const MONO_SEED: &str = "42";

/// Check 6 through the CLI: `run` the default config restricted to `regime`, with `--set
/// path=x` for each level and the same seed (common random numbers: run j uses the same stream
/// at every level), and assert, for every arm of the regime in `runs.csv`, that success does not
/// fall between consecutive levels by more than 2 standard errors of the paired difference;
/// and that the factor matters: from the lowest to the highest level success rises by more than
/// 2 standard errors in at least one arm.
fn monotone(what: &str, regime: &str, path: &str, levels: &[f64]) {
    assert!(levels.len() >= 6);
    let dir = tmp(&format!("mono-{regime}"));
    let cfg = dir.join("config.toml");
    std::fs::write(&cfg, one_regime(regime)).unwrap();
    let mut by_level = Vec::new();
    for (k, x) in levels.iter().enumerate() {
        let out = dir.join(format!("level{k}"));
        let set = format!("{path}={x}");
        let o = run(&[
            "run",
            cfg.to_str().unwrap(),
            "--runs",
            MONO_RUNS,
            "--seed",
            MONO_SEED,
            "--set",
            &set,
            "--per-run",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{what} = {x}: {}", text(&o));
        by_level.push(successes(&out));
    }
    let arms: Vec<String> = by_level[0].keys().cloned().collect();
    assert!(!arms.is_empty());
    let mut rises = Vec::new();
    for arm in &arms {
        let mut rates = Vec::new();
        for (k, w) in by_level.windows(2).enumerate() {
            let (d, se) = paired(&w[0][arm], &w[1][arm]);
            assert!(
                d >= -2.0 * se,
                "{what}: success of {arm} fell from {} to {}: paired difference {d} (SE {se})",
                levels[k],
                levels[k + 1]
            );
        }
        for l in &by_level {
            let v = &l[arm];
            rates.push(v.values().sum::<f64>() / v.len() as f64);
        }
        let (d, se) = paired(&by_level[0][arm], &by_level[levels.len() - 1][arm]);
        eprintln!("{what}, {arm}: success by level {levels:?} = {rates:?}; total rise {d} (SE {se})");
        rises.push(d > 2.0 * se);
    }
    assert!(
        rises.iter().any(|&r| r),
        "{what}: success of {regime} does not rise over {levels:?}"
    );
}

/// Success does not fall as nato_light's audience cost rises (six levels, CRN).
#[test]
fn monotone_audience_cost() {
    monotone(
        "audience cost",
        "nato_light",
        "regimes.nato_light.audience_cost",
        &[0.0, 0.3, 0.6, 1.0, 1.5, 2.5],
    );
}

/// Success does not fall as the tripwire probability rises: only the size of the reassurance
/// force `modifiers.reassurance_troops` is varied (p_trip = 1 - exp(-troops / tripwire_scale)),
/// under bilateral (the arm with the force rises; the arm without it is unaffected).
#[test]
fn monotone_tripwire() {
    monotone(
        "tripwire troops",
        "bilateral",
        "modifiers.reassurance_troops",
        &[0.0, 5000.0, 10000.0, 20000.0, 40000.0, 80000.0],
    );
}

/// Success does not fall as Russia's cost of war with the guarantors rises (article5).
#[test]
fn monotone_war_cost() {
    monotone(
        "war cost",
        "article5",
        "russia.war_cost",
        &[0.5, 1.0, 2.0, 3.0, 4.0, 6.0],
    );
}
