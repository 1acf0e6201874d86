//! `deterrence-sim validate FILE`: a model config, a sweep file or a sensitivity file, each checked
//! as what it is (a study with every design point), with a one-line description when valid.

use crate::app::load::{resolve, Overrides};
use crate::study::spec::SweepOverrides;
use crate::study::study_file;
use crate::Result;
use std::path::Path;

/// What kind of file a TOML file is, from its top-level keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A model config (`deterrence-sim run`).
    Config,
    /// A sweep file (`deterrence-sim sweep`): has `parameters`, or `design` without
    /// `guarantors` (a config may have a `[design]` table too, but always lists guarantors).
    Sweep,
    /// A sensitivity study file (`deterrence-sim sensitivity`): has `method`.
    Sensitivity,
}

impl FileKind {
    /// Classify TOML text; text that does not parse is a config (its parse error is reported then).
    pub fn of_text(text: &str) -> FileKind {
        match text.parse::<toml::Table>() {
            Ok(t) if t.contains_key("method") => FileKind::Sensitivity,
            Ok(t)
                if t.contains_key("parameters")
                    || (t.contains_key("design") && !t.contains_key("guarantors")) =>
            {
                FileKind::Sweep
            }
            _ => FileKind::Config,
        }
    }

    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Config => "config",
            FileKind::Sweep => "sweep",
            FileKind::Sensitivity => "sensitivity",
        }
    }
}

/// Check `path` as the kind of file it is; returns the line to print when it is valid.
pub fn validate(path: &Path) -> Result<String> {
    let kind = FileKind::of_text(&crate::input::read_config(path)?);
    if kind != FileKind::Config {
        let o = SweepOverrides::default();
        let s = match kind {
            FileKind::Sensitivity => study_file::load(path, &o)?,
            _ => {
                let (s, e) = crate::study::ensemble_sweep::load(path, &o, None)?;
                if let Some(e) = e {
                    return Ok(format!(
                        "{}: valid sweep file ({} points x {} replicates; parameters: {}; over the {} particles of generation {} of {}{})",
                        path.display(),
                        s.points.len(),
                        s.replicates,
                        s.params.join(", "),
                        e.posterior.particles.len(),
                        e.posterior.generation,
                        e.posterior_file,
                        if e.overridden.is_empty() {
                            String::new()
                        } else {
                            format!("; the sweep's values replace the posterior's for {}", e.overridden.join(", "))
                        }
                    ));
                }
                s
            }
        };
        return Ok(format!(
            "{}: valid {} file ({} points x {} replicates; parameters: {})",
            path.display(),
            kind.name(),
            s.points.len(),
            s.replicates,
            s.params.join(", ")
        ));
    }
    let (_, _, model) = resolve(Some(path), &Overrides::default())?;
    Ok(format!(
        "{}: valid ({} regimes: {}; reassurance force: {}; {} guarantors; {} responses; {} runs x {} months)",
        path.display(),
        model.regimes().len(),
        model
            .regimes()
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        model.force_design().name(),
        model.guarantors().len(),
        model.responses().len(),
        model.run().runs,
        model.run().periods
    ))
}
