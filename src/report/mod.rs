//! What a run reports: the results directory and atomic writes (`files`), the CSV tables and
//! their schema (`tables`), the manifest (`manifest`), chart primitives (`charts`), a run's
//! charts (`run_charts`) and correct text rasterisation for bitmap charts (`text`).

pub mod charts;
pub mod files;
pub mod manifest;
pub mod run_charts;
pub mod tables;
pub mod text;
