//! Rich-text facets (`app.bsky.richtext.facet`): links, mentions and hashtags in a post's text,
//! each with the UTF-8 **byte** range it covers (`byteStart` inclusive, `byteEnd` exclusive).
//!
//! Bluesky's clients do not find these themselves: a post without facets shows plain text. The
//! rules here:
//!
//! - **links**: `http://` and `https://` URLs not glued to a preceding ASCII letter or digit
//!   (`xhttps://…` is no link; CJK text, written without spaces, may run into one), up to
//!   whitespace (or quotes, angle brackets, ideographic, Arabic and general punctuation, or an
//!   emoji, which do not occur unencoded in URLs); trailing `.,;:!?'"*` and closing brackets without their
//!   opening one in the URL are left out, so `(see https://a.example/x).` links
//!   `https://a.example/x`.
//! - **mentions**: `@handle` at the start, after whitespace, ideographic punctuation (`。`)
//!   or an opening bracket or quote,
//!   where the handle is a valid domain name (`alice.bsky.social`); a trailing dot is left
//!   out. The handle still has to resolve to a DID: one that does not gets no facet.
//! - **hashtags**: `#tag` (or the full-width `＃`) at the start, after whitespace or after
//!   ideographic punctuation, up to
//!   whitespace or an invisible separator, trailing punctuation left out; not only digits and
//!   punctuation, at most 64 graphemes, and never inside a link. They end on grapheme
//!   boundaries, so an emoji sequence or a letter with combining marks stays whole.

use serde_json::{Value, json};
use unicode_segmentation::UnicodeSegmentation;

/// What a range of the text is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// The URL, exactly as written.
    Link(String),
    /// The handle, in lowercase, without `@`.
    Mention(String),
    /// The tag, without `#`.
    Tag(String),
}

/// A facet found in the text: bytes `start..end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
}

/// Longest hashtag, in graphemes and in bytes (the lexicon's limits for `#tag`).
const MAX_TAG_GRAPHEMES: usize = 64;
const MAX_TAG_BYTES: usize = 640;

/// The links, mentions and hashtags of `text`, in order, none overlapping another.
pub fn detect(text: &str) -> Vec<Span> {
    let links = links(text);
    let mut spans = links.clone();
    for span in mentions(text).into_iter().chain(tags(text)) {
        if !links
            .iter()
            .any(|l| span.start < l.end && l.start < span.end)
        {
            spans.push(span);
        }
    }
    spans.sort_by_key(|s| s.start);
    spans
}

/// The handles mentioned, each once, in order.
pub fn mentioned_handles(spans: &[Span]) -> Vec<&str> {
    let mut handles: Vec<&str> = Vec::new();
    for span in spans {
        if let Kind::Mention(h) = &span.kind
            && !handles.contains(&h.as_str())
        {
            handles.push(h);
        }
    }
    handles
}

/// The first link, for a link card.
pub fn first_link(spans: &[Span]) -> Option<&str> {
    spans.iter().find_map(|s| match &s.kind {
        Kind::Link(uri) => Some(uri.as_str()),
        _ => None,
    })
}

/// The facets as `app.bsky.richtext.facet` objects. `did_of` gives the DID of a mentioned
/// handle; a mention without one gets no facet.
pub fn to_json(spans: &[Span], did_of: impl Fn(&str) -> Option<String>) -> Vec<Value> {
    spans
        .iter()
        .filter_map(|span| {
            let feature = match &span.kind {
                Kind::Link(uri) => json!({ "$type": "app.bsky.richtext.facet#link", "uri": uri }),
                Kind::Mention(handle) => {
                    json!({ "$type": "app.bsky.richtext.facet#mention", "did": did_of(handle)? })
                }
                Kind::Tag(tag) => json!({ "$type": "app.bsky.richtext.facet#tag", "tag": tag }),
            };
            Some(json!({
                "index": { "byteStart": span.start, "byteEnd": span.end },
                "features": [feature],
            }))
        })
        .collect()
}

/// ASCII and the common Unicode punctuation (Latin-1, Armenian, Arabic, general, CJK and
/// full-width forms).
fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c as u32,
            0x00A1 | 0x00A7 | 0x00AB | 0x00B6 | 0x00B7 | 0x00BB | 0x00BF
            | 0x055A..=0x055F | 0x0589
            | 0x060C | 0x060D | 0x061B | 0x061E | 0x061F | 0x066A..=0x066D | 0x06D4
            | 0x2010..=0x2027 | 0x2030..=0x205E
            | 0x3001..=0x3003 | 0x3008..=0x3011 | 0x3014..=0x301F
            | 0xFE10..=0xFE19 | 0xFE30..=0xFE6B
            | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65)
}

