//! The configuration as written: serde structs that mirror the TOML file one to one.
//!
//! Nothing here is checked beyond what serde checks (types, unknown fields). The validated,
//! runnable form is [`crate::model::validate::Model`], built by
//! [`crate::model::validate::Model::from_raw`]; the ranges quoted on each field below are the
//! ones that function enforces (an out-of-range value is an error naming the file and the
//! field's dotted path). Keeping the two apart (as ripgrep does with its low-level and
//! high-level arguments) lets studies and `--set` edit the raw TOML by dotted path and then
//! validate the result like any hand-written file.
//!
//! Defaults quoted below are those of `configs/default.toml` ([`DEFAULT_TOML`]); "serde default"
//! marks a key that may be omitted from a file. Meanings, units and sources are in
//! docs/MODEL.md §9 ("Parameters and defaults"); "S-units" are multiples of
//! `russia.milex_usd_bn`.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// The default configuration, built into the binary so `deterrence-sim run` works anywhere.
pub const DEFAULT_TOML: &str = include_str!("../../configs/default.toml");

/// A whole configuration file (docs/MODEL.md §9).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Label of the configuration; names the output directory and the manifest. Non-empty, with
    /// no comma, quote or line break (it is written into CSV files). Default `"default"`.
    pub name: String,
    /// Free text describing the configuration; not used by the model (serde default: empty).
    #[serde(default)]
    pub description: String,
    /// `[run]`: seed, runs, horizon and threads.
    pub run: RawRun,
    /// `[russia]`: the challenger's payoffs, strength and learning (docs/MODEL.md §7.7, §7.9).
    pub russia: RawRussia,
    /// `[ukraine]`: the defender's capability dynamics and mobilisation choice (§7.4).
    pub ukraine: RawUkraine,
    /// `[crisis]`: the contest, the timeliness clock, the tripwire and the aid divisor (§7.1,
    /// §7.2, §7.3, §7.8).
    pub crisis: RawCrisis,
    /// `[guarantor_defaults]`: utility and resolve parameters shared by every guarantor unless
    /// a `[[guarantors]]` entry overrides them (§7.3, §7.5).
    pub guarantor_defaults: RawGuarantorDefaults,
    /// `[responses.NAME]`: the response types a guarantor may choose, in file order (response
    /// `k` is option id `k + 1`; `nothing` is implicit and may not be defined). 1 to
    /// [`crate::model::validate::MAX_RESPONSES`] entries, names of 1-64 letters, digits, `_`
    /// or `-` (§9 "Responses").
    pub responses: IndexMap<String, RawResponse>,
    /// `[regimes.NAME]`: the security arrangements compared, in file order; at least one,
    /// names as for responses. A regime named `none` is the baseline of the paired differences
    /// (§8, §9 "Regimes").
    pub regimes: IndexMap<String, RawRegime>,
    /// `[modifiers]`: regime-independent add-ons (the reassurance force). Serde default: the
    /// table may be omitted.
    #[serde(default)]
    pub modifiers: RawModifiers,
    /// `[design]`: the factors crossed with the regimes (the reassurance force). Serde default:
    /// the table may be omitted; then `run` runs both arms and a study the arm with the force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design: Option<RawDesign>,
    /// `[[guarantors]]`: the guarantor states, 1 to
    /// [`crate::model::validate::MAX_GUARANTORS`] entries with distinct ids (§6, §9
    /// "Guarantors").
    pub guarantors: Vec<RawGuarantor>,
}

/// The `[run]` table: size and seed of a run (docs/MODEL.md §9).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRun {
    /// Base seed of every random stream; any u64 (default 20250818). Results are reproducible
    /// from it (§4 "Stochasticity").
    pub seed: u64,
    /// Monte Carlo replicates per regime, 1 to [`crate::model::validate::MAX_RUNS`] (default
    /// 10000).
    pub runs: u64,
    /// Horizon in months, 1 to [`crate::model::validate::MAX_PERIODS`] (default 36); a run also
    /// ends at the first major offensive.
    pub periods: u64,
    /// Worker threads, 0 (all cores) to 4096; serde default 0. Results do not depend on it.
    #[serde(default)]
    pub threads: u64,
}

