//! The maths of approximate Bayesian computation by sequential Monte Carlo (ABC-SMC; Beaumont,
//! Cornuet, Marin & Robert 2009, with the tolerance schedule adapted from the distances as in Del
//! Moral, Doucet & Jasra 2012): priors on a range (uniform, log-uniform, beta), weighted
//! quantiles, the effective sample size, the weighted covariance behind the Gaussian perturbation
//! kernel (twice the weighted sample covariance), its Cholesky factor, kernel draws and the
//! importance weights of a new population. Pure functions; randomness is passed in as
//! [`Draws`]. The driver that runs the model is `study::calibrate`.
//!
//! Every sum here runs over a slice in index order, so the results depend only on the inputs,
//! never on threads.

use crate::stats::maths;
use crate::stats::rng::Draws;

/// A prior on one parameter, on a finite range. Sampling and densities work on the *working
/// scale*: the parameter itself for `Uniform` and `Beta`, its natural log for `LogUniform`, so
/// a log-uniform prior is uniform there and the perturbation kernel moves it multiplicatively.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Prior {
    /// Uniform on `[low, high]`.
    Uniform {
        /// Lower end.
        low: f64,
        /// Upper end (> low).
        high: f64,
    },
    /// Uniform in log on `[low, high]`, 0 < low < high.
    LogUniform {
        /// Lower end (> 0).
        low: f64,
        /// Upper end (> low).
        high: f64,
    },
    /// `low + (high - low) · B` with B ~ Beta(a, b).
    Beta {
        /// First shape parameter (> 0).
        a: f64,
        /// Second shape parameter (> 0).
        b: f64,
        /// Lower end.
        low: f64,
        /// Upper end (> low).
        high: f64,
    },
}

impl Prior {
    /// The parameter's range `[low, high]`.
    pub fn range(&self) -> (f64, f64) {
        match *self {
            Prior::Uniform { low, high }
            | Prior::LogUniform { low, high }
            | Prior::Beta { low, high, .. } => (low, high),
        }
    }

    /// The parameter value `x` on the working scale.
    pub fn to_working(&self, x: f64) -> f64 {
        match self {
            Prior::LogUniform { .. } => maths::ln(x),
            _ => x,
        }
    }

    /// The parameter value of working-scale value `z`.
    pub fn from_working(&self, z: f64) -> f64 {
        match self {
            Prior::LogUniform { .. } => maths::exp(z),
            _ => z,
        }
    }

    /// The working-scale range.
    pub fn working_range(&self) -> (f64, f64) {
        let (lo, hi) = self.range();
        (self.to_working(lo), self.to_working(hi))
    }

    /// The prior density on the working scale at `z`, up to a constant factor (0 outside the
    /// range). The constant is the same for every point, so it cancels in normalised weights.
    pub fn density(&self, z: f64) -> f64 {
        let (lo, hi) = self.working_range();
        if !(z >= lo && z <= hi) {
            return 0.0;
        }
        match *self {
            Prior::Uniform { .. } | Prior::LogUniform { .. } => 1.0,
            Prior::Beta { a, b, low, high } => {
                let t = (z - low) / (high - low);
                maths::pow(t, a - 1.0) * maths::pow(1.0 - t, b - 1.0)
            }
        }
    }

    /// A draw from the prior, on the working scale.
    pub fn sample(&self, d: &mut Draws) -> f64 {
        match *self {
            Prior::Uniform { .. } | Prior::LogUniform { .. } => {
                let (lo, hi) = self.working_range();
                lo + (hi - lo) * d.uniform()
            }
            Prior::Beta { a, b, low, high } => {
                let x = gamma(a, d);
                let y = gamma(b, d);
                low + (high - low) * x / (x + y)
            }
        }
    }
}

/// A Gamma(shape, 1) draw (Marsaglia & Tsang 2000; for shape < 1, Gamma(shape + 1) · U^(1/shape)).
pub fn gamma(shape: f64, d: &mut Draws) -> f64 {
    if shape < 1.0 {
        let g = gamma(shape + 1.0, d);
        return g * maths::pow(d.uniform(), 1.0 / shape);
    }
    let dd = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * dd).sqrt();
    loop {
        let x = d.normal();
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = d.uniform();
        if u < 1.0 - 0.0331 * x * x * x * x || maths::ln(u) < 0.5 * x * x + dd * (1.0 - v + maths::ln(v)) {
            return dd * v;
        }
    }
}

