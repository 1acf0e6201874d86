//! The mutable state of one run ([`RunState`]) and what the batch keeps of it ([`RunRecord`]).
//! All buffers are sized once per run, so the monthly loop allocates nothing.

use crate::model::beliefs::Beta;
use crate::sim::prepared::{OptionId, Prepared, MAXOPT, NOTHING};

/// Everything that happened in one run, as the batch needs it: the raw tallies behind
/// `summary.csv`, `guarantors.csv` and `timeline.csv` (docs/MODEL.md §4 "Observation"). Per
/// guarantor vectors are in config order.
#[derive(Debug, PartialEq)]
pub struct RunRecord {
    /// Month (0-based) of the first major offensive, if any; `None` is a success (no offensive
    /// within the horizon).
    pub offensive_month: Option<u32>,
    /// Whether Ukraine held that offensive (the combat draw against P_hold, §7.8 step 5); false
    /// when there was none.
    pub held: bool,
    /// Probes in the run (the `probes/run` of `summary.csv`).
    pub probes: u32,
    /// 1 where the month had a probe, 0 otherwise (`periods` entries; the probe rate of
    /// `timeline.csv`).
    pub probe_months: Vec<u8>,
    /// Russia's mean belief in each guarantor's resolve at the end of each month, in [0, 1]
    /// (`periods x guarantors`, month-major); months after the offensive repeat the last one.
    pub beliefs: Vec<f32>,
    /// Per guarantor, the crises it was called in: every guarantor, bound or not, is called in
    /// every crisis.
    pub called: Vec<u32>,
    /// Per guarantor, the crises in which it gave a response of the regime's honouring set
    /// ([`Prepared::honours`]; forced tripwire troops included when the set has troops).
    pub honoured: Vec<u32>,
    /// Per guarantor, the crises in which the tripwire forced it into the troops response (no
    /// decision taken; `guarantors.csv` column `forced`).
    pub forced: Vec<u32>,
    /// Option counts per guarantor (`guarantors x (responses + 1)`, by [`OptionId::index`]:
    /// option 0 = nothing).
    pub responses: Vec<u32>,
    /// Cost borne per guarantor, US$ bn: Σ cost_r · milex_i over its responses, in probes as in
    /// offensives (§7.5).
    pub cost: Vec<f64>,
    /// Per guarantor, the sum over the crises it honoured of the hour its support arrived
    /// (decision hour + delay; 0 for tripwire troops), for `mean_hours_to_support` (who waits).
    pub arrival_hours: Vec<f64>,
    /// Bound guarantor-crises in which the member decided (not forced by the tripwire): the
    /// denominator of the honoured share.
    pub commitments: u32,
    /// Of those, the ones answered with a response of the regime's honouring set: the
    /// numerator of the honoured share.
    pub commitments_honoured: u32,
    /// Crises (probes plus the offensive, if any).
    pub crises: u32,
    /// Sum over crises of the hour the first honouring support arrived (where some did).
    pub response_hours: f64,
    /// Crises in which some honouring support arrived: the denominator of `response_hours`.
    pub responses_timed: u32,
    /// Sum over crises of the total time-weighted support X given, in S-units.
    pub support: f64,
    /// Agent decisions taken (Russia and Ukraine monthly, each guarantor per round of a joint
    /// meeting or once under the independent protocol): the throughput unit of
    /// `benches/engine.rs`, not a model output.
    pub decisions: u32,
    /// Crises of separate consultations whose equilibrium stopped at `crisis.qre_max_iterations`
    /// before reaching `crisis.qre_tolerance` (0 in the default run; §7.10).
    pub qre_capped: u32,
    /// Iterations of the separate consultations' equilibria, summed over crises (a cost
    /// diagnostic, in the manifest as a mean per crisis).
    pub qre_iterations: u32,
}

/// `clone_from` copies into the existing vectors (the batch runner reuses a chunk's records, so
/// a run allocates nothing); the destructuring makes a new field a compile error here.
impl Clone for RunRecord {
    fn clone(&self) -> Self {
        let mut r = RunRecord {
            offensive_month: None,
            held: false,
            probes: 0,
            probe_months: Vec::new(),
            beliefs: Vec::new(),
            called: Vec::new(),
            honoured: Vec::new(),
            forced: Vec::new(),
            responses: Vec::new(),
            cost: Vec::new(),
            arrival_hours: Vec::new(),
            commitments: 0,
            commitments_honoured: 0,
            crises: 0,
            response_hours: 0.0,
            responses_timed: 0,
            support: 0.0,
            decisions: 0,
            qre_capped: 0,
            qre_iterations: 0,
        };
        r.clone_from(self);
        r
    }

