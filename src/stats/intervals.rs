//! Statistics for reporting: Wilson intervals for one proportion, intervals for the paired
//! difference of two binary outcomes over the same runs (Tango's score interval, with
//! Newcombe's method 10 as a cross-check), the variance of that paired difference (for noise
//! floors), and quantiles from histograms.
//!
//! # Paired differences
//! Every run `i` gives a pair `(x_i, y_i)` in `{0,1}^2` (did regime A succeed, did regime B
//! succeed on the same seeded run); the data are the four counts
//!
//! | `x \ y` | 1     | 0     |
//! |---------|-------|-------|
//! | 1       | `n11` | `n10` |
//! | 0       | `n01` | `n00` |
//!
//! with `n = n11 + n10 + n01 + n00` and the point estimate `D = (n10 - n01) / n`. (Newcombe's
//! notation: `a = n11`, `b = n10`, `c = n01`, `d = n00`.) [`paired_difference`] is the one the
//! tool reports (Tango). Both interval functions use only `f64` arithmetic and `sqrt`, so they
//! give the same bits on every platform.
//!
//! Coverage (exact, by enumerating every multinomial table; the study and its data are in the
//! lead's scratch study `paired/REPORT.md`, summarised in the tests below): Tango is at
//! 0.949-0.952 at n = 500 in every scenario tried and at 0.953-0.959 at n = 50 where 95% is
//! reachable; Newcombe 10 never under-covers but reaches 0.959-0.971 at n = 500 for highly
//! correlated or near-degenerate pairs. The Wald interval the tool used before (`D +- z sd/sqrt
//! n`) left [-1, 1], had zero width when every run agreed and covered 0.63 at n = 50 when
//! both rates were near 1.
//!
//! References:
//! * T. Tango (1998), "Equivalence test and confidence interval for the difference in
//!   proportions for the paired-sample design", *Statistics in Medicine* 17:891-908
//!   (correction: 18:3511, 1999).
//! * R. G. Newcombe (1998), "Improved confidence intervals for the difference between binomial
//!   proportions based on paired data", *Statistics in Medicine* 17:2635-2650.
//! * E. B. Wilson (1927), "Probable inference, the law of succession, and statistical
//!   inference", *JASA* 22:209-212.
//! * M. W. Fagerland, S. Lydersen, P. Laake (2014), "Recommended tests and confidence intervals
//!   for paired binomial proportions", *Statistics in Medicine* 33:2850-2875.

