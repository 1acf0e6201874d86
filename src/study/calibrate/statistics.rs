//! The statistics calibration targets compare, computed from the engine's own per-run records
//! ([`RunRecord`]; nothing new is recorded by the simulation), with their Monte Carlo variance:
//!
//! - `probe_hazard`: probes per month simulated (months until the offensive, or the horizon):
//!   Russia's monthly P(probe) while no offensive has come; a ratio estimator over runs;
//! - `offensive_hazard_ratio`: (offensives / months at risk) of the regime over the same of
//!   `versus`, on the same runs (paired streams), with 0.5 added to each offensive count;
//! - `initiation_hazard_ratio`: the same with initiations (probes and the offensive) counted;
//! - `honoured_share`: bound guarantors' decided calls (a tripwire-forced call is not a decision)
//!   answered with a response of the definition, over those calls. Definition `regime` is the
//!   engine's own honoured share (`commitments_honoured / commitments`); a named definition
//!   counts, from the per-guarantor option tallies, the bound guarantors able to give at least
//!   one of its responses under the regime;
//! - `p_offensive`: the share of runs with a major offensive within the horizon.
//!
//! Sums are integers folded in run order, so the estimates are exact functions of the runs.

use crate::model::regimes::Requirement;
use crate::model::validate::Model;
use crate::sim::state::RunRecord;
use crate::study::calibrate::spec::{Definition, Observation, Statistic, Target};

/// A statistic's estimate from one particle's runs, and the Monte Carlo variance of that
/// estimate (on the discrepancy's scale: log for a hazard ratio).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The statistic (natural scale; NaN when undefined, e.g. a share without calls).
    pub value: f64,
    /// The value on the discrepancy's scale (log of a hazard ratio; the value otherwise).
    pub scaled: f64,
    /// The Monte Carlo variance of `scaled`.
    pub var: f64,
}

/// Integer sums of per-run pairs (a, b) for a ratio Σa / Σb.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Sums {
    n: u64,
    a: u64,
    b: u64,
    aa: u64,
    bb: u64,
    ab: u64,
}

impl Sums {
    fn add(&mut self, a: u64, b: u64) {
        self.n += 1;
        self.a += a;
        self.b += b;
        self.aa += a * a;
        self.bb += b * b;
        self.ab += a * b;
    }

    /// Σa / Σb and its delta-method variance over independent runs, floored by the variance of
    /// a binomial count (Σa + 0.5)/(Σb + 1) over Σb trials, so that a ratio estimated as 0 or 1
    /// still has one.
    fn ratio(&self) -> (f64, f64) {
        if self.b == 0 {
            return (f64::NAN, f64::NAN);
        }
        let (n, a, b) = (self.n as f64, self.a as f64, self.b as f64);
        let r = a / b;
        let bbar = b / n;
        let s2 = if self.n > 1 {
            ((self.aa as f64 - 2.0 * r * self.ab as f64 + r * r * self.bb as f64) / (n - 1.0)).max(0.0)
        } else {
            0.0
        };
        let delta = s2 / (n * bbar * bbar);
        let q = (a + 0.5) / (b + 1.0);
        let floor = q * (1.0 - q).abs() / b;
        (r, delta.max(floor))
    }
}

/// What one target folds from each run.
#[derive(Debug, Clone)]
struct Folder {
    statistic: Statistic,
    arm: usize,
    versus: Option<usize>,
    /// Named definition: per guarantor whether it is bound and able to give one of the
    /// responses; per option whether it counts; the option the tripwire forces.
    named: Option<(Vec<bool>, Vec<bool>, Option<usize>)>,
    main: Sums,
    other: Sums,
}

/// The statistics of every target, folded from the runs of one particle.
#[derive(Debug, Clone)]
pub struct Tally {
    folders: Vec<Folder>,
}

impl Tally {
    /// An empty tally for `targets` on `model` (one arm per regime: the calibration runs one
    /// arm of the force factor, so arm k is regime k).
    pub fn new(model: &Model, targets: &[Target]) -> Tally {
        let folders = targets
            .iter()
            .map(|t| {
                let named = match &t.definition {
                    Definition::Named { responses, .. } if t.statistic == Statistic::HonouredShare => {
                        let regime = &model.regimes()[t.regime];
                        let nopt = model.responses().len() + 1;
                        let mut counts = vec![false; nopt];
                        for &r in responses {
                            counts[r + 1] = true;
                        }
                        let able = model
                            .guarantors()
                            .iter()
                            .map(|g| {
                                regime.binds(&g.id, g.bilateral)
                                    && regime.responses.iter().any(|&r| {
                                        let ok = match model.responses()[r].requires {
                                            Requirement::Nothing => true,
                                            Requirement::Troops => g.troops,
                                            Requirement::AirSupport => g.air_support && regime.air_support,
                                        };
                                        ok && counts[r + 1]
                                    })
                            })
                            .collect();
                        let troops = model
                            .responses()
                            .iter()
                            .position(|r| r.requires == Requirement::Troops)
                            .map(|r| r + 1);
                        Some((able, counts, troops))
                    }
                    _ => None,
                };
                Folder {
                    statistic: t.statistic,
                    arm: t.regime,
                    versus: t.versus,
                    named,
                    main: Sums::default(),
                    other: Sums::default(),
                }
            })
            .collect();
        Tally { folders }
    }

