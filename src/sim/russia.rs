//! Where Russia chooses: each month hold, probe or major offensive, by logit choice over expected
//! utility computed from its Beta beliefs about each guarantor's resolve and its reference
//! expectations of how each type responds under the regime (docs/MODEL.md §7.7; the
//! expectations themselves are computed once per regime, §7.6, in [`crate::sim::prepared`]).

// Per-member quantities live in parallel tables indexed by guarantor.
#![allow(clippy::needless_range_loop)]

use crate::model::choice::{contest_expected, logit_probs, sample};
use crate::sim::prepared::{belief_sums, Prepared};
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
