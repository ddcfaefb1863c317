//! Access tokens: EdDSA (Ed25519) JWTs, the one pinned algorithm. `iss`, `aud`, `exp`, `nbf` and
//! `typ` are always checked; `kid` names the key so keys can rotate.

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// `typ` of access tokens (RFC 9068).
pub const ACCESS_TYP: &str = "at+jwt";
/// `typ` of the token between password and second factor.
pub const MFA_TYP: &str = "heraut-mfa+jwt";
/// Audience of access tokens.
pub const ACCESS_AUD: &str = "heraut-api";
/// Audience of MFA tokens.
pub const MFA_AUD: &str = "heraut-mfa";

/// Claims of both token kinds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// User id.
    pub sub: String,
    /// Session (refresh-token family) id; for MFA tokens, a one-off id.
    pub sid: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwtError {
    #[error("the signing key cannot be read: {0}")]
    Key(String),
    #[error("the token is not valid: {0}")]
    Invalid(String),
}

/// Signs and verifies tokens with one Ed25519 key.
#[derive(Clone)]
pub struct TokenKeys {
    kid: String,
    issuer: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// A new Ed25519 key as PKCS#8 PEM.
pub fn generate_key_pem() -> Result<String, JwtError> {
    let mut seed = [0u8; 32];
    seed.copy_from_slice(&crate::random::bytes(32));
    let key = SigningKey::from_bytes(&seed);
    key.to_pkcs8_pem(Default::default())
        .map(|pem| pem.to_string())
        .map_err(|e| JwtError::Key(e.to_string()))
}

impl TokenKeys {
    /// Loads a PKCS#8 PEM Ed25519 key. The key id is derived from the public key.
    pub fn from_pem(pem: &str, issuer: &str) -> Result<Self, JwtError> {
        let key = SigningKey::from_pkcs8_pem(pem).map_err(|e| JwtError::Key(e.to_string()))?;
        let der = key
            .to_pkcs8_der()
            .map_err(|e| JwtError::Key(e.to_string()))?;
        let public = key.verifying_key().to_bytes();
        let kid = hex::encode(&Sha256::digest(public)[..8]);
        Ok(Self {
            kid,
            issuer: issuer.to_owned(),
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            decoding: DecodingKey::from_ed_der(&public),
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Signs claims as a token of type `typ`.
    pub fn sign(&self, typ: &str, claims: &Claims) -> Result<String, JwtError> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(typ.to_owned());
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .map_err(|e| JwtError::Invalid(e.to_string()))
    }

    /// Verifies a token of type `typ` for audience `aud` at `now` (unix seconds).
    pub fn verify(&self, token: &str, typ: &str, aud: &str, now: i64) -> Result<Claims, JwtError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| JwtError::Invalid(e.to_string()))?;
        if header.alg != Algorithm::EdDSA {
            return Err(JwtError::Invalid(format!(
                "algorithm {:?} is not accepted",
                header.alg
            )));
        }
        if header.typ.as_deref() != Some(typ) {
            return Err(JwtError::Invalid("wrong token type".to_owned()));
        }
        if header.kid.as_deref() != Some(self.kid.as_str()) {
            return Err(JwtError::Invalid("unknown key id".to_owned()));
        }
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_audience(&[aud]);
        validation.set_issuer(&[self.issuer.as_str()]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        // Time is checked below against the caller's clock, not the library's.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.leeway = 0;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|e| JwtError::Invalid(e.to_string()))?;
        let claims = data.claims;
        const LEEWAY: i64 = 30;
        // No leeway on expiry: a token never lives longer than it says.
        if claims.exp <= now {
            return Err(JwtError::Invalid("the token has expired".to_owned()));
        }
        if claims.nbf > now + LEEWAY {
            return Err(JwtError::Invalid("the token is not valid yet".to_owned()));
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        let pem = generate_key_pem().unwrap_or_default();
        TokenKeys::from_pem(&pem, "heraut").unwrap_or_else(|e| panic!("{e}"))
    }

    fn claims(now: i64) -> Claims {
        Claims {
            iss: "heraut".into(),
            aud: ACCESS_AUD.into(),
            sub: "u".into(),
            sid: "s".into(),
            iat: now,
            nbf: now,
            exp: now + 600,
            jti: "j".into(),
        }
    }

    #[test]
    fn sign_verify_and_refusals() {
        let k = keys();
        let now = 1_800_000_000;
        let t = k.sign(ACCESS_TYP, &claims(now)).unwrap_or_default();
        assert_eq!(
            k.verify(&t, ACCESS_TYP, ACCESS_AUD, now).ok(),
            Some(claims(now))
        );
        assert!(k.verify(&t, ACCESS_TYP, ACCESS_AUD, now + 700).is_err());
        assert!(k.verify(&t, MFA_TYP, ACCESS_AUD, now).is_err());
        assert!(k.verify(&t, ACCESS_TYP, MFA_AUD, now).is_err());
        let other = keys();
        assert!(other.verify(&t, ACCESS_TYP, ACCESS_AUD, now).is_err());
    }

    #[test]
    fn hs256_with_public_key_is_refused() {
        let k = keys();
        let now = 1_800_000_000;
        let mut h = Header::new(Algorithm::HS256);
        h.typ = Some(ACCESS_TYP.into());
        h.kid = Some(k.kid().into());
        let forged = jsonwebtoken::encode(&h, &claims(now), &EncodingKey::from_secret(b"x"))
            .unwrap_or_default();
        assert!(k.verify(&forged, ACCESS_TYP, ACCESS_AUD, now).is_err());
    }
}
