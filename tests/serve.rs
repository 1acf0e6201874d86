//! The explorer's HTTP API (`deterrence-sim serve`), served in-process on a free port and spoken
//! to over TCP: its tables are the CLI's files byte for byte for the same config, seed and
//! `--set` values, and its command line reproduces them; bad input is a 4xx carrying the CLI's
//! own message; replays are `replay --json`'s; the download is the CLI's results directory;
//! concurrent requests each get their own batch.
#![cfg(feature = "serve")]

mod util;

use deterrence_sim::app::load::{parse_set, resolve, Overrides};
use deterrence_sim::app::serve::{ServeOptions, Server};
use deterrence_sim::report::tables;
use deterrence_sim::sim::batch;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::OnceLock;
use util::*;

const CONFIG: &str = "configs/default.toml";

/// One server for the whole file.
fn server() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| {
        let s = Server::bind(&ServeOptions {
            config: Some(PathBuf::from(CONFIG)),
            host: "127.0.0.1".into(),
            port: 0,
            threads: 2,
        })
        .unwrap();
        let addr = s.addr();
        std::thread::spawn(move || s.run());
        addr
    })
}

struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
    /// The error message (trimmed, as the CLI's is below).
    fn error(&self) -> String {
        self.json()["error"]
            .as_str()
            .unwrap_or_default()
            .trim()
            .to_string()
    }
}

/// Send raw bytes, read the whole answer.
fn raw(bytes: &[u8]) -> Reply {
    let mut s = TcpStream::connect(server()).unwrap();
    s.write_all(bytes).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let k = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&out[..k]).to_string();
    let status = head[9..12].parse().unwrap();
    Reply {
        status,
        head,
        body: out[k + 4..].to_vec(),
    }
}

fn request(method: &str, path: &str, content_type: &str, body: &str) -> Reply {
    let port = server().port();
    raw(format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .as_bytes())
}

fn post(path: &str, body: &serde_json::Value) -> Reply {
    request("POST", path, "application/json", &body.to_string())
}

/// Run the CLI with the words of a command line the API printed (its first word is the binary)
/// and `extra`; the command lines here need no shell quoting.
fn cli(command: &str, extra: &[&str]) -> std::process::Output {
    let words: Vec<&str> = command.split(' ').collect();
    assert_eq!(words[0], "deterrence-sim", "{command}");
    let mut args: Vec<&str> = words[1..].to_vec();
    args.extend(extra);
    run(&args)
}

/// The CLI's error message (stderr without `error: `).
fn cli_error(args: &[&str]) -> String {
    let o = run(args);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    String::from_utf8_lossy(&o.stderr)
        .trim()
        .trim_start_matches("error: ")
        .to_string()
}