/// z for a two-sided 95% interval (the 0.975 quantile of the standard normal).
pub const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score interval for `successes` out of `n` at normal quantile `z`.
/// Returns (low, high); (0, 1) when n = 0.
pub fn wilson(successes: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The Wilson limits as Newcombe's method uses them: exactly 0 at `x = 0` and 1 at `x = n`,
/// and always on either side of `x / n` (so no rounding can put the estimate outside).
fn wilson_exact_ends(x: u64, n: u64, z: f64) -> (f64, f64) {
    let (lo, hi) = wilson(x, n, z);
    let p = x as f64 / n.max(1) as f64;
    let lo = if x == 0 { 0.0 } else { lo.min(p) };
    let hi = if x >= n { 1.0 } else { hi.max(p) };
    (lo, hi)
}

/// The paired difference of two success indicators over the same `n` runs: `better` counts
/// runs where only the first succeeded (`n10`), `worse` runs where only the second did (`n01`).
/// Returns `(estimate, low, high)`: the estimate `(better - worse) / n` and the 95% Tango score
/// interval ([`tango_interval`]), which lies in `[-1, 1]`, contains the estimate and has
/// positive width (also when every run agrees). `(0, -1, 1)` when `n = 0`.
pub fn paired_difference(better: u64, worse: u64, n: u64) -> (f64, f64, f64) {
    if n == 0 {
        return (0.0, -1.0, 1.0);
    }
    let mean = (better as f64 - worse as f64) / n as f64;
    // Tango depends on the discordant counts and n only: put the concordant runs in n11.
    let concordant = n.saturating_sub(better + worse);
    let (lo, hi) = tango_interval(concordant, better, worse, 0, Z95);
    (mean, lo, hi)
}

/// The variance of the mean paired difference `(better - worse) / n` estimated from the runs
/// (the sample variance of the per-run differences, divisor `n - 1`, over `n`): the Monte Carlo
/// noise of a paired difference, used for noise floors. 0 when `n < 2`.
pub fn paired_variance(better: u64, worse: u64, n: u64) -> f64 {
    if n < 2 {
        return 0.0;
    }
    let nf = n as f64;
    let mean = (better as f64 - worse as f64) / nf;
    let ss = (better + worse) as f64 - nf * mean * mean;
    ss.max(0.0) / (nf - 1.0) / nf
}

/// Newcombe's corrected phi for the table `(a, b, c, d) = (n11, n10, n01, n00)`:
///
/// ```text
/// phi* = (ad - bc - n/2) / sqrt((a+b)(c+d)(a+c)(b+d))   if ad - bc > n/2
///      = 0                                              if 0 <= ad - bc <= n/2
///      = (ad - bc) / sqrt((a+b)(c+d)(a+c)(b+d))         if ad - bc < 0
/// ```
///
/// and 0 when some margin is empty. This is what reproduces the published Table II of Newcombe
/// (1998), and what R's `contingencytables` (Fagerland et al.) uses; the plain phi does not
/// (it gives 0.0618..0.3239 instead of the published 0.0562..0.3290 for 18/12/2/18).
pub fn newcombe_phi(n11: u64, n10: u64, n01: u64, n00: u64) -> f64 {
    let (a, b, c, d) = (n11, n10, n01, n00);
    let (r1, r2, c1, c2) = (a + b, c + d, a + c, b + d);
    if r1 == 0 || r2 == 0 || c1 == 0 || c2 == 0 {
        return 0.0;
    }
    // ad - bc exactly (i128 cannot overflow for u64 counts whose total fits in u64).
    let cross = a as i128 * d as i128 - b as i128 * c as i128;
    let n = (a + b + c + d) as f64;
    let num = if cross < 0 {
        cross as f64
    } else {
        (cross as f64 - n / 2.0).max(0.0)
    };
    // sqrt of two partial products: no overflow for large counts.
    let den = ((r1 as f64) * (r2 as f64)).sqrt() * ((c1 as f64) * (c2 as f64)).sqrt();
    (num / den).clamp(-1.0, 1.0)
}

/// Newcombe (1998) method 10 ("square-and-add" of the Wilson limits of both margins, with
/// [`newcombe_phi`]) for the paired difference `p1 - p2`, `p1 = (n11+n10)/n`,
/// `p2 = (n11+n01)/n`. With `(l1, u1)`, `(l2, u2)` the Wilson limits of `p1` and `p2`:
///
/// ```text
/// low  = D - sqrt((p1-l1)^2 - 2 phi* (p1-l1)(u2-p2) + (u2-p2)^2)
/// high = D + sqrt((u1-p1)^2 - 2 phi* (u1-p1)(p2-l2) + (p2-l2)^2)
/// ```
///
/// For `n >= 1`, `z > 0`: `-1 <= low <= D <= high <= 1` and `high > low`. `(-1, 1)` for
/// `n = 0`. Conservative when the two outcomes are highly correlated or near 0 or 1 (exact
/// coverage 0.971 at n = 500 for p1 = .98, p2 = .97); kept as a cross-check of
/// [`tango_interval`]. Checked against Newcombe (1998) Table II in the tests.
pub fn newcombe_interval(n11: u64, n10: u64, n01: u64, n00: u64, z: f64) -> (f64, f64) {
    let n = n11 + n10 + n01 + n00;
    if n == 0 {
        return (-1.0, 1.0);
    }
    let nf = n as f64;
    let (x1, x2) = (n11 + n10, n11 + n01);
    let p1 = x1 as f64 / nf;
    let p2 = x2 as f64 / nf;
    let diff = (n10 as f64 - n01 as f64) / nf;
    let (l1, u1) = wilson_exact_ends(x1, n, z);
    let (l2, u2) = wilson_exact_ends(x2, n, z);
    let phi = newcombe_phi(n11, n10, n01, n00);
    let (dl1, du1) = ((p1 - l1).max(0.0), (u1 - p1).max(0.0));
    let (dl2, du2) = ((p2 - l2).max(0.0), (u2 - p2).max(0.0));
    let below = (dl1 * dl1 - 2.0 * phi * dl1 * du2 + du2 * du2).max(0.0).sqrt();
    let above = (du1 * du1 - 2.0 * phi * du1 * dl2 + dl2 * dl2).max(0.0).sqrt();
    ((diff - below).max(-1.0), (diff + above).min(1.0))
}

/// Tango's score statistic `T(delta) = (b - c - n delta) / sqrt(n (2 q + delta (1 - delta)))`
/// for `b = n10`, `c = n01`, where `q` is the maximum likelihood estimate of `P(x=0, y=1)`
/// restricted to `p1 - p2 = delta` (Tango 1998, closed form: `q = (sqrt(B^2 - 4AC) - B) / (2A)`,
/// `A = 2n`, `B = -b - c + (2n - b + c) delta`, `C = -c delta (1 - delta)`). Decreasing in
/// `delta`; infinite where the variance vanishes with a non-zero numerator.
pub fn tango_statistic(n10: u64, n01: u64, n: u64, delta: f64) -> f64 {
    let (b, c, nf) = (n10 as f64, n01 as f64, n as f64);
    let a2 = 2.0 * nf;
    let bq = -b - c + (2.0 * nf - b + c) * delta;
    let cq = -c * delta * (1.0 - delta);
    let root = (bq * bq - 4.0 * a2 * cq).max(0.0).sqrt();
    // The larger root of A q^2 + B q + C, in the form that avoids cancellation.
    let q = if bq > 0.0 {
        let den = bq + root;
        if den > 0.0 {
            -2.0 * cq / den
        } else {
            0.0
        }
    } else {
        (root - bq) / (2.0 * a2)
    };
    // Feasibility: P(0,1) = q >= 0 and P(1,0) = q + delta >= 0.
    let q = q.max(0.0).max(-delta);
    let var = nf * (2.0 * q + delta * (1.0 - delta));
    let num = b - c - nf * delta;
    if var > 0.0 {
        num / var.sqrt()
    } else if num > 0.0 {
        f64::INFINITY
    } else if num < 0.0 {
        f64::NEG_INFINITY
    } else {
        0.0
    }
}

/// Tango (1998) asymptotic score interval for the paired difference `p1 - p2`:
/// `{delta : |T(delta)| <= z}` with [`tango_statistic`], each limit found by bisection to full
/// `f64` precision (at most 200 halvings of a closed-form statistic: a few microseconds).
/// Depends on the discordant counts `n10`, `n01` and on `n` only. `(-1, 1)` for `n = 0`.
///
/// For `n >= 1`, `z > 0`: `-1 <= low <= D <= high <= 1` and `high > low`; when every run
/// agrees (`n10 = n01 = 0`) it is `+-z^2/(n+z^2)`. This is the interval the tool reports for
/// every paired difference of successes ([`paired_difference`]).
pub fn tango_interval(n11: u64, n10: u64, n01: u64, n00: u64, z: f64) -> (f64, f64) {
    let n = n11 + n10 + n01 + n00;
    if n == 0 {
        return (-1.0, 1.0);
    }
    let diff = (n10 as f64 - n01 as f64) / n as f64;
    let t = |delta: f64| tango_statistic(n10, n01, n, delta);
    // Lower limit: T(-1) = +inf > z >= 0 = T(diff); find where T crosses z.
    let low = if n01 == n {
        -1.0
    } else {
        bisect(-1.0, diff, |d| t(d) > z)
    };
    // Upper limit: T(diff) = 0 > -z > -inf = T(1); find where T crosses -z.
    let high = if n10 == n {
        1.0
    } else {
        bisect(diff, 1.0, |d| t(d) >= -z)
    };
    (low.max(-1.0), high.min(1.0))
}

/// Bisection on `[lo, hi]` for the point where `left_side` switches from true (at `lo`) to
/// false (at `hi`); neither endpoint is evaluated. Returns the midpoint of the final bracket.
fn bisect(mut lo: f64, mut hi: f64, left_side: impl Fn(f64) -> bool) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if left_side(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The q-quantile of values recorded in a histogram of equal-width bins over [0, 1], with linear
/// interpolation inside the bin. `None` for an empty histogram.
pub fn histogram_quantile(bins: &[u32], q: f64) -> Option<f64> {
    let total: u64 = bins.iter().map(|&b| u64::from(b)).sum();
    if total == 0 {
        return None;
    }
    let width = 1.0 / bins.len() as f64;
    let target = q * total as f64;
    let mut acc = 0.0;
    for (k, &b) in bins.iter().enumerate() {
        let next = acc + f64::from(b);
        if next >= target && b > 0 {
            let frac = ((target - acc) / f64::from(b)).clamp(0.0, 1.0);
            return Some((k as f64 + frac) * width);
        }
        acc = next;
    }
    Some(1.0)
}

/// The histogram bin of a value in [0, 1].
#[inline]
pub fn bin_of(x: f64, bins: usize) -> usize {
    ((x * bins as f64) as usize).min(bins - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_a_published_value() {
        // Newcombe (1998), example: 81 successes of 263: 0.2553 to 0.3662.
        let (lo, hi) = wilson(81, 263, Z95);
        assert!(
            (lo - 0.2553).abs() < 5e-5 && (hi - 0.3662).abs() < 5e-5,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(0, 10, Z95);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.2775).abs() < 5e-5);
        let (lo, hi) = wilson(10, 10, Z95);
        assert!(
            (hi - 1.0).abs() < 1e-12 && (lo - 0.7225).abs() < 5e-5,
            "{lo} {hi}"
        );
    }

    fn close(got: (f64, f64), want: (f64, f64), tol: f64) {
        assert!(
            (got.0 - want.0).abs() <= tol && (got.1 - want.1).abs() <= tol,
            "got {got:?}, want {want:?}"
        );
    }

    /// Newcombe (1998) Table II, method 10, to the 4 decimals printed there (the same values
    /// are asserted by the tests of R's `propint`), and the Fagerland, Lydersen & Laake (2014)
    /// example (Cavo et al. 2012, 59/6/16/80) asserted by R `contingencytables`' tests.
    #[test]
    fn newcombe_1998_table_ii_method_10() {
        close(newcombe_interval(36, 12, 2, 0, Z95), (0.0569, 0.3404), 5e-5);
        close(newcombe_interval(18, 12, 2, 18, Z95), (0.0562, 0.3290), 5e-5);
        close(newcombe_interval(53, 0, 0, 1, Z95), (-0.0729, 0.0729), 5e-5);
        close(newcombe_interval(0, 30, 0, 0, Z95), (0.8395, 1.0), 5e-5);
        close(newcombe_interval(59, 6, 16, 80, Z95), (-0.1186, -0.0046), 5e-5);
    }

    #[test]
    fn newcombe_phi_edge_cases() {
        assert_eq!(newcombe_phi(10, 0, 0, 0), 0.0); // empty margins
        assert_eq!(newcombe_phi(0, 10, 0, 0), 0.0);
        // ad - bc = 75 > n/2 = 15: (75 - 15) / sqrt(15^4)
        assert!((newcombe_phi(10, 5, 5, 10) - 60.0 / 225.0).abs() < 1e-15);
        assert_eq!(newcombe_phi(3, 2, 2, 2), 0.0); // ad - bc = 2 <= n/2 = 4.5
        assert!((newcombe_phi(0, 5, 5, 0) + 1.0).abs() < 1e-15); // ad - bc < 0: uncorrected
                                                                 // The corrected phi never collapses a concordant table to a point.
        let (lo, hi) = newcombe_interval(25, 0, 0, 25, Z95);
        assert!(lo < -0.03 && hi > 0.03);
    }

    /// Tango limits solve |T| = z, T is decreasing, and the limits agree with an independent
    /// Python implementation (constrained MLE by numerical maximisation, not the closed form)
    /// to 4 decimals.
    #[test]
    fn tango_limits_solve_the_score_equation() {
        for (a, b, c, d) in [
            (36, 12, 2, 0),
            (18, 12, 2, 18),
            (59, 6, 16, 80),
            (1, 1, 7, 12),
            (3, 40, 0, 7),
        ] {
            let n = a + b + c + d;
            let (lo, hi) = tango_interval(a, b, c, d, Z95);
            assert!((tango_statistic(b, c, n, lo) - Z95).abs() < 1e-6);
            assert!((tango_statistic(b, c, n, hi) + Z95).abs() < 1e-6);
            let mut prev = f64::INFINITY;
            for k in 1..2000 {
                let t = tango_statistic(b, c, n, -1.0 + k as f64 / 1000.0);
                assert!(t <= prev + 1e-12);
                prev = t;
            }
        }
        close(tango_interval(36, 12, 2, 0, Z95), (0.0611, 0.3447), 5e-5);
        close(tango_interval(59, 6, 16, 80, Z95), (-0.1240, -0.0054), 5e-5);
        close(tango_interval(0, 30, 0, 0, Z95), (0.7730, 1.0), 5e-5);
        // Bentur et al. 2009 table 1/1/7/12 (Fagerland et al. 2014 example).
        close(tango_interval(1, 1, 7, 12, Z95), (-0.5172, -0.0260), 5e-5);
        // paired_difference is Tango on the discordant counts.
        let (m, lo, hi) = paired_difference(12, 2, 50);
        assert!((m - 0.2).abs() < 1e-15);
        close((lo, hi), tango_interval(36, 12, 2, 0, Z95), 0.0);
    }

    /// Both intervals on every table with n <= 12: inside [-1, 1], contain D, positive width;
    /// all runs agreeing gives +- z^2 / (n + z^2) for both.
    #[test]
    fn interval_invariants_on_all_small_tables() {
        for n in 1..=12u64 {
            for a in 0..=n {
                for b in 0..=n - a {
                    for c in 0..=n - a - b {
                        let d = n - a - b - c;
                        let diff = (b as f64 - c as f64) / n as f64;
                        for (lo, hi) in [
                            newcombe_interval(a, b, c, d, Z95),
                            tango_interval(a, b, c, d, Z95),
                        ] {
                            assert!(-1.0 <= lo && lo <= diff && diff <= hi && hi <= 1.0);
                            assert!(hi > lo);
                        }
                    }
                }
            }
        }
        let h = Z95 * Z95 / (50.0 + Z95 * Z95);
        close(newcombe_interval(50, 0, 0, 0, Z95), (-h, h), 1e-12);
        close(tango_interval(50, 0, 0, 0, Z95), (-h, h), 1e-12);
        assert_eq!(tango_interval(0, 0, 0, 0, Z95), (-1.0, 1.0));
    }

    /// The variance for noise floors is the sample variance of the per-run differences over n.
    #[test]
    fn paired_variance_is_the_sample_variance_of_the_mean() {
        // d has 30 ones, 10 minus-ones, 60 zeros.
        let var = (30.0 * 0.8 * 0.8 + 10.0 * 1.2 * 1.2 + 60.0 * 0.2 * 0.2) / 99.0 / 100.0;
        assert!((paired_variance(30, 10, 100) - var).abs() < 1e-15);
        assert_eq!(paired_variance(0, 0, 100), 0.0);
        assert_eq!(paired_variance(1, 0, 1), 0.0);
    }

    #[test]
    fn histogram_quantiles() {
        let mut bins = vec![0u32; 100];
        for i in 0..1000 {
            bins[bin_of(i as f64 / 1000.0, 100)] += 1;
        }
        assert!((histogram_quantile(&bins, 0.1).unwrap() - 0.1).abs() < 0.011);
        assert!((histogram_quantile(&bins, 0.9).unwrap() - 0.9).abs() < 0.011);
        assert_eq!(histogram_quantile(&[0, 0], 0.5), None);
        assert_eq!(bin_of(1.0, 100), 99);
    }
}

/// Tests of the defect (issue 8, defect 10) that use only [`paired_difference`], the interval
/// the tool reports: they failed with the Wald interval it used before.
#[cfg(test)]
mod paired_difference_tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The true joint distributions of one run's pair, shaped like the tool's regime
    /// comparisons: (p11, p10, p01, p00).
    const SCENARIOS: [(&str, [f64; 4]); 5] = [
        ("A: p1=.80 p2=.19, phi=.19", [0.18, 0.62, 0.01, 0.19]),
        ("B: p1=.80 p2=.78, phi=.88", [0.77, 0.03, 0.01, 0.19]),
        ("C: p1=.50 p2=.45, phi=.50", [0.35, 0.15, 0.10, 0.40]),
        ("D: p1=.98 p2=.97, phi=.60", [0.965, 0.015, 0.005, 0.015]),
        ("E: p1=.80 p2=.19, p01=0", [0.19, 0.61, 0.0, 0.20]),
    ];

    /// Exact coverage of [`paired_difference`] at `n` runs: the trinomial probability of every
    /// (better, worse, concordant) table whose interval holds the true difference (tables below
    /// 1e-16 skipped; the second value is the probability enumerated).
    fn exact_coverage(p: [f64; 4], n: u64) -> (f64, f64) {
        let (p10, p01, pc) = (p[1], p[2], p[0] + p[3]);
        let truth = p10 - p01;
        let nu = n as usize;
        let mut lnf = vec![0.0f64; nu + 1];
        for k in 1..=nu {
            lnf[k] = lnf[k - 1] + (k as f64).ln();
        }
        let term = |k: usize, q: f64| match (k, q > 0.0) {
            (0, _) => 0.0,
            (_, true) => k as f64 * q.ln(),
            _ => f64::NEG_INFINITY,
        };
        let (mut cover, mut mass) = (0.0, 0.0);
        for b in 0..=nu {
            for c in 0..=(nu - b) {
                let rest = nu - b - c;
                let lp = lnf[nu] - lnf[b] - lnf[c] - lnf[rest] + term(b, p10) + term(c, p01) + term(rest, pc);
                if lp < (1e-16f64).ln() {
                    continue;
                }
                let pr = lp.exp();
                mass += pr;
                let (_, lo, hi) = paired_difference(b as u64, c as u64, n);
                if lo <= truth && truth <= hi {
                    cover += pr;
                }
            }
        }
        (cover, mass)
    }

    /// The interval always lies in [-1, 1], contains the estimate and has positive width: every
    /// (better, worse) for n <= 40, and 20 000 random tables up to n = 10^6. (The Wald interval
    /// gave 19 better of 20 -> 0.95 +- 0.098, up to 1.048, and [0, 0] when all runs agree.)
    #[test]
    fn paired_difference_inside_unit_range_with_positive_width() {
        let check = |b: u64, c: u64, n: u64| {
            let (m, lo, hi) = paired_difference(b, c, n);
            assert!((m - (b as f64 - c as f64) / n as f64).abs() < 1e-15);
            assert!(
                -1.0 <= lo && lo <= m && m <= hi && hi <= 1.0,
                "{b} better, {c} worse of {n}: {m} in [{lo}, {hi}]"
            );
            assert!(hi > lo, "{b} better, {c} worse of {n}: zero width [{lo}, {hi}]");
        };
        for n in 1..=40 {
            for b in 0..=n {
                for c in 0..=n - b {
                    check(b, c, n);
                }
            }
        }
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        for _ in 0..20_000 {
            let n = 1 + (rng.random::<f64>() * 1e6) as u64;
            let b = (rng.random::<f64>() * (n + 1) as f64) as u64;
            let c = (rng.random::<f64>() * (n - b + 1) as f64) as u64;
            check(b.min(n), c.min(n - b.min(n)), n);
        }
    }

    /// At sweep-sized samples (50 runs) the interval never under-covers: exact coverage >= 0.94
    /// in every scenario (Wald: 0.78 in B, 0.63 in D). Where 95% is reachable (A, C, E; in B and
    /// D at n = 50 most tables have at most 2 discordant runs, so any interval of positive width
    /// over-covers) it is within 0.94-0.96.
    #[test]
    fn paired_difference_exact_coverage_at_50_runs() {
        for (name, p) in SCENARIOS {
            let (cov, mass) = exact_coverage(p, 50);
            assert!((mass - 1.0).abs() < 1e-9);
            println!("{name}: n = 50, exact coverage {cov:.4}");
            assert!(cov >= 0.94, "{name}: n = 50, coverage {cov}");
            if !name.starts_with('B') && !name.starts_with('D') {
                assert!(cov <= 0.96, "{name}: n = 50, coverage {cov}");
            }
        }
    }

    /// At 500 runs the exact coverage is within 0.94-0.96 in every scenario.
    #[test]
    fn paired_difference_exact_coverage_at_500_runs() {
        for (name, p) in SCENARIOS {
            let (cov, mass) = exact_coverage(p, 500);
            assert!((mass - 1.0).abs() < 1e-9);
            println!("{name}: n = 500, exact coverage {cov:.4}");
            assert!((0.94..=0.96).contains(&cov), "{name}: n = 500, coverage {cov}");
        }
    }

    /// Seeded Monte Carlo coverage of the interval over many batches, scenario A (exact
    /// coverage 0.9533 at n = 50 and 0.9504 at n = 500): 16 streams x 1000 tables at n = 50 (MC
    /// SE 0.0017) and 8 x 1000 at n = 500 (MC SE 0.0024), so [0.94, 0.96] is at least 4 SE away
    /// (300 other seed bases never failed in the study).
    #[test]
    fn paired_difference_coverage_over_many_seeds() {
        let p = SCENARIOS[0].1;
        let truth = p[1] - p[2];
        for (n, seeds, batches) in [(50u64, 16u64, 1000u64), (500, 8, 1000)] {
            let mut hits = 0u64;
            for s in 0..seeds {
                let mut rng = ChaCha8Rng::seed_from_u64(1);
                rng.set_stream(s);
                for _ in 0..batches {
                    let (mut b, mut c) = (0, 0);
                    for _ in 0..n {
                        let u = rng.random::<f64>();
                        b += u64::from(p[0] <= u && u < p[0] + p[1]);
                        c += u64::from(p[0] + p[1] <= u && u < p[0] + p[1] + p[2]);
                    }
                    let (_, lo, hi) = paired_difference(b, c, n);
                    hits += u64::from(lo <= truth && truth <= hi);
                }
            }
            let cov = hits as f64 / (seeds * batches) as f64;
            println!("n = {n}: coverage {cov:.4}");
            assert!((0.94..=0.96).contains(&cov), "n = {n}: coverage {cov}");
        }
    }
}
