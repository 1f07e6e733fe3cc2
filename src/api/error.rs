//! The API's one error type and its one responder: `application/problem+json`.

use std::borrow::Cow;

use rocket::http::{ContentType, Status};
use rocket::response::{self, Responder};
use rocket::serde::json::serde_json::{self, json, Value};
use rocket::Request;

use crate::db::DbError;
use crate::export::ExportError;
use crate::import::{BatchReport, ImportFailure};
use crate::register::totals::TotalsError;
use crate::request::QueryError;

/// An error the API reports; 5xx details are logged, never shown.
#[derive(Debug)]
pub enum ApiError {
    /// 400: a query parameter (or a header) is malformed.
    BadParameter {
        /// The parameter's name.
        parameter: Cow<'static, str>,
        /// What is wrong, in Chinese.
        detail: String,
    },
    /// 401: no valid token.
    Unauthorized,
    /// 429: too many bad tokens from this address lately.
    TooManyRequests,
    /// 403: the token's role does not allow this.
    Forbidden,
    /// 403: only a token with county scope may do this.
    CountyScopeRequired,
    /// 403: this address may not read this (the metrics, open on loopback only).
    AddressRefused,
    /// 404: nothing at this path.
    NotFound(String),
    /// 413: the body is over the limit.
    PayloadTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// 422: an import file was rejected.
    ImportRejected(Box<BatchReport>),
    /// 422: a body is malformed or breaks a rule.
    Unprocessable {
        /// Machine-readable code.
        code: &'static str,
        /// What is wrong, in Chinese.
        detail: String,
        /// Field-level errors: `[{field, code, message}]`.
        errors: Value,
    },
    /// 403, 409 or 422: a rule of proposals and approvals refused the request.
    Rule {
        /// The status.
        status: Status,
        /// Machine-readable code.
        code: &'static str,
        /// The field at fault (empty for the request as a whole).
        field: &'static str,
        /// What is wrong, in Chinese.
        detail: String,
    },
    /// 507: the database's disk is full; nothing was written.
    DiskFull(String),
    /// 503: the database is busy; retry after a second.
    Unavailable(String),
    /// 500: something failed that the caller cannot fix.
    Internal(String),
    /// Rocket refused the request before any handler (a malformed body, a body over
    /// the limit, a method without a route…): the status it chose.
    Refused(Status),
}

impl From<DbError> for ApiError {
    /// A full disk is 507; a busy database (an exhausted pool, SQLite locked, a write
    /// that did not get the chain's lock in time) is 503 (retry); anything else 500.
    fn from(e: DbError) -> Self {
        if e.is_disk_full() {
            return ApiError::DiskFull(e.to_string());
        }
        if e.is_busy() {
            ApiError::Unavailable(cause_chain(&e))
        } else {
            ApiError::Internal(cause_chain(&e))
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        ApiError::from(DbError::Query(e))
    }
}

impl From<crate::ledger::append::AppendError> for ApiError {
    fn from(e: crate::ledger::append::AppendError) -> Self {
        use crate::ledger::append::AppendError;
        match e {
            AppendError::AssetNotFound(key) => {
                ApiError::NotFound(format!("没有编号或 id 为“{key}”的资产"))
            }
            AppendError::Rule {
                code,
                field,
                message,
            } => ApiError::field_rule(code, field, message),
            AppendError::IdempotencyKeyReused => ApiError::Unprocessable {
                code: "idempotency_key_reused",
                detail: "此 Idempotency-Key 已用于另一个请求；请为新请求使用新的键".to_owned(),
                errors: json!([{"field": "Idempotency-Key", "code": "idempotency_key_reused",
                                "message": "此 Idempotency-Key 已用于另一个请求"}]),
            },
            AppendError::Malformed(e) => ApiError::Internal(e.to_string()),
            AppendError::Db(e) => ApiError::from(e),
        }
    }
}

impl From<crate::approvals::ProposalError> for ApiError {
    fn from(e: crate::approvals::ProposalError) -> Self {
        use crate::approvals::ProposalError;
        match e {
            ProposalError::NotFound(detail) => ApiError::NotFound(detail),
            ProposalError::Refused {
                status,
                code,
                field,
                message,
            } => ApiError::Rule {
                status: Status::from_code(status).unwrap_or(Status::UnprocessableEntity),
                code,
                field,
                detail: message,
            },
            ProposalError::Append(e) => ApiError::from(e),
            ProposalError::Malformed(e) => ApiError::Internal(e),
            ProposalError::Db(e) => ApiError::from(e),
        }
    }
}

impl From<crate::ledger::as_of::AsOfError> for ApiError {
    fn from(e: crate::ledger::as_of::AsOfError) -> Self {
        match e {
            crate::ledger::as_of::AsOfError::Db(e) => ApiError::from(e),
            crate::ledger::as_of::AsOfError::Malformed(e) => ApiError::Internal(e.to_string()),
        }
    }
}

/// Each of these failures is a database error, answered as one, or else unexpected.
macro_rules! db_or_internal {
    ($($failure:ident),+) => {$(
        impl From<$failure> for ApiError {
            fn from(e: $failure) -> Self {
                match e {
                    $failure::Db(e) => ApiError::from(e),
                    other => ApiError::Internal(cause_chain(&other)),
                }
            }
        }
    )+};
}

db_or_internal!(ImportFailure, ExportError);

impl From<TotalsError> for ApiError {
    fn from(e: TotalsError) -> Self {
        ApiError::Internal(cause_chain(&e))
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        ApiError::BadParameter {
            parameter: Cow::Owned(e.parameter),
            detail: e.detail,
        }
    }
}

impl From<rocket::form::Errors<'_>> for ApiError {
    /// The first bad parameter of a query string.
    fn from(errors: rocket::form::Errors<'_>) -> Self {
        ApiError::from(QueryError::from(errors))
    }
}

