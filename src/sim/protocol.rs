//! A crisis on the hourly clock: a probe or a major offensive, from the guarantors' types to
//! Ukraine holding or not.
//!
//! Each guarantor is Hard or Soft this time; a tripwire force may put its contributors at war at
//! hour 0 (Schelling's threat that leaves something to chance); the others decide under the
//! regime's protocol, a game (docs/MODEL.md §7.10): separate consultations, every guarantor
//! deciding at the consultation hour without seeing the others, at the quantal response
//! equilibrium of that simultaneous game ([`crate::sim::qre`]); or one meeting by a deadline, a
//! tour de table of public commitments with last calls ([`crate::sim::meeting`]). Support
//! arriving at hour h counts exp(-ln 2 h / half-life); the Tullock contest decides whether
//! Ukraine holds; Russia updates its beliefs from what it saw and the run's tallies record who
//! paid and who waited.

use crate::model::choice::contest;
use crate::model::choice::sample;
use crate::model::regimes::Protocol;
use crate::sim::guarantor::{OFFENSIVE_KIND, PROBE_KIND};
use crate::sim::meeting::{draw_choice, Tour};
use crate::sim::prepared::{Prepared, VoteSpec, MAXOPT, NOTHING, TRIPWIRE_REFERENCE};
use crate::sim::qre::{self, Setting};
use crate::sim::state::RunState;
use crate::sim::trace::CrisisView;
use crate::sim::vote::{self, Voter};
use crate::stats::rng::Draws;

/// Who attacks whom with what in one crisis: fixed from its start to its end.
#[derive(Debug, Clone, Copy)]
struct Stakes {
    offensive: bool,
    /// The crisis kind (`OFFENSIVE_KIND` or `PROBE_KIND`).
    kind: usize,
    /// Russia's strength in this crisis.
    attacker: f64,
    /// Ukraine's own effective strength.
    base: f64,
}

/// Resolve a crisis (a probe, or an offensive if `offensive`) on the hourly clock; update
/// Russia's beliefs and the run's tallies (docs/MODEL.md §7.8, beliefs §7.9). Ends the run
/// after an offensive; after a probe adds to Ukraine's threat memory and applies the probe
/// damage if Ukraine did not hold. Each guarantor's choice probabilities are left in
/// `st.probs` for a trace.
pub fn crisis(p: &Prepared, st: &mut RunState, d: &mut Draws, offensive: bool) -> CrisisView {
    crisis_in(p, st, d, offensive, true)
}

/// [`crisis`], writing each guarantor's choice probabilities to `st.probs` only if `probs`
/// (the engine passes [`crate::sim::trace::Trace::PROBS`]: the batch's runs read none; the
/// same draws and results either way).
pub fn crisis_in(p: &Prepared, st: &mut RunState, d: &mut Draws, offensive: bool, probs: bool) -> CrisisView {
    let ru = p.model.russia();
    let scale = if offensive { 1.0 } else { ru.probe_scale };
    let s = Stakes {
        offensive,
        kind: if offensive { OFFENSIVE_KIND } else { PROBE_KIND },
        attacker: ru.strength * scale,
        base: p.model.ukraine().defence_multiplier * st.capability,
    };
    let (tripwire, u_combat) = open(p, st, d, offensive, probs);
    match &p.regime.protocol {
        Protocol::Meeting { rounds, .. } => joint_meeting(p, st, d, &s, tripwire, *rounds, probs),
        Protocol::Separate { .. } => separate_decisions(p, st, d, &s, probs),
    }
    settle(p, st, &s, tripwire, u_combat)
}

/// The crisis opens: each guarantor is Hard or Soft this time, the tripwire fires or not (an
/// offensive only), and the tripwire's troop contributors are at war at hour 0. Returns whether
/// the tripwire fired and the uniform that will decide the contest.
fn open(p: &Prepared, st: &mut RunState, d: &mut Draws, offensive: bool, probs: bool) -> (bool, f64) {
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
    if probs {
        st.probs.fill(0.0);
    }
    if let (true, Some(o)) = (tripwire, p.tripwire_option) {
        let effect = o.response().map_or(0.0, |r| m.responses()[r].effect);
        for (i, g) in m.guarantors().iter().enumerate() {
            if g.troops {
                st.forced[i] = true;
                st.choice[i] = o;
                st.arrival[i] = 0.0;
                st.contrib[i] = effect * g.capability;
                if probs {
                    st.probs[i * MAXOPT + o.index()] = 1.0;
                }
            }
        }
    }
    (tripwire, u_combat)
}

