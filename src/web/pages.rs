//! The pages of the web interface, one module per menu entry.

pub mod access_log;
pub mod assets;
pub mod attachments;
pub mod audit;
pub mod households;
pub mod imports;
pub mod overview;
pub mod projects;
pub mod proposals;
pub mod public;
pub mod reconcile;
pub mod stocktakes;

use maud::{html, Markup};
use rocket::http::Status;
use rocket::response::content::RawHtml;

use super::view::{bare_page, page_window, Pages};
use crate::paging::{Cursor, Limit};

/// Numbers the pages of a list of `count` rows in code order, `size` a page, for the
/// page that continues after `after` (the first without it), `before` rows preceding it.
/// `key_at(position)` reads the code of the row at a 0-based position, which the page
/// after it continues from; `address(cursor)` is the address of the page continuing
/// after `cursor` (the first page without one); `next` is the cursor of the next page,
/// when one follows.
///
/// Fails when `key_at` fails.
pub fn number_pages<E>(
    count: i64,
    size: Limit,
    (after, before): (Option<&Cursor<String>>, i64),
    next: Option<&Cursor<String>>,
    mut key_at: impl FnMut(i64) -> Result<Option<String>, E>,
    address: impl Fn(Option<&Cursor<String>>) -> String,
) -> Result<Pages, E> {
    let size = size.as_i64();
    let last = ((count + size - 1) / size).max(1);
    let current = (before / size + 1).min(last);
    let mut links = Vec::new();
    for number in page_window(current, last) {
        if number == current {
            links.push((number, address(after)));
        } else if number == 1 {
            links.push((number, address(None)));
        } else if let Some(key) = key_at((number - 1) * size - 1)? {
            links.push((number, address(Some(&Cursor::after(key)))));
        }
    }
    Ok(Pages {
        current,
        last,
        links,
        next: next.map(|cursor| address(Some(cursor))),
    })
}

/// A page could not be made: the status and a page that says why.
#[derive(Debug)]
pub struct PageError {
    status: Status,
    body: ErrorBody,
}

/// What a [`PageError`] shows.
#[derive(Debug)]
enum ErrorBody {
    /// A whole page, made by its handler (a form with its errors).
    Page(RawHtml<String>),
    /// A message with a title, framed when it is answered: with the navigation for a
    /// signed-in user, so that a 404 or 无权访问 page keeps the menu.
    Message {
        title: &'static str,
        content: Markup,
    },
}

impl PageError {
    /// `page`, answered with `status`.
    pub fn page(status: Status, page: RawHtml<String>) -> Self {
        PageError {
            status,
            body: ErrorBody::Page(page),
        }
    }

    /// The status answered.
    pub fn status(&self) -> Status {
        self.status
    }

    /// A server error's message with the request's id, the one its log lines carry, so
    /// that a clerk can quote it; other errors unchanged.
    pub fn quoting(mut self, request_id: &str) -> Self {
        if self.status.class().is_server_error() {
            if let ErrorBody::Message { content, .. } = &mut self.body {
                *content = html! {
                    (*content)
                    p.muted { "请求编号：" code { (request_id) } "（联系管理员时请提供此编号）" }
                };
            }
        }
        self
    }

    /// The page as someone signed in as `caller` (or no one) sees it.
    pub fn render(self, caller: Option<&crate::auth::Caller>) -> RawHtml<String> {
        match (self.body, caller) {
            (ErrorBody::Page(page), _) => page,
            (ErrorBody::Message { title, content }, Some(caller)) => {
                super::view::page(caller, "", title, None, content)
            }
            (ErrorBody::Message { title, content }, None) => bare_page(title, content),
        }
    }
}

impl<'r> rocket::response::Responder<'r, 'static> for PageError {
    fn respond_to(self, request: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        let error = self.quoting(crate::observe::requests::id_of(request));
        let status = error.status;
        let caller = super::session::signed_in(request);
        (status, error.render(caller.as_ref())).respond_to(request)
    }
}

impl From<crate::db::DbError> for PageError {
    /// A busy database ([`crate::db::DbError::is_busy`]) is [`busy`]; any other failure
    /// [`internal`].
    fn from(e: crate::db::DbError) -> Self {
        if e.is_busy() {
            busy(e)
        } else {
            internal(e)
        }
    }
}

