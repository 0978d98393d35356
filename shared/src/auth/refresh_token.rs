//! Refresh tokens: what keeps a session going past its 15-minute access tokens. Opaque to the
//! app: `<account id>.<session id>.<secret>`, the secret 256 random bits. Only a keyed hash of the
//! token, bound to its account, session and device, is stored; each refresh spends the token and
//! hands out the next ([`crate::services::sessions::refresh`]).

use crate::crypto::{base64url_decode, keyed_hash, random_token};

/// A refresh token as the app shows it back.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub account_id: String,
    pub session_id: String,
    secret: String,
}

impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshToken")
            .field("account_id", &self.account_id)
            .field("session_id", &self.session_id)
            .finish_non_exhaustive()
    }
}

/// Bytes of randomness in a token's secret.
const SECRET_BYTES: usize = 32;

impl RefreshToken {
    /// A fresh token for the session.
    pub fn generate(account_id: &str, session_id: &str) -> Self {
        Self {
            account_id: account_id.to_owned(),
            session_id: session_id.to_owned(),
            secret: random_token(SECRET_BYTES),
        }
    }

    /// The token `text` stands for, if it has a token's shape (whether it is a live one is for
    /// the session to say).
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().split('.');
        let (account_id, session_id, secret) = (parts.next()?, parts.next()?, parts.next()?);
        let account_id_ok = (1..=64).contains(&account_id.len())
            && account_id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b'-');
        let secret_ok = base64url_decode(secret).is_some_and(|bytes| bytes.len() == SECRET_BYTES);
        let session_ok =
            (1..=64).contains(&session_id.len()) && base64url_decode(session_id).is_some();
        (parts.next().is_none() && account_id_ok && session_ok && secret_ok).then(|| Self {
            account_id: account_id.to_owned(),
            session_id: session_id.to_owned(),
            secret: secret.to_owned(),
        })
    }

    /// What the app is given.
    pub fn expose(&self) -> String {
        format!("{}.{}.{}", self.account_id, self.session_id, self.secret)
    }

    /// The stored form: keyed, and bound to the account, session and device it was issued for.
    pub fn hash(&self, key: &[u8], device_hash: &str) -> String {
        keyed_hash(
            key,
            "refresh-token",
            &[
                &self.account_id,
                &self.session_id,
                device_hash,
                &self.secret,
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_parses_back_and_its_secret_has_256_bits() {
        let token = RefreshToken::generate("0196b0a4-7c2e-7a51-9d3e-5b1f2c3d4e5f", "c2Vzc2lvbg");
        let text = token.expose();
        assert_eq!(RefreshToken::parse(&text), Some(token.clone()));
        let secret = text.rsplit('.').next().unwrap();
        assert_eq!(base64url_decode(secret).unwrap().len(), 32);
        assert!(!format!("{token:?}").contains(secret));
    }

    #[test]
    fn anything_else_is_no_token() {
        let good = RefreshToken::generate("abc-123", "c2Vzc2lvbg").expose();
        for bad in [
            "",
            "a.b",
            "a.b.c.d",
            &format!("{good}.x"),
            &good.replacen("abc", "xyz", 1),
            &good[..good.len() - 2],
        ] {
            assert_eq!(RefreshToken::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_hash_depends_on_the_device_and_the_secret() {
        let key = [7u8; 32];
        let a = RefreshToken::generate("abc", "c2Vzc2lvbg");
        let b = RefreshToken::generate("abc", "c2Vzc2lvbg");
        assert_ne!(a.hash(&key, "d1"), a.hash(&key, "d2"));
        assert_ne!(a.hash(&key, "d1"), b.hash(&key, "d1"));
        assert_eq!(a.hash(&key, "d1"), a.hash(&key, "d1"));
    }
}
