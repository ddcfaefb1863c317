//! Host-side bindings of both interface versions, generated from `plugins/wit/0.1` (frozen) and
//! `plugins/wit/0.2`. The host speaks 0.2's types; a 0.1 component's are converted at the edge.

/// `heraut:plugin@0.1.0`: the publish-only `connector` world and the `reporter` world.
pub mod v1 {
    wasmtime::component::bindgen!({
        world: "connector",
        path: "../../plugins/wit/0.1",
        imports: { default: async },
        exports: { default: async },
    });

    /// The 0.1 `reporter` world, sharing the interfaces above.
    pub mod reporter {
        wasmtime::component::bindgen!({
            world: "reporter",
            path: "../../plugins/wit/0.1",
            imports: { default: async },
            exports: { default: async },
            with: {
                "heraut:plugin/host": super::heraut::plugin::host,
                "heraut:plugin/types": super::heraut::plugin::types,
            },
        });
    }
}

/// `heraut:plugin@0.2.0`: one interface per capability. The host binds the widest connector
/// world and looks each exported interface up on its own, so a component exports what it can.
pub mod v2 {
    wasmtime::component::bindgen!({
        world: "two-way-connector",
        path: "../../plugins/wit/0.2",
        imports: { default: async },
        exports: { default: async },
    });

    /// The 0.2 `reporter` world, sharing the host interface above.
    pub mod reporter {
        wasmtime::component::bindgen!({
            world: "reporter",
            path: "../../plugins/wit/0.2",
            imports: { default: async },
            exports: { default: async },
            with: {
                "heraut:plugin/host": super::heraut::plugin::host,
            },
        });
    }
}

pub use v2::heraut::plugin::types::{
    AccountRef, Activity, ActivityKind, ActivityPage, Author, CallError, ConnectorInfo, Counters,
    Draft, Media, NetworkOptions, OutgoingPost, Part, Poll, Problem, Receipt, Setting,
};

use crate::HostState;

fn level(level: &str, message: String) -> String {
    format!("{level}: {message}")
}

impl v1::heraut::plugin::host::Host for HostState {
    async fn log(&mut self, l: v1::heraut::plugin::host::LogLevel, message: String) {
        use v1::heraut::plugin::host::LogLevel as L;
        let l = match l {
            L::Debug => "debug",
            L::Info => "info",
            L::Warn => "warn",
            L::Error => "error",
        };
        self.log.push(level(l, message));
    }

    async fn read_media(&mut self, id: String) -> Result<Vec<u8>, String> {
        self.media_bytes(&id)
    }

    async fn now_millis(&mut self) -> u64 {
        now_millis()
    }
}

impl v1::heraut::plugin::types::Host for HostState {}

impl v2::heraut::plugin::host::Host for HostState {
    async fn log(&mut self, l: v2::heraut::plugin::host::LogLevel, message: String) {
        use v2::heraut::plugin::host::LogLevel as L;
        let l = match l {
            L::Debug => "debug",
            L::Info => "info",
            L::Warn => "warn",
            L::Error => "error",
        };
        self.log.push(level(l, message));
    }

    async fn read_media(&mut self, id: String) -> Result<Vec<u8>, String> {
        self.media_bytes(&id)
    }

    async fn now_millis(&mut self) -> u64 {
        now_millis()
    }
}

impl v2::heraut::plugin::types::Host for HostState {}

impl HostState {
    fn media_bytes(&self, id: &str) -> Result<Vec<u8>, String> {
        self.media
            .get(id)
            .cloned()
            .ok_or_else(|| format!("no media `{id}` in this call"))
    }
}

fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The edge between the versions: a 0.1 component gets 0.1's records, made from 0.2's.
pub mod to_v1 {
    use super::v1::heraut::plugin::types as old;
    use super::v2::heraut::plugin::types as new;

    pub fn account(a: new::AccountRef) -> old::AccountRef {
        old::AccountRef {
            channel_id: a.channel_id,
            settings: a
                .settings
                .into_iter()
                .map(|s| old::Setting {
                    key: s.key,
                    value: s.value,
                })
                .collect(),
        }
    }

    pub fn media(m: Vec<new::Media>) -> Vec<old::Media> {
        m.into_iter()
            .map(|m| old::Media {
                id: m.id,
                mime_type: m.mime_type,
                alt_text: m.alt_text,
                size: m.size,
            })
            .collect()
    }

    pub fn draft(d: new::Draft) -> old::Draft {
        old::Draft {
            body: d.body,
            media: media(d.media),
        }
    }

    pub fn post(p: new::OutgoingPost) -> old::OutgoingPost {
        old::OutgoingPost {
            idempotency_key: p.idempotency_key,
            body: p.body,
            media: media(p.media),
            reply_to: p.options.reply_to,
        }
    }

    /// What a 0.1 component cannot carry of `options`, as problems for the person composing.
    pub fn unsupported(options: &new::NetworkOptions, network: &str) -> Vec<new::Problem> {
        let mut problems = Vec::new();
        let mut refuse = |field: &str, what: &str| {
            problems.push(new::Problem {
                field: field.to_owned(),
                message: format!(
                    "the {network} connector installed here cannot publish {what}; \
                     an administrator can upgrade it to a version that can"
                ),
            })
        };
        if options.poll.is_some() {
            refuse("poll", "polls");
        }
        if options.content_warning.is_some() {
            refuse("content_warning", "content warnings");
        }
        if !options.thread.is_empty() {
            refuse("thread", "threads in one post");
        }
        problems
    }

    pub fn info(i: old::ConnectorInfo) -> new::ConnectorInfo {
        new::ConnectorInfo {
            network: i.network,
            display_name: i.display_name,
            max_chars: i.max_chars,
            max_media: i.max_media,
            features: i.features,
        }
    }

    pub fn problems(p: Vec<old::Problem>) -> Vec<new::Problem> {
        p.into_iter()
            .map(|p| new::Problem {
                field: p.field,
                message: p.message,
            })
            .collect()
    }

    pub fn receipt(r: old::Receipt) -> new::Receipt {
        new::Receipt {
            remote_id: r.remote_id,
            url: r.url,
            thread: Vec::new(),
        }
    }

    pub fn error(e: old::PublishError) -> new::CallError {
        match e {
            old::PublishError::Rejected(m) => new::CallError::Rejected(m),
            old::PublishError::RateLimited(s) => new::CallError::RateLimited(s),
            old::PublishError::AuthExpired(m) => new::CallError::AuthExpired(m),
            old::PublishError::Transient(m) => new::CallError::Transient(m),
        }
    }
}
