//! Images: uploaded with their alt text, described, and served.

use actix_web::{HttpResponse, get, post, web};
use heraut_proto::posts::MediaView;
use heraut_proto::{ErrorCode, Problem};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{AuthUser, Meta, read_form};

/// Upload an image (multipart form: `file`, `alt_text`). The type is read from the bytes
/// (JPEG, PNG, GIF or WebP); every image needs an alt text.
#[utoipa::path(post, path = "/api/v1/tenants/{tenant}/media", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug")),
    request_body(content = heraut_proto::posts::MediaUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "The stored image", body = MediaView),
        (status = 400, description = "Not a multipart form with `file` and `alt_text`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant you can see", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than `media.max_bytes`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an image of a known type, or no alt text", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/tenants/{tenant}/media")]
pub async fn upload_media(
    state: web::Data<AppState>,
    meta: Meta,
    user: AuthUser,
    path: web::Path<String>,
    form: actix_multipart::Multipart,
) -> Result<HttpResponse, ApiError> {
    state.core.may_upload_media(&user.0, &path).await?;
    let max = state.core.config().media.max_bytes as usize;
    let mut parts = read_form(form, &[("file", max), ("alt_text", 16 * 1024)]).await?;
    let bad = |m: &str| ApiError::new(ErrorCode::RequestInvalid, m);
    let file = parts
        .remove("file")
        .ok_or_else(|| bad("the form has no `file`"))?;
    let file_name = file.file_name.unwrap_or_else(|| "upload".to_owned());
    let file = file.data;
    let alt = match parts.remove("alt_text") {
        Some(a) => {
            Some(String::from_utf8(a.data).map_err(|_| bad("`alt_text` must be UTF-8 text"))?)
        }
        None => None,
    };
    let m = state
        .core
        .upload_media(
            &meta.0,
            &user.0,
            &path,
            &file_name,
            file,
            alt.as_deref().unwrap_or_default(),
        )
        .await?;
    Ok(HttpResponse::Created().json(m))
}

/// An uploaded image's details.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/media/{id}", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Media id")),
    responses((status = 200, description = "The image's details", body = MediaView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or image you can see", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/tenants/{tenant}/media/{id}")]
pub async fn get_media(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    Ok(HttpResponse::Ok().json(state.core.get_media(&user.0, &tenant, &id).await?))
}

/// An uploaded image's bytes.
#[utoipa::path(get, path = "/api/v1/tenants/{tenant}/media/{id}/content", tag = "publishing", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant slug"), ("id" = String, Path, description = "Media id")),
    responses((status = 200, description = "The image", content_type = "image/*", body = Vec<u8>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed (2FA first)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or image you can see", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The media storage did not answer", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/tenants/{tenant}/media/{id}/content")]
pub async fn get_media_content(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, id) = path.into_inner();
    let (content_type, bytes) = state.core.media_content(&user.0, &tenant, &id).await?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("cache-control", "private, max-age=86400, immutable"))
        .body(bytes))
}
