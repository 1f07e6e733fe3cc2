//! Signing in with a token (kept in an HttpOnly, SameSite=Strict cookie) and out, and
//! the guard every page uses.

use maud::{html, Markup};
use rocket::form::{Form, FromForm};
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::response::content::RawHtml;
use rocket::response::Redirect;
use rocket::{get, post, Request, State};

use super::view;
use crate::auth::{self, Caller, SESSION_COOKIE};
use crate::db::{Db, DbError};

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
/// `Sec-Fetch-Site`; older ones send `Origin`, compared with the host the browser
/// addressed (`X-Forwarded-Host` behind a proxy, else `Host`).
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
    origin.split("://").nth(1).is_some_and(|o| o == host)
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Session {
    type Error = ();
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
        let Some(db) = request.rocket().state::<Db>() else {
            return Outcome::Error((Status::InternalServerError, ()));
        };
        match db
            .run(move |conn| auth::authenticate(conn, &secret).map_err(DbError::from))
            .await
        {
            Ok(Some(caller)) => {
                request.local_cache(|| SignedIn(Some(caller.clone())));
                Outcome::Success(Session(caller))
            }
            Ok(None) => Outcome::Error((Status::Unauthorized, ())),
            Err(_) => Outcome::Error((Status::InternalServerError, ())),
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

/// Checks the token and keeps it in the session cookie.
#[post("/login", data = "<form>")]
pub async fn login(
    form: Form<Login>,
    cookies: &CookieJar<'_>,
    db: &State<Db>,
    request_tls: TlsFlag,
) -> Result<Redirect, RawHtml<String>> {
    let secret = form.token.trim().to_owned();
    let check = secret.clone();
    let caller = db
        .run(move |conn| auth::authenticate(conn, &check).map_err(DbError::from))
        .await
        .map_err(|_| login_page(Some("暂时无法验证令牌，请稍后再试")))?;
    if caller.is_none() {
        return Err(login_page(Some("令牌无效或已被吊销")));
    }
    let cookie = Cookie::build((SESSION_COOKIE, secret))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(request_tls.0)
        .path("/");
    cookies.add(cookie);
    Ok(Redirect::to("/"))
}

/// Whether the request came over TLS (the cookie is then `Secure`): served by Rocket
/// with TLS, or by the bureau's TLS-terminating proxy, which says so in
/// `X-Forwarded-Proto: https`.
pub struct TlsFlag(pub bool);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for TlsFlag {
    type Error = std::convert::Infallible;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let proxied = request
            .headers()
            .get_one("X-Forwarded-Proto")
            .is_some_and(|p| p.eq_ignore_ascii_case("https"));
        Outcome::Success(TlsFlag(request.rocket().config().tls_enabled() || proxied))
    }
}

/// Signs out.
#[post("/logout")]
pub fn logout(cookies: &CookieJar<'_>) -> Redirect {
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
