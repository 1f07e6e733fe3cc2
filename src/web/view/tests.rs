//! The frame and the components escape what they are given; and the hostile text
//! every page's render test feeds its fields.

use maud::html;

use super::*;
use crate::auth::Role;

/// Text an attacker might enter in a field, marked with the field's name so a test
/// can tell which field came out where.
pub(crate) fn hostile(field: &str) -> String {
    format!("<script>alert(1)</script>\"><img src=x onerror=alert(1)>&amp;{field}")
}

/// [`hostile`] text as it must come out of a page: every special character escaped.
pub(crate) fn escaped(field: &str) -> String {
    format!("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;{field}")
}

/// Asserts that each of `fields` given as [`hostile`] text shows escaped in `html`, and
/// that no element an attacker wrote made it in.
pub(crate) fn assert_escaped(html: &str, fields: &[&str]) {
    for field in fields {
        assert!(html.contains(&escaped(field)), "{field} escaped in {html}");
    }
    assert!(
        !html.contains("<script>alert") && !html.contains("<img"),
        "no markup from the text in {html}"
    );
}

fn caller(name: &str, role: Role) -> Caller {
    Caller {
        token_id: "t1".to_owned(),
        name: name.to_owned(),
        role,
        scope: crate::domain::Scope::County,
    }
}

#[test]
fn the_frame_escapes_the_title_the_name_and_the_flash() {
    let page = page(
        &caller(&hostile("name"), Role::Clerk),
        "/assets",
        &hostile("title"),
        Some((false, &hostile("flash"))),
        html! { p { (hostile("body")) } },
    )
    .0;
    assert_escaped(&page, &["name", "title", "flash", "body"]);
    assert!(page.starts_with("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"));
    assert!(page.contains(&format!(
        "<title>{} · 扶贫项目资产登记</title>",
        escaped("title")
    )));
    assert!(page.contains(&format!("<span>{}（经办）</span>", escaped("name"))));
    assert!(page.contains(&format!("<p class=\"flash bad\">{}</p>", escaped("flash"))));
}

#[test]
fn the_navigation_follows_the_role_and_marks_the_page() {
    let reader = page(
        &caller("读者", Role::Reader),
        "/assets",
        "资产台账",
        None,
        html! {},
    )
    .0;
    assert!(reader.contains(
        "<nav><a href=\"/\">概览</a><a href=\"/imports\">导入</a><a href=\"/projects\">项目</a><a href=\"/assets\" class=\"active\">资产台账</a><a href=\"/reconcile\">对账</a></nav>"
    ));
    assert!(!reader.contains("/findings") && !reader.contains("flash"));
    let auditor = page(
        &caller("审计", Role::Auditor),
        "/verify",
        "校验",
        Some((true, "好")),
        html! {},
    )
    .0;
    assert!(auditor.contains(
        "<a href=\"/verify\" class=\"active\">校验</a><a href=\"/access-log\">访问记录</a></nav>"
    ));
    assert!(auditor.contains(
        "<form method=\"post\" action=\"/logout\"><button class=\"secondary\" type=\"submit\">退出</button></form>"
    ));
    assert!(auditor.contains("<main><h1>校验</h1><p class=\"flash ok\">好</p></main>"));
}

#[test]
fn the_bare_page_has_no_navigation() {
    let page = bare_page(&hostile("title"), html! { p { "x" } }).0;
    assert_escaped(&page, &["title"]);
    assert!(page.contains("<header class=\"top\"><a class=\"brand\" href=\"/\">扶贫项目资产登记</a></header><main><h1>"));
    assert!(!page.contains("<nav>"));
}

#[test]
fn attribute_values_are_always_double_quoted() {
    // A quote of either kind cannot end the value: `"` is escaped, and `'` is only a
    // character inside a double-quoted value (so maud need not escape it, as the
    // hand-written escape did).
    let markup = html! { a href=("' onmouseover='alert(1)") title=(hostile("t")) { "x" } };
    assert_eq!(
        markup.into_string(),
        format!(
            "<a href=\"' onmouseover='alert(1)\" title=\"{}\">x</a>",
            escaped("t")
        )
    );
}

#[test]
fn components_escape_their_text() {
    let link = hostile("href");
    let html = html! {
        (flash_message(true, &hostile("flash")))
        (number_cell(hostile("cell")))
        (header_row(&[(&hostile("head"), true), ("名称", false)]))
        (pager(&[(link, "下一页")]))
        select { (options(&[("a", &hostile("option"))], Some("a"))) }
        (scroll_table(html! { (hostile("thead")) }, html! { (hostile("tbody")) }))
    }
    .into_string();
    assert_escaped(
        &html,
        &["flash", "cell", "head", "href", "option", "thead", "tbody"],
    );
}

#[test]
fn components_write_the_markup_pages_had() {
    assert_eq!(
        money_cells(-123_456).into_string(),
        "<td class=\"n\">-0.123456</td><td class=\"n\">-1,234.56</td>"
    );
    assert_eq!(
        header_row(&[("类别", false), ("项目数", true)]).into_string(),
        "<tr><th>类别</th><th class=\"n\">项目数</th></tr>"
    );
    assert_eq!(
        options(&[("operating", "经营性"), ("household", "到户类")], Some("household")).into_string(),
        "<option value=\"operating\">经营性</option><option value=\"household\" selected>到户类</option>"
    );
    assert_eq!(
        pager(&[("/findings?kind=unconfirmed&page=2".to_owned(), "下一页")]).into_string(),
        "<div class=\"pager\"><a href=\"/findings?kind=unconfirmed&amp;page=2\">下一页</a></div>"
    );
    assert_eq!(
        scroll_table(html! { tr { th { "a" } } }, html! {}).into_string(),
        "<div class=\"scroll\"><table><thead><tr><th>a</th></tr></thead><tbody></tbody></table></div>"
    );
}

#[test]
fn query_values_are_percent_encoded() {
    assert_eq!(encode("镇 a&b"), "%E9%95%87%20a%26b");
}
