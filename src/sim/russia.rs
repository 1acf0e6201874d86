//! Where Russia chooses: each month hold, probe or major offensive, by logit choice over expected
//! utility computed from its Beta beliefs about each guarantor's resolve and its reference
//! expectations of how each type responds under the regime (docs/MODEL.md §7.7; the
//! expectations themselves are computed once per regime, §7.6, in [`crate::sim::prepared`]).

// Per-member quantities live in parallel tables indexed by guarantor.
#![allow(clippy::needless_range_loop)]

use crate::model::beliefs::Beta;
use crate::model::choice::{contest_expected, logit_probs, sample};
use crate::sim::prepared::{Expectation, Prepared};
use crate::sim::state::RunState;

/// Russia's monthly choice "hold": no crisis this month (U_hold = 0). An index into the
/// utility and probability arrays of [`russia_utilities`].
pub const HOLD: usize = 0;
/// Russia's monthly choice "probe": a limited attack at `probe_scale` of its strength; a crisis
/// that does not end the run (§7.7, §7.8).
pub const PROBE: usize = 1;
/// Russia's monthly choice "major offensive": a crisis at full strength that ends the run,
/// whether or not Ukraine holds (§3).
pub const OFFENSIVE: usize = 2;
/// The names of the choices, by index, as replays print them.
pub const RUSSIA_CHOICES: [&str; 3] = ["hold", "probe", "offensive"];

/// Mean and variance of the support Russia expects of one member: Hard with probability `mu`,
/// its support given the type following the reference mixture (moments m1 = `support`, m2 =
/// `support_sq`), all of it scaled by `speed` = mean(speed belief) / prior (docs/MODEL.md §7.7).
#[inline]
fn moments(mu: f64, speed: f64, [h, s]: &[Expectation; 2]) -> (f64, f64) {
    let mean = speed * (mu * h.support + (1.0 - mu) * s.support);
    let sq = speed * speed * (mu * h.support_sq + (1.0 - mu) * s.support_sq);
    (mean, (sq - mean * mean).max(0.0))
}

/// What Russia's utilities need of its beliefs, summed over the members (docs/MODEL.md §7.7):
/// the mean and variance of the support it expects of all members and of those a fired
/// tripwire does not force in an offensive, and of all members in a probe; P(no member
/// escalates) and the expected sanctions in each; and the information value of a probe.
/// They depend on the beliefs alone, not on Ukraine's capability.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BeliefSums {
    x_off: f64,
    v_off: f64,
    x_free: f64,
    v_free: f64,
    x_probe: f64,
    v_probe: f64,
    calm_off: f64,
    calm_probe: f64,
    s_off: f64,
    s_probe: f64,
    info: f64,
}

/// [`BeliefSums`] from resolve beliefs `beliefs` and speed beliefs `speed` (by slot).
pub fn belief_sums(p: &Prepared, beliefs: &[Beta], speed: &[Beta]) -> BeliefSums {
    let m = p.model;
    // Offensive support of all members and of those the tripwire does not force (mean, var).
    let (mut x_off, mut v_off, mut x_free, mut v_free) = (0.0, 0.0, 0.0, 0.0);
    let (mut x_probe, mut v_probe) = (0.0, 0.0);
    let (mut calm_off, mut calm_probe) = (1.0 - p.p_tripwire, 1.0);
    let (mut s_off, mut s_probe, mut info) = (0.0, 0.0, 0.0);
    let gs = m.guarantors();
    let n = gs.len();
    // Every per-member table sliced to n once, so the loop indexes them without checks.
    let (slots, offensive, tripwire, probe) = (
        &p.slot[..n],
        &p.expect_offensive[..n],
        &p.expect_tripwire[..n],
        &p.expect_probe[..n],
    );
    let (forced, info_weight) = (&p.tripwire_forced[..n], &p.info_weight[..n]);
    for i in 0..n {
        let g = &gs[i];
        let slot = slots[i];
        let b = &beliefs[slot];
        let mu = b.mean();
        let speed = speed[slot].mean() / p.speed_prior[slot];
        let e = &offensive[i];
        let (x, v) = moments(mu, speed, e);
        x_off += x;
        v_off += v;
        if !forced[i] {
            let (x, v) = moments(mu, speed, &tripwire[i]);
            x_free += x;
            v_free += v;
        }
        let [h, s] = e;
        calm_off *= 1.0 - (mu * h.escalation + (1.0 - mu) * s.escalation);
        s_off += (mu * h.sanctions + (1.0 - mu) * s.sanctions) * g.economic_weight;
        let e = &probe[i];
        let (x, v) = moments(mu, speed, e);
        x_probe += x;
        v_probe += v;
        let [h, s] = e;
        calm_probe *= 1.0 - (mu * h.escalation + (1.0 - mu) * s.escalation);
        s_probe += (mu * h.sanctions + (1.0 - mu) * s.sanctions) * g.economic_weight;
        info += info_weight[i] * b.sd();
    }
    BeliefSums {
        x_off,
        v_off,
        x_free,
        v_free,
        x_probe,
        v_probe,
        calm_off,
        calm_probe,
        s_off,
        s_probe,
        info,
    }
}

