//! What a batch of runs reports: per-arm accumulators (an arm is a regime with or without the
//! reassurance force, [`Arm`]) folded from [`RunRecord`]s in run order, the summary rows derived
//! from them, and the paired effect of the force within each regime.
//!
//! Folding always happens in run-index order on one thread, so every floating-point sum has the
//! same order whatever the thread count: the outputs are bit-identical on 1 or 64 threads.

use crate::model::config::arm_name;
use crate::model::regimes::Arm;
use crate::model::validate::Model;
use crate::sim::state::RunRecord;
use crate::stats::intervals::{bin_of, histogram_quantile, paired_difference, wilson, Z95};

/// Bins of the belief histograms (resolution 0.01).
pub const BELIEF_BINS: usize = 100;

/// Everything accumulated for one arm (a regime with or without the force).
#[derive(Debug, Clone, PartialEq)]
pub struct Accumulator {
    /// Number of guarantors (the row count of the per-guarantor tallies).
    pub guarantors: usize,
    /// Options per guarantor: nothing plus the model's responses (columns of `responses`).
    pub options: usize,
    /// Months in a run.
    pub periods: usize,
    /// Runs folded in.
    pub runs: u64,
    /// Runs with no major offensive within the horizon.
    pub successes: u64,
    /// First offensives by month.
    pub offensives_by_month: Vec<u64>,
    /// Runs with a probe, by month.
    pub probes_by_month: Vec<u64>,
    /// Probes over all runs.
    pub probes: u64,
    /// Runs with a major offensive.
    pub offensives: u64,
    /// Offensives Ukraine held.
    pub held: u64,
    /// Calls on bound guarantors (one per bound guarantor per crisis), those forced by the
    /// tripwire excepted (a forced call is not a decision).
    pub commitments: u64,
    /// Of those, calls met with a response of the regime's honouring set.
    pub commitments_honoured: u64,
    /// Crises (probes and offensives).
    pub crises: u64,
    /// Crises whose separate-consultation equilibrium stopped at its iteration cap (§7.10).
    pub qre_capped: u64,
    /// Iterations of those equilibria, summed.
    pub qre_iterations: u64,
    /// Summed hours until the first honouring support arrived, over `responses_timed` crises.
    pub response_hours: f64,
    /// Crises where some honouring support arrived.
    pub responses_timed: u64,
    /// Summed time-weighted support over all crises, in units of Russia's strength (§7.2).
    pub support: f64,
    /// Per guarantor, crises it was called in.
    pub called: Vec<u64>,
    /// Per guarantor, crises it honoured (by the regime's honouring set).
    pub honoured: Vec<u64>,
    /// Per guarantor, crises in which the tripwire forced it into the troops response.
    pub forced: Vec<u64>,
    /// Per guarantor and option (`guarantors x options`, option 0 = nothing), times chosen.
    pub responses: Vec<u64>,
    /// Per guarantor, cost borne, US$ bn.
    pub cost: Vec<f64>,
    /// Per guarantor, summed hours until its honouring support arrived.
    pub arrival_hours: Vec<f64>,
    /// Per month and guarantor, the sum over runs of Russia's mean belief in its resolve.
    pub belief_sum: Vec<f64>,
    /// Per month and guarantor, a histogram of that belief over runs (`BELIEF_BINS` bins).
    pub belief_hist: Vec<u32>,
    /// Runs where this regime succeeded and the baseline failed.
    pub better_than_base: u64,
    /// Runs where the baseline succeeded and this regime failed.
    pub worse_than_base: u64,
}

impl Accumulator {
    /// An empty accumulator sized for `model`.
    pub fn new(model: &Model) -> Accumulator {
        let g = model.guarantors().len();
        let t = model.run().periods as usize;
        let o = model.responses().len() + 1;
        Accumulator {
            guarantors: g,
            options: o,
            periods: t,
            runs: 0,
            successes: 0,
            offensives_by_month: vec![0; t],
            probes_by_month: vec![0; t],
            probes: 0,
            offensives: 0,
            held: 0,
            commitments: 0,
            commitments_honoured: 0,
            crises: 0,
            qre_capped: 0,
            qre_iterations: 0,
            response_hours: 0.0,
            responses_timed: 0,
            support: 0.0,
            called: vec![0; g],
            honoured: vec![0; g],
            forced: vec![0; g],
            responses: vec![0; g * o],
            cost: vec![0.0; g],
            arrival_hours: vec![0.0; g],
            belief_sum: vec![0.0; t * g],
            belief_hist: vec![0; t * g * BELIEF_BINS],
            better_than_base: 0,
            worse_than_base: 0,
        }
    }

