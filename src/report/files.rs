//! Files in a results directory: the directory lock, building a new result set aside and swapping
//! it in whole, atomic durable writes, SHA-256 hashes, and removing the temporary files of
//! interrupted runs.
//!
//! - **Lock.** A process that writes results into a directory first takes an exclusive OS advisory
//!   lock ([`std::fs::File::try_lock`]) on `DIR/.deterrence-sim.lock` ([`LOCK`]) and keeps it for
//!   the rest of its life; the OS drops it when the process ends, even by `kill -9`, so a lock is
//!   never stale. The file holds the holder's pid, command line and start time, which a second
//!   process names when it refuses with [`Error::Locked`] (exit code 2).
//! - **Swap in whole.** New results for a directory that already holds results (`--force`) are
//!   built in a hidden sibling `.NAME.deterrence-sim-new.PID-N` that has its own lock file, locked
//!   before anything is written into it. [`commit`] exchanges the two directories in one atomic
//!   step (`renameat2(RENAME_EXCHANGE)` on Linux, `renamex_np(RENAME_SWAP)` on macOS; where the
//!   file system has neither, two renames with the old set kept aside and restored by the next
//!   writer if a kill falls between them). So at any kill moment `DIR` is the whole old set or the
//!   whole new one. The lock covers the swap: the process holds both lock files, so whichever one
//!   `DIR/.deterrence-sim.lock` names, it is held; a waiter that locked a file no longer at that
//!   path retries. Files in `DIR` that are not part of the old result set (not listed in its
//!   manifest, not named by the caller) are hard-linked into the new set, so the swap removes only
//!   results; a directory holding a foreign sub-directory is not swapped (refused).
//! - **Atomic writes.** [`write_atomic`] writes a temporary file, syncs it, renames it over the
//!   target and syncs the directory, so after a power loss a file is the old or the new whole.
//! - **Temporary files.** Every temporary file is named `.deterrence-sim-tmp.PID-N.NAME`
//!   ([`temp_path`]; NAME last, so a chart keeps its extension). Staleness needs no `/proc`: only
//!   the lock holder writes in a directory, so whoever takes the lock removes every temporary file
//!   of this scheme in it, and every staging or set-aside sibling of it.

use crate::{Error, Result};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The lock file in every results directory a process writes.
pub const LOCK: &str = ".deterrence-sim.lock";

/// The start of every temporary file's name.
const TEMP: &str = ".deterrence-sim-tmp.";

/// The marks of a sibling directory holding a new set being built, or an old set set aside.
const STAGE_NEW: &str = ".deterrence-sim-new.";
const STAGE_OLD: &str = ".deterrence-sim-old.";

/// The manifest, which lists the files of a result set.
const MANIFEST: &str = "manifest.json";

/// Lock files this process holds, by directory (held until the process ends).
static HELD: Mutex<Vec<(PathBuf, File)>> = Mutex::new(Vec::new());

/// New result sets being built aside.
static STAGED: Mutex<Vec<Staged>> = Mutex::new(Vec::new());

/// A new result set being built aside.
struct Staged {
    /// Where it is built.
    work: PathBuf,
    /// The results directory it replaces (canonical).
    target: PathBuf,
    /// The results directory as the caller named it.
    shown: PathBuf,
    /// Names the caller says belong to a result set.
    known: Vec<String>,
}

/// Makes temporary names unique within the process.
static SEQ: AtomicU64 = AtomicU64::new(0);

fn held() -> std::sync::MutexGuard<'static, Vec<(PathBuf, File)>> {
    HELD.lock().unwrap_or_else(|e| e.into_inner())
}

fn staged() -> std::sync::MutexGuard<'static, Vec<Staged>> {
    STAGED.lock().unwrap_or_else(|e| e.into_inner())
}

/// A temporary name for `path` in its directory: `.deterrence-sim-tmp.PID-N.NAME`.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!("{TEMP}{}-{n}.{name}", std::process::id()))
}

/// Whether `name` is one of this tool's temporary files.
fn is_temp(name: &str) -> bool {
    name.starts_with(TEMP)
}

