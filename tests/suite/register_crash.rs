//! The register's durability promise, tested on the real binary: accounts made with
//! `zagore user add`, a burst of edits from several clients, the server killed with SIGKILL
//! at a random moment, restarted: every acknowledged edit is there with all of its fields
//! (none half applied), and SQLite's `PRAGMA integrity_check` says `ok`. Bounded to a few
//! seconds. Also the account commands themselves.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header;
use serde_json::{json, Value};
use zagore::register::{Register, SqliteRegister};

use crate::common;

/// `zagore ARGS` with the register at `register`; stdout, stderr and whether it succeeded.
fn zagore(register: &Path, args: &[&str]) -> (String, String, bool) {
    let out = Command::new(env!("CARGO_BIN_EXE_zagore"))
        .args(args)
        .arg("--register")
        .arg(register)
        .env_remove("ZAGORE_CONFIG")
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

/// Starts `zagore serve` on the bundled data and this register; the child, its base URL and
/// its log so far (kept being read until the child ends).
fn serve(register: &Path) -> (Child, String, Arc<Mutex<String>>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zagore"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(common::bundled_geodata())
        .arg("--register")
        .arg(register)
        .env("RUST_LOG", "zagore=info,tower_http=warn")
        .env_remove("ZAGORE_CONFIG")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let log = Arc::new(Mutex::new(String::new()));
    let base = loop {
        let line = lines
            .next()
            .expect("server exited before listening")
            .unwrap();
        log.lock().unwrap().push_str(&line);
        if let Some(rest) = line.split("serving the zone on ").nth(1) {
            break rest.trim_end_matches('/').to_string();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    let kept = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let mut log = kept.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
    (child, base, log)
}

const PLOTS: [&str; 3] = ["68850.520.104", "68850.520.110", "27214.30.17"];

#[test]
fn user_commands_print_a_token_once_and_keep_only_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let register = dir.path().join("register.sqlite");
    let (token, _, ok) = zagore(&register, &["user", "add", "ana", "--role", "editor"]);
    assert!(ok);
    let token = token.trim();
    assert!(
        token.len() >= 32 && token.chars().all(|c| c.is_ascii_hexdigit()),
        "{token}"
    );
    let (_, err, ok) = zagore(&register, &["user", "add", "ana", "--role", "admin"]);
    assert!(!ok && err.contains("already"), "{err}");
    let (_, err, ok) = zagore(&register, &["user", "add", "bob", "--role", "owner"]);
    assert!(!ok, "{err}");
    let (list, _, ok) = zagore(&register, &["user", "list"]);
    assert!(ok);
    assert!(list.starts_with("ana\teditor\t"), "{list}");
    assert!(!list.contains(token));
    // The database holds the hash, never the token.
    let bytes = std::fs::read(&register).unwrap();
    let wal = std::fs::read(dir.path().join("register.sqlite-wal")).unwrap_or_default();
    for file in [&bytes, &wal] {
        assert!(!file.windows(token.len()).any(|w| w == token.as_bytes()));
    }
    let (_, _, ok) = zagore(&register, &["user", "remove", "ana"]);
    assert!(ok);
    let (list, _, _) = zagore(&register, &["user", "list"]);
    assert_eq!(list, "");
    let (_, _, ok) = zagore(&register, &["user", "remove", "ana"]);
    assert!(!ok);
}

/// An acknowledged edit: the plot, the revision, and the value it set.
#[derive(Debug, Clone)]
struct Acked {
    plot: String,
    revision: u64,
    n: u64,
}

#[tokio::test]
async fn every_acknowledged_edit_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let register = dir.path().join("register.sqlite");
    let (token, _, ok) = zagore(&register, &["user", "add", "crash", "--role", "editor"]);
    assert!(ok);
    let token = token.trim().to_string();
    let (mut child, base, log) = serve(&register);
    let client = reqwest::Client::new();
    let acked = Arc::new(Mutex::new(Vec::<Acked>::new()));
    let started = Instant::now();
    // A random moment between 150 and 650 ms into the burst (no RNG crate needed).
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let kill_after = Duration::from_millis(150 + u64::from(nanos % 500));
    // One editor per plot, each editing as fast as the server answers.
    let editors: Vec<_> = PLOTS
        .iter()
        .map(|plot| {
            let (client, base, token, acked) =
                (client.clone(), base.clone(), token.clone(), acked.clone());
            let plot = plot.to_string();
            tokio::spawn(async move {
                let url = format!("{base}/collections/plots/items/{plot}");
                let Ok(resp) = client.get(&url).send().await else {
                    return;
                };
                let mut etag = resp.headers()[header::ETAG].to_str().unwrap().to_string();
                for n in 1u64.. {
                    let body = json!({"price_eur_m2": n, "notes_en": format!("edit {n}"),
                                      "status": if n % 2 == 0 { "reserved" } else { "available" }});
                    let sent = client
                        .patch(&url)
                        .bearer_auth(&token)
                        .header(header::IF_MATCH, &etag)
                        .header(header::CONTENT_TYPE, "application/merge-patch+json")
                        .body(body.to_string())
                        .send()
                        .await;
                    let Ok(resp) = sent else { return };
                    if resp.status() != 200 {
                        return;
                    }
                    let Some(tag) = resp.headers().get(header::ETAG).cloned() else {
                        return;
                    };
                    // Acknowledged only once the whole answer has arrived.
                    let Ok(entry) = resp.json::<Value>().await else {
                        return;
                    };
                    etag = tag.to_str().unwrap().to_string();
                    acked.lock().unwrap().push(Acked {
                        plot: plot.clone(),
                        revision: entry["revision"].as_u64().unwrap(),
                        n,
                    });
                }
            })
        })
        .collect();
    tokio::time::sleep(kill_after).await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    for e in editors {
        e.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 3,
        "too few edits before the kill: {}",
        acked.len()
    );

    // The database as the kill left it: sound, and holding every acknowledged edit whole.
    let mut store = SqliteRegister::open(&register).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let book = store.load().unwrap();
    for plot in PLOTS {
        let history = store.history(plot).unwrap();
        let mine: Vec<&Acked> = acked.iter().filter(|a| a.plot == plot).collect();
        for a in &mine {
            let record = history
                .iter()
                .find(|r| r.revision == a.revision)
                .unwrap_or_else(|| panic!("acknowledged edit {a:?} lost"));
            assert_eq!(record.new["price_eur_m2"], a.n as f64);
            assert_eq!(record.new["notes_en"], format!("edit {}", a.n));
        }
        // The entry is the last committed edit, every field of it (at most one more than
        // acknowledged: committed, then killed before the answer went out).
        let entry = book.get(plot).unwrap();
        let n = entry.facts.price_eur_m2.unwrap_or(0.0) as u64;
        let last_acked = mine.iter().map(|a| a.n).max().unwrap_or(0);
        assert!(
            n == last_acked || n == last_acked + 1,
            "{plot}: {n} vs {last_acked}"
        );
        if n > 0 {
            assert_eq!(
                entry.facts.notes_en.as_deref(),
                Some(format!("edit {n}").as_str())
            );
            let status = if n % 2 == 0 { "reserved" } else { "available" };
            assert_eq!(entry.facts.status.name(), status);
        }
    }
    drop(store);

    // Restarted, the service serves them.
    let (mut again, base, log_again) = serve(&register);
    for plot in PLOTS {
        let last = acked
            .iter()
            .filter(|a| a.plot == plot)
            .map(|a| a.n)
            .max()
            .unwrap_or(0);
        let item: Value = client
            .get(format!("{base}/collections/plots/items/{plot}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let price = item["properties"]["price_eur_m2"].as_f64().unwrap_or(0.0) as u64;
        assert!(
            price == last || price == last + 1,
            "{plot}: {price} vs {last}"
        );
    }
    again.kill().unwrap();
    again.wait().unwrap();
    // The token went with every request; the log names the account, never the token.
    let logs = format!("{}{}", log.lock().unwrap(), log_again.lock().unwrap());
    assert!(logs.contains("by=crash"), "the edits are logged by account");
    assert!(!logs.contains(&token), "a token reached the log");
    eprintln!(
        "crash test: {} edits acknowledged, SIGKILL after {} ms, {:.1} s in all",
        acked.len(),
        kill_after.as_millis(),
        started.elapsed().as_secs_f64()
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// A value a patch might carry: valid ones, edges and nonsense.
fn value() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-10.0f64..2e9).prop_map(|f| json!(f)),
        Just(json!(1e300)),
        prop_oneof![
            Just("available"),
            Just("reserved"),
            Just("pre-contracted"),
            Just("sold"),
            Just("sale_or_lease"),
            Just("lease"),
            Just("2026-02-28"),
            Just("2026-02-30"),
            Just("2026-2-1"),
        ]
        .prop_map(|s| json!(s)),
        "[ -~а-я\\n\\t\\u{0}]{0,40}".prop_map(Value::from),
        Just(json!("x".repeat(2001))),
        Just(json!([1, 2])),
        Just(json!({"a": 1})),
    ]
}

fn field() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        proptest::sample::select(zagore::register::facts::FIELDS.to_vec()).prop_map(String::from),
        Just("cadastral_id".to_string()),
        Just("area_m2".to_string()),
        "[a-z_]{0,12}",
    ]
}

