//! Separate consultations as a game: the logit quantal response equilibrium (McKelvey & Palfrey
//! 1995) of the simultaneous game in which every non-forced guarantor decides at the same hour
//! without seeing the others' commitments (docs/MODEL.md §7.10). Types are private: each
//! guarantor knows its own, and expects each other to play its type-contingent strategy, mixed
//! over that other's P(Hard) this month (a Bayesian game). The equilibrium is a fixed point over
//! the 2n type-contingent strategies, found by damped Jacobi iteration from a warm start.
//!
//! What a guarantor expects of the others' total support X is computed exactly when every
//! option's support is 0 or one common value x̄ (a lattice: the count of contributors is
//! Poisson-binomial, by dynamic programming), and otherwise from X's mean and variance with
//! two-point Gauss-Hermite quadrature, E[C(y + X)] ≈ ½C(y + μ − s) + ½C(y + μ + s), which
//! matches X's mean and variance (exact for C quadratic in X, and cubic when X is symmetric).

// Per-option quantities live in parallel fixed-size arrays indexed by menu position.
#![allow(clippy::needless_range_loop)]

use crate::model::choice::logit_probs;
use crate::sim::guarantor::{Game, MAXOPT};

/// Index of guarantor `i`'s strategy for type `t` (0 Hard, 1 Soft) in a strategy array of
/// `n × 2 × MAXOPT` probabilities (by menu position).
#[inline]
pub fn at(i: usize, t: usize) -> usize {
    (i * 2 + t) * MAXOPT
}

/// The inputs of one equilibrium computation that vary between crises.
#[derive(Debug, Clone, Copy)]
pub struct Setting<'a> {
    /// The crisis kind ([`crate::sim::guarantor::OFFENSIVE_KIND`] or `PROBE_KIND`).
    pub kind: usize,
    /// Ukraine's own strength d·K plus the forced tripwire support: the part of W everyone
    /// sees.
    pub seen: f64,
    /// The number of forced (tripwire) guarantors, who count as responders.
    pub forced_count: f64,
    /// Whether each guarantor is forced (then it takes no decision).
    pub forced: &'a [bool],
    /// Each guarantor's P(Hard) as the others see it.
    pub p_hard: &'a [f64],
    /// Every option's support is 0 or this common value: use the exact count distribution.
    pub lattice: Option<f64>,
    /// Multiplies every λ_g (1 in a crisis; the homotopy of the reference runs it from 0).
    pub lambda_scale: f64,
}

/// Scratch for [`solve`]: `3n + n·2·MAXOPT + 2(n + 1)` numbers, allocated once per run.
pub fn scratch_len(n: usize) -> usize {
    3 * n + n * 2 * MAXOPT + 2 * (n + 1)
}

/// The result of a fixed-point computation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Solved {
    /// Iterations taken.
    pub iterations: u32,
    /// The last residual: the largest change of a probability in the last iteration.
    pub residual: f64,
    /// Whether the residual fell below the tolerance before the cap.
    pub converged: bool,
}

/// Solve for the logit QRE from the strategies in `sigma` (updated in place), to tolerance
/// `tol` in at most `max_it` iterations. Adaptive damping: the step ω starts at 1 and halves
/// (to at least 1/64) whenever the residual rises.
/// It stops when the residual ‖BR(σ) − σ‖∞ falls below `tol`, after taking that last step:
/// the strategies returned are then closer to the fixed point than `tol` (measured in
/// `tests/mechanisms.rs`, `qre_stops_within_its_tolerance_of_the_fixed_point`).
pub fn solve(g: &Game, s: &Setting, tol: f64, max_it: u32, sigma: &mut [f64], work: &mut [f64]) -> Solved {
    let n = g.menus.len();
    let (moments, rest) = work.split_at_mut(3 * n);
    let (next, rest) = rest.split_at_mut(n * 2 * MAXOPT);
    let (pos, dp) = rest.split_at_mut(n + 1);
    let mut omega = 1.0;
    let mut last = f64::INFINITY;
    let mut out = Solved {
        iterations: 0,
        residual: f64::INFINITY,
        converged: false,
    };
    for it in 1..=max_it {
        // The response, and its residual: the largest change it makes to a probability.
        let residual = best_response(g, s, sigma, moments, next, pos, dp);
        // The damped step with the step size the residual warrants.
        if residual > last {
            omega = (omega * 0.5_f64).max(1.0 / 64.0);
        }
        last = residual;
        for i in 0..n {
            if s.forced[i] {
                continue;
            }
            let len = g.menus[i].len();
            for t in 0..2 {
                let b = at(i, t);
                if omega == 1.0 {
                    sigma[b..b + len].copy_from_slice(&next[b..b + len]);
                } else {
                    for k in b..b + len {
                        sigma[k] += omega * (next[k] - sigma[k]);
                    }
                }
            }
        }
        out = Solved {
            iterations: it,
            residual,
            converged: residual < tol,
        };
        if out.converged {
            break;
        }
    }
    out
}

