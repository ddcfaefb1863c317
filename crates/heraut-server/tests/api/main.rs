//! End-to-end tests: the real `heraut` binary on SQLite and on PostgreSQL (and with Redis where
//! it matters), driven through its HTTP API and CLI as an agency and an IT admin would.
//! One test binary for the crate, to keep linking cheap.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use heraut_testkit::{Server, TestDb};
use reqwest::StatusCode;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_heraut");
const ADMIN_EMAIL: &str = "it-admin@example.gov";
const ADMIN_PASSWORD: &str = "a long admin passphrase for tests";

#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
}

struct Resp {
    status: StatusCode,
    body: Value,
    headers: reqwest::header::HeaderMap,
}

impl Api {
    fn new(server: &Server) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            base: server.base_url.clone(),
        }
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Resp {
            status,
            body,
            headers,
        }
    }

    async fn get(&self, path: &str, token: &str) -> Resp {
        self.call("GET", path, Some(token), None).await
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.call("POST", path, token, Some(body)).await
    }

    async fn login(&self, email: &str, password: &str) -> Resp {
        self.post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": password}),
        )
        .await
    }
}

fn totp_code(secret_b32: &str, unix: u64) -> String {
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(totp_rs::Secret::try_from_base32(secret_b32).unwrap())
        .build()
        .unwrap()
        .generate(unix)
        .to_string()
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn assert_problem(r: &Resp, status: u16, code: &str) {
    assert_eq!(
        r.status.as_u16(),
        status,
        "expected {status} {code}, got {:?}",
        r.body
    );
    assert_eq!(r.body["code"], code, "{:?}", r.body);
    assert_eq!(
        r.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    assert!(r.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
}

/// Enrols TOTP for a signed-in person; returns (secret, recovery codes, the unix time whose step was used).
async fn enrol_totp(api: &Api, token: &str) -> (String, Vec<String>) {
    let start = api
        .post("/api/v1/me/mfa/totp", Some(token), json!({}))
        .await;
    assert_eq!(start.status, 200, "{:?}", start.body);
    let secret = start.body["secret"].as_str().unwrap().to_owned();
    assert!(
        start.body["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    let wrong = api
        .post(
            "/api/v1/me/mfa/totp/confirm",
            Some(token),
            json!({"code": "000000"}),
        )
        .await;
    if wrong.status != 200 {
        assert_problem(&wrong, 401, "auth.mfa_invalid");
    }
    let code = totp_code(&secret, now_secs());
    let ok = api
        .post(
            "/api/v1/me/mfa/totp/confirm",
            Some(token),
            json!({"code": code}),
        )
        .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    let codes: Vec<String> = ok.body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// Signs in with password then a recovery code (TOTP steps are single-use, so tests that sign
/// in many times use recovery codes).
async fn login_with_recovery(api: &Api, email: &str, password: &str, code: &str) -> Value {
    let first = api.login(email, password).await;
    assert_eq!(first.body["mfa_required"], true, "{:?}", first.body);
    let r = api
        .post(
            "/api/v1/auth/mfa",
            None,
            json!({"mfa_token": first.body["mfa_token"], "code": code}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
}

/// Creates the admin by CLI, signs in, enrols TOTP; returns (admin access token, admin recovery codes).
async fn bootstrap_admin(server: &Server, api: &Api) -> (String, Vec<String>) {
    let (code, out, err) = server
        .cli(
            &["admin", "create-admin", "--email", ADMIN_EMAIL],
            &[("HERAUT_ADMIN_PASSWORD", ADMIN_PASSWORD)],
        )
        .unwrap();
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("created instance administrator"), "{out}");
    let first = api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let token = first.body["access_token"].as_str().unwrap().to_owned();
    // An admin without 2FA can do nothing as admin yet.
    let denied = api.get("/api/v1/tenants", &token).await;
    assert_problem(&denied, 403, "auth.mfa_enrolment_required");
    let (_secret, codes) = enrol_totp(api, &token).await;
    let tokens = login_with_recovery(api, ADMIN_EMAIL, ADMIN_PASSWORD, &codes[0]).await;
    (
        tokens["access_token"].as_str().unwrap().to_owned(),
        codes[1..].to_vec(),
    )
}

async fn create_tenant(api: &Api, admin: &str, slug: &str) {
    let r = api
        .post(
            "/api/v1/tenants",
            Some(admin),
            json!({"slug": slug, "name": format!("Gemeente {slug}"), "level": "municipal"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["settings"]["require_mfa"], true);
}

/// Makes the instance administrator an owner of `slug`, for tests that act inside the tenant.
async fn join_as_owner(api: &Api, admin: &str, slug: &str) {
    let r = api
        .post(
            &format!("/api/v1/tenants/{slug}/members"),
            Some(admin),
            json!({"email": ADMIN_EMAIL, "name": "Admin", "role": "owner"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}

async fn start(db: &TestDb, extra: &[(&str, &str)]) -> Server {
    Server::start(std::path::Path::new(BIN), db, extra)
        .await
        .unwrap()
}

#[tokio::test]
async fn whole_journey_from_cli_admin_to_logout() {
    for db in TestDb::all().await {
        eprintln!("--- backend {}", db.label());
        let server = start(&db, &[]).await;
        let api = Api::new(&server);
        let (admin, _) = bootstrap_admin(&server, &api).await;

        create_tenant(&api, &admin, "utrecht").await;
        let dup = api
            .post(
                "/api/v1/tenants",
                Some(&admin),
                json!({"slug": "utrecht", "name": "x", "level": "municipal"}),
            )
            .await;
        assert_problem(&dup, 409, "tenant.slug_taken");
        let bad = api
            .post(
                "/api/v1/tenants",
                Some(&admin),
                json!({"slug": "Not A Slug", "name": "x", "level": "municipal"}),
            )
            .await;
        assert_problem(&bad, 400, "request.invalid");

        // Invite an owner; the password policy speaks first.
        let r = api
            .post(
                "/api/v1/tenants/utrecht/members",
                Some(&admin),
                json!({"email": "Ada@Example.gov", "name": "Ada", "role": "owner"}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["email"], "ada@example.gov");
        let set_token = r.body["set_password_token"].as_str().unwrap().to_owned();
        let short = api
            .post(
                "/api/v1/auth/set-password",
                None,
                json!({"token": set_token, "password": "short one"}),
            )
            .await;
        assert_problem(&short, 400, "auth.password_policy");
        let breached = api
            .post(
                "/api/v1/auth/set-password",
                None,
                json!({"token": set_token, "password": "1qaz2wsx3edc4rfv"}),
            )
            .await;
        assert_problem(&breached, 400, "auth.password_policy");
        let pw = "ada's very own passphrase";
        let set = api
            .post(
                "/api/v1/auth/set-password",
                None,
                json!({"token": set_token, "password": pw}),
            )
            .await;
        assert_eq!(set.status, 204, "{:?}", set.body);
        let again = api
            .post(
                "/api/v1/auth/set-password",
                None,
                json!({"token": set_token, "password": pw}),
            )
            .await;
        assert_problem(&again, 401, "auth.password_token_invalid");

        // Without 2FA, Ada can do nothing in a tenant that requires it, but can see herself and enrol.
        let first = api.login("ada@example.gov", pw).await;
        assert_eq!(first.status, 200, "{:?}", first.body);
        let ada0 = first.body["access_token"].as_str().unwrap().to_owned();
        let blocked = api.get("/api/v1/tenants/utrecht", &ada0).await;
        assert_problem(&blocked, 403, "auth.mfa_enrolment_required");
        let me = api.get("/api/v1/me", &ada0).await;
        assert_eq!(me.body["memberships"][0]["tenant"], "utrecht");
        assert_eq!(me.body["memberships"][0]["role"], "owner");
        assert_eq!(me.body["mfa_enabled"], false);
        let (secret, recovery) = enrol_totp(&api, &ada0).await;

        // Two sign-ins race with the same (next-step) code: exactly one wins.
        let a = api.login("ada@example.gov", pw).await;
        let b = api.login("ada@example.gov", pw).await;
        let code = totp_code(&secret, now_secs() + 30);
        let (ra, rb) = tokio::join!(
            api.post(
                "/api/v1/auth/mfa",
                None,
                json!({"mfa_token": a.body["mfa_token"], "code": code})
            ),
            api.post(
                "/api/v1/auth/mfa",
                None,
                json!({"mfa_token": b.body["mfa_token"], "code": code})
            ),
        );
        let wins = [ra.status, rb.status]
            .iter()
            .filter(|s| **s == StatusCode::OK)
            .count();
        assert_eq!(wins, 1, "{:?} / {:?}", ra.body, rb.body);
        let loser = if ra.status == StatusCode::OK {
            &rb
        } else {
            &ra
        };
        assert_problem(loser, 401, "auth.mfa_invalid");
        let tokens = if ra.status == StatusCode::OK {
            ra.body
        } else {
            rb.body
        };
        // The same code replayed later fails too.
        let c = api.login("ada@example.gov", pw).await;
        let replay = api
            .post(
                "/api/v1/auth/mfa",
                None,
                json!({"mfa_token": c.body["mfa_token"], "code": code}),
            )
            .await;
        assert_problem(&replay, 401, "auth.mfa_invalid");

        let ada = tokens["access_token"].as_str().unwrap().to_owned();
        assert_eq!(tokens["token_type"], "Bearer");
        assert!(tokens["expires_in"].as_u64().unwrap() <= 900);
        let t = api.get("/api/v1/tenants/utrecht", &ada).await;
        assert_eq!(t.status, 200, "{:?}", t.body);
        assert_eq!(t.body["slug"], "utrecht");

        // A recovery code works once.
        let d = api.login("ada@example.gov", pw).await;
        let rec = api
            .post(
                "/api/v1/auth/mfa",
                None,
                json!({"mfa_token": d.body["mfa_token"], "code": recovery[0].to_uppercase()}),
            )
            .await;
        assert_eq!(rec.status, 200, "{:?}", rec.body);
        let e = api.login("ada@example.gov", pw).await;
        let rec2 = api
            .post(
                "/api/v1/auth/mfa",
                None,
                json!({"mfa_token": e.body["mfa_token"], "code": recovery[0]}),
            )
            .await;
        assert_problem(&rec2, 401, "auth.mfa_invalid");

        // Refresh rotates; reusing a spent token ends the whole family.
        let rt1 = tokens["refresh_token"].as_str().unwrap().to_owned();
        let r2 = api
            .post("/api/v1/auth/refresh", None, json!({"refresh_token": rt1}))
            .await;
        assert_eq!(r2.status, 200, "{:?}", r2.body);
        let rt2 = r2.body["refresh_token"].as_str().unwrap().to_owned();
        let access2 = r2.body["access_token"].as_str().unwrap().to_owned();
        assert_eq!(api.get("/api/v1/me", &access2).await.status, 200);
        let reuse = api
            .post("/api/v1/auth/refresh", None, json!({"refresh_token": rt1}))
            .await;
        assert_problem(&reuse, 401, "auth.refresh_reused");
        let after = api
            .post("/api/v1/auth/refresh", None, json!({"refresh_token": rt2}))
            .await;
        assert_problem(&after, 401, "auth.token_invalid");
        assert_problem(
            &api.get("/api/v1/me", &access2).await,
            401,
            "auth.token_invalid",
        );

        // Logout ends the session server-side.
        let session = rec.body.clone();
        let access = session["access_token"].as_str().unwrap().to_owned();
        assert_eq!(api.get("/api/v1/me", &access).await.status, 200);
        let out = api
            .post("/api/v1/auth/logout", Some(&access), json!({}))
            .await;
        assert_eq!(out.status, 204, "{:?}", out.body);
        assert_problem(
            &api.get("/api/v1/me", &access).await,
            401,
            "auth.token_invalid",
        );
        let rt = session["refresh_token"].as_str().unwrap();
        assert_eq!(
            api.post("/api/v1/auth/refresh", None, json!({"refresh_token": rt}))
                .await
                .status,
            401
        );

        // The owner manages members; the audit log recorded all of it and verifies.
        let owner = login_with_recovery(&api, "ada@example.gov", pw, &recovery[1]).await;
        let owner = owner["access_token"].as_str().unwrap().to_owned();
        let bob = api
            .post(
                "/api/v1/tenants/utrecht/members",
                Some(&owner),
                json!({"email": "bob@example.gov", "name": "Bob", "role": "editor"}),
            )
            .await;
        assert_eq!(bob.status, 201);
        let bob_id = bob.body["user_id"].as_str().unwrap();
        let patched = api
            .call(
                "PATCH",
                &format!("/api/v1/tenants/utrecht/members/{bob_id}"),
                Some(&owner),
                Some(json!({"role": "approver"})),
            )
            .await;
        assert_eq!(patched.status, 200, "{:?}", patched.body);
        assert_eq!(patched.body["role"], "approver");
        let me_id = api.get("/api/v1/me", &owner).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let last = api
            .call(
                "DELETE",
                &format!("/api/v1/tenants/utrecht/members/{me_id}"),
                Some(&owner),
                None,
            )
            .await;
        assert_problem(&last, 409, "member.last_owner");
        let members = api.get("/api/v1/tenants/utrecht/members", &owner).await;
        assert_eq!(members.body["items"].as_array().unwrap().len(), 2);

        let audit = api
            .get("/api/v1/tenants/utrecht/audit?limit=200", &owner)
            .await;
        assert_eq!(audit.status, 200, "{:?}", audit.body);
        let actions: Vec<&str> = audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        for expected in [
            "tenant.create",
            "member.add",
            "auth.password_set",
            "mfa.enabled",
            "auth.login",
            "auth.mfa",
            "auth.recovery_code_used",
            "auth.refresh_reuse",
            "auth.logout",
            "member.role_change",
        ] {
            assert!(
                actions.contains(&expected),
                "{expected} missing from {actions:?}"
            );
        }
        let text = audit.body.to_string();
        assert!(
            !text.contains(pw) && !text.contains(&code) && !text.contains(&rt1),
            "secrets leaked into the audit log"
        );
        let filtered = api
            .get("/api/v1/tenants/utrecht/audit?action=member.add", &owner)
            .await;
        assert!(
            filtered.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["action"] == "member.add")
        );
        assert_eq!(filtered.body["items"].as_array().unwrap().len(), 2);
        let verify = api
            .get("/api/v1/tenants/utrecht/audit/verify", &owner)
            .await;
        assert_eq!(verify.body["valid"], true, "{:?}", verify.body);
        let n = verify.body["events_checked"].as_u64().unwrap();
        assert!(n >= 10, "{n}");
        let (code_ok, out, _) = server
            .cli(&["admin", "audit-verify", "--tenant", "utrecht"], &[])
            .unwrap();
        assert_eq!(code_ok, 0, "{out}");
        assert!(out.contains("valid"), "{out}");

        // An unknown tenant is an error (exit 2), not a verdict.
        let (c, _, _) = server
            .cli(
                &["admin", "audit-verify", "--tenant", "no-such-tenant"],
                &[],
            )
            .unwrap();
        assert_eq!(c, 2);

        // Changing one byte of one stored event is detected, by the API and by the CLI.
        tamper_audit_event(&db, &server, "utrecht", 3).await;
        let broken = api
            .get("/api/v1/tenants/utrecht/audit/verify", &owner)
            .await;
        assert_eq!(broken.body["valid"], false, "{:?}", broken.body);
        assert_eq!(broken.body["first_broken_event"], 3);
        let (code_bad, out, _) = server
            .cli(&["admin", "audit-verify", "--tenant", "utrecht"], &[])
            .unwrap();
        assert_eq!(code_bad, 1, "{out}");
        assert!(out.contains("BROKEN at event 3"), "{out}");
    }
}

/// Flips one character of an event's `outcome` directly in the database, as someone with
/// database access might.
async fn tamper_audit_event(db: &TestDb, server: &Server, slug: &str, seq: i64) {
    use sea_orm::{ConnectionTrait, Database};
    let conn = Database::connect(db.owner_url(&server.data_dir))
        .await
        .unwrap();
    let sql = format!(
        "UPDATE audit_events SET outcome = 'Success' WHERE seq = {seq} AND tenant_id = (SELECT id FROM tenants WHERE slug = '{slug}')"
    );
    let res = conn.execute_unprepared(&sql).await.unwrap();
    assert_eq!(res.rows_affected(), 1);
    conn.close().await.unwrap();
}

#[tokio::test]
async fn forged_expired_and_misaddressed_tokens_are_refused() {
    use heraut_auth::jwt::{self, Claims, TokenKeys};
    for db in TestDb::all().await {
        eprintln!("--- backend {}", db.label());
        let server = start(&db, &[]).await;
        let api = Api::new(&server);
        let (admin, _) = bootstrap_admin(&server, &api).await;
        let payload = admin.split('.').nth(1).unwrap();
        let claims: Claims = serde_json::from_slice(&base64_url_decode(payload)).unwrap();
        let pem = std::fs::read_to_string(server.data_dir.join("keys/jwt-ed25519.pem")).unwrap();
        let keys = TokenKeys::from_pem(&pem, "heraut").unwrap();
        let now = chrono::Utc::now().timestamp();
        let fresh = Claims {
            iat: now,
            nbf: now,
            exp: now + 300,
            ..claims.clone()
        };

        // Control: a token we craft the right way is accepted, so each refusal below is about its flaw.
        let good = keys.sign(jwt::ACCESS_TYP, &fresh).unwrap();
        assert_eq!(api.get("/api/v1/me", &good).await.status, 200);

        let expired = keys
            .sign(
                jwt::ACCESS_TYP,
                &Claims {
                    exp: now - 120,
                    nbf: now - 900,
                    ..fresh.clone()
                },
            )
            .unwrap();
        let wrong_aud = keys
            .sign(
                jwt::ACCESS_TYP,
                &Claims {
                    aud: "another-api".into(),
                    ..fresh.clone()
                },
            )
            .unwrap();
        let other_iss = TokenKeys::from_pem(&pem, "someone-else").unwrap();
        let wrong_iss = other_iss
            .sign(
                jwt::ACCESS_TYP,
                &Claims {
                    iss: "someone-else".into(),
                    ..fresh.clone()
                },
            )
            .unwrap();
        let wrong_typ = keys.sign(jwt::MFA_TYP, &fresh).unwrap();
        let other_key = TokenKeys::from_pem(&jwt::generate_key_pem().unwrap(), "heraut").unwrap();
        let wrong_key = other_key.sign(jwt::ACCESS_TYP, &fresh).unwrap();
        let not_yet = keys
            .sign(
                jwt::ACCESS_TYP,
                &Claims {
                    nbf: now + 3600,
                    exp: now + 7200,
                    ..fresh.clone()
                },
            )
            .unwrap();
        // HS256 "signed" with the public key (algorithm confusion) and `none`.
        let header_hs =
            base64_url(&json!({"alg": "HS256", "typ": "at+jwt", "kid": keys.kid()}).to_string());
        let header_none =
            base64_url(&json!({"alg": "none", "typ": "at+jwt", "kid": keys.kid()}).to_string());
        let body = base64_url(&serde_json::to_string(&fresh).unwrap());
        let hs = format!("{header_hs}.{body}.{}", base64_url("forged-signature"));
        let none = format!("{header_none}.{body}.");
        for (what, token) in [
            ("expired", expired),
            ("wrong audience", wrong_aud),
            ("wrong issuer", wrong_iss),
            ("mfa token as access token", wrong_typ),
            ("other key", wrong_key),
            ("not yet valid", not_yet),
            ("HS256", hs),
            ("alg none", none),
            ("garbage", "not.a.jwt".to_owned()),
        ] {
            let r = api.get("/api/v1/me", &token).await;
            assert_eq!(r.status, 401, "{what} was accepted: {:?}", r.body);
            assert_eq!(r.body["code"], "auth.token_invalid", "{what}");
        }
    }
}

fn base64_url(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

fn base64_url_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

#[tokio::test]
async fn throttling_and_lockout_hold_with_and_without_redis() {
    let redis = heraut_testkit::redis_url();
    for db in TestDb::all().await {
        // SQLite with in-process counters; PostgreSQL with Redis when it answers.
        let prefix = heraut_testkit::unique_name("throttle");
        let mut env: Vec<(&str, &str)> = vec![
            ("HERAUT_AUTH__THROTTLE_AFTER_FAILURES", "3"),
            ("HERAUT_AUTH__THROTTLE_BASE_DELAY_MS", "60000"),
        ];
        let with_redis = matches!(db, TestDb::Postgres { .. }) && redis.is_some();
        if with_redis {
            env.push(("HERAUT_REDIS_URL", redis.as_deref().unwrap()));
            env.push(("HERAUT_REDIS_PREFIX", &prefix));
        }
        eprintln!("--- backend {} redis {with_redis}", db.label());
        let server = start(&db, &env).await;
        let api = Api::new(&server);
        server
            .cli(
                &["admin", "create-admin", "--email", ADMIN_EMAIL],
                &[("HERAUT_ADMIN_PASSWORD", ADMIN_PASSWORD)],
            )
            .unwrap();
        for _ in 0..3 {
            assert_problem(
                &api.login(ADMIN_EMAIL, "wrong password, wrong").await,
                401,
                "auth.invalid_credentials",
            );
        }
        // The fourth try must wait, even with the right password.
        let throttled = api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_problem(&throttled, 429, "auth.throttled");
        let wait: u64 = throttled
            .headers
            .get("retry-after")
            .unwrap()
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((50..=60).contains(&wait), "{wait}");
        // Unknown accounts are throttled the same way, so throttling reveals nothing.
        for _ in 0..3 {
            assert_problem(
                &api.login("nobody@example.gov", "whatever it may be").await,
                401,
                "auth.invalid_credentials",
            );
        }
        assert_problem(
            &api.login("nobody@example.gov", "whatever it may be").await,
            429,
            "auth.throttled",
        );
        drop(server);

        // Lockout: with a tiny delay, the account locks at the threshold; an admin unlocks it.
        let prefix = heraut_testkit::unique_name("lockout");
        let mut env: Vec<(&str, &str)> = vec![
            ("HERAUT_AUTH__THROTTLE_AFTER_FAILURES", "2"),
            ("HERAUT_AUTH__THROTTLE_BASE_DELAY_MS", "1"),
            ("HERAUT_AUTH__LOCKOUT_AFTER_FAILURES", "6"),
        ];
        if with_redis {
            env.push(("HERAUT_REDIS_URL", redis.as_deref().unwrap()));
            env.push(("HERAUT_REDIS_PREFIX", &prefix));
        }
        let db2 = match db {
            TestDb::Sqlite { .. } => TestDb::sqlite(),
            TestDb::Postgres { .. } => TestDb::postgres().await.unwrap(),
        };
        let server = start(&db2, &env).await;
        let api = Api::new(&server);
        server
            .cli(
                &["admin", "create-admin", "--email", ADMIN_EMAIL],
                &[("HERAUT_ADMIN_PASSWORD", ADMIN_PASSWORD)],
            )
            .unwrap();
        let mut failures = 0;
        while failures < 6 {
            let r = api.login(ADMIN_EMAIL, "wrong password, wrong").await;
            if r.status == 401 {
                failures += 1;
            } else {
                assert_eq!(r.status, 429);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let locked = api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_problem(&locked, 423, "auth.account_locked");
        let (c, out, err) = server
            .cli(&["admin", "unlock", "--email", ADMIN_EMAIL], &[])
            .unwrap();
        assert_eq!(c, 0, "{out}{err}");
        let ok = api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(ok.status, 200, "{:?}", ok.body);
        let (c, out, _) = server
            .cli(&["admin", "audit-verify", "--tenant", "instance"], &[])
            .unwrap();
        assert_eq!(c, 0, "{out}");
    }
}

/// Fills an OpenAPI path template with the given values.
/// Tenant B's ids that tenant A replays.
struct Ids<'a> {
    user: &'a str,
    post: &'a str,
    channel: &'a str,
}

fn fill(template: &str, tenant: &str, ids: &Ids<'_>) -> String {
    let id = if template.contains("/channels/") {
        ids.channel
    } else {
        ids.post
    };
    template
        .replace("{tenant}", tenant)
        .replace("{user_id}", ids.user)
        .replace("{id}", id)
}

/// A valid body for each write route, so a refusal is about the tenant, not the body.
fn body_for(path: &str, method: &str) -> Option<Value> {
    match (method, path) {
        ("post", "/api/v1/tenants/{tenant}/members") => {
            Some(json!({"email": "mallory@example.gov", "name": "M", "role": "owner"}))
        }
        ("patch", p) if p.ends_with("{user_id}") => Some(json!({"role": "owner"})),
        ("put", p) if p.ends_with("/approval-policy") => Some(json!({"steps": []})),
        ("put", p) if p.ends_with("/crisis") => {
            Some(json!({"active": true, "message": "from another tenant"}))
        }
        ("post", p) if p.ends_with("/channels") => Some(
            json!({"plugin": "http-json", "name": "n", "settings": {"url": "http://127.0.0.1:9/x"}}),
        ),
        ("post", p) if p.ends_with("/posts") || p.ends_with("/posts/validate") => {
            Some(json!({"body": "x", "channels": []}))
        }
        ("patch", p) if p.ends_with("/posts/{id}") => Some(json!({"body": "changed"})),
        ("post", p) if p.ends_with("/reject") || p.ends_with("/retract") => {
            Some(json!({"reason": "r"}))
        }
        ("post", p) if p.ends_with("/comments") => Some(json!({"text": "t"})),
        ("post", p) if p.ends_with("/emergency") => Some(json!({"body": "e"})),
        ("put", p) if p.ends_with("/credentials") => Some(json!({"credentials": {"token": "t"}})),
        ("post" | "put" | "patch", _) => Some(json!({})),
        _ => None,
    }
}

/// Rows of tenant `slug` in every tenant-owned table, read as the database owner.
pub(crate) async fn rows_per_table(db: &TestDb, server: &Server, slug: &str) -> Vec<(String, i64)> {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let conn = Database::connect(db.owner_url(&server.data_dir))
        .await
        .unwrap();
    let mut out = Vec::new();
    for table in heraut_migration::TENANT_OWNED_TABLES {
        let sql = format!(
            "SELECT count(*) AS n FROM {table} WHERE tenant_id = (SELECT id FROM tenants WHERE slug = '{slug}')"
        );
        let row = conn
            .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap();
        out.push(((*table).to_owned(), row.try_get::<i64>("", "n").unwrap()));
    }
    conn.close().await.unwrap();
    out
}

/// Gives tenant B (whose owner is `b`) a row in every tenant-owned table besides its member,
/// channel and draft: a policy, crisis mode (on and off), an image, and a second post with a
/// comment that an approver approved, scheduled years ahead (its target waits, notifications
/// and approvals are kept).
async fn seed_every_tenant_owned_table(api: &Api, admin: &str, b: &str, channel: &str) {
    let put = |path: &'static str, body: Value| api.call("PUT", path, Some(b), Some(body));
    let steps = json!({"steps": [{"name": "Check", "role": "approver", "approvals_required": 1}]});
    assert_eq!(
        put("/api/v1/tenants/tenant-b/approval-policy", steps)
            .await
            .status,
        200
    );
    for active in [true, false] {
        let r = put(
            "/api/v1/tenants/tenant-b/crisis",
            json!({"active": active, "message": "storm"}),
        )
        .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let png = publishing::connectors::png();
    let parts: [(&str, Option<&str>, &[u8]); 2] = [
        ("file", Some("map.png"), &png),
        ("alt_text", None, b"A map of the town"),
    ];
    let (status, image) = publishing::upload(api, b, "tenant-b", &parts).await;
    assert_eq!(status, 201, "{image:?}");
    let pw = "approver of tenant b passphrase";
    let r = api
        .post(
            "/api/v1/tenants/tenant-b/members",
            Some(admin),
            json!({"email": "b-approver@example.gov", "name": "Approver", "role": "approver"}),
        )
        .await;
    let token = r.body["set_password_token"].as_str().unwrap().to_owned();
    api.post(
        "/api/v1/auth/set-password",
        None,
        json!({"token": token, "password": pw}),
    )
    .await;
    let first = api.login("b-approver@example.gov", pw).await;
    let first = first.body["access_token"].as_str().unwrap().to_owned();
    let (_, codes) = enrol_totp(api, &first).await;
    let approver = login_with_recovery(api, "b-approver@example.gov", pw, &codes[0]).await;
    let approver = approver["access_token"].as_str().unwrap().to_owned();
    let r = api
        .post(
            "/api/v1/tenants/tenant-b/posts",
            Some(b),
            json!({"body": "B's announcement", "channels": [channel], "media": [image["id"]],
                   "scheduled_at": "2036-01-01T09:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let second = r.body["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/tenants/tenant-b/posts/{second}");
    let r = api
        .post(
            &format!("{base}/comments"),
            Some(b),
            json!({"text": "Looks good"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = api
        .post(&format!("{base}/submit"), Some(b), json!({}))
        .await;
    assert_eq!(r.body["status"], "in_review", "{:?}", r.body);
    let r = api
        .post(&format!("{base}/approve"), Some(&approver), json!({}))
        .await;
    assert_eq!(r.body["status"], "approved", "{:?}", r.body);
}

#[tokio::test]
async fn route_walker_tenant_a_cannot_reach_tenant_b() {
    for db in TestDb::all().await {
        eprintln!("--- backend {}", db.label());
        // B's second channel reads a network with one mention (an inbound item).
        let network = heraut_testkit::counting::CountingServer::start(0, 1).unwrap();
        network.add_activity(1, None);
        let peers = format!("127.0.0.1:9,{}", network.peer());
        let server = start(&db, &[("HERAUT_PLUGIN_LOCAL_PEERS", &peers)]).await;
        let api = Api::new(&server);
        let (admin, _) = bootstrap_admin(&server, &api).await;
        create_tenant(&api, &admin, "tenant-a").await;
        create_tenant(&api, &admin, "tenant-b").await;
        let pw = "owner of tenant a passphrase";
        let mut invited = Vec::new();
        for (slug, email) in [
            ("tenant-a", "a-owner@example.gov"),
            ("tenant-b", "b-owner@example.gov"),
        ] {
            let r = api
                .post(
                    &format!("/api/v1/tenants/{slug}/members"),
                    Some(&admin),
                    json!({"email": email, "name": "Owner", "role": "owner"}),
                )
                .await;
            let token = r.body["set_password_token"].as_str().unwrap().to_owned();
            api.post(
                "/api/v1/auth/set-password",
                None,
                json!({"token": token, "password": pw}),
            )
            .await;
            invited.push(r.body["user_id"].as_str().unwrap().to_owned());
        }
        let b_user = invited[1].clone();
        let first = api.login("a-owner@example.gov", pw).await;
        let a0 = first.body["access_token"].as_str().unwrap().to_owned();
        let (_, codes) = enrol_totp(&api, &a0).await;
        let a = login_with_recovery(&api, "a-owner@example.gov", pw, &codes[0]).await;
        let a = a["access_token"].as_str().unwrap().to_owned();
        // Tenant B has a channel and a draft post, whose ids A replays.
        let first = api.login("b-owner@example.gov", pw).await;
        let b0 = first.body["access_token"].as_str().unwrap().to_owned();
        let (_, codes) = enrol_totp(&api, &b0).await;
        let b = login_with_recovery(&api, "b-owner@example.gov", pw, &codes[0]).await;
        let b = b["access_token"].as_str().unwrap().to_owned();
        let r = api
            .post(
                "/api/v1/tenants/tenant-b/channels",
                Some(&b),
                body_for("/api/v1/tenants/{tenant}/channels", "post").unwrap(),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let b_channel = r.body["id"].as_str().unwrap().to_owned();
        let r = api
            .post(
                "/api/v1/tenants/tenant-b/posts",
                Some(&b),
                json!({"body": "B's draft", "channels": [b_channel]}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let b_post = r.body["id"].as_str().unwrap().to_owned();
        seed_every_tenant_owned_table(&api, &admin, &b, &b_channel).await;
        let r = api
            .post(
                "/api/v1/tenants/tenant-b/channels",
                Some(&b),
                json!({"plugin": "http-json", "name": "B's network",
                       "settings": {"url": format!("{}/b", network.base_url)}}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while rows_per_table(&db, &server, "tenant-b")
            .await
            .iter()
            .any(|(t, n)| t == "inbound_items" && *n == 0)
        {
            assert!(
                std::time::Instant::now() < deadline,
                "B's channel was never read"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let before = rows_per_table(&db, &server, "tenant-b").await;
        for (table, n) in &before {
            assert!(
                *n > 0,
                "tenant B has no row in {table}: the walker must cover it"
            );
        }
        let ids = Ids {
            user: &b_user,
            post: &b_post,
            channel: &b_channel,
        };

        let doc = reqwest::get(server.url("/api/openapi.json"))
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        let paths = doc["paths"].as_object().unwrap();
        let mut walked = 0;
        for (template, ops) in paths {
            if !template.contains("{tenant}") {
                continue;
            }
            for method in ops.as_object().unwrap().keys() {
                // Tenant B's slug and B's member: must look like nothing exists.
                let mut targets = vec![fill(template, "tenant-b", &ids)];
                // Own tenant, but B's member, post or channel id.
                if template.contains("{user_id}") || template.contains("{id}") {
                    targets.push(fill(template, "tenant-a", &ids));
                }
                for path in targets {
                    let r = api
                        .call(
                            &method.to_uppercase(),
                            &path,
                            Some(&a),
                            body_for(template, method),
                        )
                        .await;
                    assert_eq!(
                        r.status,
                        404,
                        "{} {path} answered {}: {:?}",
                        method.to_uppercase(),
                        r.status,
                        r.body
                    );
                    let text = r.body.to_string();
                    assert!(!text.contains("b-owner"), "{path} leaked: {text}");
                    walked += 1;
                }
            }
        }
        assert!(walked >= 10, "walked only {walked} routes");
        // Nothing was changed in tenant B by all of that: not a row more or less anywhere.
        assert_eq!(rows_per_table(&db, &server, "tenant-b").await, before);
        let b_members = api.get("/api/v1/tenants/tenant-b/members", &admin).await;
        let roles: Vec<(&str, &str)> = b_members.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["email"].as_str().unwrap(), m["role"].as_str().unwrap()))
            .collect();
        assert_eq!(
            roles,
            vec![
                ("b-approver@example.gov", "approver"),
                ("b-owner@example.gov", "owner")
            ]
        );
        let post = api
            .get(&format!("/api/v1/tenants/tenant-b/posts/{b_post}"), &b)
            .await;
        assert_eq!(post.body["status"], "draft");
        assert_eq!(post.body["body"], "B's draft");
        assert_eq!(post.body["comments"], json!([]));
        let channels = api.get("/api/v1/tenants/tenant-b/channels", &b).await;
        assert_eq!(channels.body["items"].as_array().unwrap().len(), 2);
        // And the same routes on tenant A work for A, so the 404s above are about isolation.
        assert_eq!(
            api.get("/api/v1/tenants/tenant-a/members", &a).await.status,
            200
        );
        // A tenant list shows A only.
        let list = api.get("/api/v1/tenants", &a).await;
        let slugs: Vec<&str> = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["slug"].as_str().unwrap())
            .collect();
        assert_eq!(slugs, vec!["tenant-a"]);
    }
}

#[tokio::test]
async fn bad_input_gets_clear_problems_and_changes_nothing() {
    for db in TestDb::all().await {
        eprintln!("--- backend {}", db.label());
        let server = start(&db, &[("HERAUT_MAX_BODY_BYTES", "4096")]).await;
        let api = Api::new(&server);
        let (admin, _) = bootstrap_admin(&server, &api).await;
        create_tenant(&api, &admin, "zwolle").await;
        let raw = |body: &'static str, path: &str| {
            let req = api
                .http
                .post(format!("{}{}", api.base, path))
                .bearer_auth(&admin)
                .header("content-type", "application/json")
                .body(body);
            async move {
                let r = req.send().await.unwrap();
                let status = r.status().as_u16();
                let ct = r
                    .headers()
                    .get("content-type")
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_owned();
                (status, ct, r.json::<Value>().await.unwrap())
            }
        };
        let (s, ct, b) = raw("{not json", "/api/v1/tenants").await;
        assert_eq!(
            (s, ct.as_str(), b["code"].as_str()),
            (400, "application/problem+json", Some("request.invalid"))
        );
        let (s, _, b) = raw(
            r#"{"slug": 5, "name": "x", "level": "municipal"}"#,
            "/api/v1/tenants",
        )
        .await;
        assert_eq!(s, 400);
        assert!(b["detail"].as_str().unwrap().contains("slug"), "{b}");
        let (s, _, b) = raw(
            r#"{"slug": "ok-slug", "name": "x", "level": "galactic"}"#,
            "/api/v1/tenants",
        )
        .await;
        assert_eq!(s, 400);
        assert!(b["detail"].as_str().unwrap().contains("galactic"), "{b}");
        let (s, _, b) = raw(
            r#"{"slug": "ok-slug", "name": "x", "level": "municipal", "owner": "me"}"#,
            "/api/v1/tenants",
        )
        .await;
        assert_eq!(s, 400);
        assert!(b["detail"].as_str().unwrap().contains("owner"), "{b}");
        let big = format!(
            r#"{{"slug": "big", "name": "{}", "level": "municipal"}}"#,
            "x".repeat(10_000)
        );
        let r = api
            .http
            .post(format!("{}/api/v1/tenants", api.base))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body(big)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 413);
        assert_eq!(
            r.json::<Value>().await.unwrap()["code"],
            "request.too_large"
        );
        let bad_id = api
            .call(
                "PATCH",
                "/api/v1/tenants/zwolle/members/not-a-uuid",
                Some(&admin),
                Some(json!({"role": "editor"})),
            )
            .await;
        assert_problem(&bad_id, 400, "request.invalid");
        let bad_limit = api.get("/api/v1/tenants?limit=0", &admin).await;
        assert_problem(&bad_limit, 400, "request.invalid");
        let bad_email = api
            .post(
                "/api/v1/tenants/zwolle/members",
                Some(&admin),
                json!({"email": "no-at-sign", "name": "X", "role": "editor"}),
            )
            .await;
        assert_problem(&bad_email, 400, "request.invalid");
        let nowhere = api.get("/api/v1/nowhere", &admin).await;
        assert_problem(&nowhere, 404, "request.not_found");
        let no_parent = api
            .post(
                "/api/v1/tenants",
                Some(&admin),
                json!({"slug": "child", "name": "C", "level": "municipal", "parent": "ghost"}),
            )
            .await;
        assert_problem(&no_parent, 404, "tenant.parent_not_found");
        // Nothing of the refused requests was stored.
        let list = api.get("/api/v1/tenants", &admin).await;
        let slugs: Vec<&str> = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["slug"].as_str().unwrap())
            .collect();
        assert_eq!(slugs, vec!["zwolle"]);
        let members = api.get("/api/v1/tenants/zwolle/members", &admin).await;
        assert_eq!(members.body["items"].as_array().unwrap().len(), 0);

        // Bad configuration: the CLI names the key and exits non-zero.
        let (c, _, err) = server
            .cli(&["migrate"], &[("HERAUT_LISTN", "1.2.3.4:80")])
            .unwrap();
        assert_eq!(c, 2);
        assert!(err.contains("HERAUT_LISTN"), "{err}");
        let (c, _, err) = server
            .cli(&["migrate"], &[("HERAUT_AUTH__ARGON2_MEMORY_KIB", "64")])
            .unwrap();
        assert_eq!(c, 2);
        assert!(err.contains("argon2_memory_kib"), "{err}");
        let cfg = server.data_dir.join("bad.toml");
        std::fs::write(
            &cfg,
            "listen = \"127.0.0.1:1\"\n[auth]\nissuer = \"x\"\nsurprise = true\n",
        )
        .unwrap();
        let (c, _, err) = server
            .cli(&["migrate"], &[("HERAUT_CONFIG", cfg.to_str().unwrap())])
            .unwrap();
        assert_eq!(c, 2);
        assert!(
            err.contains("surprise") && err.contains("bad.toml"),
            "{err}"
        );
        let (c, _, err) = server
            .cli(
                &["admin", "create-admin", "--email", "x@example.gov"],
                &[("HERAUT_ADMIN_PASSWORD", "short")],
            )
            .unwrap();
        assert_eq!(c, 2);
        assert!(err.contains("at least 15"), "{err}");
    }
}

#[tokio::test]
async fn operations_endpoints_and_openapi_document() {
    let db = TestDb::sqlite();
    let server = start(&db, &[]).await;
    let health = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    let h = health.headers();
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(h.get("referrer-policy").unwrap(), "same-origin");
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(h.get("x-request-id").is_some());
    // An incoming request id is kept, so logs and audit events can be joined.
    let r = reqwest::Client::new()
        .get(server.url("/readyz"))
        .header("x-request-id", "trace-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers().get("x-request-id").unwrap(), "trace-123");
    let metrics = reqwest::get(server.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("heraut_http_requests_total"), "{metrics}");
    assert!(metrics.contains("route=\"/readyz\""), "{metrics}");
    let doc: Value = reqwest::get(server.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for route in [
        "/api/v1/auth/login",
        "/api/v1/auth/mfa",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/set-password",
        "/api/v1/me",
        "/api/v1/me/mfa/totp",
        "/api/v1/me/mfa/totp/confirm",
        "/api/v1/me/password",
        "/api/v1/tenants",
        "/api/v1/tenants/{tenant}",
        "/api/v1/tenants/{tenant}/members",
        "/api/v1/tenants/{tenant}/members/{user_id}",
        "/api/v1/tenants/{tenant}/audit",
        "/api/v1/tenants/{tenant}/audit/verify",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(
            doc["paths"].get(route).is_some(),
            "{route} missing from the OpenAPI document"
        );
    }
    // With a separate metrics address, /metrics is served there and nowhere else.
    let metrics_port = heraut_testkit::free_port();
    let metrics_addr = format!("127.0.0.1:{metrics_port}");
    let db2 = TestDb::sqlite();
    let split = start(&db2, &[("HERAUT_METRICS_LISTEN", metrics_addr.as_str())]).await;
    assert_eq!(
        reqwest::get(split.url("/metrics")).await.unwrap().status(),
        404
    );
    let m = reqwest::get(format!("http://{metrics_addr}/metrics"))
        .await
        .unwrap();
    assert_eq!(m.status(), 200);
    assert!(
        m.text()
            .await
            .unwrap()
            .contains("heraut_http_requests_total")
    );
    assert_eq!(
        reqwest::get(format!("http://{metrics_addr}/api/v1/me"))
            .await
            .unwrap()
            .status(),
        404
    );
    drop(split);
    let docs = reqwest::get(server.url("/api/docs/")).await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(
        docs.text().await.unwrap().contains("swagger"),
        "the docs page is not Swagger UI"
    );
}

/// schemathesis (`st`) over the OpenAPI document, authenticated as an instance admin who owns a
/// tenant: no 5xx, no answer the document does not describe. `st` comes from
/// `HERAUT_TEST_SCHEMATHESIS` or the PATH; without it the test is skipped with a notice, unless
/// `HERAUT_TEST_REQUIRE_SERVICES=1`.
#[tokio::test]
async fn schemathesis_finds_no_server_error_and_no_undocumented_answer() {
    let st = std::env::var("HERAUT_TEST_SCHEMATHESIS").unwrap_or_else(|_| "st".to_owned());
    let found = std::process::Command::new(&st)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var("HERAUT_TEST_REQUIRE_SERVICES").is_ok_and(|v| v == "1") {
            panic!("schemathesis (`{st}`) is required but not found; set HERAUT_TEST_SCHEMATHESIS");
        }
        eprintln!("NOTICE: schemathesis (`{st}`) not found; skipping the API fuzzing test");
        return;
    }
    for db in TestDb::all().await {
        eprintln!("--- backend {}", db.label());
        let server = start(&db, &[]).await;
        let api = Api::new(&server);
        let (admin, _) = bootstrap_admin(&server, &api).await;
        create_tenant(&api, &admin, "fuzz").await;
        let work = server.data_dir.join("schemathesis");
        std::fs::create_dir_all(&work).unwrap();
        std::fs::write(
            work.join("schemathesis.toml"),
            "[parameters]\n\"path.tenant\" = \"fuzz\"\n",
        )
        .unwrap();
        let out = tokio::process::Command::new(&st)
            .current_dir(&work)
            .args([
                "run",
                &server.url("/api/openapi.json"),
                "--checks",
                "all",
                "--max-examples",
                "25",
                "--generation-deterministic",
                "--exclude-path",
                "/api/v1/auth/logout",
                // A server-sent event stream never ends; publishing.rs reads it.
                "--exclude-path",
                "/api/v1/tenants/{tenant}/events",
                // Random bytes are never a valid component; the plugin test covers refusals.
                "--exclude-operation-id",
                "install_plugin",
                "--request-timeout",
                "20",
            ])
            .arg("--header")
            .arg(format!("Authorization: Bearer {admin}"))
            .output()
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "schemathesis found problems:\n{text}\n{}",
            server.log()
        );
        assert!(!server.log().contains("panicked"), "{}", server.log());
    }
}

#[tokio::test]
async fn account_changes_resets_paging_and_rehash() {
    for db in TestDb::all().await {
        eprintln!("--- backend {}", db.label());
        let mut server = start(&db, &[("HERAUT_PUBLIC_URL", "https://heraut.example.gov")]).await;
        let api = Api::new(&server);
        let (admin, admin_codes) = bootstrap_admin(&server, &api).await;
        // HSTS because the public URL is https.
        let r = api.get("/api/v1/me", &admin).await;
        assert!(r.headers.get("strict-transport-security").is_some());
        // `instance` is reserved for the instance's own audit chain.
        let reserved = api
            .post(
                "/api/v1/tenants",
                Some(&admin),
                json!({"slug": "instance", "name": "x", "level": "other"}),
            )
            .await;
        assert_problem(&reserved, 400, "request.invalid");
        for slug in ["aa", "bb", "cc"] {
            create_tenant(&api, &admin, slug).await;
        }
        // Paging: two per page, the cursor continues, the last page has none.
        let p1 = api.get("/api/v1/tenants?limit=2", &admin).await;
        assert_eq!(p1.body["items"].as_array().unwrap().len(), 2);
        let cursor = p1.body["next_cursor"].as_str().unwrap().to_owned();
        let p2 = api
            .get(&format!("/api/v1/tenants?limit=2&cursor={cursor}"), &admin)
            .await;
        assert_eq!(p2.body["items"][0]["slug"], "cc");
        assert_eq!(p2.body["next_cursor"], Value::Null);
        for (i, email) in ["m1@example.gov", "m2@example.gov", "m3@example.gov"]
            .iter()
            .enumerate()
        {
            let role = if i == 0 { "owner" } else { "editor" };
            let r = api
                .post(
                    "/api/v1/tenants/aa/members",
                    Some(&admin),
                    json!({"email": email, "name": "M", "role": role}),
                )
                .await;
            assert_eq!(r.status, 201);
            if i == 0 {
                let token = r.body["set_password_token"].as_str().unwrap();
                let set = api
                    .post(
                        "/api/v1/auth/set-password",
                        None,
                        json!({"token": token, "password": "member one passphrase"}),
                    )
                    .await;
                assert_eq!(set.status, 204);
            }
        }
        let m1 = api.get("/api/v1/tenants/aa/members?limit=2", &admin).await;
        assert_eq!(m1.body["items"].as_array().unwrap().len(), 2);
        let c = m1.body["next_cursor"].as_str().unwrap().to_owned();
        let m2 = api
            .get(
                &format!("/api/v1/tenants/aa/members?limit=2&cursor={c}"),
                &admin,
            )
            .await;
        assert_eq!(m2.body["items"][0]["email"], "m3@example.gov");
        assert_eq!(m2.body["next_cursor"], Value::Null);

        // The member enrols 2FA; their owner... is themselves: an admin resets their 2FA by API.
        let first = api.login("m1@example.gov", "member one passphrase").await;
        let t0 = first.body["access_token"].as_str().unwrap().to_owned();
        let (_, codes) = enrol_totp(&api, &t0).await;
        let s =
            login_with_recovery(&api, "m1@example.gov", "member one passphrase", &codes[0]).await;
        let m1_token = s["access_token"].as_str().unwrap().to_owned();
        // Change password: wrong current refused; a short new one refused; then it works and ends sessions.
        let wrong = api
            .call(
                "PUT",
                "/api/v1/me/password",
                Some(&m1_token),
                Some(json!({"current_password": "nope", "new_password": "x"})),
            )
            .await;
        assert_problem(&wrong, 401, "auth.invalid_credentials");
        let short = api
            .call(
                "PUT",
                "/api/v1/me/password",
                Some(&m1_token),
                Some(json!({"current_password": "member one passphrase", "new_password": "short"})),
            )
            .await;
        assert_problem(&short, 400, "auth.password_policy");
        // With 2FA on, 8 characters are enough.
        let ok = api.call("PUT", "/api/v1/me/password", Some(&m1_token), Some(json!({"current_password": "member one passphrase", "new_password": "k9#mQ2vL"}))).await;
        assert_eq!(ok.status, 204, "{:?}", ok.body);
        assert_problem(
            &api.get("/api/v1/me", &m1_token).await,
            401,
            "auth.token_invalid",
        );
        assert_eq!(
            api.login("m1@example.gov", "member one passphrase")
                .await
                .status,
            401
        );
        let s = login_with_recovery(&api, "m1@example.gov", "k9#mQ2vL", &codes[1]).await;
        let m1_token = s["access_token"].as_str().unwrap().to_owned();
        let user_id = api.get("/api/v1/me", &m1_token).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let reset = api
            .post(
                &format!("/api/v1/tenants/aa/members/{user_id}/mfa-reset"),
                Some(&admin),
                json!({}),
            )
            .await;
        assert_eq!(reset.status, 204, "{:?}", reset.body);
        assert_problem(
            &api.get("/api/v1/me", &m1_token).await,
            401,
            "auth.token_invalid",
        );
        let after = api.login("m1@example.gov", "k9#mQ2vL").await;
        assert_eq!(after.status, 200);
        assert!(
            after.body.get("access_token").is_some(),
            "2FA should be off after the reset: {:?}",
            after.body
        );
        let blocked = api
            .get(
                "/api/v1/tenants/aa",
                after.body["access_token"].as_str().unwrap(),
            )
            .await;
        assert_problem(&blocked, 403, "auth.mfa_enrolment_required");

        // Tenant settings: an owner (here the admin) changes them; bad values are refused; the
        // change is audited; without the 2FA requirement the member may work again.
        let m1_plain = after.body["access_token"].as_str().unwrap().to_owned();
        let bad_tz = api
            .call(
                "PATCH",
                "/api/v1/tenants/aa",
                Some(&admin),
                Some(json!({"time_zone": "Mars/Olympus"})),
            )
            .await;
        assert_problem(&bad_tz, 400, "request.invalid");
        let bad_grace = api
            .call(
                "PATCH",
                "/api/v1/tenants/aa",
                Some(&admin),
                Some(json!({"publish_grace_minutes": 5000})),
            )
            .await;
        assert_problem(&bad_grace, 400, "request.invalid");
        let array = api
            .call(
                "PATCH",
                "/api/v1/tenants/aa",
                Some(&admin),
                Some(json!([null, null])),
            )
            .await;
        assert_problem(&array, 400, "request.invalid");
        let changed = api
            .call("PATCH", "/api/v1/tenants/aa", Some(&admin), Some(json!({"time_zone": "Europe/Amsterdam", "require_mfa": false, "publish_grace_minutes": 30})))
            .await;
        assert_eq!(changed.status, 200, "{:?}", changed.body);
        assert_eq!(changed.body["settings"]["time_zone"], "Europe/Amsterdam");
        assert_eq!(changed.body["settings"]["publish_grace_minutes"], 30);
        assert_eq!(api.get("/api/v1/tenants/aa", &m1_plain).await.status, 200);
        let audit = api
            .get(
                "/api/v1/tenants/aa/audit?action=tenant.settings_change",
                &admin,
            )
            .await;
        assert_eq!(
            audit.body["items"][0]["details"]["after"]["require_mfa"],
            false
        );
        // An editor may not change settings (another owner first: the last one cannot step down).
        let all = api.get("/api/v1/tenants/aa/members", &admin).await;
        let m2_id = all.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["email"] == "m2@example.gov")
            .unwrap()["user_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let promote = api
            .call(
                "PATCH",
                &format!("/api/v1/tenants/aa/members/{m2_id}"),
                Some(&admin),
                Some(json!({"role": "owner"})),
            )
            .await;
        assert_eq!(promote.status, 200);
        let m1_role = api
            .call(
                "PATCH",
                &format!("/api/v1/tenants/aa/members/{user_id}"),
                Some(&admin),
                Some(json!({"role": "editor"})),
            )
            .await;
        assert_eq!(m1_role.status, 200, "{:?}", m1_role.body);
        let denied = api
            .call(
                "PATCH",
                "/api/v1/tenants/aa",
                Some(&m1_plain),
                Some(json!({"require_mfa": true})),
            )
            .await;
        assert_problem(&denied, 403, "auth.forbidden");

        // The CLI resets an admin's 2FA when device and recovery codes are lost.
        let (c, out, err) = server
            .cli(&["admin", "reset-mfa", "--email", ADMIN_EMAIL], &[])
            .unwrap();
        assert_eq!(c, 0, "{out}{err}");
        assert_problem(
            &api.get("/api/v1/me", &admin).await,
            401,
            "auth.token_invalid",
        );
        let plain = api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert!(plain.body.get("access_token").is_some(), "{:?}", plain.body);
        let _ = admin_codes;

        // Raising argon2 parameters rehashes a password at its next sign-in.
        let owner_url = db.owner_url(&server.data_dir);
        let stored_m = || async {
            use sea_orm::{ConnectionTrait, Database, Statement};
            let conn = Database::connect(owner_url.clone()).await.unwrap();
            let row = conn
                .query_one_raw(Statement::from_string(
                    conn.get_database_backend(),
                    format!("SELECT password_hash FROM users WHERE email = '{ADMIN_EMAIL}'"),
                ))
                .await
                .unwrap()
                .unwrap();
            let hash: String = row.try_get("", "password_hash").unwrap();
            conn.close().await.unwrap();
            hash
        };
        assert!(stored_m().await.contains("m=19456"));
        server
            .env
            .push(("HERAUT_AUTH__ARGON2_MEMORY_KIB".into(), "24576".into()));
        server.restart().await.unwrap();
        assert_eq!(api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
        assert!(stored_m().await.contains("m=24576"), "not rehashed");
        assert_eq!(api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
    }
}

#[tokio::test]
async fn approval_policy_and_crisis_mode_are_owner_decisions_and_audited() {
    for db in TestDb::all().await {
        eprintln!("--- backend {}", db.label());
        let server = start(&db, &[]).await;
        let api = Api::new(&server);
        let (admin, _) = bootstrap_admin(&server, &api).await;
        create_tenant(&api, &admin, "leiden").await;
        // Switch the 2FA requirement off so the editor below can act without enrolling.
        let r = api
            .call(
                "PATCH",
                "/api/v1/tenants/leiden",
                Some(&admin),
                Some(json!({"require_mfa": false})),
            )
            .await;
        assert_eq!(r.status, 200);
        let r = api
            .post(
                "/api/v1/tenants/leiden/members",
                Some(&admin),
                json!({"email": "ed@example.gov", "name": "Ed", "role": "editor"}),
            )
            .await;
        let token = r.body["set_password_token"].as_str().unwrap();
        api.post(
            "/api/v1/auth/set-password",
            None,
            json!({"token": token, "password": "editor passphrase here"}),
        )
        .await;
        let r = api
            .post(
                "/api/v1/tenants/leiden/members",
                Some(&admin),
                json!({"email": "olga@example.gov", "name": "Olga", "role": "owner"}),
            )
            .await;
        let token = r.body["set_password_token"].as_str().unwrap();
        api.post(
            "/api/v1/auth/set-password",
            None,
            json!({"token": token, "password": "owner passphrase here"}),
        )
        .await;
        let owner = api
            .login("olga@example.gov", "owner passphrase here")
            .await
            .body["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let ed = api
            .login("ed@example.gov", "editor passphrase here")
            .await
            .body["access_token"]
            .as_str()
            .unwrap()
            .to_owned();

        // The default policy: one approver.
        let p = api.get("/api/v1/tenants/leiden/approval-policy", &ed).await;
        assert_eq!(p.status, 200, "{:?}", p.body);
        assert_eq!(
            p.body,
            json!({"steps": [{"name": "Review", "role": "approver", "approvals_required": 1}],
                   "emergency_steps": [{"name": "Emergency", "role": "owner", "approvals_required": 1}]})
        );
        // An editor reads it but cannot change it.
        let two = json!({"steps": [
            {"name": "Communications lead", "role": "approver", "approvals_required": 1},
            {"name": "Legal", "role": "owner", "approvals_required": 2}],
            "emergency_steps": [{"name": "Duty officer", "role": "owner", "approvals_required": 1}]});
        assert_problem(
            &api.call(
                "PUT",
                "/api/v1/tenants/leiden/approval-policy",
                Some(&ed),
                Some(two.clone()),
            )
            .await,
            403,
            "auth.forbidden",
        );
        let bad =
            json!({"steps": [{"name": "Editors", "role": "editor", "approvals_required": 1}]});
        let r = api
            .call(
                "PUT",
                "/api/v1/tenants/leiden/approval-policy",
                Some(&owner),
                Some(bad),
            )
            .await;
        assert_problem(&r, 400, "request.invalid");
        assert!(r.body["detail"].as_str().unwrap().contains("editor"));
        let r = api
            .call(
                "PUT",
                "/api/v1/tenants/leiden/approval-policy",
                Some(&owner),
                Some(two.clone()),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(
            api.get("/api/v1/tenants/leiden/approval-policy", &ed)
                .await
                .body,
            two
        );
        let none = api
            .call(
                "PUT",
                "/api/v1/tenants/leiden/approval-policy",
                Some(&owner),
                Some(json!({"steps": []})),
            )
            .await;
        // Absent emergency steps are the default: one other owner.
        assert_eq!(none.body["steps"], json!([]));
        assert_eq!(none.body["emergency_steps"][0]["role"], "owner");

        // Crisis mode: off at first; switching on needs a message; every member sees the banner.
        let c = api.get("/api/v1/tenants/leiden/crisis", &ed).await;
        assert_eq!(
            (c.body["active"].clone(), c.body["message"].clone()),
            (json!(false), json!(""))
        );
        assert_problem(
            &api.call(
                "PUT",
                "/api/v1/tenants/leiden/crisis",
                Some(&ed),
                Some(json!({"active": true, "message": "x"})),
            )
            .await,
            403,
            "auth.forbidden",
        );
        let r = api
            .call(
                "PUT",
                "/api/v1/tenants/leiden/crisis",
                Some(&owner),
                Some(json!({"active": true})),
            )
            .await;
        assert_problem(&r, 422, "validation.failed");
        let on = api.call("PUT", "/api/v1/tenants/leiden/crisis", Some(&owner), Some(json!({"active": true, "message": "Flooding in the city centre: follow the safety region"}))).await;
        assert_eq!(on.status, 200, "{:?}", on.body);
        let seen = api.get("/api/v1/tenants/leiden/crisis", &ed).await;
        assert_eq!(seen.body["active"], true);
        assert_eq!(
            seen.body["message"],
            "Flooding in the city centre: follow the safety region"
        );
        let off = api
            .call(
                "PUT",
                "/api/v1/tenants/leiden/crisis",
                Some(&owner),
                Some(json!({"active": false})),
            )
            .await;
        assert_eq!(off.body["active"], false);

        let audit = api
            .get("/api/v1/tenants/leiden/audit?limit=200", &admin)
            .await;
        let actions: Vec<&str> = audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        for expected in [
            "approval_policy.change",
            "crisis.activate",
            "crisis.release",
            "tenant.settings_change",
        ] {
            assert!(
                actions.contains(&expected),
                "{expected} missing from {actions:?}"
            );
        }
        assert_eq!(
            api.get("/api/v1/tenants/leiden/audit/verify", &admin)
                .await
                .body["valid"],
            true
        );
    }
}

#[tokio::test]
async fn owners_reset_sign_in_only_for_people_of_their_own_tenant() {
    for db in TestDb::all().await {
        eprintln!("--- backend {}", db.label());
        let server = start(&db, &[]).await;
        let api = Api::new(&server);
        let (admin, _) = bootstrap_admin(&server, &api).await;
        for slug in ["oost", "west"] {
            create_tenant(&api, &admin, slug).await;
            let r = api
                .call(
                    "PATCH",
                    &format!("/api/v1/tenants/{slug}"),
                    Some(&admin),
                    Some(json!({"require_mfa": false})),
                )
                .await;
            assert_eq!(r.status, 200);
        }
        let invite = |slug: &'static str, email: &'static str, role: &'static str| {
            let api = &api;
            let admin = admin.clone();
            async move {
                let r = api
                    .post(
                        &format!("/api/v1/tenants/{slug}/members"),
                        Some(&admin),
                        json!({"email": email, "name": "P", "role": role}),
                    )
                    .await;
                assert_eq!(r.status, 201, "{:?}", r.body);
                if let Some(t) = r.body["set_password_token"].as_str() {
                    let s = api
                        .post(
                            "/api/v1/auth/set-password",
                            None,
                            json!({"token": t, "password": "a first passphrase"}),
                        )
                        .await;
                    assert_eq!(s.status, 204);
                }
                r.body["user_id"].as_str().unwrap().to_owned()
            }
        };
        invite("oost", "owner@oost.example", "owner").await;
        let shared = invite("oost", "shared@example.gov", "editor").await;
        invite("west", "shared@example.gov", "owner").await;
        let local = invite("oost", "local@oost.example", "editor").await;
        let owner = api
            .login("owner@oost.example", "a first passphrase")
            .await
            .body["access_token"]
            .as_str()
            .unwrap()
            .to_owned();

        // Someone who also belongs to another agency: the owner may not reset them.
        for what in ["mfa-reset", "password-reset"] {
            let r = api
                .post(
                    &format!("/api/v1/tenants/oost/members/{shared}/{what}"),
                    Some(&owner),
                    json!({}),
                )
                .await;
            assert_problem(&r, 403, "auth.forbidden");
        }
        // Someone only in this agency: the owner issues a reset token, the person sets a new password.
        let r = api
            .post(
                &format!("/api/v1/tenants/oost/members/{local}/password-reset"),
                Some(&owner),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let token = r.body["set_password_token"].as_str().unwrap();
        let s = api
            .post(
                "/api/v1/auth/set-password",
                None,
                json!({"token": token, "password": "a second passphrase"}),
            )
            .await;
        assert_eq!(s.status, 204);
        assert_eq!(
            api.login("local@oost.example", "a first passphrase")
                .await
                .status,
            401
        );
        assert_eq!(
            api.login("local@oost.example", "a second passphrase")
                .await
                .status,
            200
        );
        // Only the newest token works: issuing another voids the one before.
        let first = api
            .post(
                &format!("/api/v1/tenants/oost/members/{local}/password-reset"),
                Some(&owner),
                json!({}),
            )
            .await;
        let second = api
            .post(
                &format!("/api/v1/tenants/oost/members/{local}/password-reset"),
                Some(&owner),
                json!({}),
            )
            .await;
        let old = api
            .post("/api/v1/auth/set-password", None, json!({"token": first.body["set_password_token"], "password": "an attacker's passphrase"}))
            .await;
        assert_problem(&old, 401, "auth.password_token_invalid");
        // A password change voids it too.
        let local_token = api
            .login("local@oost.example", "a second passphrase")
            .await
            .body["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let changed = api
            .call("PUT", "/api/v1/me/password", Some(&local_token), Some(json!({"current_password": "a second passphrase", "new_password": "a third local passphrase"})))
            .await;
        assert_eq!(changed.status, 204);
        let late = api
            .post("/api/v1/auth/set-password", None, json!({"token": second.body["set_password_token"], "password": "an attacker's passphrase"}))
            .await;
        assert_problem(&late, 401, "auth.password_token_invalid");

        // An administrator without 2FA who is also a plain member gets no administrator shortcut.
        let (c, _, err) = server
            .cli(
                &["admin", "create-admin", "--email", "admin2@example.gov"],
                &[("HERAUT_ADMIN_PASSWORD", "second admin passphrase")],
            )
            .unwrap();
        assert_eq!(c, 0, "{err}");
        let added = api
            .post(
                "/api/v1/tenants/oost/members",
                Some(&admin),
                json!({"email": "admin2@example.gov", "name": "A2", "role": "editor"}),
            )
            .await;
        assert_eq!(added.status, 201, "{:?}", added.body);
        let admin2 = api
            .login("admin2@example.gov", "second admin passphrase")
            .await
            .body["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = api
            .post(
                &format!("/api/v1/tenants/oost/members/{shared}/mfa-reset"),
                Some(&admin2),
                json!({}),
            )
            .await;
        assert_problem(&r, 403, "auth.mfa_enrolment_required");

        // An instance administrator may reset anyone, by API and by CLI.
        let r = api
            .post(
                &format!("/api/v1/tenants/oost/members/{shared}/password-reset"),
                Some(&admin),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let (c, out, err) = server
            .cli(
                &["admin", "reset-password", "--email", "shared@example.gov"],
                &[],
            )
            .unwrap();
        assert_eq!(c, 0, "{err}");
        let s = api
            .post(
                "/api/v1/auth/set-password",
                None,
                json!({"token": out.trim(), "password": "a third passphrase"}),
            )
            .await;
        assert_eq!(s.status, 204, "{:?}", s.body);
        assert_eq!(
            api.login("shared@example.gov", "a third passphrase")
                .await
                .status,
            200
        );
        let audit = api
            .get(
                "/api/v1/tenants/oost/audit?action=auth.password_reset_issued",
                &admin,
            )
            .await;
        // The owner's three, the administrator's by API, and the command line's.
        assert_eq!(
            audit.body["items"].as_array().unwrap().len(),
            5,
            "{:?}",
            audit.body
        );
        // The newest came from the command line: no signed-in actor, the account is the target.
        assert_eq!(audit.body["items"][0]["actor_id"], Value::Null);
        assert_eq!(audit.body["items"][0]["target"], "shared@example.gov");
        assert_eq!(audit.body["items"][1]["actor_email"], ADMIN_EMAIL);
    }
}

/// A local SMTP receiver (aiosmtpd) writing each message into a Maildir.
struct SmtpSink {
    child: std::process::Child,
    pub(crate) port: u16,
    dir: std::path::PathBuf,
}

impl SmtpSink {
    /// Starts aiosmtpd with the Python of `HERAUT_TEST_AIOSMTPD_PYTHON` (default `python3`);
    /// `None` (with a notice) when it is not installed, unless services are required.
    async fn start() -> Option<Self> {
        let python =
            std::env::var("HERAUT_TEST_AIOSMTPD_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let ok = std::process::Command::new(&python)
            .args(["-c", "import aiosmtpd"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            if std::env::var("HERAUT_TEST_REQUIRE_SERVICES").is_ok_and(|v| v == "1") {
                panic!(
                    "aiosmtpd is required but `{python} -c 'import aiosmtpd'` fails; set HERAUT_TEST_AIOSMTPD_PYTHON"
                );
            }
            eprintln!("NOTICE: aiosmtpd not found for `{python}`; skipping the e-mail test");
            return None;
        }
        let dir = std::env::temp_dir().join(heraut_testkit::unique_name("maildir"));
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let port = heraut_testkit::free_port();
        let child = std::process::Command::new(&python)
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Some(Self { child, port, dir })
    }

    /// Waits for a message to `to` and returns it whole (headers and body).
    async fn message_to(&self, to: &str, containing: &str) -> String {
        for _ in 0..200 {
            if let Ok(entries) = std::fs::read_dir(self.dir.join("new")) {
                for e in entries.flatten() {
                    let text = decode_quoted_printable(
                        &std::fs::read_to_string(e.path()).unwrap_or_default(),
                    );
                    if text.contains(&format!("To: {to}")) && text.contains(containing) {
                        return text;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no e-mail to {to} containing {containing:?} arrived");
    }
}

/// Undoes quoted-printable encoding (RFC 2045), as a mail client shows the text.
fn decode_quoted_printable(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn invitations_and_resets_are_e_mailed_when_smtp_is_configured() {
    let Some(sink) = SmtpSink::start().await else {
        return;
    };
    let db = TestDb::sqlite();
    let port = sink.port.to_string();
    let server = start(
        &db,
        &[
            ("HERAUT_SMTP__HOST", "127.0.0.1"),
            ("HERAUT_SMTP__PORT", &port),
            ("HERAUT_SMTP__SECURITY", "none"),
            ("HERAUT_SMTP__FROM", "Heraut <heraut@example.gov>"),
            ("HERAUT_PUBLIC_URL", "https://heraut.example.gov"),
        ],
    )
    .await;
    let api = Api::new(&server);
    let (admin, _) = bootstrap_admin(&server, &api).await;
    create_tenant(&api, &admin, "delft").await;
    let r = api
        .post(
            "/api/v1/tenants/delft/members",
            Some(&admin),
            json!({"email": "nina@example.gov", "name": "Nina", "role": "editor"}),
        )
        .await;
    assert_eq!(r.status, 201);
    let token = r.body["set_password_token"].as_str().unwrap().to_owned();
    let mail = sink.message_to("nina@example.gov", &token).await;
    assert!(mail.contains("From: Heraut <heraut@example.gov>"), "{mail}");
    assert!(mail.contains("Gemeente delft"), "{mail}");
    assert!(mail.contains(&format!("one-time token: {token}")), "{mail}");
    assert!(
        mail.contains("Heraut: https://heraut.example.gov"),
        "{mail}"
    );
    // The token from the e-mail works.
    let set = api
        .post(
            "/api/v1/auth/set-password",
            None,
            json!({"token": token, "password": "nina's new passphrase"}),
        )
        .await;
    assert_eq!(set.status, 204);
    // A reset from the command line is e-mailed too, and that token works.
    let (c, out, err) = server
        .cli(
            &["admin", "reset-password", "--email", "nina@example.gov"],
            &[],
        )
        .unwrap();
    assert_eq!(c, 0, "{err}");
    assert!(err.contains("e-mailed to nina@example.gov"), "{err}");
    let reset = out.trim().to_owned();
    let mail = sink.message_to("nina@example.gov", &reset).await;
    assert!(mail.contains("new password"), "{mail}");
    let set = api
        .post(
            "/api/v1/auth/set-password",
            None,
            json!({"token": reset, "password": "nina's second passphrase"}),
        )
        .await;
    assert_eq!(set.status, 204);
    assert_eq!(
        api.login("nina@example.gov", "nina's second passphrase")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn per_address_throttling_believes_only_trusted_proxies() {
    let db = TestDb::sqlite();
    let env = [
        ("HERAUT_AUTH__THROTTLE_IP_AFTER_FAILURES", "3"),
        ("HERAUT_AUTH__THROTTLE_BASE_DELAY_MS", "60000"),
        ("HERAUT_TRUSTED_PROXIES", "127.0.0.1/32"),
    ];
    let server = start(&db, &env).await;
    let http = reqwest::Client::new();
    let fail = |account: usize, forwarded: &'static str| {
        let req = http
            .post(server.url("/api/v1/auth/login"))
            .header("x-forwarded-for", forwarded)
            .json(&json!({"email": format!("user{account}@example.gov"), "password": "not the password at all"}));
        async move { req.send().await.unwrap().status().as_u16() }
    };
    // Three failures from one client behind the proxy, each for another account.
    for account in 0..3 {
        assert_eq!(fail(account, "203.0.113.1").await, 401);
    }
    // That client now waits; another client behind the same proxy does not.
    assert_eq!(fail(10, "203.0.113.1").await, 429);
    assert_eq!(fail(11, "203.0.113.2").await, 401);
    // The proxy's own hop and spoofed entries before it do not matter: the rightmost untrusted one counts.
    assert_eq!(fail(12, "198.51.100.9, 203.0.113.1").await, 429);
    drop(server);

    // Without trusted proxies the header is ignored: all of it is one address, the peer.
    let db = TestDb::sqlite();
    let server = start(&db, &env[..2]).await;
    let fail = |account: usize, forwarded: &'static str| {
        let req = reqwest::Client::new()
            .post(server.url("/api/v1/auth/login"))
            .header("x-forwarded-for", forwarded)
            .json(&json!({"email": format!("user{account}@example.gov"), "password": "not the password at all"}));
        async move { req.send().await.unwrap().status().as_u16() }
    };
    for (account, forwarded) in ["203.0.113.1", "203.0.113.2", "203.0.113.3"]
        .iter()
        .enumerate()
    {
        assert_eq!(fail(account, forwarded).await, 401);
    }
    assert_eq!(fail(20, "203.0.113.4").await, 429);
}

#[tokio::test]
async fn secrets_are_re_encrypted_under_a_new_key_and_the_old_key_can_go() {
    use sea_orm::{ConnectionTrait, Database, Statement};
    for db in TestDb::all().await {
        eprintln!("--- backend {}", db.label());
        let mut server = start(&db, &[("HERAUT_PLUGIN_LOCAL_PEERS", "127.0.0.1:9")]).await;
        let api = Api::new(&server);
        server
            .cli(
                &["admin", "create-admin", "--email", ADMIN_EMAIL],
                &[("HERAUT_ADMIN_PASSWORD", ADMIN_PASSWORD)],
            )
            .unwrap();
        let t = api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.body["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let (secret, codes) = enrol_totp(&api, &t).await;
        // A channel's credentials are sealed with the same key.
        let admin = login_with_recovery(&api, ADMIN_EMAIL, ADMIN_PASSWORD, &codes[0]).await;
        let admin = admin["access_token"].as_str().unwrap().to_owned();
        create_tenant(&api, &admin, "vault").await;
        join_as_owner(&api, &admin, "vault").await;
        let r = api
            .post(
                "/api/v1/tenants/vault/channels",
                Some(&admin),
                json!({"plugin": "http-json", "name": "bridge",
                       "settings": {"url": "http://127.0.0.1:9/x"}, "credentials": {"token": "s3cret"}}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let channel = r.body["id"].as_str().unwrap().to_owned();
        let stored = || async {
            let conn = Database::connect(db.owner_url(&server.data_dir))
                .await
                .unwrap();
            let row = conn
                .query_one_raw(Statement::from_string(
                    conn.get_database_backend(),
                    "SELECT totp_secret FROM users",
                ))
                .await
                .unwrap()
                .unwrap();
            let v: String = row.try_get("", "totp_secret").unwrap();
            conn.close().await.unwrap();
            v
        };
        let before = stored().await;
        assert!(
            before.starts_with('k') && !before.contains(&secret),
            "{before}"
        );

        // A new key goes first in the key file; the old one stays until the rotation is done.
        let key_file = server.data_dir.join("keys/secrets.key");
        let old = std::fs::read_to_string(&key_file).unwrap();
        std::fs::write(
            &key_file,
            format!("k-new:{}\n{old}", heraut_auth::crypto::new_key_hex()),
        )
        .unwrap();
        let (c, out, err) = server.cli(&["admin", "rotate-secrets"], &[]).unwrap();
        assert_eq!(c, 0, "{err}");
        assert!(out.contains("re-encrypted 2"), "{out}");
        assert!(stored().await.starts_with("k-new:"));
        let (_, out, _) = server.cli(&["admin", "rotate-secrets"], &[]).unwrap();
        assert!(out.contains("re-encrypted 0, already current 2"), "{out}");

        // Without the old key, sign-in with the authenticator still works.
        let new_only = std::fs::read_to_string(&key_file)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_owned();
        std::fs::write(&key_file, format!("{new_only}\n")).unwrap();
        server.restart().await.unwrap();
        let first = api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        let code = totp_code(&secret, now_secs() + 30);
        let r = api
            .post(
                "/api/v1/auth/mfa",
                None,
                json!({"mfa_token": first.body["mfa_token"], "code": code}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        // The channel's credentials still open: a post for it passes its checks.
        let admin = r.body["access_token"].as_str().unwrap();
        let r = api
            .post(
                "/api/v1/tenants/vault/posts",
                Some(admin),
                json!({"body": "still readable", "channels": [channel]}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let (c, out, _) = server
            .cli(&["admin", "audit-verify", "--tenant", "instance"], &[])
            .unwrap();
        assert_eq!(c, 0, "{out}");
    }
}

#[tokio::test]
async fn a_backup_taken_while_serving_starts_as_a_working_copy() {
    for db in TestDb::all().await {
        eprintln!("--- backend {}", db.label());
        let server = start(&db, &[]).await;
        let api = Api::new(&server);
        let (admin, codes) = bootstrap_admin(&server, &api).await;
        create_tenant(&api, &admin, "archief").await;
        let to = server.data_dir.join("backup-1");
        let (c, out, err) = server
            .cli(&["admin", "backup", "--to", to.to_str().unwrap()], &[])
            .unwrap();
        if matches!(db, TestDb::Postgres { .. }) {
            assert_eq!(c, 2);
            assert!(err.contains("pg_dump"), "{err}");
            continue;
        }
        assert_eq!(c, 0, "{out}{err}");
        // Taking it again into the same folder is refused rather than overwriting.
        let (c, _, err) = server
            .cli(&["admin", "backup", "--to", to.to_str().unwrap()], &[])
            .unwrap();
        assert_eq!((c, err.contains("exists")), (2, true), "{err}");
        // The copy serves on its own: same people, same tenants, an intact audit trail.
        let copy_db = TestDb::sqlite();
        let copy = start(&copy_db, &[("HERAUT_DATA_DIR", to.to_str().unwrap())]).await;
        let copy_api = Api::new(&copy);
        let t = login_with_recovery(&copy_api, ADMIN_EMAIL, ADMIN_PASSWORD, &codes[0]).await;
        let t = t["access_token"].as_str().unwrap().to_owned();
        let tenants = copy_api.get("/api/v1/tenants", &t).await;
        assert_eq!(tenants.body["items"][0]["slug"], "archief");
        assert_eq!(
            copy_api
                .get("/api/v1/tenants/archief/audit/verify", &t)
                .await
                .body["valid"],
            true
        );
        let (c, out, _) = copy
            .cli(&["admin", "audit-verify", "--tenant", "instance"], &[])
            .unwrap();
        assert_eq!(c, 0, "{out}");
    }
}

fn echo_manifest(version: &str, api: &str) -> String {
    format!(
        "id = \"echo\"\nname = \"Echo\"\nversion = \"{version}\"\nworld = \"connector\"\napi_version = \"{api}\"\n\
         allowed_hosts = [\"echo.example.org\", \"*.echo.example\"]\n\n[auth]\nkind = \"token\"\n\n\
         [[settings]]\nkey = \"endpoint\"\nlabel = \"Endpoint\"\nkind = \"url\"\nrequired = true\n"
    )
}

#[tokio::test]
async fn plugins_are_installed_upgraded_approved_and_refused_with_clear_messages() {
    let wasm = heraut_testkit::plugin_guest("echo");
    for db in TestDb::all().await {
        eprintln!("--- backend {}", db.label());
        let server = start(&db, &[]).await;
        let api = Api::new(&server);
        let (admin, _) = bootstrap_admin(&server, &api).await;
        let dir = server.data_dir.join("incoming");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("plugin.wasm");
        std::fs::write(&file, &wasm).unwrap();
        let manifest = dir.join("plugin.toml");
        let install = |toml: String, wasm_path: &std::path::Path| {
            std::fs::write(&manifest, toml).unwrap();
            server
                .cli(
                    &[
                        "plugin",
                        "install",
                        wasm_path.to_str().unwrap(),
                        "--manifest",
                        manifest.to_str().unwrap(),
                    ],
                    &[],
                )
                .unwrap()
        };

        let (c, out, err) = install(echo_manifest("0.1.0", "0.1.0"), &file);
        assert_eq!(c, 0, "{out}{err}");
        assert!(
            out.contains("installed echo 0.1.0") && out.contains("network `echo`"),
            "{out}"
        );
        let list = api.get("/api/v1/plugins", &admin).await;
        assert_eq!(list.status, 200, "{:?}", list.body);
        let p = &list.body["items"][0];
        assert_eq!(
            (p["id"].as_str(), p["enabled"].as_bool()),
            (Some("echo"), Some(false))
        );
        assert_eq!(
            p["declared_hosts"],
            json!(["echo.example.org", "*.echo.example"])
        );
        assert_eq!(p["approved_hosts"], json!([]));
        // The connect form of the web UI is built from the manifest's settings and auth.
        assert_eq!(
            p["settings"],
            json!([{"key": "endpoint", "label": "Endpoint", "kind": "url", "required": true, "default": null}])
        );
        assert_eq!(p["auth"], json!({"kind": "token", "credential": "token"}));

        // Only declared hosts can be approved.
        let r = api
            .call(
                "PATCH",
                "/api/v1/plugins/echo",
                Some(&admin),
                Some(json!({"approved_hosts": ["evil.example.org"]})),
            )
            .await;
        assert_problem(&r, 422, "validation.failed");
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap()
                .contains("evil.example.org")
        );
        let r = api
            .call(
                "PATCH",
                "/api/v1/plugins/echo",
                Some(&admin),
                Some(json!({"enabled": true, "approved_hosts": ["echo.example.org"]})),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["enabled"], true);
        assert_problem(
            &api.call(
                "PATCH",
                "/api/v1/plugins/nope",
                Some(&admin),
                Some(json!({"enabled": true})),
            )
            .await,
            404,
            "plugin.not_found",
        );

        // An upgrade keeps the state and the approvals the new manifest still covers.
        let (c, out, _) = install(echo_manifest("0.2.0", "0.1.0"), &file);
        assert_eq!(c, 0);
        assert!(out.contains("upgraded echo 0.2.0"), "{out}");
        let p = api.get("/api/v1/plugins", &admin).await.body["items"][0].clone();
        assert_eq!(
            (p["version"].as_str(), p["enabled"].as_bool()),
            (Some("0.2.0"), Some(true))
        );
        assert_eq!(p["approved_hosts"], json!(["echo.example.org"]));

        // Refusals name what is wrong.
        let (c, _, err) = install(echo_manifest("0.3.0", "7.0.0"), &file);
        assert_eq!(c, 2);
        assert!(err.contains("7.0.0") && err.contains("0.1.0"), "{err}");
        // A manifest that names another interface version than the component's own.
        let (c, _, err) = install(echo_manifest("0.3.0", "0.2.0"), &file);
        assert_eq!(c, 2);
        assert!(err.contains("built against heraut:plugin 0.1.0"), "{err}");
        let core = dir.join("core.wasm");
        std::fs::write(&core, b"\0asm\x01\0\0\0").unwrap();
        let (c, _, err) = install(echo_manifest("0.3.0", "0.1.0"), &core);
        assert_eq!(c, 2);
        assert!(err.contains("core WebAssembly module"), "{err}");
        let corrupt = dir.join("corrupt.wasm");
        std::fs::write(&corrupt, &wasm[..wasm.len() / 2]).unwrap();
        let (c, _, err) = install(echo_manifest("0.3.0", "0.1.0"), &corrupt);
        assert_eq!(c, 2, "{err}");
        assert!(err.contains("not a valid component"), "{err}");
        // Nothing of the refused installs was recorded.
        let p = api.get("/api/v1/plugins", &admin).await.body["items"][0].clone();
        assert_eq!(p["version"], "0.2.0");

        // The same through the API, as an instance administrator.
        let by_api = |toml: String, bytes: Vec<u8>| {
            let (content_type, body) = publishing::multipart(&[
                ("plugin.wasm", Some("plugin.wasm"), &bytes),
                ("plugin.toml", Some("plugin.toml"), toml.as_bytes()),
            ]);
            api.http
                .post(server.url("/api/v1/plugins"))
                .bearer_auth(&admin)
                .header("content-type", content_type)
                .body(body)
                .send()
        };
        let r = by_api(echo_manifest("0.3.0", "0.1.0"), wasm.clone())
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            (v["upgrade"].as_bool(), v["network"].as_str()),
            (Some(true), Some("echo"))
        );
        assert_eq!(v["plugin"]["version"], "0.3.0");
        assert_eq!(v["plugin"]["approved_hosts"], json!(["echo.example.org"]));
        let r = by_api(echo_manifest("0.4.0", "0.1.0"), b"\0asm\x01\0\0\0".to_vec())
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["code"], "plugin.invalid");
        assert!(
            v["detail"]
                .as_str()
                .unwrap()
                .contains("core WebAssembly module"),
            "{v}"
        );
        let r = api
            .http
            .post(server.url("/api/v1/plugins"))
            .bearer_auth(&admin)
            .header("content-type", "multipart/form-data; boundary=x")
            .body("--x\r\nContent-Disposition: form-data; name=\"plugin.toml\"\r\n\r\nid = 1\r\n--x--\r\n")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let (c, out, _) = server
            .cli(&["admin", "audit-verify", "--tenant", "instance"], &[])
            .unwrap();
        assert_eq!(c, 0, "{out}");
    }
}
mod publishing;
mod web;
