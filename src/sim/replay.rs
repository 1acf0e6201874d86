//! Replaying one run with a full trace: each month's choices and the probabilities they were
//! drawn from, beliefs, capabilities and crisis outcomes. The replayed run uses the same stream
//! as in the batch, so its record is the one the batch folded in.

use crate::sim::engine::run_with;
use crate::sim::prepared::{OptionId, Prepared, MAXOPT};
use crate::sim::russia::RUSSIA_CHOICES;
use crate::sim::state::{RunRecord, RunState};
use crate::sim::trace::{CrisisView, MonthView, Trace};
use crate::stats::rng::Draws;
use serde::Serialize;
use std::fmt::Write as _;

/// One guarantor's part in a crisis.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GuarantorMove {
    pub id: String,
    pub bound: bool,
    pub hard: bool,
    /// Whether the tripwire put it at war at hour 0 (its troops were there): no decision taken.
    pub forced: bool,
    pub choice: String,
    /// Probabilities of its options in its last decision round (option name, probability).
    pub probs: Vec<(String, f64)>,
    pub decide_at_hours: f64,
    pub arrival_hours: Option<f64>,
    pub support: f64,
}

/// A crisis in the trace.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CrisisTrace {
    pub kind: String,
    pub tripwire: bool,
    pub support: f64,
    pub p_hold: f64,
    pub held: bool,
    pub guarantors: Vec<GuarantorMove>,
}

/// One month in the trace.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MonthTrace {
    pub month: u32,
    pub ukraine_capability: f64,
    pub ukraine_mobilise_prob: f64,
    pub ukraine_mobilised: bool,
    pub russia_utilities: [f64; 3],
    pub russia_probs: [f64; 3],
    pub russia_choice: String,
    pub crisis: Option<CrisisTrace>,
    /// Russia's belief in each guarantor's resolve at the end of the month (id, mean).
    pub beliefs: Vec<(String, f64)>,
    /// Each guarantor's probability of being resolute this month (id, p).
    pub resolve: Vec<(String, f64)>,
}

/// A whole run's trace.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunTrace {
    pub config: String,
    pub regime: String,
    pub seed: u64,
    pub point: u64,
    pub run: u64,
    pub months: Vec<MonthTrace>,
    pub offensive_month: Option<u32>,
    pub ukraine_held: Option<bool>,
    pub probes: u32,
}

struct Recorder {
    months: Vec<MonthTrace>,
}

impl Trace for Recorder {
    fn month(&mut self, _p: &Prepared, _st: &RunState, v: &MonthView) {
        self.months.push(MonthTrace {
            month: v.month + 1,
            ukraine_capability: v.capability,
            ukraine_mobilise_prob: v.ukraine_mobilise_prob,
            ukraine_mobilised: v.ukraine_mobilised,
            russia_utilities: v.russia_utilities,
            russia_probs: v.russia_probs,
            russia_choice: RUSSIA_CHOICES[v.russia_choice].to_string(),
            crisis: None,
            beliefs: Vec::new(),
            resolve: Vec::new(),
        });
    }

    fn crisis(&mut self, p: &Prepared, st: &RunState, v: &CrisisView) {
        let m = p.model;
        let name = |o: OptionId| match o.response() {
            None => "nothing".to_string(),
            Some(r) => m.responses()[r].name.clone(),
        };
        let guarantors = m
            .guarantors()
            .iter()
            .enumerate()
            .map(|(i, g)| GuarantorMove {
                id: g.id.clone(),
                bound: p.bound[i],
                hard: st.hard[i],
                forced: st.forced[i],
                choice: name(st.choice[i]),
                probs: p.options[i]
                    .iter()
                    .map(|&o| (name(o), st.probs[i * MAXOPT + o.index()]))
                    .collect(),
                decide_at_hours: st.decide_at[i],
                arrival_hours: st.arrival[i].is_finite().then_some(st.arrival[i]),
                support: st.contrib[i],
            })
            .collect();
        if let Some(last) = self.months.last_mut() {
            last.crisis = Some(CrisisTrace {
                kind: if v.offensive { "offensive" } else { "probe" }.to_string(),
                tripwire: v.tripwire,
                support: v.support,
                p_hold: v.p_hold,
                held: v.held,
                guarantors,
            });
        }
    }