/// The `[russia]` table: the challenger (docs/MODEL.md §7.7, §7.9, §9). Utilities are in utils;
/// "≥ 0" fields are checked to [0, 1e9].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRussia {
    /// Russia's military spending in US$ bn, the unit of strength for everyone: each
    /// guarantor's κ_i = milex_i / this (§6). In [1e-9, 1e9]; default 148.967 (SIPRI 2024). It
    /// does not rescale `ukraine.capability` or `ukraine.base_capability`.
    pub milex_usd_bn: f64,
    /// Russia's strength S in the contest, in S-units (a probe uses `probe_scale`·S; §7.1). In
    /// [1e-9, 1e9]; default 1.0.
    pub strength: f64,
    /// Logit precision λ_R of Russia's monthly choice (hold, probe, offensive), in 1/util
    /// (§7.7). In [0, 1e6]; default 2.5.
    pub lambda: f64,
    /// Value of a successful offensive, utils (§7.7). ≥ 0; default 2.0.
    pub offensive_gain: f64,
    /// Value of a successful probe, utils (§7.7). ≥ 0; default 0.6.
    pub probe_gain: f64,
    /// Losses of an offensive, utils (§7.7). ≥ 0; default 2.3.
    pub combat_cost: f64,
    /// Losses of a probe, utils (§7.7). ≥ 0; default 0.7.
    pub probe_cost: f64,
    /// Cost of war with the guarantors, utils, times the expected P(war) E_k (§7.7). ≥ 0;
    /// default 2.0.
    pub war_cost: f64,
    /// Cost of full sanctions by all guarantors (GDP-weighted), utils (§7.7). ≥ 0; default 0.6.
    pub sanctions_weight: f64,
    /// Weight of the belief uncertainty I in U_probe, utils (a heuristic information bonus,
    /// §7.7). ≥ 0; default 1.0.
    pub info_value: f64,
    /// Intensity of a probe relative to an offensive (scales S in the contest and the
    /// sanctions; §7.1, §7.7). In [1e-6, 1]; default 0.35.
    pub probe_scale: f64,
    /// N₀, the pseudo-observations of each Beta prior about a guarantor's resolve (§5, §7.9).
    /// In [1e-3, 1e6]; default 4.0.
    pub prior_strength: f64,
    /// f, the share of evidence forgotten each month (§7.9). In [0, 1]; default 0.03.
    pub forgetting: f64,
}

/// The `[ukraine]` table: the defender's capability and mobilisation (docs/MODEL.md §7.4, §9).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUkraine {
    /// K₀, Ukraine's initial capability in S-units (§5, §6). In [1e-9, 1e9]; default 0.434
    /// (SIPRI 2024: 64.705 / 148.967), given as a number, not recomputed from spending.
    pub capability: f64,
    /// The level K reverts to, S-units (§7.4). In [1e-9, 1e9]; default 0.30.
    pub base_capability: f64,
    /// d, the defender's advantage: Ukraine's side of the contest is d·K + X (§7.1). In
    /// [1e-9, 1e9]; default 1.5.
    pub defence_multiplier: f64,
    /// Monthly pull of K toward `base_capability`, share per month (§7.4). In [0, 1]; default
    /// 0.05.
    pub reversion: f64,
    /// Capability gained per EUR bn of monthly peacetime aid, S-units per EUR bn (§7.3, §7.4).
    /// ≥ 0 (to 1e9); default 0.004.
    pub aid_effect: f64,
    /// Capability gained in a month Ukraine mobilises, S-units (§7.4). ≥ 0; default 0.004.
    pub mobilisation_gain: f64,
    /// Cost of mobilising, utils (§7.4). ≥ 0; default 0.5.
    pub mobilisation_cost: f64,
    /// Weight of danger plus threat memory in the mobilisation utility, utils (§7.4). ≥ 0;
    /// default 1.0.
    pub mobilisation_value: f64,
    /// Logit precision λ_U of the mobilisation choice, 1/util (§7.4). In [0, 1e6]; default 4.0.
    pub lambda: f64,
    /// Share of K lost when a probe is not held (§7.4, §7.8 step 6). In [0, 1]; default 0.02.
    pub probe_damage: f64,
    /// Monthly persistence of Ukraine's threat memory M (each probe adds 1; M decays by this
    /// factor at the end of every month; §7.4). In [0, 1]; serde default 0.7.
    #[serde(default = "default_threat_persistence")]
    pub threat_persistence: f64,
}

/// Serde default of `ukraine.threat_persistence` (docs/MODEL.md §9).
fn default_threat_persistence() -> f64 {
    0.7
}

