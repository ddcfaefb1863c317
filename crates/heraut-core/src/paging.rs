//! Paging of lists: the limit a request may ask for and the error for a cursor no list gave.

use heraut_proto::ErrorCode;

use crate::{CoreError, CoreResult};

/// The largest page a list returns.
pub const MAX_PAGE: u64 = 200;
/// Page size when `limit` is not given.
pub const DEFAULT_PAGE: u64 = 50;

pub(crate) fn page_limit(limit: Option<u64>) -> CoreResult<u64> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(n) => Err(CoreError::new(
            ErrorCode::RequestInvalid,
            format!("limit must be between 1 and {MAX_PAGE} ({n} given)"),
        )),
    }
}

pub(crate) fn bad_cursor() -> CoreError {
    CoreError::new(
        ErrorCode::RequestInvalid,
        "the cursor is not one this list returned",
    )
}
