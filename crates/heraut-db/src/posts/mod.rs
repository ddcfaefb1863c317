//! Channels, posts, their revisions, approvals, comments, targets and notifications, one file
//! each, all reached as `heraut_db::posts::…`. Tenant-owned: every function takes the
//! `TenantId` and puts it in the `WHERE`.

pub use heraut_entity::channels::ActiveModel as ChannelRow;
pub use heraut_entity::channels::Model as Channel;
pub use heraut_entity::media::ActiveModel as MediaRow;
pub use heraut_entity::media::Model as Media;
pub use heraut_entity::notifications::ActiveModel as NotificationRow;
pub use heraut_entity::notifications::Model as Notification;
pub use heraut_entity::post_approvals::ActiveModel as ApprovalRow;
pub use heraut_entity::post_approvals::Model as Approval;
pub use heraut_entity::post_comments::ActiveModel as CommentRow;
pub use heraut_entity::post_comments::Model as Comment;
pub use heraut_entity::post_revisions::ActiveModel as RevisionRow;
pub use heraut_entity::post_targets::ActiveModel as TargetRow;
pub use heraut_entity::post_targets::Model as Target;
pub use heraut_entity::posts::ActiveModel as PostRow;
pub use heraut_entity::posts::Model as Post;

mod channels;
mod media;
mod notifications;
mod post;
mod review;
mod targets;

pub use channels::*;
pub use media::*;
pub use notifications::*;
pub use post::*;
pub use review::*;
pub use targets::*;
