//! The MPI backend (only with `--features mpi`; `.ci/run` installs OpenMPI and runs these):
//! identity with a single-process run on 2 and 3 ranks (sweeps and calibrations), a rank killed
//! mid-run leaves a directory that `--resume` finishes with the same bytes, and a rank given a
//! different calibration ends the job.

#![cfg(feature = "mpi")]

mod util;
use util::*;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dsim-mpi-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn sweep_file(d: &Path) -> PathBuf {
    let f = d.join("s.toml");
    std::fs::write(
        &f,
        "replicates = 200\nperiods = 12\nseed = 3\n[design]\nkind = \"grid\"\n[[parameters]]\npath = \"russia.war_cost\"\nrange = [0.5, 3.0]\nlevels = 6\n",
    )
    .unwrap();
    f
}

fn mpirun(np: usize, args: &[&str]) -> Command {
    let mut c = Command::new("mpirun");
    c.args([
        "--allow-run-as-root",
        "--oversubscribe",
        "-np",
        &np.to_string(),
        BIN,
    ]);
    c.args(args);
    c
}

#[test]
fn mpi_runs_are_byte_identical_to_one_process() {
    let d = tmp("identity");
    let f = sweep_file(&d);
    let single = Command::new(BIN)
        .args([
            "sweep",
            f.to_str().unwrap(),
            "--out",
            d.join("one").to_str().unwrap(),
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(single.status.success(), "{}", text(&single));
    let want = std::fs::read(d.join("one/points.csv")).unwrap();
    for np in [2, 3] {
        let out = d.join(format!("np{np}"));
        let o = mpirun(
            np,
            &[
                "sweep",
                f.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--quiet",
                "--mpi",
                "--threads",
                "1",
            ],
        )
        .output()
        .unwrap();
        assert!(o.status.success(), "np {np}: {}", text(&o));
        assert_eq!(std::fs::read(out.join("points.csv")).unwrap(), want, "np {np}");
        assert!(out.join("sweep.png").exists() && out.join("manifest.json").exists());
    }
}

fn children(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(p) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) {
            let after = stat.rsplit(')').next().unwrap_or("");
            let ppid: u32 = after
                .split_whitespace()
                .nth(1)
                .and_then(|x| x.parse().ok())
                .unwrap_or(0);
            if ppid == pid {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn a_killed_rank_leaves_a_resumable_directory() {
    let d = tmp("kill");
    let f = d.join("k.toml");
    std::fs::write(
        &f,
        "replicates = 1500\nperiods = 24\nseed = 4\n[design]\nkind = \"grid\"\n[[parameters]]\npath = \"russia.war_cost\"\nrange = [0.5, 3.0]\nlevels = 12\n",
    )
    .unwrap();
    let full = Command::new(BIN)
        .args([
            "sweep",
            f.to_str().unwrap(),
            "--out",
            d.join("full").to_str().unwrap(),
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(full.status.success());
    let out = d.join("killed");
    let mut job = mpirun(
        3,
        &[
            "sweep",
            f.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--mpi",
            "--threads",
            "1",
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    // Kill one worker rank (a child of mpirun that is not rank 0's... any rank will do).
    let ranks = children(job.id());
    if let Some(&victim) = ranks.last() {
        let _ = Command::new("kill").args(["-9", &victim.to_string()]).status();
    }
    let _ = job.wait();
    std::thread::sleep(Duration::from_millis(200));
    assert!(out.join("sweep-state.json").exists(), "the job must have started");
    let r = Command::new(BIN)
        .args([
            "sweep",
            f.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--resume",
        ])
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", text(&r));
    assert_eq!(
        std::fs::read(out.join("points.csv")).unwrap(),
        std::fs::read(d.join("full/points.csv")).unwrap()
    );
}

/// A small calibration (3 generations of 40 particles) with its base config.
fn calibration_file(d: &Path) -> PathBuf {
    std::fs::write(d.join("default.toml"), DEFAULT).unwrap();
    let f = d.join("cal.toml");
    std::fs::write(
        &f,
        "base = \"default.toml\"\nreplicates = 120\nseed = 11\n[method]\nkind = \"abc_smc\"\nparticles = 40\ngenerations = 3\nquantile = 0.5\n\
         [[priors]]\npath = \"russia.lambda\"\nkind = \"log_uniform\"\nrange = [1.0, 6.0]\n\
         [[priors]]\npath = \"russia.probe_gain\"\nkind = \"uniform\"\nrange = [0.1, 1.2]\n\
         [[targets]]\nname = \"probes\"\nrow = \"PROBE-01\"\nregime = \"none\"\nstatistic = \"probe_hazard\"\nlikelihood = \"poisson\"\ncount = 5\nexposure = 228.0\n\
         [[targets]]\nname = \"offensive\"\nrow = \"CF-01\"\nregime = \"none\"\nstatistic = \"p_offensive\"\nlikelihood = \"band\"\nband = [0.0, 0.5]\n",
    )
    .unwrap();
    f
}

/// `calibrate --mpi` on 2 and 3 ranks writes the posterior, diagnostics, parameters and
/// predictive checks of a single-process run, byte for byte, and the usual charts and manifest.
#[test]
fn mpi_calibrations_are_byte_identical_to_one_process() {
    let d = tmp("calibrate");
    let f = calibration_file(&d);
    let single = Command::new(BIN)
        .args([
            "calibrate",
            f.to_str().unwrap(),
            "--out",
            d.join("one").to_str().unwrap(),
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(single.status.success(), "{}", text(&single));
    for np in [2, 3] {
        let out = d.join(format!("np{np}"));
        let o = mpirun(
            np,
            &[
                "calibrate",
                f.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--quiet",
                "--mpi",
                "--threads",
                "1",
            ],
        )
        .output()
        .unwrap();
        assert!(o.status.success(), "np {np}: {}", text(&o));
        for name in [
            "posterior.csv",
            "diagnostics.csv",
            "parameters.csv",
            "predictive.csv",
        ] {
            assert!(
                std::fs::read(out.join(name)).unwrap() == std::fs::read(d.join("one").join(name)).unwrap(),
                "np {np}: {name}"
            );
        }
        assert!(out.join("marginals.png").exists() && out.join("manifest.json").exists());
    }
}

/// A worker rank that loaded a different calibration (here another seed) ends the job with a
/// message saying so, and no results are written.
#[test]
fn a_rank_with_another_calibration_ends_the_job() {
    let d = tmp("calibrate-mismatch");
    let f = calibration_file(&d);
    let out = d.join("mixed");
    let args = [
        "calibrate",
        f.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--mpi",
    ];
    let o = Command::new("mpirun")
        .args(["--allow-run-as-root", "--oversubscribe", "-np", "1", BIN])
        .args(args)
        .arg(":")
        .args(["-np", "1", BIN])
        .args(args)
        .args(["--seed", "5"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        text(&o).contains("rank 1 loaded a different calibration"),
        "{}",
        text(&o)
    );
    assert!(!out.join("posterior.csv").exists());
}

/// A worker rank killed in the middle of an MPI calibration ends the job and leaves a directory
/// that `--resume` (here in one process) finishes with the single-process bytes.
#[test]
fn a_killed_rank_leaves_a_resumable_calibration() {
    let d = tmp("calibrate-kill");
    let f = calibration_file(&d);
    let body = std::fs::read_to_string(&f)
        .unwrap()
        .replace("replicates = 120", "replicates = 400")
        .replace("generations = 3", "generations = 5");
    std::fs::write(&f, body).unwrap();
    let one = d.join("one");
    let o = Command::new(BIN)
        .args([
            "calibrate",
            f.to_str().unwrap(),
            "--out",
            one.to_str().unwrap(),
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let out = d.join("killed");
    let mut job = mpirun(
        3,
        &[
            "calibrate",
            f.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--mpi",
            "--threads",
            "1",
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    // Wait until generation 1 is in the state, then kill a rank.
    let state = out.join("calibration-state.json");
    let start = std::time::Instant::now();
    while !std::fs::read_to_string(&state).is_ok_and(|t| t.contains("\"index\": 1"))
        && start.elapsed() < Duration::from_secs(120)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let ranks = children(job.id());
    if let Some(&victim) = ranks.last() {
        let _ = Command::new("kill").args(["-9", &victim.to_string()]).status();
    }
    let _ = job.wait();
    std::thread::sleep(Duration::from_millis(200));
    assert!(!out.join("posterior.csv").exists(), "killed before the end");
    let r = Command::new(BIN)
        .args([
            "calibrate",
            f.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--resume",
        ])
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", text(&r));
    for name in [
        "posterior.csv",
        "diagnostics.csv",
        "parameters.csv",
        "predictive.csv",
    ] {
        assert!(
            std::fs::read(out.join(name)).unwrap() == std::fs::read(one.join(name)).unwrap(),
            "{name}"
        );
    }
}
