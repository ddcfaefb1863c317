//! The one interface through which the publisher reaches a network. The Atom feed is built in
//! here; plugin connectors (WebAssembly) and the built-in `http-json` connector are in
//! `heraut-plugin-host`, which implements this trait and which the server hands to the core.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

/// A channel as a connector sees it: its settings and (decrypted) credentials.
#[derive(Debug, Clone)]
pub struct ChannelAccount {
    pub channel_id: uuid::Uuid,
    pub settings: Map<String, Value>,
    pub credentials: Option<Map<String, Value>>,
}

/// An image that goes out with a post.
#[derive(Debug, Clone)]
pub struct OutgoingMedia {
    pub content_type: String,
    pub alt_text: String,
    pub bytes: Vec<u8>,
}

/// What goes out.
#[derive(Debug, Clone)]
pub struct OutgoingPost {
    pub body: String,
    pub media: Vec<OutgoingMedia>,
    /// The same for every attempt of one post revision on one channel.
    pub idempotency_key: String,
    /// Remote id of the post this one answers on the same channel (threads).
    pub reply_to: Option<String>,
    /// What the post asks of the network beyond text and media.
    pub options: PostOptions,
}

/// Something that keeps a post from going out on a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `poll`, `content_warning`, `thread`, `thread.1` ...; `None` for the text and media.
    pub field: Option<String>,
    pub message: String,
}

impl Problem {
    /// A problem with the text or its media.
    pub fn text(message: impl Into<String>) -> Self {
        Self {
            field: None,
            message: message.into(),
        }
    }

    /// What a connector without network options says of each option a post asks for.
    pub fn options_refused(network: &str, options: &PostOptions) -> Vec<Self> {
        let mut refused = Vec::new();
        let mut refuse = |field: &str, what: &str| {
            refused.push(Self {
                field: Some(field.to_owned()),
                message: format!("{network} cannot carry {what}"),
            })
        };
        if options.poll.is_some() {
            refuse("poll", "a poll");
        }
        if options.content_warning.is_some() {
            refuse("content_warning", "a content warning");
        }
        if !options.thread.is_empty() {
            refuse("thread", "a thread of several parts in one post");
        }
        refused
    }
}

/// Network options of a post: a poll, a content warning, follow-up parts. A connector whose
/// network cannot carry one names it as a problem when the post is validated.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PostOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<Poll>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_warning: Option<String>,
    /// Follow-up parts, each published as an answer to the one before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thread: Vec<String>,
}

impl PostOptions {
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// A poll under a post.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Poll {
    pub options: Vec<String>,
    pub expires_in_seconds: u32,
    pub multiple: bool,
}

/// Where the network put it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Receipt {
    pub remote_id: String,
    pub remote_url: Option<String>,
    /// The follow-up parts of a thread, in order (`remote_id`, `remote_url`).
    pub thread: Vec<(String, Option<String>)>,
}

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublishError {
    /// The network refused the post; retrying will not help.
    #[error("rejected by the network: {0}")]
    Rejected(String),
    /// Try again after this many seconds.
    #[error("rate limited; retry after {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// The credentials no longer work; the channel must be reconnected.
    #[error("authorisation expired: {0}")]
    AuthExpired(String),
    /// Nothing reached the network (connection refused, 5xx before processing): try again.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// The request may have reached the network (timeout after sending): read back first.
    #[error("outcome unknown: {0}")]
    Ambiguous(String),
}

/// A network connector.
#[async_trait::async_trait]
pub trait Connector: Send + Sync {
    /// Checks channel settings when a channel is connected; the message is shown to the person.
    fn check_settings(&self, settings: &Map<String, Value>) -> Result<(), String>;

    /// Problems that keep `body` with `media` images from going out on this channel (too long,
    /// too many images, ...), checked when a post is created, edited or submitted.
    async fn validate(
        &self,
        account: &ChannelAccount,
        body: &str,
        media: usize,
        options: &PostOptions,
    ) -> Vec<Problem>;

    /// Publishes; the network must not create a second post for the same idempotency key, or
    /// `find_published` must find the first.
    async fn publish(
        &self,
        account: &ChannelAccount,
        post: &OutgoingPost,
    ) -> Result<Receipt, PublishError>;

    /// Reads back what an earlier attempt with this key published, if anything.
    async fn find_published(
        &self,
        account: &ChannelAccount,
        idempotency_key: &str,
    ) -> Result<Option<Receipt>, PublishError>;

    /// Removes a published post from the network; a post already gone is not an error.
    async fn delete(
        &self,
        _account: &ChannelAccount,
        _remote_id: &str,
    ) -> Result<(), PublishError> {
        Err(PublishError::Rejected(
            "this connector cannot remove posts from its network".to_owned(),
        ))
    }

    /// The key a channel's credentials must hold before it can publish (`access_token`,
    /// `app_password` ...); `None` when the connector takes no credentials.
    fn credential_key(&self) -> Option<String> {
        None
    }

    /// Whether [`Connector::fetch_activity`] reads the network at all.
    fn reads_activity(&self) -> bool {
        false
    }

