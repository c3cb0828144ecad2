//! The service as a process: [`Application::build`] checks the configuration, sets up PROJ,
//! loads and validates the data, builds and prepares the zone snapshot and binds the
//! listener; [`Application::run`] serves until SIGINT or SIGTERM, reloading on data changes
//! and SIGHUP. `main` and the tests both go through these two. The other commands
//! (`check`, `distances`, `synth`) are in [`commands`], the register's in [`accounts`] and
//! [`register_io`].

pub mod accounts;
pub mod commands;
pub mod export;
mod listen;
pub mod register_io;
mod watch;

use std::net::SocketAddr;
use std::sync::Arc;

use std::time::Duration;

use tokio::net::TcpListener;

use crate::config::Config;
use crate::geodata::{crs, CrsError, DataError, Dataset};
use crate::http::AppState;
use crate::zone::{BaseParts, Zone, ZoneCell};

pub use watch::Reloader;

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Proj(#[from] CrsError),
    #[error("refusing to serve {0}")]
    Data(#[from] DataError),
    #[error(transparent)]
    Register(#[from] crate::register::RegisterError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("server failed: {0}")]
    Serve(std::io::Error),
}

/// Derives, for a fresh snapshot, every fact the endpoints need, before it is served: no
/// request pays for them (see [`crate::zone::derived`]).
pub fn prepare(zone: &Zone) {
    let started = std::time::Instant::now();
    rayon::join(
        || zone.warm::<crate::tiles::Prepared>(),
        || {
            rayon::join(
                || {
                    zone.warm::<crate::tiles::TileFields>();
                    zone.warm::<crate::tiles::PlotValues>();
                },
                // The OpenAPI document lists the queryables: it derives them first.
                || zone.warm::<crate::http::openapi::ApiDocument>(),
            )
        },
    );
    tracing::info!(
        version = %zone.version(),
        ms = started.elapsed().as_millis() as u64,
        "zone snapshot prepared"
    );
}

/// Loads the data folder and the register into a prepared, swappable zone snapshot.
pub fn load_zone(config: &Config) -> Result<(ZoneCell, crate::register::Shared), StartError> {
    let dataset = Dataset::load(&config.data_dir)?;
    for warning in &dataset.warnings {
        tracing::warn!("{warning}");
    }
    tracing::info!(
        version = %dataset.version,
        layers = ?dataset.counts(),
        "geodata loaded from {}",
        config.data_dir.display()
    );
    let location = crate::register::location(config);
    // The register is read (a database, mostly one thread's work) while the zone's indexes,
    // network, distances and card points are built from the data on the other cores.
    let (parts, opened) = rayon::join(
        || BaseParts::build(&dataset),
        || {
            let (register, book) = crate::register::open(&location, &dataset)?;
            let orphans = crate::register::orphans(&book, &dataset);
            Ok::<_, crate::register::RegisterError>((register, book, orphans))
        },
    );
    let (register, book, orphans) = opened?;
    for orphan in &orphans {
        tracing::warn!(plot = %orphan.plot, may_inherit = ?orphan.may_inherit,
            "register entry without a plot in the data (kept)");
    }
    tracing::info!(
        entries = book.len(),
        revision = book.revision(),
        "register opened at {location}"
    );
    let zone = Zone::assemble(dataset, parts, Arc::new(book));
    Ok((ZoneCell::new(zone, Box::new(prepare)), register))
}

/// The service, built and bound, ready to run.
pub struct Application {
    state: AppState,
    listener: std::net::TcpListener,
}

impl Application {
    /// Everything the service needs before it answers its first request. Blocking (loading
    /// the data takes seconds for a province): call it before starting a runtime, or on a
    /// blocking thread.
    pub fn build(config: Config) -> Result<Application, StartError> {
        let mut config = config.validate()?;
        config.web_dir = config.resolve_web_dir();
        crs::init_proj(&config)?;
        let (zone, register) = load_zone(&config)?;
        let zone = Arc::new(zone);
        let listener =
            std::net::TcpListener::bind(config.listen).map_err(|source| StartError::Listen {
                addr: config.listen.to_string(),
                source,
            })?;
        listener.set_nonblocking(true).map_err(StartError::Serve)?;
        let state = AppState::new(config, zone, register);
        Ok(Application { state, listener })
    }

    /// The address it listens on (the port the system chose, for port 0).
    pub fn local_addr(&self) -> Result<SocketAddr, StartError> {
        self.listener.local_addr().map_err(StartError::Serve)
    }

    /// The shared state, for tests that look inside.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGINT or SIGTERM, then lets requests in flight finish. Within a Tokio
    /// runtime.
    pub async fn run(self) -> Result<(), StartError> {
        let listener = TcpListener::from_std(self.listener).map_err(StartError::Serve)?;
        let addr = listener.local_addr().map_err(StartError::Serve)?;
        // The watcher stops when dropped: keep it for as long as the server runs.
        let _reloader = watch::start(&self.state);
        hear_other_servers(&self.state);
        tracing::info!("serving the zone on http://{addr}/");
        let header_read_timeout = Duration::from_secs(self.state.config().header_read_timeout_secs);
        listen::serve(
            listener,
            crate::http::app(self.state),
            header_read_timeout,
            shutdown_signal(),
        )
        .await;
        Ok(())
    }
}

/// With a register on PostgreSQL, which other servers may share: reads it again whenever
/// any server commits a change (LISTEN/NOTIFY), so their edits show here within moments.
/// The listening thread ends once this server's state is gone.
fn hear_other_servers(state: &AppState) {
    let crate::register::Location::Postgres(url) = crate::register::location(state.config()) else {
        return;
    };
    let cell = Arc::downgrade(state.zone_cell());
    let register = state.register().clone();
    let started = crate::register::postgres::listen(&url, move |read| {
        let Some(cell) = cell.upgrade() else {
            return false;
        };
        if read {
            if let Err(e) = cell.refresh_register(&register, true) {
                tracing::error!("the register could not be read again: {e}");
            }
        }
        true
    });
    if let Err(e) = started {
        tracing::error!("not hearing other servers' register changes: {e}");
    }
}

/// `zagore serve`: builds the application and runs it on a multi-threaded runtime.
pub fn serve(config: Config) -> Result<(), StartError> {
    let app = Application::build(config)?;
    // The blocking work is CPU work (feature pages, tiles, PROJ), so more threads than a
    // few per core only queue it in the kernel instead of here — and each new thread builds
    // its own PROJ transforms (100+ ms for some CRSs). Kept alive, a thread keeps them.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads((4 * cores).max(8))
        .thread_keep_alive(Duration::from_secs(600))
        .build()
        .map_err(StartError::Serve)?;
    let served = runtime.block_on(app.run());
    // Dropping a runtime waits for every blocking task; a request's work left running (a
    // huge page, a stuck read) must not keep the process from exiting.
    runtime.shutdown_timeout(Duration::from_secs(1));
    served
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
