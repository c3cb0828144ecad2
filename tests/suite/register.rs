//! The sales register over HTTP, as the zone's staff and the public see it: an edit with
//! `If-Match` shows at once in every endpoint and in the tiles of its plot only; stale and
//! unconditional edits are refused; bad values name their field and write nothing; private
//! fields never reach a public answer; accounts, roles and rate limits; history and audit;
//! concurrent editors; the register surviving restarts.

use crate::common;
use crate::tiles_support;

use reqwest::{header, StatusCode};
use serde_json::{json, Value};
use zagore::register::users::{new_token, token_hash};
use zagore::register::{Register, Role};

use common::TestApp;

/// A plot the bundled data has as available, stage 1.
pub const PLOT: &str = "68850.520.104";
/// A plot far from it (stage 2, kilometres away).
pub const FAR_PLOT: &str = "27214.65.1";

/// Adds an account to the app's register, returns its token.
pub fn add_user(app: &TestApp, name: &str, role: Role) -> String {
    let token = new_token().unwrap();
    app.state
        .register()
        .lock()
        .add_user(name, role, &token_hash(&token))
        .unwrap();
    token
}

/// `GET /collections/plots/items/{id}`: the feature and its ETag.
pub async fn item(app: &TestApp, id: &str) -> (Value, String) {
    let resp = app.get(&format!("/collections/plots/items/{id}")).await;
    assert_eq!(resp.status(), 200);
    let etag = resp.headers()[header::ETAG].to_str().unwrap().to_string();
    (resp.json().await.unwrap(), etag)
}

/// A PATCH as curl would send it.
pub async fn patch(
    app: &TestApp,
    token: Option<&str>,
    id: &str,
    if_match: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut req = app
        .client
        .patch(app.url(&format!("/collections/plots/items/{id}")))
        .header(header::CONTENT_TYPE, "application/merge-patch+json")
        .body(body.to_string());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(tag) = if_match {
        req = req.header(header::IF_MATCH, tag);
    }
    req.send().await.unwrap()
}

pub async fn get_with(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let resp = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

pub fn inside(feature: &Value) -> (f64, f64) {
    let p = &feature["properties"];
    (
        p["inside_lon"].as_f64().unwrap(),
        p["inside_lat"].as_f64().unwrap(),
    )
}

pub fn tile_path(z: u8, (lon, lat): (f64, f64)) -> String {
    let (ux, uy) = tiles_support::lonlat_to_units(z, lon, lat);
    format!(
        "/tiles/{z}/{}/{}.mvt",
        (ux / 4096.0) as u32,
        (uy / 4096.0) as u32
    )
}

/// The `plots` layer's features of a tile, by cadastral id.
pub async fn tile_plots(app: &TestApp, path: &str) -> (String, Vec<tiles_support::Feature>) {
    let resp = app.get(path).await;
    assert_eq!(resp.status(), 200, "{path}");
    let etag = resp.headers()[header::ETAG].to_str().unwrap().to_string();
    let bytes = resp.bytes().await.unwrap();
    let layers = tiles_support::decode(&bytes);
    (etag, layers["plots"].features.clone())
}

pub fn plot_in<'a>(features: &'a [tiles_support::Feature], id: &str) -> &'a tiles_support::Feature {
    features
        .iter()
        .find(|f| f.str("cadastral_id") == Some(id))
        .unwrap_or_else(|| panic!("{id} not in the tile"))
}

