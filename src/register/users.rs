//! Accounts of the register: [`Role`]s, new tokens (256 random bits from the OS) and their
//! SHA-256, which is all the register keeps. A fast hash is right for long random tokens
//! checked on every request (nothing to guess); the comparison is constant-time
//! ([`matching_user`]).

use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What an account may do: editors edit plots; admins also reload data, read the whole
/// audit trail and manage users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Editor,
    Admin,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        match name {
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        Role::from_name(s).ok_or_else(|| format!("unknown role {s:?}: editor or admin"))
    }
}

/// An account: its name, role and the SHA-256 of its token (the token itself is never kept).
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub name: String,
    pub role: Role,
    #[serde(skip)]
    pub token_sha256: [u8; 32],
    pub created_at: String,
}

/// Why no token could be made.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random number generator failed: {0}")]
pub struct RngError(String);

/// A new token: 32 bytes from the OS RNG, as 64 hex digits.
pub fn new_token() -> Result<String, RngError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| RngError(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The user whose token this is: every user's hash is compared, each in constant time.
pub fn matching_user<'a>(users: &'a [User], token: &str) -> Option<&'a User> {
    let hash = token_hash(token);
    let mut found = None;
    for user in users {
        if bool::from(user.token_sha256.ct_eq(&hash)) {
            found = Some(user);
        }
    }
    found
}

/// Whether a user name is acceptable: 1–64 letters, digits, `.`, `_`, `-`, `@`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_found_by_their_hash_only() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        let users = vec![User {
            name: "ana".into(),
            role: Role::Editor,
            token_sha256: token_hash(&a),
            created_at: String::new(),
        }];
        assert_eq!(
            matching_user(&users, &a).map(|u| u.name.as_str()),
            Some("ana")
        );
        assert!(matching_user(&users, &b).is_none());
        assert!(matching_user(&users, "").is_none());
    }
}
