//! The 对账 page's declarations list and form: what was entered is escaped, and the
//! form is offered to writers only, with the usual scopes.

use super::*;
use crate::web::view::tests::{assert_escaped, hostile};

fn error(line: Option<u64>, field: String, message: String) -> DeclarationError {
    DeclarationError {
        line,
        field,
        code: "invalid_amount",
        message,
    }
}

/// Scopes as the form would offer them for a register of one town.
fn scopes() -> Vec<(String, String)> {
    ["total", "class:operating", "town:桑镇"]
        .into_iter()
        .filter_map(|code| Scope::parse(code).ok())
        .map(|scope| (scope.to_string(), scope.label()))
        .collect()
}

#[test]
fn the_list_and_the_form_escape_what_was_entered() {
    let fields = ["name", "as_of", "projects0", "amount0", "amount7"];
    let values: HashMap<String, String> = fields
        .into_iter()
        .map(|field| (field.to_owned(), hostile(field)))
        .collect();
    let errors = [
        error(Some(2), hostile("field"), hostile("message")),
        error(None, "name".to_owned(), "必填".to_owned()),
    ];
    let view = DeclarationsPage {
        stored: vec![DeclarationLine {
            id: hostile("id"),
            name: hostile("stored"),
            as_of: hostile("date"),
            actor: hostile("actor"),
            created_at: hostile("created_at"),
        }],
        form: Some(DeclarationForm::new(&values, &errors, scopes())),
    };
    let html = render_declarations(&view).into_string();
    assert_escaped(&html, &fields);
    assert_escaped(
        &html,
        &[
            "field",
            "message",
            "id",
            "stored",
            "date",
            "actor",
            "created_at",
        ],
    );
    assert!(html.contains("<li>第 2 行 "));
    assert!(html.contains("<li><span title=\"name\">申报名称</span>：必填</li>"));
}

#[test]
fn the_form_offers_the_usual_scopes_and_only_writers_get_it() {
    let form = DeclarationForm::new(&HashMap::new(), &[], scopes());
    let html = declaration_form(&form).into_string();
    assert!(!html.contains("field-error"));
    assert!(html.contains(
        "<tr><td><select name=\"scope1\"><option value=\"\">（不填）</option><option value=\"total\">合计（全部项目资金）</option><option value=\"class:operating\" selected>经营性资产</option><option value=\"town:桑镇\">镇街：桑镇</option></select></td><td><input name=\"projects1\" value=\"\" inputmode=\"numeric\"></td><td><input name=\"amount1\" value=\"\" inputmode=\"decimal\" placeholder=\"0.00\"></td></tr>"
    ));
    assert!(html.contains("<select name=\"scope7\"><option value=\"\">（不填）</option><option value=\"total\">合计（全部项目资金）</option><option value=\"class:operating\">"));
    assert!(html.contains(
        "<form method=\"post\" action=\"/reconcile/upload\" enctype=\"multipart/form-data\" class=\"card filters\">"
    ));
    let reader = render_declarations(&DeclarationsPage {
        stored: Vec::new(),
        form: None,
    })
    .into_string();
    assert!(reader.contains("<tr><td colspan=\"4\" class=\"muted\">尚无申报</td></tr>"));
    assert!(!reader.contains("<form"));
}
