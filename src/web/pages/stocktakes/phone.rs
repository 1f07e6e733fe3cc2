//! The stock-take's phone page: a village worker finds an asset of an open campaign by
//! code or name and records its result, with a photo taken on site (clerks).

use maud::{html, Markup};
use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::response::Redirect;
use rocket::{get, post, State};
use serde_json::json;

use super::{campaign_link, load, page_error};
use crate::approvals::replies::{answered, keyed_write, ChainLock, Keyed};
use crate::auth::Access;
use crate::db::Db;
use crate::domain::dates::today_in_china;
use crate::domain::{shown, InspectionResult, Vocabulary};
use crate::ledger::attachments;
use crate::stocktake::checklist::{search, ChecklistItem};
use crate::stocktake::results::{record, CheckedUpload, Origin, ResultInput};
use crate::stocktake::CampaignStatus;
use crate::web::form_key::{self, Refused};
use crate::web::pages::{internal, message_page, require, PageError};
use crate::web::session::Session;
use crate::web::view::{encode, options, page};

/// The most assets a search on the phone page lists.
const FOUND_AT_MOST: u32 = 20;

/// The phone page: find an asset of the campaign by code or name, record its result.
#[get("/stocktakes/<id>/check?<q>&<done>&<repeated>")]
pub async fn check(
    session: Session,
    id: &str,
    q: Option<&str>,
    done: Option<&str>,
    repeated: Option<bool>,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    require(&session, Access::Write)?;
    let flash = done.map(|code| match repeated {
        Some(true) => format!("{}（资产 {code} 的盘点结果）", form_key::REPEATED),
        _ => format!("已记录资产 {code} 的盘点结果"),
    });
    check_page(
        &session,
        db,
        id,
        q.unwrap_or(""),
        flash.as_deref().map(|f| (true, f)),
        Status::Ok,
    )
    .await
}

async fn check_page(
    session: &Session,
    db: &Db,
    id: &str,
    q: &str,
    flash: Option<(bool, &str)>,
    status: Status,
) -> Result<RawHtml<String>, PageError> {
    let (campaign, tally) = load(db, session, id).await?;
    let text = q.trim().to_owned();
    if text.chars().any(char::is_control) {
        // As every search (`q` of the lists): a control character is refused, not
        // searched for (a NUL would not even reach the database).
        let back = format!("{}/check", campaign_link(&campaign));
        return Err(message_page(
            Status::BadRequest,
            "请求参数无效",
            "q 不能含有控制字符",
            (&back, "返回"),
        ));
    }
    let found = if text.is_empty() {
        Vec::new()
    } else {
        let (scope, campaign) = (session.0.scope.clone(), campaign.clone());
        let text = text.clone();
        db.run(move |conn| search(conn, &scope, &campaign, &text, FOUND_AT_MOST))
            .await
            .map_err(internal)?
    };
    let action = format!("{}/check", campaign_link(&campaign));
    let body = html! {
        p { "已盘 " (tally.total.checked()) " / 应盘 " (tally.total.assets) " 项" }
        @if campaign.status == CampaignStatus::Closed {
            p { "这次盘点已结束，不能再记录结果。" }
        } @else {
            form method="get" action=(action) class="filters" {
                label { "资产编号或名称" input type="search" name="q" value=(text) required autocomplete="off"; }
                button type="submit" { "查找" }
            }
            @if !text.is_empty() && found.is_empty() {
                p { "没有找到编号或名称含“" (text) "”的资产。" }
            }
            @for item in &found {
                (result_form(&action, &text, item))
            }
        }
        p { a href=(campaign_link(&campaign)) { "返回盘点进度" } }
    };
    let html = page(
        &session.0,
        "/stocktakes",
        &format!("现场盘点 · {}", campaign.name),
        flash,
        body,
    );
    if status == Status::Ok {
        Ok(html)
    } else {
        Err(PageError::page(status, html))
    }
}

fn result_form(action: &str, q: &str, item: &ChecklistItem) -> Markup {
    let today = today_in_china().format("%Y-%m-%d").to_string();
    html! {
        form method="post" action=(action) enctype="multipart/form-data" class="entry-form stocktake-result" {
            h3 { (item.asset_code) " " (item.asset_name) }
            p {
                (item.class_label()) "　" (item.town) (item.village) "　所有权人：" (item.owner_name)
                "　价值 " (shown::yuan(item.value_fen)) " 元"
                @if let Some(day) = &item.checked_on { "　已记录：" (item.result_label()) "（" (day) "）" }
            }
            input type="hidden" name="asset_code" value=(item.asset_code);
            (form_key::fresh_hidden())
            input type="hidden" name="q" value=(q);
            label { "盘点结果"
                select name="result" required {
                    option value="" { "请选择" }
                    (options(&InspectionResult::choices(), None))
                }
            }
            label { "盘点日期" input type="date" name="checked_on" value=(today) required; }
            label { "备注" input type="text" name="note"; }
            label { "现场照片（可不传）" input type="file" name="photo" accept="image/*" capture="environment"; }
            div { button type="submit" { "记录" } }
        }
    }
}