/// The `[crisis]` table: contest, clock, tripwire and aid divisor (docs/MODEL.md §7.1-§7.3,
/// §7.8, §9).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCrisis {
    /// m in the Tullock contest C(Y, A) = Y^m / (Y^m + A^m) (§7.1). In [0.1, 1000] (large values
    /// make a threshold, as the check games do); default 2.0.
    pub contest_exponent: f64,
    /// h½ of the timeliness weight τ(h) = exp(−ln 2 · h / h½), in hours (§7.2). In
    /// [1e-9, 1e9]; default 168.
    pub support_half_life_hours: f64,
    /// Troops at which the tripwire's probability p_trip = 1 − exp(−troops / scale) reaches
    /// 1 − 1/e (§7.8 step 2). In [1e-9, 1e9]; default 40000.
    pub tripwire_scale: f64,
    /// Months over which each guarantor's cumulative `aid_military_eur_bn` is spread to give
    /// its monthly peacetime aid (§7.3). In [1e-9, 1e9]; default 49 (Kiel Release 28).
    pub aid_months: f64,
    /// η, how far a coalition shares the escalation risk of responding: a guarantor giving an
    /// escalating response among N responders bears its escalation probability × N^(−η)
    /// (retaliation against a lone responder is likelier; Snyder 1984, Christensen & Snyder
    /// 1990). In [0, 4]; serde default 0 (off); default config 0.5 (illustrative) (§7.5).
    #[serde(default)]
    pub escalation_sharing: f64,
    /// β, how far blame for backing down is shared: a bound guarantor that does not honour pays
    /// its audience cost × (1 − β·D/(n − 1)), D = the others also backing down (blame avoidance
    /// in company; Weaver 1986). In [0, 1]; serde default 0 (off); default config 0.5
    /// (illustrative) (§7.5).
    #[serde(default)]
    pub blame_sharing: f64,
    /// Stopping tolerance of the separate consultations' quantal response equilibrium: the
    /// largest change of a choice probability in an iteration (§7.10). In [1e-15, 0.1]; serde
    /// default 1e-4 (the strategies returned are then within about 1.4e-5 of the fixed point;
    /// Monte Carlo error of a share at 10^4 runs is about 5e-3).
    #[serde(default)]
    pub qre_tolerance: Option<f64>,
    /// Most iterations of that fixed point (§7.10); a crisis that reaches it counts in
    /// `qre_capped`. 1 to 100000; serde default 200.
    #[serde(default)]
    pub qre_max_iterations: Option<u64>,
}

/// The `[guarantor_defaults]` table: parameters every guarantor shares unless its
/// `[[guarantors]]` entry overrides them (docs/MODEL.md §7.3, §7.5, §9). "≥ 0" fields are
/// checked to [0, 1e9].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGuarantorDefaults {
    /// Logit precision λ_g of a guarantor's response choice, 1/util (§7.5); overridable by
    /// `guarantors.ID.lambda`. In [0, 1e6]; default 5.0.
    pub lambda: f64,
    /// v_H, the value a Hard (resolute) guarantor puts on Ukraine holding, utils, × θ_i ×
    /// scale (§7.5). ≥ 0; default 6.0.
    pub value_hard: f64,
    /// v_S, the same for a Soft guarantor, utils (§7.5). ≥ 0; default 0.5.
    pub value_soft: f64,
    /// Value a Hard government adds to every honouring response, utils × θ_i, bound or not,
    /// in probes and offensives alike (§7.5). ≥ 0; serde default 0 (no term); default config
    /// 0.3.
    #[serde(default)]
    pub solidarity: f64,
    /// Weight of a response's cost (a share of the giver's milex) in its utility, utils per
    /// share of milex (§7.5). ≥ 0; default 15.0.
    pub cost_weight: f64,
    /// Weight of a response's escalation probability in its utility, utils (§7.5). ≥ 0;
    /// default 2.0.
    pub escalation_aversion: f64,
    /// θ for guarantors with `frontline = true` (multiplies v_H, v_S and the solidarity value;
    /// others have θ = 1; §7.5). ≥ 0; default 1.5.
    pub frontline_threat: f64,
    /// ρ, the initial probability of being Hard for a guarantor with no `public_support` (§5).
    /// In [0, 1], then clamped to [0.001, 0.999]; default 0.5.
    pub default_public_support: f64,
    /// σ, the monthly standard deviation of resolve drift on the logit scale (§7.3);
    /// overridable by `guarantors.ID.resolve_volatility`. In [0, 10]; default 0.15.
    pub resolve_volatility: f64,
    /// φ, the monthly persistence of resolve's deviation from its start (§7.3). In [0, 1];
    /// default 0.95.
    pub resolve_persistence: f64,
}

