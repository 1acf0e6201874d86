//! `calibrate --shard K/N`: N processes (a cluster job array) given the same calibration file,
//! flags and `--out DIR` on a shared file system run one calibration together. Every shard runs
//! the same sampler; each block of candidates is split by candidate index (j % N == K), every
//! shard simulates its share and writes it atomically to `DIR/shards/g{g}-b{b}-k{K}.json`, then
//! waits until the N files of the block exist, reads them all (checked: the calibration's
//! identity, generation, block, shard, candidates and their points) and accepts in index order
//! as one process would. So all shards compute the same generations, and the posterior is
//! byte-identical to a single-process run.
//!
//! The directory: shard 0 owns `DIR` as a single process does (it locks it, writes
//! `calibration-state.json` after each generation and the outputs at the end), and creates
//! `DIR/shards` once `DIR` holds the state; the other shards never write outside `DIR/shards`:
//! they wait for it, start from the generations the state holds (if any) and replay every block
//! whose files exist. Each shard holds a lock on `DIR/shards/.k{K}.lock`, so one shard cannot
//! run twice. A killed shard rerun (with `--resume` for shard 0) reuses the files it wrote; the
//! shard files stay in `DIR/shards` (small: a block's estimates).

use crate::report::files;
use crate::sim::batch as runner;
use crate::study::calibrate::sampler::{
    calibrate_with, read_state, run_generations, simulate, CalibrateOptions, CalibrationProgress,
    CalibrationReport, Candidate, Evaluate, Outcome, State,
};
use crate::study::calibrate::spec::Calibration;
use crate::study::calibrate::statistics::Estimate;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use crate::study::calibrate::state::SHARDS;

/// How often a shard looks for the files it waits for.
const POLL: Duration = Duration::from_millis(200);

/// After this long waiting, a shard says what it waits for (and again every minute).
const SAY_AFTER: Duration = Duration::from_secs(5);

/// One shard's part of one block, as written to its file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ShardFile {
    /// The calibration's identity ([`Calibration::identity`]).
    identity: String,
    generation: usize,
    block: usize,
    shard: u64,
    shards: u64,
    /// The shard's candidates of the block, in index order.
    candidates: Vec<Entry>,
}

/// One simulated candidate: numbers as the bits of their f64 (exact, NaN included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Entry {
    j: usize,
    point: u64,
    working: Vec<u64>,
    /// (value, scaled, var) per target, or `None` when the point is not a valid model.
    estimates: Option<Vec<[u64; 3]>>,
    /// Why the point is not a valid model.
    error: Option<String>,
}

/// The file of shard `k`'s part of block `b` of generation `g`.
pub fn shard_file(shards: &Path, g: usize, b: usize, k: u64) -> PathBuf {
    shards.join(format!("g{g}-b{b}-k{k}.json"))
}

/// Evaluates blocks as shard `k` of `n`, exchanging results through the files of `dir`.
pub struct Shards<'a> {
    cal: &'a Calibration,
    identity: String,
    dir: PathBuf,
    k: u64,
    n: u64,
    wait: Option<Duration>,
    pool: rayon::ThreadPool,
    /// Candidates this process simulated.
    pub simulated: usize,
    _lock: std::fs::File,
}