/// One logit response of every type of every non-forced guarantor to the others' current
/// strategies `sigma`, written to `next`; returns its residual, the largest |next − sigma| over
/// the non-forced guarantors' strategies.
fn best_response(
    g: &Game,
    s: &Setting,
    sigma: &[f64],
    moments: &mut [f64],
    next: &mut [f64],
    pos: &mut [f64],
    dp: &mut [f64],
) -> f64 {
    let n = g.menus.len();
    // Each member's mixture over its types: mean and second moment of its support, P(honour).
    let (mut m1_all, mut var_all, mut ph_all, mut vh_all) = (0.0, 0.0, 0.0, 0.0);
    for j in 0..n {
        let (mut m1, mut m2, mut ph, mut pp) = (0.0, 0.0, 0.0, 0.0);
        if !s.forced[j] {
            let menu = &g.menus[j];
            let r = s.p_hard[j];
            let (bh, bs) = (at(j, 0), at(j, 1));
            for k in 0..menu.len() {
                let q = r * sigma[bh + k] + (1.0 - r) * sigma[bs + k];
                let x = menu.x[k];
                m1 += q * x;
                m2 += q * x * x;
                if menu.honours[k] {
                    ph += q;
                }
                // Only the lattice's count distribution reads P(positive support).
                if s.lattice.is_some() && x > 0.0 {
                    pp += q;
                }
            }
        }
        moments[3 * j] = m1;
        moments[3 * j + 1] = m2 - m1 * m1;
        moments[3 * j + 2] = ph;
        pos[j] = pp;
        m1_all += m1;
        var_all += m2 - m1 * m1;
        ph_all += ph;
        vh_all += ph * (1.0 - ph);
    }
    let mut u = [[0.0; MAXOPT]; 2];
    let mut residual: f64 = 0.0;
    for i in 0..n {
        if s.forced[i] {
            continue;
        }
        let (m1, v, ph) = (moments[3 * i], moments[3 * i + 1], moments[3 * i + 2]);
        let mu = m1_all - m1;
        let sd = (var_all - v).max(0.0).sqrt();
        let nh = ph_all - ph + s.forced_count;
        let sh = (vh_all - ph * (1.0 - ph)).max(0.0).sqrt();
        // The exact count distribution of the other contributors, on a lattice.
        let count = if let Some(_step) = s.lattice {
            let dist = &mut dp[..n + 1];
            dist.fill(0.0);
            dist[0] = 1.0;
            let mut len = 1;
            for j in 0..n {
                if j == i || s.forced[j] {
                    continue;
                }
                let q = pos[j];
                for m in (0..len).rev() {
                    dist[m + 1] += dist[m] * q;
                    dist[m] *= 1.0 - q;
                }
                len += 1;
            }
            len
        } else {
            0
        };
        let w0 = s.seen + mu;
        let menu = &g.menus[i];
        // φ depends on the option only through whether it honours; C at zero support is shared.
        let phis = if g.eta == 0.0 {
            [1.0, 1.0]
        } else {
            let e = |own: f64| 0.5 * (g.phi(own + nh - sh) + g.phi(own + nh + sh));
            [e(0.0), e(1.0)]
        };
        let mut ecs = [0.0; MAXOPT];
        match s.lattice {
            Some(step) => {
                let ec = |x: f64| -> f64 {
                    (0..count)
                        .map(|m| dp[m] * g.hold(s.kind, s.seen + step * m as f64 + x))
                        .sum()
                };
                let ec0 = ec(0.0);
                for k in 0..menu.len() {
                    ecs[k] = if menu.x[k] == 0.0 { ec0 } else { ec(menu.x[k]) };
                }
            }
            None => {
                let ec = |x: f64| 0.5 * (g.hold(s.kind, w0 + x - sd) + g.hold(s.kind, w0 + x + sd));
                let ec0 = ec(0.0);
                for k in 0..menu.len() {
                    ecs[k] = if menu.x[k] == 0.0 { ec0 } else { ec(menu.x[k]) };
                }
            }
        }
        g.utilities_both(i, s.kind, &ecs, phis, nh, &mut u);
        let lambda = menu.lambda * s.lambda_scale;
        for t in 0..2 {
            let b = at(i, t);
            let len = menu.len();
            logit_probs(&u[t][..len], lambda, &mut next[b..b + len]);
            for k in b..b + len {
                // The same as residual.max(d) (a NaN is ignored either way), without its NaN
                // handling.
                let d = (next[k] - sigma[k]).abs();
                if d > residual {
                    residual = d;
                }
            }
        }
    }
    residual
}

/// Uniform strategies over every menu: the QRE at λ = 0, where the homotopy starts.
pub fn uniform(g: &Game, sigma: &mut [f64]) {
    sigma.fill(0.0);
    for (i, m) in g.menus.iter().enumerate() {
        for t in 0..2 {
            let b = at(i, t);
            for k in 0..m.len() {
                sigma[b + k] = 1.0 / m.len() as f64;
            }
        }
    }
}

/// The principal branch of the QRE (the one connected to uniform play at λ = 0; McKelvey &
/// Palfrey 1995) at setting `s`: λ raised from 0 to its value in `steps` steps, solving to `tol`
/// at each. Used once per prepared regime for the reference equilibrium (§7.6) that also warm-
/// starts every crisis.
pub fn principal(g: &Game, s: &Setting, steps: u32, tol: f64, max_it: u32, sigma: &mut [f64]) -> Solved {
    let n = g.menus.len();
    let mut work = vec![0.0; scratch_len(n)];
    uniform(g, sigma);
    let mut out = Solved {
        iterations: 0,
        residual: 0.0,
        converged: true,
    };
    for step in 1..=steps {
        let at_step = Setting {
            lambda_scale: s.lambda_scale * step as f64 / steps as f64,
            ..*s
        };
        out = solve(g, &at_step, tol, max_it, sigma, &mut work);
    }
    out
}
