//! A regime prepared for running: everything about (model, regime) that does not change during a
//! run (menus, belief slots, the tripwire, Russia's reference expectations), computed once and
//! shared by all runs of a batch (docs/MODEL.md §5, last item). The guarantors' utilities
//! (`Prepared::utilities`, §7.5) and the reference crisis behind Russia's expectations (§7.6)
//! are in [`crate::sim::guarantor`].

// Per-option quantities live in parallel fixed-size arrays indexed by menu position.
#![allow(clippy::needless_range_loop)]

use crate::model::regimes::{Protocol, Regime, Reputation, Requirement};
use crate::model::validate::Model;
use crate::sim::guarantor::{Game, Menu, OFFENSIVE_KIND, PROBE_KIND};
use crate::sim::meeting::{self, Tables};
use crate::sim::qre::{self, Setting};

pub(crate) use crate::sim::guarantor::MAXOPT;
pub use crate::sim::guarantor::{OptionId, NOTHING};

/// What Russia expects of one guarantor of one type in a reference crisis (docs/MODEL.md §7.6):
/// the means over its menu of its play in the regime's reference equilibrium: K = K₀, no
/// tripwire, the others in the game at their baseline resolve (§7.10): the QRE of separate
/// consultations, or the tour de table averaged over the records it may face.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Expectation {
    /// P(an honouring response), in [0, 1] (the Hard/Soft honouring rates quoted in §7.6 and
    /// §8). Russia's utilities do not use it; the engine check of §11 check 1 reads it.
    pub honour: f64,
    /// Expected time-weighted support s_i^T = Σ_r π_r x_ir, in S-units (multiples of
    /// `russia.milex_usd_bn`); enters X_k of §7.7.
    pub support: f64,
    /// E[x_i²], S-units squared: with `support`, the variance of its support (§7.7).
    pub support_sq: f64,
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
    /// 1 − exp(−reassurance_troops / tripwire_scale) if the regime has a reassurance force, the
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
    /// Whether each option id keeps the regime's commitment (by [`OptionId::index`]; nothing
    /// never does).
    pub honours: [bool; MAXOPT],
    /// The crisis game: every guarantor's menu constants at the decision hour (§7.5, §7.10).
    pub game: Game,
    /// Whether a fired tripwire forces each guarantor (its `troops` flag, when the tripwire can
    /// fire at all).
    pub tripwire_forced: Vec<bool>,
    /// Every option's support is 0 or this common value (then the separate consultations'
    /// expectations are exact, §7.10).
    pub lattice: Option<f64>,
    /// Separate consultations: the reference QRE per kind (`[offensive, probe]`), `n × 2 ×
    /// MAXOPT` probabilities by menu position ([`qre::at`]); it warm-starts every crisis.
    pub qre_reference: [Vec<f64>; 2],
    /// A meeting: the tour de table's continuation tables.
    pub meeting: Option<Tables>,
}

