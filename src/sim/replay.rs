//! Replaying one run with a full trace: each month's choices and the probabilities they were
//! drawn from, beliefs, capabilities and crisis outcomes. The replayed run uses the same stream
//! as in the batch, so its record is the one the batch folded in. Months in a trace are
//! 1-based, as `deterrence-sim replay` prints them; the engine's are 0-based. The structs are
//! serialised as the replay's JSON.

use crate::sim::engine::run_with;
use crate::sim::prepared::{OptionId, Prepared, MAXOPT};
use crate::sim::russia::RUSSIA_CHOICES;
use crate::sim::state::{RunRecord, RunState};
use crate::sim::trace::{CrisisView, MonthView, Trace};
use crate::stats::rng::Draws;
use serde::Serialize;
use std::fmt::Write as _;

/// One guarantor's part in a crisis (docs/MODEL.md §7.8).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GuarantorMove {
    /// The guarantor's config id (`USA`, `GBR`, ...).
    pub id: String,
    /// Whether the regime binds it (it pays the audience cost for not honouring, §7.5).
    pub bound: bool,
    /// Its type this crisis: true = Hard (drawn with its P(Hard) of the month, §7.8 step 1).
    pub hard: bool,
    /// Whether the tripwire put it at war at hour 0 (its troops were there): no decision taken.
    pub forced: bool,
    /// The option it ended with: a response name, or `nothing`.
    pub choice: String,
    /// Probabilities of its options in its last decision round (option name, probability),
    /// in menu order; 1 on the troops response when forced.
    pub probs: Vec<(String, f64)>,
    /// The hour it decided: the deadline (joint) or its exponential draw (independent). For a
    /// forced guarantor it is the hour it would have decided, unused.
    pub decide_at_hours: f64,
    /// The hour its response arrived (decision hour + delay; 0 when forced); `None` for
    /// nothing.
    pub arrival_hours: Option<f64>,
    /// Its time-weighted support x_i = effect · κ_i · τ(arrival), in S-units (§7.2).
    pub support: f64,
}

/// A crisis in the trace (docs/MODEL.md §7.8).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CrisisTrace {
    /// `probe` or `offensive`.
    pub kind: String,
    /// Whether the tripwire fired (offensives only).
    pub tripwire: bool,
    /// Total time-weighted support X delivered, in S-units.
    pub support: f64,
    /// P(Ukraine holds) = C(d·K + X, A) (§7.1).
    pub p_hold: f64,
    /// Whether Ukraine held.
    pub held: bool,
    /// Every guarantor's part, in config order.
    pub guarantors: Vec<GuarantorMove>,
}

/// One month in the trace.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MonthTrace {
    /// The month, 1-based.
    pub month: u32,
    /// Ukraine's capability K after this month's update (before any crisis), in S-units
    /// (§7.4).
    pub ukraine_capability: f64,
    /// P(Ukraine mobilises) this month (§7.4).
    pub ukraine_mobilise_prob: f64,
    /// Whether Ukraine mobilised.
    pub ukraine_mobilised: bool,
    /// Russia's expected utilities of (hold, probe, offensive), in utils (§7.7).
    pub russia_utilities: [f64; 3],
    /// Russia's logit probabilities of (hold, probe, offensive).
    pub russia_probs: [f64; 3],
    /// Russia's choice: `hold`, `probe` or `offensive`.
    pub russia_choice: String,
    /// The crisis Russia's probe or offensive opened; `None` when it held.
    pub crisis: Option<CrisisTrace>,
    /// Russia's belief in each guarantor's resolve at the end of the month (id, mean).
    pub beliefs: Vec<(String, f64)>,
    /// Each guarantor's probability of being resolute this month (id, p).
    pub resolve: Vec<(String, f64)>,
}

/// A whole run's trace.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunTrace {
    /// The config's `name`.
    pub config: String,
    /// The regime replayed.
    pub regime: String,
    /// The arm of the reassurance-force factor: `with` or `without` (`replay --force`).
    pub force: String,
    /// The base seed (`run.seed`).
    pub seed: u64,
    /// The design point whose stream was used (0 for `run`).
    pub point: u64,
    /// The replicate index (0-based) within the point: the run's stream is
    /// `(point << 32) | run` of the seed.
    pub run: u64,
    /// The months simulated, up to and including the first major offensive.
    pub months: Vec<MonthTrace>,
    /// Month (1-based) of the first major offensive; `None` when deterrence held to the horizon.
    pub offensive_month: Option<u32>,
    /// Whether Ukraine held that offensive; `None` when there was none.
    pub ukraine_held: Option<bool>,
    /// Probes in the run.
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

/// Replay run `run` of design point `point` under prepared regime `p` with the model's seed:
/// the trace and the very [`RunRecord`] the batch folds in for that run.
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
        force: crate::model::config::arm_name(p.force).to_string(),
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

/// A readable text rendering of a trace: one line per month (capability, P(mobilise), Russia's
/// probabilities and choice, the first five beliefs), each crisis with every guarantor's
/// decision hour, choice, its probability and arrival, then the outcome.
pub fn to_text(t: &RunTrace) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "config {} · regime {} · force {} · seed {} · point {} · run {}",
        t.config, t.regime, t.force, t.seed, t.point, t.run
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
