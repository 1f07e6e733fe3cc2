//! 导入: choose a file, preview it as a dry run, read the errors, commit; the history
//! of batches and the errors of each.

use rocket::response::content::RawHtml;
use rocket::{get, State};

use super::{internal, PageError};
use crate::auth::Access;
use crate::db::Db;
use crate::import::batch::BatchRow;
use crate::web::session::Session;
use crate::web::view::{escape, or_dash, page};

/// The import page; `batch` shows one batch's errors.
#[get("/imports?<batch>")]
pub async fn imports(
    session: Session,
    batch: Option<&str>,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    let selected = batch.map(str::to_owned);
    let (history, detail) = db
        .run(move |conn| {
            let history = BatchRow::list(conn, None, 50).map_err(internal)?;
            let detail = match selected {
                Some(id) => match BatchRow::find(conn, &id).map_err(internal)? {
                    Some(row) => Some(row.to_report(conn, false).map_err(internal)?),
                    None => None,
                },
                None => None,
            };
            Ok::<_, PageError>((history, detail))
        })
        .await?;
    let mut body = String::new();
    if session.0.role.allows(Access::Write) {
        body.push_str(
            "<form id=\"import-form\" class=\"card\"><label>资产登记表（CSV：Excel 另存为的 GBK 或 UTF-8 均可）\
             <input type=\"file\" name=\"file\" accept=\".csv,text/csv\" required></label>\
             <p><button type=\"submit\">试导入（只校验，不写入）</button> \
             <button type=\"button\" id=\"import-commit\" hidden>确认导入</button></p></form>\
             <div id=\"import-result\"></div>\
             <p id=\"import-history-link\" hidden><a href=\"/imports\">刷新导入记录</a></p>\
             <script src=\"/static/import.js\"></script>",
        );
    }
    if let Some(report) = detail {
        body.push_str(&format!(
            "<h2>批次 {} 的错误（共 {} 处）</h2>",
            escape(report.id.as_deref().unwrap_or_default()),
            report.error_count
        ));
        body.push_str("<div class=\"scroll\"><table><thead><tr><th>行</th><th>列</th><th>代码</th><th>说明</th></tr></thead><tbody>");
        for error in &report.errors {
            body.push_str(&format!(
                "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                error.line.map_or_else(|| "—".to_owned(), |l| l.to_string()),
                or_dash(error.column.as_deref()),
                escape(error.code),
                escape(&error.message)
            ));
        }
        body.push_str("</tbody></table></div>");
    }
    body.push_str("<h2>导入记录</h2><div class=\"scroll\"><table><thead><tr><th>时间</th><th>文件</th><th>状态</th><th>编码</th>\
                   <th class=\"n\">数据行</th><th class=\"n\">新增项目</th><th class=\"n\">新增资产</th><th class=\"n\">未变</th><th class=\"n\">错误</th><th>经办</th></tr></thead><tbody>");
    for row in &history {
        let status = if row.status == crate::import::BatchStatus::Committed {
            "<span class=\"ok\">已导入</span>"
        } else {
            "<span class=\"bad\">被拒绝</span>"
        };
        let errors = if row.error_count > 0 {
            format!(
                "<a href=\"/imports?batch={}\">{}</a>",
                escape(&row.id),
                row.error_count
            )
        } else {
            "0".to_owned()
        };
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{status}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{errors}</td><td>{}</td></tr>",
            escape(&row.created_at.replace('T', " ")[..row.created_at.len().min(19)]),
            or_dash(row.filename.as_deref()),
            escape(&row.encoding),
            row.data_rows,
            row.projects_created,
            row.assets_created,
            row.rows_unchanged,
            escape(&row.actor)
        ));
    }
    body.push_str("</tbody></table></div>");
    Ok(page(&session.0, "/imports", "导入", None, &body))
}
