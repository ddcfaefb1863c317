//! Tenants.

use actix_web::{HttpResponse, get, patch, post, web};
use heraut_proto::Problem;
use heraut_proto::tenants::{CreateTenantRequest, TenantList, TenantView, UpdateTenantRequest};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, AuthUser, Meta};
use crate::handlers::Page;

/// Tenants the caller belongs to (all of them, for an instance admin).
#[utoipa::path(get, path = "/api/v1/tenants", tag = "tenants", security(("bearer" = [])), params(Page),
    responses((status = 200, description = "Tenants", body = TenantList),
        (status = 400, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admin without 2FA", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/tenants")]
pub async fn list_tenants(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<Page>,
) -> Result<HttpResponse, ApiError> {
    let page = page.into_inner();
    Ok(HttpResponse::Ok().json(
        state
            .core
            .list_tenants(&user.0, page.limit, page.cursor)
            .await?,
    ))
}

/// Create a tenant (instance admin).
#[utoipa::path(post, path = "/api/v1/tenants", tag = "tenants", security(("bearer" = [])), request_body = CreateTenantRequest,
    responses((status = 201, description = "Created", body = TenantView),
        (status = 400, description = "Malformed body or slug", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an instance admin, or no 2FA", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Parent not found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug taken", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants")]
pub async fn create_tenant(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    body: ApiJson<CreateTenantRequest>,
) -> Result<HttpResponse, ApiError> {
    let t = state
        .core
        .create_tenant(&meta.0, &user.0, body.into_inner())
        .await?;
    Ok(HttpResponse::Created().json(t))
}

/// One tenant with its settings.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}", tag = "tenants", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug")),
    responses((status = 200, description = "The tenant", body = TenantView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "2FA required first", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/tenants/{tenant}")]
pub async fn get_tenant(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.core.get_tenant(&user.0, &path).await?))
}

/// Change the tenant's name and settings (2FA requirement, time zone, publish grace period).
#[utoipa::path(patch, path = "/api/v1/tenants/{tenant}", tag = "tenants", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug")), request_body = UpdateTenantRequest,
    responses((status = 200, description = "The tenant as changed", body = TenantView),
        (status = 400, description = "Malformed body, unknown time zone, grace out of range", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed, or 2FA required first", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json")))]
#[patch("/api/v1/tenants/{tenant}")]
pub async fn update_tenant(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<UpdateTenantRequest>,
) -> Result<HttpResponse, ApiError> {
    let t = state
        .core
        .update_tenant(&meta.0, &user.0, &path, body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(t))
}