/// A problem+json body.
pub fn problem(status: Status, code: &str, title: &str, detail: &str) -> Value {
    json!({
        "type": format!("urn:asset-registry:problem:{code}"),
        "title": title,
        "status": status.code,
        "detail": detail,
    })
}

impl ApiError {
    /// 422 for a body that breaks rules: its `errors` listed as they serialise, and
    /// each one's `message` joined by `；` as the detail.
    pub fn rejected<E: serde::Serialize>(
        code: &'static str,
        errors: &[E],
        message: fn(&E) -> &str,
    ) -> Self {
        ApiError::Unprocessable {
            code,
            detail: errors.iter().map(message).collect::<Vec<_>>().join("；"),
            errors: json!(errors),
        }
    }

    /// 422 for a body whose `field` breaks the rule `code`: `message` says what is
    /// wrong, as the detail and as the one listed error.
    pub fn field_rule(code: &'static str, field: &str, message: String) -> Self {
        ApiError::Unprocessable {
            code,
            errors: json!([{"field": field, "code": code, "message": message}]),
            detail: message,
        }
    }

    /// The status and body of this error.
    pub fn to_problem(&self) -> (Status, Value) {
        match self {
            ApiError::BadParameter { parameter, detail } => {
                let mut body = problem(Status::BadRequest, "bad_parameter", "请求参数无效", detail);
                body["parameter"] = json!(parameter);
                body["errors"] =
                    json!([{"parameter": parameter, "code": "bad_parameter", "message": detail}]);
                (Status::BadRequest, body)
            }
            ApiError::Unauthorized => (
                Status::Unauthorized,
                problem(
                    Status::Unauthorized,
                    "unauthorized",
                    "未认证",
                    "缺少有效的访问令牌（Authorization: Bearer …），或令牌已被吊销",
                ),
            ),
            ApiError::TooManyRequests => (
                Status::TooManyRequests,
                problem(
                    Status::TooManyRequests,
                    "too_many_requests",
                    "请求过于频繁",
                    "此地址近来多次使用无效令牌，请一分钟后再试",
                ),
            ),
            ApiError::Forbidden => (
                Status::Forbidden,
                problem(
                    Status::Forbidden,
                    "forbidden",
                    "无权访问",
                    "当前令牌的角色无权执行此操作",
                ),
            ),
            ApiError::CountyScopeRequired => (
                Status::Forbidden,
                problem(
                    Status::Forbidden,
                    "county_scope_required",
                    "需要全县范围",
                    "此操作只限全县范围的令牌（申报、对账、校验与令牌管理）",
                ),
            ),
            ApiError::AddressRefused => (
                Status::Forbidden,
                problem(
                    Status::Forbidden,
                    "address_refused",
                    "此地址无权访问",
                    "运行指标只对本机开放（设置 metrics = \"open\" 可对所有地址开放）",
                ),
            ),
            ApiError::NotFound(detail) => (
                Status::NotFound,
                problem(Status::NotFound, "not_found", "未找到", detail),
            ),
            ApiError::PayloadTooLarge { limit } => {
                let mut body = problem(
                    Status::PayloadTooLarge,
                    "payload_too_large",
                    "上传内容过大",
                    &format!(
                        "请求体超过上限 {}（{limit} 字节），未写入任何数据",
                        rocket::data::ByteUnit::from(*limit)
                    ),
                );
                body["limit"] = json!(limit);
                (Status::PayloadTooLarge, body)
            }
            ApiError::ImportRejected(report) => {
                let status = Status::UnprocessableEntity;
                let mut body = problem(
                    status,
                    "import_rejected",
                    "导入被拒绝",
                    &format!(
                        "文件共有 {} 处错误，未写入任何数据；请修正后重新导入",
                        report.error_count
                    ),
                );
                body["errors"] = json!(report.errors);
                body["error_count"] = json!(report.error_count);
                body["batch"] = serde_json::to_value(report.as_ref()).unwrap_or(Value::Null);
                (status, body)
            }
            ApiError::Unprocessable {
                code,
                detail,
                errors,
            } => {
                let status = Status::UnprocessableEntity;
                let mut body = problem(status, code, "请求内容无效", detail);
                body["errors"] = json!(errors);
                (status, body)
            }
            ApiError::Rule {
                status,
                code,
                field,
                detail,
            } => {
                let title = match status.code {
                    403 => "无权执行",
                    409 => "与当前状态冲突",
                    _ => "请求内容无效",
                };
                let mut body = problem(*status, code, title, detail);
                body["errors"] = json!([{"field": field, "code": code, "message": detail}]);
                (*status, body)
            }
            ApiError::Unavailable(_) => (
                Status::ServiceUnavailable,
                problem(
                    Status::ServiceUnavailable,
                    "busy",
                    "数据库繁忙",
                    "数据库正忙，请稍后重试（Retry-After 秒后）",
                ),
            ),
            ApiError::DiskFull(_) => (
                Status::InsufficientStorage,
                problem(
                    Status::InsufficientStorage,
                    "disk_full",
                    "存储空间已满",
                    "数据库所在的磁盘已满，本次请求未写入任何数据；请管理员清理或扩充磁盘后重试",
                ),
            ),
            ApiError::Internal(_) => internal(),
            ApiError::Refused(status) => refused(*status),
        }
    }
}

