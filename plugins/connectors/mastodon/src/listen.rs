//! The listening half of the Mastodon connector: what people say to the channel
//! (`/api/v1/notifications` and `/api/v1/conversations`, paged forward with `min_id`), the
//! conversation around a status (`/api/v1/statuses/:id/context`), answering and reblogging,
//! counters (`GET /api/v1/statuses?id[]=`) and search (`/api/v2/search`, or a tag's timeline
//! for `#tag`).

use heraut_plugin_sdk::{
    AccountRef, Activity, ActivityKind, ActivityPage, Author, CallError, Counters, LogLevel,
    OutgoingPost, Receipt, http, log,
};
use serde::{Deserialize, Serialize};

use crate::{Channel, channel, checked, id_text, rejected, unix_seconds};

/// Items asked for per request (Mastodon's most for notifications is 80, for statuses 40).
pub const PAGE: usize = 40;
/// Statuses asked for per counters request.
pub const METRICS_BATCH: usize = 20;

#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    pub id: serde_json::Value,
    pub acct: String,
    #[serde(default)]
    pub display_name: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Status {
    pub id: serde_json::Value,
    pub created_at: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub spoiler_text: String,
    #[serde(default)]
    pub visibility: String,
    pub url: Option<String>,
    pub uri: Option<String>,
    pub in_reply_to_id: Option<serde_json::Value>,
    pub in_reply_to_account_id: Option<serde_json::Value>,
    pub account: Account,
    pub favourites_count: Option<u64>,
    pub reblogs_count: Option<u64>,
    pub replies_count: Option<u64>,
    pub quotes_count: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
struct Notification {
    id: serde_json::Value,
    #[serde(rename = "type")]
    kind: String,
    status: Option<Status>,
}

#[derive(Debug, Clone, Deserialize)]
struct Conversation {
    id: serde_json::Value,
    last_status: Option<Status>,
}

#[derive(Debug, Clone, Deserialize)]
struct Context {
    ancestors: Vec<Status>,
    descendants: Vec<Status>,
}

/// Where the channel's reading stopped: the newest notification and the newest direct
/// message seen. Opaque to the host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversations: Option<String>,
}

impl Cursor {
    pub fn parse(text: Option<&str>) -> Result<Self, CallError> {
        match text {
            None => Ok(Self::default()),
            Some(t) => serde_json::from_str(t).map_err(|e| {
                rejected(format!(
                    "the stored cursor `{t}` is not this connector's: {e}"
                ))
            }),
        }
    }
}

/// Mastodon ids are decimal numbers of any length: compares them as numbers.
pub fn newer(a: &str, b: &str) -> bool {
    (a.len(), a) > (b.len(), b)
}

/// Sorts items by their ids as numbers: Mastodon's ids grow with time.
fn oldest_first(items: &mut [Activity]) {
    items.sort_by(|a, b| (a.remote_id.len(), &a.remote_id).cmp(&(b.remote_id.len(), &b.remote_id)));
}

/// Plain text of Mastodon's HTML: paragraphs and line breaks become new lines, tags go, the
/// common entities are decoded.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            rest = &rest[start..];
            break;
        };
        let tag = rest[start + 1..start + end].trim().to_ascii_lowercase();
        if tag.starts_with("br") || (tag.starts_with("/p") && start + end + 1 < rest.len()) {
            out.push('\n');
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    decoded.trim().to_owned()
}

fn text(id: &Option<serde_json::Value>) -> Option<String> {
    id.as_ref().and_then(id_text)
}

