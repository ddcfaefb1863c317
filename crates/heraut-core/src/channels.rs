//! Channels: a tenant's accounts on networks, each served by a connector. Credentials are
//! sealed with the instance's secret key, bound to the channel's row, and never returned.

use heraut_auth::Permission;
use heraut_auth::crypto::Binding;
use heraut_db::{Scope, posts};
use heraut_proto::posts::{ChannelList, ChannelView, CreateChannelRequest};
use heraut_proto::{ChannelId, ErrorCode, TenantId};
use sea_orm::{ConnectionTrait, Set};
use serde_json::{Map, Value};

use crate::audit::record_by;
use crate::connector::ChannelAccount;
use crate::{Actor, Core, CoreError, CoreResult, RequestMeta};

pub(crate) fn credentials_binding(row: &str) -> Binding<'_> {
    Binding {
        table: "channels",
        column: "credentials",
        row,
    }
}

pub(crate) fn view(c: &posts::Channel) -> ChannelView {
    ChannelView {
        id: ChannelId(c.id),
        plugin: c.plugin.clone(),
        name: c.name.clone(),
        settings: serde_json::from_str(&c.settings).unwrap_or(Value::Null),
        status: c.status.clone(),
        has_credentials: c.credentials.is_some(),
        created_at: c.created_at,
    }
}

pub(crate) fn channel_not_found(id: &str) -> CoreError {
    CoreError::new(
        ErrorCode::ChannelNotFound,
        format!("no channel `{id}` in this tenant"),
    )
}

impl Core {
    /// The channel as its connector sees it, credentials decrypted.
    pub(crate) fn channel_account(&self, c: &posts::Channel) -> CoreResult<ChannelAccount> {
        let settings: Map<String, Value> = serde_json::from_str(&c.settings)
            .map_err(|e| CoreError::internal(format!("channel {} settings: {e}", c.id)))?;
        let credentials = match &c.credentials {
            Some(sealed) => {
                let row = c.id.to_string();
                let plain = self
                    .secrets
                    .open(sealed, &credentials_binding(&row))
                    .map_err(|e| CoreError::internal(format!("channel {row} credentials: {e}")))?;
                Some(
                    serde_json::from_slice(&plain).map_err(|e| {
                        CoreError::internal(format!("channel {row} credentials: {e}"))
                    })?,
                )
            }
            None => None,
        };
        Ok(ChannelAccount {
            channel_id: c.id,
            settings,
            credentials,
        })
    }

    /// `GET /tenants/{tenant}/channels`.
    pub async fn list_channels(&self, actor: &Actor, slug: &str) -> CoreResult<ChannelList> {
        let ctx = self.tenant_ctx(actor, slug, Permission::TenantRead).await?;
        let txn = self.db.begin_read(Scope::Tenant(ctx.tenant_id)).await?;
        let items = posts::channels(&txn, ctx.tenant_id).await?;
        txn.commit().await?;
        Ok(ChannelList {
            items: items.iter().map(view).collect(),
            next_cursor: None,
        })
    }

    /// `POST /tenants/{tenant}/channels`: connect a channel with settings and credentials.
    pub async fn create_channel(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        req: CreateChannelRequest,
    ) -> CoreResult<ChannelView> {
        let ctx = self
            .tenant_ctx(actor, slug, Permission::ChannelsManage)
            .await?;
        let invalid = |m: String| CoreError::new(ErrorCode::ChannelInvalid, m);
        let connector = self.connector(&req.plugin).await?.ok_or_else(|| {
            invalid(format!(
                "no connector `{}`; built in: {} (plugins are listed under /api/v1/plugins)",
                req.plugin,
                self.connectors.ids().join(", ")
            ))
        })?;
        let name = req.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(invalid("the name must be 1–200 characters".to_owned()));
        }
        connector.check_settings(&req.settings).map_err(invalid)?;
        let id = ChannelId::new();
        let row = id.0.to_string();
        let credentials = match &req.credentials {
            Some(c) => {
                let plain =
                    serde_json::to_vec(c).map_err(|e| CoreError::internal(e.to_string()))?;
                Some(
                    self.secrets
                        .seal(&plain, &credentials_binding(&row))
                        .map_err(|e| CoreError::internal(e.to_string()))?,
                )
            }
            None => None,
        };
        let settings = Value::Object(req.settings.clone()).to_string();
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let stored = posts::insert_channel(
            &txn,
            posts::ChannelRow {
                id: Set(id.0),
                tenant_id: Set(ctx.tenant_id.0),
                plugin: Set(req.plugin.clone()),
                name: Set(name.to_owned()),
                settings: Set(settings),
                credentials: Set(credentials),
                status: Set("active".to_owned()),
                created_at: Set(meta.now),
                created_by: Set(Some(actor.user_id.0)),
            },
        )
        .await?;
        let details = serde_json::json!({"plugin": req.plugin, "name": name,
            "settings": req.settings, "credentials": req.credentials.is_some()});
        record_by(
            &txn,
            ctx.tenant_id,
            actor,
            meta,
            "channel.connect",
            row,
            details,
        )
        .await?;
        txn.commit().await?;
        Ok(view(&stored))
    }

    /// `DELETE /tenants/{tenant}/channels/{id}`: disconnect. The row stays for the history of
    /// the posts that went out on it; its credentials are erased.
    pub async fn delete_channel(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        id: &str,
    ) -> CoreResult<()> {
        let ctx = self
            .tenant_ctx(actor, slug, Permission::ChannelsManage)
            .await?;
        let uuid = uuid::Uuid::parse_str(id).map_err(|_| channel_not_found(id))?;
        let txn = self.db.begin(Scope::Tenant(ctx.tenant_id)).await?;
        let channel = posts::channel(&txn, ctx.tenant_id, uuid)
            .await?
            .filter(|c| c.status != "disconnected")
            .ok_or_else(|| channel_not_found(id))?;
        disconnect(&txn, ctx.tenant_id, uuid).await?;
        let details = serde_json::json!({"plugin": channel.plugin, "name": channel.name});
        record_by(
            &txn,
            ctx.tenant_id,
            actor,
            meta,
            "channel.disconnect",
            id,
            details,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}

async fn disconnect<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    id: uuid::Uuid,
) -> CoreResult<()> {
    posts::set_channel_status(conn, tenant, id, "disconnected").await?;
    heraut_db::posts::erase_channel_credentials(conn, tenant, id).await?;
    Ok(())
}