#[cfg(test)]
thread_local! {
    /// What the durable-write steps did, in order (the test seam of [`write_atomic`]).
    static EVENTS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Record a durable-write step (tests only).
fn note(_what: &str, _path: &Path) {
    #[cfg(test)]
    EVENTS.with(|e| e.borrow_mut().push(format!("{_what} {}", _path.display())));
}

/// Sync a written file's data and metadata to disk.
fn sync_file(f: &File, path: &Path) -> Result<()> {
    note("sync-file", path);
    f.sync_all().map_err(|e| Error::io(path, e))
}

/// Sync a directory, so the names created or renamed in it survive a power loss. A no-op where
/// directories cannot be opened (not Unix).
pub fn sync_dir(dir: &Path) -> Result<()> {
    note("sync-dir", dir);
    #[cfg(unix)]
    {
        let d = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        File::open(d)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(d, e))?;
    }
    Ok(())
}

/// Sync the temporary file `file` (written at `tmp`), rename it to `path` and sync the
/// directory: the last step of every atomic write.
pub fn commit_temp(file: File, tmp: &Path, path: &Path) -> Result<()> {
    sync_file(&file, tmp)?;
    drop(file);
    note("rename", path);
    std::fs::rename(tmp, path).map_err(|e| Error::io(path, e))?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// Rename the temporary file `tmp`, written and closed by someone else (a chart backend), to
/// `path`, syncing it first and the directory after.
pub fn commit_written(tmp: &Path, path: &Path) -> Result<()> {
    let f = File::open(tmp).map_err(|e| Error::io(tmp, e))?;
    commit_temp(f, tmp, path)
}

/// Write `bytes` to `path` atomically and durably: a temporary file in the same directory,
/// synced, renamed over `path`, then the directory synced.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temp_path(path);
    let mut f = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    f.write_all(bytes).map_err(|e| Error::io(&tmp, e))?;
    commit_temp(f, &tmp, path)
}

/// SHA-256 of bytes, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// SHA-256 of a file, as lowercase hex, read in blocks (memory does not grow with the file).
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

fn hex(d: &[u8]) -> String {
    d.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Lock the existing directory `dir` for this process's whole life (see the module doc). Taking
/// a lock this process already holds does nothing; taking a new one removes the temporary files
/// and the staging siblings that interrupted runs left. A directory another process holds is
/// refused with [`Error::Locked`], naming the holder.
pub fn lock_dir(dir: &Path) -> Result<()> {
    let canon = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
    if held().iter().any(|(d, _)| *d == canon) {
        return Ok(());
    }
    let file = take_lock(&canon, dir)?;
    held().push((canon.clone(), file));
    remove_stale(&canon);
    Ok(())
}

/// Open and lock `canon/LOCK`, retrying while the file at that path is not the one locked (a
/// holder swapped a new set in between), and write this process's details into it.
fn take_lock(canon: &Path, shown: &Path) -> Result<File> {
    let p = canon.join(LOCK);
    for _ in 0..100 {
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&p)
            .map_err(|e| Error::io(&p, e))?;
        match f.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = f.read_to_string(&mut text);
                let holder: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
                let holder: String = holder.chars().take(300).collect();
                return Err(Error::Locked {
                    path: shown.to_path_buf(),
                    holder: if holder.is_empty() {
                        "details not written yet".into()
                    } else {
                        holder
                    },
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&p, e)),
        }
        if !same_file(&f, &p) {
            continue;
        }
        let command: String = std::env::args()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(200)
            .collect();
        let info = format!(
            "pid {}, command `{command}`, since {}\n",
            std::process::id(),
            utc_now()
        );
        f.set_len(0).map_err(|e| Error::io(&p, e))?;
        f.write_all(info.as_bytes()).map_err(|e| Error::io(&p, e))?;
        let _ = f.sync_data();
        return Ok(f);
    }
    Err(Error::Locked {
        path: shown.to_path_buf(),
        holder: "another process keeps replacing it".into(),
    })
}

/// Whether the open file `f` is still the file at `p`.
fn same_file(f: &File, p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match (f.metadata(), std::fs::metadata(p)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (f, p);
        true
    }
}

