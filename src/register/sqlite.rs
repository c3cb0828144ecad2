//! [`SqliteRegister`]: the register in an embedded SQLite database (Debian's libsqlite3, the
//! one PROJ links too). WAL journal with `synchronous=FULL`: a change is on disk when
//! [`Register::commit`] returns, and a crash at any moment leaves every committed change and
//! none half applied. The schema is versioned (`PRAGMA user_version`); the migrations run at
//! open, in one transaction each, and a database newer than this binary is refused.

use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::book::{Book, Entry};
use super::facts::Facts;
use super::store::{AuditRecord, Change, Register, RegisterError};
use super::users::{Role, User};

/// The schema, one migration per version (version = position + 1). Append only.
const MIGRATIONS: &[&str] = &[
    // 1: entries, the audit trail, accounts, facts about the register itself.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE entries (
         plot TEXT PRIMARY KEY,
         facts TEXT NOT NULL CHECK (json_valid(facts)),
         revision INTEGER NOT NULL CHECK (revision >= 0),
         updated_at TEXT NOT NULL,
         updated_by TEXT NOT NULL
     );
     CREATE TABLE audit (
         revision INTEGER PRIMARY KEY CHECK (revision > 0),
         at TEXT NOT NULL,
         who TEXT NOT NULL,
         plot TEXT NOT NULL,
         old TEXT CHECK (old IS NULL OR json_valid(old)),
         new TEXT NOT NULL CHECK (json_valid(new)),
         reason TEXT
     );
     CREATE INDEX audit_by_plot ON audit (plot, revision);
     CREATE INDEX audit_by_time ON audit (at);
     CREATE TABLE users (
         name TEXT PRIMARY KEY,
         role TEXT NOT NULL CHECK (role IN ('editor', 'admin')),
         token_sha256 BLOB NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
         created_at TEXT NOT NULL
     );",
];

/// The register in one SQLite file.
#[derive(Debug)]
pub struct SqliteRegister {
    conn: Connection,
}

