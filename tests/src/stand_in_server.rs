//! The HTTP server under the tests' stand-ins for AWS services (`refusing_sns`,
//! `faulty_eventbridge`): a free port on the loopback, a thread of its own, one request per
//! connection, read whole (the head and the body it announces) and answered by the stand-in's
//! own function.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A stand-in's answer to one request.
pub struct Answer {
    /// The status line's code and reason, e.g. `"400 Bad Request"`.
    pub status: &'static str,
    pub content_type: &'static str,
    pub body: String,
}

/// One request as it arrived.
pub struct Received {
    /// The request line and headers.
    pub head: String,
    pub body: Vec<u8>,
}

impl Received {
    /// The value of the header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }
}

/// Serves `answer` on a free port of the loopback; returns its URL.
pub fn start<F, Fut>(answer: F) -> String
where
    F: Fn(Received) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Answer> + Send + 'static,
{
    let listener = std::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .expect("a free port");
    listener.set_nonblocking(true).expect("non-blocking");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    continue;
                };
                let answer = answer.clone();
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buffer = [0u8; 8192];
                    while !complete(&request) {
                        match stream.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(read) => request.extend_from_slice(&buffer[..read]),
                        }
                    }
                    let end = head_end(&request).unwrap_or(request.len());
                    let received = Received {
                        head: String::from_utf8_lossy(&request[..end]).into_owned(),
                        body: request.get(end + 4..).unwrap_or(&[]).to_vec(),
                    };
                    let Answer {
                        status,
                        content_type,
                        body,
                    } = answer(received).await;
                    let response = format!(
                        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(response.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
    });
    url
}

fn head_end(request: &[u8]) -> Option<usize> {
    request.windows(4).position(|w| w == b"\r\n\r\n")
}

/// Whether `request` holds the whole head and as much body as its content-length says.
pub(crate) fn complete(request: &[u8]) -> bool {
    let Some(end) = head_end(request) else {
        return false;
    };
    let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    request.len() >= end + 4 + length
}
