//! Corrections of entries that needed approval: a correction of an approved disposal
//! waits for the town's and the county's approval like the disposal (202, nothing in
//! the ledger, the asset disposed until the last step), is refused at once when it
//! would be refused on append, is checked again when the last step approves, and reads
//! 更正（处置） on the pages; a correction of a maintenance entry, or any correction
//! with approvals off, appends at once.

use asset_registry::auth::Role;
use rocket::http::Status;
use serde_json::{json, Value};

use super::support::TestApp;
use super::{
    approve, days_ago, disposal, entry, page_text, problem, send, setup, token, visible, written,
};

/// The approvers of TEA-1 (in 柳镇): the town's and the county's.
fn approvers(app: &TestApp) -> (String, String) {
    (
        token(app, Role::Approver, "town:柳镇", "柳镇王审批"),
        token(app, Role::Approver, "county", "县李审批"),
    )
}

/// The proposal id of a 202.
fn proposal_id(reply: &super::support::Reply) -> String {
    assert_eq!(reply.status, Status::Accepted, "{}", reply.body);
    reply.body["proposal_id"]
        .as_str()
        .expect("proposal_id")
        .to_owned()
}

/// Disposes of TEA-1 through its proposal, notice and both steps: the disposal's seq.
fn approved_disposal(app: &TestApp) -> i64 {
    let (town, county) = approvers(app);
    let id = proposal_id(&entry(app, "TEA-1", &disposal()));
    let notice = send(
        app,
        "/api/v1/notices",
        &app.clerk,
        &json!({"proposal_id": id, "place": "北村村务公开栏", "starts_on": days_ago(10)}),
        None,
    );
    assert_eq!(notice.status, Status::Created, "{}", notice.body);
    let reply = approve(app, &id, &town, json!({"step": "town"}));
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    let reply = approve(app, &id, &county, json!({"step": "county"}));
    assert_eq!(reply.body["status"], "approved", "{}", reply.body);
    assert_eq!(asset_status(app), "disposed");
    reply.body["entry_seq"].as_i64().expect("seq")
}

fn correction(corrects: i64) -> Value {
    json!({"kind": "correction", "occurred_on": "2023-07-01", "corrects": corrects, "reason": "处置批复撤销"})
}

fn asset_status(app: &TestApp) -> Value {
    app.get("/api/v1/assets/TEA-1", Some(&app.auditor)).body["status"].clone()
}

/// The last entry of TEA-1's ledger.
fn last_entry(app: &TestApp) -> Value {
    app.get("/api/v1/assets/TEA-1/ledger", Some(&app.auditor))
        .body["items"]
        .as_array()
        .and_then(|items| items.last())
        .cloned()
        .expect("entry")
}

pub fn a_correction_of_an_approved_disposal_waits_for_both_steps(app: &TestApp) {
    setup(app);
    let disposed = approved_disposal(app);
    let (town, county) = approvers(app);
    let before = (written(app).0, visible(app));

    let reply = entry(app, "TEA-1", &correction(disposed));
    let id = proposal_id(&reply);
    assert_eq!(
        reply.body,
        json!({"proposal_id": id, "status": "pending", "steps": ["town", "county"]})
    );
    assert_eq!((written(app).0, visible(app)), before, "nothing written");
    assert_eq!(asset_status(app), "disposed");
    let view = app.get(&format!("/api/v1/proposals/{id}"), Some(&app.auditor));
    assert_eq!(view.status, Status::Ok, "{}", view.body);
    assert_eq!(
        (
            view.body["kind"].clone(),
            view.body["corrects_kind"].clone()
        ),
        (json!("correction"), json!("disposed"))
    );
    assert_eq!(view.body["next_step"], "town");

    // The pages name it 更正（处置）, in Chinese only.
    let clerk = app.signed_in(&app.clerk);
    let (status, listed) = page_text(&clerk, "/proposals");
    assert_eq!(status, Status::Ok);
    assert!(listed.contains("更正（处置）"), "{listed}");
    let (_, page) = page_text(&clerk, &format!("/proposals/{id}"));
    assert!(
        page.contains("更正（处置）：TEA-1")
            && page.contains("更正第 ")
            && page.contains("更正无须公示"),
        "{page}"
    );
    assert!(
        !page.contains(">correction") && !page.contains(">disposed"),
        "{page}"
    );
    let (_, asset) = page_text(&clerk, "/assets/TEA-1");
    assert!(asset.contains("更正（处置）（待审批）"), "{asset}");

    // The proposer cannot approve their own correction under any token.
    let own = token(app, Role::Approver, "county", "test-clerk");
    let state = written(app);
    let (code, _) = problem(&approve(app, &id, &own, json!({})), Status::Forbidden);
    assert_eq!(code, "own_proposal");
    assert_eq!(written(app), state);

    // The town's step: still disposed, nothing in the ledger.
    let reply = approve(app, &id, &town, json!({"step": "town"}));
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    assert_eq!(reply.body["next_step"], "county");
    assert_eq!((written(app).0, visible(app)), before);
    assert_eq!(asset_status(app), "disposed");
    // The town's approver cannot take the county's step.
    let (code, _) = problem(&approve(app, &id, &town, json!({})), Status::Conflict);
    assert_eq!(code, "wrong_step");

    // The county's step appends it (no notice needed for a correction): live again.
    let reply = approve(app, &id, &county, json!({"step": "county"}));
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    assert_eq!(reply.body["status"], "approved");
    let seq = reply.body["entry_seq"].as_i64().expect("seq");
    assert_eq!(asset_status(app), "confirmed");
    let last = last_entry(app);
    assert_eq!(last["seq"], seq);
    assert_eq!(last["kind"], "correction");
    assert_eq!(last["occurred_on"], "2023-07-01");
    assert_eq!(last["actor"], "test-clerk");
    assert_eq!(last["data"]["corrects"], disposed);
    let approvals: Vec<(Value, Value)> = last["data"]["approvals"]
        .as_array()
        .expect("approvals")
        .iter()
        .map(|a| (a["level"].clone(), a["by"].clone()))
        .collect();
    assert_eq!(
        approvals,
        [
            (json!("town"), json!("柳镇王审批")),
            (json!("county"), json!("县李审批"))
        ]
    );
    let verify = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verify.body["ok"], true, "{}", verify.body);
    app.assert_summary_consistent();

    // Undoing the correction disposes of the asset again: it waits for the same steps.
    let reply = entry(app, "TEA-1", &correction(seq));
    proposal_id(&reply);
    assert_eq!(reply.body["steps"], json!(["town", "county"]));
    assert_eq!(asset_status(app), "confirmed");
}

