//! Observers of a run: what a month and a crisis looked like ([`MonthView`], [`CrisisView`]) and
//! the [`Trace`] trait the engine reports them to. The batch uses [`NoTrace`]; `replay` records
//! everything.

use crate::sim::prepared::Prepared;
use crate::sim::state::RunState;

/// What a month looked like, for traces: reported after Ukraine's and Russia's choices, before
/// any crisis (docs/MODEL.md §3 steps 3-4).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthView {
    /// The month, 0-based (the replay prints it 1-based).
    pub month: u32,
    /// P(Ukraine mobilises) = logistic(λ_U · u_mob) this month (§7.4).
    pub ukraine_mobilise_prob: f64,
    /// Whether Ukraine mobilised.
    pub ukraine_mobilised: bool,
    /// Ukraine's capability K_t after this month's update, in S-units: the K Russia's choice
    /// and any crisis this month use (§7.4).
    pub capability: f64,
    /// Russia's expected utilities (U_hold = 0, U_probe, U_offensive), in utils (§7.7).
    pub russia_utilities: [f64; 3],
    /// Russia's logit probabilities of (hold, probe, offensive) (§7.7).
    pub russia_probs: [f64; 3],
    /// Russia's choice: [`crate::sim::russia::HOLD`], `PROBE` or `OFFENSIVE`.
    pub russia_choice: usize,
}

/// What a crisis looked like, for traces (docs/MODEL.md §7.8). Each guarantor's part is in the
/// [`RunState`]'s crisis scratch when this is reported.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrisisView {
    /// A major offensive (true) or a probe (false).
    pub offensive: bool,
    /// Whether the tripwire fired (offensives only; §7.8 step 2).
    pub tripwire: bool,
    /// X = Σ_i x_i: the total time-weighted support delivered, in S-units.
    pub support: f64,
    /// P_hold = C(d·K + X, A), the probability Ukraine holds (§7.1, §7.8 step 5).
    pub p_hold: f64,
    /// Whether Ukraine held (the combat uniform fell below `p_hold`).
    pub held: bool,
}

/// An observer of a run's events. The batch uses [`NoTrace`], which compiles to nothing;
/// `replay` records everything.
pub trait Trace {
    /// Whether the observer reads each guarantor's choice probabilities in a crisis
    /// (`RunState::probs`); if not, the engine does not write them.
    const PROBS: bool = true;
    /// Called after Russia's choice, before any crisis.
    fn month(&mut self, _p: &Prepared, _st: &RunState, _v: &MonthView) {}
    /// Called after a crisis is resolved and beliefs updated.
    fn crisis(&mut self, _p: &Prepared, _st: &RunState, _v: &CrisisView) {}
    /// Called at the end of the month.
    fn end_month(&mut self, _p: &Prepared, _st: &RunState) {}
}

/// The observer that observes nothing.
pub struct NoTrace;
impl Trace for NoTrace {
    const PROBS: bool = false;
}
