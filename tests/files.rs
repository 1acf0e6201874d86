//! Results directories under stress: two processes writing one directory, `run --force` killed
//! at many moments, temporary files of killed runs, and `run --per-run` memory. These run the
//! real binary (or, for memory, the library under a counting allocator).

mod util;
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use util::*;

/// Counts live heap bytes and their peak while `WATCH` is on (for the memory test).
struct Peak;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static WATCH: AtomicBool = AtomicBool::new(false);

unsafe impl GlobalAlloc for Peak {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let now = LIVE.fetch_add(l.size(), Ordering::Relaxed) + l.size();
        if WATCH.load(Ordering::Relaxed) {
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        if n >= l.size() {
            let now = LIVE.fetch_add(n - l.size(), Ordering::Relaxed) + n - l.size();
            if WATCH.load(Ordering::Relaxed) {
                PEAK.fetch_max(now, Ordering::Relaxed);
            }
        } else {
            LIVE.fetch_sub(l.size() - n, Ordering::Relaxed);
        }
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static A: Peak = Peak;

/// Start the binary with `args` (output discarded).
fn spawn(args: &[&str]) -> Child {
    Command::new(BIN)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Wait until `p` exists (at most 120 s).
fn wait_for(p: &Path) {
    let t0 = Instant::now();
    while !p.exists() && t0.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Whether every file the manifest in `dir` lists exists and has the listed SHA-256.
fn manifest_matches(dir: &Path) -> Result<(), String> {
    let text = std::fs::read(dir.join("manifest.json")).map_err(|e| format!("manifest: {e}"))?;
    let m: serde_json::Value = serde_json::from_slice(&text).map_err(|e| format!("manifest: {e}"))?;
    let files = m["files"].as_object().ok_or("manifest lists no files")?;
    if files.is_empty() {
        return Err("manifest lists no files".into());
    }
    for (name, hash) in files {
        let bytes = std::fs::read(dir.join(name)).map_err(|e| format!("{name}: {e}"))?;
        let got = deterrence_sim::report::files::sha256_hex(&bytes);
        if Some(got.as_str()) != hash.as_str() {
            return Err(format!("{name}: hash differs from the manifest's"));
        }
    }
    Ok(())
}

/// Names in `dir` (sorted).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

/// Defect 1: a second process on a directory that another is writing exits 2 naming the holder
/// (pid and command), and the first one's results are those of a lone run.
#[test]
fn a_second_writer_exits_2_naming_the_holder() {
    let d = tmp("two-writers");
    let out = d.join("o");
    let o = out.to_str().unwrap();
    let lone = d.join("lone");
    let args = [
        "run",
        "--runs",
        "3000",
        "--seed",
        "4",
        "--quiet",
        "--threads",
        "1",
    ];
    let r = run(&[&args[..], &["--out", lone.to_str().unwrap()]].concat());
    assert!(r.status.success(), "{}", text(&r));
    let first = spawn(&[&args[..], &["--out", o]].concat());
    let pid = first.id();
    // The holder has started writing (its directory exists) before the second starts.
    wait_for(&out);
    std::thread::sleep(Duration::from_millis(300));
    let second = run(&[
        "run", "--runs", "50", "--seed", "9", "--quiet", "--force", "--out", o,
    ]);
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", text(&first));
    assert_eq!(second.status.code(), Some(2), "second writer: {}", text(&second));
    let msg = text(&second);
    assert!(
        msg.contains(&format!("pid {pid}")),
        "the holder's pid is named: {msg}"
    );
    assert!(
        msg.contains("run --runs 3000"),
        "the holder's command is named: {msg}"
    );
    assert!(msg.contains("since"), "{msg}");
    for f in ["summary.csv", "guarantors.csv", "timeline.csv"] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(lone.join(f)).unwrap(),
            "{f} differs from a lone run's"
        );
    }
    manifest_matches(&out).unwrap();
}

/// Defect 1 for studies: two `sweep --force` on one directory at once: one exits 2, and the
/// other's points.csv equals a lone sweep's.
#[test]
fn two_sweeps_on_one_directory_do_not_mix() {
    let d = tmp("two-sweeps");
    let f = d.join("s.toml");
    std::fs::write(
        &f,
        "name = \"two\"\nreplicates = 200\nperiods = 24\nseed = 5\n[design]\nkind = \"grid\"\n\n\
             [[parameters]]\npath = \"russia.war_cost\"\nvalues = [1.0, 2.0, 3.0, 4.0]\n",
    )
    .unwrap();
    let fs = f.to_str().unwrap();
    let lone = d.join("lone");
    let r = run(&["sweep", fs, "--quiet", "--out", lone.to_str().unwrap()]);
    assert!(r.status.success(), "{}", text(&r));
    let out = d.join("two");
    let o = out.to_str().unwrap();
    let a = spawn(&["sweep", fs, "--quiet", "--force", "--out", o]);
    let b = spawn(&["sweep", fs, "--quiet", "--force", "--out", o]);
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let codes = [a.status.code(), b.status.code()];
    assert!(
        codes.contains(&Some(0)) && codes.contains(&Some(2)),
        "one must finish and one exit 2: {codes:?} {} {}",
        text(&a),
        text(&b)
    );
    assert_eq!(
        std::fs::read(out.join("points.csv")).unwrap(),
        std::fs::read(lone.join("points.csv")).unwrap()
    );
    manifest_matches(&out).unwrap();
}

/// Defect 2: `run --force` killed (SIGKILL) at many moments of its run leaves either the whole
/// old result set or the whole new one: the manifest's hashes match the files every time.
#[test]
fn run_force_killed_at_any_moment_leaves_a_whole_set() {
    let d = tmp("force-kill");
    let out = d.join("o");
    let o = out.to_str().unwrap();
    let args = [
        "run",
        "--runs",
        "600",
        "--seed",
        "2",
        "--quiet",
        "--force",
        "--threads",
        "1",
    ];
    let r = run(&["run", "--runs", "300", "--seed", "1", "--quiet", "--out", o]);
    assert!(r.status.success(), "{}", text(&r));
    let old = std::fs::read(out.join("summary.csv")).unwrap();
    let t0 = Instant::now();
    let r = run(&[&args[..], &["--out", o]].concat());
    assert!(r.status.success(), "{}", text(&r));
    let total = t0.elapsed();
    let new = std::fs::read(out.join("summary.csv")).unwrap();
    // Back to the old set, then kill replacements of it.
    let r = run(&[
        "run", "--runs", "300", "--seed", "1", "--quiet", "--force", "--out", o,
    ]);
    assert!(r.status.success(), "{}", text(&r));
    for pct in [40, 55, 65, 72, 78, 83, 87, 90, 93, 96, 99] {
        let mut c = spawn(&[&args[..], &["--out", o]].concat());
        std::thread::sleep(total * pct / 100);
        let _ = c.kill();
        let _ = c.wait();
        manifest_matches(&out).unwrap_or_else(|e| panic!("killed at {pct}%: {e}"));
        let now = std::fs::read(out.join("summary.csv")).unwrap();
        assert!(
            now == old || now == new,
            "killed at {pct}%: summary.csv is neither set's"
        );
        if now == new {
            let r = run(&[
                "run", "--runs", "300", "--seed", "1", "--quiet", "--force", "--out", o,
            ]);
            assert!(r.status.success(), "{}", text(&r));
        }
    }
}

/// Defect 13: a run killed while drawing its charts leaves temporary files (PNG included); the
/// next run into the directory removes every one of them, and a finished run leaves none. The
/// next run decides staleness by the directory lock, not by /proc.
#[test]
fn a_killed_runs_temporary_files_are_removed_by_the_next_run() {
    let d = tmp("stale");
    let out = d.join("o");
    let o = out.to_str().unwrap();
    let r = run(&["run", "--runs", "100", "--quiet", "--out", o]);
    assert!(r.status.success(), "{}", text(&r));
    // Kill a --force run as soon as a temporary PNG appears anywhere under `d`.
    let temp_png = |dir: &Path| -> Option<PathBuf> {
        let mut stack = vec![dir.to_path_buf()];
        while let Some(p) = stack.pop() {
            for e in std::fs::read_dir(&p).ok()?.flatten() {
                let n = e.file_name().to_string_lossy().to_string();
                if e.path().is_dir() {
                    stack.push(e.path());
                } else if n.starts_with('.') && n.ends_with(".png") {
                    return Some(e.path());
                }
            }
        }
        None
    };
    let mut seen = None;
    for _ in 0..20 {
        let mut c = spawn(&["run", "--runs", "100", "--quiet", "--force", "--out", o]);
        let t0 = Instant::now();
        while seen.is_none() && t0.elapsed() < Duration::from_secs(60) {
            seen = temp_png(&d);
            if c.try_wait().unwrap().is_some() {
                break;
            }
        }
        let _ = c.kill();
        let _ = c.wait();
        // The run may have renamed the file between the look and the kill: try again.
        if seen.as_ref().is_some_and(|p| p.exists()) {
            break;
        }
        seen = None;
    }
    let seen = seen.expect("a temporary PNG was seen before the kill");
    assert!(seen.exists(), "the killed run left {}", seen.display());
    let r = run(&[
        "run", "--runs", "100", "--seed", "3", "--quiet", "--force", "--out", o,
    ]);
    assert!(r.status.success(), "{}", text(&r));
    assert!(!seen.exists(), "{} survived the next run", seen.display());
    assert_eq!(
        names(&d),
        vec!["o".to_string()],
        "only the results directory is left"
    );
    let extra: Vec<String> = names(&out)
        .into_iter()
        .filter(|n| n.starts_with('.') && n != ".deterrence-sim.lock")
        .collect();
    assert!(extra.is_empty(), "temporary files left: {extra:?}");
    manifest_matches(&out).unwrap();
}

/// Defect 8: `run --per-run` keeps memory flat in the number of runs: the peak of live heap bytes
/// at 16x the runs grows by far less than the extra rows of runs.csv would take (the live-heap
/// counter is process-wide, so the other tests of this file running at the same time add a few
/// MB of noise: the margin is a quarter of the extra rows, about 6.8 MB). Both sizes are
/// many chunks of the runner (`sim::batch::CHUNK`), measured after a warm-up call (the first call
/// in a process peaks about 2 MB lower: 15.5 MB at 1,000 runs, then 17.5-17.7 MB at 5,000 to
/// 40,000 runs in any order, with the calibrated default).
#[test]
fn per_run_memory_is_flat_in_the_number_of_runs() {
    use deterrence_sim::app::load::Overrides;
    use deterrence_sim::app::run::run as run_job;
    use deterrence_sim::sim::batch::Silent;
    let d = tmp("per-run-mem");
    let mut peak = Vec::new();
    // A first call allocates what the process keeps (pools, caches): warm up, then measure.
    for runs in [1000u64, 5000, 80000] {
        let o = Overrides {
            runs: Some(runs),
            periods: Some(6),
            threads: Some(1),
            ..Default::default()
        };
        let out = d.join(format!("r{runs}"));
        PEAK.store(LIVE.load(Ordering::SeqCst), Ordering::SeqCst);
        WATCH.store(true, Ordering::SeqCst);
        run_job(None, &o, Some(&out), false, true, &Silent).unwrap();
        WATCH.store(false, Ordering::SeqCst);
        peak.push(PEAK.load(Ordering::SeqCst));
        if runs == 1000 {
            peak.clear();
            continue;
        }
        let size = std::fs::metadata(out.join("runs.csv")).unwrap().len();
        assert!(size > (runs * 4 * 40), "runs.csv holds every row ({size} bytes)");
    }
    let extra_rows = std::fs::metadata(d.join("r80000/runs.csv")).unwrap().len()
        - std::fs::metadata(d.join("r5000/runs.csv")).unwrap().len();
    let grew = peak[1].saturating_sub(peak[0]) as u64;
    assert!(
        grew < extra_rows / 4,
        "peak heap grew by {grew} bytes from 5*10^3 to 8*10^4 runs (runs.csv grew by {extra_rows})"
    );
}

/// `plot` writes charts into a results directory, so it waits its turn like any writer: while a
/// run holds the directory, `plot` exits 2 naming the holder and leaves the run's files alone.
#[test]
fn plot_refuses_a_directory_another_process_is_writing() {
    let d = tmp("plot-locked");
    let out = d.join("o");
    let o = out.to_str().unwrap();
    let args = [
        "run",
        "--runs",
        "6000",
        "--seed",
        "4",
        "--quiet",
        "--threads",
        "1",
        "--out",
        o,
    ];
    let first = spawn(&args);
    let pid = first.id();
    wait_for(&out.join(".deterrence-sim.lock"));
    std::thread::sleep(Duration::from_millis(200));
    let plot = run(&["plot", o, "--force"]);
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", text(&first));
    assert_eq!(plot.status.code(), Some(2), "plot during a run: {}", text(&plot));
    assert!(text(&plot).contains(&format!("pid {pid}")), "{}", text(&plot));
    manifest_matches(&out).unwrap();
}
