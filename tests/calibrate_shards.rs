//! `calibrate --shard K/N`: N concurrent processes sharing one `--out` directory give the
//! single-process posterior byte for byte; a shard replays blocks from the files already written
//! (a killed shard rerun reuses its own); a damaged or missing shard file is a clear error
//! naming it (exit code 2).

mod util;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use util::{text, tmp, BIN, DEFAULT};

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

fn cal_file(d: &Path, body: &str) -> PathBuf {
    std::fs::write(d.join("default.toml"), DEFAULT).unwrap();
    let p = d.join("cal.toml");
    std::fs::write(&p, format!("base = \"default.toml\"\n{body}")).unwrap();
    p
}

fn calibrate(f: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(["calibrate", f.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    c.args(extra);
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    c
}

/// Start shards `0..n` of `n` at once (shard 0 last) and wait for them all.
fn shards(f: &Path, out: &Path, n: u64, threads: &str) -> Vec<Output> {
    let kids: Vec<Child> = (0..n)
        .rev()
        .map(|k| {
            calibrate(
                f,
                out,
                &[
                    "--shard",
                    &format!("{k}/{n}"),
                    "--threads",
                    threads,
                    "--wait",
                    "120",
                ],
            )
            .spawn()
            .unwrap()
        })
        .collect();
    kids.into_iter().map(|c| c.wait_with_output().unwrap()).collect()
}

/// The result files (the state file also records the thread count, which results do not
/// depend on).
const COMPARED: [&str; 4] = [
    "posterior.csv",
    "diagnostics.csv",
    "parameters.csv",
    "predictive.csv",
];

/// Whether `name` holds the same bytes in both directories.
fn same(a: &Path, b: &Path, name: &str) -> bool {
    std::fs::read(a.join(name)).unwrap() == std::fs::read(b.join(name)).unwrap()
}

/// 2 and 3 shards run as concurrent processes on one directory write the same posterior,
/// diagnostics and predictive checks as one process, byte for byte; only shard 0 says
/// where the results are as a single process does, the others how much they simulated.
#[test]
fn shards_are_byte_identical_to_one_process() {
    let d = tmp("calshard-identity");
    let f = cal_file(&d, SMALL);
    let one = d.join("one");
    let o = calibrate(&f, &one, &[]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    for (n, threads) in [(2, "1"), (3, "2")] {
        let out = d.join(format!("n{n}"));
        let outs = shards(&f, &out, n, threads);
        for o in &outs {
            assert!(o.status.success(), "{n} shards: {}", text(o));
        }
        for name in COMPARED {
            assert!(same(&out, &one, name), "{n} shards: {name}");
        }
        assert!(out.join("manifest.json").exists() && out.join("posterior.csv").exists());
        // Every shard wrote its file of every block of generation 0.
        for k in 0..n {
            assert!(
                out.join(format!("shards/g0-b0-k{k}.json")).exists(),
                "{n} shards: shard {k}"
            );
        }
        for o in &outs[..outs.len() - 1] {
            assert!(text(o).contains("shard 0 writes the results"), "{}", text(o));
        }
    }
}

/// A shard replays every block whose files exist without simulating again (how a killed shard's
/// rerun reuses its files): here shard 1 alone, given the shard files of a finished run and no
/// state, simulates nothing and finishes. A shard file that does not match the block (other
/// candidates), one that is not JSON, and one that never comes (`--wait`) are errors naming
/// the file, with exit code 2.
#[test]
fn shard_files_are_reused_and_checked() {
    let d = tmp("calshard-files");
    let f = cal_file(&d, SMALL);
    let done = d.join("done");
    for o in shards(&f, &done, 2, "1") {
        assert!(o.status.success(), "{}", text(&o));
    }
    let fresh = |name: &str| {
        let out = d.join(name);
        std::fs::create_dir_all(out.join("shards")).unwrap();
        for e in std::fs::read_dir(done.join("shards")).unwrap().flatten() {
            let n = e.file_name().to_string_lossy().to_string();
            if n.ends_with(".json") {
                std::fs::copy(e.path(), out.join("shards").join(&n)).unwrap();
            }
        }
        out
    };
    let replay = fresh("replay");
    let o = calibrate(&f, &replay, &["--shard", "1/2", "--wait", "5"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("simulated 0 candidates of 4 generations"),
        "{}",
        text(&o)
    );
    assert!(
        !replay.join("posterior.csv").exists(),
        "only shard 0 writes results"
    );

    let damaged = fresh("damaged");
    let file = damaged.join("shards/g1-b0-k0.json");
    let t = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, t.replacen("{\"j\":0,", "{\"j\":2,", 1)).unwrap();
    let o = calibrate(&f, &damaged, &["--shard", "1/2", "--wait", "5"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("g1-b0-k0.json") && text(&o).contains("expected [0 2 4"),
        "{}",
        text(&o)
    );
    std::fs::write(&file, "{\"identity\":").unwrap();
    let o = calibrate(&f, &damaged, &["--shard", "1/2", "--wait", "5"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("g1-b0-k0.json") && text(&o).contains("not a calibration shard file"),
        "{}",
        text(&o)
    );
    std::fs::remove_file(&file).unwrap();
    let start = Instant::now();
    let o = calibrate(&f, &damaged, &["--shard", "1/2", "--wait", "1"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("g1-b0-k0.json") && text(&o).contains("shard 0/2 did not write"),
        "{}",
        text(&o)
    );
    assert!(start.elapsed() < Duration::from_secs(30));
}

/// A shard killed in the middle of a calibration and started again continues from the files it
/// wrote: it simulates fewer candidates than in a run straight through, and the results are the
/// single-process ones.
#[test]
fn a_killed_shard_rerun_reuses_its_files() {
    let d = tmp("calshard-kill");
    let body = SMALL
        .replace("replicates = 120", "replicates = 400")
        .replace("generations = 3", "generations = 4");
    let f = cal_file(&d, &body);
    let one = d.join("one");
    let o = calibrate(&f, &one, &[]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let out = d.join("killed");
    let zero = calibrate(&f, &out, &["--shard", "0/2", "--threads", "1"])
        .spawn()
        .unwrap();
    let mut victim = calibrate(&f, &out, &["--shard", "1/2", "--threads", "1"])
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !out.join("shards/g1-b0-k1.json").exists() && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(20));
    }
    victim.kill().unwrap();
    let _ = victim.wait();
    assert!(
        out.join("shards/g1-b0-k1.json").exists(),
        "shard 1 got through generation 0"
    );
    let again = calibrate(&f, &out, &["--shard", "1/2", "--threads", "1"])
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", text(&again));
    let z = zero.wait_with_output().unwrap();
    assert!(z.status.success(), "{}", text(&z));
    let simulated = |o: &Output| -> usize {
        let t = text(o);
        let s = t.split("simulated ").nth(1).unwrap_or_else(|| panic!("{t}"));
        s.split(' ').next().unwrap().parse().unwrap()
    };
    let straight = d.join("straight");
    let outs = shards(&f, &straight, 2, "1");
    assert!(outs.iter().all(|o| o.status.success()));
    assert!(
        simulated(&again) < simulated(&outs[0]),
        "rerun simulated {} of {}",
        simulated(&again),
        simulated(&outs[0])
    );
    for name in COMPARED {
        assert!(same(&out, &one, name), "{name}");
    }
}

/// Shard 0 killed in the middle of a calibration (the other shard waits for it) and started
/// again with `--resume` continues from its state and the shard files: both finish, and the
/// results are the single-process ones.
#[test]
fn a_killed_shard_zero_resumes() {
    let d = tmp("calshard-kill0");
    let body = SMALL
        .replace("replicates = 120", "replicates = 400")
        .replace("generations = 3", "generations = 4");
    let f = cal_file(&d, &body);
    let one = d.join("one");
    let o = calibrate(&f, &one, &[]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let out = d.join("killed");
    let other = calibrate(&f, &out, &["--shard", "1/2", "--threads", "1"])
        .spawn()
        .unwrap();
    let mut zero = calibrate(&f, &out, &["--shard", "0/2", "--threads", "1"])
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !out.join("shards/g2-b0-k0.json").exists() && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(20));
    }
    zero.kill().unwrap();
    let _ = zero.wait();
    assert!(
        out.join("shards/g2-b0-k0.json").exists(),
        "shard 0 got to generation 2"
    );
    assert!(!out.join("posterior.csv").exists(), "killed before the end");
    let again = calibrate(&f, &out, &["--shard", "0/2", "--threads", "1", "--resume"])
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", text(&again));
    let o = other.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    for name in COMPARED {
        assert!(same(&out, &one, name), "{name}");
    }
}
