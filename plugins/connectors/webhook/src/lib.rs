//! Heraut's webhook connector: every post goes as JSON to a URL of the channel's owner.
//!
//! `publish` POSTs a `post.published` event (version 1) with the post's idempotency key in the
//! `Idempotency-Key` header and in the body; `delete` POSTs a `post.deleted` event. The host
//! signs every request with the channel's secret (`x-heraut-timestamp`, `x-heraut-signature`:
//! HMAC-SHA256 of `<timestamp>.<body>`, the manifest's `hmac` auth), so the plugin never sees
//! the secret. The payloads are documented in this crate's README.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use heraut_plugin_sdk::{
    AccountRef, CallError, ConnectorInfo, Draft, LogLevel, Media, OutgoingPost, Problem,
    Publishing, Receipt, default_validation, http, log, read_media, setting,
};
use serde_json::{Value, json};

/// The version of the payloads, in their `version` field.
pub const PAYLOAD_VERSION: u32 = 1;
/// Longest text: the receiver decides what it does with it; this keeps requests sane.
pub const MAX_CHARS: usize = 100_000;
/// Most images in a post.
pub const MAX_MEDIA: usize = 10;
/// Most image bytes in a post. They travel in base64 (a third more) in one request, which must
/// stay under the host's 32 MiB per request and the plugin's 64 MiB of memory.
pub const MAX_MEDIA_BYTES: u64 = 16 * 1024 * 1024;

struct Webhook;

/// The channel's endpoint, checked.
pub fn endpoint(account: &AccountRef) -> Result<String, String> {
    let url = setting(account, "url")
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .ok_or("the channel has no `url` setting")?;
    let authority = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
    match authority {
        Some(a) if !a.is_empty() => Ok(url.to_owned()),
        _ => Err(format!(
            "`url` must be an https:// URL, like https://example.org/heraut; it is `{url}`"
        )),
    }
}

/// What keeps `post` from going out: the usual checks (length, number of images, alt text),
/// an empty post, and images too heavy for one request.
pub fn problems(post: &Draft) -> Vec<Problem> {
    let mut problems = default_validation(&info(), post);
    if post.body.trim().is_empty() && post.media.is_empty() {
        problems.push(Problem {
            field: "body".to_owned(),
            message: "write something or add an image".to_owned(),
        });
    }
    let total = post
        .media
        .iter()
        .fold(0u64, |sum, m| sum.saturating_add(m.size));
    if total > MAX_MEDIA_BYTES {
        problems.push(Problem {
            field: "media".to_owned(),
            message: format!(
                "the images weigh {:.1} MiB together; a webhook post takes up to 16 MiB",
                total as f64 / (1024.0 * 1024.0)
            ),
        });
    }
    problems
}

fn info() -> ConnectorInfo {
    ConnectorInfo {
        network: "webhook".to_owned(),
        display_name: "Webhook".to_owned(),
        max_chars: MAX_CHARS as u32,
        max_media: MAX_MEDIA as u32,
        features: vec!["threads".to_owned(), "alt-text".to_owned()],
    }
}

/// A `post.published` body being written, one image at a time.
pub struct Published {
    body: Vec<u8>,
    media: usize,
}

impl Published {
    /// Starts the body: everything but the images, with room for the images of `post`, so
    /// that the body is allocated once (a growing vector would briefly need twice its size).
    pub fn new(post: &OutgoingPost, sent_at: &str) -> Result<Self, String> {
        let head = json!({
            "version": PAYLOAD_VERSION,
            "type": "post.published",
            "idempotency_key": post.idempotency_key,
            "text": post.body,
            "reply_to": post.options.reply_to,
            "sent_at": sent_at,
        });
        let head = serde_json::to_vec(&head).map_err(|e| e.to_string())?;
        let media: usize = post
            .media
            .iter()
            .map(|m| {
                base64_len(usize::try_from(m.size).unwrap_or(0))
                    + media_overhead(&m.mime_type, &m.alt_text)
            })
            .sum();
        let mut body = Vec::with_capacity(head.len() + media + 16);
        // `{…}` becomes `{…,"media":[`, closed by `finish`.
        body.extend_from_slice(head.strip_suffix(b"}").unwrap_or(&head));
        body.extend_from_slice(b",\"media\":[");
        Ok(Self { body, media: 0 })
    }

