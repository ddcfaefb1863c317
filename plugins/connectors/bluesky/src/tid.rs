//! The record key of a post: a TID derived from the post's idempotency key.
//!
//! A TID is a 64-bit integer (top bit zero: 53 bits of microseconds since the Unix epoch, then
//! 10 bits of clock id) written as 13 characters of the sortable base32 alphabet
//! `234567abcdefghijklmnopqrstuvwxyz`, most significant first. `app.bsky.feed.post` records
//! are keyed by TIDs. Deriving the key from the idempotency key, instead of from the clock,
//! makes publishing idempotent: a retried `createRecord` names the same record, so it can
//! never create a second one, and `find_published` can look the post up directly.
//!
//! **The derivation must never change**: a post published by an older version of this plugin
//! is found again only if the same key gives the same rkey.

use sha2::{Digest, Sha256};

/// The sortable base32 alphabet of TIDs.
const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// Domain separation, so that the rkey is not simply a SHA-256 anyone might compute for
/// another purpose from the same key. Part of the derivation: never change it.
const CONTEXT: &[u8] = b"heraut/bluesky/rkey/v1\n";

/// The record key of the post published with `idempotency_key`.
///
/// The first 8 bytes of `SHA-256(CONTEXT ‖ key)`, big-endian, keep their low 60 bits; bit 60
/// is set and bits 61–63 are cleared. The value has the TID's top bit zero and its timestamp
/// part (value >> 10, in microseconds) falls between 2005 and 2041, like the TIDs clients make
/// from their clocks, so the key starts with `3` as today's TIDs do. 60 bits of hash leave a collision between two posts of
/// one account at odds of about one in a billion billion.
pub fn rkey_for(idempotency_key: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(CONTEXT);
    hasher.update(idempotency_key.as_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let hashed = u64::from_be_bytes(first);
    encode((hashed & ((1 << 60) - 1)) | (1 << 60))
}

/// `value` as 13 base32 digits, most significant first (65 bits: the first digit carries the
/// top 4 bits of the value, so it is one of `2`…`j`).
pub fn encode(value: u64) -> String {
    (0..13u32)
        .rev()
        .map(|i| char::from(ALPHABET[((value >> (i * 5)) & 31) as usize]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `s` is a syntactically valid TID (13 digits, the first one of `2`…`j`).
    fn is_valid(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() == 13
            && b.iter().all(|c| ALPHABET.contains(c))
            && matches!(b[0], b'2'..=b'7' | b'a'..=b'j')
    }

    #[test]
    fn encodes_like_the_spec() {
        assert_eq!(encode(0), "2222222222222");
        // The largest TID (top bit zero) starts with `b`; `c`…`j` would need the 64th bit.
        assert_eq!(encode(u64::MAX >> 1), "bzzzzzzzzzzzz");
        assert_eq!(encode(1 << 60), "3222222222222");
        assert_eq!(encode(u64::MAX), "jzzzzzzzzzzzz");
        assert_eq!(encode(1), "2222222222223");
        assert_eq!(encode(32), "2222222222232");
    }

    #[test]
    fn rkeys_are_valid_stable_and_distinct() {
        let a = rkey_for("0191a0a0-0000-7000-8000-000000000001:1:chan");
        assert_eq!(a, rkey_for("0191a0a0-0000-7000-8000-000000000001:1:chan"));
        assert!(is_valid(&a), "{a}");
        assert!(a.starts_with('3'), "{a}");
        let b = rkey_for("0191a0a0-0000-7000-8000-000000000001:2:chan");
        assert_ne!(a, b);
        assert!(is_valid(&b));
        for key in ["", "x", "ü🦋", &"k".repeat(10_000)] {
            let r = rkey_for(key);
            assert!(is_valid(&r) && r.starts_with('3'), "{key:?} → {r}");
        }
    }

    #[test]
    fn the_derivation_never_changes() {
        // Pinned: a change here would lose every post published before it.
        assert_eq!(rkey_for("heraut"), rkey_for("heraut"));
        let pinned = rkey_for("post-1:1:channel-1");
        assert_eq!(pinned.len(), 13);
        assert_eq!(pinned, PINNED);
    }

    /// Computed independently (Python's hashlib) and kept.
    const PINNED: &str = "3vlfoddubffjy";

    #[test]
    fn validity() {
        assert!(is_valid("3jzfcijpj2z2a"));
        assert!(!is_valid("3jzfcijpj2z2"));
        assert!(!is_valid("kjzfcijpj2z2a"));
        assert!(!is_valid("3jzfcijpj2z21"));
        assert!(!is_valid("3JZFCIJPJ2Z2A"));
    }
}
