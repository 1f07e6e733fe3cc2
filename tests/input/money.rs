//! Issue #19 item 2: single amounts past the documented bound are `amount_too_large`,
//! and no write may push a maintained figure past 64-bit fen; the totals, the overview
//! and the summary keep answering.

use rocket::http::{ContentType, Status};
use serde_json::{json, Value};

use crate::support::TestApp;
use crate::{csv, first_error, page, row};

/// The documented bound of one amount: 100万亿元, in 万元.
const BOUND_WAN: &str = "10000000000";

/// Everything a later read serves from the maintained figures still answers.
fn reads_still_answer(app: &TestApp) {
    for group_by in ["class", "town", "village", "year"] {
        let reply = app.get(
            &format!("/api/v1/totals?group_by={group_by}"),
            Some(&app.reader),
        );
        assert_eq!(reply.status, Status::Ok, "{group_by}: {}", reply.body);
    }
    let (status, html) = page(app, "/");
    assert_eq!(status, Status::Ok, "{html}");
    let findings = app.get("/api/v1/findings", Some(&app.auditor));
    assert_eq!(findings.status, Status::Ok, "{}", findings.body);
    app.assert_summary_consistent();
    let verify = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verify.body["ok"], true, "{}", verify.body);
}

fn assert_import_refused(app: &TestApp, bytes: &[u8], expected: (Option<u64>, &str, &str)) {
    let before = app.register_state();
    let reply = app.import(bytes, false);
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    let (line, column, code) = first_error(&reply.body);
    assert_eq!(
        (line, column.as_deref(), code.as_deref()),
        (expected.0, Some(expected.1), Some(expected.2)),
        "{}",
        reply.body
    );
    assert_eq!(app.register_state(), before, "nothing may be written");
}

/// The probe's two rows of 5×10¹⁶ yuan (in 元 and in 万元), a project's funds past the
/// bound, and an amount too long for 64 bits at all.
pub fn amounts_past_the_bound_are_refused_on_import(app: &TestApp) {
    let huge_wan = "5000000000000"; // 5×10¹⁶ yuan
    let bytes = csv(&[row(&[(12, huge_wan)]), row(&[(7, "P1-02"), (12, huge_wan)])]);
    assert_import_refused(app, &bytes, (Some(2), "资产价值(万元)", "amount_too_large"));
    let reply = app.import(&bytes, false);
    assert_eq!(reply.body["error_count"], 2, "{}", reply.body);
    let message = reply.body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("100万亿元"), "{message}");

    let yuan = String::from_utf8(csv(&[row(&[(12, "50000000000000000")])]))
        .unwrap_or_default()
        .replace("资产价值(万元)", "资产价值(元)");
    assert_import_refused(
        app,
        yuan.as_bytes(),
        (Some(2), "资产价值(元)", "amount_too_large"),
    );
    assert_import_refused(
        app,
        &csv(&[row(&[(5, "10000000000.000001")])]),
        (Some(2), "项目资金(万元)", "amount_too_large"),
    );
    assert_import_refused(
        app,
        &csv(&[row(&[(12, "99999999999999999999999")])]),
        (Some(2), "资产价值(万元)", "amount_too_large"),
    );
    // The bound itself is accepted.
    let reply = app.import(&csv(&[row(&[(5, BOUND_WAN), (12, BOUND_WAN)])]), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    reads_still_answer(app);
}

