//! A crisis on the hourly clock: a probe or a major offensive, from the guarantors' types to
//! Ukraine holding or not.
//!
//! Each guarantor is Hard or Soft this time; a tripwire force may put its contributors at war at
//! hour 0 (Schelling's threat that leaves something to chance); the others decide under the
//! regime's protocol (jointly, in rounds by a deadline, each seeing the others' provisional
//! commitments; or alone, each at its own exponential time, seeing only what is already
//! committed); support arriving at hour h counts exp(-ln 2 h / half-life); the Tullock contest
//! decides whether Ukraine holds; Russia updates its Beta beliefs from what it saw (late support
//! counts as partly honoured) and the run's tallies record who paid and who waited.

use crate::model::choice::contest;
use crate::model::regimes::Protocol;
use crate::sim::guarantor;
use crate::sim::prepared::{Prepared, MAXOPT, NOTHING};
use crate::sim::state::RunState;
use crate::sim::trace::CrisisView;
use crate::stats::rng::Draws;

/// Who attacks whom with what in one crisis: fixed from its start to its end.
#[derive(Debug, Clone, Copy)]
struct Stakes {
    offensive: bool,
    /// Russia's effort relative to a major offensive (1, or the probe scale).
    scale: f64,
    /// Russia's strength in this crisis.
    attacker: f64,
    /// Ukraine's own effective strength.
    base: f64,
}

/// Resolve a crisis (a probe, or an offensive if `offensive`) on the hourly clock; update
/// Russia's beliefs and the run's tallies (docs/MODEL.md §7.8, beliefs §7.9). Ends the run
/// after an offensive; after a probe adds to Ukraine's threat memory and applies the probe
/// damage if Ukraine did not hold.
pub fn crisis(p: &Prepared, st: &mut RunState, d: &mut Draws, offensive: bool) -> CrisisView {
    let ru = p.model.russia();
    let scale = if offensive { 1.0 } else { ru.probe_scale };
    let s = Stakes {
        offensive,
        scale,
        attacker: ru.strength * scale,
        base: p.model.ukraine().defence_multiplier * st.capability,
    };
    let (tripwire, u_combat) = open(p, st, d, offensive);
    match p.regime.protocol {
        Protocol::Joint {
            deadline_hours,
            rounds,
        } => joint_meeting(p, st, d, &s, deadline_hours, rounds),
        Protocol::Independent { mean_delay_hours } => separate_decisions(p, st, d, &s, mean_delay_hours),
    }
    settle(p, st, &s, tripwire, u_combat)
}

/// The crisis opens: each guarantor is Hard or Soft this time, the tripwire fires or not (an
/// offensive only), and the tripwire's troop contributors are at war at hour 0. Returns whether
/// the tripwire fired and the uniform that will decide the contest.
fn open(p: &Prepared, st: &mut RunState, d: &mut Draws, offensive: bool) -> (bool, f64) {
    let m = p.model;
    for i in 0..m.guarantors().len() {
        st.hard[i] = d.uniform() < st.p_hard[i];
    }
    let u_tripwire = d.uniform();
    let u_combat = d.uniform();
    let tripwire = offensive && p.p_tripwire > 0.0 && u_tripwire < p.p_tripwire;

    st.contrib.fill(0.0);
    st.choice.fill(NOTHING);
    st.arrival.fill(f64::INFINITY);
    st.forced.fill(false);
    st.probs.fill(0.0);
    if let (true, Some(o)) = (tripwire, p.tripwire_option) {
        let effect = o.response().map_or(0.0, |r| m.responses()[r].effect);
        for (i, g) in m.guarantors().iter().enumerate() {
            if g.troops {
                st.forced[i] = true;
                st.choice[i] = o;
                st.arrival[i] = 0.0;
                st.contrib[i] = effect * g.capability;
                st.probs[i * MAXOPT + o.index()] = 1.0;
            }
        }
    }
    (tripwire, u_combat)
}

