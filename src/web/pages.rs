//! The pages of the web interface, one module per menu entry.

pub mod assets;
pub mod audit;
pub mod imports;
pub mod overview;
pub mod reconcile;

use rocket::http::Status;
use rocket::response::content::RawHtml;

/// A page could not be made: the status and a page that says why.
#[derive(Debug)]
pub struct PageError(pub Status, pub RawHtml<String>);

impl<'r> rocket::response::Responder<'r, 'static> for PageError {
    fn respond_to(self, request: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        (self.0, self.1).respond_to(request)
    }
}

impl From<crate::db::DbError> for PageError {
    fn from(e: crate::db::DbError) -> Self {
        internal(e)
    }
}

/// A failure the user cannot fix, logged, shown as a plain message.
pub fn internal(error: impl std::fmt::Display) -> PageError {
    rocket::error!("web page failed: {error}");
    PageError(
        Status::InternalServerError,
        super::view::bare_page(
            "出错了",
            "<p>服务器内部错误，已记录日志。请稍后再试。</p><p><a href=\"/\">返回首页</a></p>",
        ),
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

/// The caller's role does not allow this page.
pub fn forbidden() -> PageError {
    PageError(
        Status::Forbidden,
        super::view::bare_page(
            "无权访问",
            "<p>当前令牌的角色无权执行此操作。</p><p><a href=\"/\">返回首页</a></p>",
        ),
    )
}

/// A query parameter is not valid: a page that names it and links back.
pub fn bad_query(error: impl Into<crate::request::QueryError>, back: &str) -> PageError {
    let error = error.into();
    PageError(
        Status::BadRequest,
        super::view::bare_page(
            "请求参数无效",
            &format!(
                "<p>{}</p><p><a href=\"{back}\">返回</a></p>",
                super::view::escape(&error.detail)
            ),
        ),
    )
}

/// Nothing at this address: a page that says so and links back.
pub fn missing(what: &str, back: &str) -> PageError {
    PageError(
        Status::NotFound,
        super::view::bare_page(
            "未找到",
            &format!(
                "<p>{}</p><p><a href=\"{back}\">返回</a></p>",
                super::view::escape(what)
            ),
        ),
    )
}
