//! Heraut's Mastodon connector.
//!
//! `publish` uploads each image (`POST /api/v2/media`, multipart `file` and `description`),
//! then posts the status (`POST /api/v1/statuses`) with the post's idempotency key in the
//! `Idempotency-Key` header, so that Mastodon answers a repeated request with the status the
//! first one created. `delete` is `DELETE /api/v1/statuses/:id`. The host adds the channel's
//! OAuth token to every request; the plugin never sees it.

mod count;
pub mod listen;
use heraut_plugin_sdk::multipart;

use heraut_plugin_sdk::{
    AccountRef, Activity, ActivityPage, CallError, ConnectorInfo, Counters, Draft, Inbound,
    LogLevel, Media, Metrics, OutgoingPost, Part, Problem, Publishing, Receipt, Replying,
    Searching, http, log, read_media, setting,
};
use serde::Deserialize;

/// Most characters in a status on a default instance.
pub const MAX_CHARS: usize = 500;
/// Most attachments in a status.
pub const MAX_MEDIA: usize = 4;
/// Longest alt text Mastodon keeps.
pub const MAX_ALT_TEXT: usize = 1500;
/// Largest image Mastodon accepts.
pub const MAX_IMAGE_BYTES: u64 = 16 * 1024 * 1024;

/// Most answers of a poll on a default instance, and their length.
pub const MAX_POLL_OPTIONS: usize = 4;
pub const MAX_POLL_OPTION_CHARS: usize = 50;
/// Shortest and longest time a poll stays open, in seconds.
pub const POLL_SECONDS: (u32, u32) = (300, 30 * 24 * 3600);

/// How long to wait for the server to finish processing an upload before posting anyway.
const PROCESSING_POLLS: u32 = 6;
const PROCESSING_POLL_MS: u64 = 500;
/// Boundaries to try before giving up on a form (the first one fits in practice).
const MAX_BOUNDARY_ATTEMPTS: u16 = 16;

struct Mastodon;

/// A channel's settings, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    /// The instance's base URL, without a trailing slash.
    pub base: String,
    pub visibility: Option<String>,
    pub language: Option<String>,
    pub spoiler_text: Option<String>,
}

