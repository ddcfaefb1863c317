//! The web UI's side of the server: the cookie session (sign-in, second factor, refresh,
//! sign-out), the CSRF defence on cookie-signed requests, the composer's check route and the UI
//! served at `/` with its security headers.

use super::*;

/// The cookies a response sets, by name: (value, the whole `Set-Cookie` line).
fn set_cookies(r: &Resp) -> std::collections::BTreeMap<String, (String, String)> {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|line| {
            let pair = line.split(';').next()?;
            let (name, value) = pair.split_once('=')?;
            Some((name.trim().to_owned(), (value.to_owned(), line.to_owned())))
        })
        .collect()
}

/// A request as the browser sends it from a page of this site (or, with `site`, from another).
async fn browser(
    api: &Api,
    method: &str,
    path: &str,
    cookies: &str,
    site: Option<&str>,
    body: Option<Value>,
) -> Resp {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = api
        .http
        .request(method, format!("{}{}", api.base, path))
        .header("cookie", cookies);
    if let Some(site) = site {
        req = req.header("sec-fetch-site", site);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    Resp {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
        headers,
    }
}

fn cookie_header(set: &std::collections::BTreeMap<String, (String, String)>) -> String {
    set.iter()
        .map(|(k, (v, _))| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

#[tokio::test]
async fn web_sessions_live_in_host_cookies_and_refuse_other_sites() {
    let db = TestDb::sqlite();
    let server = start(&db, &[]).await;
    let api = Api::new(&server);
    let (_admin, codes) = bootstrap_admin(&server, &api).await;
    let creds = json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD});

    // From another site, even the sign-in is refused (login CSRF).
    let r = browser(
        &api,
        "POST",
        "/api/v1/auth/web/login",
        "",
        Some("cross-site"),
        Some(creds.clone()),
    )
    .await;
    assert_problem(&r, 403, "auth.csrf_rejected");

    // Password first: the second factor is asked for, and no cookie is set yet.
    let r = browser(
        &api,
        "POST",
        "/api/v1/auth/web/login",
        "",
        Some("same-origin"),
        Some(creds.clone()),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["mfa_required"], true);
    assert!(set_cookies(&r).is_empty());
    let mfa = json!({"mfa_token": r.body["mfa_token"], "code": codes[0]});
    let r = browser(
        &api,
        "POST",
        "/api/v1/auth/web/mfa",
        "",
        Some("same-origin"),
        Some(mfa),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["mfa_required"], false);
    assert!(r.body.get("access_token").is_none() && r.body.get("refresh_token").is_none());
    let first = set_cookies(&r);
    for name in ["__Host-heraut-access", "__Host-heraut-refresh"] {
        let (_, line) = first
            .get(name)
            .unwrap_or_else(|| panic!("{name} not set: {first:?}"));
        for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
            assert!(line.contains(attr), "{name} lacks {attr}: {line}");
        }
        assert!(!line.contains("Domain="), "{line}");
    }
    let jar = cookie_header(&first);

    // Reading with the cookie works; writing needs this site's pages.
    let me = browser(&api, "GET", "/api/v1/me", &jar, None, None).await;
    assert_eq!(me.status, 200, "{:?}", me.body);
    assert_eq!(me.body["email"], ADMIN_EMAIL);
    let tenant = json!({"slug": "web-town", "name": "Web Town", "level": "municipal"});
    let r = browser(
        &api,
        "POST",
        "/api/v1/tenants",
        &jar,
        Some("cross-site"),
        Some(tenant.clone()),
    )
    .await;
    assert_problem(&r, 403, "auth.csrf_rejected");
    let r = browser(
        &api,
        "POST",
        "/api/v1/tenants",
        &jar,
        None,
        Some(tenant.clone()),
    )
    .await;
    assert_problem(&r, 403, "auth.csrf_rejected");
    let evil = api
        .http
        .post(format!("{}/api/v1/tenants", api.base))
        .header("cookie", &jar)
        .header("origin", "https://evil.example")
        .json(&tenant)
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), 403);
    let host = api.base.trim_start_matches("http://").to_owned();
    let same = api
        .http
        .post(format!("{}/api/v1/tenants", api.base))
        .header("cookie", &jar)
        .header("origin", format!("http://{host}"))
        .json(&tenant)
        .send()
        .await
        .unwrap();
    assert_eq!(
        same.status(),
        201,
        "an Origin naming this host is this site"
    );
    let list = browser(&api, "GET", "/api/v1/tenants", &jar, None, None).await;
    let slugs: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["slug"].as_str())
        .collect();
    assert_eq!(slugs, ["web-town"], "the refused requests created nothing");

    // Refresh rotates both cookies; the spent refresh cookie ends the session when replayed.
    let r = browser(
        &api,
        "POST",
        "/api/v1/auth/web/refresh",
        &jar,
        Some("same-origin"),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let second = set_cookies(&r);
    assert_ne!(
        second["__Host-heraut-refresh"].0,
        first["__Host-heraut-refresh"].0
    );
    let jar2 = cookie_header(&second);
    assert_eq!(
        browser(&api, "GET", "/api/v1/me", &jar2, None, None)
            .await
            .status,
        200
    );

    // Sign-out ends the session on the server and removes the cookies.
    let r = browser(
        &api,
        "POST",
        "/api/v1/auth/web/logout",
        &jar2,
        Some("same-origin"),
        None,
    )
    .await;
    assert_eq!(r.status, 204);
    let cleared = set_cookies(&r);
    for name in ["__Host-heraut-access", "__Host-heraut-refresh"] {
        assert!(cleared[name].1.contains("Max-Age=0"), "{:?}", cleared[name]);
    }
    let after = browser(&api, "GET", "/api/v1/me", &jar2, None, None).await;
    assert_eq!(
        after.status, 401,
        "the old access cookie's session is revoked"
    );
    let r = browser(
        &api,
        "POST",
        "/api/v1/auth/web/refresh",
        &jar2,
        Some("same-origin"),
        None,
    )
    .await;
    assert_eq!(r.status, 401);
    let r = browser(
        &api,
        "POST",
        "/api/v1/auth/web/refresh",
        "",
        Some("same-origin"),
        None,
    )
    .await;
    assert_problem(&r, 401, "auth.unauthenticated");

    // Scripts keep using bearer tokens, with no Origin or Fetch Metadata needed.
    let tokens = login_with_recovery(&api, ADMIN_EMAIL, ADMIN_PASSWORD, &codes[1]).await;
    let bearer = tokens["access_token"].as_str().unwrap();
    let r = api
        .post(
            "/api/v1/tenants",
            Some(bearer),
            json!({"slug": "script-town", "name": "Script Town", "level": "municipal"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}

#[tokio::test]
async fn the_composer_check_reports_each_channel_and_stores_nothing() {
    for db in TestDb::all().await {
        eprintln!("--- backend {}", db.label());
        let server = start(&db, &[("HERAUT_PLUGIN_LOCAL_PEERS", "127.0.0.1:9")]).await;
        let api = Api::new(&server);
        let (admin, _) = bootstrap_admin(&server, &api).await;
        create_tenant(&api, &admin, "check-town").await;
        join_as_owner(&api, &admin, "check-town").await;
        let base = "/api/v1/tenants/check-town";
        let mut channels = Vec::new();
        for (name, max) in [("short", 10), ("long", 1000)] {
            let r = api
                .post(
                    &format!("{base}/channels"),
                    Some(&admin),
                    json!({"plugin": "http-json", "name": name, "settings": {"url": "http://127.0.0.1:9/x", "max_chars": max}}),
                )
                .await;
            assert_eq!(r.status, 201, "{:?}", r.body);
            channels.push(r.body["id"].as_str().unwrap().to_owned());
        }
        let text = "Twenty characters!!!";
        let r = api
            .post(
                &format!("{base}/posts/validate"),
                Some(&admin),
                json!({"body": text, "channels": channels}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["valid"], false);
        let problems = r.body["problems"].as_array().unwrap();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0]["channel_id"], channels[0].as_str());
        assert!(
            problems[0]["message"].as_str().unwrap().contains("10"),
            "{problems:?}"
        );

        // A variant that fits makes it valid.
        let r = api
            .post(
                &format!("{base}/posts/validate"),
                Some(&admin),
                json!({"body": text, "channels": channels, "variants": {channels[0].clone(): "Fits."}}),
            )
            .await;
        assert_eq!(r.body, json!({"valid": true, "problems": []}));

        // Content-wide problems come back too, without a channel.
        let r = api
            .post(
                &format!("{base}/posts/validate"),
                Some(&admin),
                json!({"body": " ", "channels": []}),
            )
            .await;
        let fields: Vec<&str> = r.body["problems"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["field"].as_str())
            .collect();
        assert_eq!(fields, ["body", "channels"], "{:?}", r.body);

        let posts = api.get(&format!("{base}/posts"), &admin).await;
        assert_eq!(posts.body["items"], json!([]), "checking stores nothing");
        let other = api
            .post(
                "/api/v1/tenants/nowhere/posts/validate",
                Some(&admin),
                json!({"body": "x", "channels": []}),
            )
            .await;
        assert_problem(&other, 404, "tenant.not_found");
    }
}

#[tokio::test]
async fn the_web_ui_is_served_at_its_own_addresses_under_a_strict_policy() {
    let db = TestDb::sqlite();
    let server = start(&db, &[]).await;
    let http = reqwest::Client::new();
    let page = |path: &str| {
        http.get(server.url(path))
            .header("accept", "text/html,application/xhtml+xml")
            .send()
    };
    let root = page("/").await.unwrap();
    assert_eq!(root.status(), 200);
    let csp = root.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    for part in [
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    let kind = root.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("text/html"), "{kind}");
    let index = root.text().await.unwrap();
    assert!(index.contains("<html"), "{index}");

    // A screen's address, reloaded, gets the same page; the UI's router takes it from there.
    let deep = page("/t/acme/posts/123").await.unwrap();
    assert_eq!(deep.status(), 200);
    assert_eq!(deep.text().await.unwrap(), index);

    // The API keeps its own 404s, for browsers too.
    let api = page("/api/v1/nowhere").await.unwrap();
    assert_eq!(api.status(), 404);
    assert_eq!(api.headers()["content-type"], "application/problem+json");
    let script = http.get(server.url("/nowhere.js")).send().await.unwrap();
    assert_eq!(
        script.status(),
        404,
        "a missing file is not answered with the page"
    );

    // Every script and style the page loads is a file of ours, cached for good.
    let mut assets = 0;
    for part in index
        .split(['"', '\''])
        .filter(|p| p.starts_with("/assets/"))
    {
        let r = http.get(server.url(part)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{part}");
        assert!(
            r.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
        let kind = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(
            kind.contains("javascript") || kind.contains("css"),
            "{part}: {kind}"
        );
        assets += 1;
    }
    // Scripts go out gzip-compressed to browsers that accept it.
    if let Some(script) = index
        .split('"')
        .find(|p| p.starts_with("/assets/") && p.ends_with(".js"))
    {
        let plain = http
            .get(server.url(script))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let packed = http
            .get(server.url(script))
            .header("accept-encoding", "gzip, deflate, br")
            .send()
            .await
            .unwrap();
        assert_eq!(packed.headers()["content-encoding"], "gzip");
        assert_eq!(packed.headers()["vary"], "accept-encoding");
        let packed = packed.bytes().await.unwrap();
        assert_eq!(&packed[..2], &[0x1f, 0x8b], "a gzip stream");
        assert!(
            packed.len() * 2 < plain.len(),
            "{} of {}",
            packed.len(),
            plain.len()
        );
    }
    if std::env::var_os("HERAUT_TEST_WEB_BUILT").is_some() {
        assert!(
            assets >= 2,
            "the built UI loads its script and styles: {index}"
        );
        assert!(
            !index.contains("<script>") && !index.contains("style="),
            "no inline code"
        );
    }
}

#[test]
fn the_web_ui_is_typed_from_the_current_openapi_document() {
    let out = std::process::Command::new(BIN)
        .arg("openapi")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let served: Value = serde_json::from_slice(&out.stdout).unwrap();
    let copy = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/openapi.json");
    let kept: Value = std::fs::read(&copy)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    if served != kept && std::env::var_os("HERAUT_UPDATE_OPENAPI").is_some() {
        std::fs::write(&copy, &out.stdout).unwrap();
        return;
    }
    assert!(
        served == kept,
        "web/openapi.json is not the server's document: run `cargo run --bin heraut -- openapi > web/openapi.json` \
         (or this test with HERAUT_UPDATE_OPENAPI=1), then `npm run gen:api` in web/"
    );
}
