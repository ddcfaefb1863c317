//! A well-behaved connector for the host's tests.

use heraut_plugin_sdk::{
    AccountRef, Connector, ConnectorInfo, LogLevel, OutgoingPost, PublishError, Receipt,
};

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
        Ok(Receipt {
            remote_id: format!("{}:{}", account.channel_id, post.idempotency_key),
            url: None,
        })
    }

    fn find_published(
        _account: AccountRef,
        _idempotency_key: String,
    ) -> Result<Option<Receipt>, PublishError> {
        Ok(None)
    }
}

heraut_plugin_sdk::export_connector!(Echo);
