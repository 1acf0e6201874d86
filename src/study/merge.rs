//! Merging the shards of one sweep or sensitivity study (`--shard K/N` runs on a cluster) into
//! one directory whose `points.csv` is byte-identical to an unsharded run's.

use crate::report::files::{self, write_atomic};
use crate::study::finish::finish;
use crate::study::spec::Sweep;
use crate::study::store::{read_state, KNOWN, PARTIAL, RUNS_PARTIAL, STATE};
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// `merge OUT SHARD_DIR...`: combine shard directories of one sweep into `out`, whose
/// `points.csv` is byte-identical to an unsharded run's. Refuses shards of different sweeps or
/// seeds, missing, duplicated or unfinished shards.
pub fn merge(out: &Path, shards: &[PathBuf], force: bool) -> Result<Sweep> {
    let refuse = |path: &Path, message: String| Error::Results {
        path: path.to_path_buf(),
        message,
    };
    let first = shards.first().ok_or_else(|| Error::Usage {
        option: "SHARD_DIR".into(),
        message: "name at least one shard directory".into(),
    })?;
    let states: Vec<Sweep> = shards.iter().map(|d| read_state(d)).collect::<Result<_>>()?;
    let n = states[0].shard.1;
    let id = states[0].identity();
    let mut seen: Vec<Option<&PathBuf>> = vec![None; n as usize];
    for (s, d) in states.iter().zip(shards) {
        if s.identity() != id {
            return Err(refuse(
                d,
                format!(
                    "is a shard of a different study than {}: {}",
                    first.display(),
                    difference(&states[0], s)
                ),
            ));
        }
        if s.shard.1 != n {
            let what = if s.shard.1 == 1 {
                "ran the whole design (no --shard)".to_string()
            } else {
                format!("is one of {} shards", s.shard.1)
            };
            return Err(refuse(
                d,
                format!("{what}, but {} is one of {n}", first.display()),
            ));
        }
        if let Some(other) = seen[s.shard.0 as usize] {
            return Err(refuse(
                d,
                format!(
                    "is shard {}/{n}, like {} (a shard given twice?)",
                    s.shard.0,
                    other.display()
                ),
            ));
        }
        seen[s.shard.0 as usize] = Some(d);
        if !d.join("points.csv").exists() {
            return Err(refuse(
                d,
                format!(
                    "shard {}/{n} is unfinished; finish it with the command that started it plus --resume, e.g. \
                     `deterrence-sim {} {} --shard {}/{n} --seed {} --replicates {}{} --resume --out {}` \
                     (add any --points or --samples you gave; paths as from the directory you started in)",
                    s.shard.0,
                    if s.analysis.is_some() { "sensitivity" } else { "sweep" },
                    s.sweep_file,
                    s.shard.0,
                    s.seed,
                    s.replicates,
                    if s.per_run { " --per-run" } else { "" },
                    d.display()
                ),
            ));
        }
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, d)| d.is_none())
        .map(|(k, _)| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Usage {
            option: "SHARD_DIR".into(),
            message: format!("missing shard(s) {}; merge needs all {n}", missing.join(", ")),
        });
    }
    // Gather rows by point (each shard's rows are whole points, in point order).
    let mut sweep = states[0].clone();
    sweep.shard = (0, 1);
    let header = sweep.header();
    let mut rows: Vec<(usize, String)> = Vec::new();
    for d in shards {
        let p = d.join("points.csv");
        let text = std::fs::read_to_string(&p).map_err(|e| Error::Read {
            path: p.clone(),
            source: e,
        })?;
        let mut lines = text.split_inclusive('\n');
        if lines.next() != Some(header.as_str()) {
            return Err(refuse(&p, "has a different header than the sweep's".into()));
        }
        let cols = header.trim_end().split(',').count();
        for l in lines {
            let point = l.split(',').next().and_then(|x| x.parse::<usize>().ok());
            let whole = l.ends_with('\n') && l.trim_end().split(',').count() == cols;
            match point {
                Some(pt) if pt < sweep.points.len() && whole => rows.push((pt, l.to_string())),
                _ => return Err(refuse(&p, format!("malformed row: {}", l.trim_end()))),
            }
        }
    }
    rows.sort_by_key(|r| r.0); // stable: keeps the regime order within a point
    let regimes = sweep.point_model(0)?.1.regimes().len();
    let mut count = vec![0usize; sweep.points.len()];
    for (p, _) in &rows {
        count[*p] += 1;
    }
    if let Some(p) = count.iter().position(|&c| c != regimes) {
        return Err(Error::Results {
            path: out.to_path_buf(),
            message: format!(
                "the shards hold {} rows for point {p}, not {regimes}; a shard is damaged",
                count[p]
            ),
        });
    }
    // Locked; with --force built aside and swapped in whole after `finish`.
    let work = files::begin(out, force, &KNOWN)?;
    let out = work.as_path();
    let mut text = header;
    for (_, l) in &rows {
        text.push_str(l);
    }
    write_atomic(
        &out.join(STATE),
        serde_json::to_string_pretty(&sweep)
            .unwrap_or_default()
            .as_bytes(),
    )?;
    if sweep.per_run {
        write_atomic(&out.join(RUNS_PARTIAL), merged_runs(shards, &sweep)?.as_bytes())?;
    }
    write_atomic(&out.join(PARTIAL), text.as_bytes())?;
    finish(out, &sweep, 0.0)?;
    files::commit(out)?;
    Ok(sweep)
}

/// What differs between two studies, in words (the first difference found).
fn difference(a: &Sweep, b: &Sweep) -> String {
    if a.seed != b.seed {
        format!("seeds {} and {}", a.seed, b.seed)
    } else if a.replicates != b.replicates {
        format!("{} and {} replicates", a.replicates, b.replicates)
    } else if a.sweep_sha256 != b.sweep_sha256 {
        "different study files (SHA-256 differ)".into()
    } else if a.base_toml != b.base_toml {
        "different base configs".into()
    } else if a.params != b.params || a.points != b.points {
        "different designs (parameters or points; --points?)".into()
    } else {
        "different settings (regimes, periods, common random numbers or analysis)".into()
    }
}

/// The shards' `runs.csv` rows, in point order (each point's rows stay in their order).
fn merged_runs(shards: &[PathBuf], sweep: &Sweep) -> Result<String> {
    let header = sweep.runs_header();
    let mut rows: Vec<(usize, String)> = Vec::new();
    for d in shards {
        let p = d.join("runs.csv");
        let text = std::fs::read_to_string(&p).map_err(|e| Error::Read {
            path: p.clone(),
            source: e,
        })?;
        let mut lines = text.split_inclusive('\n');
        if lines.next() != Some(header.as_str()) {
            return Err(Error::Results {
                path: p,
                message: "has a different header than the study's".into(),
            });
        }
        for l in lines {
            match l.split(',').next().and_then(|x| x.parse::<usize>().ok()) {
                Some(pt) if l.ends_with('\n') => rows.push((pt, l.to_string())),
                _ => {
                    return Err(Error::Results {
                        path: p.clone(),
                        message: format!("malformed row: {}", l.trim_end()),
                    })
                }
            }
        }
    }
    rows.sort_by_key(|r| r.0);
    let mut out = header;
    for (_, l) in rows {
        out.push_str(&l);
    }
    Ok(out)
}
