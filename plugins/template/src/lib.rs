//! A template connector for a JSON API, to copy and adapt.
//!
//! `publish` POSTs `{"text", "idempotency_key"}` to the channel's `url` setting with an
//! `Idempotency-Key` header and expects `{"id", "url"?}` back; `find_published` asks
//! `GET url?idempotency_key=…` (404: nothing). That is the protocol of Heraut's counting test
//! server, so `heraut plugin test` can try it locally; a real network needs its own calls here.
//! The host adds the channel's token to each request and checks every destination.

use heraut_plugin_sdk::{
    AccountRef, CallError, ConnectorInfo, OutgoingPost, Publishing, Receipt, http, setting,
};
use serde::Deserialize;

struct JsonApi;

/// What the API answers for a post.
#[derive(Deserialize)]
struct Created {
    id: serde_json::Value,
    url: Option<String>,
}

impl From<Created> for Receipt {
    fn from(c: Created) -> Self {
        Receipt {
            thread: Vec::new(),
            remote_id: match c.id {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            },
            url: c.url,
        }
    }
}

fn endpoint(account: &AccountRef) -> Result<&str, CallError> {
    setting(account, "url")
        .ok_or_else(|| CallError::Rejected("the channel has no `url` setting".to_owned()))
}

impl Publishing for JsonApi {
    fn describe() -> ConnectorInfo {
        ConnectorInfo {
            network: "json-api".to_owned(),
            display_name: "JSON API".to_owned(),
            max_chars: 280,
            max_media: 0,
            features: vec![],
        }
    }

    // `validate` keeps its default: text length and media count against `describe`.

    fn publish(account: AccountRef, post: OutgoingPost) -> Result<Receipt, CallError> {
        let created: Created = http::post(endpoint(&account)?)
            .header("idempotency-key", &post.idempotency_key)
            .json(&serde_json::json!({
                "text": post.body,
                "idempotency_key": post.idempotency_key,
            }))?
            .send()?
            .error_for_status()?
            .json()?;
        Ok(created.into())
    }

    fn find_published(
        account: AccountRef,
        idempotency_key: String,
    ) -> Result<Option<Receipt>, CallError> {
        let url = format!(
            "{}?idempotency_key={}",
            endpoint(&account)?,
            http::encode(&idempotency_key)
        );
        let response = http::get(&url).send()?;
        if response.status == 404 {
            return Ok(None);
        }
        let found: Created = response.error_for_status()?.json()?;
        Ok(Some(found.into()))
    }
}

heraut_plugin_sdk::export_connector!(JsonApi);
