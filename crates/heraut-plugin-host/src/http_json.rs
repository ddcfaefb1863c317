//! The built-in `http-json` connector: the one connector that is not a plugin, for test peers,
//! local bridges and development. It implements the core's `Connector` like a plugin does.

use std::time::Duration;

use base64::Engine;
use heraut_core::channels::connector::{
    Activity, ActivityPage, ChannelAccount, Connector, OutgoingPost, PostOptions, Problem,
    PublishError, Receipt,
};
use serde_json::{Map, Value};

/// The built-in `http-json` connector: POSTs `{"text", "idempotency_key"}` with an
/// `Idempotency-Key` header to the channel's `url` and reads back with
/// `GET url?idempotency_key=…`. It reaches only the peers the instance administrator lists in
/// `plugin_local_peers`, over plain http: it is the connector for test peers, local bridges and
/// development, documented in `docs/admin-guide.md`.
pub struct HttpJson {
    http: reqwest::Client,
    peers: Vec<String>,
}

/// Default longest text of an `http-json` channel.
const HTTP_JSON_MAX_CHARS: u64 = 500;
/// Default most images on an `http-json` post.
const HTTP_JSON_MAX_MEDIA: u64 = 4;

impl HttpJson {
    pub fn new(peers: Vec<String>, call_timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(call_timeout)
            .connect_timeout(call_timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(64)
            .build()
            .unwrap_or_default();
        Self { http, peers }
    }

    fn url(&self, settings: &Map<String, Value>) -> Result<reqwest::Url, String> {
        let raw = settings
            .get("url")
            .and_then(Value::as_str)
            .ok_or("the setting `url` (the peer's http URL) is required")?;
        let url = reqwest::Url::parse(raw).map_err(|e| format!("`url` is not a URL: {e}"))?;
        if url.scheme() != "http" {
            return Err("`url` must be an http:// URL of a peer in plugin_local_peers".to_owned());
        }
        let host = url.host_str().unwrap_or_default();
        let port = url.port_or_known_default().unwrap_or(80);
        let peer = format!("{host}:{port}");
        if !self.peers.iter().any(|p| p.eq_ignore_ascii_case(&peer)) {
            return Err(format!(
                "`{peer}` is not one of the local peers the instance administrator allowed \
                 (plugin_local_peers)"
            ));
        }
        Ok(url)
    }

    fn limit(settings: &Map<String, Value>, key: &str, default: u64) -> u64 {
        settings.get(key).and_then(Value::as_u64).unwrap_or(default)
    }

    fn request(
        &self,
        req: reqwest::RequestBuilder,
        account: &ChannelAccount,
    ) -> reqwest::RequestBuilder {
        match account
            .credentials
            .as_ref()
            .and_then(|c| c.get("token"))
            .and_then(Value::as_str)
        {
            Some(token) => req.bearer_auth(token),
            None => req,
        }
    }
}

fn receipt(v: &Value) -> Result<Receipt, PublishError> {
    let id = match v.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => {
            return Err(PublishError::Ambiguous(
                "the peer answered without an `id`".to_owned(),
            ));
        }
    };
    Ok(Receipt {
        remote_id: id,
        remote_url: v.get("url").and_then(Value::as_str).map(str::to_owned),
        thread: Vec::new(),
    })
}

fn status_error(status: reqwest::StatusCode, headers: &reqwest::header::HeaderMap) -> PublishError {
    match status.as_u16() {
        401 | 403 => PublishError::AuthExpired(format!("the peer answered {status}")),
        429 => PublishError::RateLimited {
            retry_after_secs: headers
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(60),
        },
        408 | 500..=599 => PublishError::Transient(format!("the peer answered {status}")),
        _ => PublishError::Rejected(format!("the peer answered {status}")),
    }
}