/// The weighted `q`-quantile of `values` (weights ≥ 0, not all 0): the smallest value whose
/// cumulative weight, in sorted order, reaches `q` of the total. Ties in value keep index order.
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[i].total_cmp(&values[j]).then(i.cmp(&j)));
    let total: f64 = weights.iter().sum();
    let mut cum = 0.0;
    for &i in &order {
        cum += weights[i];
        if cum >= q * total {
            return values[i];
        }
    }
    order.last().map_or(f64::NAN, |&i| values[i])
}

/// Kish's effective sample size of normalised or unnormalised weights: (Σw)² / Σw².
pub fn ess(weights: &[f64]) -> f64 {
    let s: f64 = weights.iter().sum();
    let s2: f64 = weights.iter().map(|w| w * w).sum();
    if s2 == 0.0 {
        0.0
    } else {
        s * s / s2
    }
}

/// Weights scaled to sum to 1.
pub fn normalise(weights: &[f64]) -> Vec<f64> {
    let s: f64 = weights.iter().sum();
    weights.iter().map(|w| w / s).collect()
}

/// The weighted mean and the weighted covariance Σ wᵢ (xᵢ − m)(xᵢ − m)ᵀ / Σ wᵢ of `points`
/// (each of dimension d), as a row-major d × d matrix.
pub fn weighted_mean_cov(points: &[Vec<f64>], weights: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let d = points.first().map_or(0, Vec::len);
    let total: f64 = weights.iter().sum();
    let mut mean = vec![0.0; d];
    for (x, &w) in points.iter().zip(weights) {
        for k in 0..d {
            mean[k] += w * x[k];
        }
    }
    for m in &mut mean {
        *m /= total;
    }
    let mut cov = vec![0.0; d * d];
    for (x, &w) in points.iter().zip(weights) {
        for a in 0..d {
            for b in 0..d {
                cov[a * d + b] += w * (x[a] - mean[a]) * (x[b] - mean[b]);
            }
        }
    }
    for c in &mut cov {
        *c /= total;
    }
    (mean, cov)
}

/// The lower-triangular Cholesky factor L (row-major) of a symmetric positive-definite d × d
/// matrix `a` (A = L Lᵀ), or `None` if `a` is not positive definite.
pub fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= l[i * d + k] * l[j * d + k];
            }
            if i == j {
                if s.is_nan() || s <= 0.0 {
                    return None;
                }
                l[i * d + i] = s.sqrt();
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    }
    Some(l)
}

/// The squared Mahalanobis distance (x − m)ᵀ (L Lᵀ)⁻¹ (x − m), by forward substitution.
pub fn mahalanobis2(x: &[f64], m: &[f64], l: &[f64]) -> f64 {
    let d = x.len();
    let mut y = vec![0.0; d];
    let mut q = 0.0;
    for i in 0..d {
        let mut s = x[i] - m[i];
        for k in 0..i {
            s -= l[i * d + k] * y[k];
        }
        y[i] = s / l[i * d + i];
        q += y[i] * y[i];
    }
    q
}

/// A draw of N(mean, L Lᵀ): mean + L z with z standard normal.
pub fn mvn_sample(mean: &[f64], l: &[f64], d: &mut Draws) -> Vec<f64> {
    let n = mean.len();
    let z: Vec<f64> = (0..n).map(|_| d.normal()).collect();
    (0..n)
        .map(|i| mean[i] + (0..=i).map(|k| l[i * n + k] * z[k]).sum::<f64>())
        .collect()
}

/// An index drawn with probability proportional to `weights` from one uniform `u` in [0, 1).
pub fn pick(weights: &[f64], u: f64) -> usize {
    let total: f64 = weights.iter().sum();
    let mut cum = 0.0;
    for (i, w) in weights.iter().enumerate() {
        cum += w;
        if u * total < cum {
            return i;
        }
    }
    weights.len().saturating_sub(1)
}

