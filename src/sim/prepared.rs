//! A regime prepared for running: everything about (model, regime) that does not change during a
//! run (menus, belief slots, the tripwire, Russia's reference expectations), computed once and
//! shared by all runs of a batch (docs/MODEL.md §5, last item). The guarantors' utilities
//! (`Prepared::utilities`, §7.5) and the reference crisis behind Russia's expectations (§7.6)
//! are in [`crate::sim::guarantor`].

use crate::model::regimes::{Regime, Reputation, Requirement};
use crate::model::validate::{Model, MAX_RESPONSES};

/// One option of a guarantor's menu in a crisis: do nothing, or one of the model's responses.
/// Its id indexes per-option tables (probabilities, response counts): id 0 is "nothing" and id
/// `k + 1` is response `k` of [`Model::responses`]. That offset lives here and nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OptionId(u8);

impl OptionId {
    /// Do nothing.
    pub const NOTHING: OptionId = OptionId(0);

    /// The option of response `r` (an index into [`Model::responses`], below `MAX_RESPONSES`).
    #[inline]
    pub fn respond(r: usize) -> OptionId {
        debug_assert!(r < MAX_RESPONSES);
        OptionId(r as u8 + 1)
    }

    /// The response this option takes, or `None` for nothing.
    #[inline]
    pub fn response(self) -> Option<usize> {
        (self.0 as usize).checked_sub(1)
    }

    /// The index of this option in per-option tables (`0..MAXOPT`).
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Option "nothing", as a constant for patterns and comparisons.
pub const NOTHING: OptionId = OptionId::NOTHING;
/// The number of option ids: nothing plus at most `MAX_RESPONSES` responses.
pub(crate) const MAXOPT: usize = MAX_RESPONSES + 1;

/// What Russia expects of one guarantor of one type in a reference crisis (docs/MODEL.md §7.6):
/// the logit-weighted means over its menu at K = K₀, no other support, no tripwire, deciding at
/// the regime's expected hour.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Expectation {
    /// P(an honouring response), in [0, 1] (the Hard/Soft honouring rates quoted in §7.6 and
    /// §8). Russia's utilities do not use it; the engine check of §11 check 1 reads it.
    pub honour: f64,
    /// Expected time-weighted support s_i^T = Σ_r π_r x_ir, in S-units (multiples of
    /// `russia.milex_usd_bn`); enters X_k of §7.7.
    pub support: f64,
    /// Expected escalation probability e_i^T = Σ_r π_r escalation_r, in [0, 1]; enters E_k of
    /// §7.7.
    pub escalation: f64,
    /// Expected sanctions weight σ_i^T = Σ_r π_r sanctions_r; enters Σ_k of §7.7, weighted by
    /// the guarantor's GDP share.
    pub sanctions: f64,
}

