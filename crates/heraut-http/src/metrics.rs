//! Prometheus metrics of the HTTP layer.

use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    /// The route pattern (`/api/v1/tenants/{tenant}`), never the raw path.
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

/// The registry and the metrics in it.
pub struct Metrics {
    registry: Mutex<Registry>,
    pub requests: Family<RequestLabels, Counter>,
    pub duration: Family<RouteLabels, Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("heraut");
        let requests = Family::<RequestLabels, Counter>::default();
        let duration = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time to answer HTTP requests",
            duration.clone(),
        );
        Self {
            registry: Mutex::new(registry),
            requests,
            duration,
        }
    }

    /// The text exposition format, with the outbound requests of plugins as (plugin, outcome,
    /// count), which the plugin host counts itself.
    pub fn render(&self, plugin_requests: &[(String, &'static str, u64)]) -> String {
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        if prometheus_client::encoding::text::encode(&mut out, &registry).is_err() {
            out.clear();
        }
        if !plugin_requests.is_empty() {
            let mut extra = String::from(
                "# HELP heraut_plugin_http_requests Outbound HTTP requests of plugins, by outcome.\n\
                 # TYPE heraut_plugin_http_requests counter\n",
            );
            for (plugin, outcome, n) in plugin_requests {
                extra.push_str(&format!(
                    "heraut_plugin_http_requests_total{{plugin=\"{plugin}\",outcome=\"{outcome}\"}} {n}\n"
                ));
            }
            match out.rfind("# EOF") {
                Some(at) => out.insert_str(at, &extra),
                None => out.push_str(&extra),
            }
        }
        out
    }
}
