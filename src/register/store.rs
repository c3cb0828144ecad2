//! The register seam: [`Register`], where the register is stored (SQLite, see
//! [`super::sqlite`], or PostgreSQL, see [`super::postgres`]), with the records it keeps
//! besides the entries — the audit trail ([`AuditRecord`]) and the accounts ([`User`]) — and
//! its errors.

use serde::Serialize;
use serde_json::Value;

use super::book::{Book, Entry};
use super::facts::Facts;
use super::users::{Role, User};

/// Why the register could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("the register {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("the register {path} has schema version {found}; this zagore knows versions up to {known}: run a newer zagore, or restore a backup made by this one")]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("the register's entry for {plot} does not hold valid facts: {reason}")]
    Corrupt { plot: String, reason: String },
    #[error("the register: {0}")]
    Sql(#[from] rusqlite::Error),
    /// The PostgreSQL register could not be reached (the URL is shown without a password).
    #[error("the register {url}: {source}")]
    Postgres {
        url: String,
        source: postgres::Error,
    },
    #[error("the register: {0}")]
    Pg(#[from] postgres::Error),
    /// Someone committed a change to this entry since the caller read it.
    #[error("plot {plot} was changed by someone else (now revision {current}); read it again and redo the change")]
    Conflict { plot: String, current: u64 },
    #[error("no register entry for plot {0}")]
    NoEntry(String),
    #[error("there is already a user named {0:?}")]
    UserExists(String),
    #[error("no user named {0:?}")]
    NoUser(String),
}

/// One change, as committed: who made it, when, to which plot, from what to what, and why.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    pub revision: u64,
    /// RFC 3339, UTC.
    pub at: String,
    pub who: String,
    pub plot: String,
    /// Every field before (null for a new entry) and after.
    pub old: Value,
    pub new: Value,
    pub reason: Option<String>,
}

/// A change to commit: the plot's new facts, made from the revision the editor read.
#[derive(Debug, Clone)]
pub struct Change {
    pub plot: String,
    /// The entry's revision the new facts were made from (`None`: a new entry).
    pub from_revision: Option<u64>,
    pub facts: Facts,
    pub who: String,
    pub reason: Option<String>,
}

/// Where the register is stored. Every call is blocking: call it off the async workers.
pub trait Register: Send {
    /// Every entry and the last committed revision.
    fn load(&mut self) -> Result<Book, RegisterError>;
    /// Whether the first import was done (the plots file's facts were taken in).
    fn imported(&mut self) -> Result<bool, RegisterError>;
    /// The first start's import, in one transaction: these entries at revision 0.
    fn import_initial(
        &mut self,
        entries: &[(String, Facts)],
        from: &str,
    ) -> Result<(), RegisterError>;
    /// Commits one change with its audit record, in one durable transaction; refused with
    /// [`RegisterError::Conflict`] when the entry is not at `change.from_revision` any more.
    fn commit(&mut self, change: &Change) -> Result<Entry, RegisterError>;
    /// Several changes in one transaction (a bulk import): all or none.
    fn commit_all(&mut self, changes: &[Change]) -> Result<Vec<Entry>, RegisterError>;
    /// A plot's changes, oldest first.
    fn history(&mut self, plot: &str) -> Result<Vec<AuditRecord>, RegisterError>;
    /// The changes at or after `since` (RFC 3339), oldest first, at most `limit`.
    fn audit_since(&mut self, since: &str, limit: usize)
        -> Result<Vec<AuditRecord>, RegisterError>;
    fn add_user(
        &mut self,
        name: &str,
        role: Role,
        token_sha256: &[u8; 32],
    ) -> Result<(), RegisterError>;
    fn remove_user(&mut self, name: &str) -> Result<(), RegisterError>;
    fn users(&mut self) -> Result<Vec<User>, RegisterError>;
    /// `PRAGMA integrity_check`'s answer (`ok` when the database is sound).
    fn integrity_check(&mut self) -> Result<String, RegisterError>;
}
