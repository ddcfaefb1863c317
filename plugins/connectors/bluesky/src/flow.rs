//! What `publish`, `find_published` and `delete` do, over an [`Env`]: the PDS's XRPC calls and
//! the host's imports. The component runs it against the channel's PDS (`lib.rs`); the tests
//! below run it against a PDS in memory.

use heraut_plugin_sdk::{AccountRef, CallError, Draft, LogLevel, Media, OutgoingPost, Receipt};
use serde_json::Value;

use crate::record::{self, AtUri, POST, StrongRef};
use crate::xrpc::{Created, Error, RecordView};
use crate::{facets, tid, validate};

/// The PDS of a channel without a `pds_url` setting.
pub const DEFAULT_PDS: &str = "https://bsky.social";

/// Handles resolved per post, at most; further mentions get no facet (each costs a request,
/// and a call has a deadline).
const MAX_MENTIONS: usize = 16;

/// What the connector needs from the world.
pub trait Env {
    fn get_record(
        &self,
        repo: &str,
        collection: &str,
        rkey: &str,
    ) -> Result<Option<RecordView>, Error>;
    fn create_record(
        &self,
        repo: &str,
        collection: &str,
        rkey: &str,
        record: &Value,
    ) -> Result<Created, Error>;
    fn delete_record(&self, repo: &str, collection: &str, rkey: &str) -> Result<(), Error>;
    fn upload_blob(&self, mime_type: &str, bytes: Vec<u8>) -> Result<Value, Error>;
    fn resolve_handle(&self, handle: &str) -> Result<Option<String>, Error>;
    fn read_media(&self, media: &Media) -> Result<Vec<u8>, CallError>;
    fn now_millis(&self) -> u64;
    fn log(&self, level: LogLevel, message: &str);
}

/// A channel's settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub pds_url: String,
    /// The at-identifier of the account: the `repo` of every call.
    pub handle: String,
    pub language: Option<String>,
}

impl Settings {
    pub fn of(account: &AccountRef) -> Result<Self, CallError> {
        let get = |key: &str| {
            account
                .settings
                .iter()
                .find(|s| s.key == key)
                .map(|s| s.value.trim())
                .filter(|v| !v.is_empty())
        };
        let handle = get("handle")
            .map(record::normalize_handle)
            .filter(|h| !h.is_empty())
            .ok_or_else(|| rejected("the channel has no `handle` setting"))?;
        Ok(Self {
            pds_url: get("pds_url").unwrap_or(DEFAULT_PDS).to_owned(),
            handle,
            language: get("language").map(str::to_owned),
        })
    }

    /// The receipt of the post at `uri` (its record key `rkey` if the URI cannot be read).
    fn receipt(&self, uri: String, rkey: &str) -> Receipt {
        let rkey = AtUri::parse(&uri).map_or_else(|| rkey.to_owned(), |u| u.rkey);
        Receipt {
            thread: Vec::new(),
            url: Some(record::post_url(&self.handle, &rkey)),
            remote_id: uri,
        }
    }
}

fn rejected(message: impl Into<String>) -> CallError {
    CallError::Rejected(message.into())
}

