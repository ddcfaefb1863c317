//! Request handlers, one module per resource. Each extracts, calls one use case, maps the result.

pub mod account;
pub mod audit;
pub mod auth;
pub mod channels;
pub mod events;
pub mod governance;
pub mod jobs;
pub mod media;
pub mod members;
pub mod notifications;
pub mod ops;
pub mod plugins;
pub mod posts;
pub mod tenants;

use serde::Deserialize;
use utoipa::IntoParams;

/// `?limit=&cursor=` of every list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Items per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