/// The phone page's form: one result, and the photo taken on site if any.
#[derive(FromForm)]
pub struct CheckForm<'r> {
    asset_code: Option<String>,
    result: Option<String>,
    checked_on: Option<String>,
    note: Option<String>,
    q: Option<String>,
    form_key: Option<String>,
    photo: Option<TempFile<'r>>,
}

/// Records one result from the phone page, with its photo stored as an attachment the
/// inspection entry cites (the photo is kept only when the result is recorded).
#[post("/stocktakes/<id>/check", data = "<form>")]
pub async fn record_check(
    session: Session,
    id: &str,
    form: Form<CheckForm<'_>>,
    db: &State<Db>,
) -> Result<Redirect, PageError> {
    require(&session, Access::Write)?;
    let form = form.into_inner();
    let form_key = form_key::checked(form.form_key.as_deref())?;
    let field = |value: &Option<String>| value.clone().filter(|v| !v.trim().is_empty());
    let photo = match form.photo.as_ref().and_then(|file| file.path()) {
        Some(path) => Some(rocket::tokio::fs::read(path).await.map_err(internal)?),
        None => None,
    }
    .filter(|bytes| !bytes.is_empty());
    let photo_name = form
        .photo
        .as_ref()
        .and_then(|file| file.raw_name())
        .map(|name| name.dangerous_unsafe_unsanitized_raw().as_str().to_owned());
    let photo_name = crate::api::attachments::filename_of(photo_name.as_deref())
        .unwrap_or_else(|_| "盘点照片".to_owned());
    let input = ResultInput {
        origin: Some(Origin::Index(0)),
        asset_code: field(&form.asset_code),
        result: field(&form.result),
        checked_on: field(&form.checked_on),
        note: field(&form.note),
        attachments: None,
        refused: Vec::new(),
    };
    let q = field(&form.q).unwrap_or_default();
    // A repeated form sends the same fields and photo: its key is answered as before.
    let asked = json!([
        input.asset_code,
        input.result,
        input.checked_on,
        input.note,
        q,
        photo.as_deref().map(attachments::digest)
    ]);
    let keyed = Keyed::of_caller(
        form_key,
        &session.0,
        &format!("POST /stocktakes/{id}/check"),
        &asked.to_string(),
    );
    let (scope, actor, key) = (
        session.0.scope.clone(),
        session.0.name.clone(),
        id.to_owned(),
    );
    let code = input.asset_code.clone().unwrap_or_default();
    let recorded = db
        .run(move |conn| {
            let repeated = answered(conn, &keyed).map_err(internal)?;
            let written = keyed_write(conn, &keyed, ChainLock::Always, |conn| {
                let mut input = input;
                if let Some(bytes) = &photo {
                    let (stored, _) = attachments::store(conn, bytes, &photo_name, &actor)?;
                    input.attachments = Some(json!([stored.sha256]));
                }
                let upload = CheckedUpload::of(vec![input], None);
                let recorded = record(conn, &scope, &actor, &key, &upload);
                Ok((
                    201,
                    json!({"recorded": recorded.map_err(Refused::Write)?.count}),
                ))
            });
            Ok::<_, PageError>(written.map(|_| repeated))
        })
        .await?;
    match recorded {
        Ok(repeated) => Ok(Redirect::to(format!(
            "/stocktakes/{}/check?q={}&done={}{}",
            encode(id),
            encode(&q),
            encode(&code),
            if repeated { "&repeated=true" } else { "" }
        ))),
        Err(Refused::Failed(e)) => Err(internal(e)),
        Err(refused) => {
            let message = match refused {
                Refused::Write(e) => page_error(e)?,
                _ => form_key::REUSED.to_owned(),
            };
            Err(
                match check_page(
                    &session,
                    db,
                    id,
                    &q,
                    Some((false, &message)),
                    Status::UnprocessableEntity,
                )
                .await
                {
                    Ok(_) => internal("a refused result rendered as success"),
                    Err(page) => page,
                },
            )
        }
    }
}