/// Remove what interrupted runs left: temporary files in `dir` and staging siblings of it (the
/// caller holds `dir`'s lock, so no live process is writing any of them).
fn remove_stale(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name().to_str().is_some_and(is_temp) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    for s in siblings(dir) {
        let _ = std::fs::remove_dir_all(s);
    }
}

/// The staging and set-aside siblings of `dir` (`.NAME.deterrence-sim-new.*`, `-old.*`).
fn siblings(dir: &Path) -> Vec<PathBuf> {
    let (Some(parent), Some(name)) = (dir.parent(), dir.file_name().and_then(|n| n.to_str())) else {
        return Vec::new();
    };
    let new = format!(".{name}{STAGE_NEW}");
    let old = format!(".{name}{STAGE_OLD}");
    std::fs::read_dir(parent)
        .map(|rd| {
            rd.flatten()
                .filter(|e| {
                    e.file_name()
                        .to_str()
                        .is_some_and(|n| n.starts_with(&new) || n.starts_with(&old))
                })
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}

/// Open `dir` for a new result set and return the directory to write it into.
///
/// `dir` is created if missing and locked. It holds results if it has a manifest or any of
/// `known` (the names the caller's result sets may hold without listing them in a manifest, such
/// as a study's state file). Such a directory is refused unless `force`; with `force` the new set
/// is built in a locked staging sibling that [`commit`] swaps in whole. A directory without
/// results is written in place. Other files in `dir` are kept.
pub fn begin(dir: &Path, force: bool, known: &[&str]) -> Result<PathBuf> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage {
            option: "--out".into(),
            message: format!("{} exists and is not a directory", dir.display()),
        });
    }
    restore_torn_swap(dir);
    std::fs::create_dir_all(dir).map_err(|e| Error::Usage {
        option: "--out".into(),
        message: format!("cannot create the output directory {}: {e}", dir.display()),
    })?;
    lock_dir(dir)?;
    let has = |n: &str| dir.join(n).exists();
    if !(has(MANIFEST) || known.iter().any(|n| has(n))) {
        return Ok(dir.to_path_buf());
    }
    if !force {
        return Err(Error::OutputExists(dir.to_path_buf()));
    }
    let canon = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
    let known: Vec<String> = known.iter().map(|s| s.to_string()).collect();
    if let Some(sub) = foreign(&canon, &known)?.into_iter().find(|p| p.is_dir()) {
        return Err(Error::Results {
            path: dir.to_path_buf(),
            message: format!(
                "holds {}, which this tool did not write, so its results cannot be replaced as a \
                 whole; move it away, or choose another --out",
                sub.display()
            ),
        });
    }
    let (parent, name) = parent_and_name(&canon)?;
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    let work = parent.join(format!(".{name}{STAGE_NEW}{}-{n}", std::process::id()));
    std::fs::create_dir(&work).map_err(|e| Error::io(&work, e))?;
    let lock = take_lock(&work, &work)?;
    held().push((work.clone(), lock));
    staged().push(Staged {
        work: work.clone(),
        target: canon,
        shown: dir.to_path_buf(),
        known,
    });
    Ok(work)
}

/// The parent and the name of a canonical directory path.
fn parent_and_name(canon: &Path) -> Result<(PathBuf, String)> {
    match (canon.parent(), canon.file_name().and_then(|n| n.to_str())) {
        (Some(p), Some(n)) => Ok((p.to_path_buf(), n.to_string())),
        _ => Err(Error::Usage {
            option: "--out".into(),
            message: format!(
                "{} has no parent directory to build new results in",
                canon.display()
            ),
        }),
    }
}

/// Entries of `dir` that are not part of its result set: not listed in its manifest, not the
/// manifest, not one of `known`, not the lock or a temporary file.
fn foreign(dir: &Path, known: &[String]) -> Result<Vec<PathBuf>> {
    let listed: Vec<String> = std::fs::read(dir.join(MANIFEST))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|m| m.get("files")?.as_object().map(|o| o.keys().cloned().collect()))
        .unwrap_or_default();
    let rd = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    Ok(rd
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().to_string();
            !(n == LOCK || n == MANIFEST || is_temp(&n) || listed.contains(&n) || known.contains(&n))
        })
        .map(|e| e.path())
        .collect())
}

