//! The `app.bsky.feed.post` record and the other pieces of JSON a post is made of, at-URIs,
//! receipts and timestamps: everything that needs no network.

use serde_json::{Map, Value, json};

/// The collection of posts.
pub const POST: &str = "app.bsky.feed.post";

/// Bluesky's web app, for the receipt's URL.
const APP: &str = "https://bsky.app";

/// At most this many languages in `langs` (the lexicon's limit).
const MAX_LANGS: usize = 3;

/// A reference to one version of a record: `com.atproto.repo.strongRef`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrongRef {
    pub uri: String,
    pub cid: String,
}

impl StrongRef {
    fn to_json(&self) -> Value {
        json!({ "uri": self.uri, "cid": self.cid })
    }

    fn from_json(v: &Value) -> Option<Self> {
        Some(Self {
            uri: v.get("uri")?.as_str()?.to_owned(),
            cid: v.get("cid")?.as_str()?.to_owned(),
        })
    }
}

/// The parts of a post record.
#[derive(Debug, Clone, Default)]
pub struct Post {
    pub text: String,
    pub created_at: String,
    pub facets: Vec<Value>,
    pub embed: Option<Value>,
    pub reply: Option<Value>,
    pub langs: Vec<String>,
}

impl Post {
    /// The record, with the optional fields left out when empty.
    pub fn to_record(&self) -> Value {
        let mut record = Map::new();
        record.insert("$type".into(), POST.into());
        record.insert("text".into(), self.text.clone().into());
        record.insert("createdAt".into(), self.created_at.clone().into());
        if !self.facets.is_empty() {
            record.insert("facets".into(), self.facets.clone().into());
        }
        if let Some(embed) = &self.embed {
            record.insert("embed".into(), embed.clone());
        }
        if let Some(reply) = &self.reply {
            record.insert("reply".into(), reply.clone());
        }
        if !self.langs.is_empty() {
            record.insert("langs".into(), self.langs.clone().into());
        }
        Value::Object(record)
    }
}

/// `app.bsky.embed.images` from (alt text, blob) pairs, the blobs as `uploadBlob` returned them.
pub fn images_embed(images: Vec<(String, Value)>) -> Value {
    let images: Vec<Value> = images
        .into_iter()
        .map(|(alt, blob)| json!({ "alt": alt, "image": blob }))
        .collect();
    json!({ "$type": "app.bsky.embed.images", "images": images })
}

/// `app.bsky.embed.external`: a link card for `url`, titled with its host (no preview is
/// fetched: the plugin does not read other sites).
pub fn external_embed(url: &str) -> Value {
    json!({
        "$type": "app.bsky.embed.external",
        "external": { "uri": url, "title": host_of(url).unwrap_or(url), "description": "" },
    })
}

/// The host (and port) of an http(s) URL.
pub fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    (!host.is_empty()).then_some(host)
}

/// The `reply` of a post answering `parent`. `parent_record` is the parent's record value: if
/// it is itself a reply, the thread's root is its root, otherwise the parent is the root.
pub fn reply_ref(parent: &StrongRef, parent_record: &Value) -> Value {
    let root = parent_record
        .get("reply")
        .and_then(|r| r.get("root"))
        .and_then(StrongRef::from_json)
        .unwrap_or_else(|| parent.clone());
    json!({ "root": root.to_json(), "parent": parent.to_json() })
}

/// An at-URI of a record: `at://<authority>/<collection>/<rkey>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtUri {
    /// A DID or a handle.
    pub authority: String,
    pub collection: String,
    pub rkey: String,
}

impl AtUri {
    /// Parses a record's at-URI; `None` for anything else (a repo's or collection's URI, a
    /// query or fragment, characters no record key has).
    pub fn parse(s: &str) -> Option<Self> {
        let rest = s.trim().strip_prefix("at://")?;
        let mut parts = rest.split('/');
        let (authority, collection, rkey) = (parts.next()?, parts.next()?, parts.next()?);
        let ok = parts.next().is_none()
            && !authority.is_empty()
            && authority
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':'))
            && !collection.is_empty()
            && collection
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
            && is_record_key(rkey);
        ok.then(|| Self {
            authority: authority.to_owned(),
            collection: collection.to_owned(),
            rkey: rkey.to_owned(),
        })
    }
}

/// Whether `s` is a syntactically valid record key.
pub fn is_record_key(s: &str) -> bool {
    (1..=512).contains(&s.len())
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'~'))
}

/// The web URL of a post by `handle` with record key `rkey`.
pub fn post_url(handle: &str, rkey: &str) -> String {
    format!("{APP}/profile/{handle}/post/{rkey}")
}

/// The handle setting as an at-identifier: trimmed, without a leading `@`, a handle in
/// lowercase (a DID as it is).
pub fn normalize_handle(s: &str) -> String {
    let s = s.trim().trim_start_matches('@');
    if s.starts_with("did:") {
        s.to_owned()
    } else {
        s.to_ascii_lowercase()
    }
}

/// The `langs` of the `language` setting (`nl`, or `nl, en`): the valid language tags, at most
/// three, and the values that are not language tags.
pub fn langs(setting: Option<&str>) -> (Vec<String>, Vec<String>) {
    let mut valid = Vec::new();
    let mut invalid = Vec::new();
    for tag in setting
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        if is_language_tag(tag) && valid.len() < MAX_LANGS {
            valid.push(tag.to_owned());
        } else {
            invalid.push(tag.to_owned());
        }
    }
    (valid, invalid)
}

