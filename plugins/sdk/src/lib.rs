//! The guest side of Heraut's plugin interface, `heraut:plugin@0.2.0`.
//!
//! A connector implements one trait per capability its network has — [`Publishing`] always,
//! [`Inbound`], [`Replying`], [`Metrics`] and [`Searching`] where it can — and exports itself
//! with [`export_connector!`] (publishing only) or, from the crate `heraut-plugin-sdk-two-way`,
//! `export_two_way_connector!` (all five).
//! The host learns what the component can do from what it exports. It reaches its network with
//! [`http`]; the host adds the channel's credentials to requests to the channel's own origin, so
//! a connector never sees them. A reporting module implements [`Reporter`] and is exported with
//! [`export_reporter!`].
//!
//! ```ignore
//! struct Mastodon;
//! impl heraut_plugin_sdk::Publishing for Mastodon { /* ... */ }
//! impl heraut_plugin_sdk::Inbound for Mastodon { /* ... */ }
//! // ... Replying, Metrics, Searching
//! heraut_plugin_sdk_two_way::export_two_way_connector!(Mastodon);
//! ```

/// Bindings of the `connector` world (publishing), which hold the records and the host
/// interface every world shares. The `two-way-connector` world's bindings are in the crate
/// `heraut-plugin-sdk-two-way` (both worlds export `publishing`, whose generated export macro
/// may exist once per crate).
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub mod bindings {
    wit_bindgen::generate!({
        world: "connector",
        path: "../wit/0.2",
        pub_export_macro: true,
        export_macro_name: "__export_connector_world",
        default_bindings_module: "heraut_plugin_sdk::bindings",
    });
}

/// Bindings of the `reporter` world, sharing the host interface.
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub mod reporter_bindings {
    wit_bindgen::generate!({
        world: "reporter",
        path: "../wit/0.2",
        pub_export_macro: true,
        export_macro_name: "__export_reporter_world",
        default_bindings_module: "heraut_plugin_sdk::reporter_bindings",
        with: {
            "heraut:plugin/host@0.2.0": crate::bindings::heraut::plugin::host,
        },
    });
}

pub mod http;
pub mod multipart;

pub use reporter_bindings::exports::heraut::plugin::reporting::{
    Cell, Column, ColumnKind, ReportInput, ReportOutput, ReporterInfo, Table,
};

/// A reporting module: turns the tables the host gives it into a document. It has no network.
pub trait Reporter {
    /// Its name and the formats (mime types) it writes.
    fn describe() -> ReporterInfo;

    /// Renders `input.tables` as `input.format`.
    fn render(input: ReportInput) -> Result<ReportOutput, String>;
}

