//! How actors choose: logit quantal response over expected utilities, best response as its
//! limit, and the contest success function that turns strengths into a probability of holding.
//!
//! Logit choice (McKelvey & Palfrey 1995): P(a) is proportional to exp(lambda * U(a)). lambda = 0
//! is uniform play; lambda = infinity is best response (ties split evenly). Adding a constant to
//! every utility changes no probability. docs/MODEL.md §4 ("Basic principles") and §7.1 (the
//! contest); §11 check 4.

use crate::stats::maths;

/// The logistic function 1 / (1 + e^-x).
#[inline]
pub fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + maths::exp(-x))
}

/// Logit choice probabilities of `utilities` at precision `lambda`, written to `out`.
/// `lambda = f64::INFINITY` gives best response. `out` must be as long as `utilities`.
#[inline]
pub fn logit_probs(utilities: &[f64], lambda: f64, out: &mut [f64]) {
    debug_assert_eq!(utilities.len(), out.len());
    let out = &mut out[..utilities.len()];
    // The largest utility (NaNs ignored, as by f64::max; which zero is kept does not matter:
    // both compare equal below and give the same differences).
    let mut max = f64::NEG_INFINITY;
    for &u in utilities {
        if u > max {
            max = u;
        }
    }
    if lambda.is_infinite() {
        let mut n = 0.0;
        for (o, &u) in out.iter_mut().zip(utilities) {
            *o = if u == max { 1.0 } else { 0.0 };
            n += *o;
        }
        for o in out.iter_mut() {
            *o /= n;
        }
        return;
    }
    let mut sum = 0.0;
    for (o, &u) in out.iter_mut().zip(utilities) {
        // exp(0) = 1 exactly: the best option needs no exponential (the same bits).
        let e = if u == max {
            1.0
        } else {
            maths::exp(lambda * (u - max))
        };
        *o = e;
        sum += e;
    }
    let scale = 1.0 / sum;
    for o in out.iter_mut() {
        *o *= scale;
    }
}

/// The index chosen by a uniform draw `u` in [0, 1) from probabilities `p` (inverse CDF).
#[inline]
pub fn sample(p: &[f64], u: f64) -> usize {
    let mut acc = 0.0;
    for (i, &x) in p.iter().enumerate() {
        acc += x;
        if u < acc {
            return i;
        }
    }
    // Rounding can leave acc a hair below 1: take the last option with positive probability.
    p.iter().rposition(|&x| x > 0.0).unwrap_or(0)
}

/// Tullock contest success function C(Y, A) (docs/MODEL.md §7.1): the probability that the
/// defender, with effective strength `defender` (Y = d·K + X, S-units), holds against an attacker
/// of strength `attacker` (A = S·scale), with exponent `m` (`crisis.contest_exponent`):
/// `defender^m / (defender^m + attacker^m)`, and 0 when `defender <= 0`.
#[inline]
pub fn contest(defender: f64, attacker: f64, m: f64) -> f64 {
    if defender <= 0.0 {
        return 0.0;
    }
    if m == 2.0 {
        // Y² / (Y² + S²): one division.
        let (y2, s2) = (defender * defender, attacker * attacker);
        return if y2.is_finite() { y2 / (y2 + s2) } else { 1.0 };
    }
    1.0 / (1.0 + maths::pow(attacker / defender, m))
}