/// A plausible BCP 47 tag: a primary language of 2–3 letters, then subtags of 1–8 letters
/// and digits (`nl`, `nl-BE`, `zh-Hant-TW`).
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    let primary_ok =
        (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic());
    primary_ok
        && tag.len() <= 35
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// `millis` since the Unix epoch as an RFC 3339 timestamp in UTC with milliseconds:
/// `2024-05-06T07:08:09.010Z`.
pub fn rfc3339(millis: u64) -> String {
    let secs = millis / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        millis % 1000
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (in eras of 400 years of 146,097
/// days, the year counted from March so that the leap day comes last).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(rfc3339(1_709_251_199_999), "2024-02-29T23:59:59.999Z");
        assert_eq!(rfc3339(1_735_689_600_123), "2025-01-01T00:00:00.123Z");
        assert_eq!(rfc3339(4_102_444_800_000), "2100-01-01T00:00:00.000Z");
    }

    #[test]
    fn a_plain_post_has_only_the_required_fields() {
        let post = Post {
            text: "hallo".into(),
            created_at: rfc3339(0),
            ..Post::default()
        };
        assert_eq!(
            post.to_record(),
            json!({"$type": "app.bsky.feed.post", "text": "hallo",
                   "createdAt": "1970-01-01T00:00:00.000Z"})
        );
    }

    #[test]
    fn a_full_post() {
        let blob = json!({"$type": "blob", "ref": {"$link": "bafk"}, "mimeType": "image/png",
                          "size": 3});
        let parent = StrongRef {
            uri: "at://did:plc:a/app.bsky.feed.post/3a".into(),
            cid: "c1".into(),
        };
        let post = Post {
            text: "x".into(),
            created_at: "t".into(),
            facets: vec![json!({"f": 1})],
            embed: Some(images_embed(vec![("a cat".into(), blob.clone())])),
            reply: Some(reply_ref(&parent, &json!({"text": "root post"}))),
            langs: vec!["nl".into()],
        };
        assert_eq!(
            post.to_record(),
            json!({
                "$type": "app.bsky.feed.post", "text": "x", "createdAt": "t",
                "facets": [{"f": 1}],
                "embed": {"$type": "app.bsky.embed.images",
                          "images": [{"alt": "a cat", "image": blob}]},
                "reply": {"root": {"uri": parent.uri, "cid": "c1"},
                          "parent": {"uri": parent.uri, "cid": "c1"}},
                "langs": ["nl"],
            })
        );
    }

    #[test]
    fn a_reply_to_a_reply_keeps_the_root() {
        let parent = StrongRef {
            uri: "at://did:plc:a/app.bsky.feed.post/3b".into(),
            cid: "c2".into(),
        };
        let parent_record = json!({"text": "second", "reply": {
            "root": {"uri": "at://did:plc:a/app.bsky.feed.post/3a", "cid": "c1"},
            "parent": {"uri": "at://did:plc:a/app.bsky.feed.post/3a", "cid": "c1"}}});
        assert_eq!(
            reply_ref(&parent, &parent_record),
            json!({"root": {"uri": "at://did:plc:a/app.bsky.feed.post/3a", "cid": "c1"},
                   "parent": {"uri": "at://did:plc:a/app.bsky.feed.post/3b", "cid": "c2"}})
        );
    }

    #[test]
    fn link_cards() {
        assert_eq!(
            external_embed("https://user@example.org:8443/a?b"),
            json!({"$type": "app.bsky.embed.external", "external": {
                "uri": "https://user@example.org:8443/a?b", "title": "example.org:8443",
                "description": ""}})
        );
        assert_eq!(host_of("https://example.org"), Some("example.org"));
        assert_eq!(host_of("nonsense"), None);
    }

    #[test]
    fn at_uris() {
        assert_eq!(
            AtUri::parse("at://did:plc:abc123/app.bsky.feed.post/3kabc"),
            Some(AtUri {
                authority: "did:plc:abc123".into(),
                collection: POST.into(),
                rkey: "3kabc".into(),
            })
        );
        assert!(AtUri::parse("at://alice.test/app.bsky.feed.post/3kabc").is_some());
        for bad in [
            "https://bsky.app/profile/a/post/3k",
            "at://did:plc:a/app.bsky.feed.post",
            "at://did:plc:a/app.bsky.feed.post/3k/extra",
            "at://did:plc:a/app.bsky.feed.post/..",
            "at://did:plc:a/app.bsky.feed.post/a b",
            "at:///app.bsky.feed.post/3k",
            "at://did:plc:a/app.bsky.feed.post/3k?x=1",
        ] {
            assert_eq!(AtUri::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn settings() {
        assert_eq!(
            normalize_handle(" @Alice.BSKY.social "),
            "alice.bsky.social"
        );
        assert_eq!(
            normalize_handle("did:web:Example.org"),
            "did:web:Example.org"
        );
        assert_eq!(
            post_url("alice.test", "3kabc"),
            "https://bsky.app/profile/alice.test/post/3kabc"
        );
        assert_eq!(langs(None), (vec![], vec![]));
        assert_eq!(langs(Some("nl")), (vec!["nl".to_owned()], vec![]));
        assert_eq!(
            langs(Some(" nl-BE, en ,zh-Hant-TW, pt-BR, de ")),
            (
                vec!["nl-BE".to_owned(), "en".to_owned(), "zh-Hant-TW".to_owned()],
                vec!["pt-BR".to_owned(), "de".to_owned()]
            )
        );
        assert_eq!(
            langs(Some("Dutch, n1, nl-")),
            (
                vec![],
                vec!["Dutch".to_owned(), "n1".to_owned(), "nl-".to_owned()]
            )
        );
    }
}
