//! Signing in with a token (kept in an HttpOnly, SameSite=Strict cookie) and out, and
//! the guard every page uses.

use std::net::IpAddr;

use maud::{html, Markup};
use rocket::form::{Form, FromForm};
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::response::content::RawHtml;
use rocket::response::Redirect;
use rocket::{get, post, Request, State};

use super::pages::PageError;
use super::view;
use crate::api::gate::Gate;
use crate::api::guard::{check_token, check_token_of};
use crate::auth::{Caller, SESSION_COOKIE};
use crate::db::Db;

/// A signed-in user of the web interface.
pub struct Session(pub Caller);

/// Who the [`Session`] guard found signed in for this request, kept with the request so
/// that a page answering an error can still show that user's navigation.
struct SignedIn(Option<Caller>);

/// The user signed in on this request, once the [`Session`] guard has run for it.
pub fn signed_in(request: &Request<'_>) -> Option<Caller> {
    request.local_cache(|| SignedIn(None)).0.clone()
}

/// Whether a form post comes from this site (the SameSite cookie already keeps other
/// sites' posts unauthenticated; this is the second lock). Browsers say so in
/// `Sec-Fetch-Site`; older ones send `Origin`, compared — scheme, host and port — with
/// the origin the browser addressed: `https` when served over TLS (by Rocket, or by a
/// proxy that says `X-Forwarded-Proto: https`), and `X-Forwarded-Host` behind a proxy,
/// else `Host`.
fn same_origin(request: &Request<'_>) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get_one("Sec-Fetch-Site") {
        return site == "same-origin" || site == "none";
    }
    let Some(origin) = headers.get_one("Origin") else {
        return true;
    };
    let host = headers
        .get_one("X-Forwarded-Host")
        .or_else(|| headers.get_one("Host"))
        .unwrap_or_default();
    let scheme = if served_over_tls(request) {
        "https"
    } else {
        "http"
    };
    !host.is_empty() && origin.eq_ignore_ascii_case(&format!("{scheme}://{host}"))
}

/// Whether the request came over TLS: served by Rocket with TLS, or by the bureau's
/// TLS-terminating proxy, which says so in `X-Forwarded-Proto: https`.
fn served_over_tls(request: &Request<'_>) -> bool {
    let proxied = request
        .headers()
        .get_one("X-Forwarded-Proto")
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    request.rocket().config().tls_enabled() || proxied
}

/// A form post from this site (see [`same_origin`]); another site's is refused (403).
pub struct SameOrigin;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SameOrigin {
    type Error = ();
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        if same_origin(request) {
            Outcome::Success(SameOrigin)
        } else {
            Outcome::Error((Status::Forbidden, ()))
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Session {
    type Error = ();
    /// The session cookie's token, checked through the API's gate: bad cookies count
    /// against the address like bad tokens, and a throttled address gets 429.
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        if request.method() == rocket::http::Method::Post && !same_origin(request) {
            return Outcome::Error((Status::Forbidden, ()));
        }
        let Some(secret) = request
            .cookies()
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_owned())
        else {
            return Outcome::Error((Status::Unauthorized, ()));
        };
        match check_token_of(request, secret).await {
            Ok(caller) => {
                request.local_cache(|| SignedIn(Some(caller.clone())));
                Outcome::Success(Session(caller))
            }
            Err(status) => Outcome::Error((status, ())),
        }
    }
}

/// The sign-in page.
#[get("/login")]
pub fn login_form() -> RawHtml<String> {
    login_page(None)
}

fn login_page(error: Option<&str>) -> RawHtml<String> {
    view::bare_page("登录", render_login(error))
}

/// The sign-in form, with the reason the last attempt failed.
fn render_login(error: Option<&str>) -> Markup {
    html! {
        @if let Some(error) = error {
            (view::flash_message(false, error))
        }
        form method="post" action="/login" class="card" style="max-width:32em" {
            label {
                "访问令牌"
                input type="password" name="token" autocomplete="current-password" required autofocus;
            }
            p class="muted" { "令牌由管理员用 " code { "asset-registry token create" } " 创建。" }
            button type="submit" { "登录" }
        }
    }
}

/// The sign-in form.
#[derive(FromForm)]
pub struct Login {
    token: String,
}

/// Checks the token (through the API's gate: bad ones count against the address, and
/// a throttled address is refused) and keeps it in the session cookie. Only from this
/// site's own form.
#[post("/login", data = "<form>")]
pub async fn login(
    _same_origin: SameOrigin,
    address: ClientAddress,
    form: Form<Login>,
    cookies: &CookieJar<'_>,
    db: &State<Db>,
    gate: &State<Gate>,
    request_tls: TlsFlag,
) -> Result<Redirect, PageError> {
    let secret = form.token.trim().to_owned();
    let refused =
        |status: Status, message: &str| PageError::page(status, login_page(Some(message)));
    match check_token(db, gate, secret.clone(), address.0).await {
        Ok(_) => {}
        Err(Status::Unauthorized) => return Err(refused(Status::Ok, "令牌无效或已被吊销")),
        Err(Status::TooManyRequests) => {
            return Err(refused(
                Status::TooManyRequests,
                "此地址近来多次使用无效令牌，请一分钟后再试",
            ))
        }
        Err(_) => return Err(refused(Status::Ok, "暂时无法验证令牌，请稍后再试")),
    }
    let cookie = Cookie::build((SESSION_COOKIE, secret))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(request_tls.0)
        .path("/");
    cookies.add(cookie);
    Ok(Redirect::to("/"))
}

/// The client's address as the throttle counts it (the socket's, unless an
/// `ip_header` is configured for a trusted proxy).
pub struct ClientAddress(pub Option<IpAddr>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientAddress {
    type Error = std::convert::Infallible;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(ClientAddress(request.client_ip()))
    }
}

/// Whether the request came over TLS (the cookie is then `Secure`), as
/// [`served_over_tls`] says.
pub struct TlsFlag(pub bool);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for TlsFlag {
    type Error = std::convert::Infallible;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(TlsFlag(served_over_tls(request)))
    }
}

/// Signs out. Only from this site's own form.
#[post("/logout")]
pub fn logout(_same_origin: SameOrigin, cookies: &CookieJar<'_>) -> Redirect {
    cookies.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Redirect::to("/login")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::view::tests::{assert_escaped, hostile};

    #[test]
    fn the_sign_in_page_escapes_its_message() {
        assert_escaped(
            &render_login(Some(&hostile("error"))).into_string(),
            &["error"],
        );
    }

    #[test]
    fn the_sign_in_page_asks_for_the_token() {
        let page = login_page(None).0;
        assert!(page.contains("<title>登录 · 扶贫项目资产登记</title>"));
        assert!(page.contains(
            "<form method=\"post\" action=\"/login\" class=\"card\" style=\"max-width:32em\"><label>访问令牌<input type=\"password\" name=\"token\" autocomplete=\"current-password\" required autofocus></label>"
        ));
        assert!(!page.contains("flash"));
        assert!(login_page(Some("令牌无效或已被吊销"))
            .0
            .contains("<h1>登录</h1><p class=\"flash bad\">令牌无效或已被吊销</p><form"));
    }
}
