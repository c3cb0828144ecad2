//! The register's commands: `zagore user add|list|remove` (accounts: a new token is printed
//! once and only its SHA-256 is stored) and the register part of `zagore check` (entries
//! whose plot is gone). Each returns the exit status.

use std::process::ExitCode;

use crate::config::Config;
use crate::geodata::Dataset;
use crate::register::users::{new_token, token_hash, valid_name};
use crate::register::{self, Location, Register, Role};

fn open(config: &Config) -> Result<Box<dyn Register>, ExitCode> {
    register::open_store(&register::location(config)).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    })
}

/// `zagore user add NAME --role editor|admin`: prints the new token once.
pub fn user_add(config: &Config, name: &str, role: Role) -> ExitCode {
    if !valid_name(name) {
        eprintln!("error: a user name is 1 to 64 letters, digits, `.`, `_`, `-` or `@`");
        return ExitCode::from(2);
    }
    let mut register = match open(config) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let token = match new_token() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match register.add_user(name, role, &token_hash(&token)) {
        Ok(()) => {
            eprintln!(
                "added {name} ({}); the token below is shown only now: keep it safe",
                role.name()
            );
            println!("{token}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `zagore user list`: names, roles, when added (never a token or its hash).
pub fn user_list(config: &Config) -> ExitCode {
    let mut register = match open(config) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match register.users() {
        Ok(users) => {
            for user in users {
                println!("{}\t{}\t{}", user.name, user.role.name(), user.created_at);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `zagore user remove NAME`: the token stops working at once.
pub fn user_remove(config: &Config, name: &str) -> ExitCode {
    let mut register = match open(config) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match register.remove_user(name) {
        Ok(()) => {
            eprintln!("removed {name}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The register's part of `zagore check`: entries whose plot `dataset` no longer has, in
/// words, when the register exists (`check` never creates one).
pub fn register_report(
    config: &Config,
    dataset: &Dataset,
) -> Result<Vec<register::Orphan>, String> {
    let location = register::location(config);
    if matches!(&location, Location::File(path) if !path.exists()) {
        return Ok(Vec::new());
    }
    let mut store = register::open_store(&location).map_err(|e| e.to_string())?;
    let book = store.load().map_err(|e| e.to_string())?;
    Ok(register::orphans(&book, dataset))
}