/// Finish a result set begun with [`begin`]: if it was built aside, carry over the target's
/// foreign files (hard links), swap it in whole and remove the old set. Returns the results
/// directory as [`begin`] was given it. A set written in place needs nothing more than a sync.
pub fn commit(work: &Path) -> Result<PathBuf> {
    let entry = {
        let mut s = staged();
        s.iter().position(|st| st.work == work).map(|i| s.remove(i))
    };
    let Some(Staged {
        work,
        target,
        shown,
        known,
    }) = entry
    else {
        sync_dir(work)?;
        return Ok(work.to_path_buf());
    };
    for f in foreign(&target, &known)? {
        let Some(name) = f.file_name() else { continue };
        let to = work.join(name);
        if !to.exists() {
            std::fs::hard_link(&f, &to)
                .or_else(|_| std::fs::copy(&f, &to).map(|_| ()))
                .map_err(|e| Error::io(&to, e))?;
        }
    }
    sync_dir(&work)?;
    let (parent, name) = parent_and_name(&target)?;
    if exchange(&target, &work).is_err() {
        // No atomic exchange here: set the old set aside, move the new one in; a kill between
        // the two renames is repaired by the next writer (restore_torn_swap).
        let aside = parent.join(format!(".{name}{STAGE_OLD}{}", std::process::id()));
        std::fs::rename(&target, &aside).map_err(|e| Error::io(&target, e))?;
        std::fs::rename(&work, &target).map_err(|e| Error::io(&target, e))?;
        sync_dir(&parent)?;
        let _ = std::fs::remove_dir_all(&aside);
    } else {
        sync_dir(&parent)?;
        let _ = std::fs::remove_dir_all(&work);
    }
    // The lock file now at `target` is the one taken for `work`: keep it under `target`.
    let mut h = held();
    let old = h.iter().position(|(d, _)| *d == target);
    let new = h.iter().position(|(d, _)| *d == work);
    if let (Some(o), Some(n)) = (old, new) {
        let (_, f) = h.remove(n);
        let o = if n < o { o - 1 } else { o };
        h[o].1 = f;
    }
    Ok(shown)
}

/// Remove a set begun with [`begin`] and not committed (after an error). A set written in place
/// is left as it is.
pub fn abandon(work: &Path) {
    let mut s = staged();
    if let Some(i) = s.iter().position(|st| st.work == work) {
        s.remove(i);
        let _ = std::fs::remove_dir_all(work);
        held().retain(|(d, _)| d != work);
    }
}

/// If `dir` is missing but a set-aside old set of it exists (a kill between the two renames of
/// the fallback swap), put the old set back.
fn restore_torn_swap(dir: &Path) {
    if dir.exists() {
        return;
    }
    let Some(name) = dir.file_name().and_then(|n| n.to_str()) else {
        return;
    };
    let old = format!(".{name}{STAGE_OLD}");
    if let Some(aside) = siblings(dir).into_iter().find(|s| {
        s.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(&old))
    }) {
        let _ = std::fs::rename(aside, dir);
    }
}

/// Exchange two directory entries atomically.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt as _;
    let ca = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let cb = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both arguments are valid NUL-terminated paths that outlive the call.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE as _,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Exchange two directory entries atomically.
