//! What a plugin returns is bounded before the host keeps or serves any of it: a connector with
//! a bug (or a hostile one) may hand back tens of megabytes in a remote id, a URL, a problem list
//! or an error message, all of which Heraut stores and answers with. Identifiers that would be
//! wrong if cut (a remote id, a URL) make the call fail with [`PluginError::TooLarge`]; text
//! meant for people is cut to its bound and says so.

use crate::{ConnectorInfo, PluginError, Problem, PublishError, Receipt};

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

/// `text` cut to `max` characters, marked when cut.
pub fn cut(text: String, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text,
        Some((end, _)) => format!("{}… [cut at {max} characters]", &text[..end]),
    }
}

/// A receipt whose remote id and URL are within their bounds, else the call fails.
pub fn receipt(r: Receipt) -> Result<Receipt, PluginError> {
    if r.remote_id.len() > MAX_REMOTE_ID {
        return Err(PluginError::TooLarge(format!(
            "a remote id of {} bytes (at most {MAX_REMOTE_ID})",
            r.remote_id.len()
        )));
    }
    if let Some(url) = &r.url
        && url.len() > MAX_URL
    {
        return Err(PluginError::TooLarge(format!(
            "a URL of {} bytes (at most {MAX_URL})",
            url.len()
        )));
    }
    Ok(r)
}

/// An error with its message cut to [`MAX_MESSAGE`].
pub fn error(e: PublishError) -> PublishError {
    match e {
        PublishError::Rejected(m) => PublishError::Rejected(cut(m, MAX_MESSAGE)),
        PublishError::AuthExpired(m) => PublishError::AuthExpired(cut(m, MAX_MESSAGE)),
        PublishError::Transient(m) => PublishError::Transient(cut(m, MAX_MESSAGE)),
        other => other,
    }
}

/// A publish-like result within bounds.
pub fn published<T>(
    r: Result<T, PublishError>,
    ok: impl FnOnce(T) -> Result<T, PluginError>,
) -> Result<Result<T, PublishError>, PluginError> {
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
