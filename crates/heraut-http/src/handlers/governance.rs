//! Approval policy and crisis mode of a tenant.

use actix_web::{HttpResponse, get, put, web};
use heraut_proto::Problem;
use heraut_proto::tenants::{ApprovalPolicyBody, CrisisRequest, CrisisView};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, AuthUser, Meta};

/// The approval policy: ordered steps, each needing N approvals from a role.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/approval-policy", tag = "governance", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug")),
    responses((status = 200, description = "The policy (one approver step until an owner sets one)", body = ApprovalPolicyBody),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "2FA required first", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/tenants/{tenant}/approval-policy")]
pub async fn get_approval_policy(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.core.approval_policy(&user.0, &path).await?))
}

/// Replace the approval policy (owners). No steps: roles that may publish publish directly.
#[utoipa::path(put, path = "/api/v1/tenants/{tenant}/approval-policy", tag = "governance", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug")), request_body = ApprovalPolicyBody,
    responses((status = 200, description = "The policy as stored", body = ApprovalPolicyBody),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A step is not valid (empty or long name, count out of range, too many steps)", body = Problem, content_type = "application/problem+json")))]
#[put("/api/v1/tenants/{tenant}/approval-policy")]
pub async fn put_approval_policy(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<ApprovalPolicyBody>,
) -> Result<HttpResponse, ApiError> {
    let p = state
        .core
        .set_approval_policy(&meta.0, &user.0, &path, body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Crisis mode and its banner.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/crisis", tag = "governance", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug")),
    responses((status = 200, description = "Crisis state", body = CrisisView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "2FA required first", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/tenants/{tenant}/crisis")]
pub async fn get_crisis(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.core.crisis(&meta.0, &user.0, &path).await?))
}

/// Switch crisis mode on (with a banner message) or off (owners).
#[utoipa::path(put, path = "/api/v1/tenants/{tenant}/crisis", tag = "governance", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug")), request_body = CrisisRequest,
    responses((status = 200, description = "Crisis state", body = CrisisView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No message when switching on, or message too long", body = Problem, content_type = "application/problem+json")))]
#[put("/api/v1/tenants/{tenant}/crisis")]
pub async fn put_crisis(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<CrisisRequest>,
) -> Result<HttpResponse, ApiError> {
    let c: CrisisView = state
        .core
        .set_crisis(&meta.0, &user.0, &path, body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(c))
}
