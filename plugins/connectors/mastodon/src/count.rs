//! The length of a status as Mastodon counts it.
//!
//! Mastodon counts grapheme clusters (what a person sees as one character), after two
//! rewrites: every link that starts with `http://` or `https://` counts as a fixed number of
//! characters (`characters_reserved_per_url`, 23 by default) whatever its length, and a
//! mention of a remote account, `@user@domain`, counts as `@user`.

use unicode_segmentation::UnicodeSegmentation;

/// What a link weighs on a default Mastodon instance (`characters_reserved_per_url`).
pub const URL_WEIGHT: usize = 23;

/// The length of `text` by Mastodon's counting, every link weighing `url_weight`.
pub fn status_length(text: &str, url_weight: usize) -> usize {
    countable_text(text, url_weight).graphemes(true).count()
}

/// `text` with its links replaced by `url_weight` placeholder characters and its remote
/// mentions shortened to `@user`.
fn countable_text(text: &str, url_weight: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev: Option<char> = None;
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        let rest = &text[i..];
        if let Some(len) = link_at(rest, prev) {
            out.extend(std::iter::repeat_n('x', url_weight));
            prev = rest[..len].chars().next_back();
            i += len;
            continue;
        }
        if let Some((len, user_len)) = remote_mention_at(rest, prev) {
            out.push_str(&rest[..user_len]);
            prev = rest[..len].chars().next_back();
            i += len;
            continue;
        }
        out.push(c);
        prev = Some(c);
        i += c.len_utf8();
    }
    out
}

/// The byte length of the link `rest` starts with, if it starts with one Mastodon would make
/// a link of.
fn link_at(rest: &str, prev: Option<char>) -> Option<usize> {
    // A link glued to a word, a mention or a hashtag is not one.
    if prev.is_some_and(|p| p.is_ascii_alphanumeric() || matches!(p, '@' | '$' | '#' | '＠' | '＃'))
    {
        return None;
    }
    let scheme = ["https://", "http://"].into_iter().find(|s| {
        rest.get(..s.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(s))
    })?;
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let candidate = trim_link_end(&rest[..end]);
    let after_scheme = &candidate[scheme.len()..];
    let authority_end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let authority = &after_scheme[..authority_end];
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    };
    valid_domain(host).then_some(candidate.len())
}

/// Drops what ends a sentence rather than a link: trailing punctuation and closing brackets
/// that were not opened inside the link.
fn trim_link_end(mut link: &str) -> &str {
    loop {
        let Some(last) = link.chars().next_back() else {
            return link;
        };
        let unbalanced = |open: char, close: char| {
            link.chars().filter(|&c| c == close).count()
                > link.chars().filter(|&c| c == open).count()
        };
        let drop = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '"' | '*' => true,
            ')' => unbalanced('(', ')'),
            ']' => unbalanced('[', ']'),
            _ => false,
        };
        if !drop {
            return link;
        }
        link = &link[..link.len() - last.len_utf8()];
    }
}

/// A host name with at least two labels and a top-level domain of letters.
fn valid_domain(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic))
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `@user@domain` at the start of `rest`: its byte length and the byte length of its `@user`.
/// A local mention (`@user`) needs no rewriting, so it gives `None`.
fn remote_mention_at(rest: &str, prev: Option<char>) -> Option<(usize, usize)> {
    if prev.is_some_and(|p| is_word(p) || p == '/' || p == '=') {
        return None;
    }
    let name = rest.strip_prefix('@')?;
    // A user name: letters, digits and `_`, with `.` and `-` inside but not at the end.
    let run = name
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
        .unwrap_or(name.len());
    let user = name[..run].trim_end_matches(['.', '-']);
    if !user.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let domain = name[user.len()..].strip_prefix('@')?;
    let run = domain
        .find(|c: char| !(is_word(c) || matches!(c, '.' | '-')))
        .unwrap_or(domain.len());
    let domain = domain[..run].trim_end_matches(|c: char| !is_word(c));
    if domain.is_empty() {
        return None;
    }
    let user_len = 1 + user.len();
    Some((user_len + 1 + domain.len(), user_len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len(text: &str) -> usize {
        status_length(text, URL_WEIGHT)
    }

    #[test]
    fn plain_text_counts_characters() {
        assert_eq!(len(""), 0);
        assert_eq!(len("hello"), 5);
        assert_eq!(len("déjà vu"), 7);
    }

    #[test]
    fn a_grapheme_cluster_counts_once() {
        // A family (three people joined by zero-width joiners) and a flag.
        assert_eq!(len("\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}"), 1);
        assert_eq!(len("\u{1F1EB}\u{1F1F7}"), 1);
        // `e` and a combining acute accent.
        assert_eq!(len("e\u{301}"), 1);
    }

    #[test]
    fn every_link_weighs_23() {
        assert_eq!(len("https://example.com"), 23);
        assert_eq!(
            len("https://example.com/a/very/long/path/that/goes/on/and/on?and=more#here"),
            23
        );
        assert_eq!(len("http://t.co"), 23);
        assert_eq!(len("HTTPS://EXAMPLE.ORG/X"), 23);
        assert_eq!(
            len("read https://example.com/a and https://example.org/b"),
            5 + 23 + 5 + 23
        );
        assert_eq!(status_length("https://example.com", 30), 30);
    }

    #[test]
    fn punctuation_after_a_link_is_text() {
        assert_eq!(len("see https://example.com."), 4 + 23 + 1);
        assert_eq!(len("(see https://example.com)"), 1 + 4 + 23 + 1);
        assert_eq!(len("https://en.wikipedia.org/wiki/Rust_(language)"), 23);
        assert_eq!(len("https://example.com/?!"), 23 + 2);
    }

    #[test]
    fn what_is_not_a_link_counts_as_text() {
        // No scheme, glued to a word, no dot in the host, a numeric top-level domain.
        assert_eq!(len("example.com/path"), 16);
        assert_eq!(len("xhttps://example.com"), 20);
        assert_eq!(len("https://localhost"), 17);
        assert_eq!(len("https://10.0.0.1"), 16);
        assert_eq!(len("https://"), 8);
    }

    #[test]
    fn a_link_with_a_port_or_an_account_path_is_a_link() {
        assert_eq!(len("https://example.com:8443/x"), 23);
        assert_eq!(len("https://mastodon.social/@bob@example.org"), 23);
    }

    #[test]
    fn a_remote_mention_counts_as_its_user_name() {
        assert_eq!(len("@alice@example.social hi"), "@alice hi".len());
        assert_eq!(len("hi @alice@example.social."), "hi @alice.".len());
        assert_eq!(len("@a.b-c@sub.example.org"), "@a.b-c".len());
        assert_eq!(
            len("@alice@example.social@bob@example.org"),
            "@alice@bob@example.org".len()
        );
    }

    #[test]
    fn a_local_mention_and_an_email_count_in_full() {
        assert_eq!(len("@alice hi"), 9);
        assert_eq!(len("me@example.com"), 14);
        assert_eq!(len("@"), 1);
        assert_eq!(len("@@example.org"), 13);
        assert_eq!(len("a/@alice@example.org"), 20);
    }
}
