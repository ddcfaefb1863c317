//! Connectors that are plugins: the [`Connector`] interface over a WebAssembly component in the
//! sandbox. Which plugin serves a channel is decided per call from the registry, so an upgrade,
//! a change of approved hosts or disabling a plugin takes effect at once, on every node,
//! without a restart.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use heraut_db::plugins;
use heraut_plugin_host::egress::EgressPolicy;
use heraut_plugin_host::manifest::{Manifest, SettingKind, World};
use heraut_plugin_host::{
    AccountRef, CallInput, CallNet, Draft, LoadedPlugin, Media, PluginError, PluginHost, Setting,
};
use serde_json::{Map, Value};

use crate::connector::{
    ChannelAccount, Connector, OutgoingPost, PublishError as CorePublishError, Receipt,
};
use crate::{Core, CoreError, CoreResult};

/// A plugin connector, as installed at one version with one set of approved hosts.
pub struct PluginConnector {
    host: Arc<PluginHost>,
    plugin: LoadedPlugin,
    manifest: Manifest,
    policy: EgressPolicy,
}

/// The plugin connectors built so far, by plugin id, with the registry row they were built from.
#[derive(Default)]
pub(crate) struct PluginConnectors {
    by_id: Mutex<HashMap<String, (String, Arc<PluginConnector>)>>,
}

impl PluginConnectors {
    fn get(&self, id: &str, stamp: &str) -> Option<Arc<PluginConnector>> {
        let map = self.by_id.lock().unwrap_or_else(|p| p.into_inner());
        map.get(id)
            .filter(|(s, _)| s == stamp)
            .map(|(_, c)| c.clone())
    }

    fn put(&self, id: &str, stamp: String, c: Arc<PluginConnector>) {
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
        let host = self.plugin_host()?;
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
        let loaded = host
            .load_connector(&bytes)
            .map_err(|e| CoreError::internal(format!("plugin `{plugin_id}`: {e}")))?;
        let approved: Vec<String> = serde_json::from_str(&row.approved_hosts).unwrap_or_default();
        let connector = Arc::new(PluginConnector {
            host,
            plugin: loaded,
            manifest,
            policy: EgressPolicy::new(approved, self.config.plugin_local_peer_list()),
        });
        self.plugin_connectors
            .put(plugin_id, stamp, connector.clone());
        Ok(Some(connector))
    }
}

impl PluginConnector {
    fn account(account: &ChannelAccount) -> AccountRef {
        AccountRef {
            channel_id: account.channel_id.to_string(),
            settings: account
                .settings
                .iter()
                .map(|(k, v)| Setting {
                    key: k.clone(),
                    value: match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    },
                })
                .collect(),
        }
    }

    /// The network of one call: the approved hosts and the channel's credential, placed as the
    /// manifest says.
    fn net(&self, account: &ChannelAccount) -> CallNet {
        let secret = |key: &str| {
            account
                .credentials
                .as_ref()
                .and_then(|c| c.get(key))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        CallNet {
            plugin: self.manifest.id.clone(),
            policy: self.policy.clone(),
            credentials: self.manifest.auth.injection(secret),
        }
    }

    fn failed(&self, e: PluginError, log: &str) -> CorePublishError {
        tracing::warn!(plugin = %self.manifest.id, error = %e, "plugin call failed");
        // The call may have sent its request before it was stopped: read back before retrying.
        CorePublishError::Ambiguous(format!("the plugin `{}` {log}: {e}", self.manifest.id))
    }
}

fn from_plugin(e: heraut_plugin_host::PublishError) -> CorePublishError {
    use heraut_plugin_host::PublishError as P;
    match e {
        P::Rejected(m) => CorePublishError::Rejected(m),
        P::RateLimited(s) => CorePublishError::RateLimited {
            retry_after_secs: u64::from(s),
        },
        P::AuthExpired(m) => CorePublishError::AuthExpired(m),
        P::Transient(m) => CorePublishError::Transient(m),
    }
}

fn receipt(r: heraut_plugin_host::Receipt) -> Receipt {
    Receipt {
        remote_id: r.remote_id,
        remote_url: r.url,
    }
}