/// E[C(Y, A)] for a random defender strength Y with mean `mean` and variance `var`, by 2-point
/// Gauss–Hermite quadrature (exact for Y normal up to the third moment of C's expansion):
/// ½·C(mean − √var, A) + ½·C(mean + √var, A), each argument clamped at 0 (docs/MODEL.md §7.7).
/// With `var = 0` it is [`contest`]`(mean, attacker, m)`. Russia's planned P(hold) over its
/// type mixture uses it, with Y = d·K + X and X the sum of the members' support.
#[inline]
pub fn contest_expected(mean: f64, var: f64, attacker: f64, m: f64) -> f64 {
    let sd = var.max(0.0).sqrt();
    if sd == 0.0 {
        return contest(mean, attacker, m);
    }
    0.5 * (contest((mean - sd).max(0.0), attacker, m) + contest(mean + sd, attacker, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contest_expected_is_two_point_gauss_hermite() {
        assert_eq!(contest_expected(0.7, 0.0, 1.0, 2.0), contest(0.7, 1.0, 2.0));
        // A two-point distribution at mean ± sd is integrated exactly.
        let (mu, sd) = (0.8, 0.3);
        let want = 0.5 * (contest(mu - sd, 1.0, 2.5) + contest(mu + sd, 1.0, 2.5));
        assert!((contest_expected(mu, sd * sd, 1.0, 2.5) - want).abs() < 1e-15);
        // Clamped at 0: a spread wider than the mean never gives a negative strength.
        assert_eq!(contest_expected(0.1, 1.0, 1.0, 2.0), 0.5 * contest(1.1, 1.0, 2.0));
    }

    #[test]
    fn the_best_option_skips_an_exponential_that_is_exactly_one() {
        // logit_probs writes 1 for the best option instead of exp(0): the same bits.
        assert_eq!(maths::exp(0.0).to_bits(), 1.0_f64.to_bits());
        assert_eq!(maths::exp(-0.0).to_bits(), 1.0_f64.to_bits());
    }

    #[test]
    fn lambda_zero_is_uniform() {
        let mut p = [0.0; 4];
        logit_probs(&[3.0, -1.0, 10.0, 0.5], 0.0, &mut p);
        for x in p {
            assert!((x - 0.25).abs() < 1e-15);
        }
    }

    #[test]
    fn constant_shift_changes_nothing() {
        let u = [0.3, -1.2, 2.5];
        let v: Vec<f64> = u.iter().map(|x| x + 17.0).collect();
        let (mut p, mut q) = ([0.0; 3], [0.0; 3]);
        for lambda in [0.0, 0.5, 2.0, 40.0, f64::INFINITY] {
            logit_probs(&u, lambda, &mut p);
            logit_probs(&v, lambda, &mut q);
            for (a, b) in p.iter().zip(&q) {
                assert!((a - b).abs() < 1e-12, "lambda {lambda}");
            }
        }
    }

    #[test]
    fn infinite_lambda_is_best_response_and_large_lambda_approaches_it() {
        let u = [0.1, 0.7, 0.2];
        let mut p = [0.0; 3];
        logit_probs(&u, f64::INFINITY, &mut p);
        assert_eq!(p, [0.0, 1.0, 0.0]);
        logit_probs(&u, 200.0, &mut p);
        assert!(p[1] > 1.0 - 1e-12 && p[0] < 1e-40);
        logit_probs(&[1.0, 1.0], f64::INFINITY, &mut p[..2]);
        assert_eq!(&p[..2], &[0.5, 0.5]);
    }

    #[test]
    fn two_option_logit_is_logistic() {
        let mut p = [0.0; 2];
        logit_probs(&[0.0, 0.8], 2.5, &mut p);
        assert!((p[1] - logistic(2.0)).abs() < 1e-15);
    }

    #[test]
    fn sampling_follows_cdf() {
        let p = [0.2, 0.5, 0.3];
        assert_eq!(sample(&p, 0.0), 0);
        assert_eq!(sample(&p, 0.19999), 0);
        assert_eq!(sample(&p, 0.2), 1);
        assert_eq!(sample(&p, 0.69999), 1);
        assert_eq!(sample(&p, 0.7), 2);
        assert_eq!(sample(&p, 0.99999999), 2);
        assert_eq!(sample(&[0.5, 0.5, 0.0], 0.9999999999999999), 1);
    }

    #[test]
    fn contest_properties() {
        assert_eq!(contest(1.0, 1.0, 2.0), 0.5);
        assert_eq!(contest(0.0, 1.0, 2.0), 0.0);
        assert!((contest(2.0, 1.0, 2.0) - 0.8).abs() < 1e-15);
        assert!((contest(2.0, 1.0, 3.0) - 8.0 / 9.0).abs() < 1e-15);
        // Rising in the defender's strength.
        assert!(contest(1.1, 1.0, 1.5) > contest(1.0, 1.0, 1.5));
    }
}
