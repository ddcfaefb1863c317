//! Channels: a tenant's accounts on networks, each served by a connector. Credentials are
//! sealed with the instance's secret key, bound to the channel's row, and never returned.

use base64::Engine;
use heraut_auth::Permission;
use heraut_auth::crypto::Binding;
use heraut_db::{Scope, oauth, posts, users};
use heraut_proto::posts::{
    ChannelCredentialsRequest, ChannelList, ChannelView, CreateChannelRequest, OauthCallbackParams,
    OauthStartView,
};
use heraut_proto::{ChannelId, ErrorCode, TenantId, UserId};
use rand::RngCore;
use sea_orm::{ConnectionTrait, Set};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::channels::connector::HostBody;
use crate::channels::connector::{ChannelAccount, Connector};
use crate::records::audit::{Event, record, record_by};
use crate::{Actor, Core, CoreError, CoreResult, RequestMeta};

/// How long an OAuth authorisation link stays usable.
const OAUTH_LIFETIME_MINUTES: i64 = 10;

fn oauth_binding(state_hash: &str) -> Binding<'_> {
    Binding {
        table: "oauth_states",
        column: "sealed",
        row: state_hash,
    }
}

fn oauth_failed(message: impl Into<String>) -> CoreError {
    CoreError::new(ErrorCode::OauthFailed, message)
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// The credentials must hold the key the connector reads.
fn check_credentials(
    connector: &dyn Connector,
    credentials: &Map<String, Value>,
) -> CoreResult<()> {
    if let Some(key) = connector.credential_key()
        && credentials
            .get(&key)
            .and_then(Value::as_str)
            .is_none_or(|v| v.trim().is_empty())
    {
        return Err(CoreError::new(
            ErrorCode::ChannelInvalid,
            format!("the credentials must hold `{key}` (a non-empty text)"),
        ));
    }
    Ok(())
}

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
        synced_at: c.synced_at,
        sync_error: c.sync_error.clone(),
        reads_network: false,
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

    /// Whether the connector of `plugin` reads its network; a connector that is disabled or
    /// broken reads nothing either.
    pub(crate) async fn reads_network(&self, plugin: &str) -> bool {
        matches!(self.connector(plugin).await, Ok(Some(c)) if c.reads_activity())
    }

    /// A channel as the API shows it, with whether its connector reads the network.
    async fn channel_view(&self, c: &posts::Channel) -> ChannelView {
        ChannelView {
            reads_network: self.reads_network(&c.plugin).await,
            ..view(c)
        }
    }

    /// `GET /tenants/{tenant}/channels`.
    pub async fn list_channels(&self, actor: &Actor, slug: &str) -> CoreResult<ChannelList> {
        let ctx = self.tenant_ctx(actor, slug, Permission::TenantRead).await?;
        let txn = self.db.begin_read(Scope::Tenant(ctx.tenant_id)).await?;
        let items = posts::channels(&txn, ctx.tenant_id).await?;
        txn.commit().await?;
        let mut views = Vec::with_capacity(items.len());
        for c in &items {
            views.push(self.channel_view(c).await);
        }
        Ok(ChannelList {
            items: views,
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
        if let Some(c) = &req.credentials {
            check_credentials(connector.as_ref(), c)?;
        }
        // A connector that needs credentials and got none waits for them (or for OAuth).
        let status = if req.credentials.is_none() && connector.credential_key().is_some() {
            "needs_reconnect"
        } else {
            "active"
        };
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
                status: Set(status.to_owned()),
                created_at: Set(meta.now),
                created_by: Set(Some(actor.user_id.0)),
                inbound_cursor: Set(None),
                synced_at: Set(None),
                sync_error: Set(None),
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
        if stored.status == "active" {
            // Read at once, then on the interval.
            self.schedule_sync(&txn, ctx.tenant_id, stored.id, meta.now)
                .await?;
        }
        txn.commit().await?;
        if stored.status == "active" {
            self.wake_jobs();
        }
        Ok(self.channel_view(&stored).await)
    }

    /// `PUT /tenants/{tenant}/channels/{id}/credentials`: new credentials, e.g. after the
    /// network revoked the old ones. The channel is active again and its waiting posts go out.
    pub async fn set_channel_credentials(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        id: &str,
        req: ChannelCredentialsRequest,
    ) -> CoreResult<ChannelView> {
        let ctx = self
            .tenant_ctx(actor, slug, Permission::ChannelsManage)
            .await?;
        let uuid = uuid::Uuid::parse_str(id).map_err(|_| channel_not_found(id))?;
        let channel = self.live_channel(ctx.tenant_id, uuid).await?;
        let connector = self.connector(&channel.plugin).await?.ok_or_else(|| {
            CoreError::new(ErrorCode::ChannelInvalid, "its connector is not installed")
        })?;
        check_credentials(connector.as_ref(), &req.credentials)?;
        let view = self
            .store_credentials(
                meta,
                (ctx.tenant_id, actor.user_id, &actor.email),
                &channel,
                &Value::Object(req.credentials),
                "channel.reconnect",
            )
            .await?;
        Ok(view)
    }

    async fn live_channel(&self, tenant: TenantId, id: uuid::Uuid) -> CoreResult<posts::Channel> {
        let txn = self.db.begin_read(Scope::Tenant(tenant)).await?;
        let channel = posts::channel(&txn, tenant, id)
            .await?
            .filter(|c| c.status != "disconnected")
            .ok_or_else(|| channel_not_found(&id.to_string()))?;
        txn.commit().await?;
        Ok(channel)
    }

    /// Seals `credentials` into the channel, makes it active, records `action` and wakes the
    /// publisher for the posts that waited.
    async fn store_credentials(
        &self,
        meta: &RequestMeta,
        (tenant, user, label): (TenantId, UserId, &str),
        channel: &posts::Channel,
        credentials: &Value,
        action: &str,
    ) -> CoreResult<ChannelView> {
        let row = channel.id.to_string();
        let plain =
            serde_json::to_vec(credentials).map_err(|e| CoreError::internal(e.to_string()))?;
        let sealed = self
            .secrets
            .seal(&plain, &credentials_binding(&row))
            .map_err(|e| CoreError::internal(e.to_string()))?;
        let txn = self.db.begin(Scope::Tenant(tenant)).await?;
        if posts::set_channel_credentials(&txn, tenant, channel.id, &sealed).await? != 1 {
            return Err(channel_not_found(&row));
        }
        let event = Event {
            action,
            target: Some(row.clone()),
            outcome: "success",
            details: serde_json::json!({"plugin": channel.plugin, "name": channel.name}),
        };
        record(&txn, tenant, Some((user, label)), meta, event).await?;
        let stored = posts::channel(&txn, tenant, channel.id)
            .await?
            .ok_or_else(|| channel_not_found(&row))?;
        txn.commit().await?;
        self.wake_publisher();
        Ok(self.channel_view(&stored).await)
    }

    /// `POST /tenants/{tenant}/channels/{id}/oauth/start`: registers Heraut with the network
    /// if the plugin asks for it, and gives the network's authorisation page with a single-use
    /// `state` bound to this tenant, person and channel, and a PKCE challenge.
    pub async fn start_oauth(
        &self,
        meta: &RequestMeta,
        actor: &Actor,
        slug: &str,
        id: &str,
    ) -> CoreResult<OauthStartView> {
        let ctx = self
            .tenant_ctx(actor, slug, Permission::ChannelsManage)
            .await?;
        let uuid = uuid::Uuid::parse_str(id).map_err(|_| channel_not_found(id))?;
        let channel = self.live_channel(ctx.tenant_id, uuid).await?;
        let not_oauth = || {
            CoreError::new(
                ErrorCode::ChannelInvalid,
                format!(
                    "the connector `{}` does not connect through OAuth; give its credentials with PUT …/channels/{id}/credentials",
                    channel.plugin
                ),
            )
        };
        let connector = self
            .plugin_connector(&channel.plugin)
            .await?
            .ok_or_else(not_oauth)?;
        let settings: Map<String, Value> = serde_json::from_str(&channel.settings)
            .map_err(|e| CoreError::internal(e.to_string()))?;
        let urls = connector
            .oauth_urls(&settings)
            .ok_or_else(not_oauth)?
            .map_err(|e| CoreError::new(ErrorCode::ChannelInvalid, e))?;
        let base = self.config.public_url.as_deref().ok_or_else(|| {
            CoreError::new(
                ErrorCode::ChannelInvalid,
                "connecting through OAuth needs the instance's public_url (HERAUT_PUBLIC_URL), where the network sends people back; an instance administrator sets it",
            )
        })?;
        let redirect_uri = format!("{}/api/v1/oauth/callback", base.trim_end_matches('/'));
        let scopes = urls.scopes.join(" ");
        let Some(registration) = &urls.registration else {
            return Err(CoreError::new(
                ErrorCode::ChannelInvalid,
                format!(
                    "the connector `{}` declares no client registration, and this Heraut has no client id configured for it",
                    channel.plugin
                ),
            ));
        };
        let fields = [
            ("client_name", "Heraut"),
            ("redirect_uris", redirect_uri.as_str()),
            ("scopes", scopes.as_str()),
            ("website", base),
        ];
        let (status, answer) = connector
            .host_post(registration, HostBody::Form(&fields), None)
            .await
            .map_err(|e| oauth_failed(format!("registering with {registration}: {e}")))?;
        let client = |k: &str| answer.get(k).and_then(Value::as_str).map(str::to_owned);
        let (Some(client_id), Some(client_secret), true) =
            (client("client_id"), client("client_secret"), status == 200)
        else {
            return Err(oauth_failed(format!(
                "the network did not register Heraut as a client ({status}): {}",
                answer
                    .get("error")
                    .and_then(Value::as_str)
                    .unwrap_or("no reason given")
            )));
        };
        let state = random_token();
        let verifier = random_token();
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.as_bytes()));
        let state_hash = sha256_hex(&state);
        let secret = serde_json::json!({"verifier": verifier, "client_id": client_id,
            "client_secret": client_secret, "redirect_uri": redirect_uri});
        let sealed = self
            .secrets
            .seal(secret.to_string().as_bytes(), &oauth_binding(&state_hash))
            .map_err(|e| CoreError::internal(e.to_string()))?;
        let expires_at = meta.now + chrono::Duration::minutes(OAUTH_LIFETIME_MINUTES);
        let txn = self.db.begin(Scope::Instance).await?;
        oauth::purge_expired(&txn, meta.now).await?;
        oauth::insert(
            &txn,
            oauth::OauthStateRow {
                state_hash: Set(state_hash),
                tenant_id: Set(ctx.tenant_id.0),
                user_id: Set(actor.user_id.0),
                channel_id: Set(channel.id),
                plugin: Set(channel.plugin.clone()),
                sealed: Set(sealed),
                created_at: Set(meta.now),
                expires_at: Set(expires_at),
            },
        )
        .await?;
        txn.commit().await?;
        let mut url = url::Url::parse(&urls.authorize).map_err(|e| {
            CoreError::new(ErrorCode::ChannelInvalid, format!("authorize_url: {e}"))
        })?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &client_id)
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("scope", &scopes)
            .append_pair("state", &state)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(OauthStartView {
            authorize_url: url.to_string(),
            expires_at,
        })
    }

    /// `GET /api/v1/oauth/callback`: the network sends the person back with a code; Heraut
    /// takes the `state` (once), exchanges the code with the PKCE verifier and stores the token
    /// in the channel the state was made for. Gives the tenant's slug and the channel.
    pub async fn finish_oauth(
        &self,
        meta: &RequestMeta,
        params: OauthCallbackParams,
    ) -> CoreResult<ChannelView> {
        let state_hash = sha256_hex(&params.state);
        let txn = self.db.begin(Scope::Instance).await?;
        let taken = oauth::take(&txn, &state_hash, meta.now).await?;
        txn.commit().await?;
        let pending = taken.ok_or_else(|| {
            CoreError::new(
                ErrorCode::OauthStateUnknown,
                "this authorisation link is unknown, was already used or has expired; start connecting again",
            )
        })?;
        let tenant = TenantId(pending.tenant_id);
        let user = UserId(pending.user_id);
        let label = users::find_by_id(self.db.read_conn(), user)
            .await?
            .map(|u| u.email)
            .unwrap_or_default();
        let (label_ref, plugin_ref, channel_ref) =
            (label.as_str(), pending.plugin.as_str(), pending.channel_id);
        let fail = |why: String| async move {
            let txn = self.db.begin(Scope::Tenant(tenant)).await?;
            let event = Event {
                action: "channel.connect",
                target: Some(channel_ref.to_string()),
                outcome: "failure",
                details: serde_json::json!({"plugin": plugin_ref, "reason": why}),
            };
            record(&txn, tenant, Some((user, label_ref)), meta, event).await?;
            txn.commit().await?;
            Err::<ChannelView, CoreError>(oauth_failed(why))
        };
        if let Some(error) = params.error {
            let detail = params.error_description.unwrap_or_default();
            return fail(
                format!("the network answered `{error}` {detail}")
                    .trim()
                    .to_owned(),
            )
            .await;
        }
        let Some(code) = params.code.filter(|c| !c.is_empty()) else {
            return fail("the network sent no authorisation code".to_owned()).await;
        };
        let secret = self
            .secrets
            .open(&pending.sealed, &oauth_binding(&state_hash))
            .map_err(|e| CoreError::internal(e.to_string()))?;
        let secret: Value =
            serde_json::from_slice(&secret).map_err(|e| CoreError::internal(e.to_string()))?;
        let field = |k: &str| {
            secret
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let channel = self.live_channel(tenant, pending.channel_id).await?;
        let Some(connector) = self.plugin_connector(&channel.plugin).await? else {
            return fail(format!(
                "the plugin `{}` is no longer installed",
                channel.plugin
            ))
            .await;
        };
        let settings: Map<String, Value> = serde_json::from_str(&channel.settings)
            .map_err(|e| CoreError::internal(e.to_string()))?;
        let urls = match connector.oauth_urls(&settings) {
            Some(Ok(u)) => u,
            Some(Err(e)) => return fail(e).await,
            None => return fail("the plugin no longer connects through OAuth".to_owned()).await,
        };
        let (client_id, client_secret) = (field("client_id"), field("client_secret"));
        let (redirect_uri, verifier) = (field("redirect_uri"), field("verifier"));
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect_uri.as_str()),
            ("client_id", client_id.as_str()),
            ("client_secret", client_secret.as_str()),
            ("code_verifier", verifier.as_str()),
        ];
        let (status, answer) = match connector
            .host_post(&urls.token, HostBody::Form(&form), None)
            .await
        {
            Ok(a) => a,
            Err(e) => return fail(format!("exchanging the code: {e}")).await,
        };
        let Some(access_token) = answer.get("access_token").and_then(Value::as_str) else {
            let why = answer
                .get("error_description")
                .or_else(|| answer.get("error"))
                .and_then(Value::as_str)
                .unwrap_or("no reason given");
            return fail(format!("the network refused the code ({status}): {why}")).await;
        };
        let mut credentials = serde_json::json!({"access_token": access_token,
            "client_id": client_id, "client_secret": client_secret});
        if let Some(r) = answer.get("refresh_token").and_then(Value::as_str) {
            credentials["refresh_token"] = Value::from(r);
        }
        if let Some(secs) = answer.get("expires_in").and_then(Value::as_i64) {
            credentials["expires_at"] =
                Value::from((meta.now + chrono::Duration::seconds(secs)).timestamp());
        }
        self.store_credentials(
            meta,
            (tenant, user, &label),
            &channel,
            &credentials,
            "channel.connect",
        )
        .await
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
