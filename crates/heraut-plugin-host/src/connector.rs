//! Connectors that are plugins: the core's [`Connector`] over a WebAssembly component in the
//! sandbox, built by [`crate::Runtime`] for the plugin as the registry holds it (version, approved
//! hosts), which the core asks for per call, so an upgrade, a change of approved hosts or
//! disabling a plugin takes effect at once, on every node, without a restart.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine;
use heraut_core::channels::connector::{
    Activity, ActivityPage, ChannelAccount, Connector, Counters, HostBody, OauthUrls, OutgoingPost,
    PostOptions, Problem, PublishError as CorePublishError, Receipt,
};
use heraut_core::channels::manifest::{Auth, Manifest, SettingKind, fill};
use heraut_core::publishing::publisher::Clock;
use serde_json::{Map, Value};

use crate::egress::EgressPolicy;
use crate::{
    AccountRef, CallInput, CallNet, Capability, Draft, LoadedPlugin, Media, NetworkOptions,
    PluginError, PluginHost, Setting,
};

/// A plugin connector, as installed at one version with one set of approved hosts.
pub struct PluginConnector {
    host: Arc<PluginHost>,
    plugin: LoadedPlugin,
    manifest: Manifest,
    policy: EgressPolicy,
    /// Open sessions (`auth.kind = "session"`), by channel; in memory only.
    sessions: Mutex<HashMap<uuid::Uuid, Session>>,
    /// The server's clock, for the sessions' lifetimes.
    clock: Clock,
}

/// A session the host opened for a channel: its access token goes into the plugin's requests.
struct Session {
    access: String,
    refresh: Option<String>,
    expires: chrono::DateTime<chrono::Utc>,
}

impl PluginConnector {
    /// The connector of `plugin` (compiled from the component the registry holds) for its
    /// `manifest`, reaching what `policy` lets it.
    pub fn new(
        host: Arc<PluginHost>,
        plugin: LoadedPlugin,
        manifest: Manifest,
        policy: EgressPolicy,
        clock: Clock,
    ) -> Self {
        Self {
            host,
            plugin,
            manifest,
            policy,
            sessions: Mutex::new(HashMap::new()),
            clock,
        }
    }

    /// A channel's settings with the manifest's defaults for those it leaves out.
    fn settings(&self, given: &Map<String, Value>) -> Map<String, Value> {
        let mut all = given.clone();
        for spec in &self.manifest.settings {
            if let Some(d) = &spec.default {
                all.entry(spec.key.clone())
                    .or_insert_with(|| Value::from(d.clone()));
            }
        }
        all
    }

