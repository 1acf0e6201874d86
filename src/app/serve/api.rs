//! The explorer's API: the controls a config offers (`GET /api/controls`), a batch with the
//! tables `run` writes (`POST /api/run`), one run's trace as `replay --json` prints it
//! (`POST /api/replay`), and the results directory `run` writes, as a tar archive
//! (`POST /api/download`). Every request is the command line's options as JSON (`sets` are
//! `--set PATH=VALUE` strings), loaded and validated by [`crate::app::load::resolve`] exactly as
//! the CLI's are; a bad one is a 400 carrying the CLI's message.

use crate::app::load::{parse_set, resolve, Loaded, Overrides, SetValue};
use crate::app::serve::http::Response;
use crate::app::serve::tar::tar;
use crate::model::params;
use crate::model::regimes::Protocol;
use crate::model::validate::Model;
use crate::report::tables;
use crate::sim::aggregate::BatchResult;
use crate::sim::batch::{self, Silent};
use crate::Error;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Most runs per arm a request may ask for (the CLI has no such bound).
pub const MAX_RUNS: u64 = 20_000;

/// Most months a request may ask for.
pub const MAX_PERIODS: u64 = 120;

/// Most `--set` edits in one request.
pub const MAX_SETS: usize = 64;

/// Downloads built at the same time (each writes a results directory to a temporary folder).
pub const MAX_DOWNLOADS: usize = 2;

/// Runs per arm the page starts with when the config asks for more.
pub const PAGE_RUNS: u64 = 1000;

/// What the API serves from: the config named on the command line and the engine's pool.
pub struct Api {
    /// The config file `serve` was given (`None`: as `run` without one).
    pub config: Option<PathBuf>,
    pool: rayon::ThreadPool,
    /// Per client id, the generation of its newest batch; an older batch of the same client is
    /// cancelled.
    latest: Mutex<HashMap<String, u64>>,
    generation: AtomicU64,
    downloads: AtomicUsize,
    temp: AtomicU64,
}

/// A request's options, as on the command line.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// `--set PATH=VALUE` arguments, in order.
    #[serde(default)]
    pub sets: Vec<String>,
    /// `--seed`: a number or, since the page's numbers are doubles that cannot hold every u64,
    /// its decimal text.
    #[serde(default, deserialize_with = "seed_of")]
    pub seed: Option<u64>,
    /// `--runs`.
    #[serde(default)]
    pub runs: Option<u64>,
    /// `--baseline`.
    #[serde(default)]
    pub baseline: Option<String>,
    /// The page's id: a newer batch of the same client cancels its older one. Requests without
    /// one are never cancelled.
    #[serde(default)]
    pub client: Option<String>,
}

/// A replay request: the options of `run` and the run to trace.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    /// `--set PATH=VALUE` arguments, in order.
    #[serde(default)]
    pub sets: Vec<String>,
    /// `--seed`: a number or, since the page's numbers are doubles that cannot hold every u64,
    /// its decimal text.
    #[serde(default, deserialize_with = "seed_of")]
    pub seed: Option<u64>,
    /// `--runs` of the batch shown (checked, not needed by the replay).
    #[serde(default)]
    pub runs: Option<u64>,
    /// `--regime`.
    pub regime: String,
    /// `--force`: `with` or `without`.
    pub force: String,
    /// `--run`.
    pub run: u64,
}

/// A failed request: its status and message.
#[derive(Debug)]
pub struct Refusal(pub u16, pub String);

impl From<Error> for Refusal {
    fn from(e: Error) -> Refusal {
        Refusal(if e.is_user_error() { 400 } else { 500 }, e.to_string())
    }
}

fn bad(message: impl Into<String>) -> Refusal {
    Refusal(400, message.into())
}

/// The options parsed: the overrides and the `--set` arguments as they will be printed.
struct Parsed {
    overrides: Overrides,
    sets: Vec<String>,
}