    /// Fold one run in. `base_success` is whether the baseline regime succeeded on the same run.
    pub fn add(&mut self, r: &RunRecord, base_success: Option<bool>) {
        self.runs += 1;
        let success = r.offensive_month.is_none();
        if success {
            self.successes += 1;
        } else if let Some(t) = r.offensive_month {
            self.offensives_by_month[t as usize] += 1;
            self.offensives += 1;
            self.held += u64::from(r.held);
        }
        if let Some(b) = base_success {
            self.better_than_base += u64::from(success && !b);
            self.worse_than_base += u64::from(!success && b);
        }
        for (a, &p) in self.probes_by_month.iter_mut().zip(&r.probe_months) {
            *a += u64::from(p);
        }
        self.probes += u64::from(r.probes);
        self.commitments += u64::from(r.commitments);
        self.commitments_honoured += u64::from(r.commitments_honoured);
        self.crises += u64::from(r.crises);
        self.qre_capped += u64::from(r.qre_capped);
        self.qre_iterations += u64::from(r.qre_iterations);
        self.response_hours += r.response_hours;
        self.responses_timed += u64::from(r.responses_timed);
        self.support += r.support;
        for (a, &b) in self.called.iter_mut().zip(&r.called) {
            *a += u64::from(b);
        }
        for (a, &b) in self.honoured.iter_mut().zip(&r.honoured) {
            *a += u64::from(b);
        }
        for (a, &b) in self.forced.iter_mut().zip(&r.forced) {
            *a += u64::from(b);
        }
        for (a, &b) in self.responses.iter_mut().zip(&r.responses) {
            *a += u64::from(b);
        }
        for (a, &b) in self.cost.iter_mut().zip(&r.cost) {
            *a += b;
        }
        for (a, &b) in self.arrival_hours.iter_mut().zip(&r.arrival_hours) {
            *a += b;
        }
        for (k, &b) in r.beliefs.iter().enumerate() {
            self.belief_sum[k] += f64::from(b);
            self.belief_hist[k * BELIEF_BINS + bin_of(f64::from(b), BELIEF_BINS)] += 1;
        }
    }

    /// The summary row of this accumulator, arm (`regime`, `force`); `baseline` names the
    /// regime of the paired difference (taken within the same force arm), if the batch has one.
    pub fn summary(&self, regime: &str, force: bool, baseline: Option<&str>) -> SummaryRow {
        let n = self.runs;
        let rate = self.successes as f64 / n.max(1) as f64;
        let (lo, hi) = wilson(self.successes, n, Z95);
        let diff = baseline.map(|b| {
            let (estimate, low, high) = paired_difference(self.better_than_base, self.worse_than_base, n);
            PairedDiff {
                baseline: b.to_string(),
                better: self.better_than_base,
                worse: self.worse_than_base,
                estimate,
                low,
                high,
            }
        });
        // Median months to the first offensive: first month by which half the runs have seen one.
        let mut cum = 0;
        let mut median = None;
        for (t, &k) in self.offensives_by_month.iter().enumerate() {
            cum += k;
            if 2 * cum >= n {
                median = Some(t as u32 + 1);
                break;
            }
        }
        let ratio = |a: f64, b: u64| if b == 0 { None } else { Some(a / b as f64) };
        SummaryRow {
            regime: regime.to_string(),
            force,
            runs: n,
            successes: self.successes,
            success_rate: rate,
            ci_low: lo,
            ci_high: hi,
            diff,
            median_months_to_offensive: median.unwrap_or(self.periods as u32),
            median_censored: median.is_none(),
            probes_per_run: self.probes as f64 / n.max(1) as f64,
            honoured_share: ratio(self.commitments_honoured as f64, self.commitments),
            mean_response_hours: ratio(self.response_hours, self.responses_timed),
            mean_support: ratio(self.support, self.crises),
            p_hold_given_offensive: ratio(self.held as f64, self.offensives),
        }
    }