    fn account(&self, account: &ChannelAccount) -> AccountRef {
        AccountRef {
            channel_id: account.channel_id.to_string(),
            settings: self
                .settings(&account.settings)
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

    fn bare_net(&self) -> CallNet {
        CallNet {
            plugin: self.manifest.id.clone(),
            policy: self.policy.clone(),
            credentials: None,
            credential_origin: None,
        }
    }

    /// The network of one call: the approved hosts and the channel's credential, placed as the
    /// manifest says and sent only to the channel's own origin; for a session, the session's
    /// token (opened or refreshed first).
    async fn net(&self, account: &ChannelAccount) -> Result<CallNet, CorePublishError> {
        let secret = |key: &str| secret(account, key);
        let credentials = match &self.manifest.auth {
            Auth::Session { .. } => Some(crate::Injection::bearer(
                &self.session_token(account).await?,
            )),
            auth => crate::outbound::injection(auth, secret),
        };
        // The manifest's defaults fill what the channel leaves out.
        let credential_origin = self.manifest.credential_origin_for(|key| {
            account
                .settings
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        Ok(CallNet {
            credentials,
            credential_origin,
            ..self.bare_net()
        })
    }

    /// The access token of the channel's session: cached, refreshed, or opened anew.
    async fn session_token(&self, account: &ChannelAccount) -> Result<String, CorePublishError> {
        let Auth::Session {
            identifier_setting,
            create_url,
            refresh_url,
            ..
        } = &self.manifest.auth
        else {
            return Err(CorePublishError::Rejected("not a session plugin".into()));
        };
        let cached = {
            let sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
            sessions
                .get(&account.channel_id)
                .map(|s| (s.access.clone(), s.refresh.clone(), s.expires))
        };
        let settings = self.settings(&account.settings);
        let setting = |k: &str| settings.get(k).and_then(Value::as_str).map(str::to_owned);
        if let Some((access, refresh, expires)) = cached {
            if expires > (self.clock)() + chrono::Duration::seconds(60) {
                return Ok(access);
            }
            if let (Some(refresh), Some(url)) = (refresh, refresh_url) {
                let url = fill(url, setting).map_err(CorePublishError::Rejected)?;
                if let Ok((200, body)) = self.host_post(&url, HostBody::Empty, Some(&refresh)).await
                    && let Some(access) = self.keep_session(account, &body)
                {
                    return Ok(access);
                }
            }
        }
        let url = fill(create_url, setting).map_err(CorePublishError::Rejected)?;
        let identifier = setting(identifier_setting).ok_or_else(|| {
            CorePublishError::Rejected(format!("the channel has no `{identifier_setting}` setting"))
        })?;
        let key = self.manifest.auth.credential_key().unwrap_or("password");
        let password = secret(account, key).ok_or_else(|| {
            CorePublishError::AuthExpired(format!("the channel has no `{key}` credential"))
        })?;
        let body = serde_json::json!({"identifier": identifier, "password": password});
        let (status, answer) = self
            .host_post(&url, HostBody::Json(&body), None)
            .await
            .map_err(|e| CorePublishError::Transient(format!("opening a session: {e}")))?;
        let message = answer
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("no message");
        match status {
            200 => self.keep_session(account, &answer).ok_or_else(|| {
                CorePublishError::Transient("the session answer has no access token".into())
            }),
            401 | 403 => Err(CorePublishError::AuthExpired(format!(
                "the network refused the credentials of `{identifier}`: {message}"
            ))),
            429 => Err(CorePublishError::RateLimited {
                retry_after_secs: 60,
            }),
            400..=499 => Err(CorePublishError::Rejected(format!(
                "opening a session failed ({status}): {message}"
            ))),
            _ => Err(CorePublishError::Transient(format!(
                "opening a session failed ({status}): {message}"
            ))),
        }
    }

    /// Keeps the session of a create or refresh answer; gives its access token.
    fn keep_session(&self, account: &ChannelAccount, answer: &Value) -> Option<String> {
        let field = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| answer.get(*n).and_then(Value::as_str))
                .map(str::to_owned)
        };
        let access = field(&["accessJwt", "access_token"])?;
        let refresh = field(&["refreshJwt", "refresh_token"]);
        let now = (self.clock)();
        let expires = jwt_expiry(&access).unwrap_or(now + chrono::Duration::seconds(900));
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions.insert(
            account.channel_id,
            Session {
                access: access.clone(),
                refresh,
                expires,
            },
        );
        Some(access)
    }

    /// The input of a call with the channel's network and no media.
    async fn input(&self, account: &ChannelAccount) -> Result<CallInput, CorePublishError> {
        Ok(CallInput {
            net: Some(self.net(account).await?),
            media: HashMap::new(),
        })
    }

    /// The input of a call that sends `post`, its media readable by id, and the post as the
    /// plugin gets it.
    async fn outgoing(
        &self,
        account: &ChannelAccount,
        post: &OutgoingPost,
    ) -> Result<(CallInput, crate::OutgoingPost), CorePublishError> {
        let mut input = self.input(account).await?;
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
        let outgoing = crate::OutgoingPost {
            idempotency_key: post.idempotency_key.clone(),
            body: post.body.clone(),
            media,
            options: network_options(&post.options, post.reply_to.clone()),
        };
        Ok((input, outgoing))
    }

    async fn publish_once(
        &self,
        account: &ChannelAccount,
        post: &OutgoingPost,
    ) -> Result<Receipt, CorePublishError> {
        let (input, outgoing) = self.outgoing(account, post).await?;
        let result = match self
            .host
            .publish(&self.plugin, input, self.account(account), outgoing)
            .await
        {
            Ok((Ok(r), _)) => Ok(receipt(r)),
            Ok((Err(e), _)) => Err(from_plugin(e)),
            Err(e) => Err(self.failed(e, "was stopped while publishing")),
        };
        if matches!(result, Err(CorePublishError::AuthExpired(_))) {
            self.forget_session(account);
        }
        result
    }

    /// What a call of a capability came to: `None` when the component does not export it. A
    /// plugin stopped during a `write` may have reached the network (read back first); one
    /// stopped while reading is tried again later.
    fn outcome<T, U>(
        &self,
        result: crate::Outcome<Result<T, crate::CallError>>,
        map: impl FnOnce(T) -> U,
        doing: &str,
        write: bool,
    ) -> Result<Option<U>, CorePublishError> {
        match result {
            Ok((Ok(v), _)) => Ok(Some(map(v))),
            Ok((Err(e), _)) => Err(from_plugin(e)),
            Err(PluginError::NotExported(_)) => Ok(None),
            Err(e) if write => Err(self.failed(e, &format!("was stopped while {doing}"))),
            Err(e) => Err(CorePublishError::Transient(format!(
                "the plugin `{}` was stopped while {doing}: {e}",
                self.manifest.id
            ))),
        }
    }

    fn exports(&self, capability: Capability) -> bool {
        self.plugin.capabilities().contains(&capability)
    }

    fn forget_session(&self, account: &ChannelAccount) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions.remove(&account.channel_id);
    }

    fn failed(&self, e: PluginError, log: &str) -> CorePublishError {
        tracing::warn!(plugin = %self.manifest.id, error = %e, "plugin call failed");
        // The call may have sent its request before it was stopped: read back before retrying.
        CorePublishError::Ambiguous(format!("the plugin `{}` {log}: {e}", self.manifest.id))
    }
}

fn form_urlencoded(fields: &[(&str, &str)]) -> String {
    let mut out = reqwest::Url::parse("http://form.invalid/").ok();
    match out.as_mut() {
        Some(url) => {
            url.query_pairs_mut().extend_pairs(fields);
            url.query().unwrap_or_default().to_owned()
        }
        None => String::new(),
    }
}

fn secret(account: &ChannelAccount, key: &str) -> Option<String> {
    account
        .credentials
        .as_ref()
        .and_then(|c| c.get(key))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// When a JWT expires, from its `exp` claim (the signature is the network's business).
fn jwt_expiry(token: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let exp = serde_json::from_slice::<Value>(&bytes)
        .ok()?
        .get("exp")?
        .as_i64()?;
    chrono::DateTime::from_timestamp(exp, 0)
}

/// A post's network options as the plugin interface has them.
fn network_options(o: &PostOptions, reply_to: Option<String>) -> NetworkOptions {
    NetworkOptions {
        poll: o.poll.as_ref().map(|p| crate::Poll {
            options: p.options.clone(),
            expires_in_seconds: p.expires_in_seconds,
            multiple: p.multiple,
        }),
        content_warning: o.content_warning.clone(),
        reply_to,
        thread: o.thread.clone(),
    }
}

fn activity(a: crate::Activity) -> Activity {
    use crate::ActivityKind as K;
    let kind = match a.kind {
        K::Mention => "mention",
        K::Comment => "comment",
        K::Reply => "reply",
        K::Message => "message",
        K::Quote => "quote",
        K::Post => "post",
    };
    let (author_handle, author_name, author_url) = match a.author {
        Some(au) => (Some(au.handle), au.name, au.url),
        None => (None, None, None),
    };
    let created_at = i64::try_from(a.created_at_millis)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .unwrap_or_default();
    Activity {
        remote_id: a.remote_id,
        kind: kind.to_owned(),
        author_handle,
        author_name,
        author_url,
        body: a.body,
        remote_url: a.url,
        in_reply_to: a.in_reply_to,
        conversation: a.conversation,
        created_at,
    }
}

fn page(p: crate::ActivityPage) -> ActivityPage {
    ActivityPage {
        items: p.items.into_iter().map(activity).collect(),
        next_cursor: p.next_cursor,
        more: p.more,
    }
}

fn counters(c: crate::Counters) -> Counters {
    Counters {
        remote_id: c.remote_id,
        reactions: c.reactions,
        reshares: c.reshares,
        replies: c.replies,
        quotes: c.quotes,
        views: c.views,
        clicks: c.clicks,
    }
}

fn from_plugin(e: crate::CallError) -> CorePublishError {
    use crate::CallError as P;
    match e {
        P::Rejected(m) => CorePublishError::Rejected(m),
        P::RateLimited(s) => CorePublishError::RateLimited {
            retry_after_secs: u64::from(s),
        },
        P::AuthExpired(m) => CorePublishError::AuthExpired(m),
        P::Transient(m) => CorePublishError::Transient(m),
    }
}

fn receipt(r: crate::Receipt) -> Receipt {
    Receipt {
        remote_id: r.remote_id,
        remote_url: r.url,
        thread: r.thread.into_iter().map(|p| (p.remote_id, p.url)).collect(),
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

    async fn validate(
        &self,
        _account: &ChannelAccount,
        body: &str,
        media: usize,
        options: &PostOptions,
    ) -> Vec<Problem> {
        // Alt text is checked by Heraut itself; the plugin judges the text, the count and the
        // network options.
        let draft = Draft {
            options: network_options(options, None),
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
        let option_field = |f: &str| {
            ["poll", "content_warning", "thread"]
                .iter()
                .any(|o| f == *o || f.starts_with(&format!("{o}.")))
        };
        match self.host.validate(&self.plugin, draft).await {
            Ok((problems, _)) => problems
                .into_iter()
                .map(|p| Problem {
                    field: option_field(&p.field).then_some(p.field),
                    message: p.message,
                })
                .collect(),
            Err(e) => vec![Problem::text(format!(
                "the connector `{}` could not check this post: {e}",
                self.manifest.id
            ))],
        }
    }

    async fn publish(
        &self,
        account: &ChannelAccount,
        post: &OutgoingPost,
    ) -> Result<Receipt, CorePublishError> {
        let first = self.publish_once(account, post).await;
        if matches!(first, Err(CorePublishError::AuthExpired(_)))
            && matches!(self.manifest.auth, Auth::Session { .. })
        {
            // A session may end before its time: open a new one and try once more (a plugin
            // with sessions reads back before it creates anything).
            self.forget_session(account);
            return self.publish_once(account, post).await;
        }
        first
    }

    async fn find_published(
        &self,
        account: &ChannelAccount,
        idempotency_key: &str,
    ) -> Result<Option<Receipt>, CorePublishError> {
        let input = self.input(account).await?;
        match self
            .host
            .find_published(
                &self.plugin,
                input,
                self.account(account),
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

    async fn delete(
        &self,
        account: &ChannelAccount,
        remote_id: &str,
    ) -> Result<(), CorePublishError> {
        let input = self.input(account).await?;
        match self
            .host
            .delete(
                &self.plugin,
                input,
                self.account(account),
                remote_id.to_owned(),
            )
            .await
        {
            Ok((Ok(()), _)) => Ok(()),
            Ok((Err(e), _)) => Err(from_plugin(e)),
            Err(e) => Err(self.failed(e, "was stopped while deleting")),
        }
    }

    fn credential_key(&self) -> Option<String> {
        self.manifest.auth.credential_key().map(str::to_owned)
    }

    fn reads_activity(&self) -> bool {
        self.exports(Capability::Inbound)
    }

    fn capabilities(&self) -> Vec<&'static str> {
        self.plugin
            .capabilities()
            .into_iter()
            .filter(|c| *c != Capability::Publishing)
            .map(Capability::as_str)
            .collect()
    }

    async fn fetch_activity(
        &self,
        account: &ChannelAccount,
        cursor: Option<&str>,
    ) -> Result<Option<ActivityPage>, CorePublishError> {
        if !self.exports(Capability::Inbound) {
            return Ok(None);
        }
        let input = self.input(account).await?;
        let cursor = cursor.map(str::to_owned);
        let result = self
            .host
            .fetch_activity(&self.plugin, input, self.account(account), cursor)
            .await;
        self.outcome(result, page, "reading its network", false)
    }

    async fn fetch_thread(
        &self,
        account: &ChannelAccount,
        remote_id: &str,
    ) -> Result<Option<Vec<Activity>>, CorePublishError> {
        if !self.exports(Capability::Inbound) {
            return Ok(None);
        }
        let input = self.input(account).await?;
        let result = self
            .host
            .fetch_thread(
                &self.plugin,
                input,
                self.account(account),
                remote_id.to_owned(),
            )
            .await;
        let all = |items: Vec<crate::Activity>| items.into_iter().map(activity).collect();
        self.outcome(result, all, "reading a thread", false)
    }

    async fn reply(
        &self,
        account: &ChannelAccount,
        to_remote_id: &str,
        post: &OutgoingPost,
    ) -> Result<Option<Receipt>, CorePublishError> {
        if !self.exports(Capability::Replying) {
            return Ok(None);
        }
        let (input, outgoing) = self.outgoing(account, post).await?;
        let result = self
            .host
            .reply(
                &self.plugin,
                input,
                self.account(account),
                to_remote_id.to_owned(),
                outgoing,
            )
            .await;
        self.outcome(result, receipt, "replying", true)
    }

    async fn reshare(
        &self,
        account: &ChannelAccount,
        remote_id: &str,
    ) -> Result<Option<Receipt>, CorePublishError> {
        if !self.exports(Capability::Replying) {
            return Ok(None);
        }
        let input = self.input(account).await?;
        let result = self
            .host
            .reshare(
                &self.plugin,
                input,
                self.account(account),
                remote_id.to_owned(),
            )
            .await;
        self.outcome(result, receipt, "re-sharing", true)
    }

    async fn fetch_metrics(
        &self,
        account: &ChannelAccount,
        remote_ids: &[String],
    ) -> Result<Option<Vec<Counters>>, CorePublishError> {
        if !self.exports(Capability::Metrics) {
            return Ok(None);
        }
        let input = self.input(account).await?;
        let result = self
            .host
            .fetch_metrics(
                &self.plugin,
                input,
                self.account(account),
                remote_ids.to_vec(),
            )
            .await;
        let all = |list: Vec<crate::Counters>| list.into_iter().map(counters).collect();
        self.outcome(result, all, "counting", false)
    }

    async fn search(
        &self,
        account: &ChannelAccount,
        query: &str,
        cursor: Option<&str>,
    ) -> Result<Option<ActivityPage>, CorePublishError> {
        if !self.exports(Capability::Searching) {
            return Ok(None);
        }
        let input = self.input(account).await?;
        let result = self
            .host
            .search(
                &self.plugin,
                input,
                self.account(account),
                query.to_owned(),
                cursor.map(str::to_owned),
            )
            .await;
        self.outcome(result, page, "searching", false)
    }

    /// The OAuth 2 URLs of this plugin for a channel with `settings`; `None` when the plugin
    /// does not connect through OAuth.
    fn oauth_urls(&self, settings: &Map<String, Value>) -> Option<Result<OauthUrls, String>> {
        let Auth::Oauth2 {
            authorize_url,
            token_url,
            registration_url,
            scopes,
        } = &self.manifest.auth
        else {
            return None;
        };
        let settings = self.settings(settings);
        let setting = |k: &str| settings.get(k).and_then(Value::as_str).map(str::to_owned);
        Some((|| {
            Ok(OauthUrls {
                authorize: fill(authorize_url, setting)?,
                token: fill(token_url, setting)?,
                registration: registration_url
                    .as_deref()
                    .map(|u| fill(u, setting))
                    .transpose()?,
                scopes: scopes.clone(),
            })
        })())
    }

    /// A form or JSON POST the host makes itself through this plugin's gate: status and JSON.
    async fn host_post(
        &self,
        url: &str,
        body: HostBody<'_>,
        bearer: Option<&str>,
    ) -> Result<(u16, Value), String> {
        let (content_type, bytes) = match body {
            HostBody::Form(fields) => (
                "application/x-www-form-urlencoded",
                form_urlencoded(fields).into_bytes(),
            ),
            HostBody::Json(v) => ("application/json", v.to_string().into_bytes()),
            HostBody::Empty => ("application/json", Vec::new()),
        };
        let mut headers = vec![
            ("content-type", content_type.to_owned()),
            ("accept", "application/json".to_owned()),
        ];
        if let Some(token) = bearer {
            headers.push(("authorization", format!("Bearer {token}")));
        }
        let (status, body) = self
            .host
            .host_request(&self.bare_net(), "POST", url, &headers, bytes)
            .await?;
        let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
        Ok((status, json))
    }
}