fn parse_sets(sets: &[String]) -> Result<Vec<(String, SetValue)>, Refusal> {
    if sets.len() > MAX_SETS {
        return Err(bad(format!(
            "at most {MAX_SETS} --set edits per request (got {})",
            sets.len()
        )));
    }
    sets.iter()
        .map(|s| parse_set(s).map_err(|m| bad(format!("option `--set {}`: {m}", crate::error::excerpt(s)))))
        .collect()
}

impl Api {
    /// An API serving `config` on a pool of `threads` threads (0 = all cores).
    pub fn new(config: Option<PathBuf>, threads: usize) -> crate::Result<Api> {
        Ok(Api {
            config,
            pool: batch::pool(threads)?,
            latest: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
            downloads: AtomicUsize::new(0),
            temp: AtomicU64::new(0),
        })
    }

    fn parse(&self, r: &RunRequest) -> Result<Parsed, Refusal> {
        if let Some(n) = r.runs {
            if n > MAX_RUNS {
                return Err(too_many(n));
            }
        }
        let overrides = Overrides {
            seed: r.seed,
            runs: r.runs,
            sets: parse_sets(&r.sets)?,
            baseline: r.baseline.clone(),
            ..Default::default()
        };
        Ok(Parsed {
            overrides,
            sets: r.sets.iter().map(|s| s.trim().to_string()).collect(),
        })
    }

    /// Load and validate as the CLI does, then apply the explorer's bounds.
    fn model(&self, o: &Overrides) -> Result<(Loaded, crate::model::config::RawConfig, Model), Refusal> {
        let (loaded, raw, model) = resolve(self.config.as_deref(), o)?;
        if model.run().runs > MAX_RUNS {
            return Err(too_many(model.run().runs));
        }
        if u64::from(model.run().periods) > MAX_PERIODS {
            return Err(bad(format!(
                "field `run.periods`: the explorer runs at most {MAX_PERIODS} months (got {}); use the CLI for longer horizons",
                model.run().periods
            )));
        }
        Ok((loaded, raw, model))
    }