/// A status as a piece of activity of `kind`.
pub fn activity(status: Status, kind: ActivityKind) -> Result<Activity, CallError> {
    let remote_id = id_text(&status.id).ok_or_else(|| rejected("Mastodon gave a status no id"))?;
    let created = unix_seconds(&status.created_at).unwrap_or(0).max(0) as u64;
    let body = plain_text(&status.content);
    let body = if status.spoiler_text.trim().is_empty() {
        body
    } else {
        format!("[{}]\n{body}", status.spoiler_text.trim())
    };
    let name = status.account.display_name.trim();
    Ok(Activity {
        remote_id,
        kind,
        author: Some(Author {
            handle: format!("@{}", status.account.acct),
            name: (!name.is_empty()).then(|| name.to_owned()),
            url: status.account.url.clone(),
        }),
        body,
        url: status.url.or(status.uri),
        in_reply_to: text(&status.in_reply_to_id),
        conversation: None,
        created_at_millis: created * 1000,
    })
}

/// What a status in a notification is to the channel whose account is `me`.
fn kind_of(notification_kind: &str, status: &Status, me: &str) -> Option<ActivityKind> {
    match notification_kind {
        "quote" => Some(ActivityKind::Quote),
        "mention" if status.visibility == "direct" => Some(ActivityKind::Message),
        "mention" if text(&status.in_reply_to_account_id).as_deref() == Some(me) => {
            Some(ActivityKind::Reply)
        }
        "mention" => Some(ActivityKind::Mention),
        _ => None,
    }
}

/// The id of the channel's own account.
fn me(channel: &Channel) -> Result<String, CallError> {
    let response = checked(
        http::get(&format!(
            "{}/api/v1/accounts/verify_credentials",
            channel.base
        ))
        .send()?,
    )?;
    let account: Account = response.json()?;
    id_text(&account.id).ok_or_else(|| rejected("Mastodon gave the account no id"))
}

/// `url` with `min_id` when there is one (the items right after it, as Mastodon pages
/// forward), else the newest.
fn forward(url: String, min_id: Option<&str>) -> String {
    match min_id {
        Some(id) => format!("{url}&min_id={}", http::encode(id)),
        None => url,
    }
}

pub fn fetch_activity(
    account: AccountRef,
    cursor: Option<String>,
) -> Result<ActivityPage, CallError> {
    let channel = channel(&account).map_err(CallError::Rejected)?;
    let mut at = Cursor::parse(cursor.as_deref())?;
    let me = me(&channel)?;
    let mut items = Vec::new();

    let url = forward(
        format!(
            "{}/api/v1/notifications?types[]=mention&types[]=quote&limit={PAGE}",
            channel.base
        ),
        at.notifications.as_deref(),
    );
    let notifications: Vec<Notification> = checked(http::get(&url).send()?)?.json()?;
    let more_notifications = notifications.len() >= PAGE;
    // Each page is compared with where the last one ended, not with what it moved on to.
    let seen_notifications = at.notifications.clone();
    for n in notifications {
        let Some(id) = id_text(&n.id) else { continue };
        if seen_notifications
            .as_deref()
            .is_some_and(|seen| !newer(&id, seen))
        {
            continue;
        }
        if at
            .notifications
            .as_deref()
            .is_none_or(|seen| newer(&id, seen))
        {
            at.notifications = Some(id);
        }
        if let Some(status) = n.status
            && let Some(kind) = kind_of(&n.kind, &status, &me)
        {
            items.push(activity(status, kind)?);
        }
    }

    let url = forward(
        format!("{}/api/v1/conversations?limit={PAGE}", channel.base),
        at.conversations.as_deref(),
    );
    let conversations: Vec<Conversation> = checked(http::get(&url).send()?)?.json()?;
    let more_conversations = conversations.len() >= PAGE;
    let seen_conversations = at.conversations.clone();
    for c in conversations {
        let Some(status) = c.last_status else {
            continue;
        };
        let Some(id) = id_text(&status.id) else {
            continue;
        };
        if seen_conversations
            .as_deref()
            .is_some_and(|seen| !newer(&id, seen))
        {
            continue;
        }
        if at
            .conversations
            .as_deref()
            .is_none_or(|seen| newer(&id, seen))
        {
            at.conversations = Some(id);
        }
        // The channel's own messages are not activity to answer.
        if text(&Some(status.account.id.clone())).as_deref() == Some(me.as_str()) {
            continue;
        }
        let mut a = activity(status, ActivityKind::Message)?;
        a.conversation = id_text(&c.id);
        items.push(a);
    }

    // Oldest first, one per status (a direct message is a mention and a conversation).
    oldest_first(&mut items);
    items.dedup_by(|later, kept| {
        let same = later.remote_id == kept.remote_id;
        if same && kept.conversation.is_none() {
            kept.conversation = later.conversation.take();
        }
        same
    });
    log(
        LogLevel::Info,
        &format!("read {} new items from Mastodon", items.len()),
    );
    let next = serde_json::to_string(&at).map_err(|e| rejected(e.to_string()))?;
    Ok(ActivityPage {
        items,
        next_cursor: Some(next),
        more: more_notifications || more_conversations,
    })
}

