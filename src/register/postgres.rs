//! [`PostgresRegister`]: the register in a PostgreSQL database, for several `zagore serve`
//! processes (replicas behind one proxy) sharing one register. The tables, their checks and
//! the audit trail are those of the SQLite store ([`super::sqlite`]); the schema is versioned
//! the same way and migrated under an advisory lock, so replicas starting together migrate
//! once. A commit takes a lock that only writers contend for, so revisions stay one sequence
//! across replicas, and sends `NOTIFY zagore_register` with the revision when it commits;
//! [`listen`] hears it on every replica, which then reads the register again.

use std::str::FromStr;
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls, Transaction};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::book::{Book, Entry};
use super::facts::Facts;
use super::store::{AuditRecord, Change, Register, RegisterError};
use super::users::{Role, User};

/// The channel a commit notifies.
pub const CHANNEL: &str = "zagore_register";

/// Taken by migrations and first imports (an arbitrary key of our own: "zagore" in ASCII).
const SCHEMA_LOCK: i64 = 0x7a61_676f_7265;

/// The schema, one migration per version (version = position + 1). Append only. The same
/// tables as the SQLite store's version 1.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE entries (
         plot TEXT PRIMARY KEY,
         facts TEXT NOT NULL CHECK ((facts::jsonb) IS NOT NULL),
         revision BIGINT NOT NULL CHECK (revision >= 0),
         updated_at TEXT NOT NULL,
         updated_by TEXT NOT NULL
     );
     CREATE TABLE audit (
         revision BIGINT PRIMARY KEY CHECK (revision > 0),
         at TEXT NOT NULL,
         who TEXT NOT NULL,
         plot TEXT NOT NULL,
         old TEXT CHECK (old IS NULL OR (old::jsonb) IS NOT NULL),
         new TEXT NOT NULL CHECK ((new::jsonb) IS NOT NULL),
         reason TEXT
     );
     CREATE INDEX audit_by_plot ON audit (plot, revision);
     CREATE INDEX audit_by_time ON audit (at);
     CREATE TABLE users (
         name TEXT PRIMARY KEY,
         role TEXT NOT NULL CHECK (role IN ('editor', 'admin')),
         token_sha256 BYTEA NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
         created_at TEXT NOT NULL
     );",
];

/// Whether a configured register names a PostgreSQL database rather than a file.
pub fn is_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// The URL without its password, for logs and messages.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = match authority.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split_once(':').map_or(user, |(name, _)| name);
            format!("{user}@{host}")
        }
        None => authority.to_string(),
    };
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    format!("{scheme}://{host}/{path}")
}

fn connect(url: &str) -> Result<Client, RegisterError> {
    let config = postgres::Config::from_str(url).map_err(|e| RegisterError::Postgres {
        url: redacted(url),
        source: e,
    })?;
    let mut config = config;
    config.connect_timeout(Duration::from_secs(10));
    config
        .application_name("zagore")
        .connect(NoTls)
        .map_err(|e| RegisterError::Postgres {
            url: redacted(url),
            source: e,
        })
}

fn now() -> String {
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// The register in one PostgreSQL database.
pub struct PostgresRegister {
    url: String,
    client: Client,
}

impl std::fmt::Debug for PostgresRegister {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PostgresRegister({})", redacted(&self.url))
    }
}

impl PostgresRegister {
    /// Connects and migrates the schema. Refuses a database with a newer schema.
    pub fn open(url: &str) -> Result<PostgresRegister, RegisterError> {
        let client = connect(url)?;
        let mut register = PostgresRegister {
            url: url.to_string(),
            client,
        };
        register.migrate()?;
        Ok(register)
    }

    /// The client, connected again if the connection was lost (a database restart).
    fn client(&mut self) -> Result<&mut Client, RegisterError> {
        if self.client.is_closed() {
            tracing::warn!("the register's connection was closed; connecting again");
            self.client = connect(&self.url)?;
        }
        Ok(&mut self.client)
    }