    /// Share of runs with no offensive by the end of month `t` (0-based), and its Wilson interval.
    pub fn survival(&self, t: usize) -> (f64, f64, f64) {
        let hit: u64 = self.offensives_by_month[..=t].iter().sum();
        let alive = self.runs - hit;
        let (lo, hi) = wilson(alive, self.runs, Z95);
        (alive as f64 / self.runs.max(1) as f64, lo, hi)
    }

    /// Mean, 10th and 90th percentile of Russia's belief in guarantor `i` at month `t`.
    pub fn belief(&self, t: usize, i: usize) -> (f64, f64, f64) {
        let k = t * self.guarantors + i;
        let mean = self.belief_sum[k] / self.runs.max(1) as f64;
        let bins = &self.belief_hist[k * BELIEF_BINS..(k + 1) * BELIEF_BINS];
        (
            mean,
            histogram_quantile(bins, 0.1).unwrap_or(f64::NAN),
            histogram_quantile(bins, 0.9).unwrap_or(f64::NAN),
        )
    }
}

/// The paired difference of one regime's success from the baseline regime's over the same
/// seeded runs.
#[derive(Debug, Clone, PartialEq)]
pub struct PairedDiff {
    /// The regime subtracted (`none` in runs and sweeps; a difference study's second regime).
    pub baseline: String,
    /// Runs where this regime succeeded and the baseline failed.
    pub better: u64,
    /// Runs where the baseline succeeded and this regime failed.
    pub worse: u64,
    /// `(better - worse) / runs`: success rate minus the baseline's.
    pub estimate: f64,
    /// The 95% Tango score interval of the difference
    /// ([`crate::stats::intervals::paired_difference`]).
    pub low: f64,
    /// Upper end of that interval.
    pub high: f64,
}

/// One row of `summary.csv` (and of `points.csv` after the point's columns).
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// The regime's name.
    pub regime: String,
    /// Whether this arm deployed the reassurance force (the `force` column, `with`/`without`).
    pub force: bool,
    /// Runs of the regime.
    pub runs: u64,
    /// Runs with no major offensive.
    pub successes: u64,
    /// `successes / runs`.
    pub success_rate: f64,
    /// 95% Wilson interval of the success rate.
    pub ci_low: f64,
    /// Upper end of that interval.
    pub ci_high: f64,
    /// The paired difference from the baseline regime, if the batch has a baseline.
    pub diff: Option<PairedDiff>,
    /// First month by which half the runs saw an offensive (the horizon if censored).
    pub median_months_to_offensive: u32,
    /// Fewer than half the runs saw an offensive within the horizon.
    pub median_censored: bool,
    /// Mean number of probes per run.
    pub probes_per_run: f64,
    /// Share of commitments honoured (undefined without commitments).
    pub honoured_share: Option<f64>,
    /// Mean hours until a response (undefined without timed responses).
    pub mean_response_hours: Option<f64>,
    /// Mean support per crisis (undefined without crises).
    pub mean_support: Option<f64>,
    /// Share of offensives Ukraine held (undefined without offensives).
    pub p_hold_given_offensive: Option<f64>,
}

/// The paired effect of the reassurance force within one regime: success with the force minus
/// success without it over the same seeded runs (per-run differences d_j in {-1, 0, 1}).
#[derive(Debug, Clone, PartialEq)]
pub struct ForceEffect {
    /// The regime's name.
    pub regime: String,
    /// Runs of each arm (paired run by run).
    pub runs: u64,
    /// `(with_only - without_only) / runs`: the success rate with the force minus without.
    pub estimate: f64,
    /// The 95% Tango score interval of that paired difference
    /// ([`crate::stats::intervals::paired_difference`]): lower end.
    pub low: f64,
    /// Upper end of that interval.
    pub high: f64,
    /// Runs that succeeded with the force and failed without it.
    pub with_only: u64,
    /// Runs that succeeded without the force and failed with it.
    pub without_only: u64,
}