/// A regime prepared for running: everything about (model, regime) that does not change during
/// a run, computed once and shared by all runs.
#[derive(Debug, Clone)]
pub struct Prepared<'m> {
    /// The validated model the regime belongs to.
    pub model: &'m Model,
    /// The regime being run.
    pub regime: &'m Regime,
    /// Its index in [`Model::regimes`] (the config's order).
    pub regime_index: usize,
    /// Whether this arm deploys the reassurance force (the tripwire; `[design]
    /// reassurance_force`, docs/MODEL.md §8).
    pub force: bool,
    /// Whether each guarantor is bound (per guarantor, in config order; [`Regime::binds`]).
    pub bound: Vec<bool>,
    /// Each guarantor's menu: nothing first, then the responses the regime offers it that its
    /// flags allow (docs/MODEL.md §7.5 "Options"), in menu order.
    pub options: Vec<Vec<OptionId>>,
    /// The troops response the tripwire forces (the first response with `requires = "troops"`),
    /// if the model has one (§7.8 step 2).
    pub tripwire_option: Option<OptionId>,
    /// Belief slot of each guarantor: an index into [`crate::sim::state::RunState::beliefs`].
    /// Under `reputation = "alliance"` every bound guarantor is in slot 0; otherwise each has
    /// its own (§7.9 "Slots").
    pub slot: Vec<usize>,
    /// Weight of each guarantor's observation in its slot: 1 / (members of the slot), so an
    /// alliance crisis is one pseudo-observation in all (§7.9).
    pub slot_weight: Vec<f64>,
    /// Prior mean μ_s of each slot: the mean baseline resolve ρ_i of its members (§5).
    pub slot_prior: Vec<f64>,
    /// Russia's expectations of each guarantor in a reference offensive, `[Hard, Soft]` (§7.6).
    pub expect_offensive: Vec<[Expectation; 2]>,
    /// Russia's expectations of each guarantor in a reference probe (scale `probe_scale`),
    /// `[Hard, Soft]` (§7.6).
    pub expect_probe: Vec<[Expectation; 2]>,
    /// p_trip: P(the tripwire puts its contributors at war when Russia launches an offensive),
    /// 1 − exp(−reassurance_troops / tripwire_scale) if this arm deploys the force, the
    /// model a troops response and some guarantor `troops = true`; else 0 (§7.8 step 2).
    pub p_tripwire: f64,
    /// T_trip: support the tripwire contributors give at hour 0 when it fires, Σ over
    /// `troops` guarantors of effect_troops · κ_i, in S-units (0.098 by default; §7.7).
    pub tripwire_support: f64,
    /// w_i = κ_i / Σκ: weight of each guarantor's belief uncertainty in Russia's information
    /// value I (§7.7).
    pub info_weight: Vec<f64>,
    /// ln 2 / h½ per hour: support arriving at hour h counts exp(−decay · h) (§7.2).
    pub decay: f64,
    /// z_i,0 = ln(ρ_i / (1 − ρ_i)): each guarantor's baseline resolve on the logit scale, the
    /// level its resolve walk reverts to (§5, §7.3).
    pub resolve_logit0: Vec<f64>,
}

impl<'m> Prepared<'m> {
    /// Prepare regime `regime_index` of `model` (an index into [`Model::regimes`]), with the
    /// reassurance force deployed or not (`force`, one arm of `[design] reassurance_force`):
    /// menus, belief slots, the tripwire and Russia's reference expectations (§5, §7.6). The
    /// force only sets p_trip; the streams do not depend on it.
    pub fn new(model: &'m Model, regime_index: usize, force: bool) -> Prepared<'m> {
        let regime = &model.regimes()[regime_index];
        let g = &model.guarantors();
        let bound: Vec<bool> = g.iter().map(|x| regime.binds(&x.id, x.bilateral)).collect();
        let options: Vec<Vec<OptionId>> = g
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
                        o.push(OptionId::respond(r));
                    }
                }
                o
            })
            .collect();
        let tripwire_response = model
            .responses()
            .iter()
            .position(|r| r.requires == Requirement::Troops);
        let tripwire_option = tripwire_response.map(OptionId::respond);

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
        let p_tripwire = if force && tripwire_option.is_some() && has_troops {
            1.0 - (-model.reassurance_troops() / model.crisis().tripwire_scale).exp()
        } else {
            0.0
        };
        let tripwire_support = match tripwire_response {
            Some(r) => g
                .iter()
                .filter(|x| x.troops)
                .map(|x| model.responses()[r].effect * x.capability)
                .sum(),
            None => 0.0,
        };
        let total_cap: f64 = g.iter().map(|x| x.capability).sum();
        let mut p = Prepared {
            model,
            regime,
            regime_index,
            force,
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

    /// τ(h) = exp(−ln 2 · h / h½) in (0, 1]: how much support arriving at hour `h` counts
    /// (docs/MODEL.md §7.2).
    #[inline]
    pub fn timeliness(&self, h: f64) -> f64 {
        (-self.decay * h).exp()
    }
}
