//! A study directory on disk: the state file, the partial rows of finished points (appended and
//! synced point by point, in order), opening a new or resumed study and keeping the complete
//! prefix of an interrupted one, so a study killed at any moment resumes where it stopped and ends
//! with the same bytes as an uninterrupted one.

use crate::report::files::{self, write_atomic};
use crate::study::ensemble_sweep::{study_identity, SweepEnsemble};
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
    /// Output directory (`--out`; default `output/<study name>/`).
    pub out: Option<PathBuf>,
    /// Finish an interrupted study in its directory (`--resume`).
    pub resume: bool,
    /// Replace a directory that holds results (`--force`): built aside and swapped in whole.
    pub force: bool,
    /// (k, n): run only points with index % n == k.
    pub shard: Option<(u64, u64)>,
    /// Also write `runs.csv` (one row per point, regime and replicate).
    pub per_run: bool,
    /// Run every point over this posterior (`--ensemble`, or the sweep file's `ensemble`):
    /// stored in the state file and part of the study's identity.
    pub ensemble: Option<SweepEnsemble>,
}

/// What a sweep produced.
#[derive(Debug, Clone)]
pub struct SweepReport {
    /// The results directory.
    pub dir: PathBuf,
    /// Points run by this process (0 when the study was already complete).
    pub points_run: usize,
    /// Points this directory holds (its shard of the design).
    pub points_total: usize,
    /// Runs per regime done by this process.
    pub runs: u64,
    /// Wall time, seconds.
    pub wall_seconds: f64,
}

/// The text of `sweep-state.json` for `sweep`: the sweep's fields and, for a sweep over a
/// posterior, its `ensemble`.
pub(crate) fn state_json(sweep: &Sweep, ensemble: Option<&SweepEnsemble>) -> Result<String> {
    let fail = |e: serde_json::Error| Error::io(STATE, std::io::Error::other(e));
    let Some(e) = ensemble else {
        return serde_json::to_string_pretty(sweep).map_err(fail);
    };
    let mut v = serde_json::to_value(sweep).map_err(fail)?;
    if let serde_json::Value::Object(m) = &mut v {
        m.insert("ensemble".into(), serde_json::to_value(e).map_err(fail)?);
    }
    serde_json::to_string_pretty(&v).map_err(fail)
}

/// Read a sweep directory's state, and check it (see [`Sweep::check_stored`]): a damaged state
/// file is refused naming the file and the field.
pub fn read_state(dir: &Path) -> Result<Sweep> {
    read_study(dir).map(|s| s.0)
}

/// The `ensemble` entry of a state file (none for a plain sweep).
#[derive(serde::Deserialize)]
struct StoredEnsemble {
    #[serde(default)]
    ensemble: Option<SweepEnsemble>,
}

/// Read a sweep directory's state: the sweep and the posterior it runs over, if any, each
/// checked ([`Sweep::check_stored`], [`SweepEnsemble::check_stored`]).
pub fn read_study(dir: &Path) -> Result<(Sweep, Option<SweepEnsemble>)> {
    let p = dir.join(STATE);
    let t = crate::input::read_text(&p, crate::input::TABLE_LIMIT, "study state file")?;
    let damaged = |e: serde_json::Error| Error::Results {
        path: p.clone(),
        message: match json_field(&t, e.line()) {
            Some(f) => format!("field `{f}`: not a sweep state file: {e}"),
            None => format!("not a sweep state file: {e}"),
        },
    };
    let sweep: Sweep = serde_json::from_str(&t).map_err(damaged)?;
    let stored: StoredEnsemble = serde_json::from_str(&t).map_err(damaged)?;
    let file = p.display().to_string();
    sweep.check_stored(&file)?;
    if let Some(e) = &stored.ensemble {
        e.check_stored(&sweep, &file)?;
    }
    Ok((sweep, stored.ensemble))
}

/// The name of the field a JSON error at `line` (1-based) is in: the nearest `"name":` at or
/// above it (the state file is pretty-printed, one field or value per line).
fn json_field(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().take(line).collect();
    lines.iter().rev().find_map(|l| {
        let rest = l.trim_start().strip_prefix('"')?;
        let (name, after) = rest.split_once('"')?;
        after.trim_start().starts_with(':').then(|| name.to_string())
    })
}