/// The discordant-pair tally of one regime's two force arms.
#[derive(Debug, Clone, PartialEq)]
pub struct ForceTally {
    /// The regime's index in the model.
    pub regime: usize,
    /// The arm index without the force.
    pub without: usize,
    /// The arm index with the force.
    pub with: usize,
    /// Runs that succeeded with the force and failed without it.
    pub with_only: u64,
    /// Runs that succeeded without the force and failed with it.
    pub without_only: u64,
    /// Runs folded in.
    pub runs: u64,
}

/// The results of a batch: one accumulator per arm, in [`Model::arms`] order (regime-major,
/// without the force before with).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchResult {
    /// The regime name of each arm.
    pub regimes: Vec<String>,
    /// Each arm (its regime index and whether the force is deployed).
    pub arms: Vec<Arm>,
    /// Every regime name of the model, in config order.
    pub regime_names: Vec<String>,
    /// One accumulator per arm, in the same order.
    pub accumulators: Vec<Accumulator>,
    /// Index of the baseline regime of the paired differences (in the model's regimes), if any.
    pub baseline: Option<usize>,
    /// Per arm, the arm of the baseline regime with the same force, if any.
    pub baseline_arm: Vec<Option<usize>>,
    /// Per regime run with both arms, in regime order, the paired tally of the force's effect.
    pub force_tallies: Vec<ForceTally>,
}

impl BatchResult {
    /// An empty batch for every arm of `model`.
    pub fn new(model: &Model) -> BatchResult {
        let arms = model.arms();
        let baseline = model.baseline();
        let find =
            |regime: usize, force: bool| arms.iter().position(|a| a.regime == regime && a.force == force);
        let baseline_arm = arms
            .iter()
            .map(|a| baseline.and_then(|b| find(b, a.force)))
            .collect();
        let force_tallies = (0..model.regimes().len())
            .filter_map(|r| {
                Some(ForceTally {
                    regime: r,
                    without: find(r, false)?,
                    with: find(r, true)?,
                    with_only: 0,
                    without_only: 0,
                    runs: 0,
                })
            })
            .collect();
        BatchResult {
            regimes: arms
                .iter()
                .map(|a| model.regimes()[a.regime].name.clone())
                .collect(),
            regime_names: model.regimes().iter().map(|r| r.name.clone()).collect(),
            accumulators: arms.iter().map(|_| Accumulator::new(model)).collect(),
            arms,
            baseline,
            baseline_arm,
            force_tallies,
        }
    }

    /// Fold in the records of one run index, one per arm, in arm order.
    pub fn add_run(&mut self, records: &[RunRecord]) {
        let ok = |k: usize| records[k].offensive_month.is_none();
        for (k, (acc, r)) in self.accumulators.iter_mut().zip(records).enumerate() {
            acc.add(r, self.baseline_arm[k].map(ok));
        }
        for t in &mut self.force_tallies {
            let (with, without) = (ok(t.with), ok(t.without));
            t.with_only += u64::from(with && !without);
            t.without_only += u64::from(without && !with);
            t.runs += 1;
        }
    }

    /// The name of the baseline regime of the paired differences, if there is one.
    pub fn baseline_name(&self) -> Option<&str> {
        self.baseline
            .and_then(|b| self.regime_names.get(b))
            .map(String::as_str)
    }

    /// Whether some regime runs both arms of the force (then `force_effect.csv` has rows).
    pub fn both_arms(&self) -> bool {
        !self.force_tallies.is_empty()
    }

    /// The summary rows, in arm order.
    pub fn summary(&self) -> Vec<SummaryRow> {
        let base = self.baseline_name();
        self.regimes
            .iter()
            .zip(&self.arms)
            .zip(&self.accumulators)
            .map(|((n, a), acc)| acc.summary(n, a.force, base))
            .collect()
    }

    /// The paired effect of the force within each regime run with both arms, in regime order.
    pub fn force_effects(&self) -> Vec<ForceEffect> {
        self.force_tallies
            .iter()
            .map(|t| {
                let (estimate, low, high) = paired_difference(t.with_only, t.without_only, t.runs);
                ForceEffect {
                    regime: self.regime_names[t.regime].clone(),
                    runs: t.runs,
                    estimate,
                    low,
                    high,
                    with_only: t.with_only,
                    without_only: t.without_only,
                }
            })
            .collect()
    }
}

/// The `force` cell of an arm: `with` or `without`.
pub fn force_label(force: bool) -> &'static str {
    arm_name(force)
}
