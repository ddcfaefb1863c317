//! `multipart/form-data` bodies (RFC 7578), for uploads.
//!
//! A [`Form`] is written part by part, so that a connector can read one image, append it and
//! drop it before it reads the next. The boundary must occur in no part: check each with
//! [`clashes`] before appending it, and start over with the next attempt's [`boundary`] when it
//! does (with 64 bits of hash in the boundary, in practice never).

use memchr::memmem;

/// Room for the boundary and headers of a part (with short names).
const PART_OVERHEAD: usize = 256;

/// One field of a form.
pub struct Part<'a> {
    pub name: &'a str,
    /// A file's name and content type; `None` for a plain text field.
    pub file: Option<(&'a str, &'a str)>,
    pub data: &'a [u8],
}

/// A form being written.
pub struct Form {
    boundary: String,
    body: Vec<u8>,
}

impl Form {
    /// An empty form with room for `parts` parts holding `data_bytes` bytes in all, so that
    /// the body is allocated once (a growing vector would briefly need twice its size).
    pub fn new(boundary: &str, parts: usize, data_bytes: usize) -> Self {
        Self {
            boundary: boundary.to_owned(),
            body: Vec::with_capacity(data_bytes + (parts + 1) * PART_OVERHEAD),
        }
    }

    /// Appends a part. Its data must not contain the boundary (see [`clashes`]).
    pub fn part(&mut self, part: &Part) {
        let out = &mut self.body;
        let (filename, content_type) = part.file.unwrap_or_default();
        out.reserve_exact(
            part.data.len() + PART_OVERHEAD + part.name.len() + filename.len() + content_type.len(),
        );
        out.extend_from_slice(b"--");
        out.extend_from_slice(self.boundary.as_bytes());
        out.extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"");
        out.extend_from_slice(quoted(part.name).as_bytes());
        out.push(b'"');
        if let Some((filename, content_type)) = part.file {
            out.extend_from_slice(b"; filename=\"");
            out.extend_from_slice(quoted(filename).as_bytes());
            out.extend_from_slice(b"\"\r\nContent-Type: ");
            out.extend_from_slice(single_line(content_type).as_bytes());
        }
        out.extend_from_slice(b"\r\n\r\n");
        out.extend_from_slice(part.data);
        out.extend_from_slice(b"\r\n");
    }

    /// The `Content-Type` of this form.
    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// The whole body.
    pub fn finish(mut self) -> Vec<u8> {
        self.body.extend_from_slice(b"--");
        self.body.extend_from_slice(self.boundary.as_bytes());
        self.body.extend_from_slice(b"--\r\n");
        self.body
    }
}

/// The boundary of attempt `attempt` for a form seeded with `seed` (see [`seed`]).
pub fn boundary(seed: u64, attempt: u16) -> String {
    format!("heraut-{:016x}{attempt:04x}", mix(seed, u64::from(attempt)))
}

/// Whether `data` contains `boundary`, which would end its part early.
pub fn clashes(boundary: &str, data: &[u8]) -> bool {
    memmem::find(data, boundary.as_bytes()).is_some()
}

/// A seed for [`boundary`]: FNV-1a of `text`, mixed with `salt`.
pub fn seed(text: &str, salt: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix(h, salt)
}

/// A value for inside double quotes in a header: quotes percent-encoded as RFC 7578 says,
/// line breaks removed.
fn quoted(s: &str) -> String {
    single_line(s).replace('"', "%22")
}

fn single_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// A 64-bit mix (the finaliser of SplitMix64).
fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_with_a_file_and_a_field() {
        let mut form = Form::new("XYZ", 2, 17);
        form.part(&Part {
            name: "file",
            file: Some(("image-1.png", "image/png")),
            data: b"\x89PNG",
        });
        form.part(&Part {
            name: "description",
            file: None,
            data: "a cat, asleep".as_bytes(),
        });
        assert_eq!(form.content_type(), "multipart/form-data; boundary=XYZ");
        assert_eq!(
            form.finish(),
            b"--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"image-1.png\"\r\n\
              Content-Type: image/png\r\n\r\n\x89PNG\r\n\
              --XYZ\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\na cat, asleep\r\n\
              --XYZ--\r\n"
                .to_vec()
        );
    }

    #[test]
    fn the_body_is_allocated_once() {
        let image = vec![7u8; 100_000];
        let mut form = Form::new("XYZ", 2, image.len() + 5);
        form.part(&Part {
            name: "file",
            file: Some(("image-1.png", "image/png")),
            data: &image,
        });
        form.part(&Part {
            name: "description",
            file: None,
            data: b"a dot",
        });
        let body = form.finish();
        assert_eq!(body.capacity(), image.len() + 5 + 3 * PART_OVERHEAD);
        assert!(body.len() < body.capacity());
    }

    #[test]
    fn header_values_cannot_break_out_of_their_quotes_or_line() {
        let mut form = Form::new("B", 1, 0);
        form.part(&Part {
            name: "a\"b",
            file: Some(("x\r\ny.png", "image/png\r\nX-Evil: 1")),
            data: b"",
        });
        let text = String::from_utf8(form.finish()).unwrap_or_default();
        assert!(text.contains("name=\"a%22b\"; filename=\"x  y.png\""));
        assert!(text.contains("Content-Type: image/png  X-Evil: 1\r\n"));
    }

    #[test]
    fn each_attempt_has_another_boundary() {
        let seed = seed("key-1", 42);
        let first = boundary(seed, 0);
        assert!(first.starts_with("heraut-"));
        assert_eq!(first.len(), "heraut-".len() + 20);
        assert_eq!(first, boundary(seed, 0));
        assert_ne!(first, boundary(seed, 1));
        let data = format!("before{first}after");
        assert!(clashes(&first, data.as_bytes()));
        assert!(!clashes(&boundary(seed, 1), data.as_bytes()));
    }

    #[test]
    fn seeds_differ_by_key_and_salt() {
        assert_ne!(seed("a", 1), seed("b", 1));
        assert_ne!(seed("a", 1), seed("a", 2));
        assert_eq!(seed("a", 1), seed("a", 1));
    }
}
