//! What a calibration keeps between generations: each finished [`Generation`] (particles on the
//! working scale, weights, distances, simulated statistics) and the [`State`] of a directory
//! (the calibration, its identity, the generations, why it stopped), stored as
//! `calibration-state.json`; and the map from the priors' working scale to parameter values.

use crate::study::calibrate::spec::Calibration;
use serde::{Deserialize, Serialize};

/// The state file of a calibration directory.
pub const STATE: &str = "calibration-state.json";

/// The folder of a calibration directory that holds the files `--shard` processes exchange
/// (`study::calibrate::shard`).
pub const SHARDS: &str = "shards";

/// One finished generation. Non-finite numbers are stored as `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    /// Its index (0 = the prior sample).
    pub index: usize,
    /// Its tolerance ε (`None`: infinite, generation 0).
    pub tolerance: Option<f64>,
    /// The particles on the working scale, one vector per particle.
    pub particles: Vec<Vec<f64>>,
    /// Normalised importance weights.
    pub weights: Vec<f64>,
    /// Each particle's distance (`None`: infinite).
    pub distances: Vec<Option<f64>>,
    /// Each particle's simulated statistics, one per target, natural scale (`None`: undefined).
    pub statistics: Vec<Vec<Option<f64>>>,
    /// Candidates simulated.
    pub simulations: usize,
    /// Effective sample size of the weights.
    pub ess: f64,
}

/// The state of a calibration directory: the calibration and the generations done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// The calibration.
    pub calibration: Calibration,
    /// Its identity ([`Calibration::identity`]).
    pub identity: String,
    /// Generations done.
    pub generations: Vec<Generation>,
    /// Why the sampler stopped, once it has.
    pub stopped: Option<String>,
}

/// Working-scale values to parameter values.
pub fn to_parameters(cal: &Calibration, working: &[f64]) -> Vec<f64> {
    cal.parameters()
        .iter()
        .zip(working)
        .map(|(p, &z)| p.prior().from_working(z))
        .collect()
}