/// What an entry must always be, whatever was sent.
fn assert_valid(facts: &Value) -> Result<(), proptest::test_runner::TestCaseError> {
    use proptest::prop_assert;
    let statuses = ["available", "reserved", "pre-contracted", "sold"];
    prop_assert!(
        statuses.contains(&facts["status"].as_str().unwrap_or("")),
        "{}",
        facts
    );
    let price = &facts["price_eur_m2"];
    prop_assert!(
        price.is_null() || price.as_f64().is_some_and(|p| (0.0..=1e9).contains(&p)),
        "{}",
        facts
    );
    let date = &facts["reserved_until"];
    prop_assert!(
        date.is_null() || zagore::register::facts::valid_date(date.as_str().unwrap_or("")),
        "{}",
        facts
    );
    for text in [
        "price_note",
        "investor",
        "contact",
        "internal_note",
        "notes_bg",
        "notes_en",
        "upi",
    ] {
        let v = &facts[text];
        prop_assert!(
            v.is_null() || v.as_str().is_some_and(|s| s.chars().count() <= 2000),
            "{}",
            facts
        );
    }
    prop_assert!(facts["investor_public"].is_boolean());
    Ok(())
}

#[test]
fn random_patches_never_fail_the_server_nor_store_an_invalid_value() {
    use proptest::prelude::*;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(common::spawn_app());
    let token = crate::register::add_user(&app, "fuzz", zagore::register::Role::Editor);
    let plot = crate::register::PLOT;
    let entry_url = app.url(&format!("/collections/plots/items/{plot}/register"));
    let entry = || -> Value {
        runtime.block_on(async {
            let resp = app
                .client
                .get(&entry_url)
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
            resp.json().await.unwrap()
        })
    };
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases,
        ..ProptestConfig::default()
    });
    let patch = proptest::collection::vec((field(), value()), 0..5);
    let outcomes = [
        std::sync::atomic::AtomicUsize::new(0),
        std::sync::atomic::AtomicUsize::new(0),
    ];
    runner
        .run(&patch, |pairs| {
            let body: serde_json::Map<String, Value> = pairs.into_iter().collect();
            let before = entry();
            let status = runtime.block_on(async {
                crate::register::patch(
                    &app,
                    Some(&token),
                    plot,
                    Some("*"),
                    &Value::Object(body.clone()),
                )
                .await
                .status()
                .as_u16()
            });
            prop_assert!(status == 200 || status == 422, "{} for {:?}", status, body);
            outcomes[usize::from(status == 200)].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let after = entry();
            assert_valid(&after["facts"])?;
            if status == 422 {
                prop_assert_eq!(&after, &before, "a refused patch wrote something");
            } else {
                for (k, v) in &body {
                    let stored = &after["facts"][k];
                    // Numbers come back as numbers (an integer price as a float).
                    let same =
                        stored == v || (stored.as_f64().is_some() && stored.as_f64() == v.as_f64());
                    prop_assert!(same, "{} = {} stored as {}", k, v, stored);
                }
            }
            Ok(())
        })
        .unwrap();
    let [refused, saved] = outcomes.map(|c| c.into_inner());
    eprintln!("random patches: {saved} saved, {refused} refused");
    assert!(saved > 0 && refused > 0, "{saved} saved, {refused} refused");
}

