//! A regime prepared for running: everything about (model, regime) that does not change during a
//! run (menus, belief slots, the tripwire, Russia's reference expectations), computed once and
//! shared by all runs of a batch (docs/MODEL.md §5, last item). The guarantors' utilities
//! (`Prepared::utilities`, §7.5) and the reference crisis behind Russia's expectations (§7.6)
//! are in [`crate::sim::guarantor`].

// Per-option quantities live in parallel fixed-size arrays indexed by menu position.
#![allow(clippy::needless_range_loop)]

use crate::model::beliefs::Beta;
use crate::model::regimes::{Protocol, Regime, Reputation, Requirement, Rule};
use crate::model::validate::Model;
use crate::sim::guarantor::{Game, Menu, OFFENSIVE_KIND, PROBE_KIND};
use crate::sim::meeting::{self, Tables};
use crate::sim::qre::{self, Setting};
use crate::sim::vote::{Count, UNITS};
use crate::stats::maths;

/// A meeting's package vote, prepared (§7.10 "Decision rules").
#[derive(Debug, Clone, PartialEq)]
pub struct VoteSpec {
    /// The voters, guarantor indices (the veto players, or the bound members under qmv).
    pub voters: Vec<usize>,
    /// Their weights in units of 1/[`UNITS`] (qmv) or 1 (consensus).
    pub weights: Vec<usize>,
    /// How the votes are counted.
    pub count: Count,
    /// Per guarantor, the menu position of its package option if it is bound and one of the
    /// package's responses is on its menu (else it gives nothing under the package).
    pub package: Vec<Option<usize>>,
}

pub(crate) use crate::sim::guarantor::MAXOPT;
pub use crate::sim::guarantor::{OptionId, NOTHING};