impl<'m> Prepared<'m> {
    /// Prepare regime `regime_index` of `model` (an index into [`Model::regimes`]): menus,
    /// belief slots, the tripwire and Russia's reference expectations (§5, §7.6).
    pub fn new(model: &'m Model, regime_index: usize) -> Prepared<'m> {
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
        let p_tripwire = if regime.reassurance_force && tripwire_option.is_some() && has_troops {
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
        let mut honours = [false; MAXOPT];
        for (r, resp) in model.responses().iter().enumerate() {
            honours[OptionId::respond(r).index()] = resp.honours;
        }
        let hour = regime.decision_hours();
        let ru = model.russia();
        let table: Vec<(f64, f64, f64, f64, f64)> = model
            .responses()
            .iter()
            .map(|r| (r.effect, r.delay_hours, r.cost, r.escalation, r.sanctions))
            .collect();
        let menus: Vec<Menu> = g
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let audience = if bound[i] {
                    regime.audience_cost * x.audience_sensitivity
                } else {
                    0.0
                };
                Menu::new(
                    x,
                    options[i].clone(),
                    &table,
                    &honours,
                    hour,
                    decay,
                    audience,
                    [1.0, ru.probe_scale],
                )
            })
            .collect();
        let crisis = model.crisis();
        let game = Game {
            menus,
            exponent: crisis.contest_exponent,
            attacker: [ru.strength, ru.strength * ru.probe_scale],
            eta: crisis.escalation_sharing,
            beta: crisis.blame_sharing,
        };
        let tripwire_forced: Vec<bool> = g.iter().map(|x| p_tripwire > 0.0 && x.troops).collect();
        let lattice = lattice_of(&game);
        let base = model.ukraine().defence_multiplier * model.ukraine().capability;
        let n = g.len();
        let nobody = vec![false; n];
        let rho: Vec<f64> = g.iter().map(|x| x.resolve).collect();
        let mut qre_reference = [vec![0.0; n * 2 * MAXOPT], vec![0.0; n * 2 * MAXOPT]];
        let mut plays: [Vec<[[f64; MAXOPT]; 2]>; 2] = [Vec::new(), Vec::new()];
        let mut tables = None;
        match &regime.protocol {
            Protocol::Separate { .. } => {
                for kind in [OFFENSIVE_KIND, PROBE_KIND] {
                    let setting = Setting {
                        kind,
                        seen: base,
                        forced_count: 0.0,
                        forced: &nobody,
                        p_hard: &rho,
                        lattice,
                        lambda_scale: 1.0,
                    };
                    let sigma = &mut qre_reference[kind];
                    qre::principal(
                        &game,
                        &setting,
                        20,
                        crisis.qre_tolerance,
                        crisis.qre_max_iterations,
                        sigma,
                    );
                    plays[kind] = (0..n)
                        .map(|i| {
                            let mut row = [[0.0; MAXOPT]; 2];
                            for (t, r) in row.iter_mut().enumerate() {
                                r.copy_from_slice(&sigma[qre::at(i, t)..qre::at(i, t) + MAXOPT]);
                            }
                            row
                        })
                        .collect();
                }
            }
            Protocol::Meeting { order, .. } => {
                let most: f64 = game
                    .menus
                    .iter()
                    .map(|m| m.x.iter().copied().fold(0.0, f64::max))
                    .sum();
                let top = 2.0 * base + tripwire_support + most;
                let t = Tables::new(&game, order, &tripwire_forced, top, lattice);
                plays[OFFENSIVE_KIND] = meeting::expected_play(&game, &t.offensive, base, 0);
                plays[PROBE_KIND] = meeting::expected_play(&game, &t.probe, base, 0);
                tables = Some(t);
            }
        }
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
            honours,
            game,
            tripwire_forced,
            lattice,
            qre_reference,
            meeting: tables,
        };
        for i in 0..n {
            p.expect_offensive
                .push([0, 1].map(|t| p.expectation(i, &plays[OFFENSIVE_KIND][i][t])));
            p.expect_probe
                .push([0, 1].map(|t| p.expectation(i, &plays[PROBE_KIND][i][t])));
        }
        p
    }

    /// Guarantor `i`'s expectation (§7.6) from its option probabilities `q` by menu position.
    fn expectation(&self, i: usize, q: &[f64; MAXOPT]) -> Expectation {
        let m = &self.game.menus[i];
        let mut e = Expectation::default();
        for k in 0..m.len() {
            if m.honours[k] {
                e.honour += q[k];
            }
            e.support += q[k] * m.x[k];
            e.support_sq += q[k] * m.x[k] * m.x[k];
            e.escalation += q[k] * m.escalation_p[k];
            e.sanctions += q[k] * m.sanctions[k];
        }
        e
    }

    /// τ(h) = exp(−ln 2 · h / h½) in (0, 1]: how much support arriving at hour `h` counts
    /// (docs/MODEL.md §7.2).
    #[inline]
    pub fn timeliness(&self, h: f64) -> f64 {
        (-self.decay * h).exp()
    }
}

/// The common value x̄ when every option's support is 0 or x̄ (to a relative 1e-12), else None.
fn lattice_of(g: &Game) -> Option<f64> {
    let mut common: Option<f64> = None;
    for m in &g.menus {
        for k in 0..m.len() {
            let x = m.x[k];
            if x <= 0.0 {
                continue;
            }
            match common {
                None => common = Some(x),
                Some(c) if (x - c).abs() <= 1e-12 * c => {}
                Some(_) => return None,
            }
        }
    }
    common
}