#[tokio::test]
async fn export_and_import_as_csv_and_json_in_one_transaction() {
    use zagore::register::Role;
    let dir = tempfile::tempdir().unwrap();
    let register = dir.path().join("register.sqlite");
    let app = common::spawn_app_with(zagore::Config {
        register: Some(register.clone()),
        ..common::test_config()
    })
    .await;
    let admin = crate::register::add_user(&app, "boss", Role::Admin);
    let plot = crate::register::PLOT;
    let (csv, _, ok) = zagore(&register, &["register", "export", "--format", "csv"]);
    assert!(ok);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 19, "a header and 18 plots");
    assert!(
        lines[0].starts_with("plot,status,price_eur_m2,"),
        "{}",
        lines[0]
    );

    // A file with a bad row changes nothing.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!("plot,status,price_eur_m2\n{plot},sold,12.5\n27214.30.17,gone,-1\n"),
    )
    .unwrap();
    let (_, err, ok) = zagore(&register, &["register", "import", bad.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("line 3") && err.contains("`status`"), "{err}");
    assert!(err.contains("nothing imported"), "{err}");
    let (again, _, _) = zagore(&register, &["register", "export", "--format", "csv"]);
    assert_eq!(again, csv);

    // A good one: dry run first, then for real.
    let good = dir.path().join("changes.csv");
    let note = "reserved by phone, \"urgent\"\nsecond line";
    let mut w = csv_line(&["plot", "status", "price_eur_m2", "internal_note"]);
    w.push_str(&csv_line(&[plot, "sold", "12.5", note]));
    std::fs::write(&good, w).unwrap();
    let (out, err, ok) = zagore(
        &register,
        &["register", "import", "--dry-run", good.to_str().unwrap()],
    );
    assert!(ok, "{err}");
    assert!(out.contains(plot) && out.contains("status"), "{out}");
    let (again, _, _) = zagore(&register, &["register", "export", "--format", "csv"]);
    assert_eq!(again, csv, "a dry run writes nothing");
    let (_, err, ok) = zagore(&register, &["register", "import", good.to_str().unwrap()]);
    assert!(ok, "{err}");
    // The running server shows it after a reload.
    let resp = app
        .client
        .post(app.url("/admin/reload"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (item, _) = crate::register::item(&app, plot).await;
    assert_eq!(item["properties"]["status"], "sold");
    assert_eq!(item["properties"]["price_eur_m2"], 12.5);
    let history: Value = app
        .client
        .get(app.url(&format!("/collections/plots/items/{plot}/history")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(history["changes"][0]["who"], "import of changes.csv");
    assert_eq!(history["changes"][0]["new"]["internal_note"], note);

    // A JSON export imports back as no change at all.
    let (json_text, _, ok) = zagore(&register, &["register", "export"]);
    assert!(ok);
    let exported: Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(exported.as_array().unwrap().len(), 18);
    let file = dir.path().join("backup.json");
    std::fs::write(&file, &json_text).unwrap();
    let (out, err, ok) = zagore(&register, &["register", "import", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(out, "", "nothing to change");
    assert!(err.contains("0 entries changed"), "{err}");
}

/// One CSV record (quoted where needed).
fn csv_line(cells: &[&str]) -> String {
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| {
            if c.contains([',', '"', '\n']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.to_string()
            }
        })
        .collect();
    quoted.join(",") + "\n"
}

#[test]
fn zagore_check_reports_register_entries_whose_plot_is_gone() {
    use zagore::register::Facts;
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(common::bundled_geodata()).unwrap() {
        let path = entry.unwrap().path();
        if path
            .extension()
            .is_some_and(|e| e == "geojson" || e == "toml")
        {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let mut store = SqliteRegister::open(&dir.path().join("register.sqlite")).unwrap();
    store
        .import_initial(
            &[("27214.33.99".to_string(), Facts::available())],
            "an older export",
        )
        .unwrap();
    drop(store);
    let out = Command::new(env!("CARGO_BIN_EXE_zagore"))
        .arg("check")
        .arg(dir.path())
        .env_remove("ZAGORE_CONFIG")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "an orphan is reported, not an error: {text}"
    );
    let line = text
        .lines()
        .find(|l| l.contains("27214.33.99"))
        .unwrap_or_else(|| panic!("not reported: {text}"));
    assert!(
        line.contains("no plot") && line.contains("27214.33.1"),
        "{line}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_zagore"))
        .args(["check", "--json"])
        .arg(dir.path())
        .env_remove("ZAGORE_CONFIG")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["register_orphans"][0]["plot"], "27214.33.99");
}
