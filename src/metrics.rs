//! `GET /metrics` in Prometheus text format: requests by route and status, latency
//! histograms per route, the tile cache, the data version and load time, reload failures.
//!
//! Built on `prometheus-client` (the Prometheus project's Rust client); the request
//! middleware records every answer under its route template (`/tiles/{z}/{x}/{y}.mvt`),
//! never the raw path, so the number of series stays bounded.
//!
//! Recording is on every request's path, so the series a route uses are looked up once
//! (building the label values) and then kept by route, method and status: a request after
//! the first only takes a read lock and bumps the counter and histogram it already holds.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, RwLock};
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use tower::{Layer, Service};

use crate::app::AppState;
use crate::http::ApiError;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabels {
    version: String,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms … 4 s: tiles from the cache take well under a millisecond, cold ones a few.
    Histogram::new([
        0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0,
    ])
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The series one route records into (handles into the families, which they share).
struct RouteSeries {
    latency: Histogram,
    /// By method and status; a route answers with few of those, so a list beats a map.
    answers: Vec<(Method, u16, Counter)>,
}

/// The service's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    data_version: Family<VersionLabels, Gauge>,
    data_loaded: Gauge,
    features: Family<RouteLabels, Gauge>,
    reload_failures: Counter,
    reloads: Counter,
    tile_hits: Gauge,
    tile_misses: Gauge,
    tile_bytes: Gauge,
    tile_entries: Gauge,
    /// The version label currently set, to clear it when the data changes.
    current_version: Mutex<String>,
    /// The request series already resolved, by route template.
    routes: RwLock<HashMap<String, RouteSeries>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("zagore");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route, method and status",
            requests.clone(),
        );
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer, by route",
            latency.clone(),
        );
        let data_version = Family::<VersionLabels, Gauge>::default();
        registry.register(
            "data_version",
            "The geodata version served (1 for the current one)",
            data_version.clone(),
        );
        let data_loaded = Gauge::default();
        registry.register(
            "data_loaded_timestamp_seconds",
            "When the served geodata was loaded (Unix time)",
            data_loaded.clone(),
        );
        let features = Family::<RouteLabels, Gauge>::default();
        registry.register(
            "features",
            "Features served per layer (label route = layer name)",
            features.clone(),
        );
        let reload_failures = Counter::default();
        registry.register(
            "reload_failures",
            "Reloads refused because the new data was bad",
            reload_failures.clone(),
        );
        let reloads = Counter::default();
        registry.register(
            "reloads",
            "Reloads of the data folder run (file change, SIGHUP or admin), whatever the outcome",
            reloads.clone(),
        );
        let tile_hits = Gauge::default();
        registry.register(
            "tile_cache_hits",
            "Tile requests answered from the cache",
            tile_hits.clone(),
        );
        let tile_misses = Gauge::default();
        registry.register(
            "tile_cache_misses",
            "Tile requests that had to encode the tile",
            tile_misses.clone(),
        );
        let tile_bytes = Gauge::default();
        registry.register(
            "tile_cache_bytes",
            "Bytes of encoded tiles held in the cache",
            tile_bytes.clone(),
        );
        let tile_entries = Gauge::default();
        registry.register(
            "tile_cache_entries",
            "Tiles held in the cache",
            tile_entries.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            data_version,
            data_loaded,
            features,
            reload_failures,
            reloads,
            tile_hits,
            tile_misses,
            tile_bytes,
            tile_entries,
            current_version: Mutex::new(String::new()),
            routes: RwLock::default(),
        }
    }

    /// Records the data now served.
    pub fn data_loaded(&self, state: &AppState) {
        let data = state.data();
        let ds = &data.dataset;
        let mut current = self
            .current_version
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if !current.is_empty() {
            self.data_version.remove(&VersionLabels {
                version: current.clone(),
            });
        }
        current.clone_from(&ds.version);
        self.data_version
            .get_or_create(&VersionLabels {
                version: ds.version.clone(),
            })
            .set(1);
        self.data_loaded.set(ds.loaded_at.unix_timestamp());
        for (layer, count) in ds.counts() {
            self.features
                .get_or_create(&RouteLabels {
                    route: layer.to_string(),
                })
                .set(i64::try_from(count).unwrap_or(i64::MAX));
        }
    }

    pub fn reload_failed(&self) {
        self.reload_failures.inc();
    }

    pub fn reload_ran(&self) {
        self.reloads.inc();
    }

    fn record(&self, route: &str, method: &Method, status: u16, seconds: f64) {
        {
            let routes = self.routes.read().unwrap_or_else(|p| p.into_inner());
            if let Some(series) = routes.get(route) {
                let answer = series
                    .answers
                    .iter()
                    .find(|(m, s, _)| m == method && *s == status);
                if let Some((_, _, counter)) = answer {
                    series.latency.observe(seconds);
                    counter.inc();
                    return;
                }
            }
        }
        // First answer of this kind on this route: resolve its series in the families.
        let mut routes = self.routes.write().unwrap_or_else(|p| p.into_inner());
        let series = routes
            .entry(route.to_string())
            .or_insert_with(|| RouteSeries {
                latency: self
                    .latency
                    .get_or_create(&RouteLabels {
                        route: route.to_string(),
                    })
                    .clone(),
                answers: Vec::new(),
            });
        let position = series
            .answers
            .iter()
            .position(|(m, s, _)| m == method && *s == status);
        let index = position.unwrap_or_else(|| {
            let counter = self
                .requests
                .get_or_create(&RequestLabels {
                    route: route.to_string(),
                    method: method.to_string(),
                    status,
                })
                .clone();
            series.answers.push((method.clone(), status, counter));
            series.answers.len() - 1
        });
        series.latency.observe(seconds);
        series.answers[index].2.inc();
    }

    fn render(&self, state: &AppState) -> Result<String, std::fmt::Error> {
        let stats = state.tiles().stats();
        let clamp = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.tile_hits.set(clamp(stats.hits));
        self.tile_misses.set(clamp(stats.misses));
        self.tile_bytes.set(clamp(stats.bytes));
        self.tile_entries.set(clamp(stats.entries));
        let mut out = String::new();
        encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// Layer that times every request and counts it under its route template (applied inside
/// the router, where the matched route is known). A plain tower layer: it calls the route
/// directly, without the clone of the inner service and the `Next` an axum `from_fn`
/// middleware costs on every request.
#[derive(Clone)]
pub struct Track {
    state: AppState,
}

impl Track {
    pub fn new(state: AppState) -> Track {
        Track { state }
    }
}

impl<S> Layer<S> for Track {
    type Service = Tracked<S>;

    fn layer(&self, inner: S) -> Tracked<S> {
        Tracked {
            state: self.state.clone(),
            inner,
        }
    }
}

/// A service whose answers are recorded in the metrics.
#[derive(Clone)]
pub struct Tracked<S> {
    state: AppState,
    inner: S,
}

type ResponseFuture = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl<S> Service<Request> for Tracked<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> ResponseFuture {
        let started = Instant::now();
        // `MatchedPath` shares the router's string: cloning it is a reference count.
        let route = request.extensions().get::<MatchedPath>().cloned();
        let method = request.method().clone();
        let answer = self.inner.call(request);
        let state = self.state.clone();
        Box::pin(async move {
            let response = answer.await?;
            state.metrics().record(
                route.as_ref().map_or("unmatched", MatchedPath::as_str),
                &method,
                response.status().as_u16(),
                started.elapsed().as_secs_f64(),
            );
            Ok(response)
        })
    }
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let body = state.metrics().render(&state).map_err(ApiError::internal)?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response())
}