/// Index of the fired-tripwire offensive in [`Prepared::qre_reference`] and
/// [`Prepared::reference_play`] (after the two kinds).
pub const TRIPWIRE_REFERENCE: usize = 2;

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
    /// `russia.milex_usd_bn`); the first moment m1 of x given the type in Russia's P(hold)
    /// (§7.7).
    pub support: f64,
    /// Its second moment Σ_r π_r x_ir², in S-units squared: m2 of x given the type, for the
    /// variance of the support Russia expects (§7.7).
    pub support_sq: f64,
    /// Σ_{r honouring} π_r τ(arrival_r): the timeliness mass of the honouring responses, in
    /// [0, `honour`]. `honour_timeliness / honour` is the mean timeliness of this type's
    /// honouring support, the prior of Russia's speed belief (§7.9).
    pub honour_timeliness: f64,
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
    /// Whether each option keeps the regime's commitment, by [`OptionId::index`]: true for the
    /// responses of [`Regime::honouring`], false for nothing and every other response
    /// (docs/MODEL.md §7.5, §7.9, §8 "Honouring").
    pub honours: [bool; MAXOPT],
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
    /// Prior mean τ̄_s of each slot's speed belief (Russia's Beta over the timeliness of
    /// honouring support): Σ_i Σ_T w_iT h_iT / Σ_i Σ_T w_iT π_iT over the slot's members, with
    /// h the reference offensive's [`Expectation::honour_timeliness`], π its
    /// [`Expectation::honour`] and w = ρ_i (Hard), 1 − ρ_i (Soft); clamped to [1e-6, 1 − 1e-6]
    /// (0.5 where no member can honour). Russia scales its expected support of a member by
    /// mean(speed) / τ̄_s (§7.7, §7.9).
    pub speed_prior: Vec<f64>,
    /// Russia's expectations of each guarantor in a reference offensive, `[Hard, Soft]` (§7.6).
    pub expect_offensive: Vec<[Expectation; 2]>,
    /// Russia's expectations of each guarantor in a reference offensive in which the tripwire
    /// fired: the forced members' entries are zero (their troops are `tripwire_support`), the
    /// others play the game that follows, knowing it (§7.7).
    pub expect_tripwire: Vec<[Expectation; 2]>,
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
    /// The crisis game: every guarantor's menu constants at the decision hour (§7.5, §7.10).
    pub game: Game,
    /// Whether a fired tripwire forces each guarantor (its `troops` flag, when the tripwire can
    /// fire at all).
    pub tripwire_forced: Vec<bool>,
    /// Every option's support is 0 or this common value (then the separate consultations'
    /// expectations are exact, §7.10).
    pub lattice: Option<f64>,
    /// Separate consultations: the reference QRE per case (`[offensive, probe, offensive with
    /// the tripwire fired]`), `n × 2 ×
    /// MAXOPT` probabilities by menu position ([`qre::at`]); it warm-starts every crisis.
    pub qre_reference: [Vec<f64>; 3],
    /// The reference play behind [`Prepared::expect_offensive`], `expect_probe` and
    /// `expect_tripwire`: per case (`[offensive, probe, offensive with the tripwire fired]`), guarantor and type (`[Hard, Soft]`), its option probabilities by
    /// menu position (§7.6).
    pub reference_play: [Vec<[[f64; MAXOPT]; 2]>; 3],
    /// A meeting under consensus or qmv: its package vote.
    pub vote: Option<VoteSpec>,
    /// A meeting: the tour de table's continuation tables.
    pub meeting: Option<Tables>,
    /// What Russia's utilities sum over the members while every belief is at its prior (the
    /// start of every run, until the first observation): computed once here from the same
    /// priors [`RunState::reset`](crate::sim::state::RunState::reset) starts from, so the
    /// same numbers as summing in the month (§7.7).
    pub russia_prior: BeliefSums,
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
        let mut honours = [false; MAXOPT];
        for &r in &regime.honouring {
            honours[OptionId::respond(r).index()] = true;
        }
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
        let slot_prior: Vec<f64> = members
            .iter()
            .map(|m| m.iter().map(|&i| g[i].resolve).sum::<f64>() / m.len() as f64)
            .collect();

        let decay = std::f64::consts::LN_2 / model.crisis().support_half_life_hours;
        // The tripwire needs troops on the ground: a troops response on the menu of responses
        // and at least one guarantor that would send them.
        let has_troops = g.iter().any(|x| x.troops);
        let p_tripwire = if force && tripwire_option.is_some() && has_troops {
            1.0 - maths::exp(-model.reassurance_troops() / model.crisis().tripwire_scale)
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
        let mut qre_reference = [
            vec![0.0; n * 2 * MAXOPT],
            vec![0.0; n * 2 * MAXOPT],
            vec![0.0; n * 2 * MAXOPT],
        ];
        let mut plays: [Vec<[[f64; MAXOPT]; 2]>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        let mut tables = None;
        let fired = tripwire_forced.iter().filter(|&&f| f).count();
        match &regime.protocol {
            Protocol::Separate { .. } => {
                for (r, kind) in [OFFENSIVE_KIND, PROBE_KIND, OFFENSIVE_KIND]
                    .into_iter()
                    .enumerate()
                {
                    let tripwire = r == TRIPWIRE_REFERENCE;
                    let setting = Setting {
                        kind,
                        seen: base + if tripwire { tripwire_support } else { 0.0 },
                        forced_count: if tripwire { fired as f64 } else { 0.0 },
                        forced: if tripwire { &tripwire_forced } else { &nobody },
                        p_hard: &rho,
                        lattice,
                        lambda_scale: 1.0,
                    };
                    let sigma = &mut qre_reference[r];
                    qre::principal(
                        &game,
                        &setting,
                        20,
                        crisis.qre_tolerance,
                        crisis.qre_max_iterations,
                        sigma,
                    );
                    plays[r] = (0..n)
                        .map(|i| {
                            let mut row = [[0.0; MAXOPT]; 2];
                            if !setting.forced[i] {
                                for (t, r) in row.iter_mut().enumerate() {
                                    r.copy_from_slice(&sigma[qre::at(i, t)..qre::at(i, t) + MAXOPT]);
                                }
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
                plays[TRIPWIRE_REFERENCE] =
                    meeting::expected_play(&game, &t.tripwire, base + tripwire_support, fired);
                tables = Some(t);
            }
        }
        let mut p = Prepared {
            model,
            regime,
            regime_index,
            force,
            bound,
            options,
            honours,
            tripwire_option,
            slot,
            slot_weight,
            slot_prior,
            speed_prior: Vec::new(),
            expect_offensive: Vec::new(),
            expect_probe: Vec::new(),
            expect_tripwire: Vec::new(),
            p_tripwire,
            tripwire_support,
            info_weight: g.iter().map(|x| x.capability / total_cap).collect(),
            decay,
            resolve_logit0: g
                .iter()
                .map(|x| maths::ln(x.resolve / (1.0 - x.resolve)))
                .collect(),
            game,
            tripwire_forced,
            lattice,
            qre_reference,
            meeting: tables,
            reference_play: plays,
            vote: None,
            russia_prior: BeliefSums::default(),
        };
        if let Protocol::Meeting { rule, .. } = &regime.protocol {
            p.vote = vote_spec(&p, rule);
        }
        for i in 0..n {
            let play = &p.reference_play;
            let off = [0, 1].map(|t| p.expectation(i, &play[OFFENSIVE_KIND][i][t]));
            let probe = [0, 1].map(|t| p.expectation(i, &play[PROBE_KIND][i][t]));
            let fired = [0, 1].map(|t| p.expectation(i, &play[TRIPWIRE_REFERENCE][i][t]));
            p.expect_offensive.push(off);
            p.expect_probe.push(probe);
            p.expect_tripwire.push(fired);
        }
        p.speed_prior = members
            .iter()
            .map(|m| {
                let (mut tau, mut mass) = (0.0, 0.0);
                for &i in m {
                    let rho = g[i].resolve;
                    let [h, s] = &p.expect_offensive[i];
                    tau += rho * h.honour_timeliness + (1.0 - rho) * s.honour_timeliness;
                    mass += rho * h.honour + (1.0 - rho) * s.honour;
                }
                if mass > 0.0 {
                    (tau / mass).clamp(1e-6, 1.0 - 1e-6)
                } else {
                    0.5
                }
            })
            .collect();
        let prior = |means: &[f64]| -> Vec<Beta> {
            let strength = model.russia().prior_strength;
            means.iter().map(|&mu| Beta::with_mean(mu, strength)).collect()
        };
        p.russia_prior = belief_sums(&p, &prior(&p.slot_prior), &prior(&p.speed_prior));
        p
    }

    /// Guarantor `i`'s expectation (§7.6) from its option probabilities `q` by menu position.
    fn expectation(&self, i: usize, q: &[f64; MAXOPT]) -> Expectation {
        let m = &self.game.menus[i];
        let mut e = Expectation::default();
        for k in 0..m.len() {
            if m.honours[k] {
                e.honour += q[k];
                e.honour_timeliness += q[k] * self.timeliness(m.arrival[k]);
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
        maths::exp(-self.decay * h)
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

/// The package vote of a meeting under `rule` (None for a coalition of the willing).
fn vote_spec(p: &Prepared, rule: &Rule) -> Option<VoteSpec> {
    let (package, voters, count, by_capability) = match rule {
        Rule::Willing => return None,
        Rule::Consensus { package, veto } => (package, veto.clone(), None, false),
        Rule::Qmv {
            package,
            threshold,
            by_capability,
        } => {
            let voters: Vec<usize> = (0..p.bound.len()).filter(|&i| p.bound[i]).collect();
            (package, voters, Some(*threshold), *by_capability)
        }
    };
    let g = p.model.guarantors();
    let weights: Vec<usize> = match count {
        None => vec![1; voters.len()],
        Some(_) => {
            let raw: Vec<f64> = voters
                .iter()
                .map(|&i| if by_capability { g[i].capability } else { 1.0 })
                .collect();
            let total: f64 = raw.iter().sum();
            raw.iter()
                .map(|w| ((w / total * UNITS as f64).round() as usize).max(1))
                .collect()
        }
    };
    let count = match count {
        None => Count::Unanimity,
        Some(t) => {
            let total: usize = weights.iter().sum();
            Count::Majority {
                threshold: ((t * total as f64).ceil() as usize).max(1),
            }
        }
    };
    let package = (0..g.len())
        .map(|i| {
            if !p.bound[i] {
                return None;
            }
            package.iter().find_map(|&r| {
                let o = OptionId::respond(r);
                p.game.menus[i].options.iter().position(|&x| x == o)
            })
        })
        .collect();
    Some(VoteSpec {
        voters,
        weights,
        count,
        package,
    })
}

// Russia's per-member belief sums (docs/MODEL.md §7.7), here so that a prepared regime can hold
// them at the prior ([`Prepared::russia_prior`]); [`crate::sim::russia`] reads them each month.
/// Mean and variance of the support Russia expects of one member: Hard with probability `mu`,
/// its support given the type following the reference mixture (moments m1 = `support`, m2 =
/// `support_sq`), all of it scaled by `speed` = mean(speed belief) / prior (docs/MODEL.md §7.7).
#[inline]
fn moments(mu: f64, speed: f64, [h, s]: &[Expectation; 2]) -> (f64, f64) {
    let mean = speed * (mu * h.support + (1.0 - mu) * s.support);
    let sq = speed * speed * (mu * h.support_sq + (1.0 - mu) * s.support_sq);
    (mean, (sq - mean * mean).max(0.0))
}

/// What Russia's utilities need of its beliefs, summed over the members (docs/MODEL.md §7.7):
/// the mean and variance of the support it expects of all members and of those a fired
/// tripwire does not force in an offensive, and of all members in a probe; P(no member
/// escalates) and the expected sanctions in each; and the information value of a probe.
/// They depend on the beliefs alone, not on Ukraine's capability.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BeliefSums {
    pub(crate) x_off: f64,
    pub(crate) v_off: f64,
    pub(crate) x_free: f64,
    pub(crate) v_free: f64,
    pub(crate) x_probe: f64,
    pub(crate) v_probe: f64,
    pub(crate) calm_off: f64,
    pub(crate) calm_probe: f64,
    pub(crate) s_off: f64,
    pub(crate) s_probe: f64,
    pub(crate) info: f64,
}

/// [`BeliefSums`] from resolve beliefs `beliefs` and speed beliefs `speed` (by slot).
pub fn belief_sums(p: &Prepared, beliefs: &[Beta], speed: &[Beta]) -> BeliefSums {
    let m = p.model;
    // Offensive support of all members and of those the tripwire does not force (mean, var).
    let (mut x_off, mut v_off, mut x_free, mut v_free) = (0.0, 0.0, 0.0, 0.0);
    let (mut x_probe, mut v_probe) = (0.0, 0.0);
    let (mut calm_off, mut calm_probe) = (1.0 - p.p_tripwire, 1.0);
    let (mut s_off, mut s_probe, mut info) = (0.0, 0.0, 0.0);
    let gs = m.guarantors();
    let n = gs.len();
    // Every per-member table sliced to n once, so the loop indexes them without checks.
    let (slots, offensive, tripwire, probe) = (
        &p.slot[..n],
        &p.expect_offensive[..n],
        &p.expect_tripwire[..n],
        &p.expect_probe[..n],
    );
    let (forced, info_weight) = (&p.tripwire_forced[..n], &p.info_weight[..n]);
    for i in 0..n {
        let g = &gs[i];
        let slot = slots[i];
        let b = &beliefs[slot];
        let mu = b.mean();
        let speed = speed[slot].mean() / p.speed_prior[slot];
        let e = &offensive[i];
        let (x, v) = moments(mu, speed, e);
        x_off += x;
        v_off += v;
        if !forced[i] {
            let (x, v) = moments(mu, speed, &tripwire[i]);
            x_free += x;
            v_free += v;
        }
        let [h, s] = e;
        calm_off *= 1.0 - (mu * h.escalation + (1.0 - mu) * s.escalation);
        s_off += (mu * h.sanctions + (1.0 - mu) * s.sanctions) * g.economic_weight;
        let e = &probe[i];
        let (x, v) = moments(mu, speed, e);
        x_probe += x;
        v_probe += v;
        let [h, s] = e;
        calm_probe *= 1.0 - (mu * h.escalation + (1.0 - mu) * s.escalation);
        s_probe += (mu * h.sanctions + (1.0 - mu) * s.sanctions) * g.economic_weight;
        info += info_weight[i] * b.sd();
    }
    BeliefSums {
        x_off,
        v_off,
        x_free,
        v_free,
        x_probe,
        v_probe,
        calm_off,
        calm_probe,
        s_off,
        s_probe,
        info,
    }
}
