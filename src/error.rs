//! The library's typed errors. Every error that a user's input can cause names the file, the
//! field and what is allowed; `main` maps [`Error::is_user_error`] to exit code 2.

use std::borrow::Cow;
use std::path::PathBuf;

/// Longest line of quoted input kept in a message, in characters.
pub const EXCERPT_CHARS: usize = 200;

/// Most lines of a message kept (a parse error quotes a few lines of the file).
const EXCERPT_LINES: usize = 40;

/// `text` with every line cut to [`EXCERPT_CHARS`] characters and at most 40 lines, saying how
/// much was cut: messages quote input (a line of a file, a name, a row), and input may be huge.
pub fn excerpt(text: &str) -> Cow<'_, str> {
    let long = text.lines().count() > EXCERPT_LINES || text.lines().any(|l| l.len() > EXCERPT_CHARS);
    if !long {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    for (k, line) in text.lines().enumerate() {
        if k == EXCERPT_LINES {
            out.push_str("[... more lines cut]");
            break;
        }
        if k > 0 {
            out.push('\n');
        }
        match line.char_indices().nth(EXCERPT_CHARS) {
            Some((cut, _)) => {
                out.push_str(&line[..cut]);
                out.push_str(&format!("[... {} more bytes cut]", line.len() - cut));
            }
            None => out.push_str(line),
        }
    }
    Cow::Owned(out)
}

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file is not a regular file, is larger than its limit (see [`crate::input`]), is
    /// not UTF-8 text, or a file read back is damaged.
    #[error("{}: {}", .path.display(), excerpt(.message))]
    Input {
        /// The file as named on the command line or found in a results directory.
        path: PathBuf,
        /// What is wrong with it and, for a limit, what is allowed.
        message: String,
    },
    /// A dotted parameter path names no parameter of the config (no such field there).
    #[error("{}: field `{}`: no such parameter; nearest valid paths: {}", excerpt(.file), excerpt(.path), excerpt(&.nearest.join(", ")))]
    UnknownParameter {
        /// The config (or study point) the path was applied to.
        file: String,
        /// The dotted path as given.
        path: String,
        /// The closest valid paths.
        nearest: Vec<String>,
    },
    /// The file is not valid TOML, or does not have the shape of a config.
    #[error("{}: {}", excerpt(.file), excerpt(.message))]
    Parse {
        /// The file (or `<built-in default>`, or a study point) the text came from.
        file: String,
        /// The TOML parser's message, with the line and the entry it is in.
        message: String,
    },
    /// A field has a value outside what the model allows.
    #[error("{}: field `{}`: {}", excerpt(.file), excerpt(.field), excerpt(.message))]
    Invalid {
        /// The file the value came from (with ` with --set` when edited on the command line).
        file: String,
        /// The field's dotted path, the one `--set` and studies use (`russia.lambda`).
        field: String,
        /// What is allowed, and the value given.
        message: String,
    },
    /// A command-line value is out of range.
    #[error("option `{option}`: {}", excerpt(.message))]
    Usage {
        /// The option as spelled on the command line (`--runs`, `--regime`).
        option: String,
        /// What is allowed, and the value given.
        message: String,
    },
    /// The output directory (the path held) holds results and `--force` was not given.
    #[error("{0} already holds results; pass --force to overwrite them, or choose another --out")]
    OutputExists(PathBuf),
    /// An input file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file that could not be opened or read.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// Writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory being written (or, for a config that cannot be serialised, a
        /// description of it).
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A results directory is not what a command expected (plot, merge, resume).
    #[error("{}: {}", .path.display(), excerpt(.message))]
    Results {
        /// The results directory, or the file in it that is wrong.
        path: PathBuf,
        /// What was expected and what was found.
        message: String,
    },
    /// Drawing a chart failed.
    #[error("chart {path}: {message}")]
    Chart {
        /// The image being drawn.
        path: PathBuf,
        /// The plotting backend's message.
        message: String,
    },
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