/// Exports a [`Reporter`] as the component's `reporter` world.
#[macro_export]
macro_rules! export_reporter {
    ($reporter:ty) => {
        const _: () = {
            struct __HerautExport;
            impl $crate::reporter_bindings::exports::heraut::plugin::reporting::Guest
                for __HerautExport
            {
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
    AccountRef, Activity, ActivityKind, ActivityPage, Author, CallError, ConnectorInfo, Counters,
    Draft, Media, NetworkOptions, OutgoingPost, Part, Poll, Problem, Receipt, Setting,
};

/// Publishing, which every connector has. Methods take no `self`: a fresh instance serves
/// every call.
pub trait Publishing {
    /// The network and its limits.
    fn describe() -> ConnectorInfo;

    /// Problems that keep `post` from going out. By default: the text length (in characters)
    /// against `max-chars`, the number of media against `max-media`, missing alt text, and
    /// network options the connector's `features` do not name ([`option_problems`]).
    fn validate(post: Draft) -> Vec<Problem> {
        default_validation(&Self::describe(), &post)
    }

    /// Publishes `post` (and its thread) exactly once per `post.idempotency_key`.
    fn publish(account: AccountRef, post: OutgoingPost) -> Result<Receipt, CallError>;

    /// What an earlier `publish` with this key created, if anything. The host asks before it
    /// retries a publish whose outcome it does not know, so that a retry never posts twice.
    fn find_published(
        account: AccountRef,
        idempotency_key: String,
    ) -> Result<Option<Receipt>, CallError>;

    /// Deletes a published post. By default the network does not support it.
    fn delete(_account: AccountRef, _remote_id: String) -> Result<(), CallError> {
        Err(CallError::Rejected(
            "this network does not support deleting posts".to_owned(),
        ))
    }
}

/// Reading what the network says to and about the channel.
pub trait Inbound {
    /// What is new after `cursor` (from a recent start when `None`), oldest first, with the
    /// cursor of the next page. Repeating an item is harmless: the host keeps one per remote id.
    fn fetch_activity(
        account: AccountRef,
        cursor: Option<String>,
    ) -> Result<ActivityPage, CallError>;

    /// The conversation around `remote_id`, oldest first.
    fn fetch_thread(account: AccountRef, remote_id: String) -> Result<Vec<Activity>, CallError>;
}

/// Answering and re-sharing.
pub trait Replying {
    /// Publishes `post` as an answer to `to_remote_id`, once per idempotency key.
    fn reply(
        account: AccountRef,
        to_remote_id: String,
        post: OutgoingPost,
    ) -> Result<Receipt, CallError>;

    /// Re-shares `remote_id` on the channel's account; twice is once.
    fn reshare(account: AccountRef, remote_id: String) -> Result<Receipt, CallError>;
}

/// Counters of published posts.
pub trait Metrics {
    /// The counters of each post the network still has; a counter it does not give is `None`.
    fn fetch_metrics(
        account: AccountRef,
        remote_ids: Vec<String>,
    ) -> Result<Vec<Counters>, CallError>;
}

/// Searching the network, for listening.
pub trait Searching {
    /// Public posts matching `query` (words, or `#tag` for a tag's timeline) after `cursor`.
    fn search(
        account: AccountRef,
        query: String,
        cursor: Option<String>,
    ) -> Result<ActivityPage, CallError>;
}

/// No network options: a plain post.
pub fn no_options() -> NetworkOptions {
    NetworkOptions {
        poll: None,
        content_warning: None,
        reply_to: None,
        thread: Vec::new(),
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
    problems.extend(option_problems(info, &post.options));
    problems
}

/// The network options of a post that `info.features` do not name — `polls`,
/// `content-warning`, `thread-parts` (follow-up parts in one post; `threads` is answering
/// earlier posts) — and a poll or parts that cannot go out anywhere. For connectors with a
/// `validate` of their own, which should add these.
pub fn option_problems(info: &ConnectorInfo, options: &NetworkOptions) -> Vec<Problem> {
    let mut problems = Vec::new();
    let has = |f: &str| info.features.iter().any(|x| x == f);
    let mut refuse = |field: &str, what: &str| {
        problems.push(Problem {
            field: field.to_owned(),
            message: format!("{} cannot carry {what}", info.display_name),
        })
    };
    if options.poll.is_some() && !has("polls") {
        refuse("poll", "a poll");
    }
    if options.content_warning.is_some() && !has("content-warning") {
        refuse("content_warning", "a content warning");
    }
    if !options.thread.is_empty() && !has("thread-parts") {
        refuse("thread", "a thread of several parts in one post");
    }
    if let Some(poll) = &options.poll
        && poll.options.len() < 2
    {
        problems.push(Problem {
            field: "poll".to_owned(),
            message: "a poll needs at least two answers".to_owned(),
        });
    }
    for (i, part) in options.thread.iter().enumerate() {
        let chars = part.chars().count();
        if chars as u64 > u64::from(info.max_chars) {
            problems.push(Problem {
                field: format!("thread.{i}"),
                message: format!(
                    "{} allows {} characters; part {} of the thread has {chars}",
                    info.display_name,
                    info.max_chars,
                    i + 2
                ),
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
pub fn read_media(media: &Media) -> Result<Vec<u8>, CallError> {
    host::read_media(&media.id).map_err(CallError::Transient)
}

/// The value of a channel setting.
pub fn setting<'a>(account: &'a AccountRef, key: &str) -> Option<&'a str> {
    account
        .settings
        .iter()
        .find(|s| s.key == key)
        .map(|s| s.value.as_str())
}

#[doc(hidden)]
#[macro_export]
macro_rules! __publishing_guest {
    ($connector:ty, $($bindings:tt)*) => {
        impl $($bindings)*::exports::heraut::plugin::publishing::Guest for __HerautExport {
            fn describe() -> $crate::ConnectorInfo {
                <$connector as $crate::Publishing>::describe()
            }
            fn validate(post: $crate::Draft) -> ::std::vec::Vec<$crate::Problem> {
                <$connector as $crate::Publishing>::validate(post)
            }
            fn publish(
                account: $crate::AccountRef,
                post: $crate::OutgoingPost,
            ) -> ::std::result::Result<$crate::Receipt, $crate::CallError> {
                <$connector as $crate::Publishing>::publish(account, post)
            }
            fn delete(
                account: $crate::AccountRef,
                remote_id: ::std::string::String,
            ) -> ::std::result::Result<(), $crate::CallError> {
                <$connector as $crate::Publishing>::delete(account, remote_id)
            }
            fn find_published(
                account: $crate::AccountRef,
                idempotency_key: ::std::string::String,
            ) -> ::std::result::Result<::std::option::Option<$crate::Receipt>, $crate::CallError>
            {
                <$connector as $crate::Publishing>::find_published(account, idempotency_key)
            }
        }
    };
}

/// Exports a [`Publishing`] connector as the component's `connector` world. A connector with
/// every capability uses `heraut_plugin_sdk_two_way::export_two_way_connector!` instead.
#[macro_export]
macro_rules! export_connector {
    ($connector:ty) => {
        const _: () = {
            struct __HerautExport;
            $crate::__publishing_guest!($connector, $crate::bindings);
            $crate::bindings::__export_connector_world!(__HerautExport with_types_in $crate::bindings);
        };
    };
}
