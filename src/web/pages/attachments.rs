//! Uploading a document from an asset's page (the first step of citing it): the file
//! is stored by its SHA-256 as `POST /api/v1/attachments` stores it, and the page comes
//! back with the digest filled into every entry form's 附件 input.

use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::response::Redirect;
use rocket::{post, State};

use super::{internal, missing, require, PageError};
use crate::auth::Access;
use crate::db::Db;
use crate::ledger::attachments;
use crate::register::query::find_asset;
use crate::web::session::Session;
use crate::web::view::encode;

/// The upload form: one file.
#[derive(FromForm)]
pub struct AttachmentUpload<'r> {
    file: TempFile<'r>,
}

/// Stores the uploaded file and goes back to the asset's page with its digest.
#[post("/assets/<key>/attachments", data = "<form>")]
pub async fn upload_from_asset(
    session: Session,
    key: &str,
    form: Form<AttachmentUpload<'_>>,
    db: &State<Db>,
) -> Result<Redirect, PageError> {
    require(&session, Access::Write)?;
    let back = format!("/assets/{}", encode(key));
    let bytes = match form.file.path() {
        Some(path) => rocket::tokio::fs::read(path).await.map_err(internal)?,
        None => Vec::new(),
    };
    if bytes.is_empty() {
        return Err(super::message_page(
            rocket::http::Status::UnprocessableEntity,
            "附件是空的",
            "所选文件为 0 字节，未保存。",
            (&back, "返回资产"),
        ));
    }
    // The name as the browser sent it, kept as a label (never used as a path).
    let sent = form
        .file
        .raw_name()
        .map(|name| name.dangerous_unsafe_unsanitized_raw().as_str().to_owned());
    let filename =
        crate::api::attachments::filename_of(sent.as_deref()).unwrap_or_else(|_| "附件".to_owned());
    let (scope, lookup, by) = (
        session.0.scope.clone(),
        key.to_owned(),
        session.0.name.clone(),
    );
    let stored = db
        .run(move |conn| {
            if find_asset(conn, &scope, &lookup)
                .map_err(internal)?
                .is_none()
            {
                return Ok(None);
            }
            attachments::store(conn, &bytes, &filename, &by)
                .map(|(info, _)| Some(info))
                .map_err(internal)
        })
        .await?;
    match stored {
        Some(info) => Ok(Redirect::to(format!("{back}?attached={}", info.sha256))),
        None => Err(missing("没有这项资产。", "/assets")),
    }
}
