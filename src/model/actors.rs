//! The actors' validated parameters: Russia (the challenger), Ukraine (the protégé) and the
//! guarantors (the United States and the European states, one agent each).
//!
//! These are constants of a run. What changes during a run (beliefs, capability, resolve) lives
//! in [`crate::sim::state::RunState`].

/// Russia's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Russia {
    /// Military spending, US$ bn: strengths are in multiples of it.
    pub milex_usd_bn: f64,
    /// Military strength S in the contest (1.0 = its 2024 spending).
    pub strength: f64,
    /// Logit precision of its monthly choice among hold, probe and offensive.
    pub lambda: f64,
    pub offensive_gain: f64,
    pub probe_gain: f64,
    pub combat_cost: f64,
    pub probe_cost: f64,
    pub war_cost: f64,
    pub sanctions_weight: f64,
    pub info_value: f64,
    /// A probe's intensity relative to a major offensive.
    pub probe_scale: f64,
    /// Pseudo-observations in each Beta prior about a guarantor's resolve.
    pub prior_strength: f64,
    /// Monthly forgetting of evidence toward the prior, in [0, 1].
    pub forgetting: f64,
}

/// Ukraine's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Ukraine {
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
    /// Monthly persistence of Ukraine's threat memory (each probe adds 1).
    pub threat_persistence: f64,
}

/// One guarantor (the US or a European state), with defaults already applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Guarantor {
    pub id: String,
    pub name: String,
    /// Strength relative to Russia's (milex / Russia's milex).
    pub capability: f64,
    pub milex_usd_bn: f64,
    pub gdp_usd_bn: f64,
    /// Share of all guarantors' GDP: the weight of its sanctions.
    pub economic_weight: f64,
    /// Military aid per month in peacetime, EUR bn (Kiel allocations / months covered).
    pub aid_per_month: f64,
    /// Baseline probability of being resolute ("Hard") in a crisis.
    pub resolve: f64,
    pub bilateral: bool,
    pub frontline: bool,
    pub troops: bool,
    pub air_support: bool,
    /// Threat perception multiplier on the value of Ukraine's security.
    pub threat: f64,
    pub resolve_volatility: f64,
    pub resolve_persistence: f64,
    pub lambda: f64,
    pub value_hard: f64,
    pub value_soft: f64,
    /// Value a resolute government puts on standing by Ukraine (giving military support),
    /// whatever its effect on the battlefield (times its threat perception).
    pub solidarity: f64,
    pub cost_weight: f64,
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