    /// Appends an image with its bytes.
    pub fn push_media(&mut self, media: &Media, bytes: &[u8]) -> Result<(), String> {
        let meta = json!({
            "mime_type": media.mime_type,
            "alt_text": media.alt_text,
            "size": bytes.len(),
        });
        let meta = serde_json::to_vec(&meta).map_err(|e| e.to_string())?;
        if self.media > 0 {
            self.body.push(b',');
        }
        self.body
            .extend_from_slice(meta.strip_suffix(b"}").unwrap_or(&meta));
        self.body.extend_from_slice(b",\"data_base64\":\"");
        let encoded = base64::encoded_len(bytes.len(), true).ok_or("image too large")?;
        self.body.reserve_exact(meta.len() + encoded + 8);
        let start = self.body.len();
        self.body.resize(start + encoded, 0);
        let written = BASE64
            .encode_slice(bytes, &mut self.body[start..])
            .map_err(|e| e.to_string())?;
        self.body.truncate(start + written);
        self.body.extend_from_slice(b"\"}");
        self.media += 1;
        Ok(())
    }

    /// The whole body.
    pub fn finish(mut self) -> Vec<u8> {
        self.body.extend_from_slice(b"]}");
        self.body
    }
}

/// Bytes of `n` bytes in padded base64.
fn base64_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}

/// Most bytes the JSON of an image takes besides its data (every character escaped).
fn media_overhead(mime_type: &str, alt_text: &str) -> usize {
    96 + 6 * (mime_type.len() + alt_text.len())
}

/// The `post.deleted` body.
pub fn deleted_payload(remote_id: &str, sent_at: &str) -> Value {
    json!({
        "version": PAYLOAD_VERSION,
        "type": "post.deleted",
        "remote_id": remote_id,
        "sent_at": sent_at,
    })
}

/// The receipt of a delivered post: the receiver's `id` and `url` if it answered with them,
/// else the idempotency key as the remote id.
pub fn receipt(idempotency_key: &str, answer: &[u8]) -> Receipt {
    let answer = serde_json::from_slice::<Value>(answer).ok();
    let field = |name: &str| answer.as_ref().and_then(|a| a.as_object()?.get(name));
    let id = match field("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let url = match field("url") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    };
    Receipt {
        thread: Vec::new(),
        remote_id: id.unwrap_or_else(|| idempotency_key.to_owned()),
        url,
    }
}

/// What a receiver's error status means for the host.
pub fn map_status(status: u16, body: &str, retry_after: Option<u32>) -> CallError {
    let body: String = body.chars().take(300).collect();
    let said = format!("the receiver answered {status}: {body}");
    match status {
        429 => CallError::RateLimited(retry_after.unwrap_or(60).max(1)),
        401 => CallError::AuthExpired(format!(
            "{said} (it refused the signature: give the channel the secret the receiver checks)"
        )),
        408 | 425 => CallError::Transient(said),
        s if s >= 500 => CallError::Transient(said),
        _ => CallError::Rejected(said),
    }
}

/// `2024-05-01T12:00:00.000Z` for milliseconds since the Unix epoch.
pub fn rfc3339(millis: u64) -> String {
    let secs = millis / 1000;
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rest = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        millis % 1000
    )
}

/// The date of the proleptic Gregorian calendar `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn now() -> String {
    rfc3339(heraut_plugin_sdk::host::now_millis())
}

/// The receiver's answer if it is a 2xx, else what its status means.
fn accepted(response: http::Response) -> Result<http::Response, CallError> {
    if (200..300).contains(&response.status) {
        Ok(response)
    } else {
        Err(map_status(
            response.status,
            &response.text(),
            response.retry_after(),
        ))
    }
}

impl Publishing for Webhook {
    fn describe() -> ConnectorInfo {
        info()
    }

    fn validate(post: Draft) -> Vec<Problem> {
        let mut problems = problems(&post);
        problems.extend(heraut_plugin_sdk::option_problems(
            &Self::describe(),
            &post.options,
        ));
        problems
    }

