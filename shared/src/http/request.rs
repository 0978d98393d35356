//! Reading what a request carries besides its body.

use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt};

use crate::error::ApiError;

/// The largest JSON body any operation accepts (a registration with houses fits many times over).
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

/// The caller's IP as API Gateway saw the connection (never a client-supplied header).
pub fn client_ip(req: &Request) -> String {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
        _ => None,
    }
    .unwrap_or_else(|| "unknown".to_owned())
}

/// The part of a client address that one client controls: the address itself for IPv4, the /64
/// network for IPv6 (a single host can use any address in its /64).
pub fn client_network(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_default(),
        _ => ip.to_owned(),
    }
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer_token(req: &Request) -> Option<&str> {
    let value = req
        .headers()
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

/// A path parameter of the route (`{name}` in `template.yaml`).
pub fn path_param(req: &Request, name: &str) -> Result<String, ApiError> {
    req.path_parameters_ref()
        .and_then(|p| p.first(name))
        .map(str::to_owned)
        .ok_or(ApiError::NotFound)
}

/// A query-string parameter, if present.
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters_ref()
        .and_then(|q| q.first(name))
        .map(str::to_owned)
}

/// The body as bytes, refusing anything over `MAX_JSON_BODY_BYTES`.
pub fn body_bytes(req: &Request) -> Result<&[u8], ApiError> {
    let bytes: &[u8] = match req.body() {
        Body::Empty => &[],
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    };
    if bytes.len() > MAX_JSON_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_auth(value: &str) -> Request {
        http::Request::builder()
            .header("authorization", value)
            .body(Body::Empty)
            .unwrap()
    }

    #[test]
    fn bearer_tokens() {
        assert_eq!(bearer_token(&with_auth("Bearer abc.def")), Some("abc.def"));
        assert_eq!(bearer_token(&with_auth("bearer  abc")), Some("abc"));
        assert_eq!(bearer_token(&with_auth("Basic abc")), None);
        assert_eq!(bearer_token(&with_auth("Bearer ")), None);
    }

    #[test]
    fn ipv6_clients_are_limited_by_their_64_network() {
        assert_eq!(client_network("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(client_network("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
        assert_eq!(client_network("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(client_network("203.0.113.9"), "203.0.113.9");
    }

    #[test]
    fn oversized_bodies_are_refused() {
        let big = http::Request::builder()
            .body(Body::Text("x".repeat(MAX_JSON_BODY_BYTES + 1)))
            .unwrap();
        assert_eq!(body_bytes(&big).unwrap_err(), ApiError::PayloadTooLarge);
    }
}
