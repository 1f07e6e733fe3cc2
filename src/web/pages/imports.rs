//! 导入: choose a file, preview it as a dry run, read the errors, commit; the history
//! of batches and the errors of each.

use maud::{html, Markup};
use rocket::response::content::RawHtml;
use rocket::{get, State};

use super::{internal, PageError};
use crate::auth::Access;
use crate::db::Db;
use crate::domain::error_labels::{error_label, ERROR_LABELS};
use crate::domain::Scope;
use crate::import::batch::BatchRow;
use crate::import::RowError;
use crate::web::session::Session;
use crate::web::view::{header_row, number_cell, page, scroll_table};

/// What the import page shows.
struct ImportsPage {
    /// Whether the caller may import (the file form is shown).
    can_import: bool,
    /// The batch whose errors were asked for.
    detail: Option<BatchErrors>,
    /// The latest batches, newest first.
    history: Vec<BatchLine>,
}

/// The errors of one batch.
struct BatchErrors {
    id: String,
    error_count: i64,
    errors: Vec<RowError>,
}

/// One batch in the history.
struct BatchLine {
    id: String,
    created_at: String,
    filename: Option<String>,
    committed: bool,
    encoding: String,
    data_rows: i64,
    projects_created: i64,
    assets_created: i64,
    rows_unchanged: i64,
    error_count: i64,
    actor: String,
}

/// The import page; `batch` shows one batch's errors.
#[get("/imports?<batch>")]
pub async fn imports(
    session: Session,
    batch: Option<&str>,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    let can_import = session.0.role.allows(Access::Write);
    let view = load(db, session.0.scope.clone(), batch, can_import).await?;
    Ok(page(&session.0, "/imports", "导入", None, render(&view)))
}

/// Reads the latest 50 batches `scope` sees, and the errors of `batch` when asked for.
async fn load(
    db: &Db,
    scope: Scope,
    batch: Option<&str>,
    can_import: bool,
) -> Result<ImportsPage, PageError> {
    let selected = batch.map(str::to_owned);
    let (history, detail) = db
        .run(move |conn| {
            let history = BatchRow::list(conn, &scope, None, 50).map_err(internal)?;
            let detail = match selected {
                Some(id) => match BatchRow::find(conn, &scope, &id).map_err(internal)? {
                    Some(row) => Some(row.to_report(conn, false).map_err(internal)?),
                    None => None,
                },
                None => None,
            };
            Ok::<_, PageError>((history, detail))
        })
        .await?;
    Ok(ImportsPage {
        can_import,
        detail: detail.map(|report| BatchErrors {
            id: report.id.unwrap_or_default(),
            error_count: report.error_count,
            errors: report.errors,
        }),
        history: history.into_iter().map(batch_line).collect(),
    })
}

fn batch_line(row: BatchRow) -> BatchLine {
    BatchLine {
        committed: row.status == crate::import::BatchStatus::Committed,
        created_at: crate::domain::shown::china_time(&row.created_at),
        id: row.id,
        filename: row.filename,
        encoding: row.encoding,
        data_rows: row.data_rows,
        projects_created: row.projects_created,
        assets_created: row.assets_created,
        rows_unchanged: row.rows_unchanged,
        error_count: row.error_count,
        actor: row.actor,
    }
}

fn render(view: &ImportsPage) -> Markup {
    html! {
        @if view.can_import {
            (import_form())
        }
        @if let Some(detail) = &view.detail {
            (batch_errors(detail))
        }
        h2 { "导入记录" }
        (scroll_table(
            header_row(&[
                ("时间", false),
                ("文件", false),
                ("状态", false),
                ("编码", false),
                ("数据行", true),
                ("新增项目", true),
                ("新增资产", true),
                ("未变", true),
                ("错误", true),
                ("经办", false),
            ]),
            html! {
                @for batch in &view.history {
                    (batch_row(batch))
                }
            },
        ))
    }
}

/// The file form; `/static/import.js` sends the file to the API and draws the result.
fn import_form() -> Markup {
    html! {
        form id="import-form" class="card" data-error-labels=(error_labels_json()) {
            label {
                "资产登记表（Excel 工作簿 .xlsx/.xls、WPS/LibreOffice .ods，或 CSV：GBK 与 UTF-8 均可）"
                input type="file" name="file" accept=".xlsx,.xls,.ods,.csv,text/csv" required;
            }
            label {
                "工作表（不填则导入第一个工作表）"
                input type="text" name="sheet" autocomplete="off";
            }
            p {
                button type="submit" { "试导入（只校验，不写入）" }
                " "
                button type="button" id="import-commit" hidden { "确认导入" }
            }
        }
        div id="import-result" {}
        p id="import-history-link" hidden { a href="/imports" { "刷新导入记录" } }
        script src="/static/import.js" {}
    }
}