    /// `GET /api/controls`: the config's name, regimes, guarantors and run options, and the
    /// controls the page draws (each a dotted `--set` path with its value in the config and its
    /// range or choices).
    pub fn controls(&self) -> Result<serde_json::Value, Refusal> {
        let (loaded, _, model) = resolve(self.config.as_deref(), &Overrides::default())?;
        let v = &loaded.value;
        let controls = std::cell::RefCell::new(Vec::new());
        let num = |path: String, label: String, lo: f64, hi: f64, step: f64, default: f64, unit: &str| {
            let x = params::get(v, &path).unwrap_or(default);
            controls.borrow_mut().push(serde_json::json!({
                "path": path, "label": label, "kind": "number", "unit": unit,
                "min": lo.min(x), "max": hi.max(x), "step": step, "value": x,
            }));
        };
        let ids: Vec<&str> = model.guarantors().iter().map(|g| g.id.as_str()).collect();
        num(
            "russia.war_cost".into(),
            "Russia: cost of war with the guarantors".into(),
            0.0,
            6.0,
            0.1,
            2.0,
            "utils",
        );
        num(
            "russia.lambda".into(),
            "Russia: logit precision λ".into(),
            0.0,
            10.0,
            0.1,
            2.5,
            "1/util",
        );
        if ids.contains(&"USA") {
            num(
                "guarantors.USA.public_support".into(),
                "US resolve: prior P(resolute)".into(),
                0.05,
                0.95,
                0.01,
                0.5,
                "probability",
            );
            num(
                "guarantors.USA.audience_sensitivity".into(),
                "US audience sensitivity".into(),
                0.0,
                3.0,
                0.05,
                1.0,
                "× audience cost",
            );
        }
        num(
            "modifiers.reassurance_troops".into(),
            "Reassurance force: size".into(),
            0.0,
            30000.0,
            1000.0,
            0.0,
            "troops",
        );
        let choice = |path: String,
                      label: String,
                      choices: &[&str],
                      value: String,
                      companion: Option<(String, String)>| {
            controls.borrow_mut().push(serde_json::json!({
                "path": path, "label": label, "kind": "choice", "choices": choices, "value": value,
                "companion": companion.map(|(p, x)| serde_json::json!({"path": p, "value": x, "unless": "willing"})),
            }));
        };
        choice(
            "design.reassurance_force".into(),
            "Reassurance force: arms run".into(),
            &["both", "with", "without"],
            model.force_design().name().into(),
            None,
        );
        let text_at = |path: &str| -> Option<String> {
            let mut cur = v;
            for k in path.split('.') {
                cur = cur.get(k)?;
            }
            cur.as_str().map(str::to_string)
        };
        for r in model.regimes() {
            let n = &r.name;
            match &r.protocol {
                Protocol::Meeting { .. } => {
                    let rule = text_at(&format!("regimes.{n}.rule")).unwrap_or_else(|| "willing".into());
                    // Consensus and qmv need a package: the regime's honouring responses, in order.
                    let package = v
                        .get("regimes")
                        .and_then(|x| x.get(n.as_str()))
                        .and_then(|x| x.get("package").or(x.get("honouring")))
                        .and_then(|x| x.as_array())
                        .map(|a| a.iter().filter_map(|s| s.as_str()).collect::<Vec<_>>().join(","))
                        .unwrap_or_default();
                    choice(
                        format!("regimes.{n}.rule"),
                        format!("{n}: decision rule"),
                        &["willing", "consensus", "qmv"],
                        rule,
                        Some((format!("regimes.{n}.package"), package)),
                    );
                    num(
                        format!("regimes.{n}.deadline_hours"),
                        format!("{n}: meeting deadline"),
                        0.0,
                        168.0,
                        1.0,
                        24.0,
                        "hours",
                    );
                }
                Protocol::Separate { .. } => {
                    num(
                        format!("regimes.{n}.consult_hours"),
                        format!("{n}: consultation hour"),
                        0.0,
                        720.0,
                        1.0,
                        24.0,
                        "hours",
                    );
                }
            }
            num(
                format!("regimes.{n}.audience_cost"),
                format!("{n}: audience cost"),
                0.0,
                3.0,
                0.05,
                0.0,
                "utils",
            );
        }
        let mut paths = params::leaf_paths(v);
        paths.retain(|p| !p.starts_with("run."));
        Ok(serde_json::json!({
            "config": model.name(),
            "origin": loaded.origin,
            "seed": model.run().seed.to_string(),
            "runs": model.run().runs.min(PAGE_RUNS),
            "max_runs": MAX_RUNS,
            "periods": model.run().periods,
            "regimes": model.regimes().iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            "baseline": model.baseline().map(|b| model.regimes()[b].name.as_str()),
            "guarantors": ids,
            "controls": controls.into_inner(),
            "paths": paths,
        }))
    }

    /// `POST /api/run`: the batch's tables, byte for byte as `run` writes them, and the command
    /// line that writes them. 409 when a newer request of the same client replaced it.
    pub fn run(&self, r: &RunRequest) -> Result<serde_json::Value, Refusal> {
        let p = self.parse(r)?;
        let (_, _, model) = self.model(&p.overrides)?;
        let cancel = self.ticket(r.client.as_deref());
        let start = Instant::now();
        let batch = batch::run_batch_cancellable(&model, 0, &self.pool, &Silent, &*cancel)
            .ok_or_else(|| Refusal(409, "cancelled: a newer request replaced this one".into()))?;
        let wall = start.elapsed().as_secs_f64();
        Ok(serde_json::json!({
            "command": self.command("run", &model, &p, &[]),
            "config": model.name(),
            "seed": model.run().seed.to_string(),
            "runs": model.run().runs,
            "periods": model.run().periods,
            "baseline": batch.baseline_name(),
            "regimes": model.regimes().iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            "guarantors": model.guarantors().iter().map(|g| g.id.as_str()).collect::<Vec<_>>(),
            "wall_seconds": wall,
            "tables": tables_of(&model, &batch),
        }))
    }

