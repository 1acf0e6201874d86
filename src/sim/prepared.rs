//! A regime prepared for running: everything about (model, regime) that does not change during a
//! run (menus, belief slots, the tripwire, Russia's reference expectations), computed once and
//! shared by all runs of a batch. The guarantors' utilities are in [`crate::sim::guarantor`].

use crate::model::regimes::{Regime, Reputation, Requirement};
use crate::model::validate::{Model, MAX_RESPONSES};

/// Option 0 of every choice set: do nothing.
pub const NOTHING: usize = 0;
pub(crate) const MAXOPT: usize = MAX_RESPONSES + 1;

/// What Russia expects of one guarantor of one type in a reference crisis.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Expectation {
    /// P(an honouring response).
    pub honour: f64,
    /// Expected time-weighted support (strength units).
    pub support: f64,
    /// Expected escalation probability.
    pub escalation: f64,
    /// Expected sanctions weight.
    pub sanctions: f64,
}

/// A regime prepared for running: everything about (model, regime) that does not change during
/// a run, computed once and shared by all runs.
#[derive(Debug, Clone)]
pub struct Prepared<'m> {
    pub model: &'m Model,
    pub regime: &'m Regime,
    pub regime_index: usize,
    /// Whether each guarantor is bound.
    pub bound: Vec<bool>,
    /// Each guarantor's option ids (0 = nothing, k = response k - 1).
    pub options: Vec<Vec<usize>>,
    /// The option id of the troops response the tripwire forces, if the menu has one.
    pub tripwire_option: Option<usize>,
    /// Belief slot of each guarantor, and the weight of its observation in that slot.
    pub slot: Vec<usize>,
    pub slot_weight: Vec<f64>,
    /// Prior mean of each slot.
    pub slot_prior: Vec<f64>,
    /// Russia's expectations for (offensive, probe) x (hard, soft), per guarantor.
    pub expect_offensive: Vec<[Expectation; 2]>,
    pub expect_probe: Vec<[Expectation; 2]>,
    /// P(the tripwire puts its contributors at war when Russia launches an offensive).
    pub p_tripwire: f64,
    /// Support the tripwire contributors give at once when it fires.
    pub tripwire_support: f64,
    /// Weight of each guarantor in Russia's value of information (capability share).
    pub info_weight: Vec<f64>,
    /// ln 2 / half-life: support arriving at hour h counts exp(-decay * h).
    pub decay: f64,
    /// Baseline resolve on the logit scale.
    pub resolve_logit0: Vec<f64>,
}

impl<'m> Prepared<'m> {
    /// Prepare regime `regime_index` of `model`.
    pub fn new(model: &'m Model, regime_index: usize) -> Prepared<'m> {
        let regime = &model.regimes()[regime_index];
        let g = &model.guarantors();
        let bound: Vec<bool> = g.iter().map(|x| regime.binds(&x.id, x.bilateral)).collect();
        let options: Vec<Vec<usize>> = g
            .iter()
            .map(|x| {
                let mut o = vec![NOTHING];
                for &r in &regime.responses {
                    let ok = match model.responses()[r].requires {
                        Requirement::Nothing => true,
                        Requirement::Troops => x.troops,
                        Requirement::AirSupport => x.air_support && regime.air_support,
                    };
                    if ok {
                        o.push(r + 1);
                    }
                }
                o
            })
            .collect();
        let tripwire_option = model
            .responses()
            .iter()
            .position(|r| r.requires == Requirement::Troops)
            .map(|r| r + 1);

        // Belief slots: alliance-wide reputation pools the bound members into slot 0.
        let mut slot = vec![0; g.len()];
        let mut members: Vec<Vec<usize>> = Vec::new();
        let alliance = regime.reputation == Reputation::Alliance && bound.iter().any(|&b| b);
        if alliance {
            members.push(Vec::new());
        }
        for i in 0..g.len() {
            if alliance && bound[i] {
                slot[i] = 0;
                members[0].push(i);
            } else {
                slot[i] = members.len();
                members.push(vec![i]);
            }
        }
        let slot_weight = (0..g.len())
            .map(|i| 1.0 / members[slot[i]].len() as f64)
            .collect();
        let slot_prior = members
            .iter()
            .map(|m| m.iter().map(|&i| g[i].resolve).sum::<f64>() / m.len() as f64)
            .collect();

        let decay = std::f64::consts::LN_2 / model.crisis().support_half_life_hours;
        // The tripwire needs troops on the ground: a troops response on the menu of responses
        // and at least one guarantor that would send them.
        let has_troops = g.iter().any(|x| x.troops);
        let p_tripwire = if regime.reassurance_force && tripwire_option.is_some() && has_troops {
            1.0 - (-model.reassurance_troops() / model.crisis().tripwire_scale).exp()
        } else {
            0.0
        };
        let tripwire_support = match tripwire_option {
            Some(o) => g
                .iter()
                .filter(|x| x.troops)
                .map(|x| model.responses()[o - 1].effect * x.capability)
                .sum(),
            None => 0.0,
        };
        let total_cap: f64 = g.iter().map(|x| x.capability).sum();
        let mut p = Prepared {
            model,
            regime,
            regime_index,
            bound,
            options,
            tripwire_option,
            slot,
            slot_weight,
            slot_prior,
            expect_offensive: Vec::new(),
            expect_probe: Vec::new(),
            p_tripwire,
            tripwire_support,
            info_weight: g.iter().map(|x| x.capability / total_cap).collect(),
            decay,
            resolve_logit0: g.iter().map(|x| (x.resolve / (1.0 - x.resolve)).ln()).collect(),
        };
        let t = regime.expected_decision_hours();
        let base = model.ukraine().defence_multiplier * model.ukraine().capability;
        for i in 0..g.len() {
            let mut off = [Expectation::default(); 2];
            let mut probe = [Expectation::default(); 2];
            for (k, hard) in [true, false].into_iter().enumerate() {
                off[k] = p.reference(i, hard, 1.0, base, t);
                probe[k] = p.reference(i, hard, model.russia().probe_scale, base, t);
            }
            p.expect_offensive.push(off);
            p.expect_probe.push(probe);
        }
        p
    }

    /// How much support arriving at hour `h` counts.
    #[inline]
    pub fn timeliness(&self, h: f64) -> f64 {
        (-self.decay * h).exp()
    }
}
