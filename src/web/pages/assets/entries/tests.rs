//! Unit tests of `entries`.

use serde_json::json;

use super::*;
use crate::web::view::tests::{assert_escaped, escaped, hostile};

fn attempt(kind: &str, values: &[(&str, String)], errors: Vec<FieldError>) -> Attempt {
    Attempt {
        kind: kind.to_owned(),
        values: values
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
        errors,
    }
}

fn render(code: &str, kinds: &[EntryKind], attempt: Option<&Attempt>) -> String {
    let mut forms = entry_forms(kinds, attempt, "2021-06-30", None);
    for form in &mut forms {
        assert!(uuid::Uuid::parse_str(&form.key).is_ok(), "{}", form.key);
        form.key = format!("key-{}", form.kind.as_str());
    }
    render_forms(code, &forms).into_string()
}

#[test]
fn an_empty_form_has_every_field_of_its_kind_and_today() {
    assert_eq!(
            render("A&1", &[EntryKind::Inspection], None),
            "<h2>记录管护台账</h2><form method=\"post\" action=\"/assets/A%261/attachments\" enctype=\"multipart/form-data\" class=\"card filters\"><label>附件（合同、决议、照片等）<input type=\"file\" name=\"file\" required></label><button type=\"submit\" class=\"secondary\">上传附件</button><span class=\"muted\">上传后，其 SHA-256 自动填入下面各表单的“附件”栏。</span></form><details class=\"entry-form\" data-kind=\"inspection\"><summary>巡查</summary><form method=\"post\" action=\"/assets/A%261/entries\"><input type=\"hidden\" name=\"kind\" value=\"inspection\"><input type=\"hidden\" name=\"form_key\" value=\"key-inspection\"><label>业务日期<input type=\"date\" name=\"occurred_on\" value=\"2021-06-30\" required></label><label>结果<select name=\"result\"><option value=\"\"></option><option value=\"normal\">正常</option><option value=\"idle\">闲置</option><option value=\"damaged\">损毁</option><option value=\"missing\">缺失</option></select></label><label>说明<input type=\"text\" name=\"note\" value=\"\"></label><label>附件（SHA-256，多个以空格分开）<input type=\"text\" name=\"attachments\" value=\"\"></label><div><button type=\"submit\">记录巡查</button></div></form></details>"
        );
}

#[test]
fn a_failed_form_holds_its_values_and_errors_escaped() {
    let failed = attempt(
        "ownership_transferred",
        &[
            ("occurred_on", hostile("date")),
            ("owner_name", hostile("owner-name")),
            ("owner_type", "household".to_owned()),
            ("owner_id_number", hostile("id")),
            ("document_no", hostile("document")),
        ],
        vec![
            FieldError::new("occurred_on", "invalid_date", hostile("date-error")),
            FieldError::new("owner", "required", hostile("owner-error")),
            FieldError::new("owner.id_number", "invalid", hostile("id-error")),
            FieldError::new("", "rule", hostile("general")),
            FieldError::new("kind", "unknown_kind", hostile("kind-error")),
        ],
    );
    let kinds = [EntryKind::Maintenance, EntryKind::OwnershipTransferred];
    let html = render(&hostile("code"), &kinds, Some(&failed));
    assert_escaped(
        &html,
        &[
            "date",
            "owner-name",
            "id",
            "document",
            "date-error",
            "owner-error",
            "id-error",
            "general",
            "kind-error",
        ],
    );
    assert!(html.contains("action=\"/assets/%3Cscript%3Ealert%281%29%3C%2Fscript%3E%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%26amp%3Bcode/entries\""));
    // Only the failed kind's form is open and holds the values; the other keeps today.
    assert!(html.contains("<details class=\"entry-form\" data-kind=\"maintenance\"><summary>"));
    assert!(html.contains("name=\"occurred_on\" value=\"2021-06-30\" required></label>"));
    assert!(html.contains(&format!(
            "<details class=\"entry-form\" data-kind=\"ownership_transferred\" open><summary>产权转移</summary><p class=\"field-error\">{}</p><p class=\"field-error\">{}</p><form",
            escaped("general"),
            escaped("kind-error")
        )));
    assert!(html.contains(&format!(
            "<label>业务日期<input type=\"date\" name=\"occurred_on\" value=\"{}\" required class=\"invalid\"><span class=\"field-error\">{}</span></label>",
            escaped("date"),
            escaped("date-error")
        )));
    // A group's error shows beside its first member.
    assert!(html.contains(&format!(
            "<label>新所有权人名称<input type=\"text\" name=\"owner_name\" value=\"{}\" class=\"invalid\"><span class=\"field-error\">{}</span></label>",
            escaped("owner-name"),
            escaped("owner-error")
        )));
    assert!(html.contains(
            "<label>新所有权人类型<select name=\"owner_type\"><option value=\"\"></option><option value=\"village_collective\">村集体</option><option value=\"household\" selected>农户</option>"
        ));
    assert!(html.contains(&format!(
            "<input type=\"text\" name=\"owner_id_number\" value=\"{}\" class=\"invalid\"><span class=\"field-error\">{}</span>",
            escaped("id"),
            escaped("id-error")
        )));
}

#[test]
fn a_value_that_is_no_choice_selects_nothing() {
    let failed = attempt(
        "inspection",
        &[("result", hostile("result"))],
        vec![FieldError::new("result", "invalid_value", "结果无效")],
    );
    let html = render("A-1", &[EntryKind::Inspection], Some(&failed));
    assert!(!html.contains("selected") && !html.contains("alert"));
    assert!(html.contains("<select name=\"result\" class=\"invalid\"><option value=\"\"></option>"));
    assert!(html.contains("</select><span class=\"field-error\">结果无效</span></label>"));
}

#[test]
fn a_form_reads_back_into_the_body_the_api_takes() {
    let form: HashMap<String, String> = [
        ("kind", "ownership_transferred"),
        ("occurred_on", "2021-01-01"),
        ("owner_name", " 李四 "),
        ("owner_type", "household"),
        ("owner_id_number", ""),
        ("document_no", "转字1号"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(
        body_of(&form),
        json!({
            "kind": "ownership_transferred",
            "occurred_on": "2021-01-01",
            "owner": {"name": "李四", "type": "household"},
            "document_no": "转字1号"
        })
    );
    let numbers: HashMap<String, String> =
        [("kind", "correction"), ("corrects", "12"), ("reason", "x")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
    assert_eq!(
        body_of(&numbers),
        json!({"kind": "correction", "corrects": 12, "reason": "x"})
    );
}
