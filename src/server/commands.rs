//! The commands besides `serve`: `zagore check` (validate a data folder and print the
//! report, with the register's entries whose plot is gone) and `zagore distances` (the
//! distance table), each returning the exit status. The account commands are in
//! [`super::accounts`].

use std::path::Path;
use std::process::ExitCode;

use crate::config::Config;
use crate::geodata::{self, crs};

/// `zagore check DIR`: validates a geodata folder and prints the report. Exit status 0 when
/// there are no errors, 1 when there are, 2 when PROJ cannot be set up.
pub fn check(config: &Config, dir: &Path, json: bool) -> ExitCode {
    if let Err(e) = crs::init_proj(config) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let checked = match geodata::Dataset::check(dir) {
        Ok(checked) => checked,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut register_config = config.clone();
    register_config.data_dir = dir.to_path_buf();
    let orphans = match super::accounts::register_report(&register_config, &checked.dataset) {
        Ok(orphans) => orphans,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if json {
        let body = serde_json::json!({
            "dir": dir.display().to_string(),
            "version": checked.dataset.version,
            "layers": checked.dataset.counts(),
            "stages": geodata::report::stage_areas(&checked),
            "problems": checked.problems,
            "register_orphans": orphans,
        });
        println!("{body:#}");
    } else {
        print!("{}", geodata::report::render(&checked));
        for orphan in &orphans {
            let heirs = if orphan.may_inherit.is_empty() {
                String::new()
            } else {
                format!("; may pass to {}", orphan.may_inherit.join(", "))
            };
            println!(
                "register: the entry of {} has no plot in this data (kept){heirs}",
                orphan.plot
            );
        }
    }
    let code = if checked.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    };
    // The process ends here: freeing a province's features one by one would only make the
    // user wait (a noticeable part of a second at a million plots).
    std::mem::forget(checked);
    code
}

/// `zagore distances`: the distance table of the data in `dir`.
pub fn distances(config: &Config, dir: &Path, format: crate::measure::cli::Format) -> ExitCode {
    crate::measure::cli::run(config, dir, format)
}