fn status(channel: &Channel, remote_id: &str) -> Result<Status, CallError> {
    let url = format!(
        "{}/api/v1/statuses/{}",
        channel.base,
        http::encode(remote_id)
    );
    Ok(checked(http::get(&url).send()?)?.json()?)
}

fn in_thread(s: Status) -> Result<Activity, CallError> {
    let kind = if s.in_reply_to_id.is_some() {
        ActivityKind::Reply
    } else {
        ActivityKind::Post
    };
    activity(s, kind)
}

pub fn fetch_thread(account: AccountRef, remote_id: String) -> Result<Vec<Activity>, CallError> {
    let channel = channel(&account).map_err(CallError::Rejected)?;
    let this = status(&channel, &remote_id)?;
    let url = format!(
        "{}/api/v1/statuses/{}/context",
        channel.base,
        http::encode(&remote_id)
    );
    let context: Context = checked(http::get(&url).send()?)?.json()?;
    context
        .ancestors
        .into_iter()
        .chain(std::iter::once(this))
        .chain(context.descendants)
        .map(in_thread)
        .collect()
}

/// Posts `post` as an answer to `to`: with the author's handle in front (so that Mastodon tells
/// them) and no wider audience than the status answered.
pub fn reply(account: AccountRef, to: String, post: OutgoingPost) -> Result<Receipt, CallError> {
    let channel = channel(&account).map_err(CallError::Rejected)?;
    let original = status(&channel, &to)?;
    let handle = format!("@{}", original.account.acct);
    let body = if post.body.contains(&handle) {
        post.body.clone()
    } else {
        format!("{handle} {}", post.body)
    };
    let visibility = match original.visibility.as_str() {
        v @ ("direct" | "private" | "unlisted") => v.to_owned(),
        _ => channel
            .visibility
            .clone()
            .unwrap_or_else(|| "public".to_owned()),
    };
    let mut payload = serde_json::json!({
        "status": body,
        "in_reply_to_id": to,
        "visibility": visibility,
    });
    if let (Some(cw), Some(object)) = (&post.options.content_warning, payload.as_object_mut()) {
        object.insert("spoiler_text".to_owned(), serde_json::json!(cw));
    }
    crate::post_status(&channel, &post.idempotency_key, &payload)
}

pub fn reshare(account: AccountRef, remote_id: String) -> Result<Receipt, CallError> {
    let channel = channel(&account).map_err(CallError::Rejected)?;
    let url = format!(
        "{}/api/v1/statuses/{}/reblog",
        channel.base,
        http::encode(&remote_id)
    );
    let reblog: Status = checked(http::post(&url).json(&serde_json::json!({}))?.send()?)?.json()?;
    let id = id_text(&reblog.id).ok_or_else(|| rejected("Mastodon gave the reblog no id"))?;
    Ok(Receipt {
        remote_id: id,
        url: reblog.url.or(reblog.uri),
        thread: Vec::new(),
    })
}