/// The 500 problem: nothing of the cause is shown.
fn internal() -> (Status, Value) {
    (
        Status::InternalServerError,
        problem(
            Status::InternalServerError,
            "internal",
            "服务器内部错误",
            "服务器内部错误，已记录日志",
        ),
    )
}

/// The problem of a request Rocket refused with `status`.
fn refused(status: Status) -> (Status, Value) {
    let (code, title, detail) = match status.code {
        400 => ("bad_request", "请求无效", "请求格式无效"),
        413 => (
            "payload_too_large",
            "上传内容过大",
            "请求体超过上限，未写入任何数据",
        ),
        422 => (
            "unprocessable",
            "请求内容无效",
            "请求体无法解析（JSON 格式或字段类型错误）",
        ),
        500 => return internal(),
        _ => {
            let reason = status.reason().unwrap_or("错误");
            ("error", reason, reason)
        }
    };
    (status, problem(status, code, title, detail))
}

impl<'r> Responder<'r, 'static> for ApiError {
    /// The problem, with the request's id as its `instance` (so a clerk can quote it);
    /// a 5xx logs its cause under that id.
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let request_id = crate::observe::requests::id_of(request);
        let route = crate::observe::requests::route_of(request);
        let failed = match &self {
            ApiError::Internal(cause) | ApiError::Unavailable(cause) => {
                Some((cause, "request failed"))
            }
            ApiError::DiskFull(cause) => Some((cause, "disk full: the request wrote nothing")),
            _ => None,
        };
        if let Some((cause, what)) = failed {
            tracing::error!(
                request_id,
                method = %request.method(),
                route,
                cause = %cause,
                "{what}"
            );
        }
        let retry = match self {
            ApiError::Unavailable(_) => Some("1"),
            ApiError::TooManyRequests => Some("60"),
            _ => None,
        };
        let (status, mut body) = self.to_problem();
        body["instance"] = json!(request_id);
        let mut response = response::Response::build_from(body.to_string().respond_to(request)?)
            .status(status)
            .header(ContentType::new("application", "problem+json"))
            .finalize();
        if let Some(seconds) = retry {
            response.set_raw_header("Retry-After", seconds);
        }
        Ok(response)
    }
}

/// `error` and each of its sources, joined by `: ` (what an internal error logs).
pub fn cause_chain(error: &dyn std::error::Error) -> String {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        // Many errors repeat their source in their own message: say it once.
        if !chain.contains(&said) {
            chain.push_str(": ");
            chain.push_str(&said);
        }
        source = cause.source();
    }
    chain
}