/// Record guarantor `i`'s choice at menu position `k`, and if `probs` its probabilities `q`
/// (by menu position).
#[inline]
fn commit(p: &Prepared, st: &mut RunState, i: usize, k: usize, q: &[f64], probs: bool) {
    let menu = &p.game.menus[i];
    st.choice[i] = menu.options[k];
    st.contrib[i] = menu.x[k];
    st.arrival[i] = menu.arrival[k];
    if !probs {
        return;
    }
    let row = &mut st.probs[i * MAXOPT..(i + 1) * MAXOPT];
    row.fill(0.0);
    for (j, &o) in menu.options.iter().enumerate() {
        row[o.index()] = q[j];
    }
}

/// A joint meeting by the deadline (§7.10): the tour de table in the speaking order, each
/// speaker seeing the record and anticipating those after it (the continuation tables of
/// [`crate::sim::meeting`]), then up to `rounds - 1` last calls to those who passed, each
/// treating the record as final; a call in which nobody commits closes the meeting. One uniform
/// per speaker and call.
fn joint_meeting(
    p: &Prepared,
    st: &mut RunState,
    d: &mut Draws,
    s: &Stakes,
    tripwire: bool,
    rounds: u32,
    probs: bool,
) {
    let Some(tables) = &p.meeting else { return };
    let tour: &Tour = match (s.offensive, tripwire) {
        (true, false) => &tables.offensive,
        (true, true) => &tables.tripwire,
        (false, _) => &tables.probe,
    };
    let g = &p.game;
    let hour = p.regime.decision_hours();
    let mut w = s.base + st.contrib.iter().sum::<f64>();
    let mut n = st.forced.iter().filter(|&&f| f).count();
    let (mut u, mut q) = ([0.0; MAXOPT], [0.0; MAXOPT]);
    let case = match (s.offensive, tripwire) {
        (true, false) => OFFENSIVE_KIND,
        (true, true) => TRIPWIRE_REFERENCE,
        (false, _) => PROBE_KIND,
    };
    let adopted = match &p.vote {
        Some(v) => package_vote(p, st, d, s, tour, case, w, n, v),
        None => false,
    };
    if let (true, Some(v)) = (adopted, &p.vote) {
        // The package binds every bound member; the others are called in the last calls.
        for i in 0..g.menus.len() {
            if let (false, Some(k)) = (st.forced[i], v.package[i]) {
                st.decide_at[i] = hour;
                q[..g.menus[i].len()].fill(0.0);
                q[k] = 1.0;
                commit(p, st, i, k, &q[..g.menus[i].len()], probs);
                w += g.menus[i].x[k];
                n += usize::from(g.menus[i].honours[k]);
            }
        }
    } else {
        for node in 0..tour.speakers.len() {
            let i = tour.speakers[node];
            let draw = d.uniform();
            if st.forced[i] {
                continue;
            }
            st.decide_at[i] = hour;
            let nk = g.menus[i].len();
            tour.utilities(g, node, st.hard[i], w, n, &mut u[..nk]);
            let k = draw_choice(&u[..nk], g.menus[i].lambda, draw, &mut q[..nk]);
            commit(p, st, i, k, &q[..nk], probs);
            w += g.menus[i].x[k];
            n += usize::from(g.menus[i].honours[k]);
            st.record.decisions += 1;
        }
    }
    // After an adopted package the others get every call; after a tour, rounds - 1 last calls.
    for _ in u32::from(!adopted)..rounds {
        let mut any = false;
        for node in 0..tour.speakers.len() {
            let i = tour.speakers[node];
            if st.forced[i] || st.choice[i] != NOTHING {
                continue;
            }
            let draw = d.uniform();
            st.decide_at[i] = hour;
            let nk = g.menus[i].len();
            let others = n as f64;
            g.utilities(
                i,
                st.hard[i],
                s.kind,
                |_, x, h| (g.hold(s.kind, w + x), g.phi((n + usize::from(h)) as f64), others),
                &mut u[..nk],
            );
            let k = draw_choice(&u[..nk], g.menus[i].lambda, draw, &mut q[..nk]);
            st.record.decisions += 1;
            if k == 0 {
                continue;
            }
            commit(p, st, i, k, &q[..nk], probs);
            w += g.menus[i].x[k];
            n += usize::from(g.menus[i].honours[k]);
            any = true;
        }
        if !any {
            break;
        }
    }
}