fn now() -> String {
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

impl SqliteRegister {
    /// Opens (creating it when missing) the register at `path` and migrates it to the
    /// current schema. Refuses a database with a newer schema.
    pub fn open(path: &Path) -> Result<SqliteRegister, RegisterError> {
        let shown = path.display().to_string();
        let open_err = |source| RegisterError::Open {
            path: shown.clone(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        let mut register = SqliteRegister { conn };
        register.migrate(&shown)?;
        Ok(register)
    }

    /// The schema version this binary writes.
    pub fn schema_version() -> i64 {
        MIGRATIONS.len() as i64
    }

    fn migrate(&mut self, shown: &str) -> Result<(), RegisterError> {
        let known = Self::schema_version();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > known {
            return Err(RegisterError::TooNew {
                path: shown.to_string(),
                found,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tracing::info!(version = i + 1, "register schema migrated");
        }
        tx.commit()?;
        Ok(())
    }

    fn entry(tx: &rusqlite::Transaction<'_>, plot: &str) -> Result<Option<Entry>, RegisterError> {
        let row = tx
            .query_row(
                "SELECT facts, revision, updated_at, updated_by FROM entries WHERE plot = ?1",
                [plot],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(facts, revision, at, by)| to_entry(plot.to_string(), &facts, revision, at, by))
            .transpose()
    }

    fn commit_in(tx: &rusqlite::Transaction<'_>, change: &Change) -> Result<Entry, RegisterError> {
        let old = Self::entry(tx, &change.plot)?;
        let current = old.as_ref().map(|e| e.revision);
        if current != change.from_revision {
            return Err(RegisterError::Conflict {
                plot: change.plot.clone(),
                current: current.unwrap_or(0),
            });
        }
        let last: i64 = tx.query_row("SELECT coalesce(max(revision), 0) FROM audit", [], |r| {
            r.get(0)
        })?;
        let revision = last + 1;
        let at = now();
        let new_json =
            serde_json::to_string(&change.facts).map_err(|e| corrupt(&change.plot, e))?;
        let old_json = old
            .as_ref()
            .map(|e| serde_json::to_string(&e.facts))
            .transpose()
            .map_err(|e| corrupt(&change.plot, e))?;
        tx.execute(
            "INSERT INTO entries (plot, facts, revision, updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (plot) DO UPDATE SET facts = ?2, revision = ?3, updated_at = ?4,
                 updated_by = ?5",
            params![change.plot, new_json, revision, at, change.who],
        )?;
        tx.execute(
            "INSERT INTO audit (revision, at, who, plot, old, new, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                revision,
                at,
                change.who,
                change.plot,
                old_json,
                new_json,
                change.reason
            ],
        )?;
        Ok(Entry::new(
            change.plot.clone(),
            change.facts.clone(),
            revision as u64,
            at,
            change.who.clone(),
        ))
    }

    fn records(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<AuditRecord>, RegisterError> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map(params, |r| {
            Ok(AuditRecord {
                revision: r.get::<_, i64>(0)? as u64,
                at: r.get(1)?,
                who: r.get(2)?,
                plot: r.get(3)?,
                old: json_or_null(r.get::<_, Option<String>>(4)?),
                new: json_or_null(r.get::<_, Option<String>>(5)?),
                reason: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn json_or_null(text: Option<String>) -> serde_json::Value {
    text.and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(serde_json::Value::Null)
}

fn corrupt(plot: &str, reason: impl std::fmt::Display) -> RegisterError {
    RegisterError::Corrupt {
        plot: plot.to_string(),
        reason: reason.to_string(),
    }
}

fn to_entry(
    plot: String,
    facts: &str,
    revision: i64,
    at: String,
    by: String,
) -> Result<Entry, RegisterError> {
    let facts: Facts = serde_json::from_str(facts).map_err(|e| corrupt(&plot, e))?;
    if !facts.is_valid() {
        return Err(corrupt(&plot, "a value out of range"));
    }
    Ok(Entry::new(plot, facts, revision.max(0) as u64, at, by))
}

impl Register for SqliteRegister {
    fn load(&mut self) -> Result<Book, RegisterError> {
        let tx = self.conn.transaction()?;
        let mut entries = Vec::new();
        {
            let mut stmt =
                tx.prepare("SELECT plot, facts, revision, updated_at, updated_by FROM entries")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                entries.push(to_entry(
                    r.get(0)?,
                    &r.get::<_, String>(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                )?);
            }
        }
        let revision: i64 =
            tx.query_row("SELECT coalesce(max(revision), 0) FROM audit", [], |r| {
                r.get(0)
            })?;
        tx.commit()?;
        Ok(Book::new(entries, revision.max(0) as u64))
    }

    fn imported(&mut self) -> Result<bool, RegisterError> {
        let found: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'imported_at'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(found.is_some())
    }

    fn import_initial(
        &mut self,
        entries: &[(String, Facts)],
        from: &str,
    ) -> Result<(), RegisterError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = now();
        let by = format!("import from {from}");
        for (plot, facts) in entries {
            let json = serde_json::to_string(facts).map_err(|e| corrupt(plot, e))?;
            tx.execute(
                "INSERT OR IGNORE INTO entries (plot, facts, revision, updated_at, updated_by)
                 VALUES (?1, ?2, 0, ?3, ?4)",
                params![plot, json, at, by],
            )?;
        }
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('imported_at', ?1)",
            [&at],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn commit(&mut self, change: &Change) -> Result<Entry, RegisterError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let entry = Self::commit_in(&tx, change)?;
        tx.commit()?;
        Ok(entry)
    }

    fn commit_all(&mut self, changes: &[Change]) -> Result<Vec<Entry>, RegisterError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let entries = changes
            .iter()
            .map(|c| Self::commit_in(&tx, c))
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit()?;
        Ok(entries)
    }

    fn history(&mut self, plot: &str) -> Result<Vec<AuditRecord>, RegisterError> {
        self.records(
            "SELECT revision, at, who, plot, old, new, reason FROM audit
             WHERE plot = ?1 ORDER BY revision",
            [plot],
        )
    }

    fn audit_since(
        &mut self,
        since: &str,
        limit: usize,
    ) -> Result<Vec<AuditRecord>, RegisterError> {
        self.records(
            "SELECT revision, at, who, plot, old, new, reason FROM audit
             WHERE at >= ?1 ORDER BY revision LIMIT ?2",
            params![since, limit as i64],
        )
    }

    fn add_user(
        &mut self,
        name: &str,
        role: Role,
        token_sha256: &[u8; 32],
    ) -> Result<(), RegisterError> {
        let done = self.conn.execute(
            "INSERT OR IGNORE INTO users (name, role, token_sha256, created_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![name, role.name(), token_sha256.as_slice(), now()],
        )?;
        if done == 0 {
            return Err(RegisterError::UserExists(name.to_string()));
        }
        Ok(())
    }

    fn remove_user(&mut self, name: &str) -> Result<(), RegisterError> {
        let done = self
            .conn
            .execute("DELETE FROM users WHERE name = ?1", [name])?;
        if done == 0 {
            return Err(RegisterError::NoUser(name.to_string()));
        }
        Ok(())
    }

    fn users(&mut self) -> Result<Vec<User>, RegisterError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, role, token_sha256, created_at FROM users ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            let role: String = r.get(1)?;
            let hash: Vec<u8> = r.get(2)?;
            Ok((r.get::<_, String>(0)?, role, hash, r.get::<_, String>(3)?))
        })?;
        let mut users = Vec::new();
        for row in rows {
            let (name, role, hash, created_at) = row?;
            // The schema's CHECKs hold both; a row that breaks them is skipped, not trusted.
            let (Some(role), Ok(token_sha256)) = (Role::from_name(&role), hash.try_into()) else {
                continue;
            };
            users.push(User {
                name,
                role,
                token_sha256,
                created_at,
            });
        }
        Ok(users)
    }

    fn integrity_check(&mut self) -> Result<String, RegisterError> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::register::facts::Status;

    #[test]
    fn a_change_is_kept_with_its_audit_record_and_a_stale_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("register.sqlite");
        let mut reg = SqliteRegister::open(&path).unwrap();
        assert!(!reg.imported().unwrap());
        reg.import_initial(&[("1.1.1".into(), Facts::available())], "plots.geojson")
            .unwrap();
        assert!(reg.imported().unwrap());
        let mut facts = Facts::available();
        facts.status = Status::Sold;
        let change = Change {
            plot: "1.1.1".into(),
            from_revision: Some(0),
            facts,
            who: "ana".into(),
            reason: Some("signed".into()),
        };
        let entry = reg.commit(&change).unwrap();
        assert_eq!(entry.revision, 1);
        assert!(matches!(
            reg.commit(&change),
            Err(RegisterError::Conflict { current: 1, .. })
        ));
        drop(reg);
        let mut reg = SqliteRegister::open(&path).unwrap();
        let book = reg.load().unwrap();
        assert_eq!(book.revision(), 1);
        assert_eq!(book.get("1.1.1").unwrap().facts.status, Status::Sold);
        let history = reg.history("1.1.1").unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].who, "ana");
        assert_eq!(history[0].old["status"], "available");
        assert_eq!(history[0].new["status"], "sold");
        assert_eq!(reg.integrity_check().unwrap(), "ok");
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("register.sqlite");
        drop(SqliteRegister::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let err = SqliteRegister::open(&path).unwrap_err();
        assert!(
            matches!(err, RegisterError::TooNew { found: 99, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("newer zagore"));
    }
}
