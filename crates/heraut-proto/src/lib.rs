//! Wire types shared by the server and its clients: typed ids, request and response bodies,
//! and the stable error codes the web UI translates.

pub mod auth;
pub mod error;
pub mod ids;
pub mod int;
pub mod jobs;
pub mod tenants;

pub use error::{ErrorCode, Problem, ProblemItem};
pub use ids::{ChannelId, FamilyId, MediaId, PostId, TenantId, UserId};
pub mod plugins;
pub mod posts;
