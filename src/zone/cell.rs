//! [`ZoneCell`]: the snapshot being served, and replacing it without downtime, never with bad
//! data. Requests take the current [`Zone`] (an `Arc`) and keep it until they answer, so a
//! swap never changes the data under a request.
//!
//! A reload reads, reprojects, validates, indexes and prepares the new version completely,
//! off to the side, before one atomic swap replaces the old. Bad new data (malformed,
//! invalid, duplicated, half-written) never replaces good data: the service keeps the last
//! good version, logs why, and `/health` shows it. One reload runs at a time; a trigger that
//! arrives meanwhile is not lost but runs once the current one ends. A reload that outlives
//! its time limit shows in `/health` as stuck. What triggers a reload (file watch, SIGHUP,
//! `POST /admin/reload`) is the server's and the HTTP edge's business.
//!
//! A register edit swaps the cell too ([`ZoneCell::change_register`]): the committed change
//! and the new snapshot (the same data, the new register version) are made under one lock,
//! so snapshots follow commits in order, and a reload that finishes meanwhile takes the
//! register version current at its swap, never an older one.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;

use super::snapshot::Zone;
use crate::geodata::{DataError, Dataset, Problem};

/// What to do with a freshly built snapshot before it is served: the server derives the
/// facts the modules above need (tile facts, queryables, …) so that no request pays for them.
pub type Prepare = Box<dyn Fn(&Zone) + Send + Sync>;

/// The current snapshot and what is known about replacing it.
pub struct ZoneCell {
    current: RwLock<Arc<Zone>>,
    /// Held while a new snapshot is swapped in (reload or register edit).
    swapping: Mutex<()>,
    prepare: Prepare,
    reloads: ReloadLog,
}

impl std::fmt::Debug for ZoneCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZoneCell")
            .field("version", &self.current().version())
            .finish_non_exhaustive()
    }
}

impl ZoneCell {
    /// A cell serving `zone`, prepared with `prepare` (also every later snapshot).
    pub fn new(zone: Zone, prepare: Prepare) -> ZoneCell {
        prepare(&zone);
        ZoneCell {
            current: RwLock::new(Arc::new(zone)),
            swapping: Mutex::new(()),
            prepare,
            reloads: ReloadLog::default(),
        }
    }

    /// The snapshot served now.
    pub fn current(&self) -> Arc<Zone> {
        match self.current.read() {
            Ok(guard) => Arc::clone(&guard),
            // A writer never panics while holding the lock (it only swaps an Arc), but if
            // one did, the Arc inside is still a complete, consistent snapshot.
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Prepares `zone` and makes it the one served; requests in flight finish on the old.
    /// Blocking (the preparation derives facts from every feature).
    pub fn replace(&self, zone: Zone) {
        (self.prepare)(&zone);
        let _one = lock(&self.swapping);
        // An edit committed while the new data was prepared: lay its register version over
        // the new data (only the facts read from the cards are derived again).
        let latest = self.current().register_arc();
        let zone = if std::ptr::eq(zone.register(), &*latest) {
            zone
        } else {
            let zone = zone.with_register(latest);
            (self.prepare)(&zone);
            zone
        };
        self.set(Arc::new(zone));
    }

    fn set(&self, new: Arc<Zone>) {
        match self.current.write() {
            Ok(mut guard) => *guard = new,
            Err(poisoned) => *poisoned.into_inner() = new,
        }
    }

    /// Reads the register again and serves what it holds now (the same data). Unless
    /// `even_if_same`, nothing happens when its revision is the one served (one server: every
    /// change went through it or through an import). With several servers on one register,
    /// a snapshot can hold this server's newest commit yet miss an older one of another's,
    /// so a notification reads it again whatever its revision. Returns whether it swapped.
    /// Blocking.
    pub fn refresh_register(
        &self,
        register: &crate::register::Shared,
        even_if_same: bool,
    ) -> Result<bool, crate::register::RegisterError> {
        let swapped = self.change_register(|zone| {
            let book = register.lock().load().map_err(Some)?;
            let served = zone.register().revision();
            if book.revision() < served || (book.revision() == served && !even_if_same) {
                return Err(None);
            }
            tracing::info!(revision = book.revision(), "register read again");
            Ok((book, ()))
        });
        match swapped {
            Ok(()) => Ok(true),
            Err(None) => Ok(false),
            Err(Some(e)) => Err(e),
        }
    }

    /// Changes the register: `change` commits against the snapshot served now and returns
    /// the new register version, which then replaces it (same data) before this returns, so
    /// the next request sees it. One change at a time. Blocking.
    pub fn change_register<T, E>(
        &self,
        change: impl FnOnce(&Zone) -> Result<(crate::register::Book, T), E>,
    ) -> Result<T, E> {
        let _one = lock(&self.swapping);
        let current = self.current();
        let (book, out) = change(&current)?;
        let zone = current.with_register(Arc::new(book));
        (self.prepare)(&zone);
        self.set(Arc::new(zone));
        Ok(out)
    }

    /// Reloads run, refused and in progress.
    pub fn reloads(&self) -> &ReloadLog {
        &self.reloads
    }
}

/// The outcome of a reload that did not fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Reloaded {
    /// New data replaced the old.
    Replaced { from: String, to: String },
    /// The files hold the version already served.
    Unchanged { version: String },
    /// A reload was running: this one runs when it ends.
    Queued,
}

/// The last failed reload, shown by `/health` until a reload succeeds.
#[derive(Debug, Clone, Serialize)]
pub struct ReloadFailure {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub message: String,
    pub problems: Vec<Problem>,
}

/// Why a reload did not replace the data.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("the reload did not finish within {0} s; the last good version is still served")]
    TimedOut(u64),
    #[error("the reload task failed: {0}")]
    Task(String),
}