/// Whether every belief is still at its prior (nothing observed yet in this run, or forgetting
/// brought it back exactly): then [`Prepared::russia_prior`] holds its [`BeliefSums`].
#[inline]
fn at_prior(st: &RunState) -> bool {
    st.beliefs
        .iter()
        .chain(&st.speed)
        .all(|b| b.alpha == b.alpha0 && b.beta == b.beta0)
}

/// Russia's expected utilities of (hold, probe, offensive), in utils, and its logit choice
/// probabilities at precision `russia.lambda`, from its current beliefs and Ukraine's current
/// capability (docs/MODEL.md §7.7).
///
/// Its P(Ukraine holds) is an expectation over the support it expects, E[C(d·K + X, A)], by
/// 2-point Gauss–Hermite on the mean and variance of X = Σ_i x_i ([`contest_expected`]). In an
/// offensive the tripwire fires with p_trip and then replaces the troop contributors' choice:
/// hold_off = (1 − p_trip)·E[C(B + X_all)] + p_trip·E[C(B + T_trip + X_¬T)], X_¬T without them.
///
/// Cache: while every belief is at its prior (the months before the run's first crisis) the
/// sums over the members are the ones computed once per regime, [`Prepared::russia_prior`]
/// (the same numbers: the beliefs are then exactly the priors it was computed from); any
/// observation invalidates it, detected by comparing each belief with its prior.
pub fn russia_utilities(p: &Prepared, st: &RunState) -> ([f64; 3], [f64; 3]) {
    let m = p.model;
    let ru = &m.russia();
    let exponent = m.crisis().contest_exponent;
    let base = m.ukraine().defence_multiplier * st.capability;
    let b = if at_prior(st) {
        p.russia_prior
    } else {
        belief_sums(p, &st.beliefs, &st.speed)
    };
    let mut hold_off =
        (1.0 - p.p_tripwire) * contest_expected(base + b.x_off, b.v_off, ru.strength, exponent);
    if p.p_tripwire > 0.0 {
        hold_off += p.p_tripwire
            * contest_expected(
                base + p.tripwire_support + b.x_free,
                b.v_free,
                ru.strength,
                exponent,
            );
    }
    let hold_probe = contest_expected(
        base + b.x_probe,
        b.v_probe,
        ru.strength * ru.probe_scale,
        exponent,
    );
    let u = [
        0.0,
        ru.probe_gain * (1.0 - hold_probe)
            - ru.probe_cost
            - ru.sanctions_weight * ru.probe_scale * b.s_probe
            - ru.war_cost * (1.0 - b.calm_probe)
            + ru.info_value * b.info,
        p.regime.provocation + ru.offensive_gain * (1.0 - hold_off)
            - ru.combat_cost
            - ru.sanctions_weight * b.s_off
            - ru.war_cost * (1.0 - b.calm_off),
    ];
    let mut probs = [0.0; 3];
    logit_probs(&u, ru.lambda, &mut probs);
    (u, probs)
}

/// Russia's choice this month with uniform `u`: (utilities, probabilities, choice).
#[inline]
pub fn choose(p: &Prepared, st: &RunState, u: f64) -> ([f64; 3], [f64; 3], usize) {
    let (utilities, probs) = russia_utilities(p, st);
    (utilities, probs, sample(&probs, u))
}
