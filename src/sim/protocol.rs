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

/// Resolve a crisis (a probe, or an offensive) on the hourly clock; update Russia's beliefs and
/// the run's tallies.
pub fn crisis(p: &Prepared, st: &mut RunState, d: &mut Draws, offensive: bool) -> CrisisView {
    let m = p.model;
    let ng = m.guarantors().len();
    let nopt = m.responses().len() + 1;
    let scale = if offensive { 1.0 } else { m.russia().probe_scale };
    let attacker = m.russia().strength * scale;
    let base = m.ukraine().defence_multiplier * st.capability;

    for i in 0..ng {
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
        for (i, g) in m.guarantors().iter().enumerate() {
            if g.troops {
                st.forced[i] = true;
                st.choice[i] = o;
                st.arrival[i] = 0.0;
                st.contrib[i] = m.responses()[o - 1].effect * g.capability;
                st.probs[i * MAXOPT + o] = 1.0;
            }
        }
    }

    match p.regime.protocol {
        Protocol::Joint {
            deadline_hours,
            rounds,
        } => {
            st.decide_at.fill(deadline_hours);
            for _ in 0..rounds {
                let total: f64 = st.contrib.iter().sum();
                for i in 0..ng {
                    if st.forced[i] {
                        st.next[i] = st.contrib[i];
                        continue;
                    }
                    let draw = d.uniform();
                    let (o, xi, ai) = guarantor::choose(
                        p,
                        st,
                        i,
                        scale,
                        base,
                        total - st.contrib[i],
                        attacker,
                        deadline_hours,
                        draw,
                    );
                    st.choice[i] = o;
                    st.next[i] = xi;
                    st.arrival[i] = ai;
                }
                std::mem::swap(&mut st.contrib, &mut st.next);
            }
        }
        Protocol::Independent { mean_delay_hours } => {
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
                let (o, xi, ai) = guarantor::choose(p, st, i, scale, base, committed, attacker, at, draw);
                st.choice[i] = o;
                st.contrib[i] = xi;
                st.arrival[i] = ai;
                committed += xi;
            }
        }
    }

    let support: f64 = st.contrib.iter().sum();
    st.record.decisions += match p.regime.protocol {
        Protocol::Joint { rounds, .. } => rounds * ng as u32,
        Protocol::Independent { .. } => ng as u32,
    };
    let p_hold = contest(base + support, attacker, m.crisis().contest_exponent);
    let held = u_combat < p_hold;

    let rec = &mut st.record;
    rec.crises += 1;
    rec.support += support;
    let mut first = f64::INFINITY;
    let mut persistent = 0.0;
    for i in 0..ng {
        let o = st.choice[i];
        rec.called[i] += 1;
        rec.responses[i * nopt + o] += 1;
        let honoured = o != NOTHING && m.responses()[o - 1].honours;
        if o != NOTHING {
            let r = &m.responses()[o - 1];
            rec.cost[i] += r.cost * m.guarantors()[i].milex_usd_bn;
            persistent += r.persistent * st.contrib[i];
        }
        if honoured {
            rec.honoured[i] += 1;
            rec.arrival_hours[i] += st.arrival[i];
            first = first.min(st.arrival[i]);
        }
        if p.bound[i] {
            rec.commitments += 1;
            rec.commitments_honoured += u32::from(honoured);
        }
        let seen = if honoured {
            p.timeliness(st.arrival[i])
        } else {
            0.0
        };
        st.beliefs[p.slot[i]].observe(seen, p.slot_weight[i]);
    }
    if first.is_finite() {
        rec.response_hours += first;
        rec.responses_timed += 1;
    }
    st.capability += persistent;
    if offensive {
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
        offensive,
        tripwire,
        support,
        p_hold,
        held,
    }
}
