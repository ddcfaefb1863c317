//! Installed plugins.

use actix_web::{HttpResponse, get, patch, post, web};
use heraut_proto::plugins::{PluginList, PluginView, UpdatePluginRequest};
use heraut_proto::{ErrorCode, Problem};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, AuthUser, Meta, read_form};

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

/// The multipart form of `POST /api/v1/plugins` (for the API document).
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct PluginUpload {
    /// The component, built for wasm32-wasip2.
    #[schema(value_type = String, format = Binary, rename = "plugin.wasm")]
    pub wasm: Vec<u8>,
    /// The manifest (TOML).
    #[schema(value_type = String, format = Binary, rename = "plugin.toml")]
    pub manifest: Vec<u8>,
}

/// The installed plugin, and whether this replaced an earlier version.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct InstallResponse {
    pub plugin: PluginView,
    pub upgrade: bool,
    /// The network the connector says it serves (empty for a reporter).
    pub network: String,
}

/// Install or upgrade a plugin (instance administrators): multipart with `plugin.wasm` and
/// `plugin.toml`. A new plugin starts disabled with no host approved; an upgrade keeps its state.
#[utoipa::path(post, path = "/api/v1/plugins", tag = "plugins", security(("bearer" = [])),
    request_body(content = PluginUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "Installed or upgraded", body = InstallResponse),
        (status = 400, description = "Not a multipart form with `plugin.wasm` and `plugin.toml`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an instance administrator, or no 2FA", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 32 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad manifest, not a component, a wrong world or API version", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/plugins")]
pub async fn install_plugin(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    form: actix_multipart::Multipart,
) -> Result<HttpResponse, ApiError> {
    const MAX: usize = 32 * 1024 * 1024;
    state.core.may_install_plugins(&user.0)?;
    let bad = |m: String| ApiError::new(ErrorCode::RequestInvalid, m);
    let mut parts = read_form(form, &[("plugin.wasm", MAX), ("plugin.toml", 256 * 1024)]).await?;
    let (Some(wasm), Some(manifest)) = (parts.remove("plugin.wasm"), parts.remove("plugin.toml"))
    else {
        return Err(bad(
            "the form needs both `plugin.wasm` and `plugin.toml`".to_owned()
        ));
    };
    let (wasm, manifest) = (wasm.data, manifest.data);
    let manifest =
        String::from_utf8(manifest).map_err(|_| bad("`plugin.toml` must be UTF-8".to_owned()))?;
    let done = state
        .core
        .install_plugin(&meta.0, Some(&user.0), &manifest, &wasm)
        .await?;
    Ok(HttpResponse::Created().json(InstallResponse {
        plugin: done.plugin,
        upgrade: done.upgrade,
        network: done.network,
    }))
}
