//! The front door of `serve`: a connection that never finishes its request head is
//! closed after `header_timeout` seconds.
//!
//! Rocket 0.5.2 has no hook for this (its server sets hyper's `header_read_timeout` to
//! none and keeps its listener API private), so the front accepts on the public socket,
//! reads the request head with a deadline, and hands the connection to Rocket, which
//! listens on a loopback port, with the head passed on and the rest copied both ways.
//! The client's address travels in [`CLIENT_HEADER`] (any copy the client sent is
//! removed), which Rocket takes as its `ip_header`, so the token throttle still sees
//! each client; Rocket closes each connection after one response, so every request
//! head passes the front. With TLS served by Rocket the front steps aside (it cannot
//! read the head); so it does with `header_timeout = 0`, as for a server behind a
//! reverse proxy that guards heads itself and names the client in an `ip_header`.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::tokio::io::{AsyncReadExt, AsyncWriteExt};
use rocket::tokio::net::{TcpListener, TcpStream};
use rocket::tokio::sync::oneshot;
use rocket::{Build, Rocket};

/// The setting (Rocket's figment, `ROCKET_HEADER_TIMEOUT`): seconds a client has to send
/// a request head; 0 turns the front off.
pub const SETTING: &str = "header_timeout";

/// The setting's default.
pub const DEFAULT_HEADER_TIMEOUT: u64 = 10;

/// The header the front tells Rocket the client's address in.
pub const CLIENT_HEADER: &str = "X-Asset-Registry-Client";

/// The longest request head the front reads; a longer one is passed on as it is (and
/// Rocket refuses it).
const MAX_HEAD: usize = 64 * 1024;

/// How long a client has to send its request head, when the front applies: `None` when
/// turned off (0) or with TLS.
pub fn header_timeout(figment: &Figment) -> Option<Duration> {
    let seconds = figment
        .extract_inner::<u64>(SETTING)
        .unwrap_or(DEFAULT_HEADER_TIMEOUT);
    let config = rocket::Config::from(figment);
    (seconds > 0 && !config.tls_enabled()).then(|| Duration::from_secs(seconds))
}

/// Serves `rocket` behind the front on the address and port its figment names.
///
/// Fails when the public address cannot be bound or Rocket fails to launch.
pub async fn serve(rocket: Rocket<Build>, timeout: Duration) -> Result<(), String> {
    let config = rocket::Config::from(rocket.figment());
    let public = TcpListener::bind(SocketAddr::new(config.address, config.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", config.address, config.port))?;
    let (ready, port) = oneshot::channel::<u16>();
    let ready = std::sync::Mutex::new(Some(ready));
    let behind = rocket.figment().clone();
    let rocket = rocket
        .configure(
            behind
                .merge(("address", IpAddr::from([127, 0, 0, 1])))
                .merge(("port", 0))
                .merge(("keep_alive", 0))
                .merge(("ip_header", CLIENT_HEADER)),
        )
        .attach(AdHoc::on_liftoff("front", move |rocket| {
            let port = rocket.config().port;
            Box::pin(async move {
                if let Some(ready) = ready.lock().ok().and_then(|mut r| r.take()) {
                    let _ = ready.send(port);
                }
            })
        }));
    let launched = rocket::tokio::spawn(rocket.launch());
    let Ok(backend) = port.await else {
        return match launched.await {
            Ok(Err(e)) => Err(e.to_string()),
            _ => Err("the server stopped before it listened".to_owned()),
        };
    };
    // Info, not a warning; the filter keeps this line even at `critical`, so that whoever
    // started the server sees where it listens.
    tracing::info!(
        address = %config.address,
        port = config.port,
        header_timeout_seconds = timeout.as_secs(),
        "正在监听 http://{}:{}（请求头须在 {} 秒内发完）",
        config.address,
        config.port,
        timeout.as_secs()
    );
    let accepting = async {
        loop {
            let Ok((client, peer)) = public.accept().await else {
                continue;
            };
            rocket::tokio::spawn(pass_on(client, peer.ip(), backend, timeout));
        }
    };
    rocket::tokio::select! {
        result = launched => result.map_err(|e| e.to_string())?.map(|_| ()).map_err(|e| e.to_string()),
        () = accepting => Ok(()),
    }
}

/// Reads the client's request head within `timeout` (else closes the connection), then
/// hands the connection to Rocket at `backend` with the client's address added.
async fn pass_on(mut client: TcpStream, peer: IpAddr, backend: u16, timeout: Duration) {
    let _ = client.set_nodelay(true);
    let mut head = Vec::with_capacity(2048);
    let read = rocket::tokio::time::timeout(timeout, read_head(&mut client, &mut head)).await;
    if !matches!(read, Ok(Ok(()))) {
        // Too slow, gone, or failed: dropping the stream closes it.
        return;
    }
    let Ok(mut server) = TcpStream::connect(("127.0.0.1", backend)).await else {
        return;
    };
    let _ = server.set_nodelay(true);
    if server.write_all(&with_client(&head, peer)).await.is_err() {
        return;
    }
    let _ = rocket::tokio::io::copy_bidirectional(&mut client, &mut server).await;
}

/// Reads until the head's blank line (or [`MAX_HEAD`] bytes). Fails when the client
/// closes first.
async fn read_head(client: &mut TcpStream, head: &mut Vec<u8>) -> std::io::Result<()> {
    let mut chunk = [0u8; 4096];
    while head.len() < MAX_HEAD {
        if head.windows(4).any(|w| w == b"\r\n\r\n") {
            return Ok(());
        }
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        head.extend_from_slice(&chunk[..n]);
    }
    Ok(())
}

/// The bytes read with [`CLIENT_HEADER`] set to `peer` after the request line, and any
/// copy of it the client sent left out.
fn with_client(bytes: &[u8], peer: IpAddr) -> Vec<u8> {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(bytes.len(), |p| p + 2);
    let (head, rest) = bytes.split_at(end);
    let mut lines = head.split_inclusive(|b| *b == b'\n');
    let mut out = Vec::with_capacity(bytes.len() + 64);
    if let Some(request_line) = lines.next() {
        out.extend_from_slice(request_line);
    }
    out.extend_from_slice(format!("{CLIENT_HEADER}: {peer}\r\n").as_bytes());
    let name = CLIENT_HEADER.as_bytes();
    for line in lines {
        let spoofed = line.len() > name.len()
            && line[..name.len()].eq_ignore_ascii_case(name)
            && line[name.len()..].trim_ascii_start().starts_with(b":");
        if !spoofed {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_address_replaces_any_the_client_claimed() {
        let head = b"POST /login HTTP/1.1\r\nHost: x\r\nx-asset-registry-client: 10.0.0.1\r\nContent-Length: 3\r\n\r\nabc";
        let passed = with_client(head, IpAddr::from([192, 0, 2, 7]));
        assert_eq!(
            String::from_utf8_lossy(&passed),
            "POST /login HTTP/1.1\r\nX-Asset-Registry-Client: 192.0.2.7\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
        );
    }

    #[test]
    fn the_front_steps_aside_when_turned_off() {
        let base = rocket::Config::figment();
        assert_eq!(header_timeout(&base), Some(Duration::from_secs(10)));
        assert_eq!(
            header_timeout(&base.clone().merge((SETTING, 2))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(header_timeout(&base.merge((SETTING, 0))), None);
    }
}