    /// One page of what is new on the network for this channel after `cursor` (from where the
    /// connector starts when `None`): mentions, comments, replies, messages, quotes. `Ok(None)`
    /// when the connector does not read its network.
    async fn fetch_activity(
        &self,
        _account: &ChannelAccount,
        _cursor: Option<&str>,
    ) -> Result<Option<ActivityPage>, PublishError> {
        Ok(None)
    }

    /// The conversation around `remote_id` (what it answers and what answers it), oldest
    /// first; `Ok(None)` when the connector does not read its network.
    async fn fetch_thread(
        &self,
        _account: &ChannelAccount,
        _remote_id: &str,
    ) -> Result<Option<Vec<Activity>>, PublishError> {
        Ok(None)
    }

    /// Publishes `post` as an answer to `to_remote_id`, once per idempotency key; `Ok(None)`
    /// when the connector cannot answer on its network.
    async fn reply(
        &self,
        _account: &ChannelAccount,
        _to_remote_id: &str,
        _post: &OutgoingPost,
    ) -> Result<Option<Receipt>, PublishError> {
        Ok(None)
    }

    /// Re-shares `remote_id` on the channel's account (twice is once); `Ok(None)` when the
    /// connector cannot.
    async fn reshare(
        &self,
        _account: &ChannelAccount,
        _remote_id: &str,
    ) -> Result<Option<Receipt>, PublishError> {
        Ok(None)
    }

    /// The counters of these published posts, for those the network still has; `Ok(None)`
    /// when the connector does not count.
    async fn fetch_metrics(
        &self,
        _account: &ChannelAccount,
        _remote_ids: &[String],
    ) -> Result<Option<Vec<Counters>>, PublishError> {
        Ok(None)
    }

    /// Public posts matching `query` (words, or `#tag`) after `cursor`; `Ok(None)` when the
    /// connector cannot search its network.
    async fn search(
        &self,
        _account: &ChannelAccount,
        _query: &str,
        _cursor: Option<&str>,
    ) -> Result<Option<ActivityPage>, PublishError> {
        Ok(None)
    }

    /// What the connector can do beyond publishing: `inbound`, `replying`, `metrics`,
    /// `searching`.
    fn capabilities(&self) -> Vec<&'static str> {
        if self.reads_activity() {
            vec!["inbound"]
        } else {
            Vec::new()
        }
    }

    /// The OAuth 2 URLs for a channel with `settings`; `None` when the connector does not
    /// connect through OAuth.
    fn oauth_urls(&self, _settings: &Map<String, Value>) -> Option<Result<OauthUrls, String>> {
        None
    }

    /// A POST Heraut makes itself to the network, through the connector's gate (registering a
    /// client, exchanging an OAuth code): the status and the JSON answer (`null` if none).
    async fn host_post(
        &self,
        _url: &str,
        _body: HostBody<'_>,
        _bearer: Option<&str>,
    ) -> Result<(u16, Value), String> {
        Err("this connector makes no requests of its own".to_owned())
    }
}

/// Something said on a network to or about a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// The network's id of it, unique on the channel.
    pub remote_id: String,
    /// `mention`, `comment`, `reply`, `message`, `quote`, or `post` (found by a search).
    pub kind: String,
    pub author_handle: Option<String>,
    pub author_name: Option<String>,
    pub author_url: Option<String>,
    pub body: String,
    pub remote_url: Option<String>,
    /// The remote id of what it answers, if anything.
    pub in_reply_to: Option<String>,
    /// The network's id of the conversation it belongs to, where it has one.
    pub conversation: Option<String>,
    /// When the network says it was written.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A published post's counters at one moment; a counter the network does not give is `None`,
/// never 0.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counters {
    pub remote_id: String,
    pub reactions: Option<u64>,
    pub reshares: Option<u64>,
    pub replies: Option<u64>,
    pub quotes: Option<u64>,
    pub views: Option<u64>,
    pub clicks: Option<u64>,
}

/// One page of a channel's activity and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActivityPage {
    pub items: Vec<Activity>,
    /// Opaque to Heraut; stored per channel once the page's items are stored.
    pub next_cursor: Option<String>,
    /// True when the network has more right away.
    pub more: bool,
}

/// What an OAuth 2 connector declares, with the channel's settings filled in.
#[derive(Debug, Clone)]
pub struct OauthUrls {
    pub authorize: String,
    pub token: String,
    pub registration: Option<String>,
    pub scopes: Vec<String>,
}

/// The body of [`Connector::host_post`].
pub enum HostBody<'a> {
    Form(&'a [(&'a str, &'a str)]),
    Json(&'a Value),
    Empty,
}

/// The connectors by plugin id.
#[derive(Clone, Default)]
pub struct Connectors {
    by_id: HashMap<String, Arc<dyn Connector>>,
}

impl std::fmt::Debug for Connectors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.by_id.keys()).finish()
    }
}

impl Connectors {
    pub fn insert(&mut self, id: &str, connector: Arc<dyn Connector>) {
        self.by_id.insert(id.to_owned(), connector);
    }

    pub fn get(&self, id: &str) -> Option<Arc<dyn Connector>> {
        self.by_id.get(id).cloned()
    }

    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.by_id.keys().cloned().collect();
        ids.sort();
        ids
    }
}

/// Plugin id of the built-in JSON-over-HTTP connector (in `heraut-plugin-host`).
pub const HTTP_JSON: &str = "http-json";
