//! Typed identifiers: a `TenantId` can never be passed where a `UserId` is meant.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new random (time-ordered) id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    };
}

typed_id!(
    /// An agency (tenant).
    TenantId
);
typed_id!(
    /// A person who signs in.
    UserId
);
typed_id!(
    /// A sign-in session: one family of rotating refresh tokens.
    FamilyId
);
typed_id!(
    /// A connected account on a network.
    ChannelId
);
typed_id!(
    /// A post.
    PostId
);
typed_id!(
    /// An uploaded image.
    MediaId
);