    fn clone_from(&mut self, source: &Self) {
        let RunRecord {
            offensive_month,
            held,
            probes,
            probe_months,
            beliefs,
            called,
            honoured,
            forced,
            responses,
            cost,
            arrival_hours,
            commitments,
            commitments_honoured,
            crises,
            response_hours,
            responses_timed,
            support,
            decisions,
            qre_capped,
            qre_iterations,
        } = source;
        self.offensive_month = *offensive_month;
        self.held = *held;
        self.probes = *probes;
        self.probe_months.clone_from(probe_months);
        self.beliefs.clone_from(beliefs);
        self.called.clone_from(called);
        self.honoured.clone_from(honoured);
        self.forced.clone_from(forced);
        self.responses.clone_from(responses);
        self.cost.clone_from(cost);
        self.arrival_hours.clone_from(arrival_hours);
        self.commitments = *commitments;
        self.commitments_honoured = *commitments_honoured;
        self.crises = *crises;
        self.response_hours = *response_hours;
        self.responses_timed = *responses_timed;
        self.support = *support;
        self.decisions = *decisions;
        self.qre_capped = *qre_capped;
        self.qre_iterations = *qre_iterations;
    }
}

/// The mutable state of one run, with the scratch buffers the monthly loop reuses.
#[derive(Debug, Clone)]
pub struct RunState {
    /// The next month to simulate (0-based); after the run, the months simulated.
    pub month: u32,
    /// Ukraine's capability K_t, in S-units (multiples of `russia.milex_usd_bn`; docs/MODEL.md
    /// §7.4). Starts at `ukraine.capability` = K₀.
    pub capability: f64,
    /// Ukraine's threat memory M_t: +1 per probe, × `threat_persistence` at the end of each
    /// month (§7.4). Starts at 0.
    pub threat_memory: f64,
    /// Each guarantor's resolve z_i,t on the logit scale, a mean-reverting walk around
    /// z_i,0 (§7.3).
    pub resolve_logit: Vec<f64>,
    /// p_i,t = logistic(z_i,t): each guarantor's P(Hard) this month, which also scales its
    /// peacetime aid (§7.3).
    pub p_hard: Vec<f64>,
    /// Russia's Beta belief per slot (indexed by [`Prepared::slot`], §7.9): P(Hard), learnt
    /// from whether each member honoured (1) or not (0).
    pub beliefs: Vec<Beta>,
    /// Russia's speed belief per slot: a Beta over the timeliness τ of a member's honouring
    /// support, prior mean [`Prepared::speed_prior`], learnt from τ(arrival) when it honours
    /// (§7.9).
    pub speed: Vec<Beta>,
    /// Whether the run is over (the first major offensive happened).
    pub done: bool,
    /// What the batch keeps of the run.
    pub record: RunRecord,
    // Crisis scratch, one entry per guarantor, valid from a crisis' start to the next's.
    /// Each guarantor's type this crisis (true = Hard; drawn with p_hard, §7.8 step 1).
    pub hard: Vec<bool>,
    /// Whether the tripwire forced it into the troops response at hour 0 (no decision taken).
    pub forced: Vec<bool>,
    /// Its time-weighted support x_i this crisis, in S-units .
    pub contrib: Vec<f64>,
    /// The option it chose (or was forced into) this crisis.
    pub choice: Vec<OptionId>,
    /// Hour its response arrives (decision hour + the response's delay; 0 for forced troops;
    /// infinity for nothing).
    pub arrival: Vec<f64>,
    /// Hour it decides: the meeting's deadline or the consultation hour (§7.8, §7.10).
    pub decide_at: Vec<f64>,
    /// Probabilities of each guarantor's last choice, by option id (`guarantors x MAXOPT`);
    /// written only for a trace that reads them ([`crate::sim::trace::Trace::PROBS`]).
    pub probs: Vec<f64>,
    /// The separate consultations' type-contingent strategies (`guarantors × 2 × MAXOPT`,
    /// [`crate::sim::qre::at`]).
    pub sigma: Vec<f64>,
    /// Warm starts of the separate consultations' equilibria, per case (`[offensive, probe,
    /// offensive with the tripwire fired]`, each `guarantors × 2 × MAXOPT`): the regime's
    /// reference equilibrium at the start of a run, then the last crisis' equilibrium of that
    /// case in this run (the state moves little between crises, so fewer iterations).
    pub warm: Vec<f64>,
    /// Scratch of the QRE fixed point ([`crate::sim::qre::scratch_len`]).
    pub qre_work: Vec<f64>,
    /// A meeting's vote: the voters this crisis.
    pub voters: Vec<crate::sim::vote::Voter>,
    /// Their P(yes) by type.
    pub vote_yes: Vec<[f64; 2]>,
    /// Their realised votes.
    pub votes: Vec<bool>,
    /// Scratch of the vote's weight distribution.
    pub vote_work: Vec<f64>,
}

