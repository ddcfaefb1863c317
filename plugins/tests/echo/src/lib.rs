//! A well-behaved connector for the host's tests. With a `url` setting it speaks the protocol of
//! Heraut's `http-json` peers over wasi:http: `POST url` with `{"text", "idempotency_key"}`, and
//! `GET url?idempotency_key=…` to read back; without one it answers by itself.

use heraut_plugin_sdk::{
    AccountRef, Connector, ConnectorInfo, LogLevel, OutgoingPost, PublishError, Receipt, http,
    setting,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Answer {
    id: serde_json::Value,
    url: Option<String>,
}

impl Answer {
    fn receipt(self) -> Receipt {
        Receipt {
            remote_id: match self.id {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            },
            url: self.url,
        }
    }
}

struct Echo;

impl Connector for Echo {
    fn describe() -> ConnectorInfo {
        ConnectorInfo {
            network: "echo".to_owned(),
            display_name: "Echo".to_owned(),
            max_chars: 20,
            max_media: 1,
            features: vec!["alt-text".to_owned()],
        }
    }

    fn publish(account: AccountRef, post: OutgoingPost) -> Result<Receipt, PublishError> {
        heraut_plugin_sdk::log(
            LogLevel::Info,
            &format!("publishing {}", post.idempotency_key),
        );
        if post.body.is_empty() {
            return Err(PublishError::Rejected("empty post".to_owned()));
        }
        let Some(url) = setting(&account, "url") else {
            return Ok(Receipt {
                remote_id: format!("{}:{}", account.channel_id, post.idempotency_key),
                url: None,
            });
        };
        let answer: Answer = http::post(url)
            .header("idempotency-key", &post.idempotency_key)
            .json(&serde_json::json!({"text": post.body, "idempotency_key": post.idempotency_key}))?
            .send()?
            .error_for_status()?
            .json()?;
        Ok(answer.receipt())
    }

    fn find_published(
        account: AccountRef,
        idempotency_key: String,
    ) -> Result<Option<Receipt>, PublishError> {
        let Some(url) = setting(&account, "url") else {
            return Ok(None);
        };
        let response = http::get(&format!(
            "{url}?idempotency_key={}",
            http::encode(&idempotency_key)
        ))
        .send()?;
        if response.status == 404 {
            return Ok(None);
        }
        let answer: Answer = response.error_for_status()?.json()?;
        Ok(Some(answer.receipt()))
    }
}

heraut_plugin_sdk::export_connector!(Echo);
