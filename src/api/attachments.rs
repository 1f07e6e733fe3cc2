//! `POST /api/v1/attachments?filename=` (clerks: the body is the file, up to
//! `limits.attachment`, 20 MiB by default) stores a document once by its SHA-256;
//! `GET /api/v1/attachments/{sha256}` serves it back (clerks, auditors, approvers,
//! administrators; readers none). Entries cite them as `attachments: [sha256…]`.

use rocket::data::{ByteUnit, Data, Limits};
use rocket::form;
use rocket::http::{ContentType, Status};
use rocket::serde::json::Json;
use rocket::{get, post, State};
use serde::Serialize;

use super::error::ApiError;
use super::guard::{ReviewAccess, WriteAccess};
use crate::db::Db;
use crate::domain::codes::is_invisible;
use crate::ledger::attachments::{self, AttachmentInfo, MAX_FILENAME_CHARS};
use crate::request::Param;

/// The upload limit of an attachment when none is configured (`limits.attachment`).
pub const DEFAULT_LIMIT: ByteUnit = ByteUnit::Mebibyte(20);

/// A stored document, as sent.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct AttachmentView {
    /// Its SHA-256, lowercase hex: what an entry cites.
    pub sha256: String,
    /// Its size in bytes.
    pub size: i64,
    /// The name it was first uploaded under.
    pub filename: String,
}

impl From<AttachmentInfo> for AttachmentView {
    fn from(info: AttachmentInfo) -> Self {
        let AttachmentInfo {
            sha256,
            size,
            filename,
        } = info;
        AttachmentView {
            sha256,
            size,
            filename,
        }
    }
}

/// The name a file is kept under: `filename` as sent (trimmed), else 附件.
///
/// Fails with a 400 naming `filename` when it is longer than 255 characters, holds a
/// control character or a path separator, holds a character that shows nothing (a
/// bidi control would show `合同\u{202e}fdp.exe` as 合同exe.pdf), or is only dots (`..`).
pub fn filename_of(filename: Option<&str>) -> Result<String, ApiError> {
    let name = filename.map(str::trim).filter(|n| !n.is_empty());
    let Some(name) = name else {
        return Ok("附件".to_owned());
    };
    let bad = if name.chars().count() > MAX_FILENAME_CHARS {
        Some(format!("filename 不能超过 {MAX_FILENAME_CHARS} 个字符"))
    } else if name
        .chars()
        .any(|c| c.is_control() || c == '/' || c == '\\')
    {
        Some("filename 不能含有控制字符或路径分隔符".to_owned())
    } else if name.chars().any(is_invisible) {
        Some(
            "filename 不能含有不可见字符（如零宽空格、双向控制符）：它们让文件名看起来与实际不同"
                .to_owned(),
        )
    } else if name.chars().all(|c| c == '.') {
        Some("filename 不能只由点组成（. 与 .. 指目录，不是文件名）".to_owned())
    } else {
        None
    };
    match bad {
        Some(detail) => Err(ApiError::BadParameter {
            parameter: "filename".into(),
            detail,
        }),
        None => Ok(name.to_owned()),
    }
}

/// Stores the body once by its SHA-256: 201 with `{sha256, size, filename}`, 200 with
/// the stored one when the same bytes were uploaded before; 413 past the limit.
#[post("/attachments?<filename>", data = "<body>")]
pub async fn upload_attachment(
    caller: WriteAccess,
    filename: form::Result<'_, Param<&str>>,
    limits: &Limits,
    body: Data<'_>,
    db: &State<Db>,
) -> Result<(Status, Json<AttachmentView>), ApiError> {
    let filename = filename_of(filename?.into_inner())?;
    let limit = limits.get("attachment").unwrap_or(DEFAULT_LIMIT);
    let content = super::read_body(body, limit).await?;
    if content.is_empty() {
        return Err(ApiError::Unprocessable {
            code: "empty_file",
            detail: "附件是空的（0 字节），未保存".to_owned(),
            errors: serde_json::json!([{"field": "", "code": "empty_file", "message": "附件是空的（0 字节）"}]),
        });
    }
    let by = caller.0.name;
    let (stored, created) = db
        .run(move |conn| attachments::store(conn, &content, &filename, &by).map_err(ApiError::from))
        .await?;
    let status = if created { Status::Created } else { Status::Ok };
    Ok((status, Json(AttachmentView::from(stored))))
}

/// A stored document, sent as a download under the name it was uploaded with.
pub struct Download {
    bytes: Vec<u8>,
    filename: String,
}

impl<'r> rocket::response::Responder<'r, 'static> for Download {
    fn respond_to(self, _request: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        // An ASCII fallback, and the name as it was uploaded.
        let disposition = super::attachment_disposition("attachment", Some(&self.filename));
        rocket::Response::build()
            .header(ContentType::Binary)
            .raw_header("Content-Disposition", disposition)
            .sized_body(self.bytes.len(), std::io::Cursor::new(self.bytes))
            .ok()
    }
}

/// The stored document `sha256`; 404 when there is none, or when it is outside the
/// caller's scope (neither uploaded by the caller nor cited within the scope).
#[get("/attachments/<sha256>")]
pub async fn get_attachment(
    caller: ReviewAccess,
    sha256: &str,
    db: &State<Db>,
) -> Result<Download, ApiError> {
    let sha256 = sha256.to_ascii_lowercase();
    if !attachments::is_digest(&sha256) {
        return Err(ApiError::NotFound(
            "附件以其 SHA-256（64 位十六进制）寻址".to_owned(),
        ));
    }
    let (scope, name) = (caller.0.scope, caller.0.name);
    let found = db
        .run(move |conn| {
            if !attachments::readable_by(conn, &scope, &name, &sha256).map_err(ApiError::from)? {
                return Ok(None);
            }
            attachments::content(conn, &sha256).map_err(ApiError::from)
        })
        .await?;
    let (info, bytes) =
        found.ok_or_else(|| ApiError::NotFound("没有这个 SHA-256 的附件".to_owned()))?;
    Ok(Download {
        bytes,
        filename: info.filename,
    })
}
