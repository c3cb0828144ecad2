//! Opening the data folder's files: only regular files, and only inside the folder.
//!
//! A FIFO or a device opened for reading blocks until something writes to it, so a reload
//! would hang for ever; a symbolic link may point anywhere on the machine. So every file
//! the service reads from the data folder is opened here: links resolved and required to
//! stay inside the folder, the file opened without blocking, then required to be a regular
//! file. The check is made on the opened file itself, so a file swapped for a FIFO between
//! a look and the open is still refused.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Opens `file`, which names something inside the data folder `dir`, for reading.
///
/// A missing file is `NotFound`, as from [`File::open`]; a file that is not a regular file
/// or that resolves outside `dir` is an `InvalidInput` error saying so.
pub fn open_regular(dir: &Path, file: &Path) -> io::Result<File> {
    let real = file.canonicalize()?;
    let folder = dir.canonicalize()?;
    if !real.starts_with(&folder) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it leads outside the data folder (through a symbolic link or `..`); only files \
             inside the folder are read",
        ));
    }
    // Opening a FIFO without O_NONBLOCK waits for a writer; with it, the open returns at
    // once and the check below refuses it. Regular files ignore the flag.
    let opened = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&real)?;
    let kind = opened.metadata()?.file_type();
    if !kind.is_file() {
        let what = if kind.is_dir() {
            "a folder"
        } else {
            "not a regular file (a FIFO, socket or device)"
        };
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("it is {what}; only regular files are read"),
        ));
    }
    Ok(opened)
}

/// The whole of a regular file inside `dir` (see [`open_regular`]).
pub fn read_regular(dir: &Path, file: &Path) -> io::Result<Vec<u8>> {
    let mut opened = open_regular(dir, file)?;
    let mut bytes = Vec::new();
    opened.read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_inside_is_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.geojson"), b"{}").unwrap();
        let bytes = read_regular(dir.path(), &dir.path().join("a.geojson")).unwrap();
        assert_eq!(bytes, b"{}");
    }

    #[test]
    fn a_fifo_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("plots.geojson");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let e = open_regular(dir.path(), &fifo).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("regular file"), "{e}");
    }

    #[test]
    fn links_out_of_the_folder_and_folders_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), b"x").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("plots.geojson");
        std::os::unix::fs::symlink(outside.path().join("secret"), &link).unwrap();
        let e = open_regular(dir.path(), &link).unwrap_err();
        assert!(e.to_string().contains("outside the data folder"), "{e}");
        let e = open_regular(dir.path(), &dir.path().join("../secret")).unwrap_err();
        assert!(
            e.kind() == io::ErrorKind::NotFound || e.to_string().contains("outside"),
            "{e}"
        );
        std::fs::create_dir(dir.path().join("roads.geojson")).unwrap();
        let e = open_regular(dir.path(), &dir.path().join("roads.geojson")).unwrap_err();
        assert!(e.to_string().contains("folder"), "{e}");
        // A link that stays inside is followed.
        std::fs::write(dir.path().join("real.geojson"), b"{}").unwrap();
        std::os::unix::fs::symlink("real.geojson", dir.path().join("poi.geojson")).unwrap();
        assert!(open_regular(dir.path(), &dir.path().join("poi.geojson")).is_ok());
    }
}
