//! The `zagore` command: parses the command line and hands over to the library.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use zagore::config::{Config, FileConfig};

/// mimalloc rather than glibc's malloc: see the note on the dependency in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "zagore",
    version,
    about = "Map and geodata service of Industrial Zone Zagore"
)]
struct Cli {
    /// TOML configuration file (values there are overridden by environment and flags).
    #[arg(long, global = true, env = "ZAGORE_CONFIG")]
    config: Option<PathBuf>,
    /// Folder holding PROJ's proj.db (default: PROJ_DATA, then share/proj beside the binary).
    #[arg(long, global = true, env = "ZAGORE_PROJ_DATA")]
    proj_data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve tiles, features and distances over HTTP.
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long, env = "ZAGORE_LISTEN")]
        listen: Option<SocketAddr>,
        /// The geodata folder [default: ./geodata].
        #[arg(long, env = "ZAGORE_DATA")]
        data: Option<PathBuf>,
        /// Base URL clients reach the service at, for absolute links.
        #[arg(long, env = "ZAGORE_PUBLIC_URL")]
        public_url: Option<String>,
        /// The sales register: a SQLite file or a postgres:// URL [default: <data>/register.sqlite].
        #[arg(long, env = "ZAGORE_REGISTER")]
        register: Option<PathBuf>,
    },
    /// Accounts of the sales register's staff.
    User {
        #[command(subcommand)]
        action: UserAction,
        /// The geodata folder (the register is `<data>/register.sqlite` by default).
        #[arg(long, env = "ZAGORE_DATA", global = true)]
        data: Option<PathBuf>,
        /// The sales register: a SQLite file or a postgres:// URL [default: <data>/register.sqlite].
        #[arg(long, env = "ZAGORE_REGISTER", global = true)]
        register: Option<PathBuf>,
    },
    /// Back up or bulk-change the sales register (CSV or JSON).
    Register {
        #[command(subcommand)]
        action: RegisterAction,
        /// The geodata folder (the register is `<data>/register.sqlite` by default).
        #[arg(long, env = "ZAGORE_DATA", global = true)]
        data: Option<PathBuf>,
        /// The sales register: a SQLite file or a postgres:// URL [default: <data>/register.sqlite].
        #[arg(long, env = "ZAGORE_REGISTER", global = true)]
        register: Option<PathBuf>,
    },
    /// Validate a geodata folder without serving it; exit status 1 when it has errors.
    Check {
        /// The geodata folder [default: the configured one, ./geodata].
        dir: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print every plot's distances to the motorway, interchange, ring road and railway.
    Distances {
        /// Output: `table` (Markdown), `csv` or `json`.
        #[arg(long, default_value = "table")]
        format: zagore::measure::cli::Format,
        /// The geodata folder [default: the configured one, ./geodata].
        #[arg(long, env = "ZAGORE_DATA")]
        data: Option<PathBuf>,
    },
    /// Write every non-empty tile into a PMTiles or MBTiles archive, for a static host or a CDN.
    Export {
        /// The archive: FILE.pmtiles or FILE.mbtiles.
        #[arg(long)]
        out: PathBuf,
        /// Lowest zoom written.
        #[arg(long, default_value_t = 0)]
        min_zoom: u8,
        /// Highest zoom written (the map overzooms it).
        #[arg(long, default_value_t = 16)]
        max_zoom: u8,
        /// Only tiles meeting west,south,east,north (WGS84 degrees).
        #[arg(long, value_parser = parse_bbox)]
        bbox: Option<zagore::index::BBox>,
        /// The geodata folder [default: the configured one, ./geodata].
        #[arg(long, env = "ZAGORE_DATA")]
        data: Option<PathBuf>,
        /// Also write a MapLibre style reading the archive through the pmtiles:// protocol,
        /// and its glyphs in fonts/ beside it (PMTiles only; needs --public-url).
        #[arg(long, requires = "public_url")]
        style: Option<PathBuf>,
        /// The address the archive, the style and fonts/ will be published at.
        #[arg(long, requires = "style")]
        public_url: Option<String>,
    },
    /// Write a synthetic cadastre of N plots over Stara Zagora province, for benchmarks only.
    Synth {
        /// Number of land plots.
        #[arg(long)]
        plots: usize,
        /// Folder to write the GeoJSON layers and manifest into.
        #[arg(long)]
        out: PathBuf,
        /// Seed: the same seed and count give the same bytes.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Layout: `province` (dense towns, sparse fields) or `dense` (uniform ~70 m plots).
        #[arg(long, value_enum, default_value = "province")]
        shape: zagore::synth::Shape,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Add an account and print its new token (once; only its hash is stored).
    Add {
        name: String,
        /// `editor` (edits plots) or `admin` (also reloads data, reads the audit trail).
        #[arg(long)]
        role: zagore::register::Role,
    },
    /// List the accounts (names and roles, never tokens).
    List,
    /// Remove an account: its token stops working at once.
    Remove { name: String },
}

#[derive(Subcommand)]
enum RegisterAction {
    /// Print every entry, every field (private ones too), to stdout.
    Export {
        #[arg(long, default_value = "json")]
        format: zagore::server::register_io::Format,
    },
    /// Apply a CSV (`.csv`) or JSON file of entries in one transaction (all rows or none).
    Import {
        file: PathBuf,
        /// Show what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// `--bbox west,south,east,north` in WGS84 degrees.
fn parse_bbox(text: &str) -> Result<zagore::index::BBox, String> {
    zagore::index::BBox::parse(text, true).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "zagore=info,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        // Colours only for a terminal: log files stay plain text, and every request's span
        // is formatted without escape codes.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let mut config = Config::default();
    if let Some(path) = &cli.config {
        match FileConfig::read(path) {
            Ok(file) => config = config.with_file(file),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    config.proj_data = cli.proj_data.or(config.proj_data);
    match cli.command {
        Command::Serve {
            listen,
            data,
            public_url,
            register,
        } => {
            config.register = register.or(config.register);
            config.listen = listen.unwrap_or(config.listen);
            config.data_dir = data.unwrap_or(config.data_dir);
            config.public_url = public_url.or(config.public_url);
            match zagore::server::serve(config) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::User {
            action,
            data,
            register,
        } => {
            config.data_dir = data.unwrap_or(config.data_dir);
            config.register = register.or(config.register);
            use zagore::server::accounts;
            match action {
                UserAction::Add { name, role } => accounts::user_add(&config, &name, role),
                UserAction::List => accounts::user_list(&config),
                UserAction::Remove { name } => accounts::user_remove(&config, &name),
            }
        }
        Command::Register {
            action,
            data,
            register,
        } => {
            config.data_dir = data.unwrap_or(config.data_dir);
            config.register = register.or(config.register);
            use zagore::server::register_io;
            match action {
                RegisterAction::Export { format } => register_io::export(&config, format),
                RegisterAction::Import { file, dry_run } => {
                    register_io::import(&config, &file, dry_run)
                }
            }
        }
        Command::Check { dir, json } => {
            let dir = dir.unwrap_or_else(|| config.data_dir.clone());
            zagore::server::commands::check(&config, &dir, json)
        }
        Command::Distances { format, data } => {
            let dir = data.unwrap_or_else(|| config.data_dir.clone());
            zagore::server::commands::distances(&config, &dir, format)
        }
        Command::Export {
            out,
            min_zoom,
            max_zoom,
            bbox,
            data,
            style,
            public_url,
        } => {
            let mut config = config;
            if let Some(dir) = data {
                config.data_dir = dir;
            }
            let request = zagore::server::export::ExportRequest {
                out,
                min_zoom,
                max_zoom,
                bbox,
                style: style.zip(public_url),
            };
            zagore::server::export::run(config, &request)
        }
        Command::Synth {
            plots,
            out,
            seed,
            shape,
        } => {
            let options = zagore::synth::SynthOptions {
                plots,
                out,
                seed,
                shape,
            };
            match zagore::synth::generate(&options) {
                Ok(s) => {
                    println!(
                        "wrote {} plots, {} roads, {} points to {} (synthetic, for benchmarks only)",
                        s.plots,
                        s.roads,
                        s.poi,
                        options.out.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
