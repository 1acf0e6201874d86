//! `deterrence-sim init DIR`: write the default config as a starting point.

use crate::model::config::DEFAULT_TOML;
use crate::report::files::write_atomic;
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// `deterrence-sim init DIR`: write the default config as a starting point.
pub fn init(dir: &Path, force: bool) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let p = dir.join("default.toml");
    if p.exists() && !force {
        return Err(Error::OutputExists(p));
    }
    // Name the study after its directory, so its results do not land in output/default.
    let name: String = dir
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
                .collect()
        })
        .filter(|n: &String| !n.is_empty() && n != "." && n != "..")
        .unwrap_or_else(|| "default".into());
    let text = DEFAULT_TOML.replacen("name = \"default\"", &format!("name = \"{name}\""), 1);
    write_atomic(&p, text.as_bytes())?;
    Ok(p)
}
