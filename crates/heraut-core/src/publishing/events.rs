//! Live updates: every change of a post or target is broadcast to this node's listeners (the
//! server-sent events of the web UI) and, when a relay is attached (Redis pub/sub), to the other
//! nodes. The relay only speeds things up: the database stays the truth, and a client that
//! misses an event sees the state on its next read.

use std::sync::Arc;

use heraut_proto::TenantId;
use heraut_proto::posts::{PostEvent, PostView};
use tokio::sync::broadcast;

/// Carries events to other nodes.
pub trait Relay: Send + Sync {
    fn send(&self, tenant: TenantId, event: &PostEvent);
}

/// The node's event bus.
#[derive(Clone)]
pub struct Events {
    tx: broadcast::Sender<(TenantId, PostEvent)>,
    relay: Option<Arc<dyn Relay>>,
}

impl Default for Events {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(1024);
        Self { tx, relay: None }
    }
}

impl Events {
    pub fn with_relay(mut self, relay: Arc<dyn Relay>) -> Self {
        self.relay = Some(relay);
        self
    }

    /// Sends an event to this node's listeners and the relay.
    pub fn emit(&self, tenant: TenantId, event: PostEvent) {
        if let Some(r) = &self.relay {
            r.send(tenant, &event);
        }
        self.deliver_local(tenant, event);
    }

    /// Delivers an event that came from another node.
    pub fn deliver_local(&self, tenant: TenantId, event: PostEvent) {
        // No listener is not an error.
        let _ = self.tx.send((tenant, event));
    }

    pub(crate) fn post_changed(&self, tenant: TenantId, view: &PostView) {
        self.emit(
            tenant,
            PostEvent {
                post_id: view.id,
                status: view.status,
                target_id: None,
                target_status: None,
            },
        );
    }

    pub fn subscribe(&self) -> broadcast::Receiver<(TenantId, PostEvent)> {
        self.tx.subscribe()
    }
}
