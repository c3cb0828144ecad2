//! `GET /metrics` in Prometheus text format: requests by route and status, latency
//! histograms per route, the tile cache, the data version and load time, reloads.
//!
//! What the service already counts elsewhere (the tile cache's hits and misses, the reloads,
//! the snapshot served) is read at scrape time by a collector ([`StateCollector`]), as
//! counters and gauges of the right kind, rather than copied into gauges on every change.
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
use std::sync::RwLock;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::response::Response;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use std::sync::Arc;
use tower::{Layer, Service};

use crate::tiles::TileCache;
use crate::zone::ZoneCell;

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

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LayerLabels {
    layer: String,
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
    /// The request series already resolved, by route template.
    routes: RwLock<HashMap<String, RouteSeries>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    /// The request metrics, and a collector reading the served snapshot, the reloads and the
    /// tile cache at each scrape.
    pub fn new(zone: Arc<ZoneCell>, tiles: Arc<TileCache>) -> Metrics {
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
        registry.register_collector(Box::new(StateCollector { zone, tiles }));
        Metrics {
            registry,
            requests,
            latency,
            routes: RwLock::default(),
        }
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

    /// The metrics in OpenMetrics text.
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// Reads what the service counts elsewhere, at scrape time.
#[derive(Debug)]
struct StateCollector {
    zone: Arc<ZoneCell>,
    tiles: Arc<TileCache>,
}

impl StateCollector {
    fn counter(
        encoder: &mut DescriptorEncoder,
        name: &str,
        help: &str,
        value: u64,
    ) -> Result<(), std::fmt::Error> {
        let metric = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
        ConstCounter::new(value).encode(metric)
    }

    fn gauge(
        encoder: &mut DescriptorEncoder,
        name: &str,
        help: &str,
        value: i64,
    ) -> Result<(), std::fmt::Error> {
        let metric = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
        ConstGauge::new(value).encode(metric)
    }
}

impl Collector for StateCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let zone = self.zone.current();
        let ds = &zone.dataset;
        let clamp = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        {
            let mut family = encoder.encode_descriptor(
                "data_version",
                "The geodata version served (1 for the current one)",
                None,
                MetricType::Gauge,
            )?;
            let labels = VersionLabels {
                version: ds.version.clone(),
            };
            ConstGauge::new(1i64).encode(family.encode_family(&labels)?)?;
        }
        Self::gauge(
            &mut encoder,
            "data_loaded_timestamp_seconds",
            "When the served geodata was loaded (Unix time)",
            ds.loaded_at.unix_timestamp(),
        )?;
        {
            let mut family = encoder.encode_descriptor(
                "features",
                "Features served, by layer",
                None,
                MetricType::Gauge,
            )?;
            for (layer, count) in ds.counts() {
                let labels = LayerLabels {
                    layer: layer.to_string(),
                };
                ConstGauge::new(i64::try_from(count).unwrap_or(i64::MAX))
                    .encode(family.encode_family(&labels)?)?;
            }
        }
        let (ran, refused) = self.zone.reloads().counts();
        Self::counter(
            &mut encoder,
            "reloads",
            "Reloads of the data folder run (file change, SIGHUP or admin), whatever the outcome",
            ran,
        )?;
        Self::counter(
            &mut encoder,
            "reload_failures",
            "Reloads refused because the new data was bad",
            refused,
        )?;
        let stats = self.tiles.stats();
        Self::counter(
            &mut encoder,
            "tile_cache_hits",
            "Tile requests answered from the cache",
            stats.hits,
        )?;
        Self::counter(
            &mut encoder,
            "tile_cache_misses",
            "Tile requests that had to make the tile",
            stats.misses,
        )?;
        Self::gauge(
            &mut encoder,
            "tile_cache_bytes",
            "Bytes of tiles held in the cache",
            clamp(stats.bytes),
        )?;
        Self::gauge(
            &mut encoder,
            "tile_cache_entries",
            "Tiles held in the cache",
            clamp(stats.entries),
        )
    }
}

/// Layer that times every request and counts it under its route template (applied inside
/// the router, where the matched route is known). A plain tower layer: it calls the route
/// directly, without the clone of the inner service and the `Next` an axum `from_fn`
/// middleware costs on every request.
#[derive(Clone)]
pub struct Track {
    metrics: Arc<Metrics>,
}

impl Track {
    pub fn new(metrics: Arc<Metrics>) -> Track {
        Track { metrics }
    }
}

impl<S> Layer<S> for Track {
    type Service = Tracked<S>;

    fn layer(&self, inner: S) -> Tracked<S> {
        Tracked {
            metrics: Arc::clone(&self.metrics),
            inner,
        }
    }
}

/// A service whose answers are recorded in the metrics.
#[derive(Clone)]
pub struct Tracked<S> {
    metrics: Arc<Metrics>,
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
        let metrics = Arc::clone(&self.metrics);
        Box::pin(async move {
            let response = answer.await?;
            metrics.record(
                route.as_ref().map_or("unmatched", MatchedPath::as_str),
                &method,
                response.status().as_u16(),
                started.elapsed().as_secs_f64(),
            );
            Ok(response)
        })
    }
}
