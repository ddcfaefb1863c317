//! What keeps a post from going out on Bluesky, checked before it is submitted.

use heraut_plugin_sdk::{Draft, Problem};
use unicode_segmentation::UnicodeSegmentation;

/// Longest text, in graphemes (what Bluesky counts and shows).
pub const MAX_GRAPHEMES: usize = 300;
/// Longest text, in UTF-8 bytes (the lexicon's second limit, which 300 graphemes of long
/// emoji sequences can pass).
pub const MAX_TEXT_BYTES: usize = 3000;
/// Most images per post.
pub const MAX_IMAGES: usize = 4;
/// Largest image, in bytes.
pub const MAX_IMAGE_BYTES: u64 = 1_000_000;
/// Longest alt text, in characters.
pub const MAX_ALT_CHARS: usize = 2000;

/// The text's length as Bluesky counts it.
pub fn graphemes(text: &str) -> usize {
    text.graphemes(true).count()
}

/// Whether a media type is an image Bluesky takes.
pub fn is_image(mime_type: &str) -> bool {
    mime_type
        .trim()
        .to_ascii_lowercase()
        .strip_prefix("image/")
        .is_some_and(|sub| !sub.is_empty())
}

fn problem(field: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        field: field.into(),
        message: message.into(),
    }
}

/// The problems of `post`, each for a person to fix.
pub fn problems(post: &Draft) -> Vec<Problem> {
    let mut problems = Vec::new();
    let count = graphemes(&post.body);
    if count > MAX_GRAPHEMES {
        problems.push(problem(
            "body",
            format!("Bluesky allows {MAX_GRAPHEMES} characters; this text has {count}"),
        ));
    } else if post.body.len() > MAX_TEXT_BYTES {
        problems.push(problem(
            "body",
            format!(
                "Bluesky allows {MAX_TEXT_BYTES} bytes of text; this text has {} (long emoji \
                 sequences take many bytes each)",
                post.body.len()
            ),
        ));
    }
    if post.body.trim().is_empty() && post.media.is_empty() {
        problems.push(problem("body", "write some text or add an image"));
    }
    if post.media.len() > MAX_IMAGES {
        problems.push(problem(
            "media",
            format!(
                "Bluesky allows {MAX_IMAGES} images; this post has {}",
                post.media.len()
            ),
        ));
    }
    for (i, m) in post.media.iter().enumerate() {
        let n = i + 1;
        if !is_image(&m.mime_type) {
            problems.push(problem(
                "media",
                format!(
                    "image {n} is `{}`: this connector posts images only",
                    m.mime_type
                ),
            ));
        } else if m.size > MAX_IMAGE_BYTES {
            problems.push(problem(
                "media",
                format!(
                    "image {n} is {} bytes; Bluesky takes images of at most {MAX_IMAGE_BYTES} \
                     bytes (1 MB)",
                    m.size
                ),
            ));
        }
        let alt = m.alt_text.chars().count();
        if m.alt_text.trim().is_empty() {
            problems.push(problem(
                format!("media.{i}.alt-text"),
                "describe the image in its alt text, for people who cannot see it",
            ));
        } else if alt > MAX_ALT_CHARS {
            problems.push(problem(
                format!("media.{i}.alt-text"),
                format!("Bluesky allows {MAX_ALT_CHARS} characters of alt text; this has {alt}"),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use heraut_plugin_sdk::Media;

    fn image(size: u64, alt: &str) -> Media {
        Media {
            id: "m".into(),
            mime_type: "image/jpeg".into(),
            alt_text: alt.into(),
            size,
        }
    }

    fn fields(body: &str, media: Vec<Media>) -> Vec<String> {
        problems(&Draft {
            options: heraut_plugin_sdk::no_options(),
            body: body.into(),
            media,
        })
        .into_iter()
        .map(|p| p.field)
        .collect()
    }

    #[test]
    fn the_text_is_counted_in_graphemes() {
        // 100 family emoji and 200 accented letters: 300 graphemes, but 900 characters.
        let families = "👨‍👩‍👧".repeat(100) + &"e\u{301}".repeat(200);
        assert_eq!(graphemes(&families), 300);
        assert!(families.chars().count() > 300);
        assert!(fields(&families, vec![]).is_empty());
        assert_eq!(fields(&(families + "!"), vec![]), vec!["body"]);
        // Dutch, CJK and Arabic: one grapheme per letter.
        assert_eq!(graphemes("ĳsselmeer"), 9);
        assert_eq!(graphemes("東京"), 2);
        assert_eq!(graphemes("مرحبا"), 5);
        assert_eq!(graphemes("🇳🇱"), 1);
    }

    #[test]
    fn too_many_bytes() {
        // 300 graphemes of 25 bytes each.
        let long = "👨‍👩‍👧‍👦".repeat(300);
        assert_eq!(graphemes(&long), 300);
        let p = problems(&Draft {
            options: heraut_plugin_sdk::no_options(),
            body: long,
            media: vec![],
        });
        assert_eq!(p.len(), 1);
        assert!(p[0].message.contains("3000 bytes"), "{}", p[0].message);
    }

    #[test]
    fn an_empty_post() {
        assert_eq!(fields("  ", vec![]), vec!["body"]);
        assert!(fields("", vec![image(10, "a cat")]).is_empty());
    }

    #[test]
    fn images() {
        assert!(fields("x", vec![image(1_000_000, "ok"); 4]).is_empty());
        assert_eq!(fields("x", vec![image(1, "ok"); 5]), vec!["media"]);
        assert_eq!(fields("x", vec![image(1_000_001, "ok")]), vec!["media"]);
        let video = Media {
            mime_type: "video/mp4".into(),
            ..image(1, "ok")
        };
        assert_eq!(fields("x", vec![video]), vec!["media"]);
    }

    #[test]
    fn alt_text() {
        assert_eq!(
            fields("x", vec![image(1, "ok"), image(1, " ")]),
            vec!["media.1.alt-text"]
        );
        assert!(fields("x", vec![image(1, &"é".repeat(2000))]).is_empty());
        assert_eq!(
            fields("x", vec![image(1, &"é".repeat(2001))]),
            vec!["media.0.alt-text"]
        );
    }
}