/// The error codes' Chinese names as a JSON object, for the page's script.
fn error_labels_json() -> String {
    let labels: serde_json::Map<String, serde_json::Value> = ERROR_LABELS
        .iter()
        .map(|(code, label)| ((*code).to_owned(), serde_json::Value::from(*label)))
        .collect();
    serde_json::Value::Object(labels).to_string()
}

fn batch_errors(detail: &BatchErrors) -> Markup {
    html! {
        @if detail.error_count == 0 {
            h2 { "批次 " (detail.id) "：没有错误" }
        } @else {
            h2 { "批次 " (detail.id) " 的错误（共 " (detail.error_count) " 处）" }
        }
        (scroll_table(
            header_row(&[("行", false), ("列", false), ("错误类型", false), ("说明", false)]),
            html! {
                @for error in &detail.errors {
                    tr {
                        td class="n" {
                            @match error.line {
                                Some(line) => (line),
                                None => "—",
                            }
                        }
                        td { (error.column.as_deref().unwrap_or("—")) }
                        td title=(error.code) { (error_label(error.code)) }
                        td { (error.message) }
                    }
                }
            },
        ))
    }
}

fn batch_row(batch: &BatchLine) -> Markup {
    html! {
        tr {
            td { (batch.created_at) }
            td { (batch.filename.as_deref().unwrap_or("—")) }
            td {
                @if batch.committed {
                    span class="ok" { "已导入" }
                } @else {
                    span class="bad" { "被拒绝" }
                }
            }
            td { (batch.encoding) }
            (number_cell(batch.data_rows))
            (number_cell(batch.projects_created))
            (number_cell(batch.assets_created))
            (number_cell(batch.rows_unchanged))
            td class="n" {
                @if batch.error_count > 0 {
                    a href={ "/imports?batch=" (batch.id) } { (batch.error_count) }
                } @else {
                    "0"
                }
            }
            td { (batch.actor) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::view::tests::{assert_escaped, hostile};

    fn view(can_import: bool) -> ImportsPage {
        ImportsPage {
            can_import,
            detail: Some(BatchErrors {
                id: hostile("id"),
                error_count: 2,
                errors: vec![
                    RowError::cell(3, &hostile("column"), "required", hostile("message")),
                    RowError::file(None, None, "empty_file", "空".to_owned()),
                ],
            }),
            history: vec![BatchLine {
                id: hostile("batch"),
                created_at: hostile("time"),
                filename: Some(hostile("file")),
                committed: false,
                encoding: hostile("encoding"),
                data_rows: 4,
                projects_created: 0,
                assets_created: 0,
                rows_unchanged: 0,
                error_count: 2,
                actor: hostile("actor"),
            }],
        }
    }

    #[test]
    fn batches_and_their_errors_are_escaped() {
        let html = render(&view(true)).into_string();
        assert_escaped(
            &html,
            &[
                "id", "column", "message", "batch", "time", "file", "encoding", "actor",
            ],
        );
        assert!(html.contains("<tr><td class=\"n\">3</td><td>"));
        assert!(html.contains(
            "<tr><td class=\"n\">—</td><td>—</td><td title=\"empty_file\">文件为空</td><td>空</td></tr>"
        ));
        assert!(html.contains("<td><span class=\"bad\">被拒绝</span></td>"));
    }

    #[test]
    fn only_writers_get_the_file_form() {
        let clerk = render(&view(true)).into_string();
        assert!(clerk.contains(
            "<label>资产登记表（Excel 工作簿 .xlsx/.xls、WPS/LibreOffice .ods，或 CSV：GBK 与 UTF-8 均可）<input type=\"file\" name=\"file\" accept=\".xlsx,.xls,.ods,.csv,text/csv\" required></label><label>工作表（不填则导入第一个工作表）<input type=\"text\" name=\"sheet\" autocomplete=\"off\"></label><p><button type=\"submit\">试导入（只校验，不写入）</button> <button type=\"button\" id=\"import-commit\" hidden>确认导入</button></p></form><div id=\"import-result\"></div><p id=\"import-history-link\" hidden><a href=\"/imports\">刷新导入记录</a></p><script src=\"/static/import.js\"></script>"
        ));
        let reader = render(&view(false)).into_string();
        assert!(!reader.contains("<form") && !reader.contains("<script"));
    }
}