/// Publishes `post` once per idempotency key.
///
/// Looks the record up first (a retry finds what an earlier attempt created, without
/// uploading anything), then creates it under the record key derived from the idempotency
/// key. If creating fails with anything but an auth or rate-limit error, it reads the record
/// back: a PDS answers a create under an existing key with an error (a 500, from the reference
/// PDS), and an answer can be lost after the write; either way the post is there and this is
/// its receipt.
pub fn publish(
    env: &impl Env,
    settings: &Settings,
    post: &OutgoingPost,
) -> Result<Receipt, CallError> {
    let rkey = tid::rkey_for(&post.idempotency_key);
    if let Some(found) = env.get_record(&settings.handle, POST, &rkey)? {
        env.log(
            LogLevel::Info,
            &format!("{} was published earlier with this key", found.uri),
        );
        return Ok(settings.receipt(found.uri, &rkey));
    }
    let problems = validate::problems(&Draft {
        options: heraut_plugin_sdk::no_options(),
        body: post.body.clone(),
        media: post.media.clone(),
    });
    if !problems.is_empty() {
        let list: Vec<String> = problems
            .into_iter()
            .map(|p| format!("{}: {}", p.field, p.message))
            .collect();
        return Err(rejected(list.join("; ")));
    }
    let record = build(env, settings, post)?;
    let failure = match env.create_record(&settings.handle, POST, &rkey, &record) {
        Ok(created) => {
            env.log(
                LogLevel::Info,
                &format!("created {} ({})", created.uri, created.cid),
            );
            return Ok(settings.receipt(created.uri, &rkey));
        }
        Err(e) if e.is_auth() || e.is_rate_limited() => return Err(e.into()),
        Err(e) => e,
    };
    match env.get_record(&settings.handle, POST, &rkey) {
        Ok(Some(found)) => {
            env.log(
                LogLevel::Info,
                &format!("creating answered `{failure}`, but {} is there", found.uri),
            );
            Ok(settings.receipt(found.uri, &rkey))
        }
        Ok(None) => Err(failure.into()),
        Err(again) => {
            env.log(
                LogLevel::Warn,
                &format!("creating answered `{failure}`; reading back answered `{again}`"),
            );
            Err(failure.into())
        }
    }
}

/// What `publish` created for `idempotency_key`, if anything.
pub fn find_published(
    env: &impl Env,
    settings: &Settings,
    idempotency_key: &str,
) -> Result<Option<Receipt>, CallError> {
    let rkey = tid::rkey_for(idempotency_key);
    Ok(env
        .get_record(&settings.handle, POST, &rkey)?
        .map(|found| settings.receipt(found.uri, &rkey)))
}

/// Deletes the post at `remote_id` from the channel's repository; one already gone is no error.
pub fn delete(env: &impl Env, settings: &Settings, remote_id: &str) -> Result<(), CallError> {
    let uri = AtUri::parse(remote_id)
        .filter(|u| u.collection == POST)
        .ok_or_else(|| rejected(format!("`{remote_id}` is not the at-URI of a Bluesky post")))?;
    env.delete_record(&settings.handle, POST, &uri.rkey)?;
    Ok(())
}

/// The record of `post`: facets (resolving mentioned handles), reply, images or link card,
/// languages.
fn build(env: &impl Env, settings: &Settings, post: &OutgoingPost) -> Result<Value, CallError> {
    let spans = facets::detect(&post.body);
    let mut dids: Vec<(&str, String)> = Vec::new();
    for (i, handle) in facets::mentioned_handles(&spans).into_iter().enumerate() {
        if i == MAX_MENTIONS {
            env.log(
                LogLevel::Warn,
                &format!("more than {MAX_MENTIONS} accounts mentioned: the rest get no link"),
            );
            break;
        }
        match env.resolve_handle(handle)? {
            Some(did) => dids.push((handle, did)),
            None => env.log(
                LogLevel::Info,
                &format!("@{handle} is no account the PDS can resolve: mentioned without a link"),
            ),
        }
    }
    let facets = facets::to_json(&spans, |handle| {
        dids.iter()
            .find(|(h, _)| *h == handle)
            .map(|(_, did)| did.clone())
    });
    let reply = post
        .options
        .reply_to
        .as_deref()
        .map(|parent| reply_to(env, parent))
        .transpose()?;
    let embed = if post.media.is_empty() {
        facets::first_link(&spans).map(record::external_embed)
    } else {
        Some(images(env, post)?)
    };
    let (langs, invalid) = record::langs(settings.language.as_deref());
    for tag in invalid {
        env.log(
            LogLevel::Warn,
            &format!(
                "the language `{tag}` is left out: not a language tag like `nl` or `pt-BR`, or \
                 more than the 3 Bluesky takes"
            ),
        );
    }
    Ok(record::Post {
        text: post.body.clone(),
        created_at: record::rfc3339(env.now_millis()),
        facets,
        embed,
        reply,
        langs,
    }
    .to_record())
}