/// 923 assets at the bound add up past 64-bit fen: refused whole, naming the figure.
pub fn an_import_that_would_wrap_the_totals_is_refused(app: &TestApp) {
    let rows: Vec<String> = (0..923)
        .map(|i| {
            let project = format!("W{i:04}");
            let asset = format!("W{i:04}-01");
            row(&[(0, &project), (5, "0"), (7, &asset), (12, BOUND_WAN)])
        })
        .collect();
    let before = app.register_state();
    let reply = app.import(&csv(&rows), false);
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    let (_, column, code) = first_error(&reply.body);
    assert_eq!(
        (column.as_deref(), code.as_deref()),
        (Some("资产价值(万元)"), Some("total_too_large")),
        "{}",
        reply.body
    );
    assert_eq!(app.register_state(), before);
    // 922 of them fit; one more, in a later import, does not.
    let reply = app.import(&csv(&rows[..922]), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let before = app.register_state();
    let reply = app.import(&csv(&rows[922..]), false);
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    assert_eq!(
        first_error(&reply.body).2.as_deref(),
        Some("total_too_large")
    );
    assert_eq!(app.register_state(), before);
    reads_still_answer(app);
    let totals = app.totals("class");
    assert_eq!(totals["total"]["asset_value"], "92200000000000000.00");
}

fn append(app: &TestApp, asset: &str, body: Value) -> crate::support::Reply {
    app.post(
        &format!("/api/v1/assets/{asset}/ledger"),
        Some(&app.clerk),
        body.to_string().into_bytes(),
        ContentType::JSON,
    )
}

fn assert_entry_refused(app: &TestApp, asset: &str, body: Value, field: &str, code: &str) {
    let before = app.register_state();
    let reply = append(app, asset, body.clone());
    assert_eq!(
        reply.status,
        Status::UnprocessableEntity,
        "{body}: {}",
        reply.body
    );
    let (_, place, found) = first_error(&reply.body);
    assert_eq!(
        (place.as_deref(), found.as_deref()),
        (Some(field), Some(code)),
        "{body}: {}",
        reply.body
    );
    assert_eq!(app.register_state(), before, "nothing may be written");
}

/// `value_adjusted` to 92233720368547758.07 (i64::MAX fen) and income past the bound
/// are `amount_too_large`; an adjustment within the bound that would push the live
/// value past 64 bits is `total_too_large`.
pub fn entries_past_the_bound_or_wrapping_the_totals_are_refused(app: &TestApp) {
    let rows: Vec<String> = (0..922)
        .map(|i| {
            let project = format!("W{i:04}");
            let asset = format!("W{i:04}-01");
            row(&[(0, &project), (5, "0"), (7, &asset), (12, BOUND_WAN)])
        })
        .chain([row(&[(0, "SMALL"), (7, "SMALL-01"), (12, "1")])])
        .collect();
    let reply = app.import(&csv(&rows), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let max = "92233720368547758.07";
    for kind in [
        json!({"kind": "value_adjusted", "occurred_on": "2021-01-01", "value": max, "reason": "探测"}),
        json!({"kind": "income", "occurred_on": "2021-01-01", "amount": max, "period": "2021"}),
        json!({"kind": "income", "occurred_on": "2021-01-01", "amount": "10000000000000000.01", "period": "2021"}),
    ] {
        let field = if kind["kind"] == "income" {
            "amount"
        } else {
            "value"
        };
        assert_entry_refused(app, "SMALL-01", kind, field, "amount_too_large");
    }
    // Within the bound, but the live value would pass 64-bit fen.
    assert_entry_refused(
        app,
        "SMALL-01",
        json!({"kind": "value_adjusted", "occurred_on": "2021-01-01", "value": "100000000000000.00", "reason": "探测"}),
        "value",
        "total_too_large",
    );
    // Disposing one and bringing it back by correcting the disposal must not wrap either.
    let disposed = append(
        app,
        "W0000-01",
        json!({"kind": "disposed", "occurred_on": "2021-01-01", "method": "scrap", "approval_no": "A1"}),
    );
    assert_eq!(disposed.status, Status::Created, "{}", disposed.body);
    let adjusted = append(
        app,
        "SMALL-01",
        json!({"kind": "value_adjusted", "occurred_on": "2021-01-02", "value": "100000000000000.00", "reason": "核实"}),
    );
    assert_eq!(adjusted.status, Status::Created, "{}", adjusted.body);
    let seq = disposed.body["seq"].as_i64().unwrap_or(0);
    assert_entry_refused(
        app,
        "W0000-01",
        json!({"kind": "correction", "occurred_on": "2021-01-03", "corrects": seq, "reason": "误录"}),
        "corrects",
        "total_too_large",
    );
    reads_still_answer(app);
}

/// A declared amount past the bound names its line and field; nothing is stored.
pub fn declarations_past_the_bound_are_refused(app: &TestApp) {
    let body = json!({"name": "探测", "as_of": "2021-01-01", "lines": [
        {"scope": "total", "projects": 1, "amount": "92233720368547758.07"}
    ]});
    let reply = app.post(
        "/api/v1/declarations",
        Some(&app.clerk),
        body.to_string().into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    let (line, field, code) = first_error(&reply.body);
    assert_eq!(
        (line, field.as_deref(), code.as_deref()),
        (Some(1), Some("lines[0].amount"), Some("amount_too_large")),
        "{}",
        reply.body
    );
    let list = app.get("/api/v1/declarations", Some(&app.reader));
    assert_eq!(list.body["items"], json!([]), "{}", list.body);
}
