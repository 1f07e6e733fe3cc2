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
const NAV: [(&str, &str, Access, bool); 6] = [
    ("/", "概览", Access::Read, false),
    ("/imports", "导入", Access::Read, false),
    ("/assets", "资产台账", Access::Read, false),
    ("/reconcile", "对账", Access::Read, true),
    ("/findings", "审计发现", Access::Review, false),
    ("/verify", "校验", Access::Audit, true),
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

#[cfg(test)]
pub(crate) mod tests;