#[async_trait::async_trait]
impl Connector for HttpJson {
    fn check_settings(&self, settings: &Map<String, Value>) -> Result<(), String> {
        self.url(settings)?;
        if let Some(v) = settings.get("max_chars")
            && !v.as_u64().is_some_and(|n| (1..=100_000).contains(&n))
        {
            return Err("`max_chars` must be a whole number from 1 to 100000".to_owned());
        }
        if let Some(v) = settings.get("max_media")
            && v.as_u64().is_none_or(|n| n > 10)
        {
            return Err("`max_media` must be a whole number from 0 to 10".to_owned());
        }
        if let Some(k) = settings
            .keys()
            .find(|k| !matches!(k.as_str(), "url" | "max_chars" | "max_media"))
        {
            return Err(format!(
                "unknown setting `{k}`; http-json takes `url`, `max_chars` and `max_media`"
            ));
        }
        Ok(())
    }

    async fn validate(
        &self,
        account: &ChannelAccount,
        body: &str,
        media: usize,
        options: &PostOptions,
    ) -> Vec<Problem> {
        let mut problems = Problem::options_refused("An HTTP JSON channel", options);
        let max = Self::limit(&account.settings, "max_chars", HTTP_JSON_MAX_CHARS);
        let n = body.chars().count() as u64;
        if n > max {
            problems.push(Problem::text(format!(
                "the text has {n} characters; this channel takes at most {max}"
            )));
        }
        let max_media = Self::limit(&account.settings, "max_media", HTTP_JSON_MAX_MEDIA);
        if media as u64 > max_media {
            problems.push(Problem::text(format!(
                "{media} images; this channel takes at most {max_media}"
            )));
        }
        problems
    }

    async fn publish(
        &self,
        account: &ChannelAccount,
        post: &OutgoingPost,
    ) -> Result<Receipt, PublishError> {
        let url = self
            .url(&account.settings)
            .map_err(PublishError::Rejected)?;
        let req = self
            .http
            .post(url)
            .header("idempotency-key", &post.idempotency_key)
            .json(&serde_json::json!({"text": post.body, "idempotency_key": post.idempotency_key,
                "media": post.media.iter().map(|m| serde_json::json!({
                    "content_type": m.content_type, "alt_text": m.alt_text,
                    "data": base64::engine::general_purpose::STANDARD.encode(&m.bytes)})).collect::<Vec<_>>()}));
        let res = self.request(req, account).send().await.map_err(|e| {
            if e.is_connect() {
                PublishError::Transient(format!("cannot connect: {e}"))
            } else {
                PublishError::Ambiguous(format!("no complete answer: {e}"))
            }
        })?;
        let status = res.status();
        if !status.is_success() {
            return Err(status_error(status, res.headers()));
        }
        let v: Value = res
            .json()
            .await
            .map_err(|e| PublishError::Ambiguous(format!("unreadable answer: {e}")))?;
        receipt(&v)
    }

    async fn find_published(
        &self,
        account: &ChannelAccount,
        idempotency_key: &str,
    ) -> Result<Option<Receipt>, PublishError> {
        let url = self
            .url(&account.settings)
            .map_err(PublishError::Rejected)?;
        let req = self
            .http
            .get(url)
            .query(&[("idempotency_key", idempotency_key)]);
        let res = self
            .request(req, account)
            .send()
            .await
            .map_err(|e| PublishError::Transient(format!("cannot read back: {e}")))?;
        let status = res.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(match status_error(status, res.headers()) {
                PublishError::Rejected(m) => PublishError::Transient(m),
                other => other,
            });
        }
        let v: Value = res
            .json()
            .await
            .map_err(|e| PublishError::Transient(format!("unreadable answer: {e}")))?;
        receipt(&v)
            .map(Some)
            .map_err(|e| PublishError::Transient(e.to_string()))
    }

    fn reads_activity(&self) -> bool {
        true
    }

    /// `GET {url}/activity?cursor=…` → `{"items": [{"id", "kind", "author": {"handle", "name",
    /// "url"}, "text", "url", "created_at", "in_reply_to"}], "next_cursor", "more"}`; a peer that
    /// answers 404 does not read its network.
    async fn fetch_activity(
        &self,
        account: &ChannelAccount,
        cursor: Option<&str>,
    ) -> Result<Option<ActivityPage>, PublishError> {
        let mut url = self
            .url(&account.settings)
            .map_err(PublishError::Rejected)?;
        let path = format!("{}/activity", url.path().trim_end_matches('/'));
        url.set_path(&path);
        let mut req = self.http.get(url);
        if let Some(c) = cursor {
            req = req.query(&[("cursor", c)]);
        }
        let res = self
            .request(req, account)
            .send()
            .await
            .map_err(|e| PublishError::Transient(format!("cannot read the peer: {e}")))?;
        let status = res.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(status_error(status, res.headers()));
        }
        let v: Value = res
            .json()
            .await
            .map_err(|e| PublishError::Transient(format!("unreadable answer: {e}")))?;
        activity_page(&v).map(Some).map_err(PublishError::Transient)
    }
}