impl<'a> Shards<'a> {
    /// Shard `k` of `n` exchanging through `dir` (which exists): takes the shard's lock and
    /// removes the temporary files an earlier, killed run of this shard left.
    pub fn new(cal: &'a Calibration, dir: &Path, k: u64, n: u64, wait: Option<f64>) -> Result<Shards<'a>> {
        let lock = lock_shard(dir, k, n)?;
        let mine = format!("-k{k}.json");
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if name.starts_with(".deterrence-sim-tmp.") && name.ends_with(&mine) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        Ok(Shards {
            cal,
            identity: cal.identity(),
            dir: dir.to_path_buf(),
            k,
            n,
            wait: wait.map(Duration::from_secs_f64),
            pool: runner::pool(cal.threads())?,
            simulated: 0,
            _lock: lock,
        })
    }

    fn mine<'b>(&self, block: &'b [Candidate], s: u64) -> Vec<&'b Candidate> {
        block.iter().filter(|c| c.j as u64 % self.n == s).collect()
    }

    /// Simulate this shard's candidates of the block and write its file.
    fn write_own(&mut self, g: usize, b: usize, block: &[Candidate]) -> Result<()> {
        let mut entries = Vec::new();
        for c in self.mine(block, self.k) {
            let outcome = simulate(self.cal, &c.working, c.point, &self.pool);
            self.simulated += 1;
            let (estimates, error) = match outcome {
                Ok(est) => (
                    Some(
                        est.iter()
                            .map(|e| [e.value.to_bits(), e.scaled.to_bits(), e.var.to_bits()])
                            .collect(),
                    ),
                    None,
                ),
                Err(e) => (None, Some(e.to_string())),
            };
            entries.push(Entry {
                j: c.j,
                point: c.point,
                working: c.working.iter().map(|x| x.to_bits()).collect(),
                estimates,
                error,
            });
        }
        let f = ShardFile {
            identity: self.identity.clone(),
            generation: g,
            block: b,
            shard: self.k,
            shards: self.n,
            candidates: entries,
        };
        let path = shard_file(&self.dir, g, b, self.k);
        let text = serde_json::to_string(&f).map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
        files::write_atomic(&path, text.as_bytes())
    }

    /// Wait for shard `s`'s file of the block, read it and check it against the block.
    fn read(&self, g: usize, b: usize, s: u64, block: &[Candidate]) -> Result<Vec<(usize, Outcome)>> {
        let path = shard_file(&self.dir, g, b, s);
        let start = Instant::now();
        let mut said = None::<Instant>;
        while !path.exists() {
            let waited = start.elapsed();
            if self.wait.is_some_and(|w| waited >= w) {
                return Err(Error::Results {
                    path,
                    message: format!(
                        "shard {s}/{n} did not write this file within {:.0} s (--wait); is shard {s} \
                         running? Start it (shard 0 with --resume), or rerun every shard with --resume",
                        waited.as_secs_f64(),
                        n = self.n
                    ),
                });
            }
            if waited >= SAY_AFTER && said.is_none_or(|t| t.elapsed() >= Duration::from_secs(60)) {
                eprintln!(
                    "shard {}/{}: waiting for {} (shard {s}), {:.0} s so far",
                    self.k,
                    self.n,
                    path.display(),
                    waited.as_secs_f64()
                );
                said = Some(Instant::now());
            }
            std::thread::sleep(POLL);
        }
        let bad = |m: String| Error::Results {
            path: path.clone(),
            message: format!(
                "{m}; the shard file is damaged or from another calibration: delete it and rerun \
                 shard {s}/{} (with --resume for shard 0)",
                self.n
            ),
        };
        let text = crate::input::read_text(&path, crate::input::TABLE_LIMIT, "calibration shard file")?;
        let f: ShardFile =
            serde_json::from_str(&text).map_err(|e| bad(format!("not a calibration shard file: {e}")))?;
        if f.identity != self.identity {
            return Err(bad(
                "it was written for a different calibration (identity differs)".into(),
            ));
        }
        if (f.generation, f.block, f.shard, f.shards) != (g, b, s, self.n) {
            return Err(bad(format!(
                "it holds generation {} block {} of shard {}/{}, expected generation {g} block {b} of shard {s}/{}",
                f.generation, f.block, f.shard, f.shards, self.n
            )));
        }
        let want = self.mine(block, s);
        let ids = |v: &mut dyn Iterator<Item = usize>| v.map(|j| j.to_string()).collect::<Vec<_>>().join(" ");
        if want.len() != f.candidates.len() || want.iter().zip(&f.candidates).any(|(c, e)| c.j != e.j) {
            return Err(bad(format!(
                "it holds candidates [{}], expected [{}]",
                ids(&mut f.candidates.iter().map(|e| e.j)),
                ids(&mut want.iter().map(|c| c.j))
            )));
        }
        let targets = self.cal.targets().len();
        let mut out = Vec::with_capacity(want.len());
        for (c, e) in want.iter().zip(f.candidates) {
            let same_point = e.point == c.point
                && e.working.len() == c.working.len()
                && e.working.iter().zip(&c.working).all(|(a, x)| *a == x.to_bits());
            if !same_point {
                return Err(bad(format!(
                    "candidate {} is not the point this calibration proposes",
                    c.j
                )));
            }
            let outcome = match (e.estimates, e.error) {
                (Some(est), None) if est.len() == targets => Ok(est
                    .iter()
                    .map(|&[v, s, var]| Estimate {
                        value: f64::from_bits(v),
                        scaled: f64::from_bits(s),
                        var: f64::from_bits(var),
                    })
                    .collect()),
                (None, Some(m)) => Err(Error::Invalid {
                    file: self.cal.file().to_string(),
                    field: "priors".into(),
                    message: format!(
                        "candidate {} of generation {g} (simulated by shard {s}) is not a valid model: {m}",
                        c.j
                    ),
                }),
                _ => {
                    return Err(bad(format!(
                        "candidate {} has neither {targets} estimates nor an error",
                        c.j
                    )))
                }
            };
            out.push((c.j, outcome));
        }
        Ok(out)
    }
}

impl Evaluate for Shards<'_> {
    fn block(
        &mut self,
        g: usize,
        b: usize,
        block: &[Candidate],
        take: &mut dyn FnMut(Outcome) -> Result<bool>,
    ) -> Result<()> {
        if !shard_file(&self.dir, g, b, self.k).exists() {
            self.write_own(g, b, block)?;
        }
        let mut all: BTreeMap<usize, Outcome> = BTreeMap::new();
        for s in 0..self.n {
            all.extend(self.read(g, b, s, block)?);
        }
        for c in block {
            let Some(o) = all.remove(&c.j) else {
                return Err(Error::Results {
                    path: self.dir.clone(),
                    message: format!("no shard file holds candidate {} of generation {g}", c.j),
                });
            };
            if !take(o)? {
                break;
            }
        }
        Ok(())
    }
}

