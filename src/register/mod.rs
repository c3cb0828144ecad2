//! The zone's sales register: each plot's business facts (status, price, terms, investor,
//! contact, notes, УПИ), keyed by cadastral identifier and kept apart from the cadastral
//! geometry, which a new export replaces wholesale. The register wins over the plots file
//! for these fields once it exists (the first start imports them from the file).
//!
//! - [`facts`] — the fields, which are public, and validating a merge patch of them;
//! - [`book`] — the register in memory, one immutable version per committed change;
//! - [`store`] — the [`Register`] seam (where it is stored), the audit trail, the accounts;
//! - [`sqlite`] — the SQLite store (WAL, durable commits, versioned migrations);
//! - [`postgres`] — the PostgreSQL store, shared by several servers, and [`postgres::listen`]
//!   for the changes the others commit;
//! - [`users`] — roles, tokens and their hashes.
//!
//! What the register is checked against (entries whose plot is gone) is [`orphans`]; the
//! zone snapshot overlays a [`Book`] on the plots (`crate::zone`).

pub mod book;
pub mod facts;
pub mod postgres;
pub mod sqlite;
pub mod store;
pub mod users;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;

pub use book::{Book, Entry};
pub use facts::{Facts, FieldError, Status, Terms};
pub use postgres::PostgresRegister;
pub use sqlite::SqliteRegister;
pub use store::{AuditRecord, Change, Register, RegisterError};
pub use users::{Role, User};

use crate::config::Config;
use crate::geodata::{Dataset, LayerKind};

/// Where the register is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file (the default: `<data>/register.sqlite`).
    File(PathBuf),
    /// A PostgreSQL database (`postgres://…`), which several servers may share.
    Postgres(String),
}

impl std::fmt::Display for Location {
    /// The file, or the URL without its password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&postgres::redacted(url)),
        }
    }
}

/// The register of a configuration: `register` when set (a file, or a `postgres://` URL),
/// else `<data>/register.sqlite`.
pub fn location(config: &Config) -> Location {
    match &config.register {
        Some(r) => match r.to_str().filter(|text| postgres::is_url(text)) {
            Some(url) => Location::Postgres(url.to_string()),
            None => Location::File(r.clone()),
        },
        None => Location::File(config.data_dir.join("register.sqlite")),
    }
}

/// Opens (creating and migrating when needed) the store at `location`. Blocking.
pub fn open_store(location: &Location) -> Result<Box<dyn Register>, RegisterError> {
    Ok(match location {
        Location::File(path) => Box::new(SqliteRegister::open(path)?),
        Location::Postgres(url) => Box::new(PostgresRegister::open(url)?),
    })
}

/// The store, shared by the requests and commands that use it (one writer at a time).
#[derive(Clone)]
pub struct Shared(Arc<Mutex<Box<dyn Register>>>);

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("register::Shared")
    }
}

impl Shared {
    pub fn new(register: Box<dyn Register>) -> Shared {
        Shared(Arc::new(Mutex::new(register)))
    }

    /// The store, for one blocking call.
    pub fn lock(&self) -> MutexGuard<'_, Box<dyn Register>> {
        // A panic inside a call leaves SQLite's own state consistent (an open transaction
        // is rolled back when dropped).
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Opens the register at `location` and, on its first start, imports the business facts the
/// plots of `dataset` carry. Blocking.
pub fn open(location: &Location, dataset: &Dataset) -> Result<(Shared, Book), RegisterError> {
    let mut register = open_store(location)?;
    if !register.imported()? {
        let entries: Vec<(String, Facts)> = dataset
            .layer(LayerKind::Plots)
            .map(|plots| {
                plots
                    .features
                    .iter()
                    .map(|f| (f.id.clone(), Facts::from_properties(&f.properties)))
                    .collect()
            })
            .unwrap_or_default();
        let from = dataset
            .layer(LayerKind::Plots)
            .and_then(|l| l.file.file_name())
            .map_or("the plots file".to_string(), |n| {
                n.to_string_lossy().into_owned()
            });
        register.import_initial(&entries, &from)?;
        tracing::info!(entries = entries.len(), "register created from {from}");
    }
    let book = register.load()?;
    Ok((Shared::new(register), book))
}

/// An entry whose plot is not in the plots served (a new geometry export dropped or
/// renumbered it): kept, and reported with the plots that may inherit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Orphan {
    pub plot: String,
    /// Plots without an entry of their own in the same cadastral area and property number
    /// prefix (`EKATTE.area.`): a split or merged plot's likely successors.
    pub may_inherit: Vec<String>,
}

/// The register's entries whose plot `dataset` does not have.
pub fn orphans(book: &Book, dataset: &Dataset) -> Vec<Orphan> {
    let Some(plots) = dataset.layer(LayerKind::Plots) else {
        return book
            .entries()
            .map(|e| Orphan {
                plot: e.plot.clone(),
                may_inherit: Vec::new(),
            })
            .collect();
    };
    let without_entry: Vec<&str> = plots
        .features
        .iter()
        .map(|f| f.id.as_str())
        .filter(|id| book.get(id).is_none())
        .collect();
    book.entries()
        .filter(|e| plots.get(&e.plot).is_none())
        .map(|e| {
            let area = match e.plot.rsplit_once('.') {
                Some((area, _)) => format!("{area}."),
                None => e.plot.clone(),
            };
            Orphan {
                plot: e.plot.clone(),
                may_inherit: without_entry
                    .iter()
                    .filter(|id| id.starts_with(&area))
                    .map(|id| id.to_string())
                    .collect(),
            }
        })
        .collect()
}
