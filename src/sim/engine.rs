//! The simulation engine: one run of one regime, month by month, with crises on an hourly clock.
//!
//! Each month (see docs/MODEL.md, "Process overview"):
//! 1. every guarantor's resolve drifts (a mean-reverting walk on the logit scale);
//! 2. Ukraine chooses its posture (mobilise or not) and its capability moves with aid,
//!    mobilisation and reversion;
//! 3. Russia chooses hold, probe or major offensive by logit choice over expected utility, from
//!    its Beta beliefs about each guarantor's resolve and its model of how each would respond
//!    under the regime;
//! 4. a probe or an offensive opens a crisis ([`crate::sim::protocol`]): the guarantors decide under the regime's
//!    protocol and clock, support arrives hours or days later and counts less the later it
//!    arrives, a tripwire force may put its contributors at war at once, and the contest
//!    decides whether Ukraine holds; Russia updates its beliefs from what it saw.
//!
//! The monthly loop allocates nothing: all buffers live in [`RunState`] and are sized once.

use crate::model::actors::Guarantor;
use crate::model::beliefs::Beta;
use crate::model::choice::{contest, logistic, logit_probs, sample};
use crate::model::regimes::{Regime, Reputation, Requirement};
use crate::model::validate::{Model, MAX_RESPONSES};
use crate::stats::rng::Draws;

/// Option 0 of every choice set: do nothing.
pub const NOTHING: usize = 0;
pub(crate) const MAXOPT: usize = MAX_RESPONSES + 1;

