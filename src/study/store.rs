//! A study directory on disk: the state file, the partial rows of finished points (appended and
//! synced point by point, in order), opening a new or resumed study and keeping the complete
//! prefix of an interrupted one, so a study killed at any moment resumes where it stopped and ends
//! with the same bytes as an uninterrupted one.

use crate::report::files::{self, write_atomic};
use crate::study::spec::Sweep;
use crate::{Error, Result};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Name of the state file that identifies a sweep directory.
pub const STATE: &str = "sweep-state.json";

/// The per-run rows of complete points (with `--per-run`), renamed to `runs.csv` at the end.
pub(crate) const RUNS_PARTIAL: &str = "runs.partial.csv";

pub(crate) const PARTIAL: &str = "points.partial.csv";

/// Names a study directory may hold besides the files its manifest lists (see `files::begin`).
pub(crate) const KNOWN: [&str; 6] = [
    STATE,
    PARTIAL,
    RUNS_PARTIAL,
    "points.csv",
    "runs.csv",
    "summary.csv",
];

/// Options of `sweep`.
#[derive(Debug, Clone, Default)]
pub struct SweepOptions {
    pub out: Option<PathBuf>,
    pub resume: bool,
    pub force: bool,
    /// (k, n): run only points with index % n == k.
    pub shard: Option<(u64, u64)>,
    /// Also write `runs.csv` (one row per point, regime and replicate).
    pub per_run: bool,
}

/// What a sweep produced.
#[derive(Debug, Clone)]
pub struct SweepReport {
    pub dir: PathBuf,
    pub points_run: usize,
    pub points_total: usize,
    pub runs: u64,
    pub wall_seconds: f64,
}

/// Read a sweep directory's state.
pub fn read_state(dir: &Path) -> Result<Sweep> {
    let p = dir.join(STATE);
    let t = std::fs::read_to_string(&p).map_err(|e| Error::Read {
        path: p.clone(),
        source: e,
    })?;
    serde_json::from_str(&t).map_err(|e| Error::Results {
        path: p,
        message: format!("not a sweep state file: {e}"),
    })
}

/// Complete points already in a partial file: the rows of the longest prefix of `mine` whose
/// every regime row is present and whole.
fn completed_prefix(text: &str, sweep: &Sweep, mine: &[usize], regimes: usize) -> (usize, String) {
    let mut lines = text.split_inclusive('\n');
    let mut kept = String::new();
    match lines.next() {
        Some(h) if h == sweep.header() => kept.push_str(h),
        _ => return (0, sweep.header()),
    }
    let cols = sweep.header().trim_end().split(',').count();
    let rest: Vec<&str> = lines.collect();
    let mut done = 0;
    let mut i = 0;
    for &p in mine {
        let block = rest.get(i..i + regimes);
        let ok = block.is_some_and(|b| {
            b.iter().all(|l| {
                l.ends_with('\n')
                    && l.trim_end().split(',').count() == cols
                    && l.split(',').next() == Some(&p.to_string())
            })
        });
        if !ok {
            break;
        }
        for l in &rest[i..i + regimes] {
            kept.push_str(l);
        }
        i += regimes;
        done += 1;
    }
    (done, kept)
}

/// A study directory opened for running: what is left to do.
#[derive(Debug, Clone)]
pub struct Opened {
    pub dir: PathBuf,
    pub sweep: Sweep,
    /// The points this directory runs, in order.
    pub mine: Vec<usize>,
    /// How many of them are already complete (a resumed study).
    pub done: usize,
    /// Whether all rows are already in `points.csv` (only charts and manifest may be missing).
    pub complete: bool,
}

impl Opened {
    /// The partial rows file that finished points are appended to.
    pub fn partial(&self) -> PathBuf {
        self.dir.join(PARTIAL)
    }

    /// Append one point's rows and sync them to disk.
    pub fn append(&self, file: &mut std::fs::File, rows: &str) -> Result<()> {
        file.write_all(rows.as_bytes())
            .map_err(|e| Error::io(self.partial(), e))?;
        file.sync_data().map_err(|e| Error::io(self.partial(), e))
    }

    /// Append one point's per-run rows (before its summary rows, so a point whose summary is
    /// in the partial file always has all its run rows).
    pub fn append_runs(&self, file: &mut std::fs::File, rows: &str) -> Result<()> {
        let p = self.dir.join(RUNS_PARTIAL);
        file.write_all(rows.as_bytes()).map_err(|e| Error::io(&p, e))?;
        file.sync_data().map_err(|e| Error::io(&p, e))
    }