/// The database was too busy to take the request now (a write kept waiting for the
/// ledger's chain lock behind another process's long import): logged, shown as 503 with
/// the advice to try again (and, for a form, that nothing was written), as the API
/// answers 503 with `Retry-After`. A page that only reads (a pool with no connection
/// free) is told the same.
pub fn busy(error: impl std::fmt::Display) -> PageError {
    tracing::warn!(cause = %error, "web page refused: database busy");
    message_page(
        Status::ServiceUnavailable,
        "数据库繁忙",
        "数据库正忙，请稍后再试；刚才若是提交，本次未写入任何数据，请稍后重新提交。",
        ("/", "返回首页"),
    )
}

/// A failure the user cannot fix, logged, shown as a plain message.
pub fn internal(error: impl std::fmt::Display) -> PageError {
    tracing::error!(cause = %error, "web page failed");
    message_page(
        Status::InternalServerError,
        "出错了",
        "服务器内部错误，已记录日志。请稍后再试。",
        ("/", "返回首页"),
    )
}

/// Refuses the page, as [`forbidden`], unless the signed-in role allows `access`.
pub fn require(
    session: &super::session::Session,
    access: crate::auth::Access,
) -> Result<(), PageError> {
    if session.0.role.allows(access) {
        Ok(())
    } else {
        Err(forbidden())
    }
}

/// Refuses the page unless the signed-in token has county scope (declarations,
/// reconciliation, verification); returns the county witness.
pub fn require_county(
    session: &super::session::Session,
) -> Result<crate::domain::CountyScope, PageError> {
    session.0.scope.county().ok_or_else(|| {
        message_page(
            Status::Forbidden,
            "需要全县范围",
            "此页面只限全县范围的令牌（申报、对账与校验）。",
            ("/", "返回首页"),
        )
    })
}

/// The caller's role does not allow this page.
pub fn forbidden() -> PageError {
    message_page(
        Status::Forbidden,
        "无权访问",
        "当前令牌的角色无权执行此操作。",
        ("/", "返回首页"),
    )
}

/// The address presented too many bad tokens or session cookies lately.
pub fn throttled() -> PageError {
    message_page(
        Status::TooManyRequests,
        "请求过于频繁",
        "此地址近来多次使用无效令牌，请一分钟后再试。",
        ("/login", "返回登录"),
    )
}

/// A query parameter is not valid: a page that names it and links back.
pub fn bad_query(error: impl Into<crate::request::QueryError>, back: &str) -> PageError {
    let error = error.into();
    message_page(
        Status::BadRequest,
        "请求参数无效",
        &error.detail,
        (back, "返回"),
    )
}

/// Nothing at this address: a page that says so and links back.
pub fn missing(what: &str, back: &str) -> PageError {
    message_page(Status::NotFound, "未找到", what, (back, "返回"))
}

/// A page that says `message` and links `back` (address, label), with the navigation
/// when someone is signed in.
pub fn message_page(
    status: Status,
    title: &'static str,
    message: &str,
    back: (&str, &str),
) -> PageError {
    PageError {
        status,
        body: ErrorBody::Message {
            title,
            content: render_message(message, back),
        },
    }
}

fn render_message(message: &str, (href, label): (&str, &str)) -> Markup {
    html! {
        p { (message) }
        p { a href=(href) { (label) } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::view::tests::{assert_escaped, hostile};

    #[test]
    fn a_server_error_page_names_the_request_id_and_other_errors_do_not() {
        let failed = internal("disk on fire").quoting("req-42").render(None).0;
        assert!(failed.contains("请求编号：<code>req-42</code>"), "{failed}");
        assert!(
            !failed.contains("disk on fire"),
            "the cause stays in the log: {failed}"
        );
        let refused = forbidden().quoting("req-42").render(None).0;
        assert!(!refused.contains("req-42"), "{refused}");
    }

    #[test]
    fn error_pages_escape_their_message_and_link() {
        let page = render_message(&hostile("message"), (&hostile("back"), "返回")).into_string();
        assert_escaped(&page, &["message", "back"]);
    }

    #[test]
    fn error_pages_say_why_and_link_back() {
        let error = missing("没有这项资产。", "/assets");
        assert_eq!(error.status(), Status::NotFound);
        assert!(error.render(None).0.contains(
            "<main><h1>未找到</h1><p>没有这项资产。</p><p><a href=\"/assets\">返回</a></p></main>"
        ));
        let error = forbidden();
        assert_eq!(error.status(), Status::Forbidden);
        let page = error.render(None).0;
        assert!(
            page.contains("<p>当前令牌的角色无权执行此操作。</p><p><a href=\"/\">返回首页</a></p>")
        );
    }
}