pub fn a_correction_of_an_ungated_entry_appends_at_once(app: &TestApp) {
    setup(app);
    let reply = entry(
        app,
        "TEA-1",
        &json!({"kind": "maintenance", "occurred_on": "2023-01-05", "description": "更换电机"}),
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let maintenance = reply.body["seq"].as_i64().expect("seq");
    let reply = entry(app, "TEA-1", &correction(maintenance));
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(reply.body["kind"], "correction");
    assert_eq!(reply.body["data"]["corrects"], maintenance);
    assert!(reply.body["data"].get("approvals").is_none());
    assert_eq!(written(app).1, Vec::new(), "no proposal");
    // An entry already corrected is not corrected twice (its correction is).
    let state = written(app);
    let corrected_by = reply.body["seq"].as_i64().expect("seq");
    let (code, detail) = problem(
        &entry(app, "TEA-1", &correction(maintenance)),
        Status::UnprocessableEntity,
    );
    assert_eq!(code, "already_corrected");
    assert_eq!(
        detail,
        format!("资产 TEA-1 的第 {maintenance} 条已由第 {corrected_by} 条更正，不能再次更正；如需撤销那次更正，请更正第 {corrected_by} 条")
    );
    assert_eq!(written(app), state);
    let verify = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verify.body["ok"], true, "{}", verify.body);
}

pub fn with_approvals_off_a_correction_of_a_disposal_appends_at_once(app: &TestApp) {
    // TestApp::new turns approvals off when the test names no setting.
    let app = &TestApp::new(app.backend, None);
    setup(app);
    let reply = entry(app, "TEA-1", &disposal());
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let disposed = reply.body["seq"].as_i64().expect("seq");
    assert_eq!(asset_status(app), "disposed");
    let reply = entry(app, "TEA-1", &correction(disposed));
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(reply.body["kind"], "correction");
    assert!(reply.body["data"].get("approvals").is_none());
    assert_eq!(asset_status(app), "confirmed");
    assert_eq!(written(app).1, Vec::new(), "no proposal");
    app.assert_summary_consistent();
}