    fn migrate(&mut self) -> Result<(), RegisterError> {
        let known = MIGRATIONS.len() as i64;
        let shown = redacted(&self.url);
        let mut tx = self.client()?.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS zagore_schema (version BIGINT NOT NULL);
             INSERT INTO zagore_schema (version)
                 SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM zagore_schema);",
        )?;
        let found: i64 = tx
            .query_one("SELECT version FROM zagore_schema", &[])?
            .get(0);
        if found > known {
            return Err(RegisterError::TooNew {
                path: shown,
                found,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
            tx.batch_execute(sql)?;
            tx.execute("UPDATE zagore_schema SET version = $1", &[&(i as i64 + 1)])?;
            tracing::info!(version = i + 1, "register schema migrated");
        }
        tx.commit()?;
        Ok(())
    }
}

fn corrupt(plot: &str, reason: impl std::fmt::Display) -> RegisterError {
    RegisterError::Corrupt {
        plot: plot.to_string(),
        reason: reason.to_string(),
    }
}

fn to_entry(row: &postgres::Row) -> Result<Entry, RegisterError> {
    let plot: String = row.try_get(0)?;
    let facts: String = row.try_get(1)?;
    let revision: i64 = row.try_get(2)?;
    let facts: Facts = serde_json::from_str(&facts).map_err(|e| corrupt(&plot, e))?;
    if !facts.is_valid() {
        return Err(corrupt(&plot, "a value out of range"));
    }
    Ok(Entry::new(
        plot,
        facts,
        revision.max(0) as u64,
        row.try_get(3)?,
        row.try_get(4)?,
    ))
}

fn to_record(row: &postgres::Row) -> Result<AuditRecord, RegisterError> {
    let json = |text: Option<String>| {
        text.and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(serde_json::Value::Null)
    };
    Ok(AuditRecord {
        revision: row.try_get::<_, i64>(0)?.max(0) as u64,
        at: row.try_get(1)?,
        who: row.try_get(2)?,
        plot: row.try_get(3)?,
        old: json(row.try_get(4)?),
        new: json(row.try_get(5)?),
        reason: row.try_get(6)?,
    })
}