/// Reads and checks a channel's settings; an empty value counts as unset.
pub fn channel(account: &AccountRef) -> Result<Channel, String> {
    let get = |key: &str| {
        setting(account, key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let base = get("instance_url")
        .ok_or("the channel has no `instance_url` setting")?
        .trim_end_matches('/')
        .to_owned();
    if !(base.starts_with("https://") || base.starts_with("http://")) {
        return Err(format!(
            "`instance_url` must be an https:// URL, like https://mastodon.social; it is `{base}`"
        ));
    }
    let visibility = get("visibility").map(str::to_ascii_lowercase);
    if let Some(v) = &visibility
        && !["public", "unlisted", "private", "direct"].contains(&v.as_str())
    {
        return Err(format!(
            "`visibility` must be public, unlisted, private or direct; it is `{v}`"
        ));
    }
    let language = get("language").map(str::to_ascii_lowercase);
    if let Some(l) = &language
        && !(l.len() == 2 && l.bytes().all(|b| b.is_ascii_lowercase()))
    {
        return Err(format!(
            "`language` must be an ISO 639-1 code of two letters, like en or fr; it is `{l}`"
        ));
    }
    Ok(Channel {
        base,
        visibility,
        language,
        spoiler_text: get("spoiler_text").map(str::to_owned),
    })
}

/// What keeps `post` from going out on a default Mastodon instance.
pub fn problems(post: &Draft) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut problem = |field: String, message: String| problems.push(Problem { field, message });
    if post.body.trim().is_empty() && post.media.is_empty() {
        problem(
            "body".to_owned(),
            "write something or add an image: Mastodon does not take an empty status".to_owned(),
        );
    }
    let length = count::status_length(&post.body, count::URL_WEIGHT);
    if length > MAX_CHARS {
        problem(
            "body".to_owned(),
            format!(
                "Mastodon allows {MAX_CHARS} characters (a link counts as {}, a mention \
                 @user@server as @user); this text has {length}",
                count::URL_WEIGHT
            ),
        );
    }
    if post.media.len() > MAX_MEDIA {
        problem(
            "media".to_owned(),
            format!(
                "Mastodon allows {MAX_MEDIA} images; this post has {}",
                post.media.len()
            ),
        );
    }
    for (i, m) in post.media.iter().enumerate() {
        let n = i + 1;
        if !m.mime_type.to_ascii_lowercase().starts_with("image/") {
            problem(
                "media".to_owned(),
                format!(
                    "attachment {n} is {}; this connector publishes images only",
                    m.mime_type
                ),
            );
        }
        if m.size > MAX_IMAGE_BYTES {
            problem(
                "media".to_owned(),
                format!(
                    "image {n} weighs {:.1} MiB; Mastodon takes images up to 16 MiB",
                    m.size as f64 / (1024.0 * 1024.0)
                ),
            );
        }
        let alt = m.alt_text.chars().count();
        if m.alt_text.trim().is_empty() {
            problem(
                format!("media.{i}.alt-text"),
                "describe the image in its alt text, for people who cannot see it".to_owned(),
            );
        } else if alt > MAX_ALT_TEXT {
            problem(
                format!("media.{i}.alt-text"),
                format!("Mastodon keeps {MAX_ALT_TEXT} characters of alt text; this one has {alt}"),
            );
        }
    }
    if let Some(poll) = &post.options.poll {
        if !post.media.is_empty() {
            problem(
                "poll".to_owned(),
                "Mastodon takes a poll or images on a status, not both".to_owned(),
            );
        }
        if !(2..=MAX_POLL_OPTIONS).contains(&poll.options.len()) {
            problem(
                "poll".to_owned(),
                format!(
                    "a Mastodon poll has 2 to {MAX_POLL_OPTIONS} answers; this one has {}",
                    poll.options.len()
                ),
            );
        }
        for (i, option) in poll.options.iter().enumerate() {
            let n = option.chars().count();
            if option.trim().is_empty() || n > MAX_POLL_OPTION_CHARS {
                problem(
                    format!("poll.options.{i}"),
                    format!(
                        "each answer of a poll has 1 to {MAX_POLL_OPTION_CHARS} characters; \
                         answer {} has {n}",
                        i + 1
                    ),
                );
            }
        }
        if !(POLL_SECONDS.0..=POLL_SECONDS.1).contains(&poll.expires_in_seconds) {
            problem(
                "poll".to_owned(),
                "a Mastodon poll stays open from 5 minutes to 30 days".to_owned(),
            );
        }
    }
    for (i, part) in post.options.thread.iter().enumerate() {
        let length = count::status_length(part, count::URL_WEIGHT);
        if part.trim().is_empty() || length > MAX_CHARS {
            problem(
                format!("thread.{i}"),
                format!(
                    "part {} of the thread must have 1 to {MAX_CHARS} characters; it has {length}",
                    i + 2
                ),
            );
        }
    }
    problems
}

/// The JSON of `POST /api/v1/statuses`.
pub fn status_payload(
    channel: &Channel,
    post: &OutgoingPost,
    media_ids: &[String],
) -> serde_json::Value {
    let mut payload = serde_json::json!({ "status": post.body });
    let spoiler = post
        .options
        .content_warning
        .as_deref()
        .or(channel.spoiler_text.as_deref());
    let fields = [
        ("visibility", channel.visibility.as_deref()),
        ("language", channel.language.as_deref()),
        ("spoiler_text", spoiler),
        ("in_reply_to_id", post.options.reply_to.as_deref()),
    ];
    if let Some(object) = payload.as_object_mut() {
        if !media_ids.is_empty() {
            object.insert("media_ids".to_owned(), serde_json::json!(media_ids));
        }
        if let Some(poll) = &post.options.poll {
            object.insert(
                "poll".to_owned(),
                serde_json::json!({
                    "options": poll.options,
                    "expires_in": poll.expires_in_seconds,
                    "multiple": poll.multiple,
                }),
            );
        }
        for (key, value) in fields {
            if let Some(value) = value {
                object.insert(key.to_owned(), serde_json::json!(value));
            }
        }
    }
    payload
}

/// What an error answer from Mastodon (`{"error": "..."}`) means for the host.
pub fn map_error(status: u16, body: &str, wait_seconds: Option<u32>) -> CallError {
    let message = error_message(body);
    let said = format!("Mastodon answered {status}: {message}");
    let lower = message.to_ascii_lowercase();
    match status {
        401 => CallError::AuthExpired(said),
        // A token without the scope asked for, or a revoked one: a person must reconnect.
        403 if lower.contains("scope") || lower.contains("token") => CallError::AuthExpired(said),
        // Posting before an upload is processed: it will be, soon.
        422 if lower.contains("processing") => CallError::Transient(said),
        429 => CallError::RateLimited(wait_seconds.unwrap_or(60).max(1)),
        408 => CallError::Transient(said),
        s if s >= 500 => CallError::Transient(said),
        _ => CallError::Rejected(said),
    }
}

/// The `error` of Mastodon's error body, or the start of the body when it has none.
fn error_message(body: &str) -> String {
    #[derive(Deserialize)]
    struct Error {
        error: String,
    }
    match serde_json::from_str::<Error>(body) {
        Ok(e) => e.error,
        Err(_) => body.chars().take(300).collect(),
    }
}

/// Seconds to wait after a 429: `Retry-After` (seconds), else `X-RateLimit-Reset` (an RFC 3339
/// time, as Mastodon sends it, or Unix seconds).
pub fn wait_seconds(
    retry_after: Option<&str>,
    rate_limit_reset: Option<&str>,
    now_millis: u64,
) -> Option<u32> {
    if let Some(s) = retry_after.and_then(|v| v.trim().parse::<u32>().ok()) {
        return Some(s);
    }
    let reset = rate_limit_reset?.trim();
    let at = match reset.parse::<i64>() {
        Ok(secs) => secs,
        Err(_) => unix_seconds(reset)?,
    };
    let now = i64::try_from(now_millis / 1000).ok()?;
    u32::try_from((at - now).max(1)).ok()
}

/// Unix seconds of an RFC 3339 time such as `2024-05-01T12:00:00.000Z` or
/// `2024-05-01T14:00:00+02:00`.
pub fn unix_seconds(s: &str) -> Option<i64> {
    let num = |a: usize, b: usize| -> Option<i64> {
        let part = s.get(a..b)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let separators = s.as_bytes();
    if separators.get(4) != Some(&b'-')
        || separators.get(7) != Some(&b'-')
        || !matches!(separators.get(10), Some(b'T' | b't' | b' '))
        || separators.get(13) != Some(&b':')
        || separators.get(16) != Some(&b':')
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = s.get(19..)?;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            let (h, m) = rest.get(1..)?.split_once(':')?;
            let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
            sign * (h * 3600 + m * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// A file name for an upload, from its type.
pub fn file_name(index: usize, mime_type: &str) -> String {
    let subtype = mime_type
        .split(';')
        .next()
        .and_then(|t| t.trim().split_once('/'))
        .map(|(_, sub)| sub.to_ascii_lowercase())
        .unwrap_or_default();
    let extension = match subtype.as_str() {
        "jpeg" | "jpg" | "pjpeg" => "jpg",
        "png" => "png",
        "gif" => "gif",
        "webp" => "webp",
        "avif" => "avif",
        "heic" => "heic",
        "heif" => "heif",
        _ => "bin",
    };
    format!("image-{}.{extension}", index + 1)
}

/// A JSON id (Mastodon sends strings; a number is taken too).
fn id_text(id: &serde_json::Value) -> Option<String> {
    match id {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The response if it is a 2xx, else what its error means.
fn checked(response: http::Response) -> Result<http::Response, CallError> {
    if (200..300).contains(&response.status) {
        return Ok(response);
    }
    let wait = wait_seconds(
        response.header("retry-after"),
        response.header("x-ratelimit-reset"),
        heraut_plugin_sdk::host::now_millis(),
    );
    Err(map_error(response.status, &response.text(), wait))
}

fn rejected(message: impl Into<String>) -> CallError {
    CallError::Rejected(message.into())
}

/// Posts a status (`POST /api/v1/statuses`) under `idempotency_key`, so that Mastodon answers a
/// repeated request with the status the first one created.
fn post_status(
    channel: &Channel,
    idempotency_key: &str,
    payload: &serde_json::Value,
) -> Result<Receipt, CallError> {
    #[derive(Deserialize)]
    struct Status {
        id: serde_json::Value,
        url: Option<String>,
        uri: Option<String>,
    }
    let response = checked(
        http::post(&format!("{}/api/v1/statuses", channel.base))
            .header("idempotency-key", idempotency_key)
            .json(payload)?
            .send()?,
    )?;
    let status: Status = response.json()?;
    let remote_id =
        id_text(&status.id).ok_or_else(|| rejected("Mastodon gave the status no id"))?;
    log(LogLevel::Info, &format!("posted status {remote_id}"));
    Ok(Receipt {
        thread: Vec::new(),
        remote_id,
        url: status.url.or(status.uri),
    })
}

/// Blocks for `ms` milliseconds.
fn sleep_ms(ms: u64) {
    wasip2::clocks::monotonic_clock::subscribe_duration(ms * 1_000_000).block();
}

/// Uploads one image and returns its media id once the server has processed it (or after a
/// few seconds of waiting: the status is posted then, and Mastodon says if it is too early).
fn upload(channel: &Channel, index: usize, media: &Media, seed: u64) -> Result<String, CallError> {
    #[derive(Deserialize)]
    struct Uploaded {
        id: serde_json::Value,
    }
    let bytes = read_media(media)?;
    let name = file_name(index, &media.mime_type);
    let boundary = (0..MAX_BOUNDARY_ATTEMPTS)
        .map(|attempt| multipart::boundary(seed, attempt))
        .find(|b| {
            !multipart::clashes(b, &bytes) && !multipart::clashes(b, media.alt_text.as_bytes())
        })
        .ok_or_else(|| CallError::Transient("no multipart boundary fits this image".into()))?;
    let mut form = multipart::Form::new(&boundary, 2, bytes.len() + media.alt_text.len());
    form.part(&multipart::Part {
        name: "file",
        file: Some((&name, &media.mime_type)),
        data: &bytes,
    });
    drop(bytes);
    form.part(&multipart::Part {
        name: "description",
        file: None,
        data: media.alt_text.as_bytes(),
    });
    let content_type = form.content_type();
    let body = form.finish();
    let response = checked(
        http::post(&format!("{}/api/v2/media", channel.base))
            .body(&content_type, body)
            .send()?,
    )?;
    let processing = response.status == 202;
    let uploaded: Uploaded = response.json()?;
    let id = id_text(&uploaded.id).ok_or_else(|| rejected("Mastodon gave the upload no id"))?;
    if processing {
        let url = format!("{}/api/v1/media/{}", channel.base, http::encode(&id));
        for _ in 0..PROCESSING_POLLS {
            sleep_ms(PROCESSING_POLL_MS);
            let response = checked(http::get(&url).send()?)?;
            if response.status != 206 {
                break;
            }
        }
    }
    log(
        LogLevel::Info,
        &format!("uploaded image {} as media {id}", index + 1),
    );
    Ok(id)
}

impl Publishing for Mastodon {
    fn describe() -> ConnectorInfo {
        ConnectorInfo {
            network: "mastodon".to_owned(),
            display_name: "Mastodon".to_owned(),
            max_chars: MAX_CHARS as u32,
            max_media: MAX_MEDIA as u32,
            features: vec![
                "threads".to_owned(),
                "thread-parts".to_owned(),
                "content-warning".to_owned(),
                "polls".to_owned(),
                "alt-text".to_owned(),
            ],
        }
    }

    fn validate(post: Draft) -> Vec<Problem> {
        problems(&post)
    }

    fn publish(account: AccountRef, post: OutgoingPost) -> Result<Receipt, CallError> {
        let channel = channel(&account).map_err(CallError::Rejected)?;
        let seed = multipart::seed(&post.idempotency_key, heraut_plugin_sdk::host::now_millis());
        let mut media_ids = Vec::with_capacity(post.media.len());
        for (i, media) in post.media.iter().enumerate() {
            media_ids.push(upload(&channel, i, media, seed.wrapping_add(i as u64))?);
        }
        let payload = status_payload(&channel, &post, &media_ids);
        let mut receipt = post_status(&channel, &post.idempotency_key, &payload)?;
        // Each further part answers the one before, under a key of its own: a retry after a
        // failure half-way gets the parts already posted back from Mastodon and goes on.
        let mut previous = receipt.remote_id.clone();
        for (i, part) in post.options.thread.iter().enumerate() {
            let mut payload = serde_json::json!({
                "status": part,
                "in_reply_to_id": previous,
            });
            if let Some(object) = payload.as_object_mut() {
                for key in ["visibility", "language", "spoiler_text"] {
                    if let Some(v) = status_payload(&channel, &post, &[]).get(key) {
                        object.insert(key.to_owned(), v.clone());
                    }
                }
            }
            let key = format!("{}:{}", post.idempotency_key, i + 2);
            let done = post_status(&channel, &key, &payload)?;
            previous = done.remote_id.clone();
            receipt.thread.push(Part {
                remote_id: done.remote_id,
                url: done.url,
            });
        }
        Ok(receipt)
    }

    /// Mastodon cannot look a status up by idempotency key. A retry is still safe within the
    /// time the server keeps the key (an hour on Mastodon): `publish` sends the same
    /// `Idempotency-Key`, and Mastodon answers with the status the first request created.
    fn find_published(
        _account: AccountRef,
        idempotency_key: String,
    ) -> Result<Option<Receipt>, CallError> {
        log(
            LogLevel::Debug,
            &format!(
                "no lookup by key on Mastodon; a retry of {idempotency_key} reuses its Idempotency-Key"
            ),
        );
        Ok(None)
    }

    fn delete(account: AccountRef, remote_id: String) -> Result<(), CallError> {
        let channel = channel(&account).map_err(CallError::Rejected)?;
        if remote_id.trim().is_empty() {
            return Err(rejected("no status id to delete"));
        }
        let url = format!(
            "{}/api/v1/statuses/{}",
            channel.base,
            http::encode(&remote_id)
        );
        let response = http::delete(&url).send()?;
        if response.status == 404 {
            log(
                LogLevel::Info,
                &format!("status {remote_id} was already gone"),
            );
            return Ok(());
        }
        checked(response)?;
        Ok(())
    }
}

impl Inbound for Mastodon {
    fn fetch_activity(
        account: AccountRef,
        cursor: Option<String>,
    ) -> Result<ActivityPage, CallError> {
        listen::fetch_activity(account, cursor)
    }

    fn fetch_thread(account: AccountRef, remote_id: String) -> Result<Vec<Activity>, CallError> {
        listen::fetch_thread(account, remote_id)
    }
}

impl Replying for Mastodon {
    fn reply(
        account: AccountRef,
        to_remote_id: String,
        post: OutgoingPost,
    ) -> Result<Receipt, CallError> {
        listen::reply(account, to_remote_id, post)
    }

    fn reshare(account: AccountRef, remote_id: String) -> Result<Receipt, CallError> {
        listen::reshare(account, remote_id)
    }
}

impl Metrics for Mastodon {
    fn fetch_metrics(
        account: AccountRef,
        remote_ids: Vec<String>,
    ) -> Result<Vec<Counters>, CallError> {
        listen::fetch_metrics(account, remote_ids)
    }
}

impl Searching for Mastodon {
    fn search(
        account: AccountRef,
        query: String,
        cursor: Option<String>,
    ) -> Result<ActivityPage, CallError> {
        listen::search(account, query, cursor)
    }
}

heraut_plugin_sdk_two_way::export_two_way_connector!(Mastodon);

#[cfg(test)]
mod tests {
    use super::*;
    use heraut_plugin_sdk::Setting;

    fn account(settings: &[(&str, &str)]) -> AccountRef {
        AccountRef {
            channel_id: "ch-1".to_owned(),
            settings: settings
                .iter()
                .map(|(k, v)| Setting {
                    key: (*k).to_owned(),
                    value: (*v).to_owned(),
                })
                .collect(),
        }
    }

    fn image(size: u64, alt: &str) -> Media {
        Media {
            id: "m".to_owned(),
            mime_type: "image/png".to_owned(),
            alt_text: alt.to_owned(),
            size,
        }
    }

    fn draft(body: &str, media: Vec<Media>) -> Draft {
        Draft {
            options: heraut_plugin_sdk::no_options(),
            body: body.to_owned(),
            media,
        }
    }

    fn fields(problems: &[Problem]) -> Vec<&str> {
        problems.iter().map(|p| p.field.as_str()).collect()
    }

    fn post(body: &str, reply_to: Option<&str>) -> OutgoingPost {
        OutgoingPost {
            idempotency_key: "k-1".to_owned(),
            body: body.to_owned(),
            media: vec![],
            options: heraut_plugin_sdk::NetworkOptions {
                reply_to: reply_to.map(str::to_owned),
                ..heraut_plugin_sdk::no_options()
            },
        }
    }

    #[test]
    fn settings_are_read_trimmed_and_checked() {
        let c = channel(&account(&[
            ("instance_url", " https://example.social/ "),
            ("visibility", "Unlisted"),
            ("language", "FR"),
            ("spoiler_text", "politics"),
        ]))
        .unwrap();
        assert_eq!(
            c,
            Channel {
                base: "https://example.social".to_owned(),
                visibility: Some("unlisted".to_owned()),
                language: Some("fr".to_owned()),
                spoiler_text: Some("politics".to_owned()),
            }
        );
        let bare = channel(&account(&[
            ("instance_url", "http://127.0.0.1:8090"),
            ("visibility", ""),
        ]))
        .unwrap();
        assert_eq!(bare.visibility, None);
        assert_eq!(bare.spoiler_text, None);
    }

    #[test]
    fn bad_settings_are_named() {
        let err = |s: &[(&str, &str)]| channel(&account(s)).unwrap_err();
        assert!(err(&[]).contains("instance_url"));
        assert!(err(&[("instance_url", "example.social")]).contains("https://"));
        assert!(
            err(&[("instance_url", "https://a.b"), ("visibility", "friends")])
                .contains("visibility")
        );
        assert!(
            err(&[("instance_url", "https://a.b"), ("language", "english")]).contains("language")
        );
    }

    #[test]
    fn a_good_post_has_no_problems() {
        assert!(problems(&draft("hello", vec![])).is_empty());
        assert!(problems(&draft("", vec![image(10, "a cat")])).is_empty());
        assert!(problems(&draft(&"x".repeat(MAX_CHARS), vec![])).is_empty());
    }

    #[test]
    fn length_is_counted_the_mastodon_way() {
        // 480 characters and a link longer than the rest of the budget: 480 + 23 > 500.
        let text = format!(
            "{} https://example.com/{}",
            "x".repeat(476),
            "y".repeat(100)
        );
        assert_eq!(count::status_length(&text, count::URL_WEIGHT), 477 + 23);
        assert!(problems(&draft(&text, vec![])).is_empty());
        let over = problems(&draft(&"x".repeat(MAX_CHARS + 1), vec![]));
        assert_eq!(fields(&over), ["body"]);
        assert!(over[0].message.contains("501"));
    }

    #[test]
    fn an_empty_post_is_a_problem() {
        assert_eq!(fields(&problems(&draft("  ", vec![]))), ["body"]);
    }

    #[test]
    fn media_problems_name_their_field() {
        let five = vec![image(1, "a"); 5];
        assert_eq!(fields(&problems(&draft("x", five))), ["media"]);
        let big = image(MAX_IMAGE_BYTES + 1, "a");
        assert_eq!(fields(&problems(&draft("x", vec![big]))), ["media"]);
        let mut video = image(1, "a");
        video.mime_type = "video/mp4".to_owned();
        assert_eq!(fields(&problems(&draft("x", vec![video]))), ["media"]);
        let no_alt = problems(&draft("x", vec![image(1, "a"), image(1, " ")]));
        assert_eq!(fields(&no_alt), ["media.1.alt-text"]);
        let long_alt = problems(&draft("x", vec![image(1, &"é".repeat(MAX_ALT_TEXT + 1))]));
        assert_eq!(fields(&long_alt), ["media.0.alt-text"]);
        assert!(problems(&draft("x", vec![image(1, &"é".repeat(MAX_ALT_TEXT))])).is_empty());
    }

    #[test]
    fn the_status_carries_the_channel_settings_and_the_reply() {
        let c = Channel {
            base: "https://a.b".to_owned(),
            visibility: Some("private".to_owned()),
            language: Some("de".to_owned()),
            spoiler_text: Some("cw".to_owned()),
        };
        let p = status_payload(
            &c,
            &post("hi", Some("109")),
            &["1".to_owned(), "2".to_owned()],
        );
        assert_eq!(
            p,
            serde_json::json!({
                "status": "hi",
                "media_ids": ["1", "2"],
                "visibility": "private",
                "language": "de",
                "spoiler_text": "cw",
                "in_reply_to_id": "109",
            })
        );
        let bare = Channel {
            base: "https://a.b".to_owned(),
            visibility: None,
            language: None,
            spoiler_text: None,
        };
        assert_eq!(
            status_payload(&bare, &post("hi", None), &[]),
            serde_json::json!({ "status": "hi" })
        );
    }

    #[test]
    fn errors_map_to_what_the_host_should_do() {
        let body = |m: &str| serde_json::json!({ "error": m }).to_string();
        assert!(matches!(
            map_error(422, &body("Validation failed: Text can't be blank"), None),
            CallError::Rejected(m) if m == "Mastodon answered 422: Validation failed: Text can't be blank"
        ));
        assert!(matches!(
            map_error(
                422,
                &body(
                    "Cannot attach files that have not finished processing. Try again in a moment!"
                ),
                None
            ),
            CallError::Transient(_)
        ));
        assert!(matches!(
            map_error(401, &body("The access token is invalid"), None),
            CallError::AuthExpired(_)
        ));
        assert!(matches!(
            map_error(
                403,
                &body("This action is outside the authorized scopes"),
                None
            ),
            CallError::AuthExpired(_)
        ));
        assert!(matches!(
            map_error(403, &body("The access token was revoked"), None),
            CallError::AuthExpired(_)
        ));
        assert!(matches!(
            map_error(403, &body("This action is not allowed"), None),
            CallError::Rejected(_)
        ));
        assert!(matches!(
            map_error(429, &body("Too many requests"), Some(120)),
            CallError::RateLimited(120)
        ));
        assert!(matches!(
            map_error(429, "", None),
            CallError::RateLimited(60)
        ));
        assert!(
            matches!(map_error(503, "<html>down</html>", None), CallError::Transient(m) if m.contains("<html>down"))
        );
        assert!(
            matches!(map_error(404, &body("Record not found"), None), CallError::Rejected(m) if m.ends_with("Record not found"))
        );
    }

    #[test]
    fn the_wait_comes_from_retry_after_or_the_rate_limit_reset() {
        let now = 1_714_564_800_000; // 2024-05-01T12:00:00Z
        assert_eq!(wait_seconds(Some("30"), None, now), Some(30));
        assert_eq!(
            wait_seconds(None, Some("2024-05-01T12:05:00.000Z"), now),
            Some(300)
        );
        assert_eq!(
            wait_seconds(None, Some("2024-05-01T14:01:00+02:00"), now),
            Some(60)
        );
        assert_eq!(wait_seconds(None, Some("1714564810"), now), Some(10));
        // A reset already past still waits a second.
        assert_eq!(
            wait_seconds(None, Some("2024-05-01T11:00:00Z"), now),
            Some(1)
        );
        assert_eq!(wait_seconds(Some("soon"), Some("later"), now), None);
        assert_eq!(wait_seconds(None, None, now), None);
    }

    #[test]
    fn rfc3339_times_are_read() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(unix_seconds("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(
            unix_seconds("2024-02-29T23:59:59.999999Z"),
            Some(1_709_251_199)
        );
        assert_eq!(
            unix_seconds("2024-05-01T12:00:00-01:30"),
            Some(1_714_570_200)
        );
        assert_eq!(unix_seconds("2024-13-01T00:00:00Z"), None);
        assert_eq!(unix_seconds("2024-05-01"), None);
        assert_eq!(unix_seconds("2024-05-01T12:00:00"), None);
        assert_eq!(unix_seconds("2024-05-01T12:00:00+0x:00"), None);
        assert_eq!(unix_seconds("２０２４-05-01T12:00:00Z"), None);
    }

    #[test]
    fn uploads_are_named_by_type() {
        assert_eq!(file_name(0, "image/jpeg"), "image-1.jpg");
        assert_eq!(file_name(1, "image/PNG; charset=binary"), "image-2.png");
        assert_eq!(file_name(3, "nonsense"), "image-4.bin");
    }

    #[test]
    fn ids_may_be_strings_or_numbers() {
        assert_eq!(id_text(&serde_json::json!("1091")), Some("1091".to_owned()));
        assert_eq!(id_text(&serde_json::json!(1091)), Some("1091".to_owned()));
        assert_eq!(id_text(&serde_json::json!("")), None);
        assert_eq!(id_text(&serde_json::Value::Null), None);
    }
}