/// One `[responses.NAME]` entry: a response type on a regime's menu (docs/MODEL.md §7.2, §7.5,
/// §9 "Responses"). Omitted optional fields default to 0, false or no requirement.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResponse {
    /// Support delivered, as a share of the giver's strength κ_i (x = effect·κ_i·τ; §7.2). In
    /// [0, 10].
    pub effect: f64,
    /// Hours from the decision to the support's arrival (§7.2). In [0, 1e5].
    pub delay_hours: f64,
    /// Cost as a share of the giver's milex (booked as cost·milex US$ bn; §7.5). In [0, 10].
    pub cost: f64,
    /// Probability the response escalates to war with Russia (§7.5, §7.7). In [0, 1]; serde
    /// default 0.
    #[serde(default)]
    pub escalation: f64,
    /// Sanctions intensity (1 = full sanctions by this giver; §7.6, §7.7). In [0, 10]; serde
    /// default 0.
    #[serde(default)]
    pub sanctions: f64,
    /// Removed: what keeps a commitment is now per regime (`regimes.NAME.honouring`, §8).
    /// Accepted by the parser only so that a config that still sets it is refused with a
    /// message naming the replacement (exit code 2); never written back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honours: Option<toml::Value>,
    /// Share of the delivered support that stays in Ukraine's capability after the crisis
    /// (§7.4). In [0, 1]; serde default 0.
    #[serde(default)]
    pub persistent: f64,
    /// What a guarantor needs to choose it: `"troops"` (its `troops` flag; also the response
    /// the tripwire forces, §7.8 step 2), `"air_support"` (its flag and the regime's), or
    /// none (omitted or `""`; serde default).
    #[serde(default)]
    pub requires: Option<String>,
}

/// Who a regime binds: a keyword (`all`, `signatories`, `none`) or an explicit list of ids.
/// `signatories` are the guarantors with `bilateral = true` (docs/MODEL.md §8 "Bound set").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RawBound {
    /// `"all"`, `"signatories"` or `"none"`; any other string is an error.
    Keyword(String),
    /// Guarantor ids, each of which must name a `[[guarantors]]` entry.
    List(Vec<String>),
}

/// A meeting's speaking order: a keyword (`"capability"`) or guarantor ids.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RawOrder {
    /// `"capability"`; any other string is an error.
    Keyword(String),
    /// Guarantor ids, each naming a `[[guarantors]]` entry, no repeats.
    List(Vec<String>),
}

