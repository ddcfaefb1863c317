//! Publishing: posts with their revisions, approvals and targets, media, the publisher that
//! sends each target once, notifications and live updates.

pub mod events;
pub mod media;
pub mod notifications;
pub mod posts;
pub mod publisher;
