//! The page frame and the small helpers every page uses: escaping, money in 万元 and
//! 元, labels of codes, tables.

use rocket::response::content::RawHtml;

use crate::auth::{Access, Caller};
use crate::domain::money::{signed_wan, signed_yuan};

pub use crate::reconcile::html::escape;

/// The navigation: path, label, and the access a link needs.
const NAV: [(&str, &str, Access); 6] = [
    ("/", "概览", Access::Read),
    ("/imports", "导入", Access::Read),
    ("/assets", "资产台账", Access::Read),
    ("/reconcile", "对账", Access::Read),
    ("/findings", "审计发现", Access::Audit),
    ("/verify", "校验", Access::Audit),
];

/// A page for a signed-in user, with the navigation and its role.
pub fn page(
    caller: &Caller,
    active: &str,
    title: &str,
    flash: Option<(bool, &str)>,
    body: &str,
) -> RawHtml<String> {
    let nav: String = NAV
        .iter()
        .filter(|(_, _, access)| caller.role.allows(*access))
        .map(|(path, label, _)| {
            let class = if *path == active {
                " class=\"active\""
            } else {
                ""
            };
            format!("<a href=\"{path}\"{class}>{label}</a>")
        })
        .collect();
    let flash = flash.map_or_else(String::new, |(ok, text)| {
        format!(
            "<p class=\"flash {}\">{}</p>",
            if ok { "ok" } else { "bad" },
            escape(text)
        )
    });
    RawHtml(format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · 扶贫项目资产登记</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body>\
         <header class=\"top\"><a class=\"brand\" href=\"/\">扶贫项目资产登记</a><nav>{nav}</nav>\
         <div class=\"who\"><span>{}（{}）</span><form method=\"post\" action=\"/logout\"><button class=\"secondary\" type=\"submit\">退出</button></form></div></header>\
         <main><h1>{}</h1>{flash}{body}</main></body></html>",
        escape(title),
        escape(&caller.name),
        role_label(caller),
        escape(title)
    ))
}

/// A page without navigation (sign-in, errors).
pub fn bare_page(title: &str, body: &str) -> RawHtml<String> {
    RawHtml(format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · 扶贫项目资产登记</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body>\
         <header class=\"top\"><a class=\"brand\" href=\"/\">扶贫项目资产登记</a></header><main><h1>{}</h1>{body}</main></body></html>",
        escape(title),
        escape(title)
    ))
}

fn role_label(caller: &Caller) -> &'static str {
    match caller.role.as_str() {
        "reader" => "只读",
        "clerk" => "经办",
        "auditor" => "审计",
        _ => "管理员",
    }
}

/// Two cells: the amount in 万元 (four decimals) and in 元.
pub fn money_cells(fen: i64) -> String {
    format!(
        "<td class=\"n\">{}</td><td class=\"n\">{}</td>",
        signed_wan(fen),
        signed_yuan(fen)
    )
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

/// Text of an optional value, `—` when absent.
pub fn or_dash(value: Option<&str>) -> String {
    value.map_or_else(|| "—".to_owned(), escape)
}

/// Percent-encodes a query value.
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
