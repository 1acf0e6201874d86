//! Loading a config for a command: the file named (or `configs/default.toml`, or the built-in
//! default), `--seed`/`--runs`/`--periods`/`--set` overrides applied to the config as written,
//! then validation into a [`Model`].

use crate::input::{check_option, read_config};
use crate::model::config::{RawConfig, DEFAULT_TOML};
use crate::model::validate::Model;
use crate::study::spec::MAX_THREADS;
use crate::{Error, Result};
use std::path::Path;

/// How the built-in default config is named in messages and the manifest.
pub const BUILTIN: &str = "<built-in default>";

/// A config as loaded: the raw TOML value (for dotted-path edits) and where it came from. Its
/// shape (types, known fields) has been checked; its values have not (see [`Loaded::model`]).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The parsed TOML, edited in place by `--set` ([`crate::model::params::set`]).
    pub value: toml::Value,
    /// Names the source in messages and the manifest: the path given, `configs/default.toml`,
    /// or `<built-in default>`, with ` with --set` appended once a `--set` has been applied.
    pub origin: String,
}

impl Loaded {
    /// Load `path`, or `configs/default.toml` if it exists here, or the built-in default.
    pub fn from(path: Option<&Path>) -> Result<Loaded> {
        let local = Path::new("configs/default.toml");
        let (text, origin) = match path {
            Some(p) => (read_config(p)?, p.display().to_string()),
            None if local.is_file() => (read_config(local)?, local.display().to_string()),
            None => return Loaded::builtin(),
        };
        Loaded::from_text(&text, &origin)
    }

    /// The built-in default config (`configs/default.toml` as compiled in), whatever the
    /// current directory holds.
    pub fn builtin() -> Result<Loaded> {
        Loaded::from_text(DEFAULT_TOML, BUILTIN)
    }

    /// A config given as TOML text; `origin` names it in messages and the manifest. Limited to
    /// [`crate::input::CONFIG_LIMIT`] bytes like a file.
    pub fn from_text(text: &str, origin: &str) -> Result<Loaded> {
        let origin = origin.to_string();
        if text.len() as u64 > crate::input::CONFIG_LIMIT {
            return Err(Error::invalid(
                &origin,
                "config",
                format!(
                    "is longer than {}, the limit for a config",
                    crate::input::size_words(crate::input::CONFIG_LIMIT)
                ),
            ));
        }
        let value = toml::from_str(text).map_err(|e| Error::Parse {
            file: origin.clone(),
            message: e.to_string(),
        })?;
        // Shape errors (a wrong type, an unknown field) are reported from the text, with the line
        // and the entry they are in: "in `guarantors`" alone would not say which of 16.
        if let Err(e) = toml::from_str::<RawConfig>(text) {
            crate::model::config::check_removed_keys(text, &origin)?;
            return Err(Error::Parse {
                file: origin,
                message: e.to_string(),
            });
        }
        Ok(Loaded { value, origin })
    }

    /// The raw config and the validated model.
    pub fn model(&self) -> Result<(RawConfig, Model)> {
        let raw = RawConfig::from_value(self.value.clone(), &self.origin)?;
        let model = Model::from_raw(&raw, &self.origin)?;
        Ok((raw, model))
    }
}

/// Command-line overrides of the `[run]` table, and `--set PATH=VALUE` edits of any parameter.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--seed`: replaces `run.seed` (any u64).
    pub seed: Option<u64>,
    /// `--runs`: replaces `run.runs`, 1 to [`crate::model::validate::MAX_RUNS`].
    pub runs: Option<u64>,
    /// `--periods`: replaces `run.periods` (months), 1 to
    /// [`crate::model::validate::MAX_PERIODS`].
    pub periods: Option<u64>,
    /// `--threads`: replaces `run.threads`, 0 (all cores) to [`MAX_THREADS`].
    pub threads: Option<usize>,
    /// `--set PATH=VALUE` edits in command-line order, each a dotted parameter path and a
    /// number (`true`/`false` read as 1/0) or a word (see [`parse_set`]), applied before the run
    /// options.
    pub sets: Vec<(String, SetValue)>,
    /// `--baseline REGIME`: the regime the paired differences subtract (default: the regime
    /// named `none`, if any); an unknown name is an error naming the regimes.
    pub baseline: Option<String>,
}