/// Beaumont et al. (2009) importance weights of a new population: for each new particle θᵢ with
/// prior density π(θᵢ), wᵢ ∝ π(θᵢ) / Σⱼ w⁽ᵗ⁻¹⁾ⱼ K(θᵢ | θ⁽ᵗ⁻¹⁾ⱼ), K the Gaussian kernel with
/// Cholesky factor `l` (its normalising constant cancels). Returned normalised. The sum over the
/// old population is a log-sum-exp, so distant particles do not underflow to a zero denominator.
pub fn beaumont_weights(
    new: &[Vec<f64>],
    prior: &[f64],
    old: &[Vec<f64>],
    old_w: &[f64],
    l: &[f64],
) -> Vec<f64> {
    let logw: Vec<f64> = new
        .iter()
        .zip(prior)
        .map(|(x, &p)| {
            let terms: Vec<f64> = old
                .iter()
                .zip(old_w)
                .map(|(y, &w)| maths::ln(w) - 0.5 * mahalanobis2(x, y, l))
                .collect();
            let top = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let s: f64 = terms.iter().map(|t| maths::exp(t - top)).sum();
            maths::ln(p) - (top + maths::ln(s))
        })
        .collect();
    let top = logw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    normalise(&logw.iter().map(|w| maths::exp(w - top)).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn weighted_quantile_by_hand() {
        // Sorted values 1, 2, 3 with weights 1, 2, 1 (total 4): cumulative 1, 3, 4.
        let v = [3.0, 1.0, 2.0];
        let w = [1.0, 1.0, 2.0];
        assert_eq!(weighted_quantile(&v, &w, 0.25), 1.0);
        assert_eq!(weighted_quantile(&v, &w, 0.26), 2.0);
        assert_eq!(weighted_quantile(&v, &w, 0.75), 2.0);
        assert_eq!(weighted_quantile(&v, &w, 0.76), 3.0);
        // Equal weights: the median of 1..=5 is 3.
        assert_eq!(weighted_quantile(&[5.0, 4.0, 3.0, 2.0, 1.0], &[1.0; 5], 0.5), 3.0);
    }

    #[test]
    fn ess_by_hand() {
        assert!(close(ess(&[1.0, 1.0, 2.0]), 16.0 / 6.0, 1e-15));
        assert!(close(ess(&[0.25; 4]), 4.0, 1e-15));
        assert!(close(ess(&[1.0, 0.0, 0.0]), 1.0, 1e-15));
    }

    #[test]
    fn weighted_covariance_by_hand() {
        // Points (0,0), (2,0), (0,4) with weights 2, 1, 1: mean (0.5, 1);
        // var x = (2·0.25 + 2.25 + 0.25)/4 = 0.75; var y = (2·1 + 1 + 9)/4 = 3;
        // cov = (2·(−0.5)(−1) + (1.5)(−1) + (−0.5)(3))/4 = −0.5.
        let p = vec![vec![0.0, 0.0], vec![2.0, 0.0], vec![0.0, 4.0]];
        let (m, c) = weighted_mean_cov(&p, &[2.0, 1.0, 1.0]);
        assert_eq!(m, vec![0.5, 1.0]);
        assert!(close(c[0], 0.75, 1e-15) && close(c[3], 3.0, 1e-15));
        assert!(close(c[1], -0.5, 1e-15) && close(c[2], -0.5, 1e-15));
    }

    #[test]
    fn cholesky_and_mahalanobis_by_hand() {
        // [[4, 2], [2, 3]] = L Lᵀ with L = [[2, 0], [1, √2]].
        let l = cholesky(&[4.0, 2.0, 2.0, 3.0], 2).unwrap();
        assert!(close(l[0], 2.0, 1e-15) && l[1] == 0.0);
        assert!(close(l[2], 1.0, 1e-15) && close(l[3], 2f64.sqrt(), 1e-15));
        // A⁻¹ = [[3, −2], [−2, 4]] / 8, so for x − m = (1, 1): (3 − 4 + 4)/8 = 3/8.
        assert!(close(mahalanobis2(&[1.0, 1.0], &[0.0, 0.0], &l), 0.375, 1e-15));
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
    }

    #[test]
    fn beaumont_weights_by_hand() {
        // One dimension, kernel variance 1 (L = [1]); old particles 0 and 2 with weights 0.5 each,
        // uniform prior. New particle at 0: denominator 0.5 (1 + e^{-2}); at 1: e^{-1/2}.
        let w = beaumont_weights(
            &[vec![0.0], vec![1.0]],
            &[1.0, 1.0],
            &[vec![0.0], vec![2.0]],
            &[0.5, 0.5],
            &[1.0],
        );
        let a = 1.0 / (0.5 * (1.0 + (-2.0f64).exp()));
        let b = 1.0 / (-0.5f64).exp();
        assert!(close(w[0], a / (a + b), 1e-12), "{w:?}");
        assert!(close(w[1], b / (a + b), 1e-12));
        // A particle outside the prior gets weight 0.
        let w = beaumont_weights(&[vec![0.0], vec![1.0]], &[0.0, 1.0], &[vec![0.0]], &[1.0], &[1.0]);
        assert_eq!(w, vec![0.0, 1.0]);
    }

    #[test]
    fn prior_densities_and_scales() {
        let b = Prior::Beta {
            a: 2.0,
            b: 3.0,
            low: 0.0,
            high: 2.0,
        };
        // t = 0.25: t (1 − t)^2 = 0.25 · 0.5625.
        assert!(close(b.density(0.5), 0.140625, 1e-12));
        assert_eq!(b.density(2.5), 0.0);
        let l = Prior::LogUniform {
            low: 1.0,
            high: 100.0,
        };
        assert!(close(l.to_working(100.0), 100f64.ln(), 1e-12));
        assert!(close(l.from_working(l.to_working(7.0)), 7.0, 1e-12));
        assert_eq!(l.density(l.to_working(50.0)), 1.0);
        assert_eq!(l.density(l.to_working(0.5)), 0.0);
    }

    #[test]
    fn samples_have_the_prior_moments() {
        // Beta(2, 3) on [0, 1]: mean 0.4, variance 2·3/(25·6) = 0.04; 20,000 draws give the mean
        // to ±0.003 (3 standard errors).
        let p = Prior::Beta {
            a: 2.0,
            b: 3.0,
            low: 0.0,
            high: 1.0,
        };
        let mut d = Draws::auxiliary(1, 0);
        let x: Vec<f64> = (0..20_000).map(|_| p.sample(&mut d)).collect();
        let m = x.iter().sum::<f64>() / x.len() as f64;
        let v = x.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / x.len() as f64;
        assert!(close(m, 0.4, 0.0045), "{m}");
        assert!(close(v, 0.04, 0.002), "{v}");
        // Gamma with shape < 1 (boosted): Gamma(0.5) has mean 0.5.
        let g: f64 = (0..20_000).map(|_| gamma(0.5, &mut d)).sum::<f64>() / 20_000.0;
        assert!(close(g, 0.5, 0.016), "{g}");
        // A log-uniform draw stays in range and its log is uniform (mean of ln x = ln 10).
        let l = Prior::LogUniform {
            low: 1.0,
            high: 100.0,
        };
        let z: f64 = (0..20_000).map(|_| l.sample(&mut d)).sum::<f64>() / 20_000.0;
        assert!(close(z, 10f64.ln(), 0.04), "{z}");
    }

    #[test]
    fn kernel_draws_have_the_covariance() {
        let l = cholesky(&[4.0, 2.0, 2.0, 3.0], 2).unwrap();
        let mut d = Draws::auxiliary(2, 0);
        let xs: Vec<Vec<f64>> = (0..40_000)
            .map(|_| mvn_sample(&[1.0, -1.0], &l, &mut d))
            .collect();
        let (m, c) = weighted_mean_cov(&xs, &vec![1.0; xs.len()]);
        assert!(close(m[0], 1.0, 0.04) && close(m[1], -1.0, 0.04), "{m:?}");
        assert!(
            close(c[0], 4.0, 0.15) && close(c[1], 2.0, 0.1) && close(c[3], 3.0, 0.12),
            "{c:?}"
        );
    }

    #[test]
    fn pick_by_weights() {
        let w = [1.0, 0.0, 3.0];
        assert_eq!(pick(&w, 0.0), 0);
        assert_eq!(pick(&w, 0.2499), 0);
        assert_eq!(pick(&w, 0.25), 2);
        assert_eq!(pick(&w, 0.9999), 2);
    }
}
