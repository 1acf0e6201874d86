//! A minimal ustar writer for the explorer's download: regular files under one directory name,
//! built in memory (a results directory is a few hundred kilobytes), read by `tar -x` and every
//! archive tool.

/// A tar archive of `files` (name, bytes), each stored as `dir/name`, mode 0644, mtime `mtime`
/// (seconds since 1970). Names longer than the ustar limit are cut (results files are short).
pub fn tar(dir: &str, files: &[(String, Vec<u8>)], mtime: u64) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, bytes) in files {
        let mut h = [0u8; 512];
        let path = format!("{dir}/{name}");
        let p = path.as_bytes();
        h[..p.len().min(100)].copy_from_slice(&p[..p.len().min(100)]);
        octal(&mut h[100..108], 0o644);
        octal(&mut h[108..116], 0);
        octal(&mut h[116..124], 0);
        octal(&mut h[124..136], bytes.len() as u64);
        octal(&mut h[136..148], mtime);
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        // The checksum is summed with its own field as spaces.
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        octal(&mut h[148..155], u64::from(sum));
        h[155] = b' ';
        out.extend_from_slice(&h);
        out.extend_from_slice(bytes);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// `x` in octal, zero-padded, NUL-terminated, filling `field`.
fn octal(field: &mut [u8], x: u64) {
    let s = format!("{:0width$o}\0", x, width = field.len() - 1);
    let b = s.as_bytes();
    // A value too large for the field keeps its low digits (never reached: files are small).
    field.copy_from_slice(&b[b.len() - field.len()..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The archive is read back by the system's `tar` with the names, sizes and bytes given.
    #[test]
    fn system_tar_reads_it_back() {
        let files = vec![
            ("summary.csv".to_string(), b"a,b\n1,2\n".to_vec()),
            ("empty.txt".to_string(), Vec::new()),
            (
                "big.bin".to_string(),
                (0..1500u32).map(|i| (i % 251) as u8).collect(),
            ),
        ];
        let t = tar("res", &files, 1_700_000_000);
        assert_eq!(t.len() % 512, 0);
        let d = std::env::temp_dir().join(format!("dsim-tar-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("a.tar"), &t).unwrap();
        let ok = std::process::Command::new("tar")
            .args(["-xf", "a.tar"])
            .current_dir(&d)
            .status()
            .expect("tar runs");
        assert!(ok.success());
        for (name, bytes) in &files {
            assert_eq!(&std::fs::read(d.join("res").join(name)).unwrap(), bytes, "{name}");
        }
        let _ = std::fs::remove_dir_all(&d);
    }
}