/// A joint meeting by the deadline: in each of `rounds` rounds every guarantor not already at war
/// responds to the others' provisional commitments of the previous round; all decide at the
/// deadline hour.
fn joint_meeting(
    p: &Prepared,
    st: &mut RunState,
    d: &mut Draws,
    s: &Stakes,
    deadline_hours: f64,
    rounds: u32,
) {
    let ng = p.model.guarantors().len();
    st.decide_at.fill(deadline_hours);
    for _ in 0..rounds {
        let total: f64 = st.contrib.iter().sum();
        for i in 0..ng {
            if st.forced[i] {
                st.next[i] = st.contrib[i];
                continue;
            }
            let draw = d.uniform();
            let others = total - st.contrib[i];
            let (o, xi, ai) = guarantor::choose(
                p,
                st,
                i,
                s.scale,
                s.base,
                others,
                s.attacker,
                deadline_hours,
                draw,
            );
            st.choice[i] = o;
            st.next[i] = xi;
            st.arrival[i] = ai;
        }
        std::mem::swap(&mut st.contrib, &mut st.next);
    }
    st.record.decisions += rounds * ng as u32;
}

/// Separate decisions: each guarantor decides alone at its own exponential time (mean
/// `mean_delay_hours`), seeing only what is already committed.
fn separate_decisions(p: &Prepared, st: &mut RunState, d: &mut Draws, s: &Stakes, mean_delay_hours: f64) {
    let ng = p.model.guarantors().len();
    for i in 0..ng {
        st.decide_at[i] = mean_delay_hours * d.exponential();
    }
    for (k, o) in st.order.iter_mut().enumerate() {
        *o = k;
    }
    let times = &st.decide_at;
    st.order
        .sort_unstable_by(|&a, &b| times[a].total_cmp(&times[b]).then(a.cmp(&b)));
    let mut committed: f64 = st.contrib.iter().sum();
    for k in 0..ng {
        let i = st.order[k];
        let draw = d.uniform();
        if st.forced[i] {
            continue;
        }
        let at = st.decide_at[i];
        let (o, xi, ai) = guarantor::choose(p, st, i, s.scale, s.base, committed, s.attacker, at, draw);
        st.choice[i] = o;
        st.contrib[i] = xi;
        st.arrival[i] = ai;
        committed += xi;
    }
    st.record.decisions += ng as u32;
}

/// The crisis ends: the contest decides whether Ukraine holds, the run's tallies record who was
/// called, who honoured, who paid and who waited, and Russia updates its beliefs from what it saw
/// (resolve: whether each member that decided honoured; speed: how timely its honouring support
/// was).
fn settle(p: &Prepared, st: &mut RunState, s: &Stakes, tripwire: bool, u_combat: f64) -> CrisisView {
    let m = p.model;
    let nopt = m.responses().len() + 1;
    let support: f64 = st.contrib.iter().sum();
    let p_hold = contest(s.base + support, s.attacker, m.crisis().contest_exponent);
    let held = u_combat < p_hold;

    let rec = &mut st.record;
    rec.crises += 1;
    rec.support += support;
    let mut first = f64::INFINITY;
    let mut persistent = 0.0;
    for i in 0..m.guarantors().len() {
        let o = st.choice[i];
        rec.called[i] += 1;
        rec.responses[i * nopt + o.index()] += 1;
        let response = o.response().map(|r| &m.responses()[r]);
        let honoured = p.honours[o.index()];
        let forced = st.forced[i];
        rec.forced[i] += u32::from(forced);
        if let Some(r) = response {
            rec.cost[i] += r.cost * m.guarantors()[i].milex_usd_bn;
            persistent += r.persistent * st.contrib[i];
        }
        if honoured {
            rec.honoured[i] += 1;
            rec.arrival_hours[i] += st.arrival[i];
            first = first.min(st.arrival[i]);
        }
        // A forced tripwire is not a decision: only the calls a bound member decided count.
        if p.bound[i] && !forced {
            rec.commitments += 1;
            rec.commitments_honoured += u32::from(honoured);
        }
        // Resolve (whether it honoured) and speed (how timely, given that it did), from the
        // members that decided; a forced tripwire says nothing about resolve.
        if !forced {
            let slot = p.slot[i];
            st.beliefs[slot].observe(f64::from(u8::from(honoured)), p.slot_weight[i]);
            if honoured {
                st.speed[slot].observe(p.timeliness(st.arrival[i]), p.slot_weight[i]);
            }
        }
    }
    if first.is_finite() {
        rec.response_hours += first;
        rec.responses_timed += 1;
    }
    st.capability += persistent;
    if s.offensive {
        rec.offensive_month = Some(st.month);
        rec.held = held;
        st.done = true;
    } else {
        rec.probes += 1;
        rec.probe_months[st.month as usize] = 1;
        st.threat_memory += 1.0;
        if !held {
            st.capability *= 1.0 - m.ukraine().probe_damage;
        }
    }
    CrisisView {
        offensive: s.offensive,
        tripwire,
        support,
        p_hold,
        held,
    }
}
