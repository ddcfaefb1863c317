//! The guest side of Heraut's plugin interface (`heraut:plugin@0.1.0`, world `connector`).
//!
//! A connector implements [`Connector`] — `describe`, `publish` and `find_published` are
//! required, the rest have sensible defaults — and exports itself with [`export_connector!`].
//! It reaches its network with [`http`]; the host adds the channel's credentials to those
//! requests, so a connector never sees them.
//!
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

/// Bindings of the `reporter` world, sharing the interfaces of the connector's.
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub mod reporter_bindings {
    wit_bindgen::generate!({
        world: "reporter",
        path: "../wit",
        pub_export_macro: true,
        export_macro_name: "__export_reporter_world",
        default_bindings_module: "heraut_plugin_sdk::reporter_bindings",
        with: {
            "heraut:plugin/types@0.1.0": crate::bindings::heraut::plugin::types,
            "heraut:plugin/host@0.1.0": crate::bindings::heraut::plugin::host,
        },
    });
}

pub mod http;
pub mod multipart;

pub use bindings::heraut::plugin::types::{ReportInput, ReportOutput, ReporterInfo};

/// A reporting module: turns the data the host gives it into a document. It has no network.
pub trait Reporter {
    /// Its name and the formats (mime types) it writes.
    fn describe() -> ReporterInfo;

    /// Renders `input.data` (a JSON document the host describes) as `input.format`.
    fn render(input: ReportInput) -> Result<ReportOutput, String>;
}

/// Exports a [`Reporter`] as the component's `reporter` world.
#[macro_export]
macro_rules! export_reporter {
    ($reporter:ty) => {
        const _: () = {
            struct __HerautExport;
            impl $crate::reporter_bindings::Guest for __HerautExport {
                fn describe() -> $crate::ReporterInfo {
                    <$reporter as $crate::Reporter>::describe()
                }
                fn render(
                    input: $crate::ReportInput,
                ) -> ::std::result::Result<$crate::ReportOutput, ::std::string::String> {
                    <$reporter as $crate::Reporter>::render(input)
                }
            }
            $crate::reporter_bindings::__export_reporter_world!(__HerautExport with_types_in $crate::reporter_bindings);
        };
    };
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

    /// What an earlier `publish` with this key created, if anything. The host asks before it
    /// retries a publish whose outcome it does not know, so that a retry never posts twice.
    fn find_published(
        account: AccountRef,
        idempotency_key: String,
    ) -> Result<Option<Receipt>, PublishError>;

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

/// The bytes of a media file of the post being published.
pub fn read_media(media: &Media) -> Result<Vec<u8>, PublishError> {
    host::read_media(&media.id).map_err(PublishError::Transient)
}

/// The value of a channel setting.
pub fn setting<'a>(account: &'a AccountRef, key: &str) -> Option<&'a str> {
    account
        .settings
        .iter()
        .find(|s| s.key == key)
        .map(|s| s.value.as_str())
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
                fn find_published(
                    account: $crate::AccountRef,
                    idempotency_key: ::std::string::String,
                ) -> ::std::result::Result<
                    ::std::option::Option<$crate::Receipt>,
                    $crate::PublishError,
                > {
                    <$connector as $crate::Connector>::find_published(account, idempotency_key)
                }
            }
            $crate::bindings::__export_connector_world!(__HerautExport with_types_in $crate::bindings);
        };
    };
}
