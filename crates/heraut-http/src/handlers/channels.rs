//! Channels: listing, connecting and disconnecting them, new credentials, the OAuth round trip,
//! removing a published post from its network, and the public Atom feeds of `feed` channels.

use actix_web::{HttpResponse, delete, get, post, put, web};
use heraut_proto::Problem;
use heraut_proto::posts::{
    ChannelCredentialsRequest, ChannelList, ChannelView, CreateChannelRequest, OauthCallbackParams,
    OauthStartView, PostView, SyncView,
};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, AuthUser, Meta};

/// Give a channel new credentials (a token, an app password), e.g. after the network revoked
/// the old ones; the channel is active again and its waiting posts go out.
#[utoipa::path(put, path = "/api/v1/tenants/{tenant}/channels/{id}/credentials", tag = "channels", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Channel id")),
    request_body = ChannelCredentialsRequest,
    responses((status = 200, description = "The channel, active", body = ChannelView),
        (status = 400, description = "Not a JSON body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or channel you can see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Credentials without the key the connector reads", body = Problem, content_type = "application/problem+json")))]
#[put("/api/v1/tenants/{tenant}/channels/{id}/credentials")]
pub async fn put_channel_credentials(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: ApiJson<ChannelCredentialsRequest>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    let c = state
        .core
        .set_channel_credentials(&meta.0, &user.0, &tenant, &id, body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(c))
}

/// Start connecting a channel through OAuth: the page of the network to send the person to.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/channels/{id}/oauth/start", tag = "channels", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Channel id")),
    responses((status = 200, description = "Where to send the person", body = OauthStartView),
        (status = 400, description = "The network did not register Heraut", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or channel you can see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The connector does not use OAuth, or public_url is not set", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/channels/{id}/oauth/start")]
pub async fn start_oauth(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    let v = state
        .core
        .start_oauth(&meta.0, &user.0, &tenant, &id)
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Where the network sends the person back. No sign-in: the single-use `state` names the
/// tenant, the person and the channel.
#[utoipa::path(get, path = "/api/v1/oauth/callback", tag = "channels",
    params(OauthCallbackParams),
    responses((status = 200, description = "A page saying the channel is connected", content_type = "text/html"),
        (status = 400, description = "No state, or the person or the network refused", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, used or expired state", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/oauth/callback")]
pub async fn oauth_callback(
    state: web::Data<AppState>,
    meta: Meta,
    query: web::Query<OauthCallbackParams>,
) -> Result<HttpResponse, ApiError> {
    let channel = state.core.finish_oauth(&meta.0, query.into_inner()).await?;
    let name = html_escape(&channel.name);
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Channel connected — Heraut</title></head>\
         <body><main><h1>Channel connected</h1><p>The channel “{name}” is connected.</p><p><a href=\"/\">Back to Heraut</a></p></main></body></html>"
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("cache-control", "no-store"))
        .body(page))
}

/// Remove what a post published on one channel from that network (approvers); the archive
/// keeps the record and the target shows `deleted`.
#[utoipa::path(delete, path = "/api/v1/tenants/{tenant}/posts/{id}/targets/{target}", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Post id"),
        ("target" = String, Path, description = "Target id (from the post's `targets`)")),
    responses((status = 200, description = "The post", body = PostView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant, post or target you can see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not published, or the network did not remove it", body = Problem, content_type = "application/problem+json")))]
#[delete("/api/v1/tenants/{tenant}/posts/{id}/targets/{target}")]
pub async fn delete_published(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id, target) = path.into_inner();
    let p = state
        .core
        .delete_published(&meta.0, &user.0, &tenant, &id, &target)
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// The public Atom feed (RFC 4287) of a `feed` channel: its published posts, newest first.
#[utoipa::path(get, path = "/feeds/{channel}", tag = "channels",
    params(("channel" = String, Path, description = "Channel id of a `feed` channel")),
    responses((status = 200, description = "The Atom document", content_type = "application/atom+xml"),
        (status = 404, description = "No such feed", body = Problem, content_type = "application/problem+json")))]
#[get("/feeds/{channel}")]
pub async fn get_feed(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let doc = state.core.feed(&id).await?.ok_or_else(|| {
        ApiError::from(heraut_core::CoreError::new(
            heraut_proto::ErrorCode::ChannelNotFound,
            format!("no feed `{id}`"),
        ))
    })?;
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .insert_header(("cache-control", "public, max-age=60"))
        .insert_header((
            "last-modified",
            doc.updated.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        ))
        .body(doc.xml))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The tenant's connected channels (credentials are never shown).
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/channels", tag = "channels", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug")),
    responses((status = 200, description = "Channels", body = ChannelList),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/tenants/{tenant}/channels")]
pub async fn list_channels(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.core.list_channels(&user.0, &path).await?))
}

/// Connect a channel (owners): settings per connector; credentials are stored encrypted.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/channels", tag = "channels", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug")), request_body = CreateChannelRequest,
    responses((status = 201, description = "The channel", body = ChannelView),
        (status = 400, description = "Malformed body or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown connector or settings it does not take", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/channels")]
pub async fn create_channel(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<CreateChannelRequest>,
) -> Result<HttpResponse, ApiError> {
    let c = state
        .core
        .create_channel(&meta.0, &user.0, &path, body.into_inner())
        .await?;
    Ok(HttpResponse::Created().json(c))
}

/// Disconnect a channel (owners); its credentials are erased.
#[utoipa::path(delete, path = "/api/v1/tenants/{tenant}/channels/{id}", tag = "channels", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Channel id")),
    responses((status = 204, description = "Disconnected"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or channel you can see", body = Problem, content_type = "application/problem+json")))]
#[delete("/api/v1/tenants/{tenant}/channels/{id}")]
pub async fn delete_channel(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    state
        .core
        .delete_channel(&meta.0, &user.0, &tenant, &id)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Read the channel's network now (mentions, comments, replies, messages) instead of at the
/// next interval; what arrives is stored once each, however often it is read.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/channels/{id}/sync", tag = "channels", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Channel id")),
    responses((status = 202, description = "The reading is queued", body = SyncView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or channel you can see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The channel must be reconnected first", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/channels/{id}/sync")]
pub async fn sync_channel(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    let v = state
        .core
        .sync_channel_now(&meta.0, &user.0, &tenant, &id)
        .await?;
    Ok(HttpResponse::Accepted().json(v))
}