/// The value of a `--set PATH=VALUE` edit.
#[derive(Debug, Clone, PartialEq)]
pub enum SetValue {
    /// A number; `true`/`false` are 1 and 0 ([`crate::model::params::set`]).
    Number(f64),
    /// A word for a setting such as `rule` or `design.reassurance_force`, or words separated by
    /// commas for a list such as `package` ([`crate::model::params::set_text`]).
    Text(String),
}

/// Parse a `--set PATH=VALUE` argument: VALUE is a number, `true`/`false`, a word (letters,
/// digits, `_`, `-`, `.`) or words separated by commas.
pub fn parse_set(s: &str) -> std::result::Result<(String, SetValue), String> {
    let (path, value) = s
        .split_once('=')
        .ok_or_else(|| format!("expected PATH=VALUE, e.g. russia.lambda=3 (got `{s}`)"))?;
    let v = value.trim();
    let x = match v {
        "true" => SetValue::Number(1.0),
        "false" => SetValue::Number(0.0),
        v => match v.parse::<f64>() {
            Ok(x) => SetValue::Number(x),
            Err(_) if is_words(v) => SetValue::Text(v.to_string()),
            Err(_) => {
                return Err(format!(
                    "`{v}` is not a number, true/false, a word (letters, digits, _ - .) or words \
                     separated by commas"
                ))
            }
        },
    };
    Ok((path.trim().to_string(), x))
}

/// Whether `v` is one word or several separated by commas, each of letters, digits, `_`, `-`
/// and `.`.
fn is_words(v: &str) -> bool {
    v.split(',').all(|w| {
        !w.is_empty()
            && w.len() <= 64
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    })
}

impl Overrides {
    /// Check the options' values, so that a bad one is blamed on the option, not the config.
    pub fn check(&self) -> Result<()> {
        use crate::model::validate::{MAX_PERIODS, MAX_RUNS};
        if let Some(x) = self.runs {
            check_option("--runs", x, 1, MAX_RUNS)?;
        }
        if let Some(x) = self.periods {
            check_option("--periods", x, 1, MAX_PERIODS)?;
        }
        if let Some(x) = self.threads {
            check_option("--threads", x as u64, 0, MAX_THREADS as u64)?;
        }
        Ok(())
    }

    /// Apply to a raw config before validation (so the limits are checked as for a file).
    pub fn apply(&self, raw: &mut RawConfig) {
        if let Some(x) = self.seed {
            raw.run.seed = x;
        }
        if let Some(x) = self.runs {
            raw.run.runs = x;
        }
        if let Some(x) = self.periods {
            raw.run.periods = x;
        }
        if let Some(x) = self.threads {
            raw.run.threads = x as u64;
        }
    }
}

/// Load, override and validate.
pub fn resolve(config: Option<&Path>, o: &Overrides) -> Result<(Loaded, RawConfig, Model)> {
    o.check()?;
    resolve_loaded(Loaded::from(config)?, o)
}

/// Override and validate a config already loaded (from a file, text or the built-in default):
/// the options checked, the `--set` edits applied in order, then the run options.
pub fn resolve_loaded(mut loaded: Loaded, o: &Overrides) -> Result<(Loaded, RawConfig, Model)> {
    o.check()?;
    if !o.sets.is_empty() {
        loaded.origin = format!("{} with --set", loaded.origin);
    }
    for (path, x) in &o.sets {
        match x {
            SetValue::Number(x) => crate::model::params::set(&mut loaded.value, path, *x, &loaded.origin)?,
            SetValue::Text(t) => crate::model::params::set_text(&mut loaded.value, path, t, &loaded.origin)?,
        }
    }
    let mut raw = RawConfig::from_value(loaded.value.clone(), &loaded.origin)?;
    o.apply(&mut raw);
    let mut model = Model::from_raw(&raw, &loaded.origin)?;
    if let Some(b) = &o.baseline {
        let names: Vec<String> = model.regimes().iter().map(|r| r.name.clone()).collect();
        model = model.with_baseline(b).map_err(|_| crate::Error::Usage {
            option: "--baseline".into(),
            message: format!("no regime `{b}`; this config defines: {}", names.join(", ")),
        })?;
    }
    Ok((loaded, raw, model))
}
