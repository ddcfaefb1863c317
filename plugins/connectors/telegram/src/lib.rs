//! Heraut's Telegram connector: a bot posts to a chat, a group or a channel.
//!
//! A post without images is a `sendMessage`, one image a `sendPhoto` with the text as its
//! caption, 2 to 10 images an album (`sendMediaGroup`, the caption on the first). The host puts
//! the channel's bot token into the path (`/bot<token>/…`, the manifest's `path_prefix`), so
//! the plugin asks for `{api_url}/sendMessage` and never sees the token.
//!
//! The remote id is `<chat id>:<message id>`, or `<chat id>:<id>,<id>,…` for an album, so that
//! `delete` removes every message of it.

use heraut_plugin_sdk::multipart;

use heraut_plugin_sdk::{
    AccountRef, CallError, ConnectorInfo, Draft, LogLevel, Media, OutgoingPost, Problem,
    Publishing, Receipt, http, log, read_media, setting,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// Longest message text, in UTF-16 code units as Telegram counts it.
pub const MAX_TEXT: usize = 4096;
/// Longest caption of a photo or an album.
pub const MAX_CAPTION: usize = 1024;
/// Most photos in an album.
pub const MAX_MEDIA: usize = 10;
/// Largest photo the Bot API takes.
pub const MAX_PHOTO_BYTES: u64 = 10 * 1024 * 1024;
/// Most image bytes in one post: an album goes out as one request, which must stay under the
/// host's 32 MiB per request and the plugin's 64 MiB of memory.
pub const MAX_POST_MEDIA_BYTES: u64 = 24 * 1024 * 1024;
/// The Bot API's address when the channel does not name another.
pub const DEFAULT_API_URL: &str = "https://api.telegram.org";
/// Boundaries to try before giving up on a form (the first one fits in practice).
const MAX_BOUNDARY_ATTEMPTS: u16 = 16;

struct Telegram;

/// A channel's settings, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chat {
    /// The Bot API's base URL, without a path: the host inserts `/bot<token>` before the path.
    pub api: String,
    /// A numeric chat id (`-1001234567890`) or a public username (`@channel`).
    pub chat_id: String,
    /// `HTML` or `MarkdownV2`.
    pub parse_mode: Option<String>,
}