    fn end_month(&mut self, p: &Prepared, st: &RunState) {
        let m = p.model;
        if let Some(last) = self.months.last_mut() {
            last.beliefs = m
                .guarantors()
                .iter()
                .enumerate()
                .map(|(i, g)| (g.id.clone(), st.belief(p, i)))
                .collect();
            last.resolve = m
                .guarantors()
                .iter()
                .zip(&st.p_hard)
                .map(|(g, &x)| (g.id.clone(), x))
                .collect();
        }
    }
}

/// Replay run `run` of design point `point` under prepared regime `p`.
pub fn replay(p: &Prepared, point: u64, run: u64) -> (RunTrace, RunRecord) {
    let m = p.model;
    let mut st = RunState::new(p);
    let mut d = Draws::new(m.run().seed, point, run);
    let mut rec = Recorder { months: Vec::new() };
    run_with(p, &mut st, &mut d, &mut rec);
    let record = st.record;
    let trace = RunTrace {
        config: m.name().to_string(),
        regime: p.regime.name.clone(),
        seed: m.run().seed,
        point,
        run,
        months: rec.months,
        offensive_month: record.offensive_month.map(|t| t + 1),
        ukraine_held: record.offensive_month.map(|_| record.held),
        probes: record.probes,
    };
    (trace, record)
}

/// A readable text rendering of a trace.
pub fn to_text(t: &RunTrace) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "config {} · regime {} · seed {} · point {} · run {}",
        t.config, t.regime, t.seed, t.point, t.run
    );
    let _ = writeln!(
        s,
        "month  Ukraine(cap, P(mob), mob)   Russia P(hold/probe/offensive) -> choice   beliefs (first 5)"
    );
    for m in &t.months {
        let beliefs: Vec<String> = m
            .beliefs
            .iter()
            .take(5)
            .map(|(id, b)| format!("{id} {b:.2}"))
            .collect();
        let _ = writeln!(
            s,
            "{:>5}  {:.3} {:.2} {:<5}            {:.3}/{:.3}/{:.3} -> {:<9}   {}",
            m.month,
            m.ukraine_capability,
            m.ukraine_mobilise_prob,
            m.ukraine_mobilised,
            m.russia_probs[0],
            m.russia_probs[1],
            m.russia_probs[2],
            m.russia_choice,
            beliefs.join(", ")
        );
        if let Some(c) = &m.crisis {
            let _ = writeln!(
                s,
                "       {} crisis: tripwire {}, support {:.3}, P(Ukraine holds) {:.3}, Ukraine held {}",
                c.kind, c.tripwire, c.support, c.p_hold, c.held
            );
            for g in &c.guarantors {
                let who = format!(
                    "         {:<4} {:<5} {:<4}",
                    g.id,
                    if g.bound { "bound" } else { "free" },
                    if g.hard { "hard" } else { "soft" }
                );
                if g.forced {
                    let _ = writeln!(
                        s,
                        "{who} tripwire: its troops are at war from hour 0 -> {}",
                        g.choice
                    );
                    continue;
                }
                let p = g
                    .probs
                    .iter()
                    .find(|(n, _)| n == &g.choice)
                    .map(|x| x.1)
                    .unwrap_or(0.0);
                let _ = writeln!(
                    s,
                    "{who} decides at {:>6.1} h -> {:<18} (p {:.2}) arrives {}",
                    g.decide_at_hours,
                    g.choice,
                    p,
                    g.arrival_hours
                        .map(|h| format!("{h:.0} h"))
                        .unwrap_or_else(|| "-".into())
                );
            }
        }
    }
    let outcome = match (t.offensive_month, t.ukraine_held) {
        (Some(m), Some(h)) => format!(
            "major offensive in month {m}; Ukraine {}",
            if h { "held" } else { "did not hold" }
        ),
        _ => "deterrence held: no major offensive within the horizon".to_string(),
    };
    let _ = writeln!(s, "outcome: {outcome}; probes: {}", t.probes);
    s
}