    /// A cancel check for a batch of `client`: true once a newer batch of it has started.
    fn ticket(&self, client: Option<&str>) -> Box<dyn Fn() -> bool + Sync + '_> {
        let Some(c) = client else {
            return Box::new(|| false);
        };
        let c: String = c.chars().take(64).collect();
        let g = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        {
            let mut m = self.latest.lock().unwrap_or_else(|e| e.into_inner());
            if m.len() >= 256 && !m.contains_key(&c) {
                m.clear();
            }
            m.insert(c.clone(), g);
        }
        Box::new(move || {
            let m = self.latest.lock().unwrap_or_else(|e| e.into_inner());
            m.get(&c).is_some_and(|&latest| latest != g)
        })
    }

    /// `POST /api/replay`: the trace `replay --json` prints, and its command line.
    pub fn replay(&self, r: &ReplayRequest) -> Result<serde_json::Value, Refusal> {
        let p = self.parse(&RunRequest {
            sets: r.sets.clone(),
            seed: r.seed,
            runs: r.runs,
            ..Default::default()
        })?;
        let (_, _, model) = self.model(&p.overrides)?;
        if r.run > crate::stats::rng::MAX_REPLICATE {
            return Err(bad(format!(
                "option `--run`: must be at most {}",
                crate::stats::rng::MAX_REPLICATE
            )));
        }
        let force = match r.force.as_str() {
            "with" => true,
            "without" => false,
            other => {
                return Err(bad(format!(
                    "option `--force`: must be `with` or `without` (got `{}`)",
                    crate::error::excerpt(other)
                )))
            }
        };
        let regime = model.regime_index(&r.regime)?;
        let prepared = crate::sim::prepared::Prepared::new(&model, regime, force);
        let (trace, _) = crate::sim::replay::replay(&prepared, 0, r.run);
        let extra = [
            "--regime".to_string(),
            r.regime.clone(),
            "--run".into(),
            r.run.to_string(),
            "--force".into(),
            r.force.clone(),
            "--json".into(),
        ];
        Ok(serde_json::json!({
            "command": self.command("replay", &model, &p, &extra),
            "trace": trace,
        }))
    }

    /// `POST /api/download`: the results directory `run` writes for the request (CSV tables,
    /// charts, manifest), as `NAME.tar`. Written to a fresh folder of the system's temporary
    /// directory (no path comes from the request), archived in memory, then removed.
    pub fn download(&self, r: &RunRequest) -> Result<Response, Refusal> {
        let p = self.parse(r)?;
        let (loaded, raw, model) = self.model(&p.overrides)?;
        if self.downloads.fetch_add(1, Ordering::SeqCst) >= MAX_DOWNLOADS {
            self.downloads.fetch_sub(1, Ordering::SeqCst);
            return Err(Refusal(
                503,
                "busy: other downloads are being built; try again".into(),
            ));
        }
        let dir = std::env::temp_dir().join(format!(
            "deterrence-sim-serve-{}-{}",
            std::process::id(),
            self.temp.fetch_add(1, Ordering::SeqCst)
        ));
        let built = self.build_directory(&dir, &loaded, &raw, &model);
        let _ = std::fs::remove_dir_all(&dir);
        self.downloads.fetch_sub(1, Ordering::SeqCst);
        let files = built?;
        let name: String = model
            .name()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .collect();
        let name = if name.is_empty() || name.starts_with('.') {
            "results".into()
        } else {
            name
        };
        let mtime = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let mut resp = Response::new(200, "application/x-tar", tar(&name, &files, mtime));
        resp.headers.push((
            "Content-Disposition".into(),
            format!("attachment; filename=\"{name}.tar\""),
        ));
        resp.headers
            .push(("X-Command".into(), self.command("run", &model, &p, &[])));
        Ok(resp)
    }

    fn build_directory(
        &self,
        dir: &std::path::Path,
        loaded: &Loaded,
        raw: &crate::model::config::RawConfig,
        model: &Model,
    ) -> Result<Vec<(String, Vec<u8>)>, Refusal> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let start = Instant::now();
        let batch = batch::run_batch(model, 0, &self.pool, &Silent);
        let wall = start.elapsed().as_secs_f64();
        crate::app::run::write_run(
            dir,
            &loaded.origin,
            raw,
            model,
            &batch,
            wall,
            "run",
            serde_json::Value::Null,
            &[],
        )?;
        let mut files = Vec::new();
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        for e in entries.flatten() {
            let Some(name) = e.file_name().to_str().map(str::to_string) else {
                continue;
            };
            if name.starts_with('.') || !e.path().is_file() {
                continue;
            }
            let bytes = std::fs::read(e.path()).map_err(|err| Error::io(e.path(), err))?;
            files.push((name, bytes));
        }
        files.sort();
        Ok(files)
    }

    /// The command line that reproduces a request: `deterrence-sim CMD [CONFIG] --seed S
    /// --runs N [--set PATH=VALUE]... [--baseline B]` then `extra`, each word quoted for a POSIX
    /// shell when it needs it.
    fn command(&self, cmd: &str, model: &Model, p: &Parsed, extra: &[String]) -> String {
        let mut words = vec!["deterrence-sim".to_string(), cmd.to_string()];
        if let Some(c) = &self.config {
            words.push(c.display().to_string());
        }
        words.extend(["--seed".into(), model.run().seed.to_string()]);
        if cmd == "run" {
            words.extend(["--runs".into(), model.run().runs.to_string()]);
        }
        for s in &p.sets {
            words.extend(["--set".into(), s.clone()]);
        }
        if let (Some(b), "run") = (&p.overrides.baseline, cmd) {
            words.extend(["--baseline".into(), b.clone()]);
        }
        words.extend(extra.iter().cloned());
        words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ")
    }
}