#[test]
fn tables_are_the_clis_files_byte_for_byte_and_the_command_reproduces_them() {
    let sets = [
        "russia.lambda=3",
        "guarantors.USA.public_support=0.3",
        "regimes.article5.rule=consensus",
        "regimes.article5.package=troops,rapid_support",
        "modifiers.reassurance_troops=20000",
    ];
    let r = post(
        "/api/run",
        &serde_json::json!({"sets": sets, "seed": 7, "runs": 300}),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let j = r.json();
    let command = j["command"].as_str().unwrap();
    assert_eq!(
        command,
        format!(
            "deterrence-sim run {CONFIG} --seed 7 --runs 300 --set {}",
            sets.join(" --set ")
        )
    );
    let d = tmp("serve-cli");
    let o = cli(command, &["--out", d.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", text(&o));
    for name in [
        "summary.csv",
        "force_effect.csv",
        "guarantors.csv",
        "timeline.csv",
    ] {
        let want = std::fs::read_to_string(d.join(name)).unwrap();
        assert_eq!(j["tables"][name].as_str().unwrap(), want, "{name}");
    }
    assert_eq!(j["runs"], 300);
    assert_eq!(j["seed"], "7");
    // A seed beyond 2^53 (no double holds it), given as text, is the CLI's exactly.
    let big = u64::MAX - 2;
    let r = post(
        "/api/run",
        &serde_json::json!({"seed": big.to_string(), "runs": 20}),
    );
    assert_eq!(r.status, 200, "{}", r.error());
    let command = r.json()["command"].as_str().unwrap().to_string();
    assert!(command.contains(&format!("--seed {big} ")), "{command}");
    let r = post("/api/run", &serde_json::json!({"seed": "-1"}));
    assert_eq!(r.status, 400);
    assert!(r.error().contains("--seed"), "{}", r.error());
    assert_eq!(j["baseline"], "none");
}

#[test]
fn setting_every_control_to_its_config_value_changes_nothing() {
    let c = request("GET", "/api/controls", "text/plain", "").json();
    let controls = c["controls"].as_array().unwrap();
    assert!(controls.len() >= 14, "{controls:?}");
    let paths: Vec<&str> = controls.iter().map(|x| x["path"].as_str().unwrap()).collect();
    for p in [
        "russia.war_cost",
        "russia.lambda",
        "guarantors.USA.public_support",
        "guarantors.USA.audience_sensitivity",
        "modifiers.reassurance_troops",
        "design.reassurance_force",
        "regimes.article5.rule",
        "regimes.article5.deadline_hours",
        "regimes.nato_light.audience_cost",
    ] {
        assert!(paths.contains(&p), "control {p} missing from {paths:?}");
    }
    let sets: Vec<String> = controls
        .iter()
        .map(|x| {
            let v = &x["value"];
            format!(
                "{}={}",
                x["path"].as_str().unwrap(),
                v.as_str().map(str::to_string).unwrap_or(v.to_string())
            )
        })
        .collect();
    let with = post("/api/run", &serde_json::json!({"sets": sets, "runs": 60}));
    assert_eq!(with.status, 200, "{}", with.error());
    let without = post("/api/run", &serde_json::json!({"runs": 60}));
    assert_eq!(with.json()["tables"], without.json()["tables"]);
}

#[test]
fn bad_inputs_are_4xx_with_the_clis_own_message() {
    for set in [
        "russia.lambda=-1",
        "russia.lamda=3",
        "regimes.article5.rule=majority",
        "regimes.article5.rule=consensus",
        "regimes.bilateral.rule=qmv",
        "design.reassurance_force=maybe",
        "russia.lambda=abc",
        "guarantors.USA.troops=0.5",
    ] {
        let r = post("/api/run", &serde_json::json!({"sets": [set], "runs": 10}));
        let want = cli_error(&[
            "run",
            CONFIG,
            "--runs",
            "10",
            "--set",
            set,
            "--out",
            "/nonexistent/x",
        ]);
        assert_eq!((r.status, r.error()), (400, want), "--set {set}");
    }
    // A value --set cannot parse: the same parser's message.
    let r = post("/api/run", &serde_json::json!({"sets": ["russia.lambda=1 2"]}));
    let want = parse_set("russia.lambda=1 2").unwrap_err();
    assert_eq!(r.status, 400);
    assert!(r.error().contains(&want), "{}", r.error());
    // The explorer's bounds on work, however the runs are asked for.
    for body in [
        serde_json::json!({"runs": 20001}),
        serde_json::json!({"sets": ["run.runs=50000"]}),
        serde_json::json!({"sets": ["run.periods=500"]}),
        serde_json::json!({"sets": vec!["russia.lambda=1"; 65]}),
    ] {
        let r = post("/api/run", &body);
        assert_eq!(r.status, 400, "{body}");
        assert!(r.error().contains("at most"), "{}", r.error());
    }
    let r = post("/api/run", &serde_json::json!({"runs": 0}));
    assert_eq!(
        (r.status, r.error()),
        (400, cli_error(&["run", CONFIG, "--runs", "0"]))
    );
    // Malformed requests.
    let cases: Vec<(Reply, u16)> = vec![
        (request("POST", "/api/run", "application/json", "{not json"), 400),
        (post("/api/run", &serde_json::json!({"sets": [], "path": "/etc/passwd"})), 400),
        (request("POST", "/api/run", "text/plain", "{}"), 415),
        (request("GET", "/api/run", "text/plain", ""), 405),
        (request("GET", "/../../etc/passwd", "text/plain", ""), 404),
        (request("GET", "/configs/default.toml", "text/plain", ""), 404),
        (raw(b"GET / HTTP/1.1\r\nHost: evil.example:80\r\n\r\n"), 403),
        (raw(b"POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n"), 413),
        (raw(b"NONSENSE\r\n\r\n"), 400),
    ];
    for (k, (r, status)) in cases.iter().enumerate() {
        assert_eq!(
            r.status,
            *status,
            "case {k}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert!(!r.error().is_empty(), "case {k} says why");
    }
    // Replays: an unknown regime, an arm, a run out of range.
    let r = post(
        "/api/replay",
        &serde_json::json!({"regime": "nato", "force": "with", "run": 0}),
    );
    let want = cli_error(&["replay", CONFIG, "--regime", "nato"]);
    assert_eq!((r.status, r.error()), (400, want));
    let r = post(
        "/api/replay",
        &serde_json::json!({"regime": "none", "force": "maybe", "run": 0}),
    );
    assert_eq!(r.status, 400);
    let r = post(
        "/api/replay",
        &serde_json::json!({"regime": "none", "force": "with", "run": 1u64 << 40}),
    );
    let want = cli_error(&[
        "replay",
        CONFIG,
        "--regime",
        "none",
        "--run",
        &(1u64 << 40).to_string(),
    ]);
    assert_eq!((r.status, r.error()), (400, want));
    // The server is still there.
    assert_eq!(request("GET", "/", "text/plain", "").status, 200);
}

#[test]
fn replay_is_the_clis_json_trace() {
    let body = serde_json::json!({
        "sets": ["russia.war_cost=1.5"], "seed": 11, "regime": "nato_light", "force": "without", "run": 5
    });
    let r = post("/api/replay", &body);
    assert_eq!(r.status, 200, "{}", r.error());
    let j = r.json();
    let command = j["command"].as_str().unwrap();
    assert_eq!(
        command,
        format!("deterrence-sim replay {CONFIG} --seed 11 --set russia.war_cost=1.5 --regime nato_light --run 5 --force without --json")
    );
    let o = cli(command, &[]);
    assert!(o.status.success(), "{}", text(&o));
    let want: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["trace"], want);
    assert!(!want["months"].as_array().unwrap().is_empty());
}

/// The files of a tar archive (name, bytes), from its 512-byte headers.
fn untar(t: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut k = 0;
    while k + 512 <= t.len() && t[k] != 0 {
        let h = &t[k..k + 512];
        let name = String::from_utf8_lossy(&h[..100])
            .trim_end_matches('\0')
            .to_string();
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&h[124..135]).trim_end_matches('\0'), 8).unwrap();
        out.push((name, t[k + 512..k + 512 + size].to_vec()));
        k += 512 + size.div_ceil(512) * 512;
    }
    out
}

#[test]
fn download_is_the_clis_results_directory() {
    let sets = ["russia.lambda=2"];
    let r = post(
        "/api/download",
        &serde_json::json!({"sets": sets, "seed": 3, "runs": 120}),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.head.contains("filename=\"default.tar\""), "{}", r.head);
    let files = untar(&r.body);
    let d = tmp("serve-dl");
    let o = run(&[
        "run",
        CONFIG,
        "--seed",
        "3",
        "--runs",
        "120",
        "--set",
        sets[0],
        "--out",
        d.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let mut cli_names: Vec<String> = std::fs::read_dir(&d)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| !n.starts_with('.'))
        .map(|n| format!("default/{n}"))
        .collect();
    cli_names.sort();
    let names: Vec<String> = files.iter().map(|f| f.0.clone()).collect();
    assert_eq!(names, cli_names);
    for (name, bytes) in &files {
        let base = name.trim_start_matches("default/");
        if base.ends_with(".csv") {
            assert_eq!(bytes, &std::fs::read(d.join(base)).unwrap(), "{name}");
        }
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&files.iter().find(|f| f.0 == "default/manifest.json").unwrap().1).unwrap();
    assert_eq!(manifest["seed"], 3);
}

#[test]
fn concurrent_requests_each_get_their_own_batch() {
    let expect = |seed: u64| {
        let o = Overrides {
            seed: Some(seed),
            runs: Some(150),
            ..Default::default()
        };
        let (_, _, model) = resolve(Some(std::path::Path::new(CONFIG)), &o).unwrap();
        let pool = batch::pool(1).unwrap();
        tables::summary_csv(&batch::run_batch(&model, 0, &pool, &batch::Silent))
    };
    let handles: Vec<_> = (1..=4u64)
        .map(|seed| {
            std::thread::spawn(move || {
                let r = post("/api/run", &serde_json::json!({"seed": seed, "runs": 150}));
                (seed, r.status, r.json())
            })
        })
        .collect();
    let page = request("GET", "/app.js", "text/plain", "");
    assert_eq!(page.status, 200);
    for h in handles {
        let (seed, status, j) = h.join().unwrap();
        assert_eq!(status, 200, "{j}");
        assert_eq!(
            j["tables"]["summary.csv"].as_str().unwrap(),
            expect(seed),
            "seed {seed}"
        );
    }
}

/// Requests of one client race: whichever took its ticket last is never cancelled, every other
/// is either cancelled (409) or the right batch (no timing is assumed about which).
#[test]
fn a_clients_older_requests_are_cancelled_or_right_and_the_newest_completes() {
    let handles: Vec<_> = (20..24u64)
        .map(|seed| {
            std::thread::spawn(move || {
                let body = serde_json::json!({"seed": seed, "runs": 600, "client": "page-1"});
                (seed, post("/api/run", &body))
            })
        })
        .collect();
    let mut completed = 0;
    for h in handles {
        let (seed, r) = h.join().unwrap();
        match r.status {
            409 => assert!(r.error().contains("cancelled"), "{}", r.error()),
            200 => {
                completed += 1;
                assert_eq!(r.json()["seed"], seed.to_string());
                assert_eq!(r.json()["runs"], 600);
            }
            s => panic!("status {s}: {}", r.error()),
        }
    }
    assert!(completed >= 1, "the newest request of the client completes");
}

#[test]
fn the_page_and_its_assets_are_embedded_and_load_nothing_from_elsewhere() {
    for (path, kind) in [
        ("/", "text/html"),
        ("/app.js", "text/javascript"),
        ("/app.css", "text/css"),
    ] {
        let r = request("GET", path, "text/plain", "");
        assert_eq!(r.status, 200, "{path}");
        assert!(r.head.contains(kind), "{}", r.head);
        assert!(
            r.head.contains("Content-Security-Policy: default-src 'self'"),
            "{}",
            r.head
        );
        // The SVG namespace is a name, not an address fetched.
        let body = String::from_utf8_lossy(&r.body).replace("http://www.w3.org/2000/svg", "");
        assert!(
            !body.contains("http://") && !body.contains("https://") && !body.contains("//cdn"),
            "{path} refers to another site"
        );
    }
}
