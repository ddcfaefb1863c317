//! The plugin registry: installing and upgrading (by API or command line), listing, enabling and
//! approving the hosts a plugin declared (instance administrators).

use std::sync::Arc;

use heraut_db::{INSTANCE_CHAIN, Scope, plugins};
use heraut_proto::ErrorCode;
use heraut_proto::plugins::{
    PluginAuth, PluginList, PluginSetting, PluginView, UpdatePluginRequest,
};

use crate::channels::connector::Connector;
use crate::channels::manifest::{Manifest, World};
use crate::records::audit::{Event, record};
use crate::{Actor, Core, CoreError, CoreResult, RequestMeta};

/// What runs plugins: the WebAssembly sandbox of `heraut-plugin-host`, which the server hands
/// to the core (`Core::with_plugin_runtime`). The core keeps the registry (what is installed,
/// enabled and approved); the runtime compiles, checks and runs components.
#[async_trait::async_trait]
pub trait PluginRuntime: Send + Sync {
    /// Compiles `bytes`, checks that they implement `world` and asks the component to
    /// describe itself: its content hash (SHA-256, hex) and, for a connector, the network it
    /// serves. The error says what is wrong, for the person installing it.
    async fn inspect(&self, world: World, bytes: &[u8]) -> Result<Inspected, String>;

    /// The connector of an installed plugin: its manifest, its component, and the hosts an
    /// administrator approved.
    fn connector(
        &self,
        manifest: Manifest,
        bytes: &[u8],
        approved_hosts: Vec<String>,
    ) -> Result<Arc<dyn Connector>, String>;

