//! Liveness, readiness and metrics.

use actix_web::{HttpResponse, Responder, get, web};
use serde_json::json;

use crate::AppState;
use crate::error::problem_response;

/// Liveness: the process runs.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process runs")))]
#[get("/healthz")]
pub async fn get_healthz() -> impl Responder {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Readiness: the database (and Redis, when configured) answer.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "Ready"), (status = 503, description = "Not ready", body = heraut_proto::Problem, content_type = "application/problem+json")))]
#[get("/readyz")]
pub async fn get_readyz(state: web::Data<AppState>) -> HttpResponse {
    if state.core.ready().await {
        HttpResponse::Ok().json(json!({"status": "ready"}))
    } else {
        problem_response(
            heraut_proto::ErrorCode::Unavailable,
            "the database or Redis does not answer",
            None,
        )
    }
}

/// Prometheus metrics in the text format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus metrics in the OpenMetrics text format", content_type = "application/openmetrics-text")))]
#[get("/metrics")]
pub async fn get_metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.render(&state.core.plugin_http_counts()))
}

/// A trivial JSON route, the baseline the benchmarks compare real routes against.
#[utoipa::path(get, path = "/api/v1/ping", tag = "operations",
    responses((status = 200, description = "pong")))]
#[get("/api/v1/ping")]
pub async fn get_ping() -> impl Responder {
    HttpResponse::Ok().json(json!({"pong": true}))
}
