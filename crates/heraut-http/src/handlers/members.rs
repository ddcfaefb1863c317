//! Members of a tenant.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use heraut_proto::tenants::{
    AddMemberRequest, AddMemberResponse, MemberList, MemberView, PasswordResetResponse,
    UpdateMemberRequest,
};
use heraut_proto::{Problem, UserId};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, AuthUser, Meta};
use crate::handlers::Page;

/// Members and their roles.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/members", tag = "people", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), Page),
    responses((status = 200, description = "Members", body = MemberList),
        (status = 400, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed, or 2FA required first", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/tenants/{tenant}/members")]
pub async fn list_members(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    page: web::Query<Page>,
) -> Result<HttpResponse, ApiError> {
    let page = page.into_inner();
    let list = state
        .core
        .list_members(&user.0, &path, page.limit, page.cursor)
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Add a member; a new person gets a one-time set-password token.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/members", tag = "people", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug")), request_body = AddMemberRequest,
    responses((status = 201, description = "Added", body = AddMemberResponse),
        (status = 400, description = "Malformed body or e-mail address", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already a member", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/members")]
pub async fn add_member(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<AddMemberRequest>,
) -> Result<HttpResponse, ApiError> {
    let out = state
        .core
        .add_member(&meta.0, &user.0, &path, body.into_inner())
        .await?;
    Ok(HttpResponse::Created().json(out))
}

/// Change a member's role.
#[utoipa::path(patch, path = "/api/v1/tenants/{tenant}/members/{user_id}", tag = "people", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("user_id" = uuid::Uuid, Path, description = "Member's user id")),
    request_body = UpdateMemberRequest,
    responses((status = 200, description = "Changed", body = MemberView),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or member", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would leave no owner", body = Problem, content_type = "application/problem+json")))]
#[patch("/api/v1/tenants/{tenant}/members/{user_id}")]
pub async fn update_member(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, uuid::Uuid)>,
    body: ApiJson<UpdateMemberRequest>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let out = state
        .core
        .update_member(&meta.0, &user.0, &slug, UserId(id), body.role)
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Remove a member.
#[utoipa::path(delete, path = "/api/v1/tenants/{tenant}/members/{user_id}", tag = "people", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("user_id" = uuid::Uuid, Path, description = "Member's user id")),
    responses((status = 204, description = "Removed"),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or member", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would leave no owner", body = Problem, content_type = "application/problem+json")))]
#[delete("/api/v1/tenants/{tenant}/members/{user_id}")]
pub async fn remove_member(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    state
        .core
        .remove_member(&meta.0, &user.0, &slug, UserId(id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Reset a member's two-factor sign-in so they can enrol a new device; ends their sessions.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/members/{user_id}/mfa-reset", tag = "people", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("user_id" = uuid::Uuid, Path, description = "Member's user id")),
    responses((status = 204, description = "Reset"),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or member", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/members/{user_id}/mfa-reset")]
pub async fn reset_member_mfa(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    state
        .core
        .reset_member_mfa(&meta.0, &user.0, &slug, UserId(id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Issue a one-time set-password token for a member who forgot their password (owners, for
/// people in no other tenant; instance admins for anyone).
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/members/{user_id}/password-reset", tag = "people", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("user_id" = uuid::Uuid, Path, description = "Member's user id")),
    responses((status = 200, description = "Token to pass on", body = PasswordResetResponse),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed, or the person belongs to another tenant too", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or member", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/members/{user_id}/password-reset")]
pub async fn reset_member_password(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let token = state
        .core
        .reset_member_password(&meta.0, &user.0, &slug, UserId(id))
        .await?;
    Ok(HttpResponse::Ok().json(PasswordResetResponse {
        set_password_token: token,
    }))
}
