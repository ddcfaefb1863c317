//! Which connector serves a channel: a built-in one, or a plugin as the registry holds it now
//! (decided per call, so an upgrade, a change of approved hosts or disabling a plugin takes
//! effect at once, on every node, without a restart). The plugin runtime builds the connector.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use heraut_db::plugins;

use crate::channels::connector::Connector;
use crate::channels::manifest::{Manifest, World};
use crate::{Core, CoreError, CoreResult};

/// A connector with the registry row it was built from (`sha256|approved hosts`).
type Stamped = (String, Arc<dyn Connector>);

/// The plugin connectors built so far, by plugin id, with the registry row they were built from.
#[derive(Default)]
pub(crate) struct PluginConnectors {
    by_id: Mutex<HashMap<String, Stamped>>,
}

impl PluginConnectors {
    fn get(&self, id: &str, stamp: &str) -> Option<Arc<dyn Connector>> {
        let map = self.by_id.lock().unwrap_or_else(|p| p.into_inner());
        map.get(id)
            .filter(|(s, _)| s == stamp)
            .map(|(_, c)| c.clone())
    }

    fn put(&self, id: &str, stamp: String, c: Arc<dyn Connector>) {
        let mut map = self.by_id.lock().unwrap_or_else(|p| p.into_inner());
        map.insert(id.to_owned(), (stamp, c));
    }
}

impl Core {
    /// The connector of `plugin_id`: a built-in one, or an enabled plugin. `Ok(None)` when no
    /// such connector is installed; an error names a plugin that is disabled or broken.
    pub async fn connector(&self, plugin_id: &str) -> CoreResult<Option<Arc<dyn Connector>>> {
        if let Some(c) = self.connectors.get(plugin_id) {
            return Ok(Some(c));
        }
        self.plugin_connector(plugin_id).await
    }

    /// The enabled plugin connector `plugin_id`, as installed now.
    pub(crate) async fn plugin_connector(
        &self,
        plugin_id: &str,
    ) -> CoreResult<Option<Arc<dyn Connector>>> {
        let Some(row) = plugins::find(self.db.read_conn(), plugin_id).await? else {
            return Ok(None);
        };
        if !row.enabled {
            return Err(CoreError::new(
                heraut_proto::ErrorCode::ChannelInvalid,
                format!(
                    "the plugin `{plugin_id}` is disabled; an instance administrator can enable it"
                ),
            ));
        }
        let stamp = format!("{}|{}", row.sha256, row.approved_hosts);
        if let Some(c) = self.plugin_connectors.get(plugin_id, &stamp) {
            return Ok(Some(c));
        }
        let manifest = Manifest::parse(&row.manifest).map_err(CoreError::internal)?;
        if manifest.world != World::Connector {
            return Ok(None);
        }
        let runtime = self.plugin_runtime()?;
        let path = self
            .config
            .data_dir
            .join("plugins")
            .join(format!("{}.wasm", row.sha256));
        let bytes = tokio::fs::read(&path).await.map_err(|e| {
            CoreError::internal(format!(
                "the component of plugin `{plugin_id}` cannot be read from {}: {e}; install it again",
                path.display()
            ))
        })?;
        let approved: Vec<String> = serde_json::from_str(&row.approved_hosts).unwrap_or_default();
        let connector = runtime
            .connector(manifest, &bytes, approved)
            .map_err(|e| CoreError::internal(format!("plugin `{plugin_id}`: {e}")))?;
        self.plugin_connectors
            .put(plugin_id, stamp, connector.clone());
        Ok(Some(connector))
    }
}
