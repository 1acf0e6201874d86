//! The library's typed errors. Every error that a user's input can cause names the file, the
//! field and what is allowed; `main` maps [`Error::is_user_error`] to exit code 2.

use std::path::PathBuf;

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file is not valid TOML, or does not have the shape of a config.
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    /// A field has a value outside what the model allows.
    #[error("{file}: field `{field}`: {message}")]
    Invalid {
        file: String,
        field: String,
        message: String,
    },
    /// A command-line value is out of range.
    #[error("option `{option}`: {message}")]
    Usage { option: String, message: String },
    /// The output directory holds results and `--force` was not given.
    #[error("{0} already holds results; pass --force to overwrite them, or choose another --out")]
    OutputExists(PathBuf),
    /// An input file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A results directory is not what a command expected (plot, merge, resume).
    #[error("{path}: {message}")]
    Results { path: PathBuf, message: String },
    /// Drawing a chart failed.
    #[error("chart {path}: {message}")]
    Chart { path: PathBuf, message: String },
    /// Another process holds the lock of the output directory (it is writing results there).
    #[error(
        "{path} is being written by another deterrence-sim process ({holder}); wait for it to \
         finish, or choose another --out"
    )]
    Locked {
        /// The output directory.
        path: PathBuf,
        /// The holder's pid, command line and start time, as its lock file records them.
        holder: String,
    },
}

impl Error {
    /// Errors caused by the user's input (exit code 2), as opposed to the environment.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Error::Io { .. } | Error::Chart { .. })
    }

    /// Helper for an invalid field.
    pub fn invalid(file: &str, field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Invalid {
            file: file.to_string(),
            field: field.into(),
            message: message.into(),
        }
    }

    /// Helper for an I/O failure at a path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;
