//! The core's one error: a stable code, a message for a person, and the cause for the log.

use heraut_proto::ErrorCode;

#[derive(Debug, thiserror::Error)]
#[error("{code:?}: {detail}")]
pub struct CoreError {
    pub code: ErrorCode,
    /// Safe to show to the caller.
    pub detail: String,
    /// Seconds to wait (throttling).
    pub retry_after: Option<u64>,
    /// Per-item details (e.g. one per channel a post does not fit).
    pub items: Vec<heraut_proto::ProblemItem>,
    /// For the log only.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

pub type CoreResult<T> = Result<T, CoreError>;

impl CoreError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            retry_after: None,
            items: Vec::new(),
            source: None,
        }
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, detail)
    }

    pub fn throttled(retry_after: u64) -> Self {
        let mut e = Self::new(
            ErrorCode::Throttled,
            format!("too many failed attempts; try again in {retry_after} seconds"),
        );
        e.retry_after = Some(retry_after);
        e
    }

    pub fn tenant_not_found(slug: &str) -> Self {
        Self::new(
            ErrorCode::TenantNotFound,
            format!("no tenant `{slug}` that you can see"),
        )
    }
}

impl From<sea_orm::DbErr> for CoreError {
    fn from(e: sea_orm::DbErr) -> Self {
        let mut err = Self::new(ErrorCode::Internal, "a database error occurred");
        err.source = Some(Box::new(e));
        err
    }
}

impl From<heraut_coord::CoordError> for CoreError {
    fn from(e: heraut_coord::CoordError) -> Self {
        let mut err = Self::new(
            ErrorCode::Unavailable,
            "the coordination service is unavailable",
        );
        err.source = Some(Box::new(e));
        err
    }
}
