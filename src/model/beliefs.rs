//! Russia's beliefs about the guarantors' resolve: Beta-Bernoulli learning with optional
//! forgetting toward the prior.
//!
//! Prior Beta(alpha, beta). After r honoured and s failed commitments the posterior mean is
//! (alpha + r) / (alpha + beta + r + s). Russia keeps two per slot: resolve, observing 1 or 0
//! (honoured or not, by the regime's honouring set), and speed, observing the timeliness
//! τ in (0, 1] of honouring support (a fractional observation y adds y to r and 1 - y to s).
//! docs/MODEL.md §7.9 (beliefs) and §11 check 5 (the closed form and convergence).

/// A Beta belief with its prior kept for forgetting: Russia's belief that the guarantors of one
/// reputation slot are Hard, whose mean is the P(Hard) Russia plans with (§7.7), or its belief
/// about how timely their honouring support is (the speed belief, §7.9).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beta {
    /// Current α: the prior's α₀ plus the (weighted, fractional, partly forgotten) honoured
    /// evidence. Pseudo-observations, > 0.
    pub alpha: f64,
    /// Current β: the prior's β₀ plus the weighted evidence of failure (1 − y per
    /// observation). Pseudo-observations, > 0.
    pub beta: f64,
    /// The prior's α₀ = μ₀ · N₀ (N₀ = `russia.prior_strength`; μ₀ the slot's mean baseline
    /// resolve, §5, or for a speed belief its prior timeliness); forgetting pulls `alpha` back
    /// toward it.
    pub alpha0: f64,
    /// The prior's β₀ = (1 − μ₀) · N₀; forgetting pulls `beta` back toward it.
    pub beta0: f64,
}

impl Beta {
    /// A prior with the given mean and pseudo-count `strength` (alpha + beta).
    pub fn with_mean(mean: f64, strength: f64) -> Beta {
        let alpha = mean * strength;
        let beta = (1.0 - mean) * strength;
        Beta {
            alpha,
            beta,
            alpha0: alpha,
            beta0: beta,
        }
    }

    /// Posterior mean.
    #[inline]
    pub fn mean(&self) -> f64 {
        self.alpha / (self.alpha + self.beta)
    }

    /// Posterior standard deviation.
    #[inline]
    pub fn sd(&self) -> f64 {
        let n = self.alpha + self.beta;
        (self.alpha * self.beta / (n * n * (n + 1.0))).sqrt()
    }

    /// Observe one commitment honoured with weight `w` in [0, 1] (1 = fully, 0 = not at all),
    /// counted `weight` times (alliance-wide beliefs split one crisis among the members).
    #[inline]
    pub fn observe(&mut self, w: f64, weight: f64) {
        self.alpha += w * weight;
        self.beta += (1.0 - w) * weight;
    }

    /// Forget a share `phi` in [0, 1] of the evidence gathered since the prior (the engine
    /// applies `russia.forgetting` once at the end of every month; §7.9).
    #[inline]
    pub fn forget(&mut self, phi: f64) {
        self.alpha = self.alpha0 + (1.0 - phi) * (self.alpha - self.alpha0);
        self.beta = self.beta0 + (1.0 - phi) * (self.beta - self.beta0);
    }
}

/// The closed-form posterior mean of Beta(alpha, beta) after r successes and s failures.
pub fn posterior_mean(alpha: f64, beta: f64, r: f64, s: f64) -> f64 {
    (alpha + r) / (alpha + beta + r + s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rng::Draws;

    #[test]
    fn updates_match_the_closed_form() {
        let mut b = Beta::with_mean(0.3, 5.0);
        for i in 0..7 {
            b.observe(if i % 3 == 0 { 0.0 } else { 1.0 }, 1.0);
        }
        // 4 honoured (i = 1, 2, 4, 5), 3 failed (i = 0, 3, 6)
        assert!((b.mean() - posterior_mean(1.5, 3.5, 4.0, 3.0)).abs() < 1e-15);
        assert!((b.mean() - 5.5 / 12.0).abs() < 1e-15);
    }

    #[test]
    fn converges_to_the_true_rate() {
        let mut d = Draws::new(1, 0, 0);
        for truth in [0.1, 0.745, 0.9] {
            let mut b = Beta::with_mean(0.5, 4.0);
            for _ in 0..20_000 {
                b.observe(if d.uniform() < truth { 1.0 } else { 0.0 }, 1.0);
            }
            // sd of the posterior is about 0.003 here: 0.015 is five of them.
            assert!((b.mean() - truth).abs() < 0.015, "{truth} vs {}", b.mean());
            assert!(b.sd() < 0.004);
        }
    }

    #[test]
    fn forgetting_returns_to_the_prior() {
        let mut b = Beta::with_mean(0.5, 4.0);
        b.observe(1.0, 10.0);
        b.forget(1.0);
        assert_eq!(b.mean(), 0.5);
        b.observe(1.0, 10.0);
        b.forget(0.0);
        assert!((b.mean() - 12.0 / 14.0).abs() < 1e-15);
    }
}
