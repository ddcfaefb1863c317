//! The audit log of a tenant.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use heraut_core::records::audit::AuditQuery;
use heraut_proto::tenants::{AuditList, AuditVerifyResponse};
use heraut_proto::{Problem, UserId};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::AuthUser;

/// Filters of the audit list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Only events by this user id.
    pub actor: Option<uuid::Uuid>,
    /// Only this action, e.g. `auth.login`.
    pub action: Option<String>,
    /// Events at or after this time (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Events before this time (RFC 3339).
    pub until: Option<DateTime<Utc>>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{1,18}$")]
    pub cursor: Option<String>,
}

/// Audit events, newest first.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/audit", tag = "audit", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), AuditParams),
    responses((status = 200, description = "Events", body = AuditList),
        (status = 400, description = "Bad filter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/tenants/{tenant}/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    q: web::Query<AuditParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let query = AuditQuery {
        actor: q.actor.map(UserId),
        action: q.action,
        since: q.since,
        until: q.until,
        limit: q.limit,
        cursor: q.cursor,
    };
    Ok(HttpResponse::Ok().json(state.core.list_audit(&user.0, &path, query).await?))
}

/// Recompute the tenant's hash chain.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/audit/verify", tag = "audit", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug")),
    responses((status = 200, description = "Result", body = AuditVerifyResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/tenants/{tenant}/audit/verify")]
pub async fn verify_audit(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.core.verify_audit(&user.0, &path).await?))
}