/// Russia's monthly choices.
pub const HOLD: usize = 0;
pub const PROBE: usize = 1;
pub const OFFENSIVE: usize = 2;
pub const RUSSIA_CHOICES: [&str; 3] = ["hold", "probe", "offensive"];

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
        let regime = &model.regimes[regime_index];
        let g = &model.guarantors;
        let bound: Vec<bool> = g.iter().map(|x| regime.binds(&x.id, x.bilateral)).collect();
        let options: Vec<Vec<usize>> = g
            .iter()
            .map(|x| {
                let mut o = vec![NOTHING];
                for &r in &regime.responses {
                    let ok = match model.responses[r].requires {
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
            .responses
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

        let decay = std::f64::consts::LN_2 / model.crisis.support_half_life_hours;
        // The tripwire needs troops on the ground: a troops response on the menu of responses
        // and at least one guarantor that would send them.
        let has_troops = g.iter().any(|x| x.troops);
        let p_tripwire = if regime.reassurance_force && tripwire_option.is_some() && has_troops {
            1.0 - (-model.reassurance_troops / model.crisis.tripwire_scale).exp()
        } else {
            0.0
        };
        let tripwire_support = match tripwire_option {
            Some(o) => g
                .iter()
                .filter(|x| x.troops)
                .map(|x| model.responses[o - 1].effect * x.capability)
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
        let base = model.ukraine.defence_multiplier * model.ukraine.capability;
        for i in 0..g.len() {
            let mut off = [Expectation::default(); 2];
            let mut probe = [Expectation::default(); 2];
            for (k, hard) in [true, false].into_iter().enumerate() {
                off[k] = p.reference(i, hard, 1.0, base, t);
                probe[k] = p.reference(i, hard, model.russia.probe_scale, base, t);
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

    /// Guarantor `i`'s utilities over its options, written to `u` (and the time-weighted
    /// support and arrival hour of each option to `x` and `arr`). `others` is the support the
    /// others give, `base` Ukraine's own effective strength, `attacker` Russia's strength in
    /// this crisis, `decide_at` the hour of the decision.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn utilities(
        &self,
        i: usize,
        hard: bool,
        scale: f64,
        base: f64,
        others: f64,
        attacker: f64,
        decide_at: f64,
        u: &mut [f64],
        x: &mut [f64],
        arr: &mut [f64],
    ) {
        let m = self.model;
        let g: &Guarantor = &m.guarantors[i];
        let exponent = m.crisis.contest_exponent;
        let v = g.value(hard, scale);
        let p0 = contest(base + others, attacker, exponent);
        let ac = if self.bound[i] {
            self.regime.audience_cost * g.audience_sensitivity
        } else {
            0.0
        };
        for (k, &o) in self.options[i].iter().enumerate() {
            if o == NOTHING {
                u[k] = -ac;
                x[k] = 0.0;
                arr[k] = f64::INFINITY;
                continue;
            }
            let r = &m.responses[o - 1];
            let t = decide_at + r.delay_hours;
            let support = r.effect * g.capability * self.timeliness(t);
            let gain = v * (contest(base + others + support, attacker, exponent) - p0);
            let reneged = if r.honours { 0.0 } else { ac };
            let stood_by = if r.honours && hard {
                g.solidarity * g.threat
            } else {
                0.0
            };
            u[k] = gain + stood_by - g.cost_weight * r.cost - g.escalation_aversion * r.escalation - reneged;
            x[k] = support;
            arr[k] = t;
        }
    }

    /// What Russia expects guarantor `i` of the given type to do in a reference crisis: Ukraine
    /// at its initial capability, no other support, decisions at the regime's expected hour.
    fn reference(&self, i: usize, hard: bool, scale: f64, base: f64, t: f64) -> Expectation {
        let n = self.options[i].len();
        let (mut u, mut x, mut a, mut p) = ([0.0; MAXOPT], [0.0; MAXOPT], [0.0; MAXOPT], [0.0; MAXOPT]);
        let attacker = self.model.russia.strength * scale;
        self.utilities(
            i,
            hard,
            scale,
            base,
            0.0,
            attacker,
            t,
            &mut u[..n],
            &mut x[..n],
            &mut a[..n],
        );
        logit_probs(&u[..n], self.model.guarantors[i].lambda, &mut p[..n]);
        let mut e = Expectation::default();
        for k in 0..n {
            let o = self.options[i][k];
            if o == NOTHING {
                continue;
            }
            let r = &self.model.responses[o - 1];
            e.honour += if r.honours { p[k] } else { 0.0 };
            e.support += p[k] * x[k];
            e.escalation += p[k] * r.escalation;
            e.sanctions += p[k] * r.sanctions;
        }
        e
    }
}

/// Everything that happened in one run, as the batch needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// Month (0-based) of the first major offensive, if any.
    pub offensive_month: Option<u32>,
    /// Whether Ukraine held that offensive.
    pub held: bool,
    pub probes: u32,
    /// 1 where the month had a probe.
    pub probe_months: Vec<u8>,
    /// Russia's mean belief in each guarantor's resolve at the end of each month
    /// (`periods x guarantors`, month-major).
    pub beliefs: Vec<f32>,
    pub called: Vec<u32>,
    pub honoured: Vec<u32>,
    /// Option counts per guarantor (`guarantors x (responses + 1)`, option 0 = nothing).
    pub responses: Vec<u32>,
    /// Cost borne per guarantor, US$ bn.
    pub cost: Vec<f64>,
    /// Per guarantor, the sum over the crises it honoured of the hour its support arrived (who
    /// waits).
    pub arrival_hours: Vec<f64>,
    pub commitments: u32,
    pub commitments_honoured: u32,
    pub crises: u32,
    /// Sum over crises of the hour the first honouring support arrived (where some did).
    pub response_hours: f64,
    pub responses_timed: u32,
    /// Sum over crises of the time-weighted support given.
    pub support: f64,
    /// Agent decisions taken (Russia and Ukraine monthly, each guarantor per round).
    pub decisions: u32,
}

/// The mutable state of one run, with the scratch buffers the monthly loop reuses.
#[derive(Debug, Clone)]
pub struct RunState {
    pub month: u32,
    pub capability: f64,
    pub threat_memory: f64,
    pub resolve_logit: Vec<f64>,
    pub p_hard: Vec<f64>,
    pub beliefs: Vec<Beta>,
    pub done: bool,
    pub record: RunRecord,
    // Crisis scratch, one entry per guarantor.
    pub hard: Vec<bool>,
    pub forced: Vec<bool>,
    pub contrib: Vec<f64>,
    pub next: Vec<f64>,
    pub choice: Vec<usize>,
    pub arrival: Vec<f64>,
    pub decide_at: Vec<f64>,
    pub order: Vec<usize>,
    /// Probabilities of each guarantor's last choice, by option id (`guarantors x MAXOPT`).
    pub probs: Vec<f64>,
}

impl RunState {
    /// A fresh state for a run of prepared regime `p`.
    pub fn new(p: &Prepared) -> RunState {
        let m = p.model;
        let g = m.guarantors.len();
        let periods = m.run.periods as usize;
        let nopt = m.responses.len() + 1;
        let mut st = RunState {
            month: 0,
            capability: m.ukraine.capability,
            threat_memory: 0.0,
            resolve_logit: p.resolve_logit0.clone(),
            p_hard: m.guarantors.iter().map(|x| x.resolve).collect(),
            beliefs: p
                .slot_prior
                .iter()
                .map(|&mu| Beta::with_mean(mu, m.russia.prior_strength))
                .collect(),
            done: false,
            record: RunRecord {
                offensive_month: None,
                held: false,
                probes: 0,
                probe_months: vec![0; periods],
                beliefs: vec![0.0; periods * g],
                called: vec![0; g],
                honoured: vec![0; g],
                responses: vec![0; g * nopt],
                cost: vec![0.0; g],
                arrival_hours: vec![0.0; g],
                commitments: 0,
                commitments_honoured: 0,
                crises: 0,
                response_hours: 0.0,
                responses_timed: 0,
                support: 0.0,
                decisions: 0,
            },
            hard: vec![false; g],
            forced: vec![false; g],
            contrib: vec![0.0; g],
            next: vec![0.0; g],
            choice: vec![NOTHING; g],
            arrival: vec![f64::INFINITY; g],
            decide_at: vec![0.0; g],
            order: (0..g).collect(),
            probs: vec![0.0; g * MAXOPT],
        };
        st.reset(p);
        st
    }

    /// Reset to the start of a run without reallocating.
    pub fn reset(&mut self, p: &Prepared) {
        let m = p.model;
        self.month = 0;
        self.capability = m.ukraine.capability;
        self.threat_memory = 0.0;
        self.resolve_logit.copy_from_slice(&p.resolve_logit0);
        for (x, g) in self.p_hard.iter_mut().zip(&m.guarantors) {
            *x = g.resolve;
        }
        for (b, &mu) in self.beliefs.iter_mut().zip(&p.slot_prior) {
            *b = Beta::with_mean(mu, m.russia.prior_strength);
        }
        self.done = false;
        let r = &mut self.record;
        r.offensive_month = None;
        r.held = false;
        r.probes = 0;
        r.probe_months.fill(0);
        r.beliefs.fill(0.0);
        r.called.fill(0);
        r.honoured.fill(0);
        r.responses.fill(0);
        r.cost.fill(0.0);
        r.arrival_hours.fill(0.0);
        r.commitments = 0;
        r.commitments_honoured = 0;
        r.crises = 0;
        r.response_hours = 0.0;
        r.responses_timed = 0;
        r.support = 0.0;
        r.decisions = 0;
    }

    /// Russia's current mean belief in guarantor `i`'s resolve.
    #[inline]
    pub fn belief(&self, p: &Prepared, i: usize) -> f64 {
        self.beliefs[p.slot[i]].mean()
    }
}

/// What a month looked like, for traces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthView {
    pub month: u32,
    pub ukraine_mobilise_prob: f64,
    pub ukraine_mobilised: bool,
    pub capability: f64,
    pub russia_utilities: [f64; 3],
    pub russia_probs: [f64; 3],
    pub russia_choice: usize,
}

pub use crate::sim::protocol::{crisis, CrisisView};

/// An observer of a run's events. The batch uses [`NoTrace`], which compiles to nothing;
/// `replay` records everything.
pub trait Trace {
    /// Called after Russia's choice, before any crisis.
    fn month(&mut self, _p: &Prepared, _st: &RunState, _v: &MonthView) {}
    /// Called after a crisis is resolved and beliefs updated.
    fn crisis(&mut self, _p: &Prepared, _st: &RunState, _v: &CrisisView) {}
    /// Called at the end of the month.
    fn end_month(&mut self, _p: &Prepared, _st: &RunState) {}
}

/// The observer that observes nothing.
pub struct NoTrace;
impl Trace for NoTrace {}

/// Advance one month.
pub fn step_month<T: Trace>(p: &Prepared, st: &mut RunState, d: &mut Draws, trace: &mut T) {
    let m = p.model;
    let t = st.month;
    d.seek_month(t);
    let u_russia = d.uniform();
    let u_ukraine = d.uniform();

    // 1. Resolve drifts; peacetime aid follows it.
    let mut aid = 0.0;
    for (i, g) in m.guarantors.iter().enumerate() {
        let z0 = p.resolve_logit0[i];
        let z = z0 + g.resolve_persistence * (st.resolve_logit[i] - z0) + g.resolve_volatility * d.normal();
        st.resolve_logit[i] = z;
        st.p_hard[i] = logistic(z);
        aid += g.aid_per_month * st.p_hard[i];
    }

    // 2. Ukraine's posture and capability.
    let uk = &m.ukraine;
    let attacker = m.russia.strength;
    let danger = 1.0
        - contest(
            uk.defence_multiplier * st.capability,
            attacker,
            m.crisis.contest_exponent,
        );
    let u_mob = uk.mobilisation_value * (danger + st.threat_memory) - uk.mobilisation_cost;
    let p_mob = logistic(uk.lambda * u_mob);
    let mobilised = u_ukraine < p_mob;
    st.capability += uk.reversion * (uk.base_capability - st.capability)
        + uk.aid_effect * aid
        + if mobilised { uk.mobilisation_gain } else { 0.0 };

    // 3. Russia's choice.
    st.record.decisions += 2;
    let (utilities, probs) = russia_utilities(p, st);
    let choice = sample(&probs, u_russia);
    trace.month(
        p,
        st,
        &MonthView {
            month: t,
            ukraine_mobilise_prob: p_mob,
            ukraine_mobilised: mobilised,
            capability: st.capability,
            russia_utilities: utilities,
            russia_probs: probs,
            russia_choice: choice,
        },
    );

    // 4. A crisis, if Russia moved.
    if choice != HOLD {
        let view = crisis(p, st, d, choice == OFFENSIVE);
        trace.crisis(p, st, &view);
    }

    // 5. Forgetting, memory, record.
    for b in st.beliefs.iter_mut() {
        b.forget(m.russia.forgetting);
    }
    st.threat_memory *= m.ukraine.threat_persistence;
    record_beliefs(p, st, t);
    trace.end_month(p, st);
    st.month += 1;
}

fn record_beliefs(p: &Prepared, st: &mut RunState, t: u32) {
    let g = p.model.guarantors.len();
    let row = t as usize * g;
    for i in 0..g {
        st.record.beliefs[row + i] = st.beliefs[p.slot[i]].mean() as f32;
    }
}

/// Russia's utilities of (hold, probe, offensive) and its logit choice probabilities.
pub fn russia_utilities(p: &Prepared, st: &RunState) -> ([f64; 3], [f64; 3]) {
    let m = p.model;
    let ru = &m.russia;
    let exponent = m.crisis.contest_exponent;
    let base = m.ukraine.defence_multiplier * st.capability;
    let (mut x_off, mut x_probe) = (0.0, 0.0);
    let (mut calm_off, mut calm_probe) = (1.0 - p.p_tripwire, 1.0);
    let (mut s_off, mut s_probe, mut info) = (0.0, 0.0, 0.0);
    for (i, g) in m.guarantors.iter().enumerate() {
        let b = &st.beliefs[p.slot[i]];
        let mu = b.mean();
        let [h, s] = &p.expect_offensive[i];
        x_off += mu * h.support + (1.0 - mu) * s.support;
        calm_off *= 1.0 - (mu * h.escalation + (1.0 - mu) * s.escalation);
        s_off += (mu * h.sanctions + (1.0 - mu) * s.sanctions) * g.economic_weight;
        let [h, s] = &p.expect_probe[i];
        x_probe += mu * h.support + (1.0 - mu) * s.support;
        calm_probe *= 1.0 - (mu * h.escalation + (1.0 - mu) * s.escalation);
        s_probe += (mu * h.sanctions + (1.0 - mu) * s.sanctions) * g.economic_weight;
        info += p.info_weight[i] * b.sd();
    }
    let hold_off = contest(
        base + x_off + p.p_tripwire * p.tripwire_support,
        ru.strength,
        exponent,
    );
    let hold_probe = contest(base + x_probe, ru.strength * ru.probe_scale, exponent);
    let u = [
        0.0,
        ru.probe_gain * (1.0 - hold_probe)
            - ru.probe_cost
            - ru.sanctions_weight * ru.probe_scale * s_probe
            - ru.war_cost * (1.0 - calm_probe)
            + ru.info_value * info,
        p.regime.provocation + ru.offensive_gain * (1.0 - hold_off)
            - ru.combat_cost
            - ru.sanctions_weight * s_off
            - ru.war_cost * (1.0 - calm_off),
    ];
    let mut probs = [0.0; 3];
    logit_probs(&u, ru.lambda, &mut probs);
    (u, probs)
}

/// Run the whole horizon in `st` (already reset) with stream `d`.
pub fn run_with<T: Trace>(p: &Prepared, st: &mut RunState, d: &mut Draws, trace: &mut T) {
    let periods = p.model.run.periods;
    while st.month < periods && !st.done {
        step_month(p, st, d, trace);
    }
    // After the first offensive the run is over: beliefs stay where they were.
    let g = p.model.guarantors.len();
    let last = st.month as usize;
    for t in last..periods as usize {
        for i in 0..g {
            st.record.beliefs[t * g + i] = st.record.beliefs[(last - 1) * g + i];
        }
    }
}

/// One complete run: replicate `replicate` at design point `point`.
pub fn run_one(p: &Prepared, seed: u64, point: u64, replicate: u64) -> RunRecord {
    let mut st = RunState::new(p);
    let mut d = Draws::new(seed, point, replicate);
    run_with(p, &mut st, &mut d, &mut NoTrace);
    st.record
}
