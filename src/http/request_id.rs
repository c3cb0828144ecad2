//! Request ids: [`set_request_id`] gives each request without an `x-request-id` of its own
//! a random (version 4) UUID; `tower_http`'s `PropagateRequestIdLayer` returns it on the
//! response, and the tracing span records it.
//!
//! This replaces `tower_http`'s `SetRequestIdLayer` with `MakeRequestUuid`, which on every
//! request asked the operating system for randomness, formatted through a `String` and
//! stored a `RequestId` extension nothing reads. These ids only correlate a response with
//! its log lines, so a per-thread SipHash stream under random keys (`RandomState`, seeded
//! from the OS once per thread) is random enough; the text is written on the stack, and the
//! header's bytes are shared (not copied) when propagated to the response.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

use axum::body::Bytes;
use axum::http::{HeaderName, HeaderValue, Request};

/// The request id header, in requests and responses.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Gives the request a fresh id unless the client sent one.
pub fn set_request_id<B>(mut request: Request<B>) -> Request<B> {
    if !request.headers().contains_key(&REQUEST_ID) {
        request.headers_mut().insert(REQUEST_ID, fresh_id());
    }
    request
}

/// A new random UUID (version 4, RFC 9562) as a header value.
fn fresh_id() -> HeaderValue {
    let text = Bytes::from_owner(hyphenated(random_uuid_bytes()));
    // Hex digits and hyphens: always a valid header value.
    HeaderValue::from_maybe_shared(text).unwrap_or_else(|_| HeaderValue::from_static("-"))
}

thread_local! {
    /// This thread's keys and how many ids it has made.
    static STREAM: (RandomState, Cell<u64>) = (RandomState::new(), Cell::new(0));
}

/// 16 random bytes with the version (4) and variant (10xx) bits of a random UUID.
fn random_uuid_bytes() -> [u8; 16] {
    let (high, low) = STREAM.with(|(keys, count)| {
        let n = count.get();
        count.set(n.wrapping_add(1));
        (keys.hash_one((n, 0u8)), keys.hash_one((n, 1u8)))
    });
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&high.to_be_bytes());
    bytes[8..].copy_from_slice(&low.to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    bytes
}

/// The 8-4-4-4-12 lower-case hexadecimal form.
fn hyphenated(bytes: [u8; 16]) -> [u8; 36] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = [b'-'; 36];
    let mut at = 0;
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            at += 1;
        }
        text[at] = HEX[usize::from(byte >> 4)];
        text[at + 1] = HEX[usize::from(byte & 0x0f)];
        at += 2;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn make() -> String {
        let request = set_request_id(Request::new(()));
        request.headers()[REQUEST_ID].to_str().unwrap().to_string()
    }

    #[test]
    fn a_client_id_is_kept() {
        let request = Request::builder()
            .header("x-request-id", "client-chosen")
            .body(())
            .unwrap();
        assert_eq!(
            set_request_id(request).headers()[REQUEST_ID],
            "client-chosen"
        );
    }

    #[test]
    fn ids_are_version_4_uuids_in_canonical_form() {
        for _ in 0..100 {
            let id = make();
            let groups: Vec<&str> = id.split('-').collect();
            let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
            assert_eq!(lengths, [8, 4, 4, 4, 12], "{id}");
            assert!(id
                .bytes()
                .all(|b| b == b'-' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
            assert!(groups[2].starts_with('4'), "version nibble: {id}");
            assert!("89ab".contains(&groups[3][..1]), "variant bits: {id}");
        }
    }

    #[test]
    fn ids_differ_across_requests_and_threads() {
        let mut seen: HashSet<String> = (0..10_000).map(|_| make()).collect();
        let other = std::thread::spawn(|| (0..10_000).map(|_| make()).collect::<Vec<_>>());
        for id in other.join().unwrap() {
            assert!(seen.insert(id), "an id came twice");
        }
        assert_eq!(seen.len(), 20_000);
    }
}
