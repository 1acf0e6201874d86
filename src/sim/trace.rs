//! Observers of a run: what a month and a crisis looked like ([`MonthView`], [`CrisisView`]) and
//! the [`Trace`] trait the engine reports them to. The batch uses [`NoTrace`]; `replay` records
//! everything.

use crate::sim::prepared::Prepared;
use crate::sim::state::RunState;

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

/// What a crisis looked like, for traces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrisisView {
    pub offensive: bool,
    pub tripwire: bool,
    pub support: f64,
    pub p_hold: f64,
    pub held: bool,
}

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
