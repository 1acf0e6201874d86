//! Where Ukraine chooses: each month whether to mobilise, by logit choice weighing the danger of
//! losing a contest at its current capability (plus the memory of recent probes) against the
//! cost; then its capability moves with aid, mobilisation and reversion (docs/MODEL.md §7.4).

use crate::model::choice::{contest, logistic};
use crate::sim::prepared::Prepared;
use crate::sim::state::RunState;

/// Ukraine's posture this month with uniform `u_ukraine`, given the peacetime `aid` of the
/// guarantors; moves its capability. Returns (P(mobilise), mobilised).
#[inline]
pub fn choose(p: &Prepared, st: &mut RunState, aid: f64, u_ukraine: f64) -> (f64, bool) {
    let m = p.model;
    // 2. Ukraine's posture and capability.
    let uk = &m.ukraine();
    let attacker = m.russia().strength;
    let danger = 1.0
        - contest(
            uk.defence_multiplier * st.capability,
            attacker,
            m.crisis().contest_exponent,
        );
    let u_mob = uk.mobilisation_value * (danger + st.threat_memory) - uk.mobilisation_cost;
    let p_mob = logistic(uk.lambda * u_mob);
    let mobilised = u_ukraine < p_mob;
    st.capability += uk.reversion * (uk.base_capability - st.capability)
        + uk.aid_effect * aid
        + if mobilised { uk.mobilisation_gain } else { 0.0 };
    (p_mob, mobilised)
}
