//! Posts: drafts, edits and revisions, review (submit, approve, reject, comment), cancelling,
//! confirming, retrying, retracting, and emergency broadcasts.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use heraut_proto::Problem;
use heraut_proto::posts::{
    ApproveRequest, CommentRequest, CreatePostRequest, EmergencyRequest, PostCheck, PostList,
    PostStatus, PostView, RejectRequest, RetractRequest, UpdatePostRequest,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, AuthUser, Meta};

/// Filters of the post list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PostParams {
    /// Only posts with this status.
    pub status: Option<PostStatus>,
    /// Only posts that go to this channel id.
    pub channel: Option<uuid::Uuid>,
    /// Only posts with this campaign tag.
    pub campaign: Option<String>,
    /// Scheduled at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Scheduled before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<uuid::Uuid>,
}

/// Posts, newest first, with their targets.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/posts", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), PostParams),
    responses((status = 200, description = "Posts", body = PostList),
        (status = 400, description = "Malformed body or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/tenants/{tenant}/posts")]
pub async fn list_posts(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    q: web::Query<PostParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let list = state
        .core
        .list_posts(
            &user.0,
            &path,
            q.status.map(PostStatus::as_str),
            q.channel.map(|c| c.to_string()).as_deref(),
            q.campaign.as_deref(),
            q.from,
            q.to,
            q.limit,
            q.cursor.map(|c| c.to_string()).as_deref(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Create a draft for one or more channels.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/posts", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug")), request_body = CreatePostRequest,
    responses((status = 201, description = "The draft", body = PostView),
        (status = 400, description = "Malformed body or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not valid; `errors` lists each problem, per channel", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/posts")]
pub async fn create_post(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<CreatePostRequest>,
) -> Result<HttpResponse, ApiError> {
    let p = state
        .core
        .create_post(&meta.0, &user.0, &path, body.into_inner())
        .await?;
    Ok(HttpResponse::Created().json(p))
}

/// What submitting this content would object to — the connectors' own checks included — without
/// storing anything: the composer's live preview.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/posts/validate", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug")), request_body = CreatePostRequest,
    responses((status = 200, description = "The problems, per channel; none when `valid`", body = PostCheck),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/posts/validate")]
pub async fn validate_post(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<CreatePostRequest>,
) -> Result<HttpResponse, ApiError> {
    let check = state
        .core
        .check_post(&meta.0, &user.0, &path, body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(check))
}

/// A post with its targets (status, remote ids and URLs), approvals and comments.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/posts/{id}", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Post id")),
    responses((status = 200, description = "The post", body = PostView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or post you can see", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/tenants/{tenant}/posts/{id}")]
pub async fn get_post(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    Ok(HttpResponse::Ok().json(state.core.get_post(&user.0, &tenant, &id).await?))
}

/// Edit a post: a new revision; a post in review or approved goes back to review.
#[utoipa::path(patch, path = "/api/v1/tenants/{tenant}/posts/{id}", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Post id")), request_body = UpdatePostRequest,
    responses((status = 200, description = "The post", body = PostView),
        (status = 400, description = "Malformed body or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or post you can see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The post is not in a state that allows this", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not valid; `errors` lists each problem, per channel", body = Problem, content_type = "application/problem+json")))]
#[patch("/api/v1/tenants/{tenant}/posts/{id}")]
pub async fn update_post(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: ApiJson<UpdatePostRequest>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    let p = state
        .core
        .update_post(&meta.0, &user.0, &tenant, &id, body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Delete a draft that never went into review. Anything that did is a public record: 409
/// `post.is_record` (a published post is retracted instead).
#[utoipa::path(delete, path = "/api/v1/tenants/{tenant}/posts/{id}", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Post id")),
    responses((status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or post you can see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The post reached review or a network and is a record (`post.is_record`)", body = Problem, content_type = "application/problem+json")))]
#[delete("/api/v1/tenants/{tenant}/posts/{id}")]
pub async fn delete_post(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    state
        .core
        .delete_post(&meta.0, &user.0, &tenant, &id)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Submit a draft into the tenant's approval workflow.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/posts/{id}/submit", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Post id")),
    responses((status = 200, description = "The post", body = PostView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or post you can see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The post is not in a state that allows this", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not valid; `errors` lists each problem, per channel", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/posts/{id}/submit")]
pub async fn submit_post(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    let p = state
        .core
        .submit_post(&meta.0, &user.0, &tenant, &id)
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Withdraw a post that has not gone out (targets already sent stay).
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/posts/{id}/cancel", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Post id")),
    responses((status = 200, description = "The post", body = PostView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or post you can see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The post is not in a state that allows this", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/posts/{id}/cancel")]
pub async fn cancel_post(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    let p = state
        .core
        .cancel_post(&meta.0, &user.0, &tenant, &id)
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Send targets that wait for confirmation (overdue past the grace period, or held in crisis mode).
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/posts/{id}/confirm", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Post id")),
    responses((status = 200, description = "The post", body = PostView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or post you can see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The post is not in a state that allows this", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/posts/{id}/confirm")]
pub async fn confirm_post(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    let p = state
        .core
        .confirm_post(&meta.0, &user.0, &tenant, &id)
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Try failed targets again (Heraut reads back first, so nothing is sent twice).
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/posts/{id}/retry", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Post id")),
    responses((status = 200, description = "The post", body = PostView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or post you can see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The post is not in a state that allows this", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/posts/{id}/retry")]
pub async fn retry_post(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    let p = state
        .core
        .retry_post(&meta.0, &user.0, &tenant, &id)
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Approve the current step (not your own post; one person counts once).
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/posts/{id}/approve", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Post id")), request_body = ApproveRequest,
    responses((status = 200, description = "The post", body = PostView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or post you can see", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "Malformed body or query", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your own post (`approval.self_approval_forbidden`), or a step for another role", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The post is not in a state that allows this", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/posts/{id}/approve")]
pub async fn approve_post(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: ApiJson<ApproveRequest>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    let p = state
        .core
        .approve_post(&meta.0, &user.0, &tenant, &id, body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Reject with a reason: back to draft for the author.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/posts/{id}/reject", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Post id")), request_body = RejectRequest,
    responses((status = 200, description = "The post", body = PostView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or post you can see", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "Malformed body or query", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The post is not in a state that allows this", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/posts/{id}/reject")]
pub async fn reject_post(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: ApiJson<RejectRequest>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    let p = state
        .core
        .reject_post(&meta.0, &user.0, &tenant, &id, body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Retract a published post: each channel's connector removes it from its network. The post,
/// its revisions, decisions and the removals stay in the record with the reason. Asking again
/// retries the channels that did not remove it.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/posts/{id}/retract", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Post id")), request_body = RetractRequest,
    responses((status = 200, description = "The post, its targets removed from their networks", body = PostView),
        (status = 400, description = "Malformed body or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or post you can see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Nothing of it is on a network, or a network did not remove it (per channel in `errors`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/posts/{id}/retract")]
pub async fn retract_post(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: ApiJson<RetractRequest>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    let p = state
        .core
        .retract_post(&meta.0, &user.0, &tenant, &id, body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Comment on a post.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/posts/{id}/comments", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Post id")), request_body = CommentRequest,
    responses((status = 200, description = "The post", body = PostView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or post you can see", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "Malformed body or query", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or long comment", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/posts/{id}/comments")]
pub async fn comment_post(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: ApiJson<CommentRequest>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    let p = state
        .core
        .comment_post(&meta.0, &user.0, &tenant, &id, body.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Emergency broadcast (owners): one message to every active channel through the short approval (one other owner); goes out even in crisis mode.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/emergency", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug")), request_body = EmergencyRequest,
    responses((status = 201, description = "The post, in review", body = PostView),
        (status = 400, description = "Malformed body or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (role, 2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not valid; `errors` lists each problem, per channel", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/emergency")]
pub async fn post_emergency(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<EmergencyRequest>,
) -> Result<HttpResponse, ApiError> {
    let p = state
        .core
        .emergency_post(&meta.0, &user.0, &path, body.into_inner())
        .await?;
    Ok(HttpResponse::Created().json(p))
}

/// Every version of a post, oldest first, so a reviewer sees what changed.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/posts/{id}/revisions", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Post id")),
    responses((status = 200, description = "The revisions", body = heraut_proto::posts::RevisionList),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or post you can see", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/tenants/{tenant}/posts/{id}/revisions")]
pub async fn post_revisions(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    Ok(HttpResponse::Ok().json(state.core.post_revisions(&user.0, &tenant, &id).await?))
}