/// Why `line` is not the `points.csv` row of point `p` and regime `regime`, if it is not: the
/// point index, the parameter values and the regime exactly as the study writes them, then the
/// summary cells, each a finite number, `true`/`false` or empty, and nothing more or less.
pub(crate) fn row_problem(sweep: &Sweep, line: &str, p: usize, regime: &str) -> Option<String> {
    let Some(body) = line.strip_suffix('\n') else {
        return Some("the row has no line end (the file was cut)".into());
    };
    let cells: Vec<&str> = body.split(',').collect();
    let cols = sweep.header().trim_end().split(',').count();
    if cells.len() != cols {
        return Some(format!("{} cells where the header has {cols}", cells.len()));
    }
    if cells[0] != p.to_string() {
        return Some(format!("point `{}` where point {p} belongs", cells[0]));
    }
    let np = sweep.params.len();
    // The values exactly as the writer prints them (Sweep::point_prefix).
    let prefix = sweep.point_prefix(p);
    for (j, want) in prefix.split(',').skip(1).enumerate() {
        if cells[1 + j] != want {
            return Some(format!(
                "`{}` is `{}`, not point {p}'s value {want}",
                sweep.params[j],
                cells[1 + j]
            ));
        }
    }
    if cells[1 + np] != regime {
        return Some(format!("regime `{}` where `{regime}` belongs", cells[1 + np]));
    }
    for c in &cells[2 + np..] {
        let ok = c.is_empty() || *c == "true" || *c == "false" || c.parse::<f64>().is_ok_and(f64::is_finite);
        if !ok {
            return Some(format!("cell `{c}` is not a finite number, true/false or empty"));
        }
    }
    None
}

/// The names of a study's regimes, in the order of its rows.
pub(crate) fn regime_names(sweep: &Sweep) -> Result<Vec<String>> {
    Ok(sweep
        .point_model(0)?
        .1
        .regimes()
        .iter()
        .map(|r| r.name.clone())
        .collect())
}

/// The rows of a finished `points.csv` at `path`, checked: the header, then for each of the
/// points `mine` in order one row per regime in order (see [`row_problem`]), and nothing else.
pub(crate) fn read_rows(
    path: &Path,
    sweep: &Sweep,
    mine: &[usize],
    regimes: &[String],
) -> Result<Vec<(usize, String)>> {
    let text = crate::input::read_text(path, crate::input::TABLE_LIMIT, "points table")?;
    let damaged = |line: usize, why: String| Error::Input {
        path: path.to_path_buf(),
        message: format!("line {line}: {why}; the file is damaged (rerun the study or shard)"),
    };
    let mut lines = text.split_inclusive('\n');
    if lines.next() != Some(sweep.header().as_str()) {
        return Err(damaged(1, "the header differs from the study's".into()));
    }
    let mut rows = Vec::with_capacity(mine.len() * regimes.len());
    let mut line = 1;
    for &pt in mine {
        for regime in regimes {
            line += 1;
            let Some(l) = lines.next() else {
                return Err(damaged(line, format!("the file ends before point {pt}'s rows")));
            };
            if let Some(why) = row_problem(sweep, l, pt, regime) {
                return Err(damaged(line, why));
            }
            rows.push((pt, l.to_string()));
        }
    }
    if lines.next().is_some() {
        return Err(damaged(line + 1, "rows after the last point".into()));
    }
    Ok(rows)
}

/// Check a finished study directory's `points.csv` against its state (for `plot`): every row
/// there and as the study writes it.
pub fn check_points(dir: &Path, sweep: &Sweep) -> Result<()> {
    read_rows(
        &dir.join("points.csv"),
        sweep,
        &sweep.my_points(),
        &regime_names(sweep)?,
    )
    .map(|_| ())
}

