//! Addressing config parameters by dotted path (`russia.lambda`, `regimes.nato_light.deadline_hours`,
//! `guarantors.USA.public_support`), for sweeps, sensitivity studies and `--set` overrides.
//!
//! Paths address the raw TOML value, so a varied parameter goes through exactly the validation a
//! hand-written file gets. Array elements (the guarantors) are addressed by their `id`.

use crate::model::config::RawConfig;
use crate::{Error, Result};
use toml::Value;

/// Every numeric (or boolean) leaf path of a config value, sorted.
pub fn leaf_paths(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(v, String::new(), &mut out);
    out.sort();
    out
}

fn walk(v: &Value, prefix: String, out: &mut Vec<String>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        Value::Table(t) => {
            for (k, x) in t {
                walk(x, join(k), out);
            }
        }
        Value::Array(a) => {
            for x in a {
                if let Some(id) = x.get("id").and_then(Value::as_str) {
                    walk(x, join(id), out);
                }
            }
        }
        Value::Integer(_) | Value::Float(_) | Value::Boolean(_) => out.push(prefix),
        _ => {}
    }
}

/// The value at a dotted path, if there is one.
fn get_mut<'a>(v: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    let mut cur = v;
    for key in path.split('.').filter(|k| !k.is_empty()) {
        cur = child_mut(cur, key)?;
    }
    Some(cur)
}

/// The table at a dotted path (the root for ""), if there is one.
fn table_at<'a>(v: &'a mut Value, path: &str) -> Option<&'a mut toml::map::Map<String, Value>> {
    match get_mut(v, path)? {
        Value::Table(t) => Some(t),
        _ => None,
    }
}

fn child_mut<'a>(v: &'a mut Value, key: &str) -> Option<&'a mut Value> {
    match v {
        Value::Table(t) => t.get_mut(key),
        Value::Array(a) => a
            .iter_mut()
            .find(|x| x.get("id").and_then(Value::as_str) == Some(key)),
        _ => None,
    }
}

/// Set the number at `path` to `x`, keeping integers integral and booleans boolean (a boolean
/// leaf takes x >= 0.5 as true). `file` names the config in errors; an unknown path is an
/// error that suggests the nearest valid paths.
pub fn set(v: &mut Value, path: &str, x: f64, file: &str) -> Result<()> {
    let known = leaf_paths(v);
    let unknown = || Error::UnknownParameter {
        file: file.to_string(),
        path: path.to_string(),
        nearest: nearest(path, &known, 3),
    };
    if !x.is_finite() {
        return Err(Error::invalid(
            file,
            path,
            format!("value must be finite (got {x})"),
        ));
    }
    let (parent, last) = path.rsplit_once('.').unwrap_or(("", path));
    if get_mut(v, path).is_none() {
        // A field the file leaves at its default: set it if the config accepts it there.
        let mut candidates = vec![if x.fract() == 0.0 && x.abs() <= 9.0e15 {
            Value::Integer(x as i64)
        } else {
            Value::Float(x)
        }];
        if x == 0.0 || x == 1.0 {
            candidates.push(Value::Boolean(x == 1.0));
        }
        if !RawConfig::accepts(parent, last) {
            return Err(unknown());
        }
        let mut why = unknown();
        for c in candidates {
            let mut probe = v.clone();
            let Some(t) = table_at(&mut probe, parent) else {
                return Err(unknown());
            };
            t.insert(last.to_string(), c);
            match RawConfig::from_value(probe.clone(), file) {
                Ok(_) => {
                    *v = probe;
                    return Ok(());
                }
                // A real field given a value of the wrong kind: say so.
                Err(e) => why = e,
            }
        }
        return Err(why);
    }
    let cur = get_mut(v, path).ok_or_else(unknown)?;
    *cur = match cur {
        // A whole number stays an integer literal; a fractional one becomes a float, which a
        // real-valued field accepts and a count (such as `rounds`) rejects by name.
        Value::Integer(_) if x.fract() == 0.0 && x.abs() <= 9.0e15 => Value::Integer(x as i64),
        Value::Integer(_) | Value::Float(_) => Value::Float(x),
        Value::Boolean(_) if x == 0.0 || x == 1.0 => Value::Boolean(x == 1.0),
        Value::Boolean(_) => {
            return Err(Error::invalid(
                file,
                path,
                format!("is a true/false switch: vary it with values = [0, 1] (got {x})"),
            ))
        }
        _ => return Err(unknown()),
    };
    Ok(())
}

