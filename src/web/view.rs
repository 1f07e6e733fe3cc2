//! The page frame and the small components every page uses (money in 万元 and 元,
//! labels of codes, tables, pagers, option lists), as maud templates: every value
//! spliced into them is escaped, and every attribute value is double-quoted.

use maud::{html, Markup, PreEscaped, Render};
use rocket::response::content::RawHtml;

use crate::auth::{Access, Caller};
use crate::domain::shown;
use crate::domain::Vocabulary;

/// The doctype, in the lower case the pages have always been served with (maud's own
/// `DOCTYPE` constant is upper case).
// Safe unescaped: a constant, no value of the register or the request reaches it.
const DOCTYPE: PreEscaped<&str> = PreEscaped("<!doctype html>");

/// The navigation: path, label, the access a link needs, and whether it needs county
/// scope.
const NAV: &[(&str, &str, Access, bool)] = &[
    ("/", "概览", Access::Read, false),
    ("/imports", "导入", Access::Read, false),
    ("/projects", "项目", Access::Read, false),
    ("/assets", "资产台账", Access::Read, false),
    ("/reconcile", "对账", Access::Read, true),
    ("/findings", "审计发现", Access::Review, false),
    ("/households", "分户收益", Access::Review, false),
    ("/stocktakes", "年度盘点", Access::Review, false),
    ("/proposals", "待审批", Access::Review, false),
    ("/verify", "校验", Access::Audit, true),
    ("/access-log", "访问记录", Access::Audit, true),
];

/// A page for a signed-in user, with the navigation its role and scope allow, its name,
/// role and scope,
/// the title as heading, a flash message (`(ok, text)`) when given, and `body`.
pub fn page(
    caller: &Caller,
    active: &str,
    title: &str,
    flash: Option<(bool, &str)>,
    body: Markup,
) -> RawHtml<String> {
    let header = html! {
        nav {
            @for (path, label, _, _) in NAV.iter().filter(|(_, _, access, county)| {
                caller.role.allows(*access) && (!county || caller.scope.county().is_some())
            }) {
                a href=(path) class=[(*path == active).then_some("active")] { (label) }
            }
        }
        div class="who" {
            span { (caller.name) "（" (caller.role.label()) "）" }
            span class="scope" title=(caller.scope.to_string()) { "范围：" (caller.scope.label()) }
            form method="post" action="/logout" {
                button class="secondary" type="submit" { "退出" }
            }
        }
    };
    let content = html! {
        @if let Some((ok, text)) = flash {
            (flash_message(ok, text))
        }
        (body)
    };
    document(title, Some(header), content)
}

/// A page without navigation (sign-in, errors).
pub fn bare_page(title: &str, body: Markup) -> RawHtml<String> {
    document(title, None, body)
}

/// The document around every page: head, the top bar (with `header` after the brand
/// when given), and `main` with the title as heading.
fn document(title: &str, header: Option<Markup>, content: Markup) -> RawHtml<String> {
    let markup = html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · 扶贫项目资产登记" }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                header class="top" {
                    a class="brand" href="/" { "扶贫项目资产登记" }
                    @if let Some(header) = header {
                        (header)
                    }
                }
                main {
                    h1 { (title) }
                    (content)
                }
            }
        }
    };
    RawHtml(markup.into_string())
}

/// A message above the page: green when `ok`, red otherwise.
pub fn flash_message(ok: bool, text: &str) -> Markup {
    html! {
        p class=(if ok { "flash ok" } else { "flash bad" }) { (text) }
    }
}

/// Two cells: the amount in 万元 and in 元, as a person reads them.
pub fn money_cells(fen: i64) -> Markup {
    html! {
        (number_cell(shown::wan(fen)))
        (number_cell(shown::yuan(fen)))
    }
}

/// A right-aligned cell of a number.
pub fn number_cell(value: impl Render) -> Markup {
    html! {
        td class="n" { (value) }
    }
}

/// A table that scrolls sideways on a narrow screen: `head` is the rows of its
/// `thead`, `rows` those of its `tbody`.
pub fn scroll_table(head: Markup, rows: Markup) -> Markup {
    html! {
        div class="scroll" {
            table {
                thead { (head) }
                tbody { (rows) }
            }
        }
    }
}

/// A row of header cells, right-aligned for the columns of numbers (`numeric`).
pub fn header_row(columns: &[(&str, bool)]) -> Markup {
    html! {
        tr {
            @for (label, numeric) in columns {
                th class=[numeric.then_some("n")] { (label) }
            }
        }
    }
}

