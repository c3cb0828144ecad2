//! Progress of reading a data folder, layer by layer: on a terminal a progress bar per layer
//! (`indicatif`) over the file's bytes, naming the file, then what was read and how long it
//! took; off a terminal (a service's log) a line at each layer's start, one each time another
//! tenth of a large file is read, and one at its end. A province's folder takes seconds to
//! read, so `zagore check` and `zagore serve` say how far they are rather than sit silent.

use std::io::{IsTerminal, Read};
use std::path::Path;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Off a terminal, files at least this large get a log line per tenth read.
const LOGGED_STEPS_FROM: u64 = 64 << 20;

/// One layer being read.
pub(super) struct LayerProgress {
    layer: String,
    started: Instant,
    size: u64,
    spinner: Option<ProgressBar>,
}

impl LayerProgress {
    pub(super) fn start(layer: &str, file: &Path) -> LayerProgress {
        let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        let shown = file.display();
        let spinner = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(size);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {msg} [{bar:30}] {bytes}/{total_bytes} {elapsed} (eta {eta})",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_message(format!("reading {layer}: {shown}"));
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        if spinner.is_none() {
            tracing::info!(layer, file = %shown, bytes = size, "reading layer");
        }
        LayerProgress {
            layer: layer.to_string(),
            started: Instant::now(),
            size,
            spinner,
        }
    }

    /// `reader` (the layer's file), counting what is read of it into the progress.
    pub(super) fn track<R: Read>(&self, reader: R) -> Tracked<R> {
        Tracked {
            reader,
            bar: self.spinner.clone(),
            layer: self.layer.clone(),
            size: self.size,
            read: 0,
            logged_tenths: 0,
        }
    }

    /// The layer is read (`features` of them; None when it could not be).
    pub(super) fn finish(self, features: Option<usize>) {
        let seconds = self.started.elapsed().as_secs_f64();
        let what = match features {
            Some(n) => format!("{n} features"),
            None => "not read".to_string(),
        };
        match self.spinner {
            Some(spinner) => {
                if let Ok(done) = ProgressStyle::with_template("  {msg}") {
                    spinner.set_style(done);
                }
                spinner.finish_with_message(format!("{}: {what} in {seconds:.1} s", self.layer))
            }
            None => tracing::info!(
                layer = %self.layer,
                features,
                seconds = (seconds * 10.0).round() / 10.0,
                "layer read"
            ),
        }
    }
}

/// A layer's file as it is read: each read advances the bar, or off a terminal writes a log
/// line each time another tenth of a large file is read.
pub(super) struct Tracked<R> {
    reader: R,
    bar: Option<ProgressBar>,
    layer: String,
    size: u64,
    read: u64,
    logged_tenths: u64,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.reader.read(buf)?;
        self.read += n as u64;
        match &self.bar {
            Some(bar) => bar.inc(n as u64),
            None if self.size >= LOGGED_STEPS_FROM => {
                let tenths = (self.read.min(self.size) * 10) / self.size;
                if tenths > self.logged_tenths && tenths < 10 {
                    self.logged_tenths = tenths;
                    tracing::info!(
                        layer = %self.layer,
                        percent = tenths * 10,
                        read = %megabytes(self.read),
                        of = %megabytes(self.size),
                        "reading layer"
                    );
                }
            }
            None => {}
        }
        Ok(n)
    }
}

fn megabytes(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.0} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.0} kB", (bytes as f64 / 1e3).ceil())
    }
}
