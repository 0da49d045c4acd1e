//! Release `.tar.gz` archives: gzip is decompressed on one thread while
//! the tar entries go through the [`TreeWriter`] on another.

use super::tree::{EntryKind, TreeWriter};
use super::{Limits, Stats, UnpackError, classify_stream_error};
use flate2::read::GzDecoder;
use indicatif::ProgressBar;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;

const CHUNK: usize = 256 * 1024;

/// A `Read` over chunks decompressed by another thread.
struct ChunkReader {
    chunks: Receiver<io::Result<Vec<u8>>>,
    current: Vec<u8>,
    pos: usize,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.current.len() {
            match self.chunks.recv() {
                Ok(Ok(chunk)) => {
                    self.current = chunk;
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0), // the decompressor is done
            }
        }
        let n = buf.len().min(self.current.len() - self.pos);
        buf[..n].copy_from_slice(&self.current[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// The archive as it is read, advancing the progress bar by the
/// compressed bytes read.
struct Counted {
    file: File,
    progress: ProgressBar,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        self.progress.inc(n as u64);
        Ok(n)
    }
}

/// Decompresses `archive` into `tx` until the end of the gzip stream, which
/// includes checking its CRC and length trailer.
fn decompress(archive: Counted, tx: SyncSender<io::Result<Vec<u8>>>) {
    let mut gz = GzDecoder::new(BufReader::with_capacity(CHUNK, archive));
    loop {
        let mut chunk = vec![0u8; CHUNK];
        let mut filled = 0;
        while filled < CHUNK {
            match gz.read(&mut chunk[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
        if filled == 0 {
            return;
        }
        chunk.truncate(filled);
        if tx.send(Ok(chunk)).is_err() {
            return; // the unpacker gave up
        }
    }
}

/// Unpacks the `.tar.gz` at `archive` into `dest` (which must not exist),
/// stripping the top-level `go/`; `progress` counts the compressed bytes
/// read and the files written.
pub fn unpack_tar_gz(
    archive: &Path,
    dest: &Path,
    limits: Limits,
    progress: &ProgressBar,
) -> Result<Stats, UnpackError> {
    let file = File::open(archive).map_err(|source| UnpackError::Write {
        path: archive.to_path_buf(),
        source,
    })?;
    let counted = Counted {
        file,
        progress: progress.clone(),
    };
    let (tx, rx) = sync_channel(16);
    let decompressor = thread::spawn(move || decompress(counted, tx));
    let mut reader = ChunkReader {
        chunks: rx,
        current: Vec::new(),
        pos: 0,
    };
    let result = unpack_tar(&mut reader, dest, limits, progress);
    // Read to the end so a broken gzip trailer after a complete tar is caught.
    let trailer = result
        .as_ref()
        .ok()
        .map(|_| io::copy(&mut reader, &mut io::sink()));
    drop(reader);
    decompressor
        .join()
        .expect("the decompressor thread does not panic");
    match trailer {
        Some(Err(e)) => Err(classify_stream_error(e)),
        _ => result,
    }
}

fn unpack_tar(
    reader: &mut ChunkReader,
    dest: &Path,
    limits: Limits,
    progress: &ProgressBar,
) -> Result<Stats, UnpackError> {
    let mut tree = TreeWriter::new(dest, limits, progress)?;
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries().map_err(classify_stream_error)? {
        let mut entry = entry.map_err(classify_stream_error)?;
        // A PAX `size` record overrides the header's size field; the entry
        // reads exactly `entry.size()` bytes.
        let size = entry.size();
        let header = entry.header();
        let kind = header.entry_type();
        if kind.is_pax_global_extensions() {
            continue; // archive-wide metadata, nothing to write
        }
        let kind = if kind.is_dir() {
            EntryKind::Dir
        } else if kind.is_file() {
            EntryKind::File {
                size,
                executable: header.mode().unwrap_or(0) & 0o111 != 0,
            }
        } else {
            EntryKind::Other(describe_kind(kind))
        };
        let raw = entry.path_bytes().into_owned();
        tree.entry(&raw, kind, &mut entry)?;
    }
    tree.finish()
}

fn describe_kind(kind: tar::EntryType) -> String {
    match kind {
        tar::EntryType::Symlink => "symbolic link".to_string(),
        tar::EntryType::Link => "hard link".to_string(),
        tar::EntryType::Char => "character device".to_string(),
        tar::EntryType::Block => "block device".to_string(),
        tar::EntryType::Fifo => "FIFO".to_string(),
        other => format!("{other:?} entry"),
    }
}