pub fn fetch_metrics(
    account: AccountRef,
    remote_ids: Vec<String>,
) -> Result<Vec<Counters>, CallError> {
    let channel = channel(&account).map_err(CallError::Rejected)?;
    let mut all = Vec::with_capacity(remote_ids.len());
    for batch in remote_ids.chunks(METRICS_BATCH) {
        let query: Vec<String> = batch
            .iter()
            .map(|id| format!("id[]={}", http::encode(id)))
            .collect();
        let url = format!("{}/api/v1/statuses?{}", channel.base, query.join("&"));
        let found: Vec<Status> = checked(http::get(&url).send()?)?.json()?;
        for s in found {
            let Some(remote_id) = id_text(&s.id) else {
                continue;
            };
            all.push(Counters {
                remote_id,
                reactions: s.favourites_count,
                reshares: s.reblogs_count,
                replies: s.replies_count,
                quotes: s.quotes_count,
                // Mastodon counts no views or clicks.
                views: None,
                clicks: None,
            });
        }
    }
    Ok(all)
}

/// Public statuses for `query`: a tag's timeline for `#tag`, else the statuses search. The
/// cursor is the newest status id seen; older ones are left out even where the server ignores
/// `min_id` (its search pages by offset only).
pub fn search(
    account: AccountRef,
    query: String,
    cursor: Option<String>,
) -> Result<ActivityPage, CallError> {
    #[derive(Deserialize)]
    struct Found {
        statuses: Vec<Status>,
    }
    let channel = channel(&account).map_err(CallError::Rejected)?;
    let query = query.trim();
    if query.is_empty() || query == "#" {
        return Err(rejected("search for some words, or a #tag"));
    }
    let statuses: Vec<Status> = match query.strip_prefix('#') {
        Some(tag) => {
            let url = forward(
                format!(
                    "{}/api/v1/timelines/tag/{}?limit={PAGE}",
                    channel.base,
                    http::encode(tag)
                ),
                cursor.as_deref(),
            );
            checked(http::get(&url).send()?)?.json()?
        }
        None => {
            let url = forward(
                format!(
                    "{}/api/v2/search?type=statuses&limit={PAGE}&q={}",
                    channel.base,
                    http::encode(query)
                ),
                cursor.as_deref(),
            );
            let found: Found = checked(http::get(&url).send()?)?.json()?;
            found.statuses
        }
    };
    let more = statuses.len() >= PAGE;
    let mut newest = cursor.clone();
    let mut items = Vec::new();
    for s in statuses {
        let Some(id) = id_text(&s.id) else { continue };
        if cursor.as_deref().is_some_and(|seen| !newer(&id, seen)) {
            continue;
        }
        if newest.as_deref().is_none_or(|n| newer(&id, n)) {
            newest = Some(id);
        }
        items.push(activity(s, ActivityKind::Post)?);
    }
    oldest_first(&mut items);
    Ok(ActivityPage {
        items,
        next_cursor: newest,
        more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_plain_text() {
        assert_eq!(
            plain_text(
                "<p>Hallo <span class=\"h-card\">@<a href=\"x\">gemeente</a></span>,</p><p>is de weg &amp; brug open?<br>Dank!</p>"
            ),
            "Hallo @gemeente,\nis de weg & brug open?\nDank!"
        );
        assert_eq!(plain_text("no tags"), "no tags");
        assert_eq!(plain_text("broken <a"), "broken <a");
    }

    #[test]
    fn ids_compare_as_numbers() {
        assert!(newer("110", "99"));
        assert!(!newer("99", "110"));
        assert!(!newer("5", "5"));
    }

    #[test]
    fn a_cursor_round_trips_and_a_foreign_one_is_refused() {
        let c = Cursor {
            notifications: Some("12".into()),
            conversations: None,
        };
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(text, r#"{"notifications":"12"}"#);
        assert_eq!(Cursor::parse(Some(&text)).unwrap(), c);
        assert_eq!(Cursor::parse(None).unwrap(), Cursor::default());
        assert!(matches!(
            Cursor::parse(Some("42")),
            Err(CallError::Rejected(_))
        ));
    }
}