/// One `[regimes.NAME]` entry: a security arrangement (docs/MODEL.md §8, §9 "Regimes").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegime {
    /// Free text; not used by the model (serde default: empty).
    #[serde(default)]
    pub description: String,
    /// Which guarantors the regime binds (pay its audience cost; §7.5, §8).
    pub bound: RawBound,
    /// The audience cost a bound guarantor pays for not honouring, utils, × its
    /// `audience_sensitivity` (§7.5, §8). In [0, 1e6]; default config 1.5 / 0.6 / 0.25 / 0.
    pub audience_cost: f64,
    /// Russia's belief slots: `"alliance"` (all bound members share one slot) or `"state"`
    /// (one per guarantor) (§7.9).
    pub reputation: String,
    /// Decision protocol: `"meeting"` (needs `deadline_hours`; optional `rounds`,
    /// `speaking_order`) or `"separate"` (needs `consult_hours`); a setting of the other
    /// protocol is an error (§7.8 steps 3-4, §7.10). The old names `"joint"` and
    /// `"independent"` are refused with the replacement named.
    pub protocol: String,
    /// Meeting: the hour D by which the meeting decides and its commitments take effect (§7.10).
    /// In [0, 1e5]; required for `meeting`, refused for `separate`.
    #[serde(default)]
    pub deadline_hours: Option<f64>,
    /// Meeting: calls in all, the tour de table and `rounds - 1` last calls (§7.10). 1 to
    /// [`crate::model::validate::MAX_ROUNDS`]; default 3; refused for `separate`.
    #[serde(default)]
    pub rounds: Option<u64>,
    /// Meeting: who speaks first. `"capability"` (default: largest strength κ first, ties by
    /// config order) or a list of guarantor ids (no repeats), the unlisted following by
    /// capability (§7.10). Refused for `separate`.
    #[serde(default)]
    pub speaking_order: Option<RawOrder>,
    /// Meeting: the decision rule, `"willing"` (default), `"consensus"` or `"qmv"` (§7.10
    /// "Decision rules"). Refused for `separate`.
    #[serde(default)]
    pub rule: Option<String>,
    /// Consensus and qmv: the joint package, response names in priority order; each bound member
    /// gives the first on its menu. Required for those rules, refused otherwise.
    #[serde(default)]
    pub package: Option<Vec<String>>,
    /// Consensus: the veto players, `"bound"` (default: every bound member) or a list of bound
    /// ids (an empty list: nobody can veto, so every package is adopted).
    #[serde(default)]
    pub veto: Option<RawOrder>,
    /// Qmv: the share of the voters' weight a package needs, in (0, 1]; default 0.55.
    #[serde(default)]
    pub qmv_threshold: Option<f64>,
    /// Qmv: `"states"` (default, one vote each) or `"capability"` (votes weighted by κ).
    #[serde(default)]
    pub qmv_weight: Option<String>,
    /// Separate consultations: the hour at which every non-forced guarantor decides (§7.10).
    /// In [0, 1e5]; required for `separate`, refused for `meeting`.
    #[serde(default)]
    pub consult_hours: Option<f64>,
    /// Removed (the exponential decision clock of the old `independent` protocol); a config
    /// that sets it is refused with the replacement, `consult_hours`, named.
    #[serde(default)]
    pub decision_delay_hours: Option<f64>,
    /// The voluntary menu: names of `[responses.*]`, at least one, no repeats ("nothing" is
    /// always available; §7.5).
    pub responses: Vec<String>,
    /// The responses that keep this regime's commitment (§8 "Honouring"): names of
    /// `[responses.*]` on its `responses` menu, or the troops response (the first with
    /// `requires = "troops"`, also accepted as `"troops"`) when some guarantor has
    /// `troops = true`. A bound guarantor answering otherwise pays the audience cost, the
    /// call counts as not honoured, and Russia observes 0 (§7.5, §7.9). Required; no repeats.
    #[serde(default)]
    pub honouring: Option<Vec<String>>,
    /// Whether air support is on the table for guarantors with the `air_support` flag (§7.5).
    /// Serde default false.
    #[serde(default)]
    pub air_support: bool,
    /// ψ, the value Russia adds to a major offensive against this arrangement, utils (§7.7,
    /// §8 "Provocation"). In [0, 1e6]; serde default 0.
    #[serde(default)]
    pub provocation: f64,
}

/// The `[modifiers]` table (docs/MODEL.md §9); the whole table may be omitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModifiers {
    /// Troops of the reassurance force; sets only the tripwire's p_trip, not the support (§7.8
    /// step 2). In [0, 1e7]; serde default 0; default config 10000.
    #[serde(default)]
    pub reassurance_troops: f64,
}

/// The `[design]` table: which arms of the reassurance-force factor are run, crossed with every
/// regime (docs/MODEL.md §8 "The reassurance force as a factor"); the whole table may be
/// omitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDesign {
    /// `"both"`, `"with"` or `"without"`: run every regime without the force, with it, or both
    /// (paired on the same streams). Serde default: omitted, which `run` reads as `"both"` and a
    /// sweep or sensitivity study as `"with"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reassurance_force: Option<ForceDesign>,
}

/// The arms of the reassurance-force factor (`[design] reassurance_force`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ForceDesign {
    /// Both arms, without before with, on the same streams (the default of `run`).
    Both,
    /// Only the arm with the force (the default of sweeps and sensitivity studies).
    With,
    /// Only the arm without it.
    Without,
}

impl ForceDesign {
    /// The arms, in run order: `false` = without the force, `true` = with it.
    pub fn arms(self) -> &'static [bool] {
        match self {
            ForceDesign::Both => &[false, true],
            ForceDesign::With => &[true],
            ForceDesign::Without => &[false],
        }
    }

    /// The name written in config files and the manifest (`both`, `with`, `without`).
    pub fn name(self) -> &'static str {
        match self {
            ForceDesign::Both => "both",
            ForceDesign::With => "with",
            ForceDesign::Without => "without",
        }
    }
}

/// The name of one arm of the force factor in tables: `with` or `without`.
pub fn arm_name(force: bool) -> &'static str {
    if force {
        "with"
    } else {
        "without"
    }
}