#[cfg(any(target_os = "macos", target_os = "ios"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt as _;
    let ca = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let cb = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both arguments are valid NUL-terminated paths that outlive the call.
    let r = unsafe { libc::renamex_np(ca.as_ptr(), cb.as_ptr(), libc::RENAME_SWAP) };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// No atomic exchange on this platform: the caller falls back to two renames.
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "macos",
    target_os = "ios"
)))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// The time now in UTC, as `YYYY-MM-DD HH:MM:SS UTC` (for the lock file).
fn utc_now() -> String {
    let s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = ((s / 86_400) as i64, s % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("dsim-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// Defect 3. What this checks: `write_atomic` syncs the temporary file before renaming it
    /// and syncs the directory after (the order of the calls, seen through the test seam), and
    /// the file then holds the bytes. It cannot check durability across a real power loss.
    #[test]
    fn atomic_writes_sync_the_file_before_the_rename_and_the_directory_after() {
        let d = tmp("sync");
        let p = d.join("summary.csv");
        EVENTS.with(|e| e.borrow_mut().clear());
        write_atomic(&p, b"a,b\n").unwrap();
        let ev = EVENTS.with(|e| e.borrow().clone());
        let kinds: Vec<&str> = ev.iter().map(|e| e.split(' ').next().unwrap()).collect();
        assert_eq!(kinds, ["sync-file", "rename", "sync-dir"], "{ev:?}");
        assert!(ev[0].contains(TEMP), "the temporary file is synced: {ev:?}");
        assert_eq!(ev[2], format!("sync-dir {}", d.display()));
        assert_eq!(std::fs::read(&p).unwrap(), b"a,b\n");
        assert_eq!(
            std::fs::read_dir(&d).unwrap().count(),
            1,
            "no temporary file is left"
        );
    }

    /// Defect 13: staleness is decided by the lock, not by /proc: taking the lock removes every
    /// temporary file of the scheme (charts included) and the staging siblings, and nothing else.
    #[test]
    fn taking_the_lock_removes_every_temporary_file_of_the_scheme() {
        let d = tmp("stale").join("out");
        std::fs::create_dir_all(&d).unwrap();
        for n in [
            format!("{TEMP}4000000-0.beliefs.png"),
            format!("{TEMP}{}-3.summary.csv", std::process::id()),
            "notes.txt".into(),
            ".hidden".into(),
        ] {
            std::fs::write(d.join(n), "x").unwrap();
        }
        let stage = d.with_file_name(format!(".out{STAGE_NEW}4000000-0"));
        std::fs::create_dir_all(&stage).unwrap();
        lock_dir(&d).unwrap();
        let mut left: Vec<String> = std::fs::read_dir(&d)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        left.sort();
        assert_eq!(left, [".deterrence-sim.lock", ".hidden", "notes.txt"]);
        assert!(!stage.exists());
        let lock = std::fs::read_to_string(d.join(LOCK)).unwrap();
        assert!(
            lock.starts_with(&format!("pid {}, command `", std::process::id())),
            "{lock}"
        );
        assert!(lock.contains(" UTC"), "{lock}");
    }

    /// A set built aside replaces the old one whole, keeps foreign files, and the lock file then
    /// at the directory's path is held by this process.
    #[test]
    fn a_forced_set_is_swapped_in_whole_and_keeps_foreign_files() {
        let d = tmp("swap").join("out");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("summary.csv"), "old").unwrap();
        std::fs::write(d.join("stale.csv"), "old").unwrap();
        std::fs::write(
            d.join(MANIFEST),
            r#"{"files": {"summary.csv": "x", "stale.csv": "y"}}"#,
        )
        .unwrap();
        std::fs::write(d.join("notes.txt"), "mine").unwrap();
        assert!(matches!(begin(&d, false, &[]), Err(Error::OutputExists(_))));
        let work = begin(&d, true, &[]).unwrap();
        assert_ne!(work, d);
        assert_eq!(std::fs::read_to_string(d.join("summary.csv")).unwrap(), "old");
        write_atomic(&work.join("summary.csv"), b"new").unwrap();
        let done = commit(&work).unwrap();
        assert_eq!(done, d);
        assert_eq!(std::fs::read_to_string(d.join("summary.csv")).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(d.join("notes.txt")).unwrap(), "mine");
        assert!(!d.join("stale.csv").exists());
        assert!(!work.exists());
        assert!(siblings(&done.canonicalize().unwrap()).is_empty());
        let f = File::open(d.join(LOCK)).unwrap();
        assert!(matches!(f.try_lock(), Err(std::fs::TryLockError::WouldBlock)));
    }

    #[test]
    fn utc_dates_are_civil_dates() {
        let t = utc_now();
        assert_eq!(t.len(), "2026-01-01 00:00:00 UTC".len(), "{t}");
        assert!(t.starts_with("20"), "{t}");
    }
}