impl RunState {
    /// A fresh state for a run of prepared regime `p`.
    pub fn new(p: &Prepared) -> RunState {
        let m = p.model;
        let g = m.guarantors().len();
        let periods = m.run().periods as usize;
        let nopt = m.responses().len() + 1;
        let mut st = RunState {
            month: 0,
            capability: m.ukraine().capability,
            threat_memory: 0.0,
            resolve_logit: p.resolve_logit0.clone(),
            p_hard: m.guarantors().iter().map(|x| x.resolve).collect(),
            beliefs: p
                .slot_prior
                .iter()
                .map(|&mu| Beta::with_mean(mu, m.russia().prior_strength))
                .collect(),
            speed: p
                .speed_prior
                .iter()
                .map(|&tau| Beta::with_mean(tau, m.russia().prior_strength))
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
                forced: vec![0; g],
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
                qre_capped: 0,
                qre_iterations: 0,
            },
            hard: vec![false; g],
            forced: vec![false; g],
            contrib: vec![0.0; g],
            choice: vec![NOTHING; g],
            arrival: vec![f64::INFINITY; g],
            decide_at: vec![0.0; g],
            probs: vec![0.0; g * MAXOPT],
            sigma: vec![0.0; g * 2 * MAXOPT],
            warm: vec![0.0; 3 * g * 2 * MAXOPT],
            qre_work: vec![0.0; crate::sim::qre::scratch_len(g)],
            voters: Vec::with_capacity(g),
            vote_yes: vec![[0.0; 2]; g],
            votes: vec![false; g],
            vote_work: vec![0.0; crate::sim::vote::WORK],
        };
        st.reset(p);
        st
    }

    /// Reset to the start of a run without reallocating.
    pub fn reset(&mut self, p: &Prepared) {
        let m = p.model;
        self.month = 0;
        self.capability = m.ukraine().capability;
        self.threat_memory = 0.0;
        self.resolve_logit.copy_from_slice(&p.resolve_logit0);
        for (x, g) in self.p_hard.iter_mut().zip(m.guarantors()) {
            *x = g.resolve;
        }
        for (b, &mu) in self.beliefs.iter_mut().zip(&p.slot_prior) {
            *b = Beta::with_mean(mu, m.russia().prior_strength);
        }
        for (b, &tau) in self.speed.iter_mut().zip(&p.speed_prior) {
            *b = Beta::with_mean(tau, m.russia().prior_strength);
        }
        self.done = false;
        let block = self.sigma.len();
        for (c, reference) in p.qre_reference.iter().enumerate() {
            self.warm[c * block..(c + 1) * block].copy_from_slice(reference);
        }
        let r = &mut self.record;
        r.offensive_month = None;
        r.held = false;
        r.probes = 0;
        r.probe_months.fill(0);
        // r.beliefs needs no reset: every run writes all of it (each month simulated, then the
        // last month carried forward to the horizon; engine::run_with).
        r.called.fill(0);
        r.honoured.fill(0);
        r.forced.fill(0);
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
        r.qre_capped = 0;
        r.qre_iterations = 0;
    }

    /// Russia's current mean belief in guarantor `i`'s resolve.
    #[inline]
    pub fn belief(&self, p: &Prepared, i: usize) -> f64 {
        self.beliefs[p.slot[i]].mean()
    }
}
