//! Pure mathematics, independent of the model: portable elementary functions, seeded random
//! streams, confidence intervals,
//! experimental designs (grid, Latin hypercube, Sobol), sensitivity estimators (Sobol, Morris,
//! PRIM) and the ABC-SMC sampler's maths (`abc`). Nothing here knows about actors, regimes or files.

pub mod abc;
pub mod design;
pub mod intervals;
pub mod maths;
pub mod rng;
pub mod sensitivity;
pub mod ziggurat;
