//! Merging the shards of one sweep or sensitivity study (`--shard K/N` runs on a cluster) into
//! one directory whose `points.csv` is byte-identical to an unsharded run's.

use crate::report::files::{self, write_atomic};
use crate::study::ensemble_sweep::{study_identity, SweepEnsemble};
use crate::study::finish::finish;
use crate::study::spec::Sweep;
use crate::study::store::{
    ensemble_difference, read_rows, read_study, state_json, KNOWN, PARTIAL, RUNS_PARTIAL, STATE,
};
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// `merge OUT SHARD_DIR...`: combine shard directories of one sweep into `out`, whose
/// `points.csv` is byte-identical to an unsharded run's. Refuses shards of different sweeps,
/// seeds or ensembles (a sweep over a posterior and a plain one, or two posteriors), missing,
/// duplicated or unfinished shards.
pub fn merge(out: &Path, shards: &[PathBuf], force: bool) -> Result<Sweep> {
    let refuse = |path: &Path, message: String| Error::Results {
        path: path.to_path_buf(),
        message,
    };
    let first = shards.first().ok_or_else(|| Error::Usage {
        option: "SHARD_DIR".into(),
        message: "name at least one shard directory".into(),
    })?;
    let studies: Vec<(Sweep, Option<SweepEnsemble>)> =
        shards.iter().map(|d| read_study(d)).collect::<Result<_>>()?;
    let (states, ensembles): (Vec<Sweep>, Vec<Option<SweepEnsemble>>) = studies.into_iter().unzip();
    let n = states[0].shard.1;
    let id = study_identity(&states[0], ensembles[0].as_ref());
    let mut seen: Vec<Option<&PathBuf>> = vec![None; n as usize];
    for ((s, e), d) in states.iter().zip(&ensembles).zip(shards) {
        if study_identity(s, e.as_ref()) != id {
            let why = ensemble_difference(ensembles[0].as_ref(), e.as_ref())
                .filter(|_| s.identity() == states[0].identity())
                .unwrap_or_else(|| difference(&states[0], s));
            return Err(refuse(
                d,
                format!("is a shard of a different study than {}: {why}", first.display(),),
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
                     `deterrence-sim {} {} --shard {}/{n} --seed {} --replicates {}{}{} --resume --out {}` \
                     (add any --points or --samples you gave; paths as from the directory you started in)",
                    s.shard.0,
                    if s.analysis.is_some() { "sensitivity" } else { "sweep" },
                    s.sweep_file,
                    s.shard.0,
                    s.seed,
                    s.replicates,
                    if s.per_run { " --per-run" } else { "" },
                    e.as_ref()
                        .map(|e| format!(" --ensemble {}", e.posterior_file))
                        .unwrap_or_default(),
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
    // Gather rows by point: each shard's points.csv holds exactly its points, in point order,
    // one row per regime in regime order, each as the study writes it.
    let mut sweep = states[0].clone();
    sweep.shard = (0, 1);
    let header = sweep.header();
    let regimes = crate::study::store::regime_names(&sweep)?;
    let mut rows: Vec<(usize, String)> = Vec::new();
    for (d, s) in shards.iter().zip(&states) {
        rows.extend(read_rows(
            &d.join("points.csv"),
            &sweep,
            &s.my_points(),
            &regimes,
        )?);
    }
    rows.sort_by_key(|r| r.0); // stable: keeps the regime order within a point
    if rows.len() != sweep.points.len() * regimes.len() {
        return Err(Error::Results {
            path: out.to_path_buf(),
            message: format!(
                "the shards hold {} rows, not {} ({} points x {} regimes)",
                rows.len(),
                sweep.points.len() * regimes.len(),
                sweep.points.len(),
                regimes.len()
            ),
        });
    }
    let runs = if sweep.per_run {
        Some(merged_runs(shards, &states, &sweep, regimes.len())?)
    } else {
        None
    };
    // Locked; with --force built aside and swapped in whole after `finish`.
    let work = files::begin(out, force, &KNOWN)?;
    let out = work.as_path();
    let mut text = header;
    for (_, l) in &rows {
        text.push_str(l);
    }
    let ensemble = ensembles[0].as_ref();
    write_atomic(&out.join(STATE), state_json(&sweep, ensemble)?.as_bytes())?;
    if let Some(runs) = runs {
        write_atomic(&out.join(RUNS_PARTIAL), runs.as_bytes())?;
    }
    write_atomic(&out.join(PARTIAL), text.as_bytes())?;
    finish(out, &sweep, ensemble, 0.0)?;
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

/// The shards' `runs.csv` rows, in point order (each point's rows stay in their order). Each
/// shard's file must hold, for each of its points in order, one row per regime and replicate.
fn merged_runs(shards: &[PathBuf], states: &[Sweep], sweep: &Sweep, regimes: usize) -> Result<String> {
    let header = sweep.runs_header();
    let cols = header.trim_end().split(',').count();
    let per_point = regimes as u64 * sweep.replicates;
    let mut rows: Vec<(usize, String)> = Vec::new();
    for (d, s) in shards.iter().zip(states) {
        let p = d.join("runs.csv");
        let damaged = |line: usize, why: String| Error::Input {
            path: p.clone(),
            message: format!("line {line}: {why}; the shard is damaged (rerun it)"),
        };
        let mut lines = crate::input::Lines::open(&p, "per-run table")?;
        if lines.next_line()?.as_deref() != Some(header.as_str()) {
            return Err(damaged(1, "the header differs from the study's".into()));
        }
        for pt in s.my_points() {
            for _ in 0..per_point {
                let n = lines.number();
                let Some(l) = lines.next_line()? else {
                    return Err(damaged(n, format!("the file ends before point {pt}'s rows")));
                };
                let whole = l.ends_with('\n') && l.trim_end().split(',').count() == cols;
                if !whole || l.split(',').next() != Some(pt.to_string().as_str()) {
                    return Err(damaged(n, format!("not a whole row of point {pt}")));
                }
                rows.push((pt, l));
            }
        }
        if lines.next_line()?.is_some() {
            return Err(damaged(
                lines.number() - 1,
                "rows after the shard's last point".into(),
            ));
        }
    }
    rows.sort_by_key(|r| r.0);
    let mut out = header;
    for (_, l) in rows {
        out.push_str(&l);
    }
    Ok(out)
}