/// Complete points already in a partial file `bytes` (at `path`): the header and the rows of the
/// longest prefix of `mine` whose every regime row is present and valid. What may follow them is
/// what an interrupted study leaves: some whole rows of the next point and a row cut short at the
/// end. Anything else (a damaged byte or row, a row of another point, a different header) is
/// refused, so that no finished point is discarded without a word.
fn completed_prefix(
    path: &Path,
    bytes: &[u8],
    sweep: &Sweep,
    mine: &[usize],
    regimes: &[String],
) -> Result<(usize, String)> {
    let header = sweep.header();
    let mut lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    // The last line cut short (no line end) is the row being written when the study stopped.
    if lines.last().is_some_and(|l| !l.ends_with(b"\n")) {
        lines.pop();
    }
    let refuse = |line: usize, done: usize, why: String| Error::Input {
        path: path.to_path_buf(),
        message: format!(
            "line {line}: {why}; the file is damaged. Refusing to resume so as not to discard \
             finished points: the {done} point(s) before line {line} are complete; keep them by \
             deleting line {line} and everything after it, then resume (the rest is rerun), or \
             start over with --force instead of --resume"
        ),
    };
    let Some(first) = lines.first() else {
        // Nothing whole was written yet: start from the header.
        return Ok((0, header));
    };
    if *first != header.as_bytes() {
        return Err(refuse(1, 0, "the header differs from this study's".into()));
    }
    let mut kept = header.clone();
    let mut done = 0;
    let mut at = 1; // index into lines
    for &p in mine {
        let mut block = String::new();
        for (r, regime) in regimes.iter().enumerate() {
            let Some(raw) = lines.get(at + r) else {
                // The file ends inside this point: it is rerun whole.
                return Ok((done, kept));
            };
            let line =
                std::str::from_utf8(raw).map_err(|_| refuse(at + r + 1, done, "not UTF-8 text".into()))?;
            if let Some(why) = row_problem(sweep, line, p, regime) {
                return Err(refuse(at + r + 1, done, why));
            }
            block.push_str(line);
        }
        kept.push_str(&block);
        at += regimes.len();
        done += 1;
    }
    if at < lines.len() {
        return Err(refuse(
            at + 1,
            done,
            "rows after the last point of the study".into(),
        ));
    }
    Ok((done, kept))
}

/// A study directory opened for running: what is left to do.
#[derive(Debug, Clone)]
pub struct Opened {
    /// Where this process writes: the directory, or with `--force` its staging sibling.
    pub dir: PathBuf,
    /// The study, as stored in its state file.
    pub sweep: Sweep,
    /// The points this directory runs, in order.
    pub mine: Vec<usize>,
    /// How many of them are already complete (a resumed study).
    pub done: usize,
    /// Whether all rows are already in `points.csv` (only charts and manifest may be missing).
    pub complete: bool,
    /// The posterior every point runs over, if any.
    pub ensemble: Option<SweepEnsemble>,
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
        if n == 0 || k >= n || n > crate::study::spec::MAX_SHARDS {
            return Err(Error::Usage {
                option: "--shard".into(),
                message: format!(
                    "K/N needs 0 <= K < N <= {} (got {k}/{n})",
                    crate::study::spec::MAX_SHARDS
                ),
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
    let regimes = regime_names(&sweep)?;
    let partial = dir.join(PARTIAL);
    if dir.is_dir() {
        files::lock_dir(&dir)?; // held for the process's life: one writer per directory
    }
    if o.resume {
        if !dir.join(STATE).exists() {
            return Err(Error::Results {
                path: dir.clone(),
                message: "nothing to resume here (no sweep-state.json); run without --resume".into(),
            });
        }
        // A state file that is there but damaged is reported as what it is.
        let (old, old_ensemble) = read_study(&dir)?;
        if old.per_run != sweep.per_run {
            return Err(Error::Results {
                path: dir.clone(),
                message: format!(
                    "was started {} --per-run; resume it the same way",
                    if old.per_run { "with" } else { "without" }
                ),
            });
        }
        let ensemble = o.ensemble.as_ref();
        if study_identity(&old, old_ensemble.as_ref()) != study_identity(&sweep, ensemble)
            || old.shard != sweep.shard
        {
            let mut d = Vec::new();
            if let Some(why) = ensemble_difference(old_ensemble.as_ref(), ensemble) {
                d.push(why);
            }
            if old.identity() != sweep.identity() || old.shard != sweep.shard || d.is_empty() {
                d.extend(old.differences(&sweep));
            }
            return Err(Error::Results {
                path: dir.clone(),
                message: format!(
                    "was made by a different study ({}); refusing to resume. Use another --out, or --force without --resume to start over",
                    d.join("; ")
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
                ensemble: o.ensemble.clone(),
            });
        }
    } else if !o.force && dir.join(STATE).exists() {
        return Err(Error::Results {
            path: dir.clone(),
            message: "holds a study; pass --resume to finish it or --force to start over".into(),
        });
    }
    let (done, kept) = if o.resume {
        match read_if_there(&partial)? {
            Some(bytes) => completed_prefix(&partial, &bytes, &sweep, &mine, &regimes)?,
            // Stopped before its first row file was written: nothing is done yet.
            None => (0, sweep.header()),
        }
    } else {
        dir = files::begin(&dir, o.force, &KNOWN)?; // with --force: built aside, swapped in at close
        remove_if_there(&dir.join("points.csv"))?;
        remove_if_there(&dir.join("manifest.json"))?;
        (0, sweep.header())
    };
    let runs_text = if sweep.per_run {
        let old = if o.resume {
            read_if_there(&dir.join(RUNS_PARTIAL))?
        } else {
            None
        };
        Some(kept_runs(
            &dir.join(RUNS_PARTIAL),
            old.as_deref(),
            &sweep,
            &mine[..done],
            regimes.len(),
        )?)
    } else {
        None
    };
    write_atomic(
        &dir.join(STATE),
        state_json(&sweep, o.ensemble.as_ref())?.as_bytes(),
    )?;
    write_atomic(&dir.join(PARTIAL), kept.as_bytes())?;
    if let Some(text) = runs_text {
        write_atomic(&dir.join(RUNS_PARTIAL), text.as_bytes())?;
    }
    Ok(Opened {
        dir,
        sweep,
        mine,
        done,
        complete: false,
        ensemble: o.ensemble.clone(),
    })
}

/// How two studies' ensembles differ, in words, if they do: one over a posterior and one
/// plain, or two posteriors (file content or generation).
pub(crate) fn ensemble_difference(a: Option<&SweepEnsemble>, b: Option<&SweepEnsemble>) -> Option<String> {
    let name = |e: Option<&SweepEnsemble>| {
        e.map_or("none".to_string(), |e| {
            format!(
                "posterior {}.. generation {}",
                &e.posterior_sha256[..12.min(e.posterior_sha256.len())],
                e.posterior.generation
            )
        })
    };
    let same = match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => x.identity() == y.identity(),
        _ => false,
    };
    (!same).then(|| format!("ensemble: {} then, {} now", name(a), name(b)))
}

/// The bytes of a file read back, or `None` if it is not there (any other failure is an error).
fn read_if_there(path: &Path) -> Result<Option<Vec<u8>>> {
    if !path.exists() {
        return Ok(None);
    }
    crate::input::read_bytes(path, crate::input::TABLE_LIMIT, "partial rows file").map(Some)
}

/// Remove a file if it is there (any other failure is an error).
fn remove_if_there(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path, e)),
        _ => Ok(()),
    }
}

