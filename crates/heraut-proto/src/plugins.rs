//! Installed plugins.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct PluginView {
    pub id: String,
    pub name: String,
    pub version: String,
    /// `connector` or `reporter`.
    pub world: String,
    /// The `heraut:plugin` interface version.
    pub api_version: String,
    /// Hosts the manifest asks to reach.
    pub declared_hosts: Vec<String>,
    /// Those of them the instance administrator approved; only these are reachable.
    pub approved_hosts: Vec<String>,
    pub enabled: bool,
    /// Hex SHA-256 of the component.
    pub sha256: String,
    pub installed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct PluginList {
    pub items: Vec<PluginView>,
    pub next_cursor: Option<String>,
}

/// Enable, disable, or approve declared hosts (instance administrators).
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePluginRequest {
    #[serde(default)]
    pub enabled: Option<bool>,
    /// The declared hosts to approve; replaces the approved list.
    #[serde(default)]
    pub approved_hosts: Option<Vec<String>>,
}
