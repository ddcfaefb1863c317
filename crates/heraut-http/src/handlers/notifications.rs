//! A person's notifications in a tenant.

use actix_web::{HttpResponse, get, post, web};
use heraut_proto::Problem;
use heraut_proto::posts::NotificationList;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{AuthUser, Meta};

/// Paging of the notification list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NotificationParams {
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<uuid::Uuid>,
}

/// Your notifications in this tenant, newest first.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/notifications", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), NotificationParams),
    responses((status = 200, description = "Notifications", body = NotificationList),
        (status = 400, description = "Malformed body or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/tenants/{tenant}/notifications")]
pub async fn list_notifications(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    q: web::Query<NotificationParams>,
) -> Result<HttpResponse, ApiError> {
    let list = state
        .core
        .list_notifications(
            &user.0,
            &path,
            q.limit,
            q.cursor.map(|c| c.to_string()).as_deref(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Mark one of your notifications as read.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/notifications/{id}/read", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Notification id")),
    responses((status = 204, description = "Marked as read"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such notification of yours", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/notifications/{id}/read")]
pub async fn read_notification(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    state
        .core
        .read_notification(&meta.0, &user.0, &tenant, &id)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
