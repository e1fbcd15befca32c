//! Per-IP rate limiting of the login and code endpoints: a token bucket per
//! address, in memory, in front of the facade's per-account throttle.
//!
//! The facade's throttle protects one account from many guesses; this protects
//! the server (and every account at once) from one address guessing across
//! many accounts, and keeps Argon2id work bounded per address.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::App;
use crate::pages::{self, ErrorPage};

/// Token buckets by IP address.
#[derive(Debug)]
pub(crate) struct RateLimit {
    burst: f64,
    refill: Duration,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// More addresses than this and full buckets are dropped (a full bucket is the
/// same as no bucket), so the map stays bounded under a spray of addresses.
const MAX_TRACKED: usize = 100_000;

impl RateLimit {
    pub(crate) fn new(burst: u32, refill_seconds: u64) -> Self {
        Self {
            burst: f64::from(burst.max(1)),
            refill: Duration::from_secs(refill_seconds.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `ip`; `Err` with the seconds until the next one.
    pub(crate) fn take(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_TRACKED {
            let (burst, refill) = (self.burst, self.refill);
            buckets.retain(|_, b| refilled(*b, burst, refill, now) < burst);
        }
        let bucket = buckets.entry(ip).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        bucket.tokens = refilled(*bucket, self.burst, self.refill, now);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) * self.refill.as_secs_f64();
            // A wait of a few seconds: far inside u64, never negative.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Err(wait.ceil() as u64)
        }
    }
}

fn refilled(bucket: Bucket, burst: f64, refill: Duration, now: Instant) -> f64 {
    let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
    (bucket.tokens + elapsed / refill.as_secs_f64()).min(burst)
}

/// The middleware on the login and code routes: POSTs spend a token of the
/// client's address; without one, 429 and a `Retry-After`.
pub(crate) async fn layer(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    if request.method() != axum::http::Method::POST {
        return next.run(request).await;
    }
    // The peer address of the TCP connection. Behind a reverse proxy this is
    // the proxy: a deployment there puts its own limit in the proxy.
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    match app.limit.take(ip, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            tracing::warn!(%ip, "rate limited");
            let mut response = pages::render(
                StatusCode::TOO_MANY_REQUESTS,
                &ErrorPage::new(format!(
                    "Too many attempts from your address. Try again in {}.",
                    pages::count(wait, "second")
                )),
            );
            if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_token_per_refill() {
        let limit = RateLimit::new(3, 10);
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let other = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limit.take(ip, t0).is_ok());
        }
        assert_eq!(limit.take(ip, t0), Err(10));
        assert!(limit.take(other, t0).is_ok(), "buckets are per address");
        assert_eq!(limit.take(ip, t0 + Duration::from_secs(4)), Err(6));
        assert!(limit.take(ip, t0 + Duration::from_secs(11)).is_ok());
        assert!(limit.take(ip, t0 + Duration::from_secs(11)).is_err());
    }

    #[test]
    fn a_full_table_forgets_the_full_buckets_and_keeps_the_drained_ones() {
        let limit = RateLimit::new(3, 10);
        let t0 = Instant::now();
        let drained = IpAddr::V4(Ipv4Addr::LOCALHOST);
        for _ in 0..3 {
            assert!(limit.take(drained, t0).is_ok());
        }
        // One token each from the rest of the table's addresses.
        let sprayed = (1..MAX_TRACKED)
            .map(|i| IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + u32::try_from(i).unwrap())));
        for ip in sprayed {
            assert!(limit.take(ip, t0).is_ok());
        }
        let tracked = || limit.buckets.lock().unwrap().len();
        assert_eq!(tracked(), MAX_TRACKED);
        // Ten seconds on, the sprayed buckets are full again and the drained one
        // holds one token: a new address drops the full ones, and only them.
        let t1 = t0 + Duration::from_secs(10);
        assert!(
            limit
                .take(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), t1)
                .is_ok()
        );
        assert_eq!(tracked(), 2, "the drained bucket and the new one");
        assert!(limit.take(drained, t1).is_ok());
        assert_eq!(limit.take(drained, t1), Err(10), "still limited");
    }
}
