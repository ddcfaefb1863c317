//! The route table, in one place.

use actix_web::{HttpRequest, HttpResponse, web};
use heraut_proto::ErrorCode;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{json_error, path_error, problem_response, query_error};
use crate::handlers::{account, audit, auth, members, ops, tenants};
use crate::{AppState, middleware, openapi};

/// Registers every route, the extractor error handlers and the middleware.
pub fn configure(state: AppState, cfg: &mut web::ServiceConfig) {
    let limit = state.core.config().max_body_bytes;
    cfg.app_data(web::Data::new(state))
        .app_data(
            web::JsonConfig::default()
                .limit(limit)
                .error_handler(json_error),
        )
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PayloadConfig::new(limit))
        .service(ops::get_healthz)
        .service(ops::get_readyz)
        .service(ops::get_metrics)
        .service(ops::get_ping)
        .service(auth::post_login)
        .service(auth::post_mfa)
        .service(auth::post_refresh)
        .service(auth::post_logout)
        .service(auth::post_set_password)
        .service(account::get_me)
        .service(account::post_totp)
        .service(account::post_totp_confirm)
        .service(account::put_password)
        .service(tenants::list_tenants)
        .service(tenants::create_tenant)
        .service(tenants::get_tenant)
        .service(members::list_members)
        .service(members::add_member)
        .service(members::update_member)
        .service(members::remove_member)
        .service(members::reset_member_mfa)
        .service(audit::list_audit)
        .service(audit::verify_audit)
        .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", openapi::document()))
        .route("/api/docs", web::get().to(docs_redirect))
        .default_service(web::to(not_found));
}

/// Binds `listen` and returns the running server (await it to serve until shutdown).
pub fn serve(
    state: AppState,
    listen: std::net::SocketAddr,
) -> std::io::Result<actix_web::dev::Server> {
    let server = actix_web::HttpServer::new(move || {
        let state = state.clone();
        actix_web::App::new()
            .wrap(actix_web::middleware::from_fn(middleware::request_context))
            .configure(move |cfg| configure(state, cfg))
    })
    .bind(listen)?
    .shutdown_timeout(10)
    .run();
    Ok(server)
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::Found()
        .insert_header(("location", "/api/docs/"))
        .finish()
}

async fn not_found(req: HttpRequest) -> HttpResponse {
    let path = req.path().chars().take(200).collect::<String>();
    problem_response(
        ErrorCode::RouteNotFound,
        &format!(
            "no route {} {path}; the API is described at /api/docs",
            req.method()
        ),
        None,
    )
}