/// Zero-width and invisible characters that separate words without a visible space.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{200A}'
            | '\u{200B}'
            | '\u{200C}'
            | '\u{200D}'
            | '\u{2060}'
            | '\u{20E2}'
            | '\u{FEFF}'
    )
}

/// Combining marks, variation selectors and joiners: parts of a grapheme, not letters.
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF
        | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F | 0xE0100..=0xE01EF)
        || is_invisible(c)
}

/// What may come right before a mention or a hashtag: whitespace, or the ideographic and
/// full-width punctuation of text written without spaces (`…です。#旅行`).
fn opens_word(c: char) -> bool {
    c.is_whitespace() || (is_punct(c) && matches!(c as u32, 0x3000..=0x303F | 0xFF01..=0xFF65))
}

/// Characters that end a URL: punctuation and symbols (emoji included) that are not written
/// unencoded in URLs.
fn ends_url(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '<' | '>' | '"' | '`')
        || matches!(c as u32,
            0x060C | 0x061B | 0x061F | 0x06D4
            | 0x2000..=0x206F
            | 0x2190..=0x2BFF
            | 0x1F000..=0x1FAFF
            | 0x3000..=0x303F
            | 0xFE10..=0xFE19 | 0xFE30..=0xFE6B
            | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65
            | 0xFEFF)
}

fn links(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut resume = 0;
    for (i, c) in text.char_indices() {
        if i < resume || !matches!(c, 'h' | 'H') {
            continue;
        }
        let scheme = ["https://", "http://"].into_iter().find(|s| {
            text.get(i..i + s.len())
                .is_some_and(|t| t.eq_ignore_ascii_case(s))
        });
        let Some(scheme) = scheme else { continue };
        if text[..i]
            .chars()
            .next_back()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == '_')
        {
            continue;
        }
        let mut end = text[i..]
            .char_indices()
            .find(|&(_, c)| ends_url(c))
            .map_or(text.len(), |(k, _)| i + k);
        end = i + trim_url(&text[i..end]).len();
        let url = &text[i..end];
        if url_has_host(&url[scheme.len()..]) {
            spans.push(Span {
                start: i,
                end,
                kind: Kind::Link(url.to_owned()),
            });
            resume = end;
        }
    }
    spans
}

/// `url` without the punctuation that ends the sentence around it.
fn trim_url(mut url: &str) -> &str {
    loop {
        let Some(last) = url.chars().next_back() else {
            return url;
        };
        let unbalanced = |open: char, close: char| {
            last == close && url.matches(open).count() < url.matches(close).count()
        };
        if matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*')
            || unbalanced('(', ')')
            || unbalanced('[', ']')
            || unbalanced('{', '}')
        {
            url = &url[..url.len() - last.len_utf8()];
        } else {
            return url;
        }
    }
}

/// Whether what follows `scheme://` starts with a host name (or address) worth linking.
fn url_has_host(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = if host_port.starts_with('[') {
        host_port
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    !host.is_empty()
        && !host.starts_with('.')
        && !host.starts_with('-')
        && host.chars().any(char::is_alphanumeric)
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'))
}

/// Whether `s` is a syntactically valid handle: a domain name of at least two labels, each
/// of ASCII letters, digits and inner hyphens, the last one not starting with a digit.
pub fn is_valid_handle(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    s.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.starts_with(|c: char| c.is_ascii_alphabetic()))
}

fn mentions(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    for (i, c) in text.char_indices() {
        if c != '@' {
            continue;
        }
        let opens = text[..i].chars().next_back().is_none_or(|b| {
            opens_word(b) || matches!(b, '(' | '[' | '{' | '"' | '\'' | '“' | '‘' | '«' | '„')
        });
        if !opens {
            continue;
        }
        let rest = &text[i + 1..];
        let run = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
            .count();
        if rest[run..]
            .chars()
            .next()
            .is_some_and(|n| n.is_alphanumeric() || is_mark(n) || matches!(n, '_' | '@'))
        {
            continue;
        }
        let handle = rest[..run].trim_end_matches('.');
        if is_valid_handle(handle) {
            spans.push(Span {
                start: i,
                end: i + 1 + handle.len(),
                kind: Kind::Mention(handle.to_ascii_lowercase()),
            });
        }
    }
    spans
}