/// The `reply` of a post answering the post at `remote_id`: its parent as the PDS has it now,
/// and the root of the parent's thread.
fn reply_to(env: &impl Env, remote_id: &str) -> Result<Value, CallError> {
    let uri = AtUri::parse(remote_id)
        .filter(|u| u.collection == POST)
        .ok_or_else(|| {
            rejected(format!(
                "`{remote_id}` is not the at-URI of a Bluesky post, so this post cannot reply \
                 to it"
            ))
        })?;
    let parent = env
        .get_record(&uri.authority, &uri.collection, &uri.rkey)?
        .ok_or_else(|| {
            rejected(format!(
                "the post this one replies to ({remote_id}) does not exist (any more)"
            ))
        })?;
    let cid = parent.cid.ok_or_else(|| {
        rejected(format!(
            "the PDS did not say which version of {remote_id} it has, so this post cannot \
             reply to it"
        ))
    })?;
    Ok(record::reply_ref(
        &StrongRef {
            uri: parent.uri,
            cid,
        },
        &parent.value,
    ))
}

/// The images of `post`, uploaded as blobs, as an `app.bsky.embed.images`.
fn images(env: &impl Env, post: &OutgoingPost) -> Result<Value, CallError> {
    let mut images = Vec::with_capacity(post.media.len());
    for (i, media) in post.media.iter().enumerate() {
        let bytes = env.read_media(media)?;
        if bytes.len() as u64 > validate::MAX_IMAGE_BYTES {
            return Err(rejected(format!(
                "image {} is {} bytes; Bluesky takes images of at most {} bytes",
                i + 1,
                bytes.len(),
                validate::MAX_IMAGE_BYTES
            )));
        }
        let blob = env.upload_blob(media.mime_type.trim(), bytes)?;
        images.push((media.alt_text.clone(), blob));
    }
    Ok(record::images_embed(images))
}

#[cfg(test)]
mod tests {
    use super::*;
    use heraut_plugin_sdk::Setting;
    use serde_json::json;
    use std::cell::{Cell, RefCell};
    use std::collections::BTreeMap;

    const ME: &str = "did:plc:me";

    /// A PDS in memory for the account `me.test`, which knows `alice.test` too.
    #[derive(Default)]
    struct Fake {
        /// By at-URI: (cid, value).
        records: RefCell<BTreeMap<String, (String, Value)>>,
        /// Every call, in order.
        calls: RefCell<Vec<String>>,
        /// The next create fails with this after it has written the record (a lost answer).
        lose_answer: RefCell<Option<Error>>,
        /// The next create fails with this without writing.
        refuse: RefCell<Option<Error>>,
        /// Written just before the next create looks: an earlier attempt's create landing.
        sneak: RefCell<Option<(String, Value)>>,
        writes: Cell<u32>,
        /// Bytes of each uploaded blob and its type.
        blobs: RefCell<Vec<(String, usize)>>,
    }

    fn xrpc(status: u16, error: &str) -> Error {
        Error::Xrpc {
            status,
            error: error.into(),
            message: String::new(),
            wait: None,
        }
    }

    impl Fake {
        fn did(repo: &str) -> String {
            if repo == "me.test" {
                ME.to_owned()
            } else {
                repo.to_owned()
            }
        }

        fn put(&self, uri: &str, value: Value) -> String {
            self.writes.set(self.writes.get() + 1);
            let cid = format!("bafy{}", self.writes.get());
            self.records
                .borrow_mut()
                .insert(uri.to_owned(), (cid.clone(), value));
            cid
        }

        fn calls(&self, prefix: &str) -> usize {
            self.calls
                .borrow()
                .iter()
                .filter(|c| c.starts_with(prefix))
                .count()
        }

        fn only_record(&self) -> Value {
            let records = self.records.borrow();
            assert_eq!(records.len(), 1, "{records:?}");
            records
                .values()
                .next()
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        }
    }

    impl Env for Fake {
        fn get_record(
            &self,
            repo: &str,
            collection: &str,
            rkey: &str,
        ) -> Result<Option<RecordView>, Error> {
            self.calls.borrow_mut().push(format!("get {repo} {rkey}"));
            let uri = format!("at://{}/{collection}/{rkey}", Self::did(repo));
            Ok(self
                .records
                .borrow()
                .get(&uri)
                .map(|(cid, value)| RecordView {
                    uri: uri.clone(),
                    cid: Some(cid.clone()),
                    value: value.clone(),
                }))
        }