/// Reads and checks a channel's settings; an empty value counts as unset.
pub fn chat(account: &AccountRef) -> Result<Chat, String> {
    let get = |key: &str| {
        setting(account, key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let chat_id = get("chat_id").ok_or("the channel has no `chat_id` setting")?;
    if !valid_chat_id(chat_id) {
        return Err(format!(
            "`chat_id` must be a numeric chat id (like -1001234567890) or a public username \
             (like @mychannel); it is `{chat_id}`"
        ));
    }
    let api = get("api_url")
        .unwrap_or(DEFAULT_API_URL)
        .trim_end_matches('/')
        .to_owned();
    let after_scheme = api
        .strip_prefix("https://")
        .or_else(|| api.strip_prefix("http://"));
    match after_scheme {
        Some(authority) if !authority.is_empty() && !authority.contains(['/', '?', '#']) => {}
        _ => {
            return Err(format!(
                "`api_url` must be the Bot API server's address without a path, like {DEFAULT_API_URL}; \
                 it is `{api}`"
            ));
        }
    }
    let parse_mode = match get("parse_mode") {
        None => None,
        Some(m) if m.eq_ignore_ascii_case("html") => Some("HTML".to_owned()),
        Some(m) if m.eq_ignore_ascii_case("markdownv2") => Some("MarkdownV2".to_owned()),
        Some(m) => {
            return Err(format!(
                "`parse_mode` must be HTML or MarkdownV2 (or empty for plain text); it is `{m}`"
            ));
        }
    };
    Ok(Chat {
        api,
        chat_id: chat_id.to_owned(),
        parse_mode,
    })
}

fn valid_chat_id(id: &str) -> bool {
    if let Some(name) = id.strip_prefix('@') {
        return (4..=32).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    }
    id.parse::<i64>().is_ok()
}

/// A chat id in JSON: a number when it is one, else the `@username`.
pub fn chat_id_json(chat_id: &str) -> Value {
    match chat_id.parse::<i64>() {
        Ok(n) => json!(n),
        Err(_) => json!(chat_id),
    }
}

/// The length of `text` as Telegram counts it, in UTF-16 code units.
pub fn telegram_length(text: &str) -> usize {
    text.encode_utf16().count()
}

/// What keeps `post` from going out on Telegram.
pub fn problems(post: &Draft) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut problem = |field: &str, message: String| {
        problems.push(Problem {
            field: field.to_owned(),
            message,
        })
    };
    let length = telegram_length(&post.body);
    if post.media.is_empty() {
        if post.body.trim().is_empty() {
            problem(
                "body",
                "write something or add an image: Telegram does not send an empty message"
                    .to_owned(),
            );
        }
        if length > MAX_TEXT {
            problem(
                "body",
                format!(
                    "Telegram allows {MAX_TEXT} characters in a message; this text has {length}"
                ),
            );
        }
    } else if length > MAX_CAPTION {
        problem(
            "body",
            format!(
                "with images, the text is their caption, and Telegram allows {MAX_CAPTION} \
                 characters in a caption; this text has {length}"
            ),
        );
    }
    if post.media.len() > MAX_MEDIA {
        problem(
            "media",
            format!(
                "Telegram allows {MAX_MEDIA} images in an album; this post has {}",
                post.media.len()
            ),
        );
    }
    let mut total: u64 = 0;
    for (i, m) in post.media.iter().enumerate() {
        let n = i + 1;
        total = total.saturating_add(m.size);
        if !m.mime_type.to_ascii_lowercase().starts_with("image/") {
            problem(
                "media",
                format!(
                    "attachment {n} is {}; this connector sends images only",
                    m.mime_type
                ),
            );
        }
        if m.size > MAX_PHOTO_BYTES {
            problem(
                "media",
                format!(
                    "image {n} weighs {}; Telegram takes photos up to 10 MiB",
                    mib(m.size)
                ),
            );
        }
    }
    if total > MAX_POST_MEDIA_BYTES {
        problem(
            "media",
            format!(
                "the images weigh {} together; a Telegram post of Heraut takes up to 24 MiB",
                mib(total)
            ),
        );
    }
    problems
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// `<chat id>:<id>[,<id>…]`.
pub fn encode_remote_id(chat_id: &str, message_ids: &[i64]) -> String {
    let ids: Vec<String> = message_ids.iter().map(i64::to_string).collect();
    format!("{chat_id}:{}", ids.join(","))
}

/// The chat and the message ids of a remote id.
pub fn decode_remote_id(remote_id: &str) -> Result<(String, Vec<i64>), String> {
    let bad = || format!("`{remote_id}` is not a Telegram remote id (<chat id>:<message id>)");
    let (chat_id, ids) = remote_id.rsplit_once(':').ok_or_else(bad)?;
    if !valid_chat_id(chat_id) {
        return Err(bad());
    }
    let ids = ids
        .split(',')
        .map(|id| id.trim().parse::<i64>().map_err(|_| bad()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((chat_id.to_owned(), ids))
}

/// `reply_parameters` for a reply to the post with this remote id: its first message. If that
/// message is gone, the reply goes out as a message of its own.
pub fn reply_parameters(reply_to: Option<&str>) -> Result<Option<Value>, String> {
    let Some(remote_id) = reply_to else {
        return Ok(None);
    };
    let (_, ids) = decode_remote_id(remote_id)?;
    let first = ids.first().ok_or("the post replied to has no message")?;
    Ok(Some(json!({
        "message_id": first,
        "allow_sending_without_reply": true,
    })))
}

/// The JSON of `sendMessage`.
pub fn message_payload(chat: &Chat, text: &str, reply: Option<&Value>) -> Value {
    let mut payload = json!({ "chat_id": chat_id_json(&chat.chat_id), "text": text });
    if let Some(object) = payload.as_object_mut() {
        if let Some(mode) = &chat.parse_mode {
            object.insert("parse_mode".to_owned(), json!(mode));
        }
        if let Some(reply) = reply {
            object.insert("reply_parameters".to_owned(), reply.clone());
        }
    }
    payload
}

/// The `media` field of `sendMediaGroup`: photos attached as `photo0`…, the caption on the
/// first.
pub fn album_media(count: usize, caption: &str, parse_mode: Option<&str>) -> Value {
    let items: Vec<Value> = (0..count)
        .map(|i| {
            let mut item = json!({ "type": "photo", "media": format!("attach://photo{i}") });
            if i == 0
                && !caption.is_empty()
                && let Some(object) = item.as_object_mut()
            {
                object.insert("caption".to_owned(), json!(caption));
                if let Some(mode) = parse_mode {
                    object.insert("parse_mode".to_owned(), json!(mode));
                }
            }
            item
        })
        .collect();
    Value::Array(items)
}

/// A message in the Bot API's answer.
#[derive(Debug, Deserialize)]
pub struct Message {
    pub message_id: i64,
    #[serde(default)]
    pub chat: Option<MessageChat>,
}

#[derive(Debug, Deserialize)]
pub struct MessageChat {
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub username: Option<String>,
}

/// The receipt of the messages of a post: the chat id Telegram answered with (stable when a
/// channel renames itself), a link when the chat is public.
pub fn receipt(chat_id: &str, messages: &[Message]) -> Result<Receipt, String> {
    let first = messages
        .first()
        .ok_or("Telegram answered with no message")?;
    let chat = first.chat.as_ref();
    let id = chat
        .and_then(|c| c.id)
        .map_or_else(|| chat_id.to_owned(), |id| id.to_string());
    let username = chat
        .and_then(|c| c.username.clone())
        .or_else(|| chat_id.strip_prefix('@').map(str::to_owned))
        .filter(|u| !u.is_empty());
    let ids: Vec<i64> = messages.iter().map(|m| m.message_id).collect();
    Ok(Receipt {
        thread: Vec::new(),
        remote_id: encode_remote_id(&id, &ids),
        url: username.map(|u| format!("https://t.me/{u}/{}", first.message_id)),
    })
}

/// What the Bot API said when a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// `error_code`, or the HTTP status when the answer is not the Bot API's.
    pub code: u16,
    pub description: String,
    pub retry_after: Option<u32>,
    /// Set when a group became a supergroup with a new id.
    pub migrate_to_chat_id: Option<i64>,
}

impl Failure {
    /// What the host should do.
    pub fn into_error(self) -> CallError {
        let said = format!("Telegram answered {}: {}", self.code, self.description);
        if let Some(new_id) = self.migrate_to_chat_id {
            return CallError::Rejected(format!(
                "{said} (the group is now a supergroup: set the channel's chat_id to {new_id})"
            ));
        }
        match self.code {
            429 => CallError::RateLimited(self.retry_after.unwrap_or(30).max(1)),
            401 => CallError::AuthExpired(format!(
                "{said} (the bot token is wrong or was revoked: reconnect the channel with the \
                 token @BotFather gives)"
            )),
            403 => CallError::AuthExpired(format!(
                "{said} (the bot may not post in this chat: add it back, as an administrator \
                 of a channel)"
            )),
            408 => CallError::Transient(said),
            c if c >= 500 => CallError::Transient(said),
            _ => CallError::Rejected(said),
        }
    }

    /// A failed `deleteMessage` whose message is not there any more.
    pub fn message_gone(&self) -> bool {
        let d = self.description.to_ascii_lowercase();
        self.code == 400
            && d.contains("message")
            && (d.contains("not found") || d.contains("wasn't found"))
    }
}

/// The `result` of a Bot API answer (`{"ok": true, "result": …}`), or what went wrong.
pub fn unwrap_answer(
    status: u16,
    body: &[u8],
    retry_after_header: Option<u32>,
) -> Result<Value, Failure> {
    #[derive(Deserialize)]
    struct Answer {
        ok: bool,
        #[serde(default)]
        result: Option<Value>,
        #[serde(default)]
        error_code: Option<u16>,
        #[serde(default)]
        description: Option<String>,
        #[serde(default)]
        parameters: Option<Parameters>,
    }
    #[derive(Deserialize)]
    struct Parameters {
        #[serde(default)]
        retry_after: Option<u32>,
        #[serde(default)]
        migrate_to_chat_id: Option<i64>,
    }
    let success = (200..300).contains(&status);
    match serde_json::from_slice::<Answer>(body) {
        Ok(answer) if answer.ok && success => Ok(answer.result.unwrap_or(Value::Null)),
        Ok(answer) => {
            let parameters = answer.parameters;
            Err(Failure {
                code: answer
                    .error_code
                    .unwrap_or(if success { 400 } else { status }),
                description: answer
                    .description
                    .unwrap_or_else(|| "no description".to_owned()),
                retry_after: parameters
                    .as_ref()
                    .and_then(|p| p.retry_after)
                    .or(retry_after_header),
                migrate_to_chat_id: parameters.and_then(|p| p.migrate_to_chat_id),
            })
        }
        Err(_) => Err(Failure {
            code: if success { 502 } else { status },
            description: format!(
                "not a Bot API answer: {}",
                String::from_utf8_lossy(body)
                    .chars()
                    .take(300)
                    .collect::<String>()
            ),
            retry_after: retry_after_header,
            migrate_to_chat_id: None,
        }),
    }
}

/// Why a Bot API call failed: no answer, or an answer that says so.
#[derive(Debug)]
enum BotCall {
    Request(http::Error),
    Answer(Failure),
}

impl BotCall {
    fn into_error(self) -> CallError {
        match self {
            Self::Request(e) => without_token(e).into(),
            Self::Answer(failure) => failure.into_error(),
        }
    }
}

/// `e` with any `/bot<token>` of a URL in its message masked. The host blanks the token out of
/// answers, but an error about a request that got none (a timeout) may quote the URL the host
/// sent, token included; that message would end up in logs and in the post's error.
fn without_token(e: http::Error) -> http::Error {
    match e {
        http::Error::Failed(why) => http::Error::Failed(mask_bot_token(&why)),
        http::Error::BadUrl(url) => http::Error::BadUrl(mask_bot_token(&url)),
        other => other,
    }
}

/// Replaces every `/bot<token>` path segment with `/bot…`.
pub fn mask_bot_token(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("/bot") {
        let (before, after) = rest.split_at(at + "/bot".len());
        out.push_str(before);
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-' | '%')))
            .unwrap_or(after.len());
        if end > 0 {
            out.push('…');
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Sends a Bot API call and returns its `result`.
fn call(request: http::Request) -> Result<Value, BotCall> {
    let response = request.send().map_err(BotCall::Request)?;
    unwrap_answer(response.status, &response.body, response.retry_after()).map_err(BotCall::Answer)
}

/// A multipart form with these text fields and images (as `file_field(i)`), reading one image
/// at a time into it.
fn form_with_images(
    seed: u64,
    fields: &[(&str, String)],
    media: &[Media],
    file_field: impl Fn(usize) -> String,
) -> Result<(String, Vec<u8>), CallError> {
    let data_bytes = fields.iter().map(|(_, v)| v.len()).sum::<usize>()
        + media
            .iter()
            .map(|m| usize::try_from(m.size).unwrap_or(0))
            .sum::<usize>();
    let parts = fields.len() + media.len();
    'attempts: for attempt in 0..MAX_BOUNDARY_ATTEMPTS {
        let boundary = multipart::boundary(seed, attempt);
        let mut form = multipart::Form::new(&boundary, parts, data_bytes);
        for (name, value) in fields {
            if multipart::clashes(&boundary, value.as_bytes()) {
                continue 'attempts;
            }
            form.part(&multipart::Part {
                name,
                file: None,
                data: value.as_bytes(),
            });
        }
        for (i, m) in media.iter().enumerate() {
            let bytes = read_media(m)?;
            if multipart::clashes(&boundary, &bytes) {
                continue 'attempts;
            }
            let field = file_field(i);
            let filename = file_name(i, &m.mime_type);
            form.part(&multipart::Part {
                name: &field,
                file: Some((&filename, &m.mime_type)),
                data: &bytes,
            });
        }
        return Ok((form.content_type(), form.finish()));
    }
    Err(CallError::Transient(
        "no multipart boundary fits these images".to_owned(),
    ))
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
        _ => "bin",
    };
    format!("photo-{}.{extension}", index + 1)
}

/// Reads the message(s) of a successful send.
fn messages(result: Value) -> Result<Vec<Message>, CallError> {
    let parsed = if result.is_array() {
        serde_json::from_value::<Vec<Message>>(result)
    } else {
        serde_json::from_value::<Message>(result).map(|m| vec![m])
    };
    // The message went out: a retry would send it again, so this is not transient.
    parsed.map_err(|e| {
        CallError::Rejected(format!(
            "Telegram sent the message but its answer has no message id ({e}); check the chat"
        ))
    })
}

impl Publishing for Telegram {
    fn describe() -> ConnectorInfo {
        ConnectorInfo {
            network: "telegram".to_owned(),
            display_name: "Telegram".to_owned(),
            max_chars: MAX_TEXT as u32,
            max_media: MAX_MEDIA as u32,
            features: vec!["threads".to_owned()],
        }
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
        let chat = chat(&account).map_err(CallError::Rejected)?;
        let reply =
            reply_parameters(post.options.reply_to.as_deref()).map_err(CallError::Rejected)?;
        let result = match post.media.len() {
            0 => call(
                http::post(&format!("{}/sendMessage", chat.api)).json(&message_payload(
                    &chat,
                    &post.body,
                    reply.as_ref(),
                ))?,
            ),
            count => {
                let seed =
                    multipart::seed(&post.idempotency_key, heraut_plugin_sdk::host::now_millis());
                let mut fields = vec![("chat_id", chat.chat_id.clone())];
                let method = if count == 1 {
                    if !post.body.is_empty() {
                        fields.push(("caption", post.body.clone()));
                        if let Some(mode) = &chat.parse_mode {
                            fields.push(("parse_mode", mode.clone()));
                        }
                    }
                    "sendPhoto"
                } else {
                    let media = album_media(count, &post.body, chat.parse_mode.as_deref());
                    fields.push(("media", media.to_string()));
                    "sendMediaGroup"
                };
                if let Some(reply) = &reply {
                    fields.push(("reply_parameters", reply.to_string()));
                }
                let (content_type, body) = form_with_images(seed, &fields, &post.media, |i| {
                    if count == 1 {
                        "photo".to_owned()
                    } else {
                        format!("photo{i}")
                    }
                })?;
                call(http::post(&format!("{}/{method}", chat.api)).body(&content_type, body))
            }
        }
        .map_err(BotCall::into_error)?;
        let messages = messages(result)?;
        let receipt = receipt(&chat.chat_id, &messages).map_err(CallError::Rejected)?;
        log(
            LogLevel::Info,
            &format!("sent {} message(s): {}", messages.len(), receipt.remote_id),
        );
        Ok(receipt)
    }

    /// Telegram has no idempotency key and no way to find a bot's message by one, so this
    /// finds nothing: a post whose first attempt ended without an answer may go out twice.
    fn find_published(
        _account: AccountRef,
        idempotency_key: String,
    ) -> Result<Option<Receipt>, CallError> {
        log(
            LogLevel::Warn,
            &format!(
                "Telegram cannot tell whether {idempotency_key} went out; a retry may send it again"
            ),
        );
        Ok(None)
    }

    fn delete(account: AccountRef, remote_id: String) -> Result<(), CallError> {
        let chat = chat(&account).map_err(CallError::Rejected)?;
        let (chat_id, ids) = decode_remote_id(&remote_id).map_err(CallError::Rejected)?;
        for id in ids {
            let request = http::post(&format!("{}/deleteMessage", chat.api)).json(&json!({
                "chat_id": chat_id_json(&chat_id),
                "message_id": id,
            }))?;
            match call(request) {
                Ok(_) => log(LogLevel::Info, &format!("deleted message {chat_id}:{id}")),
                Err(BotCall::Answer(failure)) if failure.message_gone() => log(
                    LogLevel::Info,
                    &format!("message {chat_id}:{id} was already gone"),
                ),
                Err(failure) => return Err(failure.into_error()),
            }
        }
        Ok(())
    }
}

heraut_plugin_sdk::export_connector!(Telegram);

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

    fn image(size: u64) -> Media {
        Media {
            id: "m".to_owned(),
            mime_type: "image/jpeg".to_owned(),
            alt_text: String::new(),
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

    fn chat_of(chat_id: &str, parse_mode: Option<&str>) -> Chat {
        Chat {
            api: DEFAULT_API_URL.to_owned(),
            chat_id: chat_id.to_owned(),
            parse_mode: parse_mode.map(str::to_owned),
        }
    }

    #[test]
    fn settings_are_read_with_their_defaults() {
        assert_eq!(
            chat(&account(&[("chat_id", " -1001234567890 ")])).unwrap(),
            chat_of("-1001234567890", None)
        );
        let c = chat(&account(&[
            ("chat_id", "@heraut_news"),
            ("api_url", "http://127.0.0.1:9000/"),
            ("parse_mode", "html"),
        ]))
        .unwrap();
        assert_eq!(c.api, "http://127.0.0.1:9000");
        assert_eq!(c.parse_mode.as_deref(), Some("HTML"));
        let md = chat(&account(&[("chat_id", "42"), ("parse_mode", "markdownv2")])).unwrap();
        assert_eq!(md.parse_mode.as_deref(), Some("MarkdownV2"));
    }

    #[test]
    fn bad_settings_are_named() {
        let err = |s: &[(&str, &str)]| chat(&account(s)).unwrap_err();
        assert!(err(&[]).contains("chat_id"));
        assert!(err(&[("chat_id", "my channel")]).contains("chat_id"));
        assert!(err(&[("chat_id", "@ab")]).contains("chat_id"));
        assert!(
            err(&[("chat_id", "1"), ("api_url", "https://proxy.example/tg")]).contains("api_url")
        );
        assert!(err(&[("chat_id", "1"), ("api_url", "ftp://x.example")]).contains("api_url"));
        assert!(err(&[("chat_id", "1"), ("parse_mode", "Markdown")]).contains("parse_mode"));
    }

    #[test]
    fn text_is_counted_in_utf16_units() {
        assert_eq!(telegram_length("hello"), 5);
        assert_eq!(telegram_length("é"), 1);
        // Outside the Basic Multilingual Plane: two units each.
        assert_eq!(telegram_length("\u{1F600}"), 2);
    }

    #[test]
    fn limits_of_text_and_caption() {
        assert!(problems(&draft(&"x".repeat(MAX_TEXT), vec![])).is_empty());
        assert_eq!(
            fields(&problems(&draft(&"x".repeat(MAX_TEXT + 1), vec![]))),
            ["body"]
        );
        assert_eq!(
            fields(&problems(&draft(&"\u{1F600}".repeat(2049), vec![]))),
            ["body"]
        );
        assert!(problems(&draft(&"x".repeat(MAX_CAPTION), vec![image(1)])).is_empty());
        let caption = problems(&draft(&"x".repeat(MAX_CAPTION + 1), vec![image(1)]));
        assert_eq!(fields(&caption), ["body"]);
        assert!(caption[0].message.contains("caption"));
        assert_eq!(fields(&problems(&draft(" ", vec![]))), ["body"]);
        // Images without text are an album without a caption; alt text is not required.
        assert!(problems(&draft("", vec![image(1), image(1)])).is_empty());
    }

    #[test]
    fn limits_of_images() {
        assert!(problems(&draft("x", vec![image(1); MAX_MEDIA])).is_empty());
        assert_eq!(
            fields(&problems(&draft("x", vec![image(1); MAX_MEDIA + 1]))),
            ["media"]
        );
        assert_eq!(
            fields(&problems(&draft("x", vec![image(MAX_PHOTO_BYTES + 1)]))),
            ["media"]
        );
        let heavy = vec![image(MAX_PHOTO_BYTES); 3];
        assert_eq!(fields(&problems(&draft("x", heavy))), ["media"]);
        let mut video = image(1);
        video.mime_type = "video/mp4".to_owned();
        assert_eq!(fields(&problems(&draft("x", vec![video]))), ["media"]);
    }

    #[test]
    fn remote_ids_round_trip() {
        assert_eq!(encode_remote_id("-100123", &[7]), "-100123:7");
        assert_eq!(encode_remote_id("@news", &[7, 8, 9]), "@news:7,8,9");
        assert_eq!(
            decode_remote_id("-100123:7,8").unwrap(),
            ("-100123".to_owned(), vec![7, 8])
        );
        assert_eq!(
            decode_remote_id("@news:7").unwrap(),
            ("@news".to_owned(), vec![7])
        );
        for bad in ["", "7", "-100:", "-100:x", "-100:7,,8", "a b:7"] {
            assert!(decode_remote_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_reply_points_at_the_first_message() {
        assert_eq!(reply_parameters(None).unwrap(), None);
        assert_eq!(
            reply_parameters(Some("-100:12,13")).unwrap(),
            Some(json!({ "message_id": 12, "allow_sending_without_reply": true }))
        );
        assert!(reply_parameters(Some("nonsense")).is_err());
    }

    #[test]
    fn the_message_payload() {
        let reply = json!({ "message_id": 5, "allow_sending_without_reply": true });
        assert_eq!(
            message_payload(&chat_of("-100123", Some("HTML")), "<b>hi</b>", Some(&reply)),
            json!({
                "chat_id": -100123,
                "text": "<b>hi</b>",
                "parse_mode": "HTML",
                "reply_parameters": reply,
            })
        );
        assert_eq!(
            message_payload(&chat_of("@news", None), "hi", None),
            json!({ "chat_id": "@news", "text": "hi" })
        );
    }

    #[test]
    fn an_album_has_its_caption_on_the_first_photo() {
        assert_eq!(
            album_media(2, "look", Some("MarkdownV2")),
            json!([
                { "type": "photo", "media": "attach://photo0", "caption": "look", "parse_mode": "MarkdownV2" },
                { "type": "photo", "media": "attach://photo1" },
            ])
        );
        assert_eq!(
            album_media(2, "", Some("HTML")),
            json!([
                { "type": "photo", "media": "attach://photo0" },
                { "type": "photo", "media": "attach://photo1" },
            ])
        );
    }

    #[test]
    fn a_receipt_names_the_chat_and_links_public_ones() {
        let sent: Vec<Message> = serde_json::from_value(json!([
            { "message_id": 10, "chat": { "id": -1001, "username": "news", "type": "channel" }, "date": 0 },
            { "message_id": 11, "chat": { "id": -1001, "username": "news", "type": "channel" }, "date": 0 },
        ]))
        .unwrap();
        let r = receipt("@news", &sent).unwrap();
        assert_eq!(r.remote_id, "-1001:10,11");
        assert_eq!(r.url.as_deref(), Some("https://t.me/news/10"));
        // A private chat: no link. A chat id Telegram did not echo (null): the setting's.
        let private: Vec<Message> =
            serde_json::from_value(json!([{ "message_id": 3, "chat": { "id": null } }])).unwrap();
        let r = receipt("42", &private).unwrap();
        assert_eq!(r.remote_id, "42:3");
        assert_eq!(r.url, None);
        assert!(receipt("42", &[]).is_err());
    }

    #[test]
    fn answers_are_unwrapped() {
        let ok = br#"{"ok":true,"result":{"message_id":1,"chat":{"id":5}}}"#;
        assert_eq!(unwrap_answer(200, ok, None).unwrap()["message_id"], 1);
        let limited = br#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#;
        let failure = unwrap_answer(429, limited, Some(99)).unwrap_err();
        assert_eq!(failure.retry_after, Some(7));
        assert!(matches!(failure.into_error(), CallError::RateLimited(7)));
        // Some servers answer errors with 200 and `ok: false`.
        let soft = br#"{"ok":false,"error_code":400,"description":"Bad Request: chat 1 with message 2 wasn't found"}"#;
        let failure = unwrap_answer(200, soft, None).unwrap_err();
        assert_eq!(failure.code, 400);
        assert!(failure.message_gone());
        let html = unwrap_answer(502, b"<html>Bad Gateway</html>", None).unwrap_err();
        assert_eq!(html.code, 502);
        assert!(matches!(html.into_error(), CallError::Transient(_)));
        let garbage = unwrap_answer(200, b"fine", None).unwrap_err();
        assert!(matches!(garbage.into_error(), CallError::Transient(_)));
    }

    #[test]
    fn failures_map_to_what_the_host_should_do() {
        let failure = |code: u16, description: &str| Failure {
            code,
            description: description.to_owned(),
            retry_after: None,
            migrate_to_chat_id: None,
        };
        assert!(matches!(
            failure(429, "").into_error(),
            CallError::RateLimited(30)
        ));
        assert!(matches!(
            failure(401, "Unauthorized").into_error(),
            CallError::AuthExpired(_)
        ));
        assert!(matches!(
            failure(403, "Forbidden: bot was kicked from the channel chat").into_error(),
            CallError::AuthExpired(m) if m.contains("kicked")
        ));
        assert!(matches!(
            failure(400, "Bad Request: can't parse entities").into_error(),
            CallError::Rejected(m) if m.contains("can't parse entities")
        ));
        assert!(matches!(
            failure(500, "Internal").into_error(),
            CallError::Transient(_)
        ));
        let migrated = Failure {
            migrate_to_chat_id: Some(-100_999),
            ..failure(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
            )
        };
        assert!(matches!(migrated.into_error(), CallError::Rejected(m) if m.contains("-100999")));
    }

    #[test]
    fn a_bot_token_quoted_in_an_error_is_masked() {
        assert_eq!(
            mask_bot_token(
                "the request timed out: error sending request for url \
                 (https://api.telegram.org/bot123456:AA-b_c/sendMessage): timed out"
            ),
            "the request timed out: error sending request for url \
             (https://api.telegram.org/bot…/sendMessage): timed out"
        );
        assert_eq!(
            mask_bot_token("http://127.0.0.1:9000/bot1:x/a and /bot2:y"),
            "http://127.0.0.1:9000/bot…/a and /bot…"
        );
        assert_eq!(mask_bot_token("no url here"), "no url here");
        assert_eq!(mask_bot_token("/bot/"), "/bot/");
        assert!(matches!(
            without_token(http::Error::Failed("x /bot9:z/y".to_owned())),
            http::Error::Failed(m) if m == "x /bot…/y"
        ));
    }

    #[test]
    fn only_a_missing_message_counts_as_deleted() {
        let failure = |code: u16, description: &str| Failure {
            code,
            description: description.to_owned(),
            retry_after: None,
            migrate_to_chat_id: None,
        };
        assert!(failure(400, "Bad Request: message to delete not found").message_gone());
        assert!(!failure(400, "Bad Request: chat not found").message_gone());
        assert!(!failure(400, "Bad Request: message can't be deleted").message_gone());
        assert!(!failure(403, "Forbidden: message not found").message_gone());
    }

    #[test]
    fn messages_are_one_or_an_album() {
        assert_eq!(messages(json!({ "message_id": 4 })).unwrap().len(), 1);
        assert_eq!(
            messages(json!([{ "message_id": 4 }, { "message_id": 5 }]))
                .unwrap()
                .len(),
            2
        );
        assert!(matches!(messages(Value::Null), Err(CallError::Rejected(_))));
    }
}