    fn publish(account: AccountRef, post: OutgoingPost) -> Result<Receipt, CallError> {
        let url = endpoint(&account).map_err(CallError::Rejected)?;
        let mut payload = Published::new(&post, &now()).map_err(CallError::Rejected)?;
        for media in &post.media {
            let bytes = read_media(media)?;
            payload
                .push_media(media, &bytes)
                .map_err(CallError::Rejected)?;
        }
        let response = accepted(
            http::post(&url)
                .header("idempotency-key", &post.idempotency_key)
                .body("application/json", payload.finish())
                .send()?,
        )?;
        let receipt = receipt(&post.idempotency_key, &response.body);
        log(
            LogLevel::Info,
            &format!(
                "delivered {} ({}), remote id {}",
                post.idempotency_key, response.status, receipt.remote_id
            ),
        );
        Ok(receipt)
    }

    /// The receiver deduplicates by idempotency key (header `Idempotency-Key`, field
    /// `idempotency_key`), so a retry of a delivery whose answer was lost is safe: there is
    /// nothing to look up here.
    fn find_published(
        _account: AccountRef,
        _idempotency_key: String,
    ) -> Result<Option<Receipt>, CallError> {
        Ok(None)
    }

    fn delete(account: AccountRef, remote_id: String) -> Result<(), CallError> {
        let url = endpoint(&account).map_err(CallError::Rejected)?;
        let response = http::post(&url)
            .json(&deleted_payload(&remote_id, &now()))?
            .send()?;
        if matches!(response.status, 404 | 410) {
            log(
                LogLevel::Info,
                &format!("the receiver no longer knows {remote_id}"),
            );
            return Ok(());
        }
        accepted(response)?;
        Ok(())
    }
}

heraut_plugin_sdk::export_connector!(Webhook);

#[cfg(test)]
mod tests {
    use super::*;
    use heraut_plugin_sdk::Setting;

    fn account(url: &str) -> AccountRef {
        AccountRef {
            channel_id: "ch-1".to_owned(),
            settings: vec![Setting {
                key: "url".to_owned(),
                value: url.to_owned(),
            }],
        }
    }

    fn image(mime: &str, alt: &str, size: u64) -> Media {
        Media {
            id: "m".to_owned(),
            mime_type: mime.to_owned(),
            alt_text: alt.to_owned(),
            size,
        }
    }

    fn post(media: Vec<Media>, reply_to: Option<&str>) -> OutgoingPost {
        OutgoingPost {
            idempotency_key: "post-7:ch-1:r1".to_owned(),
            body: "Hello \"world\"\n\u{1F600}".to_owned(),
            media,
            options: heraut_plugin_sdk::NetworkOptions {
                reply_to: reply_to.map(str::to_owned),
                ..heraut_plugin_sdk::no_options()
            },
        }
    }

    fn fields(problems: &[Problem]) -> Vec<&str> {
        problems.iter().map(|p| p.field.as_str()).collect()
    }