        fn create_record(
            &self,
            repo: &str,
            collection: &str,
            rkey: &str,
            record: &Value,
        ) -> Result<Created, Error> {
            self.calls
                .borrow_mut()
                .push(format!("create {repo} {rkey}"));
            if let Some(e) = self.refuse.borrow_mut().take() {
                return Err(e);
            }
            if let Some((uri, value)) = self.sneak.borrow_mut().take() {
                self.put(&uri, value);
            }
            let uri = format!("at://{}/{collection}/{rkey}", Self::did(repo));
            if self.records.borrow().contains_key(&uri) {
                // What the reference PDS answers: its repository refuses a second value.
                return Err(xrpc(500, "InternalServerError"));
            }
            let cid = self.put(&uri, record.clone());
            if let Some(e) = self.lose_answer.borrow_mut().take() {
                return Err(e);
            }
            Ok(Created { uri, cid })
        }

        fn delete_record(&self, repo: &str, collection: &str, rkey: &str) -> Result<(), Error> {
            self.calls
                .borrow_mut()
                .push(format!("delete {repo} {rkey}"));
            let uri = format!("at://{}/{collection}/{rkey}", Self::did(repo));
            self.records.borrow_mut().remove(&uri);
            Ok(())
        }

        fn upload_blob(&self, mime_type: &str, bytes: Vec<u8>) -> Result<Value, Error> {
            self.calls.borrow_mut().push(format!("upload {mime_type}"));
            let mut blobs = self.blobs.borrow_mut();
            blobs.push((mime_type.to_owned(), bytes.len()));
            Ok(
                json!({"$type": "blob", "ref": {"$link": format!("bafkblob{}", blobs.len())},
                      "mimeType": mime_type, "size": bytes.len()}),
            )
        }

        fn resolve_handle(&self, handle: &str) -> Result<Option<String>, Error> {
            self.calls.borrow_mut().push(format!("resolve {handle}"));
            Ok(match handle {
                "alice.test" => Some("did:plc:alice".to_owned()),
                "me.test" => Some(ME.to_owned()),
                _ => None,
            })
        }

        fn read_media(&self, media: &Media) -> Result<Vec<u8>, CallError> {
            Ok(vec![7; usize::try_from(media.size).unwrap_or_default()])
        }

        fn now_millis(&self) -> u64 {
            1_735_689_600_123
        }

        fn log(&self, _level: LogLevel, _message: &str) {}
    }

    fn settings(language: Option<&str>) -> Settings {
        let mut list = vec![
            Setting {
                key: "handle".into(),
                value: "@Me.test".into(),
            },
            Setting {
                key: "pds_url".into(),
                value: " ".into(),
            },
        ];
        if let Some(l) = language {
            list.push(Setting {
                key: "language".into(),
                value: l.into(),
            });
        }
        let s = Settings::of(&AccountRef {
            channel_id: "c".into(),
            settings: list,
        });
        let Ok(s) = s else { panic!("no settings") };
        assert_eq!(s.handle, "me.test");
        assert_eq!(s.pds_url, DEFAULT_PDS);
        s
    }

    fn post(key: &str, body: &str) -> OutgoingPost {
        OutgoingPost {
            idempotency_key: key.into(),
            body: body.into(),
            media: vec![],
            options: heraut_plugin_sdk::NetworkOptions {
                reply_to: None,
                ..heraut_plugin_sdk::no_options()
            },
        }
    }

    fn image(size: u64, alt: &str) -> Media {
        Media {
            id: format!("m{size}"),
            mime_type: "image/png".into(),
            alt_text: alt.into(),
            size,
        }
    }