/// One change inside a writer's transaction (see [`Register::commit`]).
fn commit_in(tx: &mut Transaction<'_>, change: &Change) -> Result<Entry, RegisterError> {
    let old = tx
        .query_opt(
            "SELECT plot, facts, revision, updated_at, updated_by FROM entries WHERE plot = $1",
            &[&change.plot],
        )?
        .map(|row| to_entry(&row))
        .transpose()?;
    let current = old.as_ref().map(|e| e.revision);
    if current != change.from_revision {
        return Err(RegisterError::Conflict {
            plot: change.plot.clone(),
            current: current.unwrap_or(0),
        });
    }
    let last: i64 = tx
        .query_one("SELECT coalesce(max(revision), 0) FROM audit", &[])?
        .get(0);
    let revision = last + 1;
    let at = now();
    let new_json = serde_json::to_string(&change.facts).map_err(|e| corrupt(&change.plot, e))?;
    let old_json = old
        .as_ref()
        .map(|e| serde_json::to_string(&e.facts))
        .transpose()
        .map_err(|e| corrupt(&change.plot, e))?;
    tx.execute(
        "INSERT INTO entries (plot, facts, revision, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (plot) DO UPDATE SET facts = $2, revision = $3, updated_at = $4,
             updated_by = $5",
        &[&change.plot, &new_json, &revision, &at, &change.who],
    )?;
    tx.execute(
        "INSERT INTO audit (revision, at, who, plot, old, new, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &revision,
            &at,
            &change.who,
            &change.plot,
            &old_json,
            &new_json,
            &change.reason,
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

/// A writer's transaction: the audit table locked against other writers (readers go on),
/// so that each commit's revision is the last one plus one on every replica.
fn writing(client: &mut Client) -> Result<Transaction<'_>, RegisterError> {
    let mut tx = client.transaction()?;
    tx.batch_execute("LOCK TABLE audit IN SHARE ROW EXCLUSIVE MODE")?;
    Ok(tx)
}

/// Tells every listening replica, when the transaction commits, that the register changed.
fn notify(tx: &mut Transaction<'_>, revision: u64) -> Result<(), RegisterError> {
    tx.execute(
        "SELECT pg_notify($1, $2)",
        &[&CHANNEL, &revision.to_string()],
    )?;
    Ok(())
}

impl Register for PostgresRegister {
    fn load(&mut self) -> Result<Book, RegisterError> {
        let mut tx = self.client()?.build_transaction().read_only(true).start()?;
        // One snapshot for the entries and the revision.
        tx.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")?;
        let entries = tx
            .query(
                "SELECT plot, facts, revision, updated_at, updated_by FROM entries",
                &[],
            )?
            .iter()
            .map(to_entry)
            .collect::<Result<Vec<_>, _>>()?;
        let revision: i64 = tx
            .query_one("SELECT coalesce(max(revision), 0) FROM audit", &[])?
            .get(0);
        tx.commit()?;
        Ok(Book::new(entries, revision.max(0) as u64))
    }

    fn imported(&mut self) -> Result<bool, RegisterError> {
        Ok(self
            .client()?
            .query_opt("SELECT value FROM meta WHERE key = 'imported_at'", &[])?
            .is_some())
    }

    fn import_initial(
        &mut self,
        entries: &[(String, Facts)],
        from: &str,
    ) -> Result<(), RegisterError> {
        let mut tx = self.client()?.transaction()?;
        // Replicas starting together import once: the second finds the first's import.
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
        if tx
            .query_opt("SELECT value FROM meta WHERE key = 'imported_at'", &[])?
            .is_some()
        {
            return Ok(());
        }
        let at = now();
        let by = format!("import from {from}");
        let insert = tx.prepare(
            "INSERT INTO entries (plot, facts, revision, updated_at, updated_by)
             VALUES ($1, $2, 0, $3, $4) ON CONFLICT (plot) DO NOTHING",
        )?;
        for (plot, facts) in entries {
            let json = serde_json::to_string(facts).map_err(|e| corrupt(plot, e))?;
            tx.execute(&insert, &[plot, &json, &at, &by])?;
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('imported_at', $1)
             ON CONFLICT (key) DO UPDATE SET value = $1",
            &[&at],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn commit(&mut self, change: &Change) -> Result<Entry, RegisterError> {
        let mut tx = writing(self.client()?)?;
        let entry = commit_in(&mut tx, change)?;
        notify(&mut tx, entry.revision)?;
        tx.commit()?;
        Ok(entry)
    }

    fn commit_all(&mut self, changes: &[Change]) -> Result<Vec<Entry>, RegisterError> {
        let mut tx = writing(self.client()?)?;
        let entries = changes
            .iter()
            .map(|c| commit_in(&mut tx, c))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(last) = entries.last() {
            notify(&mut tx, last.revision)?;
        }
        tx.commit()?;
        Ok(entries)
    }

    fn history(&mut self, plot: &str) -> Result<Vec<AuditRecord>, RegisterError> {
        self.client()?
            .query(
                "SELECT revision, at, who, plot, old, new, reason FROM audit
                 WHERE plot = $1 ORDER BY revision",
                &[&plot],
            )?
            .iter()
            .map(to_record)
            .collect()
    }

    fn audit_since(
        &mut self,
        since: &str,
        limit: usize,
    ) -> Result<Vec<AuditRecord>, RegisterError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.client()?
            .query(
                "SELECT revision, at, who, plot, old, new, reason FROM audit
                 WHERE at >= $1 ORDER BY revision LIMIT $2",
                &[&since, &limit],
            )?
            .iter()
            .map(to_record)
            .collect()
    }

    fn add_user(
        &mut self,
        name: &str,
        role: Role,
        token_sha256: &[u8; 32],
    ) -> Result<(), RegisterError> {
        let done = self.client()?.execute(
            "INSERT INTO users (name, role, token_sha256, created_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &[&name, &role.name(), &token_sha256.as_slice(), &now()],
        )?;
        if done == 0 {
            return Err(RegisterError::UserExists(name.to_string()));
        }
        Ok(())
    }

    fn remove_user(&mut self, name: &str) -> Result<(), RegisterError> {
        let done = self
            .client()?
            .execute("DELETE FROM users WHERE name = $1", &[&name])?;
        if done == 0 {
            return Err(RegisterError::NoUser(name.to_string()));
        }
        Ok(())
    }

    fn users(&mut self) -> Result<Vec<User>, RegisterError> {
        let rows = self.client()?.query(
            "SELECT name, role, token_sha256, created_at FROM users ORDER BY name",
            &[],
        )?;
        let mut users = Vec::new();
        for row in rows {
            let role: String = row.try_get(1)?;
            let hash: Vec<u8> = row.try_get(2)?;
            // The schema's CHECKs hold both; a row that breaks them is skipped, not trusted.
            let (Some(role), Ok(token_sha256)) = (Role::from_name(&role), hash.try_into()) else {
                continue;
            };
            users.push(User {
                name: row.try_get(0)?,
                role,
                token_sha256,
                created_at: row.try_get(3)?,
            });
        }
        Ok(users)
    }

    /// PostgreSQL checks its own pages; this checks that every entry holds valid facts and
    /// every audit record valid JSON, as SQLite's `integrity_check` stands for there.
    fn integrity_check(&mut self) -> Result<String, RegisterError> {
        let client = self.client()?;
        for row in client.query(
            "SELECT plot, facts, revision, updated_at, updated_by FROM entries",
            &[],
        )? {
            if let Err(e) = to_entry(&row) {
                return Ok(e.to_string());
            }
        }
        Ok("ok".to_string())
    }
}

/// Listens for commits on the register at `url` (by this process or any other) and calls
/// `changed(true)` once per burst of them, and once after every (re)connection, so that
/// nothing committed while the connection was down is missed; `changed(false)` every 15 s
/// of quiet. Runs on its own thread until `changed` returns false (nobody is listening any
/// more); a lost connection is retried with a growing pause (1 s to 30 s).
pub fn listen(
    url: &str,
    changed: impl Fn(bool) -> bool + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let url = url.to_string();
    std::thread::Builder::new()
        .name("register-listen".into())
        .spawn(move || {
            let mut pause = Duration::from_secs(1);
            loop {
                match listen_once(&url, &changed) {
                    Ok(Listening::Stop) => return,
                    Ok(Listening::Lost) => pause = Duration::from_secs(1),
                    Err(e) => tracing::warn!(
                        "not hearing the register's changes ({e}); trying again in {} s",
                        pause.as_secs()
                    ),
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_secs(30));
            }
        })
}

enum Listening {
    /// The connection was lost: connect again.
    Lost,
    /// Nobody wants to hear any more.
    Stop,
}

/// One connection's worth of listening.
fn listen_once(url: &str, changed: &impl Fn(bool) -> bool) -> Result<Listening, RegisterError> {
    let mut client = connect(url)?;
    client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    tracing::info!("hearing the register's changes at {}", redacted(url));
    if !changed(true) {
        return Ok(Listening::Stop);
    }
    loop {
        // The first notification within 15 s (then a look at the connection), …
        let first = client
            .notifications()
            .timeout_iter(Duration::from_secs(15))
            .next()?;
        let mut heard = first.is_some_and(|n| n.channel() == CHANNEL);
        // … and whatever else came in the same burst, without waiting.
        {
            let mut notifications = client.notifications();
            let mut rest = notifications.iter();
            while let Some(n) = rest.next()? {
                heard |= n.channel() == CHANNEL;
            }
        }
        if !changed(heard) {
            return Ok(Listening::Stop);
        }
        if client.is_closed() {
            return Ok(Listening::Lost);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_shown_without_its_password() {
        assert_eq!(
            redacted("postgres://zagore:s3cret@db.example:5432/zone?sslmode=disable"),
            "postgres://zagore@db.example:5432/zone"
        );
        assert_eq!(
            redacted("postgresql://localhost/zone"),
            "postgresql://localhost/zone"
        );
        assert!(is_url("postgres://x/y") && is_url("postgresql://x/y"));
        assert!(!is_url("/var/lib/zagore/register.sqlite"));
    }
}