/// Set the setting at `path` to a word (`rule = "consensus"`, `design.reassurance_force =
/// "without"`) or, when the text has commas or the field takes a list, to a list of words
/// (`package = ["troops", "rapid_support"]` from `troops,rapid_support`). The edited value goes
/// through the same shape check as a file ([`RawConfig::from_value`]); values are validated
/// later with the rest of the config. A path that holds a number is refused (use [`set`]); an
/// unknown path is an error that suggests the nearest valid paths.
pub fn set_text(v: &mut Value, path: &str, text: &str, file: &str) -> Result<()> {
    let unknown = |v: &Value| Error::UnknownParameter {
        file: file.to_string(),
        path: path.to_string(),
        nearest: nearest(path, &text_paths(v), 3),
    };
    let (parent, last) = path.rsplit_once('.').unwrap_or(("", path));
    match get_mut(v, path) {
        Some(Value::Integer(_) | Value::Float(_) | Value::Boolean(_)) => {
            return Err(Error::invalid(
                file,
                path,
                format!("takes a number (or true/false), not the word `{text}`"),
            ))
        }
        Some(Value::Table(_)) => return Err(unknown(v)),
        Some(_) => {}
        None if RawConfig::accepts(parent, last) => {}
        None => return Err(unknown(v)),
    }
    let words = || {
        Value::Array(
            text.split(',')
                .map(|w| Value::String(w.trim().to_string()))
                .collect(),
        )
    };
    let candidates = if text.contains(',') {
        vec![words()]
    } else {
        vec![Value::String(text.to_string()), words()]
    };
    let mut why = None;
    for c in candidates {
        let mut probe = v.clone();
        // A top-level table the file leaves out (`[design]`) is created for its field.
        if !parent.is_empty() && !parent.contains('.') && get_mut(&mut probe, parent).is_none() {
            if let Value::Table(root) = &mut probe {
                root.insert(parent.to_string(), Value::Table(toml::map::Map::new()));
            }
        }
        let Some(t) = table_at(&mut probe, parent) else {
            return Err(unknown(v));
        };
        t.insert(last.to_string(), c);
        match RawConfig::from_value(probe.clone(), file) {
            Ok(_) => {
                *v = probe;
                return Ok(());
            }
            Err(e) => {
                why.get_or_insert(e);
            }
        }
    }
    Err(why.unwrap_or_else(|| unknown(v)))
}

/// Every leaf path of a config value, numbers and words alike (for suggestions).
fn text_paths(v: &Value) -> Vec<String> {
    fn go(v: &Value, prefix: String, out: &mut Vec<String>) {
        let join = |k: &str| {
            if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            }
        };
        match v {
            Value::Table(t) => t.iter().for_each(|(k, x)| go(x, join(k), out)),
            Value::Array(a) if a.iter().any(|x| x.get("id").is_some()) => {
                for x in a {
                    if let Some(id) = x.get("id").and_then(Value::as_str) {
                        go(x, join(id), out);
                    }
                }
            }
            _ => out.push(prefix),
        }
    }
    let mut out = Vec::new();
    go(v, String::new(), &mut out);
    out.sort();
    out
}

