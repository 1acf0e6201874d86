//! The job behind each command of the binary, as library functions taking plain option structs:
//! loading a config with its overrides (`load`), `run` (`run`), rerunning one point of a study
//! (`point`), `replay` (`replay`), `validate` of any kind of file (`validate`), `plot` (`plot`) and `init` (`init`).
//! `main.rs` only parses arguments, shows progress and prints.

pub mod init;
pub mod load;
pub mod plot;
pub mod point;
pub mod replay;
pub mod run;
pub mod validate;
