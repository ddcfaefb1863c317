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
    /// The settings a channel of this plugin takes, as its manifest declares them.
    pub settings: Vec<PluginSetting>,
    /// How a channel of this plugin signs in to its network.
    pub auth: PluginAuth,
    /// What an enabled connector's component exports: `publishing`, and `inbound`,
    /// `replying`, `metrics`, `searching` where it has them (empty for a reporter or a
    /// disabled plugin).
    pub capabilities: Vec<String>,
}

/// One setting of a channel, from the plugin's manifest (the connect form is built from these).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct PluginSetting {
    pub key: String,
    /// The manifest's label (English).
    pub label: String,
    /// `string`, `url`, `integer` or `boolean`.
    pub kind: String,
    pub required: bool,
    /// The value a channel gets when it gives none.
    pub default: Option<String>,
}

/// How a channel of a plugin signs in: which credential it stores, and whether the network's own
/// sign-in page (OAuth) can be used.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct PluginAuth {
    /// `none`, `token`, `oauth2`, `hmac` or `session`.
    pub kind: String,
    /// The key of the channel's credentials the host reads (`access_token`, `bot_token`, …).
    pub credential: Option<String>,
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