/// Read the number at `path`, if there is one.
pub fn get(v: &Value, path: &str) -> Option<f64> {
    let mut cur = v;
    for key in path.split('.') {
        cur = match cur {
            Value::Table(t) => t.get(key)?,
            Value::Array(a) => a
                .iter()
                .find(|x| x.get("id").and_then(Value::as_str) == Some(key))?,
            _ => return None,
        };
    }
    match cur {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Boolean(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

/// The `n` known paths closest to `path` by edit distance.
pub fn nearest(path: &str, known: &[String], n: usize) -> Vec<String> {
    let mut scored: Vec<(usize, &String)> = known.iter().map(|k| (edit_distance(path, k), k)).collect();
    scored.sort();
    scored.into_iter().take(n).map(|(_, k)| k.clone()).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_value() -> Value {
        toml::from_str(crate::model::config::DEFAULT_TOML).unwrap()
    }

    #[test]
    fn set_and_get_through_tables_and_ids() {
        let mut v = default_value();
        set(&mut v, "russia.lambda", 7.5, "f").unwrap();
        set(&mut v, "guarantors.USA.public_support", 0.3, "f").unwrap();
        set(&mut v, "regimes.nato_light.rounds", 5.0, "f").unwrap();
        assert_eq!(get(&v, "russia.lambda"), Some(7.5));
        assert_eq!(get(&v, "guarantors.USA.public_support"), Some(0.3));
        assert_eq!(get(&v, "regimes.nato_light.rounds"), Some(5.0));
        assert!(leaf_paths(&v).contains(&"guarantors.GBR.milex_usd_bn".to_string()));
    }

    /// Fields a config may leave out (inherited or defaulted) can be set too, and take effect.
    #[test]
    fn fields_left_at_their_defaults_can_be_set() {
        let mut v = default_value();
        for (path, x) in [
            ("guarantors.GBR.audience_sensitivity", 2.0),
            ("regimes.nato_light.provocation", 0.25),
        ] {
            assert_eq!(get(&v, path), None, "{path} is in the default file");
            set(&mut v, path, x, "f").unwrap();
            assert_eq!(get(&v, path), Some(x));
        }
        let m = crate::model::validate::Model::from_raw(
            &crate::model::config::RawConfig::from_value(v.clone(), "f").unwrap(),
            "f",
        )
        .unwrap();
        let gbr = m.guarantors().iter().find(|g| g.id == "GBR").unwrap();
        assert_eq!(gbr.audience_sensitivity, 2.0);
        let nl = m.regimes().iter().find(|r| r.name == "nato_light").unwrap();
        assert_eq!(nl.provocation, 0.25);
        // A name the config does not accept there is still unknown.
        let e = set(&mut v, "guarantors.GBR.lamda_x", 1.0, "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no such parameter"), "{e}");
        // Typed: an unknown name is its own error, not a message to match.
        let e = set(&mut v, "guarantors.GBR.lamda_x", 1.0, "f").unwrap_err();
        assert!(matches!(e, Error::UnknownParameter { .. }), "{e:?}");
        // A known field given a wrong kind of value is not "unknown".
        let e = set(&mut v, "regimes.nato_light.decision_delay_hours", 1.0, "f");
        assert!(e.is_ok() || !matches!(e, Err(Error::UnknownParameter { .. })));
    }

    /// Words and lists go through the shape check of a file; numbers are refused there, and a
    /// missing top-level table (`[design]`) is created for its field.
    #[test]
    fn words_and_lists_are_set_and_checked() {
        let mut v = default_value();
        set_text(&mut v, "regimes.article5.rule", "consensus", "f").unwrap();
        set_text(&mut v, "regimes.article5.package", "troops,rapid_support", "f").unwrap();
        set_text(&mut v, "design.reassurance_force", "without", "f").unwrap();
        let raw = RawConfig::from_value(v.clone(), "f").unwrap();
        assert_eq!(raw.regimes["article5"].rule.as_deref(), Some("consensus"));
        assert_eq!(
            raw.regimes["article5"].package,
            Some(vec!["troops".to_string(), "rapid_support".to_string()])
        );
        let m = crate::model::validate::Model::from_raw(&raw, "f").unwrap();
        assert_eq!(m.force_design(), crate::model::config::ForceDesign::Without);
        // A one-word list.
        set_text(&mut v, "regimes.nato_light.package", "rapid_support", "f").unwrap();
        let raw = RawConfig::from_value(v.clone(), "f").unwrap();
        assert_eq!(
            raw.regimes["nato_light"].package,
            Some(vec!["rapid_support".to_string()])
        );
        // A number field, an unknown name and a bad enum word.
        let e = set_text(&mut v, "russia.lambda", "high", "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("russia.lambda") && e.contains("takes a number"), "{e}");
        let e = set_text(&mut v, "regimes.article5.rul", "qmv", "f").unwrap_err();
        assert!(
            matches!(&e, Error::UnknownParameter { nearest, .. } if nearest.contains(&"regimes.article5.rule".to_string())),
            "{e:?}"
        );
        let e = set_text(&mut v, "design.reassurance_force", "maybe", "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("maybe"), "{e}");
    }

    #[test]
    fn unknown_path_suggests_nearest() {
        let mut v = default_value();
        let e = set(&mut v, "russia.lamda", 1.0, "sweep.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("sweep.toml") && e.contains("russia.lamda") && e.contains("russia.lambda"),
            "{e}"
        );
        set(&mut v, "regimes.nato_light.rounds", 2.5, "s").unwrap();
        let e = crate::model::config::RawConfig::from_value(v.clone(), "s")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("rounds") || e.contains("u64") || e.contains("integer"),
            "{e}"
        );
        let mut v = default_value();
        let e = set(&mut v, "guarantors.USA.troops", 0.3, "s")
            .unwrap_err()
            .to_string();
        assert!(e.contains("true/false") && e.contains("values = [0, 1]"), "{e}");
        set(&mut v, "guarantors.USA.troops", 1.0, "s").unwrap();
        assert_eq!(get(&v, "guarantors.USA.troops"), Some(1.0));
    }
}
