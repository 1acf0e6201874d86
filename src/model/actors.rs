//! The actors' validated parameters: Russia (the challenger), Ukraine (the protégé) and the
//! guarantors (the United States and the European states, one agent each).
//!
//! These are constants of a run. What changes during a run (beliefs, capability, resolve) lives
//! in [`crate::sim::state::RunState`].

/// Russia's parameters (docs/MODEL.md §7.7; defaults and sources in §9).
#[derive(Debug, Clone, PartialEq)]
pub struct Russia {
    /// Military spending, US$ bn (SIPRI; §6): strengths are in multiples of it.
    pub milex_usd_bn: f64,
    /// Military strength S in the contest (1.0 = its 2024 spending).
    pub strength: f64,
    /// Logit precision λ_R of its monthly choice among hold, probe and offensive (§7.7).
    pub lambda: f64,
    /// Value of a successful major offensive (Ukraine does not hold), in utility units (§7.7).
    pub offensive_gain: f64,
    /// Value of a successful probe (§7.7).
    pub probe_gain: f64,
    /// Cost of launching a major offensive, whatever its outcome (§7.7).
    pub combat_cost: f64,
    /// Cost of launching a probe (§7.7).
    pub probe_cost: f64,
    /// Cost of a war with the guarantors, times its probability E (§7.7).
    pub war_cost: f64,
    /// Weight of the expected sanctions Σ in Russia's utilities (§7.7).
    pub sanctions_weight: f64,
    /// Heuristic value of what a probe reveals, times the spread of its beliefs I (§7.7).
    pub info_value: f64,
    /// A probe's intensity relative to a major offensive (§7.7, §7.8).
    pub probe_scale: f64,
    /// Pseudo-observations in each Beta prior about a guarantor's resolve (§7.9).
    pub prior_strength: f64,
    /// Monthly forgetting of evidence toward the prior, in [0, 1] (§7.9).
    pub forgetting: f64,
}

/// Ukraine's parameters (docs/MODEL.md §7.4; defaults in §9).
#[derive(Debug, Clone, PartialEq)]
pub struct Ukraine {
    /// Capability K at the start of a run, in units of Russia's strength (§7.4).
    pub capability: f64,
    /// The level K reverts to without aid or mobilisation (§7.4).
    pub base_capability: f64,
    /// Defender's advantage d: Ukraine's effective strength in the contest is d·K (§7.1).
    pub defence_multiplier: f64,
    /// Monthly share of the gap to `base_capability` that K closes (§7.4).
    pub reversion: f64,
    /// Capability gained per EUR bn of peacetime aid (§7.3, §7.4).
    pub aid_effect: f64,
    /// Capability gained in a month of mobilisation (§7.4).
    pub mobilisation_gain: f64,
    /// Cost of a month of mobilisation (§7.4).
    pub mobilisation_cost: f64,
    /// Value of mobilising per unit of danger plus threat memory (§7.4).
    pub mobilisation_value: f64,
    /// Logit precision of Ukraine's mobilisation choice (§7.4).
    pub lambda: f64,
    /// Share of K lost after a probe Ukraine does not hold (§7.4).
    pub probe_damage: f64,
    /// Monthly persistence of Ukraine's threat memory (each probe adds 1).
    pub threat_persistence: f64,
}

/// One guarantor (the US or a European state), with defaults already applied (docs/MODEL.md
/// §7.3, §7.5; data and sources in §6 and §9).
#[derive(Debug, Clone, PartialEq)]
pub struct Guarantor {
    /// Short id (ISO 3166 alpha-3, e.g. `USA`), used in dotted paths and column names.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Strength relative to Russia's (milex / Russia's milex).
    pub capability: f64,
    /// Military spending, US$ bn (SIPRI; §6): sets capability and the booked cost of a response.
    pub milex_usd_bn: f64,
    /// GDP, US$ bn (§6): sets the weight of its sanctions.
    pub gdp_usd_bn: f64,
    /// Share of all guarantors' GDP: the weight of its sanctions.
    pub economic_weight: f64,
    /// Military aid per month in peacetime, EUR bn (Kiel allocations / months covered).
    pub aid_per_month: f64,
    /// Baseline probability of being resolute ("Hard") in a crisis.
    pub resolve: f64,
    /// Signed a 2024 bilateral security agreement with Ukraine (bound under `bilateral`, §8).
    pub bilateral: bool,
    /// Borders Russia: its threat perception is `frontline_threat` instead of 1 (§7.5).
    pub frontline: bool,
    /// Would send troops: may take the `troops` response and is put at war by the tripwire (§7.8).
    pub troops: bool,
    /// Can give air support (the US), where the regime allows it (§7.5).
    pub air_support: bool,
    /// Threat perception multiplier on the value of Ukraine's security.
    pub threat: f64,
    /// Standard deviation σ of the monthly shock to resolve on the logit scale (§7.3).
    pub resolve_volatility: f64,
    /// Persistence φ of resolve's deviation from its baseline, per month (§7.3).
    pub resolve_persistence: f64,
    /// Logit precision of its crisis choice among its responses (§7.5).
    pub lambda: f64,
    /// Value v_H a resolute (Hard) government puts on Ukraine holding (§7.5).
    pub value_hard: f64,
    /// Value v_S a Soft government puts on Ukraine holding (§7.5).
    pub value_soft: f64,
    /// Value a resolute government puts on standing by Ukraine (giving military support),
    /// whatever its effect on the battlefield (times its threat perception).
    pub solidarity: f64,
    /// Weight of a response's cost in its utilities (§7.5).
    pub cost_weight: f64,
    /// Weight of a response's escalation risk in its utilities (§7.5).
    pub escalation_aversion: f64,
    /// Multiplier on a regime's audience cost: how much backing down costs this government.
    pub audience_sensitivity: f64,
}

impl Guarantor {
    /// The value this guarantor puts on Ukraine's security in a crisis of relative size `scale`.
    #[inline]
    pub fn value(&self, hard: bool, scale: f64) -> f64 {
        let v = if hard { self.value_hard } else { self.value_soft };
        v * self.threat * scale
    }
}
