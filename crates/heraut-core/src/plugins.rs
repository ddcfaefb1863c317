//! The plugin registry: installing and upgrading (from the command line), listing, enabling and
//! approving the hosts a plugin declared (instance administrators).

use heraut_db::{INSTANCE_CHAIN, Scope, plugins};
use heraut_plugin_host::manifest::Manifest;
use heraut_proto::ErrorCode;
use heraut_proto::plugins::{PluginList, PluginView, UpdatePluginRequest};

use crate::audit::{Event, record};
use crate::{Actor, Core, CoreError, CoreResult, RequestMeta};

fn view(p: plugins::Plugin) -> PluginView {
    let declared = Manifest::parse(&p.manifest)
        .map(|m| m.allowed_hosts)
        .unwrap_or_default();
    PluginView {
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

impl Core {
    /// Records an installed or upgraded plugin whose component has been checked and stored.
    /// New plugins start disabled with no host approved; an upgrade keeps the approvals of
    /// hosts the new manifest still declares. Returns the view and whether it was an upgrade.
    pub async fn register_plugin(
        &self,
        meta: &RequestMeta,
        manifest_text: &str,
        sha256: &str,
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
                    .filter(|h| manifest.allowed_hosts.contains(h))
                    .collect();
                (old.enabled, kept)
            }
            None => (false, Vec::new()),
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
            }),
        };
        record(&txn, INSTANCE_CHAIN, None, meta, event).await?;
        let stored = plugins::find(&txn, &manifest.id)
            .await?
            .ok_or_else(|| CoreError::internal("plugin vanished"))?;
        txn.commit().await?;
        Ok((view(stored), upgrade))
    }

    /// `GET /plugins`: every signed-in person may see what is installed.
    pub async fn list_plugins(&self, _actor: &Actor) -> CoreResult<PluginList> {
        let items = plugins::list(self.db.read_conn())
            .await?
            .into_iter()
            .map(view)
            .collect();
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
        let declared = Manifest::parse(&current.manifest)
            .map(|m| m.allowed_hosts)
            .map_err(CoreError::internal)?;
        let approved: Vec<String> = match &req.approved_hosts {
            Some(hosts) => {
                if let Some(h) = hosts.iter().find(|h| !declared.contains(h)) {
                    return Err(CoreError::new(
                        ErrorCode::ValidationFailed,
                        format!(
                            "`{h}` is not among the hosts plugin `{id}` declares ({}); only declared hosts can be approved",
                            declared.join(", ")
                        ),
                    ));
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
