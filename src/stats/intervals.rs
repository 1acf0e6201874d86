//! Statistics for reporting: Wilson intervals, paired differences, quantiles from histograms.

/// z for a two-sided 95% interval.
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

/// A paired difference of two success indicators over the same runs: `better` counts runs where
/// only the first succeeded, `worse` where only the second did. Returns (mean, low, high) with a
/// normal 95% interval on the mean paired difference (sample variance, n - 1).
pub fn paired_difference(better: u64, worse: u64, n: u64) -> (f64, f64, f64) {
    if n == 0 {
        return (0.0, 0.0, 0.0);
    }
    let nf = n as f64;
    let mean = (better as f64 - worse as f64) / nf;
    if n < 2 {
        return (mean, mean, mean);
    }
    let ss = (better + worse) as f64 - nf * mean * mean;
    let se = (ss.max(0.0) / (nf - 1.0) / nf).sqrt();
    (mean, mean - Z95 * se, mean + Z95 * se)
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

    #[test]
    fn paired_difference_is_mean_and_contains_it() {
        let (m, lo, hi) = paired_difference(30, 10, 100);
        assert!((m - 0.2).abs() < 1e-15);
        assert!(lo < m && m < hi);
        // Direct computation: d has 30 ones, 10 minus-ones, 60 zeros.
        let d: Vec<f64> = (0..100)
            .map(|i| {
                if i < 30 {
                    1.0
                } else if i < 40 {
                    -1.0
                } else {
                    0.0
                }
            })
            .collect();
        let var = d.iter().map(|x| (x - 0.2) * (x - 0.2)).sum::<f64>() / 99.0;
        assert!((hi - m - Z95 * (var / 100.0).sqrt()).abs() < 1e-12);
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
