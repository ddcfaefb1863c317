//! Channels: an organisation's accounts on networks, the connectors that reach them (built in,
//! or plugins from the registry) and the plugin manifest.

pub mod connect;
pub mod connector;
pub mod feed;
pub mod manifest;
pub(crate) mod plugin_connector;
pub mod plugins;