/// The package vote of a meeting under consensus or qmv (§7.10 "Decision rules"): each voter
/// compares its utility when the package is carried out (every bound member giving its package
/// option, against the resulting record) with its expected utility in the fallback tour de table
/// (the continuation at the tour's start, with its own play there as Russia's reference
/// expects it); the voters vote at the voting QRE, one uniform each. Returns whether the
/// package is adopted.
#[allow(clippy::too_many_arguments)]
fn package_vote(
    p: &Prepared,
    st: &mut RunState,
    d: &mut Draws,
    s: &Stakes,
    tour: &Tour,
    case: usize,
    w0: f64,
    n0: usize,
    v: &VoteSpec,
) -> bool {
    let g = &p.game;
    // The record if the package is carried out.
    let (mut wp, mut np) = (w0, n0);
    for i in 0..g.menus.len() {
        if let (false, Some(k)) = (st.forced[i], v.package[i]) {
            wp += g.menus[i].x[k];
            np += usize::from(g.menus[i].honours[k]);
        }
    }
    let start = tour.at(0, w0, n0);
    let others = (g.menus.len() - 1) as f64;
    let mut u = [0.0; MAXOPT];
    st.voters.clear();
    for (slot, &i) in v.voters.iter().enumerate() {
        let menu = &g.menus[i];
        let nk = menu.len();
        let mut gain = [0.0; 2];
        for (t, hard) in [true, false].into_iter().enumerate() {
            // Carried out: its package option (nothing if it has none) against the package record.
            let (mine_x, mine_h) = match v.package[i] {
                Some(k) if !st.forced[i] => (menu.x[k], menu.honours[k]),
                _ => (0.0, false),
            };
            let (w_rest, n_rest) = (wp - mine_x, np - usize::from(mine_h));
            g.utilities(
                i,
                hard,
                s.kind,
                |_, x, h| {
                    (
                        g.hold(s.kind, w_rest + x),
                        g.phi((n_rest + usize::from(h)) as f64),
                        n_rest as f64,
                    )
                },
                &mut u[..nk],
            );
            let carried = u[v.package[i].unwrap_or(0)];
            // The fallback: the tour's value from its start, with its own reference play.
            let play = &p.reference_play[case][i][t];
            let mut fallback = menu.value[s.kind][t] * start[0];
            #[allow(clippy::needless_range_loop)]
            for k in 0..nk {
                let psi = if others > 0.0 {
                    1.0 - g.beta + g.beta * start[2] / others
                } else {
                    1.0
                };
                let mut c = menu.fixed[t][k] - menu.escalation[k] * start[1];
                if !menu.honours[k] {
                    c -= menu.audience * psi;
                }
                fallback += play[k] * c;
            }
            gain[t] = carried - fallback;
        }
        st.voters.push(Voter {
            gain,
            lambda: menu.lambda,
            p_hard: st.p_hard[i],
            weight: v.weights[slot],
        });
    }
    vote::solve(&st.voters, v.count, &mut st.vote_yes, &mut st.vote_work);
    for (slot, &i) in v.voters.iter().enumerate() {
        let y = st.vote_yes[slot][usize::from(!st.hard[i])];
        st.votes[slot] = d.uniform() < y;
        st.record.decisions += 1;
    }
    vote::adopted(&st.voters, v.count, &st.votes)
}

/// Separate consultations (§7.10): every non-forced guarantor decides at the consultation hour
/// without seeing the others (a fired tripwire is common knowledge), each drawing from its
/// strategy in the quantal response equilibrium of that simultaneous game, warm-started from the
/// regime's reference equilibrium. One uniform per guarantor.
fn separate_decisions(p: &Prepared, st: &mut RunState, d: &mut Draws, s: &Stakes, probs: bool) {
    let g = &p.game;
    let ng = g.menus.len();
    let hour = p.regime.decision_hours();
    let forced_count = st.forced.iter().filter(|&&f| f).count() as f64;
    let start = if forced_count > 0.0 {
        TRIPWIRE_REFERENCE
    } else {
        s.kind
    };
    let block = st.sigma.len();
    st.sigma
        .copy_from_slice(&st.warm[start * block..(start + 1) * block]);
    let setting = Setting {
        kind: s.kind,
        seen: s.base + st.contrib.iter().sum::<f64>(),
        forced_count,
        forced: &st.forced,
        p_hard: &st.p_hard,
        lattice: p.lattice,
        lambda_scale: 1.0,
    };
    let crisis = p.model.crisis();
    let solved = qre::solve(
        g,
        &setting,
        crisis.qre_tolerance,
        crisis.qre_max_iterations,
        &mut st.sigma,
        &mut st.qre_work,
    );
    st.record.qre_capped += u32::from(!solved.converged);
    st.record.qre_iterations += solved.iterations;
    st.warm[start * block..(start + 1) * block].copy_from_slice(&st.sigma);
    let mut q = [0.0; MAXOPT];
    for i in 0..ng {
        let draw = d.uniform();
        if st.forced[i] {
            continue;
        }
        st.decide_at[i] = hour;
        let nk = g.menus[i].len();
        let b = qre::at(i, usize::from(!st.hard[i]));
        q[..nk].copy_from_slice(&st.sigma[b..b + nk]);
        let k = sample(&q[..nk], draw);
        commit(p, st, i, k, &q[..nk], probs);
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