fn tags(text: &str) -> Vec<Span> {
    let graphemes: Vec<(usize, &str)> = text.grapheme_indices(true).collect();
    let starts_with = |g: &str, f: fn(char) -> bool| g.chars().next().is_some_and(f);
    let offset = |k: usize| graphemes.get(k).map_or(text.len(), |&(at, _)| at);
    let mut spans = Vec::new();
    let mut k = 0;
    while k < graphemes.len() {
        let (start, g) = graphemes[k];
        let after_space = k == 0 || starts_with(graphemes[k - 1].1, opens_word);
        if !(after_space && (g == "#" || g == "＃")) {
            k += 1;
            continue;
        }
        let mut end = k + 1;
        while end < graphemes.len()
            && !starts_with(graphemes[end].1, |c| c.is_whitespace() || is_invisible(c))
        {
            end += 1;
        }
        let next = end.max(k + 1);
        while end > k + 1 && starts_with(graphemes[end - 1].1, is_punct) {
            end -= 1;
        }
        let tag = &text[start + g.len()..offset(end)];
        let meaningful = tag
            .chars()
            .any(|c| !c.is_numeric() && !is_punct(c) && !is_mark(c) && !c.is_whitespace());
        if meaningful && end - (k + 1) <= MAX_TAG_GRAPHEMES && tag.len() <= MAX_TAG_BYTES {
            spans.push(Span {
                start,
                end: offset(end),
                kind: Kind::Tag(tag.to_owned()),
            });
        }
        k = next;
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each facet as the text it covers (which also proves the offsets fall on character
    /// boundaries) and what it is.
    fn found(text: &str) -> Vec<(&str, Kind)> {
        detect(text)
            .into_iter()
            .map(|s| (&text[s.start..s.end], s.kind))
            .collect()
    }

    fn link(u: &str) -> Kind {
        Kind::Link(u.to_owned())
    }
    fn mention(h: &str) -> Kind {
        Kind::Mention(h.to_owned())
    }
    fn tag(t: &str) -> Kind {
        Kind::Tag(t.to_owned())
    }

    #[test]
    fn links_leave_out_trailing_punctuation() {
        assert_eq!(
            found("Read https://example.org/a?b=1#c. Then http://x.example!"),
            vec![
                (
                    "https://example.org/a?b=1#c",
                    link("https://example.org/a?b=1#c")
                ),
                ("http://x.example", link("http://x.example")),
            ]
        );
        assert_eq!(
            found("(see https://example.org/page), or 'https://example.org/q?x=1';"),
            vec![
                ("https://example.org/page", link("https://example.org/page")),
                (
                    "https://example.org/q?x=1",
                    link("https://example.org/q?x=1")
                ),
            ]
        );
        let wiki = "https://en.wikipedia.org/wiki/Rust_(programming_language)";
        assert_eq!(
            found(&format!("{wiki}.")),
            vec![(wiki, link(wiki))],
            "balanced brackets stay"
        );
        assert_eq!(
            found("HTTPS://EXAMPLE.ORG/X and http://localhost:2583/xrpc"),
            vec![
                ("HTTPS://EXAMPLE.ORG/X", link("HTTPS://EXAMPLE.ORG/X")),
                (
                    "http://localhost:2583/xrpc",
                    link("http://localhost:2583/xrpc")
                ),
            ]
        );
    }

    #[test]
    fn not_links() {
        assert!(found("ftp://example.org mailto:a@b.c https:// http://./x").is_empty());
        assert!(found("xhttps://example.org").is_empty());
        assert!(found("https:///path").is_empty());
    }

    #[test]
    fn mentions_need_a_valid_handle() {
        assert_eq!(
            found("Hi @Alice.bsky.social and @bob.test."),
            vec![
                ("@Alice.bsky.social", mention("alice.bsky.social")),
                ("@bob.test", mention("bob.test")),
            ]
        );
        assert_eq!(
            found("(@carol.example) \"@dan.example\""),
            vec![
                ("@carol.example", mention("carol.example")),
                ("@dan.example", mention("dan.example")),
            ]
        );
        // An e-mail address, a bare name, a numeric TLD, a hyphen at a label's edge, a handle
        // glued to more word characters.
        assert!(
            found("mail me@example.org, @alice, @a.123, @-a.test, @a-.test, @a.test_x, @a.testé")
                .is_empty()
        );
    }

    #[test]
    fn hashtags() {
        assert_eq!(
            found("#rust is #1, #2024Goals and #fun! #_ #…"),
            vec![
                ("#rust", tag("rust")),
                ("#2024Goals", tag("2024Goals")),
                ("#fun", tag("fun")),
            ]
        );
        assert_eq!(found("a#b c#d"), vec![]);
        assert_eq!(found("＃全角"), vec![("＃全角", tag("全角"))]);
        // The keycap emoji is not a hashtag.
        assert_eq!(found("#\u{FE0F}\u{20E3} keycap"), vec![]);
        let long = format!("#{}", "a".repeat(65));
        assert!(found(&long).is_empty());
        let max = format!("#{}", "a".repeat(64));
        assert_eq!(found(&max).len(), 1);
        // A zero-width space ends the tag.
        assert_eq!(found("#one\u{200B}two"), vec![("#one", tag("one"))]);
    }

    #[test]
    fn hashtags_and_mentions_inside_links_are_not_facets() {
        let url = "https://example.org/#section";
        assert_eq!(found(url), vec![(url, link(url))]);
        let url = "https://example.org/@alice.test";
        assert_eq!(found(url), vec![(url, link(url))]);
        // Even a # that follows whitespace-less text inside a URL: the link wins.
        let text = "https://example.org/a?q=1 #tag";
        assert_eq!(
            found(text),
            vec![
                (
                    "https://example.org/a?q=1",
                    link("https://example.org/a?q=1")
                ),
                ("#tag", tag("tag")),
            ]
        );
    }

    #[test]
    fn emoji_offsets_are_bytes() {
        let text = "🦋 #tag 👨‍👩‍👧 @alice.test 🇳🇱 https://bsky.app/x";
        let spans = detect(text);
        // 🦋 is 4 bytes, the space 1: `#tag` starts at byte 5.
        assert_eq!((spans[0].start, spans[0].end), (5, 9));
        // The family is 18 bytes (three 4-byte people and two 3-byte joiners).
        assert_eq!(
            (spans[1].start, spans[1].end),
            (10 + 18 + 1, 10 + 18 + 1 + 11)
        );
        assert_eq!(
            found(text),
            vec![
                ("#tag", tag("tag")),
                ("@alice.test", mention("alice.test")),
                ("https://bsky.app/x", link("https://bsky.app/x")),
            ]
        );
        // An emoji ends a link, before or after it.
        assert_eq!(
            found("Feest!🎉https://example.org/a🎉 ➡️https://example.org/b"),
            vec![
                ("https://example.org/a", link("https://example.org/a")),
                ("https://example.org/b", link("https://example.org/b")),
            ]
        );
        // An emoji in a tag stays whole, joiners and all.
        assert_eq!(found("#family👨‍👩‍👧 ok"), vec![("#family👨‍👩‍👧", tag("family👨‍👩‍👧"))]);
        assert_eq!(found("#🦋"), vec![("#🦋", tag("🦋"))]);
    }

    #[test]
    fn combining_characters_stay_whole() {
        // "café" with a combining acute accent, and a Vietnamese word with stacked marks.
        let text = "#cafe\u{301}. #Vie\u{302}\u{323}t https://example.org/cafe\u{301}";
        assert_eq!(
            found(text),
            vec![
                ("#cafe\u{301}", tag("cafe\u{301}")),
                ("#Vie\u{302}\u{323}t", tag("Vie\u{302}\u{323}t")),
                (
                    "https://example.org/cafe\u{301}",
                    link("https://example.org/cafe\u{301}")
                ),
            ]
        );
        let spans = detect(text);
        assert_eq!((spans[0].start, spans[0].end), (0, 7));
    }

    #[test]
    fn cjk() {
        let text = "東京へ行きました。#旅行 写真はhttps://example.jp/写真。@yuki.example 見てね";
        assert_eq!(
            found(text),
            vec![
                ("#旅行", tag("旅行")),
                ("https://example.jp/写真", link("https://example.jp/写真")),
                ("@yuki.example", mention("yuki.example")),
            ],
            "the ideographic full stop opens a tag or mention and ends a link"
        );
        let spans = detect(text);
        // Nine CJK characters of 3 bytes each before `#`.
        assert_eq!(spans[0].start, 27);
        assert_eq!(spans[0].end, 27 + 1 + 6);
        assert_eq!(
            found("日本語 #日本語。 @yuki.example、"),
            vec![
                ("#日本語", tag("日本語")),
                ("@yuki.example", mention("yuki.example")),
            ]
        );
    }

    #[test]
    fn arabic() {
        let text = "مرحبا @salma.example #السلام_عليكم، انظر https://example.com/ar؟";
        assert_eq!(
            found(text),
            vec![
                ("@salma.example", mention("salma.example")),
                ("#السلام_عليكم", tag("السلام_عليكم")),
                ("https://example.com/ar", link("https://example.com/ar")),
            ]
        );
        let spans = detect(text);
        // Five Arabic letters of 2 bytes and a space.
        assert_eq!(spans[0].start, 11);
        // Arabic-Indic digits only are no tag.
        assert!(found("#٢٠٢٤").is_empty());
    }

    #[test]
    fn dutch() {
        let text = "Één blik op https://nos.nl/artikel/123-ĳsselmeer. Groetjes van @jan.example.nl \
                    #Ĳsselmeer #zeeën";
        assert_eq!(
            found(text),
            vec![
                (
                    "https://nos.nl/artikel/123-ĳsselmeer",
                    link("https://nos.nl/artikel/123-ĳsselmeer")
                ),
                ("@jan.example.nl", mention("jan.example.nl")),
                ("#Ĳsselmeer", tag("Ĳsselmeer")),
                ("#zeeën", tag("zeeën")),
            ]
        );
        // "Één " is É (2) é (2) n (1) space (1): "blik" at 6, the link at 14.
        assert_eq!(detect(text)[0].start, 14);
    }

    #[test]
    fn facet_json() {
        let text = "@alice.test @nobody.test #x https://a.example";
        let spans = detect(text);
        assert_eq!(mentioned_handles(&spans), vec!["alice.test", "nobody.test"]);
        assert_eq!(first_link(&spans), Some("https://a.example"));
        let facets = to_json(&spans, |h| {
            (h == "alice.test").then(|| "did:plc:alice".to_owned())
        });
        assert_eq!(
            facets,
            vec![
                json!({"index": {"byteStart": 0, "byteEnd": 11}, "features": [
                    {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:alice"}]}),
                json!({"index": {"byteStart": 25, "byteEnd": 27}, "features": [
                    {"$type": "app.bsky.richtext.facet#tag", "tag": "x"}]}),
                json!({"index": {"byteStart": 28, "byteEnd": 45}, "features": [
                    {"$type": "app.bsky.richtext.facet#link", "uri": "https://a.example"}]}),
            ],
            "the unresolved mention has no facet"
        );
    }

    #[test]
    fn any_text_gives_ordered_facets_on_character_boundaries() {
        let pieces = [
            "#",
            "＃",
            "@",
            "a.test",
            "https://",
            "http://",
            "x.org",
            "/",
            ".",
            ")",
            "(",
            " ",
            "\n",
            "é",
            "e\u{301}",
            "🦋",
            "👨‍👩‍👧",
            "\u{FE0F}",
            "\u{20E3}",
            "\u{200B}",
            "東京",
            "。",
            "مرحبا",
            "،",
            "ĳ",
            "1",
            "_",
            "-",
            "'",
            "\"",
        ];
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..12 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            let spans = detect(&text);
            let mut last = 0;
            for span in &spans {
                assert!(
                    span.start >= last && span.start < span.end,
                    "{text:?}: {spans:?}"
                );
                assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
                last = span.end;
            }
            let _ = to_json(&spans, |_| Some("did:plc:x".to_owned()));
        }
    }

    #[test]
    fn handles() {
        assert!(is_valid_handle("alice.bsky.social"));
        assert!(is_valid_handle("a.co"));
        assert!(is_valid_handle("xn--ls8h.test"));
        assert!(!is_valid_handle("alice"));
        assert!(!is_valid_handle("alice.1a"));
        assert!(!is_valid_handle("alice..test"));
        assert!(!is_valid_handle(&format!("{}.test", "a".repeat(64))));
    }
}
