//! The job behind each command of the binary: load and override a config, run, write, plot,
//! initialise. `main.rs` only parses arguments and shows progress.

pub mod commands;
