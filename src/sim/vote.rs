//! A meeting's vote on a joint package (docs/MODEL.md §7.10 "Decision rules"): the voters vote
//! at once, each knowing its own type and the others' type-contingent strategies, at the logit
//! quantal response equilibrium of the voting game with pivotal voters (Guarnaschelli, McKelvey
//! & Palfrey 2000): a voter's yes matters only when it is pivotal, so
//! P(yes_i) = logistic(λ_i · Piv_i · (U_i^package − U_i^fallback)). Under consensus a voter is
//! pivotal when every other veto player says yes; under a qualified majority when the others'
//! yes weight falls within its own weight below the threshold.

use crate::model::choice::logistic;

/// Most voters (every guarantor at most).
pub const MAX_VOTERS: usize = crate::model::validate::MAX_GUARANTORS;
/// Weight units of a qualified-majority vote: each voter's weight is rounded to a multiple of
/// 1/`UNITS` of the total (at least one unit).
pub const UNITS: usize = 128;

/// Scratch numbers [`solve`] needs: the distribution of the others' yes weight.
pub const WORK: usize = 2 * UNITS + 1;

/// How the votes are counted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Count {
    /// Every voter must say yes.
    Unanimity,
    /// The yes weight must reach `threshold` units (of the voters' total).
    Majority {
        /// Units needed.
        threshold: usize,
    },
}

/// One voter: its gain from the package over the fallback by type (`[Hard, Soft]`), its logit
/// precision, P(Hard) as the others see it, and its weight in units (majority only).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Voter {
    /// U^package − U^fallback, by type.
    pub gain: [f64; 2],
    /// λ_g.
    pub lambda: f64,
    /// P(Hard).
    pub p_hard: f64,
    /// Weight in units (majority only).
    pub weight: usize,
}

/// Solve the voting QRE: `yes[k]` = P(voter k says yes) by type, by damped iteration from ½ to
/// a change below 1e-10 (at most 500 iterations). `work` needs [`WORK`] numbers.
pub fn solve(voters: &[Voter], count: Count, yes: &mut [[f64; 2]], work: &mut [f64]) {
    let n = voters.len();
    for y in yes.iter_mut().take(n) {
        *y = [0.5, 0.5];
    }
    for _ in 0..500 {
        let mut change: f64 = 0.0;
        for k in 0..n {
            let piv = pivotal(voters, count, yes, k, work);
            let v = &voters[k];
            #[allow(clippy::needless_range_loop)]
            for t in 0..2 {
                let target = logistic(v.lambda * piv * v.gain[t]);
                let new = 0.5 * (yes[k][t] + target);
                change = change.max((new - yes[k][t]).abs());
                yes[k][t] = new;
            }
        }
        if change < 1e-10 {
            break;
        }
    }
}

/// P(a voter's P(yes) mixed over its type).
#[inline]
fn mixed(v: &Voter, y: &[f64; 2]) -> f64 {
    v.p_hard * y[0] + (1.0 - v.p_hard) * y[1]
}

/// P(voter `k` is pivotal) given the others' strategies.
fn pivotal(voters: &[Voter], count: Count, yes: &[[f64; 2]], k: usize, work: &mut [f64]) -> f64 {
    match count {
        Count::Unanimity => (0..voters.len())
            .filter(|&j| j != k)
            .map(|j| mixed(&voters[j], &yes[j]))
            .product(),
        Count::Majority { threshold } => {
            // Distribution of the others' yes weight (units), by dynamic programming.
            let cap = WORK - 1;
            let dist = &mut work[..WORK];
            dist.fill(0.0);
            dist[0] = 1.0;
            let mut top = 0;
            for (j, v) in voters.iter().enumerate() {
                if j == k {
                    continue;
                }
                let p = mixed(v, &yes[j]);
                for m in (0..=top).rev() {
                    let mass = dist[m];
                    if mass == 0.0 {
                        continue;
                    }
                    let up = (m + v.weight).min(cap);
                    dist[up] += mass * p;
                    dist[m] = mass * (1.0 - p);
                }
                top = (top + v.weight).min(cap);
            }
            let w = voters[k].weight;
            let lo = threshold.saturating_sub(w);
            (lo..threshold.min(WORK)).map(|m| dist[m]).sum()
        }
    }
}

/// Whether the package is adopted given the realised votes.
pub fn adopted(voters: &[Voter], count: Count, votes: &[bool]) -> bool {
    match count {
        Count::Unanimity => votes.iter().take(voters.len()).all(|&v| v),
        Count::Majority { threshold } => {
            let w: usize = voters
                .iter()
                .zip(votes)
                .filter(|(_, &y)| y)
                .map(|(v, _)| v.weight)
                .sum();
            w >= threshold
        }
    }
}
