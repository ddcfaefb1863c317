//! Installed plugins.

use actix_web::{HttpResponse, get, patch, web};
use heraut_proto::Problem;
use heraut_proto::plugins::{PluginList, PluginView, UpdatePluginRequest};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, AuthUser, Meta};

/// Installed plugins with their versions, declared and approved hosts, and state.
#[utoipa::path(get, path = "/api/v1/plugins", tag = "plugins", security(("bearer" = [])),
    responses((status = 200, description = "Plugins", body = PluginList),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/plugins")]
pub async fn list_plugins(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.core.list_plugins(&user.0).await?))
}

/// Enable or disable a plugin, or approve the hosts it declared (instance administrators).
#[utoipa::path(patch, path = "/api/v1/plugins/{id}", tag = "plugins", security(("bearer" = [])),
    params(("id" = String, Path, description = "Plugin id")), request_body = UpdatePluginRequest,
    responses((status = 200, description = "The plugin as changed", body = PluginView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an instance administrator, or no 2FA", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plugin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A host the plugin does not declare", body = Problem, content_type = "application/problem+json")))]
#[patch("/api/v1/plugins/{id}")]
pub async fn update_plugin(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<UpdatePluginRequest>,
) -> Result<HttpResponse, ApiError> {
    let p = state
        .core
        .update_plugin(&meta.0, &user.0, &path, body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(p))
}