    #[test]
    fn the_endpoint_must_be_an_http_url() {
        assert_eq!(
            endpoint(&account(" https://example.org/hook?x=1 ")).unwrap(),
            "https://example.org/hook?x=1"
        );
        assert!(endpoint(&account("http://127.0.0.1:8099")).is_ok());
        for bad in ["", "example.org/hook", "https:///hook", "ftp://example.org"] {
            assert!(
                endpoint(&account(bad)).unwrap_err().contains("url"),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_published_payload_is_version_1_with_its_images() {
        let media = vec![
            image("image/png", "a red dot", 3),
            image("image/jpeg", "", 0),
        ];
        let p = post(media.clone(), Some("remote-1"));
        let mut payload = Published::new(&p, "2024-05-01T12:00:00.000Z").unwrap();
        payload.push_media(&media[0], b"\x89PN").unwrap();
        payload.push_media(&media[1], b"").unwrap();
        let body: Value = serde_json::from_slice(&payload.finish()).unwrap();
        assert_eq!(
            body,
            json!({
                "version": 1,
                "type": "post.published",
                "idempotency_key": "post-7:ch-1:r1",
                "text": "Hello \"world\"\n\u{1F600}",
                "reply_to": "remote-1",
                "media": [
                    { "mime_type": "image/png", "alt_text": "a red dot", "size": 3, "data_base64": "iVBO" },
                    { "mime_type": "image/jpeg", "alt_text": "", "size": 0, "data_base64": "" },
                ],
                "sent_at": "2024-05-01T12:00:00.000Z",
            })
        );
    }

    #[test]
    fn a_post_without_images_or_reply_has_an_empty_list_and_null() {
        let payload = Published::new(&post(vec![], None), "t").unwrap();
        let body: Value = serde_json::from_slice(&payload.finish()).unwrap();
        assert_eq!(body["media"], json!([]));
        assert_eq!(body["reply_to"], Value::Null);
    }

    #[test]
    fn image_bytes_survive_base64() {
        let bytes: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let media = image("image/webp", "noise", 1000);
        let mut payload = Published::new(&post(vec![media.clone()], None), "t").unwrap();
        let capacity = payload.body.capacity();
        payload.push_media(&media, &bytes).unwrap();
        let body = payload.finish();
        // Allocated once, for the image announced in the post.
        assert_eq!(body.capacity(), capacity);
        let body: Value = serde_json::from_slice(&body).unwrap();
        let data = body["media"][0]["data_base64"].as_str().unwrap();
        assert_eq!(BASE64.decode(data).unwrap(), bytes);
    }

    #[test]
    fn the_deleted_payload() {
        assert_eq!(
            deleted_payload("r-9", "2024-05-01T12:00:00.000Z"),
            json!({
                "version": 1,
                "type": "post.deleted",
                "remote_id": "r-9",
                "sent_at": "2024-05-01T12:00:00.000Z",
            })
        );
    }

    #[test]
    fn the_receipt_takes_the_receivers_id_and_url() {
        let r = receipt("key", br#"{"id":"abc","url":"https://example.org/p/abc"}"#);
        assert_eq!(r.remote_id, "abc");
        assert_eq!(r.url.as_deref(), Some("https://example.org/p/abc"));
        assert_eq!(receipt("key", br#"{"id":42}"#).remote_id, "42");
        for answer in [&b""[..], b"ok", br#"{"id":""}"#, br#"{"id":null}"#, b"[1]"] {
            let r = receipt("key", answer);
            assert_eq!(r.remote_id, "key");
            assert_eq!(r.url, None);
        }
    }

    #[test]
    fn statuses_map_to_what_the_host_should_do() {
        assert!(matches!(
            map_status(429, "", Some(5)),
            CallError::RateLimited(5)
        ));
        assert!(matches!(
            map_status(429, "", None),
            CallError::RateLimited(60)
        ));
        assert!(
            matches!(map_status(401, "bad signature", None), CallError::AuthExpired(m) if m.contains("bad signature"))
        );
        assert!(matches!(map_status(500, "", None), CallError::Transient(_)));
        assert!(matches!(map_status(503, "", None), CallError::Transient(_)));
        assert!(matches!(map_status(408, "", None), CallError::Transient(_)));
        assert!(
            matches!(map_status(400, "no", None), CallError::Rejected(m) if m.contains("400: no"))
        );
        assert!(matches!(map_status(403, "", None), CallError::Rejected(_)));
        assert!(matches!(map_status(422, "", None), CallError::Rejected(_)));
    }

    #[test]
    fn times_are_rfc3339_in_utc_with_milliseconds() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_714_564_800_123), "2024-05-01T12:00:00.123Z");
        assert_eq!(rfc3339(1_709_251_199_999), "2024-02-29T23:59:59.999Z");
        assert_eq!(rfc3339(951_868_800_000), "2000-03-01T00:00:00.000Z");
        assert_eq!(rfc3339(4_102_444_800_000), "2100-01-01T00:00:00.000Z");
    }

    #[test]
    fn validation() {
        let draft = |body: &str, media: Vec<Media>| Draft {
            options: heraut_plugin_sdk::no_options(),
            body: body.to_owned(),
            media,
        };
        assert!(problems(&draft("hi", vec![])).is_empty());
        assert!(problems(&draft("", vec![image("image/png", "dot", 1)])).is_empty());
        assert_eq!(fields(&problems(&draft(" ", vec![]))), ["body"]);
        assert_eq!(
            fields(&problems(&draft(&"x".repeat(MAX_CHARS + 1), vec![]))),
            ["body"]
        );
        assert_eq!(
            fields(&problems(&draft(
                "hi",
                vec![image("image/png", "dot", 1); MAX_MEDIA + 1]
            ))),
            ["media"]
        );
        assert_eq!(
            fields(&problems(&draft("hi", vec![image("image/png", "", 1)]))),
            ["media.0.alt-text"]
        );
        let heavy = vec![image("image/png", "a", MAX_MEDIA_BYTES / 2 + 1); 2];
        assert_eq!(fields(&problems(&draft("hi", heavy))), ["media"]);
    }
}