/// The per-run rows to keep on resuming (with `--per-run`): those of the complete points
/// `complete`, which must all be there (a point's run rows are written before its summary rows);
/// rows of the point that was running are dropped (it is rerun whole). A damaged row, or missing
/// rows of a complete point, is refused naming the file.
fn kept_runs(
    path: &Path,
    old: Option<&[u8]>,
    sweep: &Sweep,
    complete: &[usize],
    regimes: usize,
) -> Result<String> {
    let header = sweep.runs_header();
    let mut text = header.clone();
    let refuse = |why: String| Error::Input {
        path: path.to_path_buf(),
        message: format!(
            "{why}; the file is damaged. Refusing to resume so as not to discard finished runs: \
             start over with --force instead of --resume"
        ),
    };
    let old = old.unwrap_or_default();
    let mut lines: Vec<&[u8]> = old.split_inclusive(|&b| b == b'\n').collect();
    if lines.last().is_some_and(|l| !l.ends_with(b"\n")) {
        lines.pop(); // the row being written when the study stopped
    }
    if lines.is_empty() {
        if complete.is_empty() {
            return Ok(text);
        }
        return Err(refuse(
            "it holds no rows but the study has complete points".into(),
        ));
    }
    if lines[0] != header.as_bytes() {
        return Err(refuse("line 1: the header differs from this study's".into()));
    }
    let is_complete: std::collections::HashSet<usize> = complete.iter().copied().collect();
    let cols = header.trim_end().split(',').count();
    let mut kept = 0u64;
    for (k, raw) in lines.iter().enumerate().skip(1) {
        let line = std::str::from_utf8(raw).map_err(|_| refuse(format!("line {}: not UTF-8 text", k + 1)))?;
        let point = line.split(',').next().and_then(|x| x.parse::<usize>().ok());
        match point {
            Some(p) if line.trim_end().split(',').count() == cols => {
                if is_complete.contains(&p) {
                    text.push_str(line);
                    kept += 1;
                }
            }
            _ => return Err(refuse(format!("line {}: not a row of this study", k + 1))),
        }
    }
    let want = complete.len() as u64 * regimes as u64 * sweep.replicates;
    if kept != want {
        return Err(refuse(format!(
            "it holds {kept} rows of the {} complete points, not {want}",
            complete.len()
        )));
    }
    Ok(text)
}