    /// Outbound requests of plugins so far on this node, as (plugin, outcome, count).
    fn http_counts(&self) -> Vec<(String, &'static str, u64)>;
}

/// What [`PluginRuntime::inspect`] found.
#[derive(Debug, Clone)]
pub struct Inspected {
    pub hash: String,
    /// The network a connector serves; empty for a reporter.
    pub network: String,
    /// The `heraut:plugin` version the component was built against.
    pub api_version: String,
}

impl Core {
    /// What an enabled connector can do, from its component's exports (the built connector is
    /// cached per version); nothing for a reporter or a disabled plugin.
    async fn capabilities(&self, plugin: &PluginView) -> Vec<String> {
        if !plugin.enabled || plugin.world != World::Connector.as_str() {
            return Vec::new();
        }
        match self.connector(&plugin.id).await {
            Ok(Some(c)) => std::iter::once("publishing")
                .chain(c.capabilities())
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        }
    }
}

fn view(p: plugins::Plugin) -> PluginView {
    let manifest = Manifest::parse(&p.manifest).ok();
    let settings = manifest
        .as_ref()
        .map(|m| {
            m.settings
                .iter()
                .map(|s| PluginSetting {
                    key: s.key.clone(),
                    label: s.label.clone(),
                    kind: s.kind.as_str().to_owned(),
                    required: s.required,
                    default: s.default.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let auth = PluginAuth {
        kind: manifest
            .as_ref()
            .map_or("none", |m| m.auth.kind())
            .to_owned(),
        credential: manifest
            .as_ref()
            .and_then(|m| m.auth.credential_key())
            .map(str::to_owned),
    };
    let declared = manifest.map(|m| m.allowed_hosts).unwrap_or_default();
    PluginView {
        settings,
        auth,
        capabilities: Vec::new(),
        approved_hosts: serde_json::from_str(&p.approved_hosts).unwrap_or_default(),
        declared_hosts: declared,
        id: p.id,
        name: p.name,
        version: p.version,
        world: p.world,
        api_version: p.api_version,
        enabled: p.enabled,
        sha256: p.sha256,
        installed_at: p.installed_at,
        updated_at: p.updated_at,
    }
}

/// Whether version `a` is newer than `b` (semantic versions; never when either is not one).
fn newer(a: &str, b: &str) -> bool {
    matches!(
        (semver::Version::parse(a), semver::Version::parse(b)),
        (Ok(a), Ok(b)) if a > b
    )
}

/// A plugin that was installed.
#[derive(Debug, Clone)]
pub struct Installed {
    pub plugin: PluginView,
    pub upgrade: bool,
    /// The network the connector says it serves (empty for a reporter).
    pub network: String,
}

impl Core {
    /// The plugin runtime the server gave the core.
    pub(crate) fn plugin_runtime(&self) -> CoreResult<Arc<dyn PluginRuntime>> {
        self.plugin_runtime.clone().ok_or_else(|| {
            CoreError::internal("this Heraut was started without its plugin runtime")
        })
    }

    /// Outbound requests of plugins so far on this node, as (plugin, outcome, count).
    pub fn plugin_http_counts(&self) -> Vec<(String, &'static str, u64)> {
        self.plugin_runtime
            .as_ref()
            .map(|r| r.http_counts())
            .unwrap_or_default()
    }

    /// Installs or upgrades each `<name>.wasm` with its `<name>.toml` in `dir` whose component
    /// differs from the one installed; returns a line per plugin for the log. A plugin that
    /// cannot be installed is reported and skipped, never fatal.
    pub async fn install_plugin_dir(
        &self,
        meta: &RequestMeta,
        dir: &std::path::Path,
    ) -> CoreResult<Vec<String>> {
        use sha2::Digest;
        let mut entries = std::fs::read_dir(dir)
            .map_err(|e| CoreError::internal(format!("plugin_dir {}: {e}", dir.display())))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
            .collect::<Vec<_>>();
        entries.sort();
        let mut report = Vec::new();
        for wasm in entries {
            let toml = wasm.with_extension("toml");
            let (Ok(bytes), Ok(text)) = (std::fs::read(&wasm), std::fs::read_to_string(&toml))
            else {
                report.push(format!(
                    "{}: skipped, it needs its manifest {} beside it",
                    wasm.display(),
                    toml.display()
                ));
                continue;
            };
            let hash = hex::encode(sha2::Sha256::digest(&bytes));
            let current = match Manifest::parse(&text) {
                Ok(m) => plugins::find(self.db.read_conn(), &m.id).await?,
                Err(e) => {
                    report.push(format!("{}: {e}", toml.display()));
                    continue;
                }
            };
            if current.is_some_and(|p| p.sha256 == hash && p.manifest == text) {
                continue;
            }
            match self.install_plugin(meta, None, &text, &bytes).await {
                Ok(done) => report.push(format!(
                    "{} {} {} from {}",
                    if done.upgrade {
                        "upgraded"
                    } else {
                        "installed"
                    },
                    done.plugin.id,
                    done.plugin.version,
                    wasm.display()
                )),
                Err(e) => report.push(format!("{}: {}", wasm.display(), e.detail)),
            }
        }
        Ok(report)
    }

    /// Installs the connectors shipped inside the binary (`(manifest, component)` pairs): one
    /// that is not installed yet is installed **enabled**, with the hosts its manifest names
    /// outright (and those of its settings' defaults, e.g. Bluesky's `bsky.social`) approved;
    /// one installed in an older version is upgraded, keeping what an administrator chose. One
    /// installed in the same or a newer version (an administrator's upgrade) is left alone, and
    /// so is whether it is enabled: a disabled shipped connector stays disabled. Returns a line
    /// per change for the log; a component that cannot be installed is reported, never fatal.
    pub async fn install_shipped_plugins(
        &self,
        meta: &RequestMeta,
        shipped: &[(String, Vec<u8>)],
    ) -> CoreResult<Vec<String>> {
        let mut report = Vec::new();
        for (text, bytes) in shipped {
            let manifest = match Manifest::parse(text) {
                Ok(m) => m,
                Err(e) => {
                    report.push(format!("shipped plugin: {e}"));
                    continue;
                }
            };
            let fresh = match plugins::find(self.db.read_conn(), &manifest.id).await? {
                None => Some((true, manifest.shipped_hosts())),
                Some(p) if newer(&manifest.version, &p.version) => None,
                Some(_) => continue,
            };
            match self.install(meta, None, text, bytes, fresh).await {
                Ok(done) => report.push(format!(
                    "{} the shipped {} {}",
                    if done.upgrade {
                        "upgraded"
                    } else {
                        "installed and enabled"
                    },
                    done.plugin.id,
                    done.plugin.version
                )),
                Err(e) => report.push(format!("shipped plugin {}: {}", manifest.id, e.detail)),
            }
        }
        Ok(report)
    }

    /// Whether the caller may install plugins; checked before the upload is read.
    pub fn may_install_plugins(&self, actor: &Actor) -> CoreResult<()> {
        self.require_admin(actor)
    }

    /// Installs or upgrades a plugin: checks the manifest, compiles the component and checks
    /// its world, asks it to describe itself, stores it by content hash under
    /// `data_dir/plugins` (an upgrade never overwrites the file a running node uses) and records
    /// it. `actor` is the instance administrator (API), or `None` for the command line.
    pub async fn install_plugin(
        &self,
        meta: &RequestMeta,
        actor: Option<&Actor>,
        manifest_text: &str,
        bytes: &[u8],
    ) -> CoreResult<Installed> {
        self.install(meta, actor, manifest_text, bytes, None).await
    }

    /// [`Self::install_plugin`]; `fresh` is the state (enabled, approved hosts) a plugin that
    /// was not installed before starts in (disabled with none approved when `None`).
    async fn install(
        &self,
        meta: &RequestMeta,
        actor: Option<&Actor>,
        manifest_text: &str,
        bytes: &[u8],
        fresh: Option<(bool, Vec<String>)>,
    ) -> CoreResult<Installed> {
        if let Some(a) = actor {
            self.require_admin(a)?;
        }
        let invalid = |m: String| CoreError::new(ErrorCode::PluginInvalid, m);
        let manifest = Manifest::parse(manifest_text).map_err(invalid)?;
        let Inspected {
            hash,
            network,
            api_version,
        } = self
            .plugin_runtime()?
            .inspect(manifest.world, bytes)
            .await
            .map_err(invalid)?;
        if api_version != manifest.api_version {
            return Err(invalid(format!(
                "plugin.toml says api_version = \"{}\", but the component is built against \
                 heraut:plugin {api_version}; set api_version = \"{api_version}\"",
                manifest.api_version
            )));
        }
        let dir = self.config.data_dir.join("plugins");
        let path = dir.join(format!("{hash}.wasm"));
        let tmp = dir.join(format!("{hash}.wasm.tmp"));
        let io = |e: std::io::Error| CoreError::internal(format!("{}: {e}", dir.display()));
        tokio::fs::create_dir_all(&dir).await.map_err(io)?;
        tokio::fs::write(&tmp, bytes).await.map_err(io)?;
        tokio::fs::rename(&tmp, &path).await.map_err(io)?;
        let (plugin, upgrade) = self
            .register_plugin(meta, actor, manifest_text, &hash, fresh)
            .await?;
        Ok(Installed {
            plugin,
            upgrade,
            network,
        })
    }

    /// Records an installed or upgraded plugin whose component has been checked and stored.
    /// New plugins start as `fresh` says (disabled with no host approved when `None`); an
    /// upgrade keeps the approvals of hosts the new manifest still declares. Returns the view
    /// and whether it was an upgrade.
    async fn register_plugin(
        &self,
        meta: &RequestMeta,
        actor: Option<&Actor>,
        manifest_text: &str,
        sha256: &str,
        fresh: Option<(bool, Vec<String>)>,
    ) -> CoreResult<(PluginView, bool)> {
        let manifest = Manifest::parse(manifest_text)
            .map_err(|e| CoreError::new(ErrorCode::PluginInvalid, e))?;
        let txn = self.db.begin(Scope::Tenant(INSTANCE_CHAIN)).await?;
        let existing = plugins::find(&txn, &manifest.id).await?;
        let (enabled, approved) = match &existing {
            Some(old) => {
                let kept: Vec<String> = serde_json::from_str::<Vec<String>>(&old.approved_hosts)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|h| manifest.may_approve(h))
                    .collect();
                (old.enabled, kept)
            }
            None => fresh.unwrap_or_default(),
        };
        let row = plugins::Plugin {
            id: manifest.id.clone(),
            name: manifest.name.clone(),
            version: manifest.version.clone(),
            world: manifest.world.as_str().to_owned(),
            api_version: manifest.api_version.clone(),
            sha256: sha256.to_owned(),
            manifest: manifest_text.to_owned(),
            enabled,
            approved_hosts: serde_json::to_string(&approved).unwrap_or_else(|_| "[]".to_owned()),
            installed_at: meta.now,
            updated_at: meta.now,
        };
        plugins::upsert(&txn, &row, meta.now).await?;
        let upgrade = existing.is_some();
        let event = Event {
            action: if upgrade {
                "plugin.upgrade"
            } else {
                "plugin.install"
            },
            target: Some(manifest.id.clone()),
            outcome: "success",
            details: serde_json::json!({
                "version": manifest.version, "sha256": sha256,
                "from_version": existing.as_ref().map(|e| e.version.clone()),
                "enabled": enabled, "approved_hosts": approved,
            }),
        };
        let by = actor.map(|a| (a.user_id, a.email.as_str()));
        record(&txn, INSTANCE_CHAIN, by, meta, event).await?;
        let stored = plugins::find(&txn, &manifest.id)
            .await?
            .ok_or_else(|| CoreError::internal("plugin vanished"))?;
        txn.commit().await?;
        Ok((view(stored), upgrade))
    }

    /// `GET /plugins`: every signed-in person may see what is installed.
    pub async fn list_plugins(&self, _actor: &Actor) -> CoreResult<PluginList> {
        let mut items: Vec<PluginView> = plugins::list(self.db.read_conn())
            .await?
            .into_iter()
            .map(view)
            .collect();
        for item in &mut items {
            item.capabilities = self.capabilities(item).await;
        }
        Ok(PluginList {
            items,
            next_cursor: None,
        })
    }

    /// `PATCH /plugins/{id}` (instance administrators): enable, disable, approve declared hosts.
    pub async fn update_plugin(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        id: &str,
        req: UpdatePluginRequest,
    ) -> CoreResult<PluginView> {
        self.require_admin(actor)?;
        let txn = self.db.begin(Scope::Tenant(INSTANCE_CHAIN)).await?;
        let current = plugins::find(&txn, id).await?.ok_or_else(|| {
            CoreError::new(
                ErrorCode::PluginNotFound,
                format!("no plugin `{id}` is installed"),
            )
        })?;
        let manifest = Manifest::parse(&current.manifest).map_err(CoreError::internal)?;
        let approved: Vec<String> = match &req.approved_hosts {
            Some(hosts) => {
                if let Some(h) = hosts.iter().find(|h| !manifest.may_approve(h)) {
                    let declared = manifest.allowed_hosts.join(", ");
                    let why = if manifest.allowed_hosts.iter().any(|d| d == "*") {
                        format!(
                            "plugin `{id}` takes any host, but `{h}` is not a host name like social.example.org"
                        )
                    } else {
                        format!(
                            "`{h}` is not among the hosts plugin `{id}` declares ({declared}); only declared hosts can be approved"
                        )
                    };
                    return Err(CoreError::new(ErrorCode::ValidationFailed, why));
                }
                hosts.clone()
            }
            None => serde_json::from_str(&current.approved_hosts).unwrap_or_default(),
        };
        let enabled = req.enabled.unwrap_or(current.enabled);
        let json =
            serde_json::to_string(&approved).map_err(|e| CoreError::internal(e.to_string()))?;
        plugins::set_state(&txn, id, enabled, &json, meta.now).await?;
        let action = match (current.enabled, enabled) {
            (false, true) => "plugin.enable",
            (true, false) => "plugin.disable",
            _ => "plugin.grant",
        };
        let event = Event {
            action,
            target: Some(id.to_owned()),
            outcome: "success",
            details: serde_json::json!({"enabled": enabled, "approved_hosts": approved}),
        };
        record(
            &txn,
            INSTANCE_CHAIN,
            Some((actor.user_id, &actor.email)),
            meta,
            event,
        )
        .await?;
        let stored = plugins::find(&txn, id)
            .await?
            .ok_or_else(|| CoreError::internal("plugin vanished"))?;
        txn.commit().await?;
        Ok(view(stored))
    }
}
