//! What a run reports: result files and their CSV schema (`output`) and charts (`charts`).

pub mod charts;
pub mod output;
