//! The core's plugin runtime ([`heraut_core::channels::plugins::PluginRuntime`]) over the sandbox: the
//! server builds one and hands it to the core, which keeps the registry and asks this to check
//! components and to build their connectors.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use heraut_core::channels::connector::Connector;
use heraut_core::channels::manifest::{Manifest, World};
use heraut_core::channels::plugins::{Inspected, PluginRuntime};
use heraut_core::publishing::publisher::Clock;

use crate::connector::PluginConnector;
use crate::egress::EgressPolicy;
use crate::{Limits, PluginHost};

/// The sandbox, started on first use (the CLI's commands that run no plugin never start it).
pub struct Runtime {
    host: OnceLock<Arc<PluginHost>>,
    limits: Limits,
    compile_cache: PathBuf,
    local_peers: Vec<String>,
    clock: Clock,
}

impl Runtime {
    /// A runtime with these limits, compiled components cached in `compile_cache`, plain http
    /// allowed to `local_peers` (hosts an administrator still approves per plugin), and the
    /// server's clock for plugin sessions.
    pub fn new(
        limits: Limits,
        compile_cache: PathBuf,
        local_peers: Vec<String>,
        clock: Clock,
    ) -> Self {
        Self {
            host: OnceLock::new(),
            limits,
            compile_cache,
            local_peers,
            clock,
        }
    }

    fn host(&self) -> Result<Arc<PluginHost>, String> {
        if let Some(h) = self.host.get() {
            return Ok(h.clone());
        }
        let host = PluginHost::new(self.limits.clone())
            .map_err(|e| format!("the plugin sandbox cannot start: {e}"))?
            .with_compile_cache(self.compile_cache.clone());
        Ok(self.host.get_or_init(|| Arc::new(host)).clone())
    }
}

#[async_trait::async_trait]
impl PluginRuntime for Runtime {
    async fn inspect(&self, world: World, bytes: &[u8]) -> Result<Inspected, String> {
        let host = self.host()?;
        match world {
            World::Connector => {
                let loaded = host.load_connector(bytes).map_err(|e| e.to_string())?;
                let (info, _) = host
                    .describe(&loaded)
                    .await
                    .map_err(|e| format!("`describe` failed: {e}"))?;
                Ok(Inspected {
                    api_version: loaded.api_version().to_owned(),
                    hash: loaded.hash,
                    network: info.network,
                })
            }
            World::Reporter => {
                let loaded = host.load_reporter(bytes).map_err(|e| e.to_string())?;
                host.describe_reporter(&loaded)
                    .await
                    .map_err(|e| format!("`describe` failed: {e}"))?;
                Ok(Inspected {
                    api_version: loaded.api_version().to_owned(),
                    hash: loaded.hash,
                    network: String::new(),
                })
            }
        }
    }

    fn connector(
        &self,
        manifest: Manifest,
        bytes: &[u8],
        approved_hosts: Vec<String>,
    ) -> Result<Arc<dyn Connector>, String> {
        let host = self.host()?;
        let plugin = host.load_connector(bytes).map_err(|e| e.to_string())?;
        let policy = EgressPolicy::new(approved_hosts, self.local_peers.clone());
        Ok(Arc::new(PluginConnector::new(
            host, plugin, manifest, policy, self.clock,
        )))
    }

    fn http_counts(&self) -> Vec<(String, &'static str, u64)> {
        self.host.get().map(|h| h.http_counts()).unwrap_or_default()
    }
}
