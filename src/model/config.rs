//! The configuration as written: serde structs that mirror the TOML file one to one.
//!
//! Nothing here is checked beyond what serde checks (types, unknown fields). The validated,
//! runnable form is [`crate::model::validate::Model`], built by [`crate::model::validate::Model::from_raw`]. Keeping
//! the two apart (as ripgrep does with its low-level and high-level arguments) lets sweeps edit
//! the raw TOML by dotted path and then validate the result like any hand-written file.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// The default configuration, built into the binary so `deterrence-sim run` works anywhere.
pub const DEFAULT_TOML: &str = include_str!("../../configs/default.toml");

/// A whole configuration file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub run: RawRun,
    pub russia: RawRussia,
    pub ukraine: RawUkraine,
    pub crisis: RawCrisis,
    pub guarantor_defaults: RawGuarantorDefaults,
    pub responses: IndexMap<String, RawResponse>,
    pub regimes: IndexMap<String, RawRegime>,
    #[serde(default)]
    pub modifiers: RawModifiers,
    pub guarantors: Vec<RawGuarantor>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRun {
    pub seed: u64,
    pub runs: u64,
    pub periods: u64,
    #[serde(default)]
    pub threads: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRussia {
    pub milex_usd_bn: f64,
    pub strength: f64,
    pub lambda: f64,
    pub offensive_gain: f64,
    pub probe_gain: f64,
    pub combat_cost: f64,
    pub probe_cost: f64,
    pub war_cost: f64,
    pub sanctions_weight: f64,
    pub info_value: f64,
    pub probe_scale: f64,
    pub prior_strength: f64,
    pub forgetting: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUkraine {
    pub capability: f64,
    pub base_capability: f64,
    pub defence_multiplier: f64,
    pub reversion: f64,
    pub aid_effect: f64,
    pub mobilisation_gain: f64,
    pub mobilisation_cost: f64,
    pub mobilisation_value: f64,
    pub lambda: f64,
    pub probe_damage: f64,
    #[serde(default = "default_threat_persistence")]
    pub threat_persistence: f64,
}

fn default_threat_persistence() -> f64 {
    0.7
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCrisis {
    pub contest_exponent: f64,
    pub support_half_life_hours: f64,
    pub tripwire_scale: f64,
    pub aid_months: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGuarantorDefaults {
    pub lambda: f64,
    pub value_hard: f64,
    pub value_soft: f64,
    #[serde(default)]
    pub solidarity: f64,
    pub cost_weight: f64,
    pub escalation_aversion: f64,
    pub frontline_threat: f64,
    pub default_public_support: f64,
    pub resolve_volatility: f64,
    pub resolve_persistence: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResponse {
    pub effect: f64,
    pub delay_hours: f64,
    pub cost: f64,
    #[serde(default)]
    pub escalation: f64,
    #[serde(default)]
    pub sanctions: f64,
    #[serde(default)]
    pub honours: bool,
    #[serde(default)]
    pub persistent: f64,
    #[serde(default)]
    pub requires: Option<String>,
}

/// Who a regime binds: a keyword (`all`, `signatories`, `none`) or an explicit list of ids.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RawBound {
    Keyword(String),
    List(Vec<String>),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegime {
    #[serde(default)]
    pub description: String,
    pub bound: RawBound,
    pub audience_cost: f64,
    pub reputation: String,
    pub protocol: String,
    #[serde(default)]
    pub deadline_hours: Option<f64>,
    #[serde(default)]
    pub rounds: Option<u64>,
    #[serde(default)]
    pub decision_delay_hours: Option<f64>,
    pub responses: Vec<String>,
    #[serde(default)]
    pub reassurance_force: bool,
    #[serde(default)]
    pub air_support: bool,
    #[serde(default)]
    pub provocation: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModifiers {
    #[serde(default)]
    pub reassurance_troops: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGuarantor {
    pub id: String,
    pub name: String,
    pub milex_usd_bn: f64,
    pub gdp_usd_bn: f64,
    #[serde(default)]
    pub aid_military_eur_bn: f64,
    #[serde(default)]
    pub public_support: Option<f64>,
    #[serde(default)]
    pub bilateral: bool,
    #[serde(default)]
    pub frontline: bool,
    #[serde(default)]
    pub troops: bool,
    #[serde(default)]
    pub air_support: bool,
    #[serde(default)]
    pub resolve_volatility: Option<f64>,
    #[serde(default)]
    pub lambda: Option<f64>,
    /// Multiplier on the regime's audience cost for this state (default 1).
    #[serde(default)]
    pub audience_sensitivity: Option<f64>,
}

/// Read a TOML file into `T`; errors name the file. Returns the value and the file's text.
pub fn read_toml<T: serde::de::DeserializeOwned>(
    path: &std::path::Path,
) -> Result<(T, String), crate::Error> {
    let text = crate::input::read_config(path)?;
    let value = toml::from_str(&text).map_err(|e| crate::Error::Parse {
        file: path.display().to_string(),
        message: e.to_string(),
    })?;
    Ok((value, text))
}

impl RawConfig {
    /// Parse TOML text; `origin` names the file in error messages.
    pub fn parse(text: &str, origin: &str) -> Result<RawConfig, crate::Error> {
        // From the text, so that errors carry the line and the entry they are in.
        toml::from_str(text).map_err(|e| crate::Error::Parse {
            file: origin.to_string(),
            message: e.to_string(),
        })
    }

    /// Deserialize from an already-parsed TOML value (sweeps edit the value first).
    pub fn from_value(value: toml::Value, origin: &str) -> Result<RawConfig, crate::Error> {
        RawConfig::deserialize(value).map_err(|e| crate::Error::Parse {
            file: origin.to_string(),
            message: e.to_string(),
        })
    }

    /// The built-in default configuration.
    pub fn builtin() -> RawConfig {
        // The built-in text is tested to parse (tests/cli.rs and model tests), so this cannot fail.
        RawConfig::parse(DEFAULT_TOML, "<built-in default>")
            .unwrap_or_else(|e| unreachable!("built-in config is invalid: {e}"))
    }

    /// Canonical TOML of this configuration (what the manifest hashes); an error (not an empty
    /// text, whose hash would describe no config) if it cannot be written.
    pub fn to_toml(&self) -> Result<String, crate::Error> {
        toml::to_string(self).map_err(|e| crate::Error::Io {
            path: format!("config `{}`", self.name).into(),
            source: std::io::Error::other(e),
        })
    }
}

impl RawConfig {
    /// Whether the table at dotted path `parent` ("" for the top level; `regimes.NAME`,
    /// `responses.NAME` and `guarantors.ID` for an entry) has a field named `key`, from the
    /// fields its serde struct declares. Lets `--set` and studies set a field a file leaves at
    /// its default, and tell an unknown name from a known one given a wrong value.
    pub fn accepts(parent: &str, key: &str) -> bool {
        let path: Vec<&str> = parent.split('.').filter(|k| !k.is_empty()).collect();
        let fields = match path.as_slice() {
            [] => field_names::<RawConfig>(),
            ["run"] => field_names::<RawRun>(),
            ["russia"] => field_names::<RawRussia>(),
            ["ukraine"] => field_names::<RawUkraine>(),
            ["crisis"] => field_names::<RawCrisis>(),
            ["guarantor_defaults"] => field_names::<RawGuarantorDefaults>(),
            ["modifiers"] => field_names::<RawModifiers>(),
            ["responses", _] => field_names::<RawResponse>(),
            ["regimes", _] => field_names::<RawRegime>(),
            ["guarantors", _] => field_names::<RawGuarantor>(),
            _ => &[],
        };
        fields.contains(&key)
    }
}

/// The field names a struct's derived `Deserialize` accepts: a deserializer that only records
/// the `fields` serde passes to `deserialize_struct`.
fn field_names<T: serde::de::DeserializeOwned>() -> &'static [&'static str] {
    match T::deserialize(FieldNames) {
        Err(FieldList(f)) => f,
        Ok(_) => &[],
    }
}

/// The "error" that carries a struct's field names out of [`FieldNames`].
#[derive(Debug)]
struct FieldList(&'static [&'static str]);

impl std::fmt::Display for FieldList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "fields {:?}", self.0)
    }
}

impl std::error::Error for FieldList {}

impl serde::de::Error for FieldList {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        FieldList(&[])
    }
}

/// A deserializer that yields nothing but a struct's field names (see [`field_names`]).
struct FieldNames;

impl<'de> serde::Deserializer<'de> for FieldNames {
    type Error = FieldList;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, FieldList> {
        Err(FieldList(&[]))
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, FieldList> {
        Err(FieldList(fields))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}
