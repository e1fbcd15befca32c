//! A minimal HTTP/1.1 client of the portal over real TCP, for the tests and
//! the load example: one connection per request (`Connection: close`), from a
//! chosen loopback source address (127.0.0.0/8 is all loopback on Linux, so
//! each simulated person gets their own address and their own per-IP rate
//! limit bucket), the session cookie and CSRF token carried by hand.
#![allow(dead_code, unreachable_pub)]

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// An answer: status, headers and body as text.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Answer {
    fn parse(raw: &[u8]) -> Result<Self, String> {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text
            .split_once("\r\n\r\n")
            .ok_or_else(|| format!("no end of headers in {text:?}"))?;
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("no status in {head:?}"))?;
        Ok(Self {
            status,
            head: head.to_owned(),
            body: body.to_owned(),
        })
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(": ")?;
            k.eq_ignore_ascii_case(name).then_some(v)
        })
    }

    /// The `name=value` of the session cookie this answer set, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(": ")?;
            if !k.eq_ignore_ascii_case("set-cookie") {
                return None;
            }
            let pair = v.split(';').next()?;
            pair.starts_with("countersign_session=")
                .then(|| pair.to_owned())
        })
    }

    /// The page's CSRF token.
    pub fn csrf(&self) -> Option<String> {
        let marker = "name=\"csrf\" value=\"";
        let at = self.body.find(marker)? + marker.len();
        self.body.get(at..at + 64).map(str::to_owned)
    }
}

/// `application/x-www-form-urlencoded`.
pub fn form(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).unwrap_or_default()
}

/// A connection to `server` from `source`, ready to send one request.
pub async fn connect(source: Ipv4Addr, server: SocketAddr) -> Result<TcpStream, String> {
    let socket = TcpSocket::new_v4().map_err(|e| e.to_string())?;
    socket
        .bind(SocketAddr::from((source, 0)))
        .map_err(|e| format!("bind {source}: {e}"))?;
    socket
        .connect(server)
        .await
        .map_err(|e| format!("connect {server}: {e}"))
}

/// The bytes of a request.
pub fn request(method: &str, path: &str, cookie: Option<&str>, body: Option<&str>) -> Vec<u8> {
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: portal\r\nConnection: close\r\n");
    if let Some(cookie) = cookie {
        text.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if let Some(body) = body {
        text.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ));
    } else {
        text.push_str("\r\n");
    }
    text.into_bytes()
}

/// Writes the rest of a request on `stream` and reads the whole answer.
pub async fn finish(mut stream: TcpStream, bytes: &[u8]) -> Result<Answer, String> {
    let exchange = async {
        stream.write_all(bytes).await.map_err(|e| e.to_string())?;
        let mut raw = Vec::new();
        stream
            .read_to_end(&mut raw)
            .await
            .map_err(|e| e.to_string())?;
        Answer::parse(&raw)
    };
    tokio::time::timeout(Duration::from_secs(60), exchange)
        .await
        .map_err(|_| "no answer within 60 s".to_owned())?
}

/// One request over a fresh connection.
pub async fn send(
    source: Ipv4Addr,
    server: SocketAddr,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<&str>,
) -> Result<Answer, String> {
    let stream = connect(source, server).await?;
    finish(stream, &request(method, path, cookie, body)).await
}

/// A person between the password and the code: their session and its token.
#[derive(Clone, Debug)]
pub struct AtCode {
    pub cookie: String,
    pub csrf: String,
}

/// The login page, then the password: returns the session at the code step.
pub async fn password_step(
    source: Ipv4Addr,
    server: SocketAddr,
    login: &str,
    password: &str,
) -> Result<AtCode, String> {
    let page = send(source, server, "GET", "/login", None, None).await?;
    let cookie = page.session_cookie().ok_or("no session cookie")?;
    let csrf = page.csrf().ok_or("no CSRF token on /login")?;
    let body = form(&[("login", login), ("password", password), ("csrf", &csrf)]);
    let answer = send(source, server, "POST", "/login", Some(&cookie), Some(&body)).await?;
    if answer.status != 303 || answer.header("location") != Some("/login/code") {
        return Err(format!(
            "password step of {login}: {} {:?}",
            answer.status,
            answer.header("location")
        ));
    }
    // A fresh session id after the password step.
    let cookie = answer.session_cookie().unwrap_or(cookie);
    let page = send(source, server, "GET", "/login/code", Some(&cookie), None).await?;
    let csrf = page.csrf().ok_or("no CSRF token on /login/code")?;
    Ok(AtCode { cookie, csrf })
}

/// The body of the code step's form.
pub fn code_body(at: &AtCode, code: &str) -> String {
    form(&[("kind", "app"), ("code", code), ("csrf", &at.csrf)])
}

/// Whether the code step's answer signed the person in.
pub fn signed_in(answer: &Answer) -> bool {
    answer.status == 303 && answer.header("location") == Some("/profile")
}
