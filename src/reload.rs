//! Reloading the geodata without downtime: on a change in the data folder (file watch), on
//! SIGHUP and on `POST /admin/reload`.
//!
//! The new version is read, reprojected, validated and indexed completely, off to the side,
//! before one atomic swap replaces the old; requests in flight finish on the version they
//! started with. Bad new data (malformed, invalid, duplicated, half-written) never replaces
//! good data: the service keeps the last good version, logs why, and `/health` shows it.

use std::sync::Mutex;
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, EventKind, MetadataKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher as _};
use serde::Serialize;
use time::OffsetDateTime;

use crate::app::{AppState, Data};
use crate::geodata::{DataError, Dataset, Problem};

/// How long the folder must be quiet before a reload starts, so that a file being copied in
/// is read once, whole.
const SETTLE: Duration = Duration::from_millis(400);

/// The outcome of a reload that did not fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Reloaded {
    /// New data replaced the old.
    Replaced { from: String, to: String },
    /// The files hold the version already served.
    Unchanged { version: String },
}

/// The last failed reload, shown by `/health` until a reload succeeds.
#[derive(Debug, Clone, Serialize)]
pub struct ReloadFailure {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub message: String,
    pub problems: Vec<Problem>,
}

/// What the service knows about reloads.
#[derive(Debug, Default)]
pub struct ReloadLog {
    /// Serialises reloads: a second trigger waits for the first instead of racing it.
    running: Mutex<()>,
    last_failure: Mutex<Option<ReloadFailure>>,
}

impl ReloadLog {
    pub fn last_failure(&self) -> Option<ReloadFailure> {
        match self.last_failure.lock() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set_failure(&self, failure: Option<ReloadFailure>) {
        match self.last_failure.lock() {
            Ok(mut guard) => *guard = failure,
            Err(poisoned) => *poisoned.into_inner() = failure,
        }
    }
}

/// Reads the data folder again and swaps it in when it is good. Blocking: run it on a
/// blocking thread.
pub fn reload(state: &AppState) -> Result<Reloaded, DataError> {
    let log = state.reload_log();
    let _one_at_a_time = log.running.lock().unwrap_or_else(|p| p.into_inner());
    let current = state.data().dataset.version.clone();
    let loaded = Dataset::load(&state.config().data_dir);
    state.metrics().reload_ran();
    match loaded {
        Ok(dataset) => {
            log.set_failure(None);
            if dataset.version == current {
                return Ok(Reloaded::Unchanged { version: current });
            }
            let to = dataset.version.clone();
            state.replace_data(Data::new(dataset));
            state.metrics().data_loaded(state);
            tracing::info!(from = %current, to = %to, "geodata reloaded");
            Ok(Reloaded::Replaced { from: current, to })
        }
        Err(e) => {
            let problems = match &e {
                DataError::Invalid { problems, .. } => problems.clone(),
                _ => Vec::new(),
            };
            tracing::error!(serving = %current, "geodata reload refused, still serving the last good version: {e}");
            state.metrics().reload_failed();
            log.set_failure(Some(ReloadFailure {
                at: OffsetDateTime::now_utc(),
                message: e.to_string(),
                problems,
            }));
            Err(e)
        }
    }
}

/// Why a reload did not replace the data.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("the reload task failed: {0}")]
    Task(String),
}

/// Reloads on a blocking thread, from async code.
pub async fn reload_async(state: AppState) -> Result<Reloaded, ReloadError> {
    match tokio::task::spawn_blocking(move || reload(&state)).await {
        Ok(result) => Ok(result?),
        Err(join) => Err(ReloadError::Task(join.to_string())),
    }
}

/// Keeps the file watcher alive; reloading on changes stops when it is dropped.
pub struct Reloader {
    _watcher: Option<Watcher>,
}

type Watcher = RecommendedWatcher;

/// Starts reloading on SIGHUP and, when configured, on changes in the data folder.
/// Call from within the Tokio runtime.
pub fn start(state: &AppState) -> Reloader {
    reload_on_sighup(state.clone());
    let watcher = if state.config().watch {
        match watch(state.clone()) {
            Ok(w) => Some(w),
            Err(e) => {
                tracing::warn!(
                    "not watching the data folder ({e}); reload with SIGHUP or POST /admin/reload"
                );
                None
            }
        }
    } else {
        None
    };
    Reloader { _watcher: watcher }
}

/// Watches the data folder and reloads when it changes. Keep the returned watcher alive.
fn watch(state: AppState) -> Result<Watcher, String> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut watcher = notify::recommended_watcher(move |result: notify::Result<notify::Event>| {
        if let Ok(event) = result {
            if changes_data(&event.kind) {
                let _ = tx.send(());
            }
        }
    })
    .map_err(|e| e.to_string())?;
    let dir = state.config().data_dir.clone();
    watcher
        .watch(&dir, RecursiveMode::NonRecursive)
        .map_err(|e| format!("cannot watch {}: {e}", dir.display()))?;
    tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // Wait until the folder has been quiet for SETTLE, coalescing a burst of
            // changes (a file copied in, an editor's save) into one reload.
            while let Ok(Some(())) = tokio::time::timeout(SETTLE, rx.recv()).await {}
            let _ = reload_async(state.clone()).await;
        }
    });
    Ok(watcher)
}

/// Whether a file-system event can change the data. Opening and reading a file (as every
/// reload does, and backups, `cat` or `zagore check` on the same folder) must not trigger a
/// reload, or a reload would set off the next one for ever; nor must an access-time update.
fn changes_data(kind: &EventKind) -> bool {
    match kind {
        // inotify's IN_CLOSE_WRITE: a writer has just finished with a file.
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) => true,
        EventKind::Any | EventKind::Other => true,
    }
}

/// Reloads on every SIGHUP.
#[cfg(unix)]
fn reload_on_sighup(state: AppState) {
    use tokio::signal::unix::{signal, SignalKind};
    tokio::spawn(async move {
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP; reload with POST /admin/reload instead");
            return;
        };
        while hup.recv().await.is_some() {
            tracing::info!("SIGHUP: reloading geodata");
            let _ = reload_async(state.clone()).await;
        }
    });
}

#[cfg(not(unix))]
fn reload_on_sighup(_state: AppState) {}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, RemoveKind, RenameMode};

    #[test]
    fn reading_the_data_is_not_a_change_but_writing_renaming_and_removing_are() {
        let reads = [
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)),
        ];
        for kind in reads {
            assert!(!changes_data(&kind), "{kind:?} must not reload");
        }
        let changes = [
            EventKind::Create(CreateKind::File),
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Modify(ModifyKind::Name(RenameMode::To)),
            EventKind::Remove(RemoveKind::File),
            // inotify's IN_CLOSE_WRITE: a writer finished.
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
        ];
        for kind in changes {
            assert!(changes_data(&kind), "{kind:?} must reload");
        }
    }
}
