//! `deterrence-sim run --ensemble POSTERIOR`: every regime over runs whose parameters are drawn
//! from a calibration's posterior ([`crate::study::ensemble`]); its tables, chart and manifest in
//! the output directory (default `output/<config name>-ensemble/`).

use crate::app::load::{resolve, Overrides};
use crate::report::files;
use crate::report::manifest::write_manifest;
use crate::sim::batch::Progress;
use crate::study::ensemble::{self, Ensemble};
use crate::Result;
use std::path::{Path, PathBuf};

/// What an ensemble run produced.
#[derive(Debug, Clone)]
pub struct EnsembleReport {
    /// The results directory.
    pub dir: PathBuf,
    /// The ensemble.
    pub ensemble: Ensemble,
    /// Wall time, seconds.
    pub wall_seconds: f64,
}

/// Names an ensemble directory holds besides its manifest's.
const KNOWN: [&str; 3] = ["ensemble.csv", "orderings.csv", "draws.csv"];

/// Run the ensemble and write its files.
pub fn run(
    config: Option<&Path>,
    o: &Overrides,
    posterior: &Path,
    out: Option<&Path>,
    force: bool,
    progress: &dyn Progress,
) -> Result<EnsembleReport> {
    let (loaded, raw, model) = resolve(config, o)?;
    let post = ensemble::read_posterior(posterior)?;
    let dir = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("output").join(format!("{}-ensemble", model.name())));
    let work = files::begin(&dir, force, &KNOWN)?;
    let start = std::time::Instant::now();
    let written = (|| -> Result<(Ensemble, Vec<PathBuf>)> {
        let e = ensemble::run(&raw, &model, post, &loaded.origin, progress)?;
        let files = e.write(&work)?;
        Ok((e, files))
    })();
    let (e, files) = match written {
        Ok(w) => w,
        Err(err) => {
            files::abandon(&work);
            return Err(err);
        }
    };
    let wall = start.elapsed().as_secs_f64();
    let extra = serde_json::json!({
        "posterior": posterior.display().to_string(),
        "posterior_sha256": files::sha256_file(posterior)?,
        "posterior_generation": e.posterior.generation,
        "parameters": e.posterior.paths,
        "draws": e.per_draw().len(),
        "draw_stream": "particle of run i drawn by weight from stream (seed, point 2^32-1, replicate i); runs on (seed, 0, i)",
    });
    write_manifest(
        &work,
        &loaded.origin,
        &raw,
        model.force_design(),
        model.run().seed,
        model.run().threads,
        wall,
        "run --ensemble",
        &files,
        extra,
    )?;
    let dir = files::commit(&work)?;
    Ok(EnsembleReport {
        dir,
        ensemble: e,
        wall_seconds: wall,
    })
}