#[tokio::test]
async fn an_edit_shows_at_once_in_every_endpoint() {
    let app = common::spawn_app().await;
    let token = add_user(&app, "ana", Role::Editor);
    let (before, etag) = item(&app, PLOT).await;
    assert_eq!(before["properties"]["status"], "available");
    let point = inside(&before);
    let resp = patch(
        &app,
        Some(&token),
        PLOT,
        Some(&etag),
        &json!({"status": "reserved", "price_eur_m2": 41.5, "price_includes_vat": false,
                "reserved_until": "2026-12-31", "upi": "УПИ IV-520.104, кв. 1 (нов)"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let new_etag = resp.headers()[header::ETAG].to_str().unwrap().to_string();
    assert_ne!(new_etag, etag);
    let saved: Value = resp.json().await.unwrap();
    assert_eq!(saved["facts"]["status"], "reserved");
    assert_eq!(saved["updated_by"], "ana");

    // The item, with the new ETag.
    let (after, etag_now) = item(&app, PLOT).await;
    assert_eq!(etag_now, new_etag);
    let p = &after["properties"];
    assert_eq!(p["status"], "reserved");
    assert_eq!(p["price_eur_m2"], 41.5);
    assert_eq!(p["reserved_until"], "2026-12-31");
    // The plot under a click.
    let (_, at) = app
        .get_json(&format!("/plots/at?lon={}&lat={}", point.0, point.1))
        .await;
    assert_eq!(at["features"][0]["id"], PLOT);
    assert_eq!(at["features"][0]["properties"]["status"], "reserved");
    // Search finds it by its new УПИ.
    let resp = app
        .client
        .get(app.url("/plots/search"))
        .query(&[("q", "520.104, кв. 1 (нов)")])
        .send()
        .await
        .unwrap();
    let found: Value = resp.json().await.unwrap();
    assert_eq!(found["features"][0]["id"], PLOT, "{found}");
    assert_eq!(found["features"][0]["properties"]["status"], "reserved");
    // Filters: it is among the reserved plots and no longer among the available ones.
    let (_, reserved) = app
        .get_json("/collections/plots/items?status=reserved&limit=100")
        .await;
    let ids: Vec<&str> = reserved["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&PLOT), "{ids:?}");
    let (_, available) = app
        .get_json("/collections/plots/items?status=available&limit=100")
        .await;
    assert!(!available.to_string().contains(PLOT));
    // The queryables know the price is a number now.
    let (_, q) = app.get_json("/collections/plots/queryables").await;
    assert_eq!(q["properties"]["price_eur_m2"]["type"], "number", "{q}");
    // The tile at full detail and below it.
    for z in [15, 12] {
        let (_, plots) = tile_plots(&app, &tile_path(z, point)).await;
        if z >= 14 {
            assert_eq!(
                plot_in(&plots, PLOT).str("status"),
                Some("reserved"),
                "z{z}"
            );
        } else {
            // Below z14 plots carry only their status and stage; no other plot was reserved
            // in the first stage's tile but 68850.520.108.
            let reserved = plots
                .iter()
                .filter(|f| f.str("status") == Some("reserved"))
                .count();
            assert_eq!(reserved, 2, "z{z}");
        }
    }
}

#[tokio::test]
async fn an_edit_changes_the_tiles_of_its_plot_only() {
    let app = common::spawn_app().await;
    let token = add_user(&app, "ana", Role::Editor);
    let (plot, etag) = item(&app, PLOT).await;
    let (far, _) = item(&app, FAR_PLOT).await;
    let near_path = tile_path(15, inside(&plot));
    let far_path = tile_path(15, inside(&far));
    assert_ne!(near_path, far_path);
    let (near_before, features) = tile_plots(&app, &near_path).await;
    assert_eq!(plot_in(&features, PLOT).str("status"), Some("available"));
    let (far_before, _) = tile_plots(&app, &far_path).await;

    let resp = patch(
        &app,
        Some(&token),
        PLOT,
        Some(&etag),
        &json!({"status": "sold"}),
    )
    .await;
    assert_eq!(resp.status(), 200);

    let misses = app.state.tiles().stats().misses;
    let (far_after, _) = tile_plots(&app, &far_path).await;
    assert_eq!(
        far_after, far_before,
        "a tile without the plot keeps its ETag"
    );
    assert_eq!(
        app.state.tiles().stats().misses,
        misses,
        "and stays cached: it is not encoded again"
    );
    let resp = app
        .client
        .get(app.url(&far_path))
        .header(header::IF_NONE_MATCH, &far_before)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 304);
    let (near_after, features) = tile_plots(&app, &near_path).await;
    assert_ne!(near_after, near_before, "the plot's tile has a new ETag");
    assert_eq!(plot_in(&features, PLOT).str("status"), Some("sold"));
    assert_eq!(app.state.tiles().stats().misses, misses + 1);
    // A browser revalidating with the old ETag gets the new tile, not a 304.
    let resp = app
        .client
        .get(app.url(&near_path))
        .header(header::IF_NONE_MATCH, &near_before)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn an_edit_needs_if_match_and_a_stale_one_is_refused() {
    let app = common::spawn_app().await;
    let token = add_user(&app, "ana", Role::Editor);
    let (_, etag) = item(&app, PLOT).await;
    let resp = patch(&app, Some(&token), PLOT, None, &json!({"status": "sold"})).await;
    assert_eq!(resp.status(), 428);
    assert_eq!(
        resp.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let first = patch(
        &app,
        Some(&token),
        PLOT,
        Some(&etag),
        &json!({"status": "reserved"}),
    )
    .await;
    assert_eq!(first.status(), 200);
    let second = patch(
        &app,
        Some(&token),
        PLOT,
        Some(&etag),
        &json!({"status": "sold"}),
    )
    .await;
    assert_eq!(second.status(), 412, "someone saved first");
    let (now, _) = item(&app, PLOT).await;
    assert_eq!(
        now["properties"]["status"], "reserved",
        "the stale edit wrote nothing"
    );
    // Wrong media type.
    let resp = app
        .client
        .patch(app.url(&format!("/collections/plots/items/{PLOT}")))
        .bearer_auth(&token)
        .header(header::IF_MATCH, "*")
        .header(header::CONTENT_TYPE, "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
}

#[tokio::test]
async fn bad_edits_name_the_field_and_write_nothing() {
    let app = common::spawn_app().await;
    let token = add_user(&app, "ana", Role::Editor);
    let (before, etag) = item(&app, PLOT).await;
    for (body, field) in [
        (json!({"status": "gone"}), "status"),
        (json!({"price_eur_m2": -5}), "price_eur_m2"),
        (json!({"reserved_until": "2026-13-01"}), "reserved_until"),
        (json!({"area_m2": 1}), "area_m2"),
        (
            json!({"status": "sold", "cadastral_id": "1.2.3"}),
            "cadastral_id",
        ),
    ] {
        let resp = patch(&app, Some(&token), PLOT, Some(&etag), &body).await;
        assert_eq!(resp.status(), 422, "{body}");
        let problem: Value = resp.json().await.unwrap();
        assert_eq!(problem["field"], field, "{problem}");
        assert!(problem["detail"].as_str().unwrap().contains(field));
    }
    let resp = patch(
        &app,
        Some(&token),
        "68850.520.999",
        Some("*"),
        &json!({"status": "sold"}),
    )
    .await;
    assert_eq!(resp.status(), 404, "an unknown plot");
    let resp = app
        .client
        .patch(app.url(&format!("/collections/plots/items/{PLOT}")))
        .bearer_auth(&token)
        .header(header::IF_MATCH, &etag)
        .header(header::CONTENT_TYPE, "application/merge-patch+json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let (after, etag_after) = item(&app, PLOT).await;
    assert_eq!(after, before);
    assert_eq!(etag_after, etag);
    let (status, history) = get_with(
        &app,
        &token,
        &format!("/collections/plots/items/{PLOT}/history"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(history["changes"], json!([]));
}

#[tokio::test]
async fn private_fields_never_appear_in_a_public_answer() {
    let app = common::spawn_app().await;
    let token = add_user(&app, "ana", Role::Editor);
    let (plot, etag) = item(&app, PLOT).await;
    let secrets = [
        "CONTACT-0888-SECRET",
        "NOTE-INTERNAL-SECRET",
        "INVESTOR-HIDDEN-SECRET",
    ];
    let resp = patch(
        &app,
        Some(&token),
        PLOT,
        Some(&etag),
        &json!({"status": "reserved", "contact": secrets[0], "internal_note": secrets[1],
                "investor": secrets[2], "investor_public": false, "notes_en": "public note"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let point = inside(&plot);
    let mut public = Vec::new();
    for path in [
        format!("/collections/plots/items/{PLOT}"),
        "/collections/plots/items?limit=100".to_string(),
        format!("/plots/at?lon={}&lat={}", point.0, point.1),
        format!("/plots/search?q={PLOT}"),
        "/collections/plots/queryables".to_string(),
        "/tiles.json".to_string(),
        "/api".to_string(),
        // The take-aways (regression: they were built before the register and had to be
        // checked against it): the exports readable as text, and the plot sheet.
        "/collections/plots/items?f=csv".to_string(),
        "/collections/plots/items?f=kml".to_string(),
        format!("/collections/plots/items/{PLOT}?f=csv"),
        format!("/collections/plots/items/{PLOT}?f=kml"),
        format!("/plots/{PLOT}/sheet"),
        format!("/plots/{PLOT}/sheet?lang=en"),
    ] {
        let resp = app.get(&path).await;
        assert_eq!(resp.status(), 200, "{path}");
        public.push((path, resp.bytes().await.unwrap().to_vec()));
    }
    for z in [12, 14, 15, 16] {
        let path = tile_path(z, point);
        let resp = app.get(&path).await;
        public.push((path, resp.bytes().await.unwrap().to_vec()));
    }
    assert!(String::from_utf8_lossy(&public[0].1).contains("public note"));
    // The exports carry the register's public facts, as the card does.
    for (path, body) in &public {
        if path.contains("f=csv") || path.contains("f=kml") {
            let text = String::from_utf8_lossy(body);
            assert!(text.contains("public note"), "the edit is not in {path}");
        }
    }
    for (path, body) in &public {
        let text = String::from_utf8_lossy(body);
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} in {path}");
        }
        if path != "/api" {
            // (The API document names the fields, as the schema of a PATCH.)
            assert!(!text.contains("\"contact\""), "contact field in {path}");
            assert!(
                !text.contains("internal_note"),
                "internal_note field in {path}"
            );
        }
    }
    // Editors see them.
    let (status, entry) = get_with(
        &app,
        &token,
        &format!("/collections/plots/items/{PLOT}/register"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(entry["facts"]["contact"], secrets[0]);
    assert_eq!(entry["facts"]["investor"], secrets[2]);
}

#[tokio::test]
async fn accounts_roles_and_failed_sign_ins() {
    let app = common::spawn_app().await;
    let editor = add_user(&app, "ana", Role::Editor);
    let admin = add_user(&app, "boss", Role::Admin);
    let (_, etag) = item(&app, PLOT).await;
    let resp = patch(&app, None, PLOT, Some(&etag), &json!({"status": "sold"})).await;
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().contains_key(header::WWW_AUTHENTICATE));
    assert_eq!(
        resp.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let (status, _) = get_with(&app, &editor, "/admin/audit").await;
    assert_eq!(status, 403, "an editor does not read the audit trail");
    let resp = app
        .client
        .post(app.url("/admin/reload"))
        .bearer_auth(&editor)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403, "nor reloads");
    let resp = app
        .client
        .post(app.url("/admin/reload"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "an admin account reloads");
    // An admin edits too.
    let resp = patch(
        &app,
        Some(&admin),
        PLOT,
        Some(&etag),
        &json!({"status": "sold"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    // Failed sign-ins from one address are limited; a good token is refused meanwhile too.
    let mut statuses = Vec::new();
    for i in 0..12 {
        let (status, _) = get_with(&app, &format!("wrong-{i}"), "/admin/audit").await;
        statuses.push(status.as_u16());
    }
    assert_eq!(&statuses[..10], &[401; 10]);
    assert_eq!(&statuses[10..], &[429, 429]);
    let (status, _) = get_with(&app, &admin, "/admin/audit").await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn history_and_audit_say_who_changed_what_when_and_why() {
    let app = common::spawn_app().await;
    let editor = add_user(&app, "ana", Role::Editor);
    let admin = add_user(&app, "boss", Role::Admin);
    let (_, etag) = item(&app, PLOT).await;
    let resp = app
        .client
        .patch(app.url(&format!("/collections/plots/items/{PLOT}")))
        .query(&[("reason", "договор за резервация № 12")])
        .bearer_auth(&editor)
        .header(header::IF_MATCH, &etag)
        .header(header::CONTENT_TYPE, "application/merge-patch+json")
        .body(json!({"status": "reserved"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (status, history) = get_with(
        &app,
        &editor,
        &format!("/collections/plots/items/{PLOT}/history"),
    )
    .await;
    assert_eq!(status, 200);
    let change = &history["changes"][0];
    assert_eq!(change["who"], "ana");
    assert_eq!(change["plot"], PLOT);
    assert_eq!(change["old"]["status"], "available");
    assert_eq!(change["new"]["status"], "reserved");
    assert_eq!(change["reason"], "договор за резервация № 12");
    assert!(change["at"].as_str().unwrap().ends_with('Z'));
    let (status, audit) = get_with(&app, &admin, "/admin/audit?since=2000-01-01T00:00:00Z").await;
    assert_eq!(status, 200);
    assert_eq!(audit["changes"].as_array().unwrap().len(), 1);
    let (_, later) = get_with(&app, &admin, "/admin/audit?since=2999-01-01T00:00:00Z").await;
    assert_eq!(later["changes"], json!([]));
    let (status, _) = get_with(&app, &admin, "/admin/audit?since=yesterday").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn concurrent_editors_one_wins_each_round_and_no_update_is_lost() {
    let app = std::sync::Arc::new(common::spawn_app().await);
    let token = add_user(&app, "ana", Role::Editor);
    const ROUNDS: u64 = 5;
    const CLIENTS: usize = 6;
    for round in 0..ROUNDS {
        let (current, etag) = item(&app, PLOT).await;
        let price = current["properties"]["price_eur_m2"]
            .as_f64()
            .unwrap_or(0.0);
        let tasks: Vec<_> = (0..CLIENTS)
            .map(|client| {
                let (app, token, etag) = (app.clone(), token.clone(), etag.clone());
                tokio::spawn(async move {
                    let body = json!({"price_eur_m2": price + 1.0, "notes_en": format!("client {client}")});
                    patch(&app, Some(&token), PLOT, Some(&etag), &body).await.status()
                })
            })
            .collect();
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap().as_u16() {
                200 => ok += 1,
                412 => {}
                other => panic!("round {round}: {other}"),
            }
        }
        assert_eq!(ok, 1, "round {round}: exactly one editor wins");
    }
    let (now, _) = item(&app, PLOT).await;
    assert_eq!(
        now["properties"]["price_eur_m2"], ROUNDS as f64,
        "no update lost"
    );
    let (_, history) = get_with(
        &app,
        &token,
        &format!("/collections/plots/items/{PLOT}/history"),
    )
    .await;
    assert_eq!(history["changes"].as_array().unwrap().len() as u64, ROUNDS);
}

#[tokio::test]
async fn the_register_outlives_a_restart_and_wins_over_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = zagore::Config {
        register: Some(dir.path().join("register.sqlite")),
        ..common::test_config()
    };
    let app = common::spawn_app_with(config.clone()).await;
    let token = add_user(&app, "ana", Role::Editor);
    let (_, etag) = item(&app, PLOT).await;
    let resp = patch(
        &app,
        Some(&token),
        PLOT,
        Some(&etag),
        &json!({"status": "sold"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let (_, health) = app.get_json("/health").await;
    assert_eq!(health["register"]["revision"], 1);
    assert_eq!(health["register"]["entries"], 18);
    assert_eq!(health["register"]["orphans"], json!([]));
    drop(app);
    let again = common::spawn_app_with(config).await;
    let (plot, etag_again) = item(&again, PLOT).await;
    assert_eq!(
        plot["properties"]["status"], "sold",
        "the register, not the file"
    );
    let resp = patch(
        &again,
        Some(&token),
        PLOT,
        Some(&etag_again),
        &json!({"status": "available"}),
    )
    .await;
    assert_eq!(resp.status(), 200, "the account is in the register too");
}

#[tokio::test]
async fn an_entry_whose_plot_is_gone_is_kept_and_reported() {
    use zagore::register::{Facts, SqliteRegister};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.sqlite");
    let mut store = SqliteRegister::open(&path).unwrap();
    // An entry for a plot the data does not have (a plot the last export renumbered).
    store
        .import_initial(
            &[("68850.520.999".to_string(), Facts::available())],
            "an older export",
        )
        .unwrap();
    drop(store);
    let config = zagore::Config {
        register: Some(path),
        ..common::test_config()
    };
    let app = common::spawn_app_with(config).await;
    let (_, health) = app.get_json("/health").await;
    let orphans = health["register"]["orphans"].as_array().unwrap();
    assert_eq!(orphans.len(), 1, "{health}");
    assert_eq!(orphans[0]["plot"], "68850.520.999");
    let heirs: Vec<&str> = orphans[0]["may_inherit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(heirs.contains(&PLOT), "{heirs:?}");
    assert!(!heirs.contains(&FAR_PLOT));
}

#[tokio::test]
async fn the_openapi_document_describes_the_register_endpoints_and_their_answers() {
    let app = common::spawn_app().await;
    let (_, doc) = app.get_json("/api").await;
    let paths = &doc["paths"];
    let patch = &paths["/collections/{collectionId}/items/{featureId}"]["patch"];
    for status in [
        "200", "401", "403", "404", "412", "415", "422", "428", "429",
    ] {
        assert!(patch["responses"].get(status).is_some(), "PATCH {status}");
    }
    assert!(patch["requestBody"]["content"]
        .get("application/merge-patch+json")
        .is_some());
    for path in [
        "/collections/{collectionId}/items/{featureId}/history",
        "/collections/{collectionId}/items/{featureId}/register",
        "/admin/audit",
    ] {
        assert!(
            paths[path]["get"]["responses"].get("401").is_some(),
            "{path}"
        );
    }
    let item = &paths["/collections/{collectionId}/items/{featureId}"]["get"];
    assert!(item["responses"]["200"]["headers"].get("ETag").is_some());
}

#[tokio::test]
async fn a_browser_signs_in_for_a_short_lived_cookie_and_changes_need_its_csrf_token() {
    let app = common::spawn_app().await;
    let token = add_user(&app, "ana", Role::Editor);
    let resp = app
        .client
        .post(app.url("/session"))
        .json(&json!({"token": "not-a-token"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = app
        .client
        .post(app.url("/session"))
        .json(&json!({"token": token}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let set_cookie = resp.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    for part in ["HttpOnly", "SameSite=Strict", "Max-Age=1800", "Path=/"] {
        assert!(set_cookie.contains(part), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "plain http: no Secure");
    assert!(!set_cookie.contains(&token), "the cookie is not the token");
    let session: Value = resp.json().await.unwrap();
    assert_eq!(session["name"], "ana");
    let csrf = session["csrf"].as_str().unwrap().to_string();
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let (_, etag) = item(&app, PLOT).await;
    let send = |csrf: Option<&str>, etag: &str| {
        let mut req = app
            .client
            .patch(app.url(&format!("/collections/plots/items/{PLOT}")))
            .header(header::COOKIE, &cookie)
            .header(header::IF_MATCH, etag)
            .header(header::CONTENT_TYPE, "application/merge-patch+json")
            .body(json!({"status": "reserved"}).to_string());
        if let Some(c) = csrf {
            req = req.header("x-csrf-token", c);
        }
        req.send()
    };
    assert_eq!(
        send(None, &etag).await.unwrap().status(),
        403,
        "no CSRF token"
    );
    assert_eq!(send(Some("forged"), &etag).await.unwrap().status(), 403);
    let version_before: Value = app.get("/register/version").await.json().await.unwrap();
    assert_eq!(send(Some(&csrf), &etag).await.unwrap().status(), 200);
    let version_after: Value = app.get("/register/version").await.json().await.unwrap();
    assert_ne!(
        version_after["register_revision"],
        version_before["register_revision"]
    );
    // Who is signed in, from the cookie alone.
    let me: Value = app
        .client
        .get(app.url("/session"))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["csrf"], csrf.as_str());
    // Removing the account ends its sessions.
    app.state.register().lock().remove_user("ana").unwrap();
    let (_, etag) = item(&app, PLOT).await;
    assert_eq!(send(Some(&csrf), &etag).await.unwrap().status(), 401);
}

#[tokio::test]
async fn behind_https_the_session_cookie_is_secure_and_signing_out_ends_it() {
    let app = common::spawn_app_with(zagore::Config {
        public_url: Some("https://zone.example.bg".to_string()),
        ..common::test_config()
    })
    .await;
    let token = add_user(&app, "ana", Role::Editor);
    let resp = app
        .client
        .post(app.url("/session"))
        .json(&json!({"token": token}))
        .send()
        .await
        .unwrap();
    let set_cookie = resp.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
    let csrf = resp.json::<Value>().await.unwrap()["csrf"]
        .as_str()
        .unwrap()
        .to_string();
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let out = app
        .client
        .delete(app.url("/session"))
        .header(header::COOKIE, &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    let me = app
        .client
        .get(app.url("/session"))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(me.json::<Value>().await.unwrap()["signed_in"], false);
}

#[tokio::test]
async fn an_edited_price_note_drops_the_files_stale_english_twin() {
    let app = common::spawn_app().await;
    let token = add_user(&app, "ana", Role::Editor);
    let (before, etag) = item(&app, PLOT).await;
    let p = &before["properties"];
    // The bundled data says each note in Bulgarian, with its English twin.
    assert!(p["price_note"].as_str().unwrap().contains("цената"), "{p}");
    assert!(
        p["price_note_en"].as_str().unwrap().contains("price"),
        "{p}"
    );
    let resp = patch(
        &app,
        Some(&token),
        PLOT,
        Some(&etag),
        &json!({"price_note": "договаряне на място"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let (after, _) = item(&app, PLOT).await;
    let p = &after["properties"];
    assert_eq!(p["price_note"], "договаряне на място");
    // The old English text no longer translates it: the English card falls back to the new.
    assert_eq!(p["price_note_en"], Value::Null, "{p}");
    // A field the staff left alone keeps its twin, and so does another plot.
    assert!(p["restrictions_en"].as_str().is_some(), "{p}");
    let (far, _) = item(&app, FAR_PLOT).await;
    assert!(far["properties"]["price_note_en"].as_str().is_some());
}

/// A copy of the bundled data with Stage 1's plots only, every one sold.
fn stage_one_sold() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(common::bundled_geodata()).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() && entry.file_name() != "register.sqlite" {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
    }
    let path = dir.path().join("plots.geojson");
    let mut plots: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let features = plots["features"].as_array_mut().unwrap();
    features.retain(|f| f["properties"]["stage"] == 1);
    for f in features.iter_mut() {
        f["properties"]["status"] = json!("sold");
    }
    std::fs::write(&path, plots.to_string()).unwrap();
    dir
}

/// TileJSON's `zagore:values` of the plots layer.
async fn plot_values(app: &TestApp) -> Value {
    let (_, tilejson) = app.get_json("/tiles.json").await;
    let plots = tilejson["vector_layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "plots")
        .cloned()
        .unwrap();
    plots["zagore:values"].clone()
}

#[tokio::test]
async fn tilejson_lists_the_statuses_and_stages_the_plots_have_and_follows_an_edit() {
    let data = stage_one_sold();
    let app = common::spawn_app_with(zagore::Config {
        data_dir: data.path().to_path_buf(),
        ..common::test_config()
    })
    .await;
    assert_eq!(
        plot_values(&app).await,
        json!({"status": ["sold"], "stage": [1]})
    );
    let token = add_user(&app, "ana", Role::Editor);
    let (_, etag) = item(&app, PLOT).await;
    let resp = patch(
        &app,
        Some(&token),
        PLOT,
        Some(&etag),
        &json!({"status": "reserved"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    // In the style's (the register's) order, not the order met.
    assert_eq!(
        plot_values(&app).await,
        json!({"status": ["reserved", "sold"], "stage": [1]})
    );
    // The bundled data has every status and both stages.
    let bundled = common::spawn_app().await;
    assert_eq!(
        plot_values(&bundled).await,
        json!({"status": ["available", "reserved", "pre-contracted", "sold"], "stage": [1, 2]})
    );
}

/// How many plots the sheet's map draws in this colour.
fn plots_in(sheet: &str, colour: &str) -> usize {
    sheet
        .matches(&format!("fill=\"{colour}\" fill-opacity"))
        .count()
}

#[tokio::test]
async fn the_sheets_map_colours_a_neighbour_by_its_status_in_the_register() {
    // Regression: the sheet's map read the file's status, so a plot the staff had sold still
    // showed in the colour of its old status beside the plot the sheet is about.
    let app = common::spawn_app().await;
    let token = add_user(&app, "ana", Role::Editor);
    let sheet = |app: &TestApp| {
        let url = app.url(&format!("/plots/{FAR_PLOT}/sheet"));
        let client = app.client.clone();
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let sold = zagore::register::Status::Sold.colour();
    let before = plots_in(&sheet(&app).await, sold);
    // A Stage 2 neighbour of FAR_PLOT that is not sold yet.
    let (_, items) = app
        .get_json("/collections/plots/items?stage=2&status=available&limit=100")
        .await;
    let neighbour = items["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .find(|id| id != FAR_PLOT)
        .unwrap();
    let (_, etag) = item(&app, &neighbour).await;
    let resp = patch(
        &app,
        Some(&token),
        &neighbour,
        Some(&etag),
        &json!({"status": "sold"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(plots_in(&sheet(&app).await, sold), before + 1);
}
