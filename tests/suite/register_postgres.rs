//! The register on PostgreSQL, shared by several servers (replicas behind one proxy): an edit
//! through one shows on the others within 2 s (LISTEN/NOTIFY), in their cards and tiles, with
//! the same ETags; accounts are shared; concurrent edits through two servers lose nothing;
//! a database that cannot be reached stops the start with a message that hides the password.
//! The server is a real PostgreSQL 15 that `scripts/postgres.sh start` runs (`make test`
//! does), or the one `ZAGORE_TEST_POSTGRES` names.

use crate::common;
use crate::register::{get_with, inside, item, patch, plot_in, tile_path, tile_plots, PLOT};

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use zagore::register::{PostgresRegister, Register, RegisterError, Role};

use common::TestApp;

/// The test server's admin URL.
fn admin_url() -> String {
    if let Ok(url) = std::env::var("ZAGORE_TEST_POSTGRES") {
        return url;
    }
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/pg-test/url");
    match std::fs::read_to_string(&file) {
        Ok(url) => url.trim().to_string(),
        Err(_) => panic!(
            "these tests need a PostgreSQL server: run `bash scripts/postgres.sh start` (make \
             test does), or set ZAGORE_TEST_POSTGRES to an admin URL"
        ),
    }
}

/// A new, empty database on the test server; its URL.
async fn fresh_database() -> String {
    tokio::task::spawn_blocking(|| {
        let admin = admin_url();
        let mut client = postgres::Client::connect(&admin, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL at {admin}: {e}"));
        let name = format!(
            "zagore_t{}",
            hex(&zagore::register::users::new_token().unwrap())
        );
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let (server, _) = admin.rsplit_once('/').unwrap();
        format!("{server}/{name}")
    })
    .await
    .unwrap()
}

fn hex(token: &str) -> String {
    token
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .take(12)
        .map(|b| (b.to_ascii_lowercase() as char).to_string())
        .collect()
}

/// Adds an account through `app`'s register (off the async threads: the PostgreSQL client
/// blocks); its token.
async fn add_user(app: &TestApp, name: &'static str) -> String {
    let register = app.state.register().clone();
    tokio::task::spawn_blocking(move || {
        let token = zagore::register::users::new_token().unwrap();
        register
            .lock()
            .add_user(
                name,
                Role::Editor,
                &zagore::register::users::token_hash(&token),
            )
            .unwrap();
        token
    })
    .await
    .unwrap()
}

async fn server_on(url: &str) -> TestApp {
    common::spawn_app_with(zagore::Config {
        register: Some(PathBuf::from(url)),
        ..common::test_config()
    })
    .await
}

/// Polls `app` until the plot shows `field` = `want`; how long that took.
async fn seen_within(app: &TestApp, field: &str, want: &Value, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let (feature, _) = item(app, PLOT).await;
        if &feature["properties"][field] == want {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "{field} still {} after {limit:?}, expected {want}",
            feature["properties"][field]
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn an_edit_through_one_server_shows_on_the_other_within_2_s_with_the_same_etags() {
    let url = fresh_database().await;
    let a = server_on(&url).await;
    let b = server_on(&url).await;
    let (plot, etag_a) = item(&a, PLOT).await;
    let (_, etag_b) = item(&b, PLOT).await;
    assert_eq!(etag_a, etag_b, "one register, one ETag");
    let tile = tile_path(15, inside(&plot));
    let (tile_a, _) = tile_plots(&a, &tile).await;
    let (tile_b, _) = tile_plots(&b, &tile).await;
    assert_eq!(tile_a, tile_b);

    // The account is in the shared register: a token made through one works on both.
    let token = add_user(&a, "ana").await;
    let resp = patch(
        &a,
        Some(&token),
        PLOT,
        Some(&etag_a),
        &json!({"status": "sold"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let took = seen_within(&b, "status", &json!("sold"), Duration::from_secs(2)).await;
    eprintln!("the other server showed the edit after {took:?}");
    let (_, etag_a) = item(&a, PLOT).await;
    let (_, etag_b) = item(&b, PLOT).await;
    assert_eq!(etag_a, etag_b);
    let (tile_a2, _) = tile_plots(&a, &tile).await;
    let (tile_b2, features) = tile_plots(&b, &tile).await;
    assert_ne!(
        tile_b2, tile_b,
        "the plot's tile changed on the other server too"
    );
    assert_eq!(tile_a2, tile_b2, "and both tag it alike");
    assert_eq!(plot_in(&features, PLOT).str("status"), Some("sold"));

    // And back through the other one, with the same token.
    let resp = patch(
        &b,
        Some(&token),
        PLOT,
        Some(&etag_b),
        &json!({"status": "reserved"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    seen_within(&a, "status", &json!("reserved"), Duration::from_secs(2)).await;
    // The first server's old ETag is stale everywhere.
    let resp = patch(
        &a,
        Some(&token),
        PLOT,
        Some(&etag_a),
        &json!({"status": "available"}),
    )
    .await;
    assert_eq!(resp.status(), 412);
    let (status, history) = get_with(
        &a,
        &token,
        &format!("/collections/plots/items/{PLOT}/history"),
    )
    .await;
    assert_eq!(status, 200);
    let changes = history["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{history}");
}

#[tokio::test]
async fn editors_on_two_servers_at_once_one_wins_each_round_and_nothing_is_lost() {
    let url = fresh_database().await;
    let a = std::sync::Arc::new(server_on(&url).await);
    let b = std::sync::Arc::new(server_on(&url).await);
    let token = add_user(&a, "ana").await;
    const ROUNDS: u64 = 4;
    for round in 1..=ROUNDS {
        // Both servers serve the last round's winner before this round starts (whichever
        // server it went through).
        let start = Instant::now();
        let etag = loop {
            let (_, etag) = item(&a, PLOT).await;
            let (feature, etag_b) = item(&b, PLOT).await;
            let done =
                feature["properties"]["price_eur_m2"] == json!((round - 1) as f64) || round == 1;
            if etag == etag_b && done {
                break etag;
            }
            assert!(
                start.elapsed() < Duration::from_secs(2),
                "round {round}: the servers disagree for 2 s"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        };
        let tasks: Vec<_> = [a.clone(), b.clone(), a.clone(), b.clone()]
            .into_iter()
            .enumerate()
            .map(|(i, app)| {
                let (token, etag) = (token.clone(), etag.clone());
                tokio::spawn(async move {
                    let body =
                        json!({"price_eur_m2": round as f64, "notes_en": format!("editor {i}")});
                    patch(&app, Some(&token), PLOT, Some(&etag), &body)
                        .await
                        .status()
                        .as_u16()
                })
            })
            .collect();
        let mut won = 0;
        for t in tasks {
            match t.await.unwrap() {
                200 => won += 1,
                412 => {}
                other => panic!("round {round}: {other}"),
            }
        }
        assert_eq!(won, 1, "round {round}: exactly one editor wins");
    }
    seen_within(
        &b,
        "price_eur_m2",
        &json!(ROUNDS as f64),
        Duration::from_secs(2),
    )
    .await;
    let (_, history) = get_with(
        &b,
        &token,
        &format!("/collections/plots/items/{PLOT}/history"),
    )
    .await;
    let revisions: Vec<u64> = history["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["revision"].as_u64().unwrap())
        .collect();
    assert_eq!(
        revisions,
        (1..=ROUNDS).collect::<Vec<_>>(),
        "one sequence of revisions"
    );
}

#[tokio::test]
async fn an_unreachable_register_stops_the_start_naming_it_without_the_password() {
    let config = zagore::Config {
        register: Some(PathBuf::from("postgres://zagore:hunter2@127.0.0.1:1/zone")),
        listen: ([127, 0, 0, 1], 0).into(),
        ..common::test_config()
    };
    let err = tokio::task::spawn_blocking(move || zagore::Application::build(config))
        .await
        .unwrap()
        .err()
        .expect("no register, no start");
    let message = err.to_string();
    assert!(
        message.contains("postgres://zagore@127.0.0.1:1/zone"),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
}

#[tokio::test]
async fn a_register_with_a_newer_schema_is_refused() {
    let url = fresh_database().await;
    let err = tokio::task::spawn_blocking(move || {
        drop(PostgresRegister::open(&url).unwrap());
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        client
            .batch_execute("UPDATE zagore_schema SET version = 99")
            .unwrap();
        let mut reopened = PostgresRegister::open(&url);
        if let Ok(register) = reopened.as_mut() {
            let _ = register.load();
        }
        reopened.err()
    })
    .await
    .unwrap()
    .expect("a newer schema is refused");
    assert!(
        matches!(err, RegisterError::TooNew { found: 99, .. }),
        "{err}"
    );
}