    /// Fold in one run's records, one per arm.
    pub fn add(&mut self, records: &[RunRecord]) {
        for f in &mut self.folders {
            let r = &records[f.arm];
            let months =
                |r: &RunRecord| u64::from(r.offensive_month.map_or(r.probe_months.len() as u32, |t| t + 1));
            let offensive = |r: &RunRecord| u64::from(r.offensive_month.is_some());
            match f.statistic {
                Statistic::ProbeHazard => f.main.add(u64::from(r.probes), months(r)),
                Statistic::POffensive => f.main.add(offensive(r), 1),
                Statistic::OffensiveHazardRatio => {
                    f.main.add(offensive(r), months(r));
                    if let Some(v) = f.versus {
                        let rv = &records[v];
                        f.other.add(offensive(rv), months(rv));
                    }
                }
                Statistic::InitiationHazardRatio => {
                    let initiations = |r: &RunRecord| u64::from(r.probes) + offensive(r);
                    f.main.add(initiations(r), months(r));
                    if let Some(v) = f.versus {
                        let rv = &records[v];
                        f.other.add(initiations(rv), months(rv));
                    }
                }
                Statistic::HonouredShare => match &f.named {
                    None => f
                        .main
                        .add(u64::from(r.commitments_honoured), u64::from(r.commitments)),
                    Some((able, counts, troops)) => {
                        let nopt = counts.len();
                        let (mut h, mut c) = (0u64, 0u64);
                        for (i, &ok) in able.iter().enumerate() {
                            if !ok {
                                continue;
                            }
                            let forced = u64::from(r.forced[i]);
                            c += u64::from(r.called[i]) - forced;
                            let row = &r.responses[i * nopt..(i + 1) * nopt];
                            let mut hi: u64 = row
                                .iter()
                                .zip(counts)
                                .filter(|(_, &k)| k)
                                .map(|(&n, _)| u64::from(n))
                                .sum();
                            if troops.is_some_and(|t| counts[t]) {
                                hi -= forced;
                            }
                            h += hi;
                        }
                        f.main.add(h, c);
                    }
                },
            }
        }
    }

    /// The estimates, one per target.
    pub fn estimates(&self) -> Vec<Estimate> {
        self.folders
            .iter()
            .map(|f| match f.statistic {
                Statistic::OffensiveHazardRatio | Statistic::InitiationHazardRatio => {
                    let (oa, ma) = (f.main.a as f64 + 0.5, f.main.b as f64);
                    let (ov, mv) = (f.other.a as f64 + 0.5, f.other.b as f64);
                    let ratio = (oa / ma) / (ov / mv);
                    Estimate {
                        value: ratio,
                        scaled: ratio.ln(),
                        var: 1.0 / oa + 1.0 / ov,
                    }
                }
                _ => {
                    let (v, var) = f.main.ratio();
                    Estimate {
                        value: v,
                        scaled: v,
                        var,
                    }
                }
            })
            .collect()
    }
}

/// The standardised discrepancy of one target: (simulated − observed) over √(observation
/// variance + simulation variance), on the statistic's scale (log for a hazard ratio); for a
/// band, the distance to its nearest edge (0 inside) over √(simulation variance). Infinite when
/// the statistic is undefined for the particle (e.g. no calls to honour).
pub fn discrepancy(t: &Target, e: &Estimate) -> f64 {
    if !e.scaled.is_finite() || !e.var.is_finite() {
        return f64::INFINITY;
    }
    let log = t.statistic.is_hazard_ratio();
    let scale = |x: f64| if log { x.max(1e-12).ln() } else { x };
    match t.observation {
        Observation::Band { low, high } => {
            let (lo, hi) = (scale(low), scale(high));
            let dev = if e.scaled < lo {
                lo - e.scaled
            } else if e.scaled > hi {
                e.scaled - hi
            } else {
                0.0
            };
            if dev == 0.0 {
                0.0
            } else {
                dev / e.var.max(1e-300).sqrt()
            }
        }
        o => {
            let (v, var) = o.value_var();
            let (y, vy) = if log {
                (scale(v), var / (v * v).max(1e-300))
            } else {
                (v, var)
            };
            (e.scaled - y) / (vy + e.var).max(1e-300).sqrt()
        }
    }
}

/// The distance of a particle: the Euclidean norm of the fitted targets' discrepancies.
pub fn distance(targets: &[Target], estimates: &[Estimate]) -> f64 {
    targets
        .iter()
        .zip(estimates)
        .filter(|(t, _)| t.fit())
        .map(|(t, e)| discrepancy(t, e).powi(2))
        .sum::<f64>()
        .sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_variance_by_hand() {
        // Runs (a, b): (1, 2), (0, 2), (3, 4): R = 4/8 = 0.5; residuals a − R b = 0, −1, 1;
        // s² = 2/2 = 1; b̄ = 8/3; var = 1 / (3 · 64/9) = 3/64. Floor (4.5/9)(0.5)/8 = 1/32 < 3/64.
        let mut s = Sums::default();
        for (a, b) in [(1, 2), (0, 2), (3, 4)] {
            s.add(a, b);
        }
        let (r, v) = s.ratio();
        assert_eq!(r, 0.5);
        assert!((v - 3.0 / 64.0).abs() < 1e-15, "{v}");
        // All honoured: the delta variance is 0, the floor (10.5/11)(0.5/11)/10 is used.
        let mut s = Sums::default();
        for _ in 0..5 {
            s.add(2, 2);
        }
        let (r, v) = s.ratio();
        let q: f64 = 10.5 / 11.0;
        assert_eq!(r, 1.0);
        assert!((v - q * (1.0 - q) / 10.0).abs() < 1e-15);
    }
}
