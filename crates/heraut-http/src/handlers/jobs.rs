//! The job engine's work, as instance administrators see it: dead jobs, and trying them again.

use actix_web::{HttpResponse, get, post, web};
use heraut_proto::Problem;
use heraut_proto::jobs::{JobList, JobParams, JobView};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{AuthUser, Meta};

/// Background jobs in one state (instance administrators): by default the dead ones, which
/// failed too often or for good and wait for a person.
#[utoipa::path(get, path = "/api/v1/admin/jobs", tag = "admin", security(("bearer" = [])),
    params(JobParams),
    responses((status = 200, description = "Jobs, the longest waiting first", body = JobList),
        (status = 400, description = "Not a job state", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an instance administrator, or no 2FA", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/admin/jobs")]
pub async fn list_jobs(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<JobParams>,
) -> Result<HttpResponse, ApiError> {
    let list = state.core.list_jobs(&user.0, q.state).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Try a dead job again now, with a fresh count of attempts (instance administrators).
#[utoipa::path(post, path = "/api/v1/admin/jobs/{id}/retry", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Job id")),
    responses((status = 200, description = "The job, queued", body = JobView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an instance administrator, or no 2FA", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job is not dead", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/admin/jobs/{id}/retry")]
pub async fn retry_job(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let job = state
        .core
        .retry_job(&meta.0, &user.0, &path.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(job))
}