#[async_trait::async_trait]
impl Connector for PluginConnector {
    fn check_settings(&self, settings: &Map<String, Value>) -> Result<(), String> {
        let specs = &self.manifest.settings;
        if let Some(k) = settings
            .keys()
            .find(|k| !specs.iter().any(|s| &s.key == *k))
        {
            let known: Vec<&str> = specs.iter().map(|s| s.key.as_str()).collect();
            return Err(format!(
                "unknown setting `{k}`; {} takes: {}",
                self.manifest.name,
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            ));
        }
        for spec in specs {
            let Some(v) = settings.get(&spec.key) else {
                if spec.required {
                    return Err(format!(
                        "the setting `{}` ({}) is required",
                        spec.key, spec.label
                    ));
                }
                continue;
            };
            let ok = match spec.kind {
                SettingKind::String => v.as_str().is_some_and(|s| !s.trim().is_empty()),
                SettingKind::Url => v.as_str().is_some_and(|s| {
                    reqwest::Url::parse(s)
                        .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.has_host())
                }),
                SettingKind::Integer => v.as_i64().is_some(),
                SettingKind::Boolean => v.as_bool().is_some(),
            };
            if !ok {
                let kind = match spec.kind {
                    SettingKind::String => "a non-empty text",
                    SettingKind::Url => "an http(s) URL",
                    SettingKind::Integer => "a whole number",
                    SettingKind::Boolean => "true or false",
                };
                return Err(format!("the setting `{}` must be {kind}", spec.key));
            }
            if spec.kind == SettingKind::Url
                && let Some(url) = v.as_str().and_then(|s| reqwest::Url::parse(s).ok())
            {
                let authority = match (url.host_str(), url.port()) {
                    (Some(h), Some(p)) => format!("{h}:{p}"),
                    (Some(h), None) => h.to_owned(),
                    (None, _) => String::new(),
                };
                self.policy
                    .check(url.scheme(), &authority)
                    .map_err(|e| format!("the setting `{}`: {e}", spec.key))?;
            }
        }
        Ok(())
    }

    async fn validate(&self, _account: &ChannelAccount, body: &str, media: usize) -> Vec<String> {
        // Alt text is checked by Heraut itself; the plugin judges the text and the count.
        let draft = Draft {
            body: body.to_owned(),
            media: (0..media)
                .map(|i| Media {
                    id: i.to_string(),
                    mime_type: "image/png".to_owned(),
                    alt_text: "described".to_owned(),
                    size: 0,
                })
                .collect(),
        };
        match self.host.validate(&self.plugin, draft).await {
            Ok((problems, _)) => problems.into_iter().map(|p| p.message).collect(),
            Err(e) => vec![format!(
                "the connector `{}` could not check this post: {e}",
                self.manifest.id
            )],
        }
    }

    async fn publish(
        &self,
        account: &ChannelAccount,
        post: &OutgoingPost,
    ) -> Result<Receipt, CorePublishError> {
        let mut input = CallInput {
            net: Some(self.net(account)),
            media: HashMap::new(),
        };
        let media = post
            .media
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let id = format!("m{i}");
                input.media.insert(id.clone(), m.bytes.clone());
                Media {
                    id,
                    mime_type: m.content_type.clone(),
                    alt_text: m.alt_text.clone(),
                    size: m.bytes.len() as u64,
                }
            })
            .collect();
        let outgoing = heraut_plugin_host::OutgoingPost {
            idempotency_key: post.idempotency_key.clone(),
            body: post.body.clone(),
            media,
            reply_to: None,
        };
        match self
            .host
            .publish(&self.plugin, input, Self::account(account), outgoing)
            .await
        {
            Ok((Ok(r), _)) => Ok(receipt(r)),
            Ok((Err(e), _)) => Err(from_plugin(e)),
            Err(e) => Err(self.failed(e, "was stopped while publishing")),
        }
    }

    async fn find_published(
        &self,
        account: &ChannelAccount,
        idempotency_key: &str,
    ) -> Result<Option<Receipt>, CorePublishError> {
        let input = CallInput {
            net: Some(self.net(account)),
            media: HashMap::new(),
        };
        match self
            .host
            .find_published(
                &self.plugin,
                input,
                Self::account(account),
                idempotency_key.to_owned(),
            )
            .await
        {
            Ok((Ok(r), _)) => Ok(r.map(receipt)),
            Ok((Err(e), _)) => Err(from_plugin(e)),
            Err(e) => Err(CorePublishError::Transient(format!(
                "the plugin `{}` could not read back: {e}",
                self.manifest.id
            ))),
        }
    }
}
