//! Heraut's Bluesky connector: publishes `app.bsky.feed.post` records to the channel's PDS
//! over XRPC — text with link, mention and hashtag facets, up to four images with alt text or
//! a link card, replies in threads — finds them again by idempotency key, and deletes them.
//!
//! The host opens and refreshes the session with the channel's app password (`[auth] kind =
//! "session"` in `plugin.toml`) and adds its access token to every request; the connector
//! only knows the handle, which it uses as the `repo` of its calls.
//!
//! **Idempotency**: the record key is derived from the post's idempotency key (`tid.rs`), so
//! a retried publish names the same record and can never create a second one, and
//! `find_published` is one `getRecord` (see `flow::publish`).
//!
//! Everything but the calls themselves — facets, validation, the record key, the record,
//! error mapping, and the flow of `publish`, `find_published` and `delete` over an [`Env`] —
//! lives in plain modules with unit tests that run natively.

mod facets;
mod flow;
mod record;
mod tid;
mod validate;
mod xrpc;

use flow::{Env, Settings};
use heraut_plugin_sdk::{
    AccountRef, CallError, ConnectorInfo, Draft, LogLevel, Media, OutgoingPost, Problem,
    Publishing, Receipt,
};
use serde_json::Value;
use xrpc::{Created, Error, Pds, RecordView};

struct Bluesky;

/// The channel's PDS and the host's imports.
struct Live(Pds);

impl Live {
    fn new(settings: &Settings) -> Self {
        Self(Pds::new(&settings.pds_url))
    }
}

impl Env for Live {
    fn get_record(
        &self,
        repo: &str,
        collection: &str,
        rkey: &str,
    ) -> Result<Option<RecordView>, Error> {
        self.0.get_record(repo, collection, rkey)
    }

    fn create_record(
        &self,
        repo: &str,
        collection: &str,
        rkey: &str,
        record: &Value,
    ) -> Result<Created, Error> {
        self.0.create_record(repo, collection, rkey, record)
    }

    fn delete_record(&self, repo: &str, collection: &str, rkey: &str) -> Result<(), Error> {
        self.0.delete_record(repo, collection, rkey)
    }

    fn upload_blob(&self, mime_type: &str, bytes: Vec<u8>) -> Result<Value, Error> {
        self.0.upload_blob(mime_type, bytes)
    }

    fn resolve_handle(&self, handle: &str) -> Result<Option<String>, Error> {
        self.0.resolve_handle(handle)
    }

    fn read_media(&self, media: &Media) -> Result<Vec<u8>, CallError> {
        heraut_plugin_sdk::read_media(media)
    }

    fn now_millis(&self) -> u64 {
        heraut_plugin_sdk::host::now_millis()
    }

    fn log(&self, level: LogLevel, message: &str) {
        heraut_plugin_sdk::log(level, message);
    }
}

impl Publishing for Bluesky {
    fn describe() -> ConnectorInfo {
        ConnectorInfo {
            network: "bluesky".to_owned(),
            display_name: "Bluesky".to_owned(),
            max_chars: validate::MAX_GRAPHEMES as u32,
            max_media: validate::MAX_IMAGES as u32,
            features: vec!["threads".to_owned(), "alt-text".to_owned()],
        }
    }

    fn validate(post: Draft) -> Vec<Problem> {
        let mut problems = validate::problems(&post);
        problems.extend(heraut_plugin_sdk::option_problems(
            &Self::describe(),
            &post.options,
        ));
        problems
    }

    fn publish(account: AccountRef, post: OutgoingPost) -> Result<Receipt, CallError> {
        let settings = Settings::of(&account)?;
        flow::publish(&Live::new(&settings), &settings, &post)
    }

    fn find_published(
        account: AccountRef,
        idempotency_key: String,
    ) -> Result<Option<Receipt>, CallError> {
        let settings = Settings::of(&account)?;
        flow::find_published(&Live::new(&settings), &settings, &idempotency_key)
    }

    fn delete(account: AccountRef, remote_id: String) -> Result<(), CallError> {
        let settings = Settings::of(&account)?;
        flow::delete(&Live::new(&settings), &settings, &remote_id)
    }
}

heraut_plugin_sdk::export_connector!(Bluesky);
