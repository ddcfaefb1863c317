//! Secrets at rest: XChaCha20-Poly1305 under a key that never lives in the database. The
//! associated data binds each ciphertext to its table, column and row, so a value copied to
//! another row or tenant does not decrypt. Every value carries its key id so keys can rotate.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::collections::HashMap;

const NONCE_LEN: usize = 24;

/// Where a value is stored; becomes the associated data.
pub struct Binding<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row: &'a str,
}

impl Binding<'_> {
    fn aad(&self) -> Vec<u8> {
        format!("heraut:{}:{}:{}", self.table, self.column, self.row).into_bytes()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("the key must be 32 bytes written as 64 hex digits")]
    BadKey,
    #[error("the stored value is not in the `key_id:base64` form")]
    Malformed,
    #[error("no key with id `{0}` is configured")]
    UnknownKey(String),
    #[error("the stored value does not decrypt: wrong key, or it was moved or changed")]
    Decrypt,
}

/// The keys in use: one current key for encryption, older ones still accepted for decryption.
#[derive(Clone)]
pub struct SecretBox {
    current: String,
    keys: HashMap<String, XChaCha20Poly1305>,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretBox")
            .field("current", &self.current)
            .finish_non_exhaustive()
    }
}

impl SecretBox {
    /// One key, given as 64 hex digits, with its id.
    pub fn new(key_id: &str, key_hex: &str) -> Result<Self, CryptoError> {
        let mut keys = HashMap::new();
        keys.insert(key_id.to_owned(), cipher(key_hex)?);
        Ok(Self {
            current: key_id.to_owned(),
            keys,
        })
    }

    /// Adds an older key that can still decrypt.
    pub fn with_old_key(mut self, key_id: &str, key_hex: &str) -> Result<Self, CryptoError> {
        self.keys.insert(key_id.to_owned(), cipher(key_hex)?);
        Ok(self)
    }

    pub fn current_key_id(&self) -> &str {
        &self.current
    }

    /// Encrypts to `key_id:base64(nonce ‖ ciphertext)`.
    pub fn seal(&self, plaintext: &[u8], binding: &Binding<'_>) -> Result<String, CryptoError> {
        let cipher = self
            .keys
            .get(&self.current)
            .ok_or_else(|| CryptoError::UnknownKey(self.current.clone()))?;
        let nonce_bytes = crate::random::bytes(NONCE_LEN);
        let nonce = XNonce::from_slice(&nonce_bytes);
        let aad = binding.aad();
        let ct = cipher
            .encrypt(
                nonce,
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| CryptoError::Decrypt)?;
        let mut blob = nonce_bytes;
        blob.extend_from_slice(&ct);
        Ok(format!("{}:{}", self.current, STANDARD_NO_PAD.encode(blob)))
    }

    /// Decrypts a value made by [`SecretBox::seal`] for the same binding.
    pub fn open(&self, stored: &str, binding: &Binding<'_>) -> Result<Vec<u8>, CryptoError> {
        let (key_id, b64) = stored.split_once(':').ok_or(CryptoError::Malformed)?;
        let cipher = self
            .keys
            .get(key_id)
            .ok_or_else(|| CryptoError::UnknownKey(key_id.to_owned()))?;
        let blob = STANDARD_NO_PAD
            .decode(b64)
            .map_err(|_| CryptoError::Malformed)?;
        if blob.len() < NONCE_LEN {
            return Err(CryptoError::Malformed);
        }
        let (nonce, ct) = blob.split_at(NONCE_LEN);
        let aad = binding.aad();
        cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
            .map_err(|_| CryptoError::Decrypt)
    }

    /// True when the value was sealed under an older key and should be re-encrypted.
    pub fn is_stale(&self, stored: &str) -> bool {
        stored
            .split_once(':')
            .is_none_or(|(id, _)| id != self.current)
    }
}

fn cipher(key_hex: &str) -> Result<XChaCha20Poly1305, CryptoError> {
    let key = hex::decode(key_hex.trim()).map_err(|_| CryptoError::BadKey)?;
    if key.len() != 32 {
        return Err(CryptoError::BadKey);
    }
    XChaCha20Poly1305::new_from_slice(&key).map_err(|_| CryptoError::BadKey)
}

/// A new random key as 64 hex digits.
pub fn new_key_hex() -> String {
    hex::encode(crate::random::bytes(32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(row: &str) -> Binding<'_> {
        Binding {
            table: "users",
            column: "totp_secret",
            row,
        }
    }

    #[test]
    fn round_trip_and_binding() {
        let sb = SecretBox::new("k1", &new_key_hex()).unwrap_or_else(|_| unreachable!());
        let sealed = sb.seal(b"secret", &b("row-1")).unwrap_or_default();
        assert!(sealed.starts_with("k1:"));
        assert_eq!(
            sb.open(&sealed, &b("row-1")).ok().as_deref(),
            Some(&b"secret"[..])
        );
        assert_eq!(sb.open(&sealed, &b("row-2")), Err(CryptoError::Decrypt));
    }

    #[test]
    fn rotation_keeps_old_values_readable() {
        let old = new_key_hex();
        let sb1 = SecretBox::new("k1", &old).unwrap_or_else(|_| unreachable!());
        let sealed = sb1.seal(b"x", &b("r")).unwrap_or_default();
        let sb2 = SecretBox::new("k2", &new_key_hex())
            .and_then(|s| s.with_old_key("k1", &old))
            .unwrap_or_else(|_| unreachable!());
        assert!(sb2.is_stale(&sealed));
        assert_eq!(sb2.open(&sealed, &b("r")).ok().as_deref(), Some(&b"x"[..]));
    }
}
