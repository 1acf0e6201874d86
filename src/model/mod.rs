//! The model as data: the config as written (`config`), its validation into a [`Model`]
//! (`validate`), the actors' parameters (`actors`), regimes and responses (`regimes`), the
//! choice rules (`choice`: logit response, contest), Beta beliefs (`beliefs`), dotted parameter
//! paths (`params`) and the analytic games the engine is checked against (`theory`).

pub mod actors;
pub mod beliefs;
pub mod choice;
pub mod config;
pub mod params;
pub mod regimes;
pub mod theory;
pub mod validate;

pub use validate::Model;
