//! The `feed` connector: a channel whose published posts appear in a public Atom feed
//! (RFC 4287) at `/feeds/{channel id}`, for an agency's website. Publishing records the post;
//! the feed is read from the published targets, so it never disagrees with the archive.

use chrono::{DateTime, Utc};
use heraut_db::{Scope, posts, scheduler};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::channels::connector::{
    ChannelAccount, Connector, OutgoingPost, PostOptions, Problem, PublishError, Receipt,
};
use crate::{Core, CoreError, CoreResult};

/// Plugin id of the built-in Atom feed connector.
pub const FEED: &str = "feed";

/// Entries in a feed document, newest first.
const FEED_ENTRIES: u64 = 50;

/// Longest post on a feed channel.
const FEED_MAX_CHARS: usize = 10_000;

/// The built-in `feed` connector.
pub struct Feed {
    /// `public_url`, for the feed's address in receipts.
    base: Option<String>,
}

impl Feed {
    pub fn new(public_url: Option<&str>) -> Self {
        Self {
            base: public_url.map(str::to_owned),
        }
    }

    fn url(&self, channel: Uuid) -> Option<String> {
        feed_url(self.base.as_deref(), channel)
    }
}

/// The public address of a feed channel's document, when `public_url` is known.
fn feed_url(public_url: Option<&str>, channel: Uuid) -> Option<String> {
    public_url.map(|b| format!("{}/feeds/{channel}", b.trim_end_matches('/')))
}

#[async_trait::async_trait]
impl Connector for Feed {
    fn check_settings(&self, settings: &Map<String, Value>) -> Result<(), String> {
        if let Some(k) = settings.keys().find(|k| k.as_str() != "title") {
            return Err(format!("unknown setting `{k}`; a feed takes: title"));
        }
        match settings.get("title").and_then(Value::as_str).map(str::trim) {
            Some(t) if !t.is_empty() && t.chars().count() <= 200 => Ok(()),
            _ => Err("the setting `title` (the feed's title) must be 1–200 characters".to_owned()),
        }
    }

    async fn validate(
        &self,
        _account: &ChannelAccount,
        body: &str,
        _media: usize,
        options: &PostOptions,
    ) -> Vec<Problem> {
        let mut problems = Problem::options_refused("An Atom feed", options);
        let n = body.chars().count();
        if n > FEED_MAX_CHARS {
            problems.push(Problem::text(format!(
                "the text has {n} characters; a feed entry takes at most {FEED_MAX_CHARS}"
            )));
        }
        problems
    }

    async fn publish(
        &self,
        account: &ChannelAccount,
        post: &OutgoingPost,
    ) -> Result<Receipt, PublishError> {
        // The entry is the published target itself: nothing to send, nothing to duplicate.
        Ok(Receipt {
            remote_id: post.idempotency_key.clone(),
            remote_url: self
                .url(account.channel_id)
                .map(|u| format!("{u}#{}", post.idempotency_key)),
            thread: Vec::new(),
        })
    }

    async fn find_published(
        &self,
        _account: &ChannelAccount,
        _idempotency_key: &str,
    ) -> Result<Option<Receipt>, PublishError> {
        Ok(None)
    }

    async fn delete(
        &self,
        _account: &ChannelAccount,
        _remote_id: &str,
    ) -> Result<(), PublishError> {
        // A deleted target leaves the feed at the next read.
        Ok(())
    }
}

/// One feed document.
pub struct FeedDocument {
    pub xml: String,
    pub updated: DateTime<Utc>,
}

impl Core {
    /// `GET /feeds/{channel}`: the Atom document of a `feed` channel; `None` when there is no
    /// such live feed channel.
    pub async fn feed(&self, channel_id: &str) -> CoreResult<Option<FeedDocument>> {
        let Ok(id) = Uuid::parse_str(channel_id) else {
            return Ok(None);
        };
        // The address names no tenant: find the channel first, then read in its tenant.
        let txn = self.db.begin_read(Scope::Scheduler).await?;
        let found = scheduler::channel_by_id(&txn, id).await?;
        txn.commit().await?;
        let Some(channel) = found.filter(|c| c.plugin == FEED && c.status != "disconnected") else {
            return Ok(None);
        };
        let tenant = heraut_proto::TenantId(channel.tenant_id);
        let txn = self.db.begin_read(Scope::Tenant(tenant)).await?;
        let entries = posts::published_on_channel(&txn, tenant, id, FEED_ENTRIES).await?;
        txn.commit().await?;
        let settings: Map<String, Value> = serde_json::from_str(&channel.settings)
            .map_err(|e| CoreError::internal(e.to_string()))?;
        let title = settings
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or(&channel.name);
        let updated = entries
            .iter()
            .filter_map(|t| t.published_at)
            .max()
            .unwrap_or(channel.created_at);
        let self_url = feed_url(self.config.public_url.as_deref(), id);
        let mut xml = String::with_capacity(1024 + entries.len() * 512);
        xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
        push_element(&mut xml, 1, "id", &format!("urn:uuid:{id}"));
        push_element(&mut xml, 1, "title", title);
        push_element(&mut xml, 1, "updated", &rfc3339(updated));
        xml.push_str("  <author>\n");
        push_element(&mut xml, 2, "name", &channel.name);
        xml.push_str("  </author>\n");
        if let Some(url) = &self_url {
            xml.push_str(&format!(
                "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
                escape(url)
            ));
        }
        push_element(&mut xml, 1, "generator", "Heraut");
        for t in &entries {
            let when = t.published_at.unwrap_or(t.updated_at);
            xml.push_str("  <entry>\n");
            push_element(&mut xml, 2, "id", &format!("urn:uuid:{}", t.id));
            push_element(&mut xml, 2, "title", &entry_title(&t.body));
            push_element(&mut xml, 2, "published", &rfc3339(when));
            push_element(&mut xml, 2, "updated", &rfc3339(when));
            xml.push_str(&format!(
                "    <content type=\"text\">{}</content>\n",
                escape(&t.body)
            ));
            xml.push_str("  </entry>\n");
        }
        xml.push_str("</feed>\n");
        Ok(Some(FeedDocument { xml, updated }))
    }
}

/// The first line of a post, at most 80 characters, as an entry's title.
fn entry_title(body: &str) -> String {
    let line = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let mut title: String = line.chars().take(80).collect();
    if line.chars().count() > 80 {
        title.push('…');
    }
    if title.is_empty() {
        title.push_str("(no text)");
    }
    title
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn push_element(xml: &mut String, depth: usize, name: &str, text: &str) {
    xml.push_str(&"  ".repeat(depth));
    xml.push_str(&format!("<{name}>{}</{name}>\n", escape(text)));
}

/// XML text and attribute escaping; characters XML 1.0 cannot carry are dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(
            escape("a < b & \"c\" \u{1}ok"),
            "a &lt; b &amp; &quot;c&quot; ok"
        );
    }

    #[test]
    fn titles_are_the_first_line_cut_at_80_characters() {
        assert_eq!(entry_title("\n  Road works\nMore text"), "Road works");
        let long = "é".repeat(100);
        assert_eq!(entry_title(&long).chars().count(), 81);
        assert_eq!(entry_title("  "), "(no text)");
    }
}