/// What the service knows about reloads: the last failure, the one running, the counts.
#[derive(Debug, Default)]
pub struct ReloadLog {
    /// Serialises reloads.
    running: Mutex<()>,
    /// When the reload now running started.
    started: Mutex<Option<OffsetDateTime>>,
    /// A trigger arrived while a reload was running.
    pending: AtomicBool,
    last_failure: Mutex<Option<ReloadFailure>>,
    ran: AtomicU64,
    refused: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Nothing here panics while holding a lock; if something did, the value is still whole.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ReloadLog {
    pub fn last_failure(&self) -> Option<ReloadFailure> {
        lock(&self.last_failure).clone()
    }

    /// When the reload now running started, if one is.
    pub fn running_since(&self) -> Option<OffsetDateTime> {
        *lock(&self.started)
    }

    /// Reloads run (whatever their outcome) and refused.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.ran.load(Ordering::Relaxed),
            self.refused.load(Ordering::Relaxed),
        )
    }

    fn fail(&self, message: String, problems: Vec<Problem>) {
        *lock(&self.last_failure) = Some(ReloadFailure {
            at: OffsetDateTime::now_utc(),
            message,
            problems,
        });
    }
}

/// Reads `dir` again and swaps it in when it is good. Blocking: run it on a blocking thread
/// ([`reload_async`] does). While another reload runs, answers [`Reloaded::Queued`] at once
/// and that reload runs again when it ends.
pub fn reload(cell: &ZoneCell, dir: &Path) -> Result<Reloaded, ReloadError> {
    let log = cell.reloads();
    let Ok(_one_at_a_time) = log.running.try_lock() else {
        log.pending.store(true, Ordering::SeqCst);
        return Ok(Reloaded::Queued);
    };
    let mut outcome = reload_once(cell, dir);
    // Triggers that came while this one ran: the files may have changed again.
    while log.pending.swap(false, Ordering::SeqCst) {
        outcome = reload_once(cell, dir);
    }
    outcome
}

fn reload_once(cell: &ZoneCell, dir: &Path) -> Result<Reloaded, ReloadError> {
    let log = cell.reloads();
    *lock(&log.started) = Some(OffsetDateTime::now_utc());
    let current = cell.current().version().to_string();
    let loaded = Dataset::load(dir);
    log.ran.fetch_add(1, Ordering::Relaxed);
    let outcome = match loaded {
        Ok(dataset) if dataset.version == current => {
            *lock(&log.last_failure) = None;
            Ok(Reloaded::Unchanged { version: current })
        }
        Ok(dataset) => {
            let to = dataset.version.clone();
            cell.replace(Zone::build_with(dataset, cell.current().register_arc()));
            *lock(&log.last_failure) = None;
            tracing::info!(from = %current, to = %to, "geodata reloaded");
            Ok(Reloaded::Replaced { from: current, to })
        }
        Err(e) => {
            let problems = match &e {
                DataError::Invalid { problems, .. } => problems.clone(),
                _ => Vec::new(),
            };
            tracing::error!(serving = %current, "geodata reload refused, still serving the last good version: {e}");
            log.refused.fetch_add(1, Ordering::Relaxed);
            log.fail(e.to_string(), problems);
            Err(ReloadError::Data(e))
        }
    };
    *lock(&log.started) = None;
    outcome
}

/// Reloads on a blocking thread, from async code, answering within `limit`. A reload still
/// running at the limit goes on (a blocking thread cannot be stopped) and `/health` shows it
/// as stuck; the last good version stays served meanwhile.
pub async fn reload_async(
    cell: Arc<ZoneCell>,
    dir: std::path::PathBuf,
    limit: Duration,
) -> Result<Reloaded, ReloadError> {
    let task = tokio::task::spawn_blocking({
        let cell = Arc::clone(&cell);
        move || reload(&cell, &dir)
    });
    match tokio::time::timeout(limit, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(join)) => Err(ReloadError::Task(join.to_string())),
        Err(_) => {
            let e = ReloadError::TimedOut(limit.as_secs());
            tracing::error!("{e}");
            cell.reloads().fail(e.to_string(), Vec::new());
            Err(e)
        }
    }
}
