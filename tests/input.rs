//! Input the tool must refuse cleanly (exit 2, naming the file or option, no panic): damaged
//! files read back (state, rows, manifests), damaged partial files on resume, inputs that are not
//! small regular files, sizes out of range, options blamed by name, and tables that no longer
//! match their manifest.

mod util;
use util::*;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A 5-point grid sweep over the default config, small enough to run in a second.
fn write_sweep(dir: &Path, replicates: u64) -> PathBuf {
    let f = dir.join("s.toml");
    std::fs::write(
        &f,
        format!(
            "replicates = {replicates}\nperiods = 12\nseed = 17\n\n[design]\nkind = \"grid\"\n\n\
             [[parameters]]\npath = \"russia.war_cost\"\nvalues = [1.0, 1.5, 2.0, 2.5, 3.0]\n"
        ),
    )
    .unwrap();
    f
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Run with a time limit; `None` if it had to be killed.
fn run_for(args: &[&str], secs: u64) -> Option<Output> {
    let mut c = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if c.try_wait().unwrap().is_some() {
            return Some(c.wait_with_output().unwrap());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = c.kill();
    let _ = c.wait();
    None
}

/// Exit 2 within `secs`, no panic, and every needle in the message.
fn refused(args: &[&str], secs: u64, needles: &[&str]) {
    let o = run_for(args, secs).unwrap_or_else(|| panic!("{args:?}: still running after {secs} s"));
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {t}");
    assert!(!t.contains("panicked"), "{args:?}: {t}");
    assert!(t.len() < 4000, "{args:?}: a message of {} bytes", t.len());
    for n in needles {
        assert!(t.contains(n), "{args:?}: `{n}` not in: {t}");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// Defect 4: merge panicked (exit 101) on `"shard": [5, 2]`. Every damaged state file or row
/// file of a shard is refused with exit 2 naming the file (and the field), never a panic; so are
/// `--resume` and `plot` on a damaged state.
#[test]
fn merge_resume_and_plot_refuse_damaged_state_and_rows() {
    let d = tmp("merge-damage");
    let f = write_sweep(&d, 4);
    for k in 0..2 {
        let o = run(&[
            "sweep",
            s(&f),
            "--shard",
            &format!("{k}/2"),
            "--quiet",
            "--out",
            s(&d.join(format!("s{k}"))),
        ]);
        assert!(o.status.success(), "{}", text(&o));
    }
    let good: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("s1/sweep-state.json")).unwrap()).unwrap();
    type Edit = fn(&mut serde_json::Value);
    let edits: Vec<(&str, Edit, &str)> = vec![
        ("shard 5/2", |v| v["shard"] = serde_json::json!([5, 2]), "shard"),
        ("shard 0/0", |v| v["shard"] = serde_json::json!([0, 0]), "shard"),
        (
            "shard 1/1e18",
            |v| v["shard"] = serde_json::json!([1, 1_000_000_000_000_000_000u64]),
            "shard",
        ),
        ("shard text", |v| v["shard"] = serde_json::json!("1/2"), "shard"),
        (
            "shard negative",
            |v| v["shard"] = serde_json::json!([-1, 2]),
            "shard",
        ),
        (
            "replicates 0",
            |v| v["replicates"] = serde_json::json!(0),
            "replicates",
        ),
        (
            "replicates huge",
            |v| v["replicates"] = serde_json::json!(1u64 << 40),
            "replicates",
        ),
        ("seed float", |v| v["seed"] = serde_json::json!(1.5), "seed"),
        ("no points", |v| v["points"] = serde_json::json!([]), "points"),
        (
            "short point",
            |v| v["points"][1] = serde_json::json!([]),
            "points[1]",
        ),
        (
            "NaN point",
            |v| v["points"][1] = serde_json::json!(["NaN"]),
            "points",
        ),
        ("no params", |v| v["params"] = serde_json::json!([]), "params"),
        (
            "unknown param",
            |v| v["params"] = serde_json::json!(["russia.nope"]),
            "russia.nope",
        ),
        ("bad name", |v| v["name"] = serde_json::json!("../../etc"), "name"),
        (
            "bad base",
            |v| v["base_toml"] = serde_json::json!("name = ["),
            "sweep-state.json",
        ),
        (
            "threads",
            |v| v["threads"] = serde_json::json!(1u64 << 40),
            "threads",
        ),
        (
            "design",
            |v| v["design"] = serde_json::json!("factorial"),
            "factorial",
        ),
        (
            "morris design",
            |v| v["design"] = serde_json::json!("morris"),
            "design",
        ),
        ("no regimes", |v| v["regimes"] = serde_json::json!([]), "regimes"),
        (
            "bad analysis",
            |v| {
                v["analysis"] = serde_json::json!({"method": "sobol", "regime": "article5", "minus": null,
                    "ranges": [[0.0, 1.0]], "bootstrap": 0, "morris_levels": 4, "prim_threshold": 0.5,
                    "prim_alpha": 0.05, "prim_min_mass": 0.05, "prim_min_coverage": 0.5})
            },
            "sweep-state.json",
        ),
        (
            "not an object",
            |v| *v = serde_json::json!([1, 2]),
            "sweep-state.json",
        ),
    ];
    for (k, (name, edit, needle)) in edits.iter().enumerate() {
        let bad = d.join(format!("bad{k}"));
        copy_dir(&d.join("s1"), &bad);
        let mut v = good.clone();
        edit(&mut v);
        std::fs::write(
            bad.join("sweep-state.json"),
            serde_json::to_string_pretty(&v).unwrap(),
        )
        .unwrap();
        let out = d.join(format!("m{k}"));
        let s0 = d.join("s0");
        let args = ["merge", s(&out), s(&s0), s(&bad)];
        let o = run_for(&args, 60).unwrap();
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {t}");
        assert!(!t.contains("panicked"), "{name}: {t}");
        assert!(
            t.contains("sweep-state.json") && t.contains(needle),
            "{name}: `{needle}` in {t}"
        );
        // The same damaged state under --resume and plot: refused too.
        let r = run(&[
            "sweep",
            s(&f),
            "--shard",
            "1/2",
            "--resume",
            "--quiet",
            "--out",
            s(&bad),
        ]);
        assert_eq!(r.status.code(), Some(2), "{name} resume: {}", text(&r));
        assert!(!text(&r).contains("panicked"), "{name}: {}", text(&r));
        let p = run(&["plot", s(&bad), "--force"]);
        assert_eq!(p.status.code(), Some(2), "{name} plot: {}", text(&p));
        assert!(!text(&p).contains("panicked"), "{name}: {}", text(&p));
    }
    // Broken JSON and an empty file.
    for (k, body) in ["{\"name\": ", "", "\u{0}\u{0}"].iter().enumerate() {
        let bad = d.join(format!("json{k}"));
        copy_dir(&d.join("s1"), &bad);
        std::fs::write(bad.join("sweep-state.json"), body).unwrap();
        refused(
            &["merge", s(&d.join(format!("mj{k}"))), s(&d.join("s0")), s(&bad)],
            60,
            &["sweep-state.json"],
        );
    }
    // Damaged rows in a shard's points.csv: a NaN cell, an out-of-range point, a changed value,
    // a missing row, an extra row, a byte that is not UTF-8.
    let rows = std::fs::read_to_string(d.join("s1/points.csv")).unwrap();
    let lines: Vec<&str> = rows.split_inclusive('\n').collect();
    let nan = lines[1].replacen(",4,", ",NaN,", 1);
    let far = format!("18446744073709551616{}", &lines[1][1..]);
    let value = lines[1].replacen(",1.5,", ",1.7,", 1);
    let damaged: Vec<(&str, Vec<u8>)> = vec![
        ("nan", [lines[0], &nan].concat().into_bytes()),
        ("far", [lines[0], &far].concat().into_bytes()),
        ("value", [lines[0], &value].concat().into_bytes()),
        ("missing", lines[..lines.len() - 1].concat().into_bytes()),
        ("extra", [rows.as_str(), lines[1]].concat().into_bytes()),
        ("utf8", {
            let mut b = rows.clone().into_bytes();
            let at = lines[0].len() + 3;
            b[at] = 0xff;
            b
        }),
    ];
    for (name, body) in damaged {
        let bad = d.join(format!("rows-{name}"));
        copy_dir(&d.join("s1"), &bad);
        std::fs::write(bad.join("points.csv"), body).unwrap();
        let o = run(&[
            "merge",
            s(&d.join(format!("mr-{name}"))),
            s(&d.join("s0")),
            s(&bad),
        ]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {t}");
        assert!(t.contains("points.csv") && !t.contains("panicked"), "{name}: {t}");
        assert!(
            !d.join(format!("mr-{name}/points.csv")).exists(),
            "{name}: merged anyway"
        );
    }
    // The undamaged shards still merge.
    let o = run(&["merge", s(&d.join("ok")), s(&d.join("s0")), s(&d.join("s1"))]);
    assert!(o.status.success(), "{}", text(&o));
}

/// A finished sweep directory turned back into an interrupted one: copied to `to` without its
/// `points.csv` and manifest; returns the header and the first `keep` points' rows.
fn interrupted(done: &Path, to: &Path, keep: usize, regimes: usize) -> Vec<u8> {
    copy_dir(done, to);
    let rows = std::fs::read(to.join("points.csv")).unwrap();
    std::fs::remove_file(to.join("points.csv")).unwrap();
    std::fs::remove_file(to.join("manifest.json")).unwrap();
    let lines: Vec<&[u8]> = rows.split_inclusive(|&b| b == b'\n').collect();
    lines[..1 + keep * regimes].concat()
}

/// Defect 5: one damaged byte in points.partial.csv made `--resume` rerun every finished point
/// and overwrite the file with its header. Now a damaged row is refused (exit 2, the file and
/// line named, the file left as it was); a row cut short at the end (an interrupted write) keeps
/// the complete points before it.
#[test]
fn resume_keeps_the_complete_prefix_or_refuses_a_damaged_partial_file() {
    let d = tmp("resume-damage");
    let f = write_sweep(&d, 4);
    let full = d.join("full");
    assert!(run(&["sweep", s(&f), "--quiet", "--out", s(&full)])
        .status
        .success());
    let reference = std::fs::read(full.join("points.csv")).unwrap();
    let regimes = 4;
    // A damaged byte inside point 1's rows (points 0 to 2 written).
    for (name, byte) in [("not-utf8", 0xffu8), ("letter", b'x')] {
        let dir = d.join(name);
        let mut partial = interrupted(&full, &dir, 3, regimes);
        let header = partial.iter().position(|&b| b == b'\n').unwrap() + 1;
        let row1 = header
            + partial[header..]
                .split_inclusive(|&b| b == b'\n')
                .take(regimes)
                .map(<[u8]>::len)
                .sum::<usize>();
        // The second character of point 1's success_rate cell (after its fifth comma).
        let at = row1
            + partial[row1..]
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b',')
                .nth(4)
                .unwrap()
                .0
            + 2;
        partial[at] = byte;
        std::fs::write(dir.join("points.partial.csv"), &partial).unwrap();
        let o = run(&["sweep", s(&f), "--resume", "--out", s(&dir)]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {t}");
        assert!(
            t.contains("points.partial.csv") && t.contains("line") && !t.contains("panicked"),
            "{name}: {t}"
        );
        assert_eq!(
            std::fs::read(dir.join("points.partial.csv")).unwrap(),
            partial,
            "{name}: file changed"
        );
    }
    // Cut short at the end: the 2 complete points are kept, 3 rerun, and the result is exact.
    let dir = d.join("torn");
    let mut partial = interrupted(&full, &dir, 3, regimes);
    partial.truncate(partial.len() - 30);
    std::fs::write(dir.join("points.partial.csv"), &partial).unwrap();
    let o = run(&["sweep", s(&f), "--resume", "--out", s(&dir)]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("3 of 5 points run"), "{}", text(&o));
    assert_eq!(std::fs::read(dir.join("points.csv")).unwrap(), reference);
    // With --per-run: a damaged run row is refused too.
    let pr = d.join("per-run");
    assert!(run(&["sweep", s(&f), "--per-run", "--quiet", "--out", s(&pr)])
        .status
        .success());
    let dir = d.join("per-run-bad");
    let partial = interrupted(&pr, &dir, 2, regimes);
    std::fs::write(dir.join("points.partial.csv"), &partial).unwrap();
    let runs = std::fs::read_to_string(dir.join("runs.csv")).unwrap();
    std::fs::remove_file(dir.join("runs.csv")).unwrap();
    let mut lines: Vec<String> = runs.split_inclusive('\n').map(str::to_string).collect();
    lines[3] = "0,1.0,oops\n".into();
    std::fs::write(dir.join("runs.partial.csv"), lines.concat()).unwrap();
    refused(
        &[
            "sweep",
            s(&f),
            "--per-run",
            "--resume",
            "--quiet",
            "--out",
            s(&dir),
        ],
        60,
        &["runs.partial.csv"],
    );
}

/// Defect 6: a config path to /dev/zero grew without end; a huge TOML took gigabytes; a huge
/// garbage line made a huge message. Non-regular files and files over the limit are refused
/// within seconds, and quoted excerpts are capped.
#[test]
fn inputs_that_are_not_small_regular_files_are_refused() {
    let d = tmp("input-size");
    for cmd in ["validate", "run", "sweep", "sensitivity"] {
        refused(&[cmd, "/dev/zero"], 10, &["/dev/zero", "not a regular file"]);
    }
    refused(&["validate", s(&d)], 10, &["not a regular file"]);
    let big = d.join("big.toml");
    std::fs::write(&big, format!("name = \"x\"\n# {}\n", "y".repeat(2 << 20))).unwrap();
    refused(&["validate", s(&big)], 10, &["big.toml", "1 MiB"]);
    refused(&["run", s(&big)], 10, &["big.toml", "1 MiB"]);
    // A garbage line just under the limit: the message quotes at most a short excerpt.
    let garbage = d.join("garbage.toml");
    std::fs::write(&garbage, format!("{} = = =\n", "z".repeat(900_000))).unwrap();
    refused(&["validate", s(&garbage)], 20, &["garbage.toml"]);
    // A sweep file whose base config or design table is a device.
    let sw = d.join("sw.toml");
    std::fs::write(
        &sw,
        "base = \"/dev/zero\"\nreplicates = 2\n[design]\nkind = \"grid\"\n[[parameters]]\npath = \"russia.war_cost\"\nvalues = [1.0]\n",
    )
    .unwrap();
    refused(&["validate", s(&sw)], 10, &["/dev/zero", "not a regular file"]);
    let tab = d.join("tab.toml");
    std::fs::write(
        &tab,
        "replicates = 2\n[design]\nkind = \"table\"\nfile = \"/dev/zero\"\n",
    )
    .unwrap();
    refused(&["validate", s(&tab)], 10, &["/dev/zero", "not a regular file"]);
}

fn sens(dir: &Path, name: &str, method: &str, table: &str) -> PathBuf {
    let f = dir.join(format!("{name}.toml"));
    std::fs::write(
        &f,
        format!(
            "base = \"{ROOT}/configs/default.toml\"\nmethod = \"{method}\"\nreplicates = 10\n\n[output]\nregime = \"article5\"\n\n{table}\n\n\
             [[parameters]]\npath = \"russia.lambda\"\nrange = [1.5, 3.5]\n\n[[parameters]]\npath = \"russia.war_cost\"\nrange = [1.0, 3.0]\n"
        ),
    )
    .unwrap();
    f
}

fn sweep_file(dir: &Path, name: &str, body: &str) -> PathBuf {
    let f = dir.join(format!("{name}.toml"));
    std::fs::write(&f, body).unwrap();
    f
}

/// Defect 7: `bootstrap = 10^12` was accepted (memory then grew); `replicates = 10^12` was
/// refused with a wrong "must be at least 1". Every size has a bound and the message states it.
#[test]
fn every_size_is_bounded_and_the_message_states_the_range() {
    let d = tmp("bounds");
    let t = "1000000000000";
    let cases: Vec<(PathBuf, Vec<&str>)> = vec![
        (sens(&d, "boot-sobol", "sobol", &format!("[sobol]\nsamples = 8\nbootstrap = {t}")), vec!["sobol.bootstrap", "1..=100000"]),
        (sens(&d, "boot-morris", "morris", &format!("[morris]\ntrajectories = 4\nbootstrap = {t}")), vec!["morris.bootstrap", "1..=100000"]),
        (sens(&d, "samples", "sobol", &format!("[sobol]\nsamples = {t}")), vec!["sobol.samples", "2..=1048576"]),
        (sens(&d, "skip", "sobol", &format!("[sobol]\nsamples = 8\nskip = {t}")), vec!["sobol.skip", "0..=4294967295"]),
        (sens(&d, "traj", "morris", &format!("[morris]\ntrajectories = {t}")), vec!["morris.trajectories", "2..="]),
        (sens(&d, "levels", "morris", &format!("[morris]\ntrajectories = 4\nlevels = {t}")), vec!["morris.levels", "2..=1000"]),
        (sens(&d, "prim", "prim", &format!("[prim]\npoints = {t}\nthreshold = 0.5")), vec!["prim.points", "2..=1000000"]),
        (
            {
                let f = sens(&d, "reps", "sobol", "[sobol]\nsamples = 8");
                let body = std::fs::read_to_string(&f).unwrap().replace("replicates = 10", &format!("replicates = {t}"));
                std::fs::write(&f, body).unwrap();
                f
            },
            vec!["replicates", "1..=4294967295"],
        ),
        (
            sweep_file(&d, "sw-reps", &format!("replicates = {t}\n[design]\nkind = \"grid\"\n[[parameters]]\npath = \"russia.war_cost\"\nvalues = [1.0]\n")),
            vec!["replicates", "1..=4294967295"],
        ),
        (
            sweep_file(&d, "sw-points", &format!("replicates = 2\n[design]\nkind = \"lhs\"\npoints = {t}\n[[parameters]]\npath = \"russia.war_cost\"\nrange = [1.0, 2.0]\n")),
            vec!["design.points", "1..=1000000"],
        ),
        (
            sweep_file(&d, "sw-levels", &format!("replicates = 2\n[design]\nkind = \"grid\"\nlevels = {t}\n[[parameters]]\npath = \"russia.war_cost\"\nrange = [1.0, 2.0]\n")),
            vec!["design.levels", "1..=1000000"],
        ),
        (
            sweep_file(&d, "sw-plevels", &format!("replicates = 2\n[design]\nkind = \"grid\"\n[[parameters]]\npath = \"russia.war_cost\"\nrange = [1.0, 2.0]\nlevels = {t}\n")),
            vec!["parameters[0].levels", "1..=1000000"],
        ),
        (
            sweep_file(&d, "sw-skip", &format!("replicates = 2\n[design]\nkind = \"sobol\"\npoints = 4\nskip = {t}\n[[parameters]]\npath = \"russia.war_cost\"\nrange = [1.0, 2.0]\n")),
            vec!["design.skip", "0..=4294967295"],
        ),
    ];
    for (f, needles) in &cases {
        refused(&["validate", s(f)], 20, needles);
    }
    // Command-line sizes name the option.
    let sw = sweep_file(&d, "ok", "replicates = 2\nperiods = 6\n[design]\nkind = \"lhs\"\npoints = 3\n[[parameters]]\npath = \"russia.war_cost\"\nrange = [1.0, 2.0]\n");
    let so = sens(&d, "ok-sens", "sobol", "[sobol]\nsamples = 8");
    let out = s(&d.join("never")).to_string();
    let shard = format!("0/{t}");
    let cli: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["run", "--runs", t, "--quiet", "--out", &out],
            vec!["--runs", "1..=1000000000"],
        ),
        (
            vec!["run", "--periods", t, "--quiet", "--out", &out],
            vec!["--periods", "1..=1200"],
        ),
        (
            vec!["run", "--threads", t, "--quiet", "--out", &out],
            vec!["--threads", "0..=4096"],
        ),
        (
            vec!["sweep", s(&sw), "--points", t, "--quiet", "--out", &out],
            vec!["--points", "1..=1000000"],
        ),
        (
            vec!["sweep", s(&sw), "--replicates", t, "--quiet", "--out", &out],
            vec!["--replicates", "1..=4294967295"],
        ),
        (
            vec!["sweep", s(&sw), "--replicates", "0", "--quiet", "--out", &out],
            vec!["--replicates", "1..="],
        ),
        (
            vec!["sweep", s(&sw), "--threads", t, "--quiet", "--out", &out],
            vec!["--threads", "0..=4096"],
        ),
        (
            vec!["sweep", s(&sw), "--shard", &shard, "--quiet", "--out", &out],
            vec!["--shard", "1000000"],
        ),
        (
            vec!["sensitivity", s(&so), "--samples", t, "--quiet", "--out", &out],
            vec!["--samples"],
        ),
        (
            vec!["sensitivity", s(&so), "--samples", "1", "--quiet", "--out", &out],
            vec!["--samples", "2..=1048576"],
        ),
    ];
    for (args, needles) in &cli {
        refused(args, 20, needles);
    }
    assert!(!d.join("never").exists(), "a refused command wrote results");
}

/// Defect 14: `--runs 0` was blamed on configs/default.toml; it names the option now.
#[test]
fn a_bad_option_is_blamed_on_the_option() {
    let d = tmp("runs0");
    let o = run_in(
        &["run", "--runs", "0", "--quiet", "--out", s(&d.join("o"))],
        Some(Path::new(ROOT)),
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("--runs") && !t.contains("default.toml"), "{t}");
}

/// Defect 14: `plot` redrew from tables that no longer matched the manifest's hashes without a
/// word. It refuses (exit 2, naming the file) unless `--force`.
#[test]
fn plot_refuses_tables_that_differ_from_the_manifest() {
    let d = tmp("plot-hash");
    let r = d.join("run");
    assert!(run(&[
        "run",
        "--runs",
        "50",
        "--periods",
        "12",
        "--quiet",
        "--out",
        s(&r)
    ])
    .status
    .success());
    assert!(run(&["plot", s(&r)]).status.success());
    let mut csv = std::fs::read_to_string(r.join("summary.csv")).unwrap();
    csv = csv.replacen(",50,", ",49,", 1);
    std::fs::write(r.join("summary.csv"), &csv).unwrap();
    refused(&["plot", s(&r)], 60, &["summary.csv", "manifest.json", "--force"]);
    let o = run(&["plot", s(&r), "--force"]);
    assert!(o.status.success(), "{}", text(&o));
    // A study: its points.csv.
    let f = write_sweep(&d, 3);
    let sw = d.join("sweep");
    assert!(run(&["sweep", s(&f), "--quiet", "--out", s(&sw)])
        .status
        .success());
    let mut csv = std::fs::read(sw.join("points.csv")).unwrap();
    let n = csv.len();
    csv[n - 3] = if csv[n - 3] == b'1' { b'2' } else { b'1' };
    std::fs::write(sw.join("points.csv"), &csv).unwrap();
    refused(&["plot", s(&sw)], 60, &["points.csv", "manifest.json"]);
}

/// Study settings are enums now; the state file keeps their spelling, and unknown values list
/// what is allowed.
#[test]
fn study_settings_keep_their_spelling_and_unknown_ones_list_the_allowed() {
    let d = tmp("enums");
    let f = sens(&d, "m", "morris", "[morris]\ntrajectories = 2");
    let body = std::fs::read_to_string(&f).unwrap().replace(
        "regime = \"article5\"",
        "regime = \"article5\"\nmetric = \"probes_per_run\"",
    );
    std::fs::write(&f, body).unwrap();
    let out = d.join("m");
    let o = run(&[
        "sensitivity",
        s(&f),
        "--replicates",
        "4",
        "--quiet",
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let state = std::fs::read_to_string(out.join("sweep-state.json")).unwrap();
    for needle in [
        "\"design\": \"morris\"",
        "\"method\": \"morris\"",
        "\"metric\": \"probes_per_run\"",
    ] {
        assert!(state.contains(needle), "`{needle}` in {state}");
    }
    let bad = sens(&d, "bad", "sobol", "[sobol]\nsamples = 8");
    let body = std::fs::read_to_string(&bad).unwrap().replace(
        "regime = \"article5\"",
        "regime = \"article5\"\nmetric = \"speed\"",
    );
    std::fs::write(&bad, body).unwrap();
    refused(
        &["validate", s(&bad)],
        20,
        &[
            "output.metric",
            "speed",
            "success_rate",
            "median_months_to_offensive",
        ],
    );
}
