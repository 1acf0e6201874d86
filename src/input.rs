//! Reading the files the tool is given or reads back, within documented size limits. A path that
//! is not a regular file (a device such as `/dev/zero`, a pipe, a directory) or a file over its
//! limit is refused before it is parsed, and at most limit + 1 bytes are ever read, so no input
//! can make the tool read or parse without end.
//!
//! The limits: [`CONFIG_LIMIT`] for configs and study files (TOML, parsed into memory many times
//! their size), [`TABLE_LIMIT`] for design tables and for the files a study reads back
//! (`sweep-state.json`, `points.partial.csv`, `points.csv`, `manifest.json`); a line of a file read
//! back line by line (`runs.csv` at merge) is at most [`LINE_LIMIT`] bytes.

use crate::{Error, Result};
use std::io::{BufRead, Read as _};
use std::path::Path;

/// Largest config, sweep file or sensitivity file read: 1 MiB (the default config is 11 KB).
pub const CONFIG_LIMIT: u64 = 1 << 20;

/// Largest design table or file read back from a results directory: 1 GiB (a study of the
/// largest design, a million points, writes a `points.csv` of a few hundred MB).
pub const TABLE_LIMIT: u64 = 1 << 30;

/// Longest line of a table read line by line: 1 MiB.
pub const LINE_LIMIT: usize = 1 << 20;

/// A limit in words, for messages.
pub fn size_words(bytes: u64) -> String {
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GiB", bytes >> 30)
    } else if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// Open `path` for reading if it is a regular file of at most `limit` bytes; `what` says what
/// the file is, for messages ("config", "points table").
pub fn open(path: &Path, limit: u64, what: &str) -> Result<std::fs::File> {
    let meta = std::fs::metadata(path).map_err(|e| Error::Read {
        path: path.to_path_buf(),
        source: e,
    })?;
    if !meta.is_file() {
        return Err(Error::Input {
            path: path.to_path_buf(),
            message: format!(
                "is not a regular file (a {what} must be a file, not a directory, device or pipe)"
            ),
        });
    }
    if meta.len() > limit {
        return Err(too_large(path, limit, what));
    }
    std::fs::File::open(path).map_err(|e| Error::Read {
        path: path.to_path_buf(),
        source: e,
    })
}

fn too_large(path: &Path, limit: u64, what: &str) -> Error {
    Error::Input {
        path: path.to_path_buf(),
        message: format!("is larger than {}, the limit for a {what}", size_words(limit)),
    }
}

/// The bytes of a regular file of at most `limit` bytes (reading at most limit + 1 bytes, so a
/// file that grows while it is read is refused too).
pub fn read_bytes(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>> {
    let f = open(path, limit, what)?;
    let mut bytes = Vec::new();
    f.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::Read {
            path: path.to_path_buf(),
            source: e,
        })?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, limit, what));
    }
    Ok(bytes)
}

/// The text of a regular UTF-8 file of at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64, what: &str) -> Result<String> {
    let bytes = read_bytes(path, limit, what)?;
    String::from_utf8(bytes).map_err(|e| Error::Input {
        path: path.to_path_buf(),
        message: format!(
            "is not UTF-8 text (a {what} is text; invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })
}

/// The text of a config or study file ([`CONFIG_LIMIT`]).
pub fn read_config(path: &Path) -> Result<String> {
    read_text(path, CONFIG_LIMIT, "config or study file")
}

/// The lines of a regular file of any size, each with its line end, each at most
/// [`LINE_LIMIT`] bytes (for tables read back row by row, such as a shard's `runs.csv`).
pub struct Lines {
    path: std::path::PathBuf,
    reader: std::io::BufReader<std::fs::File>,
    /// Line number of the next line (1-based).
    line: usize,
}

impl Lines {
    /// Open `path` (a regular file) for reading line by line.
    pub fn open(path: &Path, what: &str) -> Result<Lines> {
        let f = open(path, u64::MAX, what)?;
        Ok(Lines {
            path: path.to_path_buf(),
            reader: std::io::BufReader::new(f),
            line: 1,
        })
    }

    /// The number of the line that [`Lines::next_line`] returns next (1-based).
    pub fn number(&self) -> usize {
        self.line
    }

    /// The next line with its line end (the last one may lack it), or `None` at the end.
    pub fn next_line(&mut self) -> Result<Option<String>> {
        let mut buf = Vec::new();
        let limit = LINE_LIMIT as u64 + 1;
        let n = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::Read {
                path: self.path.clone(),
                source: e,
            })?;
        if n == 0 {
            return Ok(None);
        }
        if buf.len() > LINE_LIMIT {
            return Err(Error::Input {
                path: self.path.clone(),
                message: format!(
                    "line {} is longer than {}; the file is damaged",
                    self.line,
                    size_words(LINE_LIMIT as u64)
                ),
            });
        }
        let text = String::from_utf8(buf).map_err(|_| Error::Input {
            path: self.path.clone(),
            message: format!("line {} is not UTF-8 text; the file is damaged", self.line),
        })?;
        self.line += 1;
        Ok(Some(text))
    }
}

/// Check that a size is in `low..=high`; the message states the range.
pub fn check_size(file: &str, field: &str, value: u64, low: u64, high: u64) -> Result<u64> {
    if (low..=high).contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid(
            file,
            field,
            format!("must be in {low}..={high} (got {value})"),
        ))
    }
}

/// Check a size given on the command line (`--points`, `--replicates`): the message names the
/// option and states the range.
pub fn check_option(option: &str, value: u64, low: u64, high: u64) -> Result<u64> {
    if (low..=high).contains(&value) {
        Ok(value)
    } else {
        Err(Error::Usage {
            option: option.into(),
            message: format!("must be in {low}..={high} (got {value})"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_devices_and_files_over_the_limit() {
        let e = read_text(Path::new("/dev/zero"), CONFIG_LIMIT, "config").unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let d = std::env::temp_dir().join(format!("dsim-input-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let f = d.join("big.toml");
        std::fs::write(&f, vec![b'a'; 2000]).unwrap();
        let e = read_text(&f, 1000, "config").unwrap_err().to_string();
        assert!(e.contains("larger than 1000 bytes"), "{e}");
        assert_eq!(read_text(&f, 2000, "config").unwrap().len(), 2000);
        let e = read_text(&d, 1000, "config").unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn excerpts_are_capped() {
        let long = "x".repeat(100_000);
        let e = Error::Parse {
            file: "f".into(),
            message: format!("bad line\n{long}\nend"),
        }
        .to_string();
        assert!(
            e.len() < 400 && e.contains("more bytes cut") && e.ends_with("end"),
            "{e}"
        );
    }
}
