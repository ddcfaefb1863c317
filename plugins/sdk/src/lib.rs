//! The guest side of Heraut's plugin interface (`heraut:plugin@0.1.0`, world `connector`).
//!
//! A connector implements [`Connector`] — `describe` and `publish` are required, the rest have
//! sensible defaults — and exports itself with [`export_connector!`]:
//!
//! ```ignore
//! struct Mastodon;
//! impl heraut_plugin_sdk::Connector for Mastodon { /* ... */ }
//! heraut_plugin_sdk::export_connector!(Mastodon);
//! ```

#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub mod bindings {
    wit_bindgen::generate!({
        world: "connector",
        path: "../wit",
        pub_export_macro: true,
        export_macro_name: "__export_connector_world",
        default_bindings_module: "heraut_plugin_sdk::bindings",
    });
}

pub use bindings::heraut::plugin::host::{self, LogLevel};
pub use bindings::heraut::plugin::types::{
    AccountRef, ConnectorInfo, Draft, Media, OutgoingPost, Problem, PublishError, Receipt, Setting,
};

/// A network connector. Methods take no `self`: a fresh instance serves every call.
pub trait Connector {
    /// The network and its limits.
    fn describe() -> ConnectorInfo;

    /// Problems that keep `post` from going out. By default: the text length (in characters)
    /// against `max-chars`, the number of media against `max-media`, and missing alt text.
    fn validate(post: Draft) -> Vec<Problem> {
        default_validation(&Self::describe(), &post)
    }

    /// Publishes `post` exactly once per `post.idempotency_key`.
    fn publish(account: AccountRef, post: OutgoingPost) -> Result<Receipt, PublishError>;

    /// Deletes a published post. By default the network does not support it.
    fn delete(_account: AccountRef, _remote_id: String) -> Result<(), PublishError> {
        Err(PublishError::Rejected(
            "this network does not support deleting posts".to_owned(),
        ))
    }
}

/// The checks every network needs, for connectors that add their own to them.
pub fn default_validation(info: &ConnectorInfo, post: &Draft) -> Vec<Problem> {
    let mut problems = Vec::new();
    let chars = post.body.chars().count();
    if chars as u64 > u64::from(info.max_chars) {
        problems.push(Problem {
            field: "body".to_owned(),
            message: format!(
                "{} allows {} characters; this text has {chars}",
                info.display_name, info.max_chars
            ),
        });
    }
    if post.media.len() as u64 > u64::from(info.max_media) {
        problems.push(Problem {
            field: "media".to_owned(),
            message: format!(
                "{} allows {} images; this post has {}",
                info.display_name,
                info.max_media,
                post.media.len()
            ),
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
    problems
}

/// A line in the plugin's log, kept by the host.
pub fn log(level: LogLevel, message: &str) {
    host::log(level, message);
}

/// Exports a [`Connector`] as the component's `connector` world.
#[macro_export]
macro_rules! export_connector {
    ($connector:ty) => {
        const _: () = {
            struct __HerautExport;
            impl $crate::bindings::Guest for __HerautExport {
                fn describe() -> $crate::ConnectorInfo {
                    <$connector as $crate::Connector>::describe()
                }
                fn validate(post: $crate::Draft) -> ::std::vec::Vec<$crate::Problem> {
                    <$connector as $crate::Connector>::validate(post)
                }
                fn publish(
                    account: $crate::AccountRef,
                    post: $crate::OutgoingPost,
                ) -> ::std::result::Result<$crate::Receipt, $crate::PublishError> {
                    <$connector as $crate::Connector>::publish(account, post)
                }
                fn delete(
                    account: $crate::AccountRef,
                    remote_id: ::std::string::String,
                ) -> ::std::result::Result<(), $crate::PublishError> {
                    <$connector as $crate::Connector>::delete(account, remote_id)
                }
            }
            $crate::bindings::__export_connector_world!(__HerautExport with_types_in $crate::bindings);
        };
    };
}
