//! The router that joins every endpoint family, and the middleware around it.

use std::convert::Infallible;
use std::future::Future;

use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::response::Response;
use axum::Router;
use tower::{Service, ServiceBuilder};
use tower_http::cors::{Any, CorsLayer};
use tower_http::request_id::PropagateRequestIdLayer;
use tower_http::trace::TraceLayer;

use super::request_id::{self, REQUEST_ID};
use super::state::AppState;
use super::{
    admin, edge, edit, error, features, guard, health, measure, metrics, ogc_tiles, session, sheet,
    tiles, viewer,
};

/// The whole service's routes, with the middleware that needs the matched route (metrics
/// per route template) or must be counted by it (the guard's 503 and 414).
///
/// `Router::layer` wraps every route on its own and clones the wrapped stack on each
/// request, so only these two live here; the rest wraps the router once, in [`app`].
pub fn router(state: AppState) -> Router {
    let config = state.config();
    let web_dir = config.web_dir.clone();
    let guard = guard::Guard::new(config);
    Router::new()
        .merge(health::routes())
        .merge(admin::routes(state.clone()))
        .merge(tiles::routes())
        .merge(ogc_tiles::routes())
        .merge(features::routes())
        .merge(edit::routes())
        .merge(session::routes())
        .merge(measure::routes())
        .merge(sheet::routes())
        .merge(viewer::routes(web_dir))
        .fallback(error::not_found_fallback)
        // One layer (so one boxed service per route): the count wraps the guard, so that
        // its 503 and 414 answers are counted too.
        .layer(
            ServiceBuilder::new()
                .layer(metrics::Track::new(state.metrics_handle()))
                .layer(guard),
        )
        .with_state(state)
}

/// The service as served: the router inside the middleware every request passes (request
/// id set first and echoed, a tracing span per request that carries it, CORS, the edge:
/// body read under its limits, security headers, problem bodies), outermost first.
pub fn app(
    state: AppState,
) -> impl Service<
    Request<Body>,
    Response = Response,
    Error = Infallible,
    Future = impl Future<Output = Result<Response, Infallible>> + Send,
> + Clone
       + Send
       + 'static {
    let body_limit = state.config().max_body_bytes;
    let edge = edge::Edge::new(state.config());
    let cors = CorsLayer::new()
        .allow_origin(Any)
        // POST for /measure, so other sites' maps can measure too (no credentials involved).
        .allow_methods([
            axum::http::Method::GET,
            axum::http::Method::HEAD,
            axum::http::Method::POST,
        ])
        .allow_headers(Any)
        .expose_headers(Any)
        // The CORS answers do not depend on the request (any origin, `*` lists), so caches
        // need no `Vary: Origin, …` for them (and building it costs on every request).
        .vary([]);
    let trace = TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
        let id = request
            .headers()
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!("request", id, method = %request.method(), uri = %request.uri())
    });
    ServiceBuilder::new()
        // The tracing layer wraps the body to see its end; axum serves its own body type.
        .map_response(|response: Response<_>| response.map(Body::new))
        .map_request(request_id::set_request_id)
        .layer(trace)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(cors)
        .layer(edge)
        .layer(DefaultBodyLimit::max(body_limit))
        .service(router(state))
}