pub fn a_bad_correction_is_refused_when_proposed(app: &TestApp) {
    setup(app);
    let disposed = approved_disposal(app);
    let (town, county) = approvers(app);
    let income_of_pv1 = app
        .get("/api/v1/assets/PV-1/ledger", Some(&app.auditor))
        .body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|e| e["kind"] == "income"))
        .and_then(|e| e["seq"].as_i64())
        .expect("income");
    let registered = app
        .get("/api/v1/assets/TEA-1/ledger", Some(&app.auditor))
        .body["items"][0]["seq"]
        .as_i64()
        .expect("registered");
    let state = written(app);
    for (corrects, code) in [
        (999, "unknown_entry"),
        (income_of_pv1, "unknown_entry"),
        (registered, "cannot_correct_registration"),
    ] {
        let (got, _) = problem(
            &entry(app, "TEA-1", &correction(corrects)),
            Status::UnprocessableEntity,
        );
        assert_eq!(got, code, "corrects {corrects}");
        assert_eq!(written(app), state, "nothing written for {corrects}");
    }
    // Two proposals correcting the disposal: the first approved, the second is
    // refused when its last step would append it.
    let first = proposal_id(&entry(app, "TEA-1", &correction(disposed)));
    let second = proposal_id(&entry(app, "TEA-1", &correction(disposed)));
    for id in [&first, &second] {
        let reply = approve(app, id, &town, json!({}));
        assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    }
    let reply = approve(app, &first, &county, json!({}));
    assert_eq!(reply.body["status"], "approved", "{}", reply.body);
    let corrected_by = reply.body["entry_seq"].as_i64().expect("seq");
    let state = written(app);
    let expected = format!("资产 TEA-1 的第 {disposed} 条已由第 {corrected_by} 条更正，不能再次更正；如需撤销那次更正，请更正第 {corrected_by} 条");
    let (code, detail) = problem(
        &approve(app, &second, &county, json!({})),
        Status::UnprocessableEntity,
    );
    assert_eq!(
        (code.as_str(), detail.as_str()),
        ("already_corrected", expected.as_str())
    );
    assert_eq!(written(app), state, "no decision, no entry");
    let view = app.get(&format!("/api/v1/proposals/{second}"), Some(&app.auditor));
    assert_eq!(view.body["status"], "pending");
    assert_eq!(view.body["next_step"], "county");
    // A new correction of the disposal is refused at once, before any proposal.
    let (code, detail) = problem(
        &entry(app, "TEA-1", &correction(disposed)),
        Status::UnprocessableEntity,
    );
    assert_eq!(
        (code.as_str(), detail.as_str()),
        ("already_corrected", expected.as_str())
    );
    assert_eq!(written(app), state);
    // The web form refuses it beside the field, and writes nothing either.
    let (status, _, html) = correction_form(&app.signed_in(&app.clerk), disposed, "再次撤销");
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(html.contains("不能再次更正"), "{html}");
    assert_eq!(written(app), state);
    let verify = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verify.body["ok"], true, "{}", verify.body);
}

pub fn the_web_form_proposes_a_correction_of_a_disposal(app: &TestApp) {
    setup(app);
    let disposed = approved_disposal(app);
    let before = written(app).0;
    let clerk = app.signed_in(&app.clerk);
    let (status, location, _) = correction_form(&clerk, disposed, "处置批复撤销");
    assert_eq!(status, Status::SeeOther);
    assert!(
        location.starts_with("/proposals/") && location.ends_with("?done=proposed"),
        "{location}"
    );
    let (_, html) = page_text(&clerk, &location);
    assert!(
        html.contains("已提交审批")
            && html.contains("更正（处置）")
            && html.contains("县级审批：待审批"),
        "{html}"
    );
    assert_eq!(written(app).0, before, "nothing in the ledger");
    assert_eq!(asset_status(app), "disposed");
}

/// The printable notice of a correction of an approved disposal is titled as the
/// correction of a disposal (更正（处置）公示), not with the bare 更正; the disposal's own
/// notice stays 处置公示.
pub fn a_notice_of_a_correction_prints_as_a_correction_of_its_kind(app: &TestApp) {
    setup(app);
    let disposed = approved_disposal(app);
    let id = proposal_id(&entry(app, "TEA-1", &correction(disposed)));
    let notice = send(
        app,
        "/api/v1/notices",
        &app.clerk,
        &json!({"proposal_id": id, "place": "北村村务公开栏", "starts_on": days_ago(1)}),
        None,
    );
    assert_eq!(notice.status, Status::Created, "{}", notice.body);
    let notice_id = notice.body["id"].as_str().expect("id").to_owned();
    let disposal_notice: String = {
        use asset_registry::db::schema::notices;
        use diesel::prelude::*;
        let mut conn = app.db.conn().expect("connection");
        notices::table
            .filter(notices::id.ne(&notice_id))
            .select(notices::id)
            .first(&mut *conn)
            .expect("the disposal's notice")
    };
    let clerk = app.signed_in(&app.clerk);
    let title = |html: &str| -> String {
        html.split_once("<title>")
            .and_then(|(_, rest)| rest.split_once(" · "))
            .unwrap_or_else(|| panic!("no title in {html}"))
            .0
            .to_owned()
    };
    let (status, printed) = page_text(&clerk, &format!("/notices/{notice_id}/print"));
    assert_eq!(status, Status::Ok, "{printed}");
    assert_eq!(
        title(&printed),
        "兴平县柳镇北村更正（处置）公示",
        "{printed}"
    );
    assert!(
        printed.contains("<h1>兴平县柳镇北村更正（处置）公示</h1>")
            && printed.contains("事项：更正（处置）：")
            && !printed.contains("更正公示"),
        "{printed}"
    );
    let (status, printed) = page_text(&clerk, &format!("/notices/{disposal_notice}/print"));
    assert_eq!(status, Status::Ok, "{printed}");
    assert_eq!(title(&printed), "兴平县柳镇北村处置公示", "{printed}");
}

/// Posts TEA-1's entry form correcting entry `seq` for `reason` as `clerk`: the status,
/// the `Location` (empty without one) and the page.
fn correction_form(
    clerk: &rocket::local::blocking::Client,
    seq: i64,
    reason: &str,
) -> (Status, String, String) {
    super::post_form(
        clerk,
        "/assets/TEA-1/entries",
        &[
            ("kind", "correction"),
            ("occurred_on", "2023-07-01"),
            ("corrects", &seq.to_string()),
            ("reason", reason),
        ],
    )
}