/// The links between pages of a list: (address, label) for each.
pub fn pager(links: &[(String, &str)]) -> Markup {
    html! {
        div class="pager" {
            @for (href, label) in links {
                a href=(href) { (label) }
            }
        }
    }
}

/// Where a numbered list stands: the page shown (from 1), how many pages there are, the
/// address of each page linked by number, and that of the next page when one follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pages {
    /// The page shown, from 1.
    pub current: i64,
    /// How many pages the list has (at least 1).
    pub last: i64,
    /// (number, address) of the pages linked: the first, the last and those near the
    /// current one (see [`page_window`]), in order.
    pub links: Vec<(i64, String)>,
    /// The address of the page after this one, when one follows.
    pub next: Option<String>,
}

/// The page numbers a pager links: the first, the last, and two either side of
/// `current`, in order.
pub fn page_window(current: i64, last: i64) -> Vec<i64> {
    let mut numbers: Vec<i64> = [1, last]
        .into_iter()
        .chain(current - 2..=current + 2)
        .filter(|n| (1..=last).contains(n))
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// The links between pages of a numbered list: 第一页 and 上一页 after the first page,
/// the page numbers (the current one unlinked, gaps shown as …), 下一页, and the count
/// of pages.
pub fn numbered_pager(pages: &Pages) -> Markup {
    let href = |number: i64| {
        pages
            .links
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, href)| href.as_str())
    };
    let mut shown = Vec::new();
    let mut previous = 0;
    for (number, link) in &pages.links {
        if *number > previous + 1 {
            shown.push(None);
        }
        shown.push(Some((*number, link.as_str())));
        previous = *number;
    }
    html! {
        nav class="pager" aria-label="分页" {
            @if pages.current > 1 {
                @if let Some(first) = href(1) { a href=(first) { "第一页" } }
                @if let Some(previous) = href(pages.current - 1) { a href=(previous) { "上一页" } }
            }
            @for item in &shown {
                @match item {
                    Some((number, _)) if *number == pages.current => {
                        span class="current" aria-current="page" { (number) }
                    }
                    Some((number, link)) => { a href=(link) { (number) } }
                    None => { span class="muted" { "…" } }
                }
            }
            @if let Some(next) = &pages.next { a href=(next) { "下一页" } }
            span class="muted" { "共 " (pages.last) " 页" }
        }
    }
}

/// A button that prints the page (with the print stylesheet, which leaves out the menu,
/// the forms and the pager); `/static/print.js` makes it work.
pub fn print_button() -> Markup {
    html! {
        button type="button" class="secondary print" data-print { "打印" }
        script src="/static/print.js" {}
    }
}

/// The options of a `select`: (value, label) for each, `selected` marked.
pub fn options(choices: &[(&str, &str)], selected: Option<&str>) -> Markup {
    html! {
        @for (value, label) in choices {
            option value=(value) selected[selected == Some(*value)] { (label) }
        }
    }
}

/// An amount string of yuan (`"1234.50"`, maybe signed) as fen.
pub fn fen_of(amount: &str) -> i64 {
    crate::domain::money::parse_signed_yuan(amount).unwrap_or_default()
}

/// Yuan text as the JSON carries it (`1234567.80`) as people read it: `1,234,567.80`
/// (`domain::shown`); text that is no amount is shown as it is.
pub fn grouped(yuan: &str) -> String {
    crate::domain::money::parse_signed_yuan(yuan).map_or_else(|| yuan.to_owned(), shown::yuan)
}

/// The Chinese label of a class.
pub fn class_label(class: &str) -> &'static str {
    crate::domain::AssetClass::parse(class).map_or("未知", |c| c.label())
}

/// The Chinese label of an owner type.
pub fn owner_type_label(owner_type: &str) -> &'static str {
    crate::domain::OwnerType::parse(owner_type).map_or("未知", |t| t.label())
}

/// The Chinese label of a status.
pub fn status_label(status: &str) -> &'static str {
    crate::domain::AssetStatus::parse(status).map_or("未知", |s| s.label())
}

/// The Chinese label of a ledger entry kind.
pub fn kind_label(kind: &str) -> &'static str {
    crate::ledger::entry::EntryKind::parse(kind).map_or("其他", |k| k.label())
}

/// Percent-encodes a query value or a path segment.
pub fn encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte))
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

pub mod chart;

#[cfg(test)]
pub(crate) mod tests;