/// Keys a config may no longer set, with their replacement: a file that still sets one is
/// refused with a message naming the replacement rather than "unknown field".
fn removed_keys(value: &toml::Value, origin: &str) -> Result<(), crate::Error> {
    if let Some(regimes) = value.get("regimes").and_then(|r| r.as_table()) {
        for (name, r) in regimes {
            if r.get("reassurance_force").is_some() {
                return Err(crate::Error::invalid(
                    origin,
                    format!("regimes.{name}.reassurance_force"),
                    "was removed: the reassurance force is now a factor crossed with every regime; \
                     delete this key and set `[design] reassurance_force = \"both\" | \"with\" | \"without\"` \
                     (default \"both\" for `run`, \"with\" for sweeps)",
                ));
            }
        }
    }
    Ok(())
}

/// Check `text` (a config file's content) for removed keys; a text that is not TOML passes (its
/// parse error is reported by the caller).
pub fn check_removed_keys(text: &str, origin: &str) -> Result<(), crate::Error> {
    match toml::from_str::<toml::Value>(text) {
        Ok(v) => removed_keys(&v, origin),
        Err(_) => Ok(()),
    }
}

/// One `[[guarantors]]` entry: a guarantor state (docs/MODEL.md §6, §9 "Guarantors").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGuarantor {
    /// Identifier (e.g. `USA`), 1-64 letters, digits, `_` or `-`, distinct across entries; the
    /// dotted path `guarantors.ID.field` addresses the entry.
    pub id: String,
    /// Display name; non-empty, with no comma, quote or line break.
    pub name: String,
    /// Military spending, US$ bn (SIPRI 2024); κ_i = this / `russia.milex_usd_bn` (§6). In
    /// [1e-9, 1e9].
    pub milex_usd_bn: f64,
    /// GDP, US$ bn (World Bank 2024); its share of the guarantors' total weights sanctions
    /// (§7.7). In [1e-9, 1e9].
    pub gdp_usd_bn: f64,
    /// Cumulative military aid to Ukraine, EUR bn (Kiel Release 28), spread over
    /// `crisis.aid_months` as monthly peacetime aid (§7.3). ≥ 0 (to 1e9); serde default 0.
    #[serde(default)]
    pub aid_military_eur_bn: f64,
    /// ρ_i, the initial probability of being Hard (Pew 2015 share saying "should"; §5). In
    /// [0.001, 0.999]; omitted: `guarantor_defaults.default_public_support`.
    #[serde(default)]
    pub public_support: Option<f64>,
    /// Whether it signed a 2024 bilateral agreement (bound by `bound = "signatories"`; §8).
    /// Serde default false.
    #[serde(default)]
    pub bilateral: bool,
    /// Whether it borders Russia or Belarus (threat θ = `frontline_threat`; §7.5). Serde
    /// default false.
    #[serde(default)]
    pub frontline: bool,
    /// Whether it may send troops (a response with `requires = "troops"`) and is forced into
    /// it when the tripwire fires (§7.5, §7.8 step 2). Serde default false.
    #[serde(default)]
    pub troops: bool,
    /// Whether it may give air support (a response with `requires = "air_support"`, where the
    /// regime allows it; §7.5). Serde default false.
    #[serde(default)]
    pub air_support: bool,
    /// Its own σ of resolve drift (§7.3). In [0, 10]; omitted:
    /// `guarantor_defaults.resolve_volatility` (default config: 0.35 for the US only).
    #[serde(default)]
    pub resolve_volatility: Option<f64>,
    /// Its own logit precision λ_g (§7.5). In [0, 1e6]; omitted: `guarantor_defaults.lambda`.
    #[serde(default)]
    pub lambda: Option<f64>,
    /// η_i, a multiplier on the regime's audience cost for this state (§7.5, §8 "Audience
    /// sensitivity"). In [0, 1e6]; omitted: 1 (written out as 1.0 for the US in the default
    /// config, so studies can reach it).
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
        toml::from_str(text).map_err(|e| {
            check_removed_keys(text, origin)
                .err()
                .unwrap_or(crate::Error::Parse {
                    file: origin.to_string(),
                    message: e.to_string(),
                })
        })
    }

    /// Deserialize from an already-parsed TOML value (sweeps edit the value first).
    pub fn from_value(value: toml::Value, origin: &str) -> Result<RawConfig, crate::Error> {
        removed_keys(&value, origin)?;
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
            ["design"] => field_names::<RawDesign>(),
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
