//! The simulation engine: one run of one regime, month by month, with crises on an hourly clock.
//!
//! Each month (see docs/MODEL.md §3, "Process overview"):
//! 1. every guarantor's resolve drifts (a mean-reverting walk on the logit scale) and its
//!    peacetime aid follows it (§7.3);
//! 2. Ukraine chooses its posture (mobilise or not) and its capability moves with aid,
//!    mobilisation and reversion ([`crate::sim::ukraine`], §7.4);
//! 3. Russia chooses hold, probe or major offensive by logit choice over expected utility, from
//!    its Beta beliefs about each guarantor's resolve and its model of how each would respond
//!    under the regime ([`crate::sim::russia`], §7.6-7.7);
//! 4. a probe or an offensive opens a crisis ([`crate::sim::protocol`], §7.8): the guarantors
//!    decide under the regime's protocol and clock ([`crate::sim::guarantor`], §7.5), support
//!    arrives hours or days later and counts less the later it arrives, a tripwire force may put
//!    its contributors at war at once, and the contest decides whether Ukraine holds; Russia
//!    updates its beliefs from what it saw (§7.9);
//! 5. beliefs are partly forgotten, Ukraine's threat memory decays, and the beliefs are
//!    recorded.
//!
//! The monthly loop allocates nothing: all buffers live in [`RunState`] and are sized once.

use crate::model::choice::logistic;
use crate::sim::prepared::Prepared;
use crate::sim::russia::{self, HOLD, OFFENSIVE};
use crate::sim::state::{RunRecord, RunState};
use crate::sim::trace::{MonthView, NoTrace, Trace};
use crate::sim::{protocol, ukraine};
use crate::stats::rng::Draws;

/// Advance one month: month `st.month` of stream `d`, reporting the month and any crisis to
/// `trace` (docs/MODEL.md §3). Draws Russia's and Ukraine's uniforms first, then the resolve
/// walk's normals, then the crisis' draws, all from the month's own block of the stream.
pub fn step_month<T: Trace>(p: &Prepared, st: &mut RunState, d: &mut Draws, trace: &mut T) {
    let m = p.model;
    let t = st.month;
    d.seek_month(t);
    let u_russia = d.uniform();
    let u_ukraine = d.uniform();

    // 1. Resolve drifts; peacetime aid follows it.
    let mut aid = 0.0;
    for (i, g) in m.guarantors().iter().enumerate() {
        let z0 = p.resolve_logit0[i];
        let z = z0 + g.resolve_persistence * (st.resolve_logit[i] - z0) + g.resolve_volatility * d.normal();
        st.resolve_logit[i] = z;
        st.p_hard[i] = logistic(z);
        aid += g.aid_per_month * st.p_hard[i];
    }

    // 2. Ukraine's posture and capability.
    let (p_mob, mobilised) = ukraine::choose(p, st, aid, u_ukraine);

    // 3. Russia's choice.
    st.record.decisions += 2;
    let (utilities, probs, choice) = russia::choose(p, st, u_russia);
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
        let view = protocol::crisis_in(p, st, d, choice == OFFENSIVE, T::PROBS);
        trace.crisis(p, st, &view);
    }

    // 5. Forgetting, memory, record.
    for b in st.beliefs.iter_mut().chain(st.speed.iter_mut()) {
        b.forget(m.russia().forgetting);
    }
    st.threat_memory *= m.ukraine().threat_persistence;
    record_beliefs(p, st, t);
    trace.end_month(p, st);
    st.month += 1;
}

fn record_beliefs(p: &Prepared, st: &mut RunState, t: u32) {
    let g = p.model.guarantors().len();
    let row = t as usize * g;
    for i in 0..g {
        st.record.beliefs[row + i] = st.beliefs[p.slot[i]].mean() as f32;
    }
}

/// Run the whole horizon in `st` (already reset) with stream `d`: months until `run.periods`
/// or the first major offensive, then the last beliefs carried forward to the horizon.
pub fn run_with<T: Trace>(p: &Prepared, st: &mut RunState, d: &mut Draws, trace: &mut T) {
    let periods = p.model.run().periods;
    while st.month < periods && !st.done {
        step_month(p, st, d, trace);
    }
    // After the first offensive the run is over: beliefs stay where they were.
    let g = p.model.guarantors().len();
    let last = st.month as usize;
    for t in last..periods as usize {
        for i in 0..g {
            st.record.beliefs[t * g + i] = st.record.beliefs[(last - 1) * g + i];
        }
    }
}

/// One complete run of prepared regime `p`: replicate `replicate` at design point `point` of
/// `seed`, on stream [`crate::stats::rng::stream_id`]`(point, replicate)`, without a trace.
pub fn run_one(p: &Prepared, seed: u64, point: u64, replicate: u64) -> RunRecord {
    let mut st = RunState::new(p);
    let mut d = Draws::new(seed, point, replicate);
    run_with(p, &mut st, &mut d, &mut NoTrace);
    st.record
}

/// The same run as [`run_one`], in a state `st` of the same prepared regime reused from an
/// earlier run (reset here): what the batch runner calls, so a worker allocates its states once
/// per task rather than once per run.
pub fn run_in(p: &Prepared, st: &mut RunState, seed: u64, point: u64, replicate: u64) -> RunRecord {
    st.reset(p);
    let mut d = Draws::new(seed, point, replicate);
    run_with(p, st, &mut d, &mut NoTrace);
    st.record.clone()
}

/// As [`run_in`], copying the record into `out` (its vectors reused: no allocation once `out`
/// has held a record of this model).
pub fn run_into(p: &Prepared, st: &mut RunState, seed: u64, point: u64, replicate: u64, out: &mut RunRecord) {
    st.reset(p);
    let mut d = Draws::new(seed, point, replicate);
    run_with(p, st, &mut d, &mut NoTrace);
    out.clone_from(&st.record);
}
