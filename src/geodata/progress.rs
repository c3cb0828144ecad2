//! Progress of reading a data folder, layer by layer: on a terminal a spinner per layer
//! (`indicatif`), naming the file and its size while it is read, then what was read and how
//! long it took; off a terminal (a service's log) a line at each layer's start and end. A
//! province's folder takes seconds to read, so `zagore check` and `zagore serve` say what
//! they are doing rather than sit silent.

use std::io::IsTerminal;
use std::path::Path;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// One layer being read.
pub(super) struct LayerProgress {
    layer: String,
    started: Instant,
    spinner: Option<ProgressBar>,
}

impl LayerProgress {
    pub(super) fn start(layer: &str, file: &Path) -> LayerProgress {
        let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        let shown = file.display();
        let spinner = std::io::stderr().is_terminal().then(|| {
            let spinner = ProgressBar::new_spinner();
            spinner.set_style(
                ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            spinner.set_message(format!("reading {layer}: {shown} ({})", megabytes(size)));
            spinner.enable_steady_tick(Duration::from_millis(120));
            spinner
        });
        if spinner.is_none() {
            tracing::info!(layer, file = %shown, bytes = size, "reading layer");
        }
        LayerProgress {
            layer: layer.to_string(),
            started: Instant::now(),
            spinner,
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

fn megabytes(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.0} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.0} kB", (bytes as f64 / 1e3).ceil())
    }
}
