//! The job behind each command of the binary, as library functions taking plain option structs:
//! loading a config with its overrides (`load`), `run` (`run`), rerunning one point of a study
//! (`point`), `replay` (`replay`), `calibrate` (`calibrate`), `run --ensemble` (`ensemble`),
//! `validate` of any kind of file (`validate`), `plot` (`plot`), `init` (`init`) and the
//! interactive explorer in the browser (`serve`, feature `serve`).
//! `main.rs` only parses arguments, shows progress and prints.

pub mod calibrate;
pub mod ensemble;
pub mod init;
pub mod load;
pub mod plot;
pub mod point;
pub mod replay;
pub mod run;
#[cfg(feature = "serve")]
pub mod serve;
pub mod validate;
