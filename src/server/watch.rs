//! What triggers a reload of the data folder: a change in it (file watch, debounced), and
//! SIGHUP. (`POST /admin/reload` is the third, at the HTTP edge; all three end in
//! [`crate::zone::reload`].)

use std::time::Duration;

use notify::event::{AccessKind, AccessMode, EventKind, MetadataKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::http::AppState;

/// How long the folder must be quiet before a reload starts, so that a file being copied in
/// is read once, whole.
const SETTLE: Duration = Duration::from_millis(400);

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
    // The register's own files (its database, WAL and shared memory) may sit in the data
    // folder: writing them is an edit, not a data change.
    let register = match crate::register::location(state.config()) {
        crate::register::Location::File(path) => path,
        // Nothing of a PostgreSQL register is in the folder.
        crate::register::Location::Postgres(_) => std::path::PathBuf::new(),
    };
    let mut watcher = notify::recommended_watcher(move |result: notify::Result<notify::Event>| {
        if let Ok(event) = result {
            let only_register = !event.paths.is_empty()
                && event.paths.iter().all(|p| is_register_file(p, &register));
            if changes_data(&event.kind) && !only_register {
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
            let _ = state.reload().await;
        }
    });
    Ok(watcher)
}

/// Whether `path` is the register's database or one of SQLite's files beside it.
fn is_register_file(path: &std::path::Path, register: &std::path::Path) -> bool {
    let (Some(name), Some(db)) = (path.file_name(), register.file_name()) else {
        return false;
    };
    let (name, db) = (name.to_string_lossy(), db.to_string_lossy());
    name.strip_prefix(&*db)
        .is_some_and(|rest| ["", "-wal", "-shm", "-journal"].contains(&rest))
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
            let _ = state.reload().await;
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