    fn ok<T, E: std::fmt::Debug>(r: Result<T, E>) -> T {
        match r {
            Ok(v) => v,
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn a_post_is_published_once_and_found_by_its_key() {
        let pds = Fake::default();
        let s = settings(Some("nl"));
        let p = post(
            "k1",
            "Hallo @alice.test en @nobody.test! #heraut https://example.org/x.",
        );
        let receipt = ok(publish(&pds, &s, &p));
        let rkey = tid::rkey_for("k1");
        assert_eq!(
            receipt.remote_id,
            format!("at://did:plc:me/app.bsky.feed.post/{rkey}")
        );
        assert_eq!(
            receipt.url.as_deref(),
            Some(format!("https://bsky.app/profile/me.test/post/{rkey}").as_str())
        );
        assert_eq!(
            pds.only_record(),
            json!({
                "$type": "app.bsky.feed.post",
                "text": "Hallo @alice.test en @nobody.test! #heraut https://example.org/x.",
                "createdAt": "2025-01-01T00:00:00.123Z",
                "facets": [
                    {"index": {"byteStart": 6, "byteEnd": 17}, "features": [
                        {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:alice"}]},
                    {"index": {"byteStart": 35, "byteEnd": 42}, "features": [
                        {"$type": "app.bsky.richtext.facet#tag", "tag": "heraut"}]},
                    {"index": {"byteStart": 43, "byteEnd": 64}, "features": [
                        {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.org/x"}]},
                ],
                "embed": {"$type": "app.bsky.embed.external", "external": {
                    "uri": "https://example.org/x", "title": "example.org", "description": ""}},
                "langs": ["nl"],
            })
        );

        // A retry finds it and creates nothing; find-published finds it.
        let again = ok(publish(&pds, &s, &p));
        assert_eq!(
            (again.remote_id, again.url),
            (receipt.remote_id.clone(), receipt.url.clone())
        );
        assert_eq!(pds.calls("create"), 1);
        let found = ok(find_published(&pds, &s, "k1")).map(|r| (r.remote_id, r.url));
        assert_eq!(found, Some((receipt.remote_id, receipt.url)));
        assert!(ok(find_published(&pds, &s, "k2")).is_none());
    }

    #[test]
    fn a_lost_answer_is_read_back() {
        let pds = Fake::default();
        let s = settings(None);
        *pds.lose_answer.borrow_mut() = Some(Error::Http(heraut_plugin_sdk::http::Error::Failed(
            "timed out".into(),
        )));
        let receipt = ok(publish(&pds, &s, &post("k", "hallo")));
        assert!(receipt.remote_id.ends_with(&tid::rkey_for("k")));
        assert_eq!(pds.calls("create"), 1);
        assert_eq!(pds.calls("get"), 2, "before creating and after");
    }

    #[test]
    fn a_create_that_races_an_earlier_attempt_returns_its_post() {
        let pds = Fake::default();
        let s = settings(None);
        let p = post("k", "hallo");
        let uri = format!("at://{ME}/{POST}/{}", tid::rkey_for("k"));
        // A 500 without the record stays a passing failure.
        *pds.refuse.borrow_mut() = Some(xrpc(500, "InternalServerError"));
        assert!(matches!(
            publish(&pds, &s, &p),
            Err(CallError::Transient(_))
        ));
        // The first look finds nothing; then an earlier attempt's create lands, so this
        // create meets the record (the PDS's 500) and reads it back.
        *pds.sneak.borrow_mut() = Some((uri.clone(), json!({"text": "hallo"})));
        let receipt = ok(publish(&pds, &s, &p));
        assert_eq!(receipt.remote_id, uri);
        assert_eq!(pds.records.borrow().len(), 1);
    }

    #[test]
    fn refusals_are_not_read_back_as_success() {
        let pds = Fake::default();
        let s = settings(None);
        *pds.refuse.borrow_mut() = Some(xrpc(400, "InvalidRequest"));
        assert!(matches!(
            publish(&pds, &s, &post("k", "hallo")),
            Err(CallError::Rejected(_))
        ));
        *pds.refuse.borrow_mut() = Some(xrpc(401, "AuthMissing"));
        let gets = pds.calls("get");
        assert!(matches!(
            publish(&pds, &s, &post("k", "hallo")),
            Err(CallError::AuthExpired(_))
        ));
        assert_eq!(
            pds.calls("get"),
            gets + 1,
            "no read-back after an auth error"
        );
        assert!(pds.records.borrow().is_empty());
    }

    #[test]
    fn images_are_uploaded_and_embedded_without_a_link_card() {
        let pds = Fake::default();
        let s = settings(None);
        let mut p = post("k", "Kijk: https://example.org");
        p.media = vec![image(10, "een kat"), image(20, "een hond")];
        ok(publish(&pds, &s, &p));
        assert_eq!(
            *pds.blobs.borrow(),
            vec![("image/png".to_owned(), 10), ("image/png".to_owned(), 20)]
        );
        let record = pds.only_record();
        let embed = &record["embed"];
        assert_eq!(embed["$type"], "app.bsky.embed.images");
        assert_eq!(embed["images"][0]["alt"], "een kat");
        assert_eq!(embed["images"][1]["image"]["ref"]["$link"], "bafkblob2");
        assert_eq!(
            record["facets"][0]["features"][0]["uri"],
            "https://example.org"
        );
        assert!(record.get("langs").is_none());
    }

    #[test]
    fn invalid_posts_are_refused_before_anything_is_sent() {
        let pds = Fake::default();
        let s = settings(None);
        let mut p = post("k", "x");
        p.media = vec![image(1, "a"); 5];
        assert!(
            matches!(publish(&pds, &s, &p), Err(CallError::Rejected(m)) if m.contains("media"))
        );
        assert_eq!(pds.calls("upload") + pds.calls("create"), 0);
    }

    #[test]
    fn replies_keep_the_thread_root() {
        let pds = Fake::default();
        let s = settings(None);
        let first = ok(publish(&pds, &s, &post("k1", "one")));
        let mut second = post("k2", "two");
        second.options.reply_to = Some(first.remote_id.clone());
        let second = ok(publish(&pds, &s, &second));
        let mut third = post("k3", "three");
        third.options.reply_to = Some(second.remote_id.clone());
        ok(publish(&pds, &s, &third));
        let records = pds.records.borrow();
        let (first_cid, _) = &records[&first.remote_id];
        let (second_cid, second_value) = &records[&second.remote_id];
        let root = json!({"uri": first.remote_id, "cid": first_cid});
        assert_eq!(second_value["reply"], json!({"root": root, "parent": root}));
        let third_value = &records[&format!("at://{ME}/{POST}/{}", tid::rkey_for("k3"))].1;
        assert_eq!(
            third_value["reply"],
            json!({"root": root, "parent": {"uri": second.remote_id, "cid": second_cid}})
        );
    }

    #[test]
    fn a_reply_to_something_else_is_refused() {
        let pds = Fake::default();
        let s = settings(None);
        for parent in [
            "https://bsky.app/profile/a/post/3k",
            "at://did:plc:me/app.bsky.feed.like/3k",
            "at://did:plc:me/app.bsky.feed.post/3kgone",
        ] {
            let mut p = post("k", "x");
            p.options.reply_to = Some(parent.into());
            assert!(
                matches!(publish(&pds, &s, &p), Err(CallError::Rejected(_))),
                "{parent}"
            );
        }
        assert!(pds.records.borrow().is_empty());
    }

    #[test]
    fn delete() {
        let pds = Fake::default();
        let s = settings(None);
        let receipt = ok(publish(&pds, &s, &post("k", "x")));
        ok(super::delete(&pds, &s, &receipt.remote_id));
        assert!(pds.records.borrow().is_empty());
        ok(super::delete(&pds, &s, &receipt.remote_id));
        assert!(matches!(
            super::delete(&pds, &s, "at://did:plc:me/app.bsky.graph.follow/3k"),
            Err(CallError::Rejected(_))
        ));
        assert!(matches!(
            super::delete(&pds, &s, "42"),
            Err(CallError::Rejected(_))
        ));
    }

    #[test]
    fn settings_need_a_handle() {
        let none = Settings::of(&AccountRef {
            channel_id: "c".into(),
            settings: vec![Setting {
                key: "handle".into(),
                value: "  ".into(),
            }],
        });
        assert!(matches!(none, Err(CallError::Rejected(_))));
    }
}