/// Take shard `k`'s lock in `dir` for this process's life (refused while another process runs
/// shard `k`).
fn lock_shard(dir: &Path, k: u64, n: u64) -> Result<std::fs::File> {
    use std::io::{Read as _, Write as _};
    let p = dir.join(format!(".k{k}.lock"));
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&p)
        .map_err(|e| Error::io(&p, e))?;
    match f.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = f.read_to_string(&mut text);
            return Err(Error::Locked {
                path: dir.to_path_buf(),
                holder: format!("shard {k}/{n}: {}", text.trim()),
            });
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&p, e)),
    }
    f.set_len(0).map_err(|e| Error::io(&p, e))?;
    let _ = writeln!(f, "pid {}", std::process::id());
    Ok(f)
}

/// Wait until `path` exists (shard 0 creates the shards folder), saying so after a while;
/// give up after `wait` seconds when given.
fn wait_for(path: &Path, k: u64, n: u64, wait: Option<f64>) -> Result<()> {
    let start = Instant::now();
    let mut said = false;
    while !path.is_dir() {
        let waited = start.elapsed();
        if wait.is_some_and(|w| waited.as_secs_f64() >= w) {
            return Err(Error::Results {
                path: path.to_path_buf(),
                message: format!(
                    "shard 0 did not create it within {:.0} s (--wait); start shard 0/{n} with the same --out",
                    waited.as_secs_f64()
                ),
            });
        }
        if !said && waited >= SAY_AFTER {
            eprintln!(
                "shard {k}/{n}: waiting for shard 0 to create {} (it owns the directory)",
                path.display()
            );
            said = true;
        }
        std::thread::sleep(POLL);
    }
    Ok(())
}

/// Run shard K of N (`o.shard`) of a calibration in `o.out` (see the module doc). Shard 0
/// returns the report of the whole calibration, as a single process does; the others the
/// generations they computed (their directory is shard 0's).
pub fn run(
    cal: Calibration,
    o: &CalibrateOptions,
    progress: &dyn CalibrationProgress,
) -> Result<CalibrationReport> {
    let Some((k, n)) = o.shard else {
        return Err(Error::Usage {
            option: "--shard".into(),
            message: "shard::run needs --shard K/N".into(),
        });
    };
    if o.force {
        return Err(Error::Usage {
            option: "--force".into(),
            message: "is not available with --shard: the shards share --out DIR as it is; remove \
                      DIR (or choose another --out) and start every shard again"
                .into(),
        });
    }
    let dir = o
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(cal.name()));
    let shards = dir.join(SHARDS);
    if k == 0 {
        let make = |work: &Path| -> Result<()> {
            let s = work.join(SHARDS);
            std::fs::create_dir_all(&s).map_err(|e| Error::io(&s, e))?;
            files::sync_dir(work)
        };
        // The evaluator needs the folder, which exists only once the directory is opened.
        let mut eval = Lazy {
            cal: &cal,
            dir: shards,
            k,
            n,
            wait: o.wait_seconds,
            inner: None,
        };
        return calibrate_with(&cal, o, &mut eval, progress, &make);
    }
    wait_for(&shards, k, n, o.wait_seconds)?;
    let mut eval = Shards::new(&cal, &shards, k, n, o.wait_seconds)?;
    let mut state = if dir.join(crate::study::calibrate::sampler::STATE).exists() {
        let s = read_state(&dir)?;
        if s.identity != cal.identity() {
            return Err(Error::Results {
                path: dir.clone(),
                message: format!(
                    "holds a different calibration (file, base config, seed or settings differ) than shard {k}/{n} \
                     was given; give every shard the same file and flags"
                ),
            });
        }
        s
    } else {
        State {
            calibration: cal.clone(),
            identity: cal.identity(),
            generations: Vec::new(),
            stopped: None,
        }
    };
    let (ran, _, wall) = run_generations(None, &mut state, o, &mut eval, progress)?;
    Ok(CalibrationReport {
        dir,
        state,
        generations_run: ran,
        simulations: eval.simulated,
        wall_seconds: wall,
    })
}

/// Shard 0's evaluator, made at its first block (when the shards folder exists).
struct Lazy<'a> {
    cal: &'a Calibration,
    dir: PathBuf,
    k: u64,
    n: u64,
    wait: Option<f64>,
    inner: Option<Shards<'a>>,
}

impl Evaluate for Lazy<'_> {
    fn block(
        &mut self,
        g: usize,
        b: usize,
        block: &[Candidate],
        take: &mut dyn FnMut(Outcome) -> Result<bool>,
    ) -> Result<()> {
        if self.inner.is_none() {
            self.inner = Some(Shards::new(self.cal, &self.dir, self.k, self.n, self.wait)?);
        }
        match self.inner.as_mut() {
            Some(s) => s.block(g, b, block, take),
            None => Ok(()),
        }
    }
}