    /// Open the per-run partial file for appending (with `--per-run`).
    pub fn runs_file(&self) -> Result<Option<std::fs::File>> {
        if !self.sweep.per_run {
            return Ok(None);
        }
        let p = self.dir.join(RUNS_PARTIAL);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .map(Some)
            .map_err(|e| Error::io(&p, e))
    }

    /// Open the partial file for appending.
    pub fn append_file(&self) -> Result<std::fs::File> {
        std::fs::OpenOptions::new()
            .append(true)
            .open(self.partial())
            .map_err(|e| Error::io(self.partial(), e))
    }
}

/// Prepare a study directory (default `output/<name>/`): refuse to overwrite results, check a
/// resumed directory belongs to this study, keep the complete points of a partial file.
pub fn open(mut sweep: Sweep, o: &SweepOptions) -> Result<Opened> {
    if let Some((k, n)) = o.shard {
        if n == 0 || k >= n {
            return Err(Error::Usage {
                option: "--shard".into(),
                message: format!("K/N needs 0 <= K < N (got {k}/{n})"),
            });
        }
        sweep.shard = (k, n);
    }
    sweep.per_run = o.per_run;
    let mut dir = o.out.clone().unwrap_or_else(|| {
        let mut name = sweep.name.clone();
        if sweep.shard.1 > 1 {
            name = format!("{name}-shard-{}-of-{}", sweep.shard.0, sweep.shard.1);
        }
        PathBuf::from("output").join(name)
    });
    let mine = sweep.my_points();
    let regimes = sweep.point_model(0)?.1.regimes().len();
    let partial = dir.join(PARTIAL);
    if dir.is_dir() {
        files::lock_dir(&dir)?; // held for the process's life: one writer per directory
    }
    if o.resume {
        let old = read_state(&dir).map_err(|_| Error::Results {
            path: dir.clone(),
            message: "nothing to resume here (no sweep-state.json); run without --resume".into(),
        })?;
        if old.per_run != sweep.per_run {
            return Err(Error::Results {
                path: dir.clone(),
                message: format!(
                    "was started {} --per-run; resume it the same way",
                    if old.per_run { "with" } else { "without" }
                ),
            });
        }
        if old.identity() != sweep.identity() || old.shard != sweep.shard {
            return Err(Error::Results {
                path: dir.clone(),
                message: format!(
                    "was made by a different study ({}); refusing to resume. Use another --out, or --force without --resume to start over",
                    old.differences(&sweep).join("; ")
                ),
            });
        }
        if dir.join("points.csv").exists() {
            let done = mine.len();
            return Ok(Opened {
                dir,
                sweep,
                mine,
                done,
                complete: true,
            });
        }
    } else if !o.force && dir.join(STATE).exists() {
        return Err(Error::Results {
            path: dir.clone(),
            message: "holds a study; pass --resume to finish it or --force to start over".into(),
        });
    }
    let (done, kept) = if o.resume {
        let text = std::fs::read_to_string(&partial).unwrap_or_default();
        completed_prefix(&text, &sweep, &mine, regimes)
    } else {
        dir = files::begin(&dir, o.force, &KNOWN)?; // with --force: built aside, swapped in at close
        let _ = std::fs::remove_file(dir.join("points.csv"));
        let _ = std::fs::remove_file(dir.join("manifest.json"));
        (0, sweep.header())
    };
    write_atomic(
        &dir.join(STATE),
        serde_json::to_string_pretty(&sweep)
            .unwrap_or_default()
            .as_bytes(),
    )?;
    write_atomic(&dir.join(PARTIAL), kept.as_bytes())?;
    if sweep.per_run {
        // Keep the run rows of the complete points only (a torn point is rerun whole).
        let runs = dir.join(RUNS_PARTIAL);
        let old = if o.resume {
            std::fs::read_to_string(&runs).unwrap_or_default()
        } else {
            String::new()
        };
        let complete: std::collections::HashSet<String> =
            mine[..done].iter().map(|p| p.to_string()).collect();
        let header = sweep.runs_header();
        let cols = header.trim_end().split(',').count();
        let mut text = header.clone();
        for l in old.split_inclusive('\n').skip(1) {
            let whole = l.ends_with('\n') && l.trim_end().split(',').count() == cols;
            if whole && l.split(',').next().is_some_and(|p| complete.contains(p)) {
                text.push_str(l);
            }
        }
        write_atomic(&runs, text.as_bytes())?;
    }
    Ok(Opened {
        dir,
        sweep,
        mine,
        done,
        complete: false,
    })
}
