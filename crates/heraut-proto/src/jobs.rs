//! Background jobs, as instance administrators see them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::ids::TenantId;

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Waiting for its due time.
    Queued,
    /// Claimed by a worker.
    Running,
    /// Finished and not due again.
    Done,
    /// Gave up (too many attempts, or refused for good): waits for an administrator.
    Dead,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Queued, Self::Running, Self::Done, Self::Dead]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// One job of the engine.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JobView {
    pub id: String,
    /// What the work is, e.g. `channel.sync`.
    pub kind: String,
    /// The tenant the work is for, if any.
    pub tenant_id: Option<TenantId>,
    pub state: JobState,
    pub due_at: DateTime<Utc>,
    /// Attempts since it last succeeded.
    pub attempts: u32,
    pub last_error: Option<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JobList {
    pub items: Vec<JobView>,
    pub next_cursor: Option<String>,
}

/// Which jobs to list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct JobParams {
    /// The state (`dead` when not given).
    pub state: Option<JobState>,
}
