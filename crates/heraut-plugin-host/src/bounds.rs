//! What a plugin returns is bounded before the host keeps or serves any of it: a connector with
//! a bug (or a hostile one) may hand back tens of megabytes in a remote id, a URL, a problem list
//! or an error message, all of which Heraut stores and answers with. Identifiers that would be
//! wrong if cut (a remote id, a URL) make the call fail with [`PluginError::TooLarge`]; text
//! meant for people is cut to its bound and says so.

use crate::{
    Activity, ActivityPage, CallError, ConnectorInfo, Counters, PluginError, Problem, Receipt,
};

/// Longest remote id taken from a connector, in bytes (networks use far less: Bluesky's AT URIs
/// are about 100).
pub const MAX_REMOTE_ID: usize = 1024;
/// Longest URL of a published post, in bytes.
pub const MAX_URL: usize = 8 * 1024;
/// Problems kept from one `validate`; one more says how many were left out.
pub const MAX_PROBLEMS: usize = 20;
/// Longest problem field name, in characters.
pub const MAX_FIELD: usize = 100;
/// Longest message for a person (a problem, an error), in characters.
pub const MAX_MESSAGE: usize = 1000;
/// Longest name or feature in `describe`, and most features.
const MAX_NAME: usize = 100;
const MAX_FEATURES: usize = 50;
/// Most items in one page of activity, thread or list of counters.
pub const MAX_ITEMS: usize = 1000;
/// Longest text of a received item, in characters (Mastodon instances allow a few thousand).
pub const MAX_BODY: usize = 20_000;
/// Longest cursor, in bytes: it is stored per channel.
pub const MAX_CURSOR: usize = 4096;
/// Longest author handle or name, in characters.
const MAX_AUTHOR: usize = 300;

fn too_large(what: &str, len: usize, max: usize) -> PluginError {
    PluginError::TooLarge(format!("{what} of {len} bytes (at most {max})"))
}

fn id(remote_id: &str) -> Result<(), PluginError> {
    if remote_id.len() > MAX_REMOTE_ID {
        return Err(too_large("a remote id", remote_id.len(), MAX_REMOTE_ID));
    }
    Ok(())
}

fn url(url: &Option<String>) -> Result<(), PluginError> {
    match url {
        Some(u) if u.len() > MAX_URL => Err(too_large("a URL", u.len(), MAX_URL)),
        _ => Ok(()),
    }
}

/// `text` cut to `max` characters, marked when cut.
pub fn cut(text: String, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text,
        Some((end, _)) => format!("{}… [cut at {max} characters]", &text[..end]),
    }
}

/// A receipt whose remote id and URL are within their bounds, else the call fails.
pub fn receipt(r: Receipt) -> Result<Receipt, PluginError> {
    id(&r.remote_id)?;
    url(&r.url)?;
    if r.thread.len() > MAX_ITEMS {
        return Err(PluginError::TooLarge(format!(
            "a thread of {} parts",
            r.thread.len()
        )));
    }
    for part in &r.thread {
        id(&part.remote_id)?;
        url(&part.url)?;
    }
    Ok(r)
}

/// Received items whose identifiers are within bounds (else the call fails), with their text
/// cut to its bound.
pub fn activities(items: Vec<Activity>) -> Result<Vec<Activity>, PluginError> {
    if items.len() > MAX_ITEMS {
        return Err(PluginError::TooLarge(format!(
            "{} items in one page",
            items.len()
        )));
    }
    items
        .into_iter()
        .map(|mut a| {
            id(&a.remote_id)?;
            url(&a.url)?;
            for other in [&a.in_reply_to, &a.conversation].into_iter().flatten() {
                id(other)?;
            }
            a.body = cut(a.body, MAX_BODY);
            if let Some(author) = &mut a.author {
                author.handle = cut(std::mem::take(&mut author.handle), MAX_AUTHOR);
                author.name = author.name.take().map(|n| cut(n, MAX_AUTHOR));
                url(&author.url)?;
            }
            Ok(a)
        })
        .collect()
}

/// A page within bounds: its items as [`activities`], its cursor at most [`MAX_CURSOR`].
pub fn page(mut p: ActivityPage) -> Result<ActivityPage, PluginError> {
    if let Some(c) = &p.next_cursor
        && c.len() > MAX_CURSOR
    {
        return Err(too_large("a cursor", c.len(), MAX_CURSOR));
    }
    p.items = activities(std::mem::take(&mut p.items))?;
    Ok(p)
}

/// Counters for at most [`MAX_ITEMS`] posts with remote ids within bounds.
pub fn counters(list: Vec<Counters>) -> Result<Vec<Counters>, PluginError> {
    if list.len() > MAX_ITEMS {
        return Err(PluginError::TooLarge(format!(
            "counters of {} posts",
            list.len()
        )));
    }
    for c in &list {
        id(&c.remote_id)?;
    }
    Ok(list)
}

/// An error with its message cut to [`MAX_MESSAGE`].
pub fn error(e: CallError) -> CallError {
    match e {
        CallError::Rejected(m) => CallError::Rejected(cut(m, MAX_MESSAGE)),
        CallError::AuthExpired(m) => CallError::AuthExpired(cut(m, MAX_MESSAGE)),
        CallError::Transient(m) => CallError::Transient(cut(m, MAX_MESSAGE)),
        other => other,
    }
}

/// A publish-like result within bounds.
pub fn published<T>(
    r: Result<T, CallError>,
    ok: impl FnOnce(T) -> Result<T, PluginError>,
) -> Result<Result<T, CallError>, PluginError> {
    match r {
        Ok(v) => ok(v).map(Ok),
        Err(e) => Ok(Err(error(e))),
    }
}

/// At most [`MAX_PROBLEMS`] problems, each cut to its bounds, and one that counts the rest.
pub fn problems(mut list: Vec<Problem>) -> Vec<Problem> {
    let left_out = list.len().saturating_sub(MAX_PROBLEMS);
    list.truncate(MAX_PROBLEMS);
    let mut kept: Vec<Problem> = list
        .into_iter()
        .map(|p| Problem {
            field: cut(p.field, MAX_FIELD),
            message: cut(p.message, MAX_MESSAGE),
        })
        .collect();
    if left_out > 0 {
        kept.push(Problem {
            field: "body".to_owned(),
            message: format!("and {left_out} more problems the connector named"),
        });
    }
    kept
}

/// A description with its names and features within bounds.
pub fn info(mut i: ConnectorInfo) -> ConnectorInfo {
    i.network = cut(i.network, MAX_NAME);
    i.display_name = cut(i.display_name, MAX_NAME);
    i.features.truncate(MAX_FEATURES);
    i.features = i.features.into_iter().map(|f| cut(f, MAX_NAME)).collect();
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cut_on_a_character_boundary_and_says_so() {
        assert_eq!(cut("kort".to_owned(), 10), "kort");
        let cut_text = cut("ééééé".to_owned(), 2);
        assert_eq!(cut_text, "éé… [cut at 2 characters]");
    }

    #[test]
    fn a_long_problem_list_keeps_its_first_problems_and_counts_the_rest() {
        let many = (0..25)
            .map(|i| Problem {
                field: "body".to_owned(),
                message: format!("problem {i} {}", "x".repeat(5000)),
            })
            .collect();
        let kept = problems(many);
        assert_eq!(kept.len(), MAX_PROBLEMS + 1);
        assert!(kept[0].message.starts_with("problem 0 "));
        assert!(kept[0].message.chars().count() < MAX_MESSAGE + 40);
        assert_eq!(
            kept[MAX_PROBLEMS].message,
            "and 5 more problems the connector named"
        );
    }
}
