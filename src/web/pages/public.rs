//! `/public/{镇街}/{村}`: a village's public notice (公示) as a page anyone may open,
//! print or read on a phone; no sign-in, no navigation, never an ID or phone number.
//! Mounted only when the setting `public` is on (`serve --public`).

use maud::{html, Markup};
use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::{get, State};

use super::{internal, PageError};
use crate::approvals::public::village_notice_with_open;
use crate::db::Db;
use crate::register::public::{NoticeError, PublicDistributionLine, VillageNotice, NOTICE_MONTHS};
use crate::web::view::{bare_page, grouped, header_row, scroll_table};

/// The village's notice.
#[get("/public/<town>/<village>")]
pub async fn village(
    town: &str,
    village: &str,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    let (town, village) = (town.to_owned(), village.to_owned());
    // A name no scope can hold (a control character) is no village: not found.
    let found = db
        .run(
            move |conn| match village_notice_with_open(conn, &town, &village) {
                Err(NoticeError::Place(_)) => Ok(None),
                found => found.map_err(internal),
            },
        )
        .await?;
    match found {
        Some(notice) => Ok(bare_page(
            &format!("{}{}扶贫项目资产公示", notice.town, notice.village),
            render(&notice),
        )),
        None => Err(PageError::page(
            Status::NotFound,
            bare_page("未找到", html! { p { "没有这个村的资产公示。" } }),
        )),
    }
}

fn render(notice: &VillageNotice) -> Markup {
    html! {
        p class="muted" { "截至 " (notice.as_of) "（北京时间）。金额单位：元。" }
        section id="assets" {
            h2 { "资产（" (notice.assets.len()) " 项）" }
            (scroll_table(
                header_row(&[("资产编号", false), ("资产名称", false), ("资产类别", false),
                    ("资产价值（元）", true), ("所有权人", false), ("管护主体", false)]),
                html! {
                    @for asset in &notice.assets {
                        tr {
                            td { (asset.code) }
                            td { (asset.name) }
                            td { (asset.class_label) }
                            td class="n" { (grouped(&asset.value)) }
                            td { (asset.owner_name) }
                            td { (asset.custodian.as_deref().unwrap_or("未落实")) }
                        }
                    }
                },
            ))
        }
        section id="income" {
            h2 { "近 " (NOTICE_MONTHS) " 个月的经营收益" }
            @if notice.income.is_empty() {
                p class="muted" { "暂无收益记录。" }
            } @else {
                (scroll_table(
                    header_row(&[("日期", false), ("资产编号", false), ("收益期间", false), ("金额（元）", true)]),
                    html! {
                        @for line in &notice.income {
                            tr {
                                td { (line.occurred_on) }
                                td { (line.asset_code) }
                                td { (line.period) }
                                td class="n" { (grouped(&line.amount)) }
                            }
                        }
                    },
                ))
            }
        }
        section id="distributions" {
            h2 { "近 " (NOTICE_MONTHS) " 个月的收益分配（到户名单）" }
            @if notice.distributions.is_empty() {
                p class="muted" { "暂无收益分配记录。" }
            } @else {
                @for distribution in &notice.distributions {
                    h3 { (distribution.occurred_on) " " (distribution.asset_code) " 分配 " (grouped(&distribution.amount)) " 元" }
                    (household_lines(&distribution.lines))
                }
            }
        }
        section id="notices" {
            h2 { "正在公示的事项" }
            @if notice.notices.is_empty() {
                p class="muted" { "暂无正在公示的事项。" }
            } @else {
                @for item in &notice.notices {
                    h3 { (item.subject) }
                    p {
                        "公示地点：" (item.place) "；公示期：" (item.starts_on) " 至 " (item.ends_on)
                        @if let Some(amount) = &item.amount { "；金额 " (grouped(amount)) " 元" }
                        @if let Some(period) = &item.period { "（" (period) "）" }
                    }
                    @if !item.lines.is_empty() {
                        (household_lines(&item.lines))
                    }
                }
            }
        }
        section id="ledger" {
            h2 { "台账校验点" }
            p {
                "第 " (notice.ledger_head.seq) " 条"
                @if let Some(hash) = &notice.ledger_head.hash {
                    "，哈希 " code { (hash) }
                }
            }
        }
    }
}

/// The households of a distribution or a notice and what each is paid.
fn household_lines(lines: &[PublicDistributionLine]) -> Markup {
    scroll_table(
        header_row(&[("户主", false), ("金额（元）", true)]),
        html! {
            @for line in lines {
                tr { td { (line.name) } td class="n" { (grouped(&line.amount)) } }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_by_thousands() {
        assert_eq!(grouped("369800000.00"), "369,800,000.00");
        assert_eq!(grouped("999.50"), "999.50");
        assert_eq!(grouped("-1234.00"), "-1,234.00");
    }
}
