//! The mutable state of one run ([`RunState`]) and what the batch keeps of it ([`RunRecord`]).
//! All buffers are sized once per run, so the monthly loop allocates nothing.

use crate::model::beliefs::Beta;
use crate::sim::prepared::{OptionId, Prepared, MAXOPT, NOTHING};

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
    pub choice: Vec<OptionId>,
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
        self.capability = m.ukraine().capability;
        self.threat_memory = 0.0;
        self.resolve_logit.copy_from_slice(&p.resolve_logit0);
        for (x, g) in self.p_hard.iter_mut().zip(m.guarantors()) {
            *x = g.resolve;
        }
        for (b, &mu) in self.beliefs.iter_mut().zip(&p.slot_prior) {
            *b = Beta::with_mean(mu, m.russia().prior_strength);
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