/// A seed given as a JSON number or as its decimal text (exact for every u64).
fn seed_of<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Seed {
        Number(u64),
        Text(String),
    }
    match Option::<Seed>::deserialize(d)? {
        None => Ok(None),
        Some(Seed::Number(n)) => Ok(Some(n)),
        Some(Seed::Text(t)) => t.trim().parse().map(Some).map_err(|_| {
            serde::de::Error::custom(format!(
                "option `--seed`: must be a whole number in 0..={} (got `{}`)",
                u64::MAX,
                crate::error::excerpt(&t)
            ))
        }),
    }
}

fn too_many(n: u64) -> Refusal {
    bad(format!(
        "option `--runs`: the explorer runs at most {MAX_RUNS} runs per arm (got {n}); use the CLI for more"
    ))
}

/// The four tables `run` writes, by file name.
pub fn tables_of(model: &Model, batch: &BatchResult) -> serde_json::Value {
    serde_json::json!({
        "summary.csv": tables::summary_csv(batch),
        "force_effect.csv": tables::force_effect_csv(batch),
        "guarantors.csv": tables::guarantors_csv(model, batch),
        "timeline.csv": tables::timeline_csv(model, batch),
    })
}

/// `w` as one word of a POSIX shell command: as it is when it is made of safe characters,
/// single-quoted otherwise.
pub fn quote(w: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-.,=/:+@%".contains(c);
    if !w.is_empty() && w.chars().all(safe) {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_safe_words_and_quotes_the_rest() {
        assert_eq!(quote("russia.lambda=3"), "russia.lambda=3");
        assert_eq!(quote("my config.toml"), "'my config.toml'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote(""), "''");
    }
}
