//! A well-behaved connector for the host's tests, built against the frozen
//! `heraut:plugin@0.1.0` with its own bindings (the SDK speaks 0.2): it keeps a component of the
//! first interface version running in every test that publishes through it.

#[allow(clippy::too_many_arguments)]
mod bindings {
    wit_bindgen::generate!({
        world: "connector",
        path: "../../wit/0.1",
        pub_export_macro: true,
        default_bindings_module: "bindings",
    });
}

use bindings::heraut::plugin::host::{LogLevel, log};
use bindings::{
    AccountRef, ConnectorInfo, Draft, Guest, OutgoingPost, Problem, PublishError, Receipt,
};

struct Echo;

const MAX_CHARS: usize = 20;

impl Guest for Echo {
    fn describe() -> ConnectorInfo {
        ConnectorInfo {
            network: "echo".to_owned(),
            display_name: "Echo".to_owned(),
            max_chars: MAX_CHARS as u32,
            max_media: 1,
            features: vec!["alt-text".to_owned()],
        }
    }

    fn validate(post: Draft) -> Vec<Problem> {
        let mut problems = Vec::new();
        let chars = post.body.chars().count();
        if chars > MAX_CHARS {
            problems.push(Problem {
                field: "body".to_owned(),
                message: format!("Echo allows {MAX_CHARS} characters; this text has {chars}"),
            });
        }
        for (i, m) in post.media.iter().enumerate() {
            if m.alt_text.trim().is_empty() {
                problems.push(Problem {
                    field: format!("media.{i}.alt-text"),
                    message: "describe the image in its alt text, for people who cannot see it"
                        .to_owned(),
                });
            }
        }
        if post.media.len() > 1 {
            problems.push(Problem {
                field: "media".to_owned(),
                message: format!("Echo allows 1 images; this post has {}", post.media.len()),
            });
        }
        problems
    }

    fn publish(account: AccountRef, post: OutgoingPost) -> Result<Receipt, PublishError> {
        log(
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

    fn delete(_account: AccountRef, _remote_id: String) -> Result<(), PublishError> {
        Err(PublishError::Rejected(
            "this network does not support deleting posts".to_owned(),
        ))
    }

    fn find_published(
        _account: AccountRef,
        _idempotency_key: String,
    ) -> Result<Option<Receipt>, PublishError> {
        Ok(None)
    }
}

bindings::export!(Echo with_types_in bindings);