/// A page of `GET …/activity`, checked: every item needs an id, a kind and a time.
fn activity_page(v: &Value) -> Result<ActivityPage, String> {
    let text = |item: &Value, key: &str| item.get(key).and_then(Value::as_str).map(str::to_owned);
    let mut items = Vec::new();
    for item in v
        .get("items")
        .and_then(Value::as_array)
        .ok_or("the answer has no `items`")?
    {
        let (Some(remote_id), Some(kind), Some(at)) = (
            text(item, "id"),
            text(item, "kind"),
            text(item, "created_at"),
        ) else {
            return Err("an item lacks its `id`, `kind` or `created_at`".to_owned());
        };
        let created_at = chrono::DateTime::parse_from_rfc3339(&at)
            .map_err(|e| format!("`created_at` {at}: {e}"))?
            .with_timezone(&chrono::Utc);
        let author = item.get("author").cloned().unwrap_or(Value::Null);
        items.push(Activity {
            remote_id,
            kind,
            author_handle: text(&author, "handle"),
            author_name: text(&author, "name"),
            author_url: text(&author, "url"),
            body: text(item, "text").unwrap_or_default(),
            remote_url: text(item, "url"),
            in_reply_to: text(item, "in_reply_to"),
            conversation: text(item, "conversation"),
            created_at,
        });
    }
    Ok(ActivityPage {
        items,
        next_cursor: text(v, "next_cursor"),
        more: v.get("more").and_then(Value::as_bool).unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn http_json_reaches_only_listed_peers() {
        let c = HttpJson::new(vec!["127.0.0.1:9000".to_owned()], Duration::from_secs(1));
        assert!(
            c.check_settings(&settings(
                serde_json::json!({"url": "http://127.0.0.1:9000/x"})
            ))
            .is_ok()
        );
        for (bad, needle) in [
            (
                serde_json::json!({"url": "http://127.0.0.1:9001/x"}),
                "not one of",
            ),
            (
                serde_json::json!({"url": "https://127.0.0.1:9000/x"}),
                "http://",
            ),
            (serde_json::json!({}), "required"),
            (
                serde_json::json!({"url": "http://127.0.0.1:9000", "max_chars": 0}),
                "max_chars",
            ),
            (
                serde_json::json!({"url": "http://127.0.0.1:9000", "x": 1}),
                "unknown setting",
            ),
        ] {
            let err = c.check_settings(&settings(bad)).err().unwrap_or_default();
            assert!(err.contains(needle), "{err}");
        }
    }

    #[tokio::test]
    async fn http_json_counts_characters_not_bytes() {
        let c = HttpJson::new(Vec::new(), Duration::from_secs(1));
        let account = ChannelAccount {
            channel_id: uuid::Uuid::nil(),
            settings: settings(serde_json::json!({"max_chars": 3})),
            credentials: None,
        };
        let none = PostOptions::default();
        assert!(c.validate(&account, "ééé", 4, &none).await.is_empty());
        assert_eq!(c.validate(&account, "éééé", 0, &none).await.len(), 1);
        assert_eq!(c.validate(&account, "é", 5, &none).await.len(), 1);
        let poll = PostOptions {
            content_warning: Some("cw".into()),
            ..PostOptions::default()
        };
        let refused = c.validate(&account, "é", 0, &poll).await;
        assert_eq!(refused[0].field.as_deref(), Some("content_warning"));
    }
}
