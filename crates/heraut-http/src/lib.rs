//! Heraut's HTTP face. The only crate that knows actix-web: the route table, extractors for the
//! signed-in actor and the request's metadata, middleware (request id, security headers,
//! metrics), the single error → problem+json mapping, and the OpenAPI document.

mod error;
mod extract;
mod handlers;
mod metrics;
mod middleware;
pub mod openapi;
mod routes;
mod web_session;
mod web_ui;

use std::sync::Arc;

use heraut_core::Core;

pub use error::ApiError;
pub use metrics::Metrics;
pub use routes::{configure, serve};

/// Shared state of every worker.
#[derive(Clone)]
pub struct AppState {
    pub core: Core,
    pub metrics: Arc<Metrics>,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<Vec<ipnet::IpNet>>,
}

impl AppState {
    pub fn new(core: Core) -> Self {
        let trusted_proxies = Arc::new(core.config().trusted_proxy_networks());
        Self {
            core,
            metrics: Arc::new(Metrics::new()),
            trusted_proxies,
        }
    }
}
