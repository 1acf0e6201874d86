//! Where a guarantor chooses: its utilities over its menu of responses in a crisis (the value of
//! Ukraine holding, cost, escalation risk, audience cost of backing down, solidarity) and its
//! logit choice among them; also what Russia expects a guarantor of each type to do in a
//! reference crisis. The protocol that decides who sees what, and when, is
//! [`crate::sim::protocol`]. docs/MODEL.md §7.5 (utilities) and §7.6 (Russia's expectations).

use crate::model::actors::Guarantor;
use crate::model::choice::{contest, logit_probs, sample};
use crate::sim::prepared::{Expectation, OptionId, Prepared, MAXOPT};
use crate::sim::state::RunState;

impl Prepared<'_> {
    /// Guarantor `i`'s utilities over its options (docs/MODEL.md §7.5), written to `u` in the
    /// order of `self.options[i]` (and the time-weighted support and arrival hour of each option
    /// to `x` and `arr`; nothing gives 0 support and arrives never, at infinity). `hard` is its
    /// type, `scale` the crisis size (1 for an offensive, `probe_scale` for a probe), `others`
    /// the support the others give (O_i, S-units), `base` Ukraine's own effective strength d·K,
    /// `attacker` Russia's strength in this crisis S·scale, `decide_at` the hour of the
    /// decision. The three slices must be as long as its menu.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn utilities(
        &self,
        i: usize,
        hard: bool,
        scale: f64,
        base: f64,
        others: f64,
        attacker: f64,
        decide_at: f64,
        u: &mut [f64],
        x: &mut [f64],
        arr: &mut [f64],
    ) {
        let m = self.model;
        let g: &Guarantor = &m.guarantors()[i];
        let exponent = m.crisis().contest_exponent;
        let v = g.value(hard, scale);
        let p0 = contest(base + others, attacker, exponent);
        let ac = if self.bound[i] {
            self.regime.audience_cost * g.audience_sensitivity
        } else {
            0.0
        };
        for (k, &o) in self.options[i].iter().enumerate() {
            let Some(r) = o.response() else {
                u[k] = -ac;
                x[k] = 0.0;
                arr[k] = f64::INFINITY;
                continue;
            };
            let r = &m.responses()[r];
            let honours = self.honours[o.index()];
            let t = decide_at + r.delay_hours;
            let support = r.effect * g.capability * self.timeliness(t);
            let gain = v * (contest(base + others + support, attacker, exponent) - p0);
            let reneged = if honours { 0.0 } else { ac };
            let stood_by = if honours && hard {
                g.solidarity * g.threat
            } else {
                0.0
            };
            u[k] = gain + stood_by - g.cost_weight * r.cost - g.escalation_aversion * r.escalation - reneged;
            x[k] = support;
            arr[k] = t;
        }
    }

    /// What Russia expects guarantor `i` of the given type to do in a reference crisis: Ukraine
    /// at its initial capability, no other support, decisions at the regime's expected hour.
    pub(crate) fn reference(&self, i: usize, hard: bool, scale: f64, base: f64, t: f64) -> Expectation {
        let n = self.options[i].len();
        let (mut u, mut x, mut a, mut p) = ([0.0; MAXOPT], [0.0; MAXOPT], [0.0; MAXOPT], [0.0; MAXOPT]);
        let attacker = self.model.russia().strength * scale;
        self.utilities(
            i,
            hard,
            scale,
            base,
            0.0,
            attacker,
            t,
            &mut u[..n],
            &mut x[..n],
            &mut a[..n],
        );
        logit_probs(&u[..n], self.model.guarantors()[i].lambda, &mut p[..n]);
        let mut e = Expectation::default();
        for k in 0..n {
            let o = self.options[i][k];
            let Some(r) = o.response() else {
                continue;
            };
            let r = &self.model.responses()[r];
            if self.honours[o.index()] {
                e.honour += p[k];
                e.honour_timeliness += p[k] * self.timeliness(a[k]);
            }
            e.support += p[k] * x[k];
            e.support_sq += p[k] * x[k] * x[k];
            e.escalation += p[k] * r.escalation;
            e.sanctions += p[k] * r.sanctions;
        }
        e
    }
}

/// Guarantor `i` chooses in a crisis: its utilities given the support `others` give, deciding at
/// hour `at`, then a logit draw at its precision λ_g with uniform `draw` (docs/MODEL.md §7.5;
/// the other arguments as in [`Prepared::utilities`], its type from `st.hard`). Writes its
/// choice probabilities (by option id) to `st.probs` and returns (option id, time-weighted
/// support, arrival hour).
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn choose(
    p: &Prepared,
    st: &mut RunState,
    i: usize,
    scale: f64,
    base: f64,
    others: f64,
    attacker: f64,
    at: f64,
    draw: f64,
) -> (OptionId, f64, f64) {
    let (mut u, mut x, mut a, mut pr) = ([0.0; MAXOPT], [0.0; MAXOPT], [0.0; MAXOPT], [0.0; MAXOPT]);
    let n = p.options[i].len();
    p.utilities(
        i,
        st.hard[i],
        scale,
        base,
        others,
        attacker,
        at,
        &mut u[..n],
        &mut x[..n],
        &mut a[..n],
    );
    logit_probs(&u[..n], p.model.guarantors()[i].lambda, &mut pr[..n]);
    let k = sample(&pr[..n], draw);
    let row = &mut st.probs[i * MAXOPT..(i + 1) * MAXOPT];
    row.fill(0.0);
    for (j, &o) in p.options[i].iter().enumerate() {
        row[o.index()] = pr[j];
    }
    (p.options[i][k], x[k], a[k])
}
