//! sea-orm entities, one module per table. No logic lives here: queries are in `heraut-db`.

pub mod approval_policies;
pub mod audit_events;
pub mod channels;
pub mod crisis_states;
pub mod inbound_items;
pub mod jobs;
pub mod media;
pub mod memberships;
pub mod notifications;
pub mod oauth_states;
pub mod password_tokens;
pub mod plugins;
pub mod post_approvals;
pub mod post_comments;
pub mod post_revisions;
pub mod post_targets;
pub mod posts;
pub mod recovery_codes;
pub mod refresh_tokens;
pub mod sessions;
pub mod tenants;
pub mod users;
