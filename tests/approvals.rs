//! Proposals, approvals and notices on SQLite and PostgreSQL: the `approvals` setting
//! (default and empty), 202 pending proposals that change nothing, every rule of
//! approval with its code, Chinese message and nothing written, notices and objections
//! gating the last approval, idempotency keys, many servers approving one step at
//! once with exactly one winner, and corrections of gated entries (`corrections`).

#[path = "approvals/corrections.rs"]
mod corrections;
mod support;

use std::sync::{Arc, Barrier};

use asset_registry::approvals::decide::{decide, Decision};
use asset_registry::approvals::replies::Keyed;
use asset_registry::approvals::ProposalError;
use asset_registry::auth::{self, Caller, Role};
use asset_registry::db::Backend;
use asset_registry::domain::dates::today_in_china;
use asset_registry::domain::Scope;
use diesel::prelude::*;
use rocket::http::{ContentType, Header, Status};
use serde_json::{json, Value};
use support::{Reply, TestApp};

const REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号
P1,光伏电站,2019,桑镇,东村,500000,PV-1,村级光伏电站,经营性,500000,东村股份经济合作社,村集体,,东村村委会,2020-03-05,兴确字(2020)第1号
P2,茶厂,2019,柳镇,北村,300000,TEA-1,茶叶加工厂,经营性,300000,北村股份经济合作社,村集体,,北村村委会,2020-03-05,兴确字(2020)第2号
";

/// The app with the default `approvals` setting, named as `Rocket.toml` would.
fn with_default_approvals(backend: Backend) -> TestApp {
    let figment = rocket::Config::figment()
        .merge(("log_level", "off"))
        .merge(("public", true))
        .merge(("county_name", "兴平县"))
        .merge(("approvals", asset_registry::approvals::policy::DEFAULT));
    TestApp::new(backend, Some(figment))
}

fn token(app: &TestApp, role: Role, scope: &str, name: &str) -> String {
    let mut conn = app.db.conn().expect("connection");
    let scope = Scope::parse(scope).expect("scope");
    auth::create_token(&mut conn, name, role, &scope)
        .expect("token")
        .secret
}

fn send(app: &TestApp, path: &str, token: &str, body: &Value, key: Option<&str>) -> Reply {
    let mut request = app
        .client
        .post(path.to_owned())
        .header(ContentType::JSON)
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .body(body.to_string());
    if let Some(key) = key {
        request = request.header(Header::new("Idempotency-Key", key.to_owned()));
    }
    support::reply_of(request.dispatch())
}

fn entry(app: &TestApp, asset: &str, body: &Value) -> Reply {
    send(
        app,
        &format!("/api/v1/assets/{asset}/ledger"),
        &app.clerk,
        body,
        None,
    )
}

fn approve(app: &TestApp, id: &str, token: &str, body: Value) -> Reply {
    send(
        app,
        &format!("/api/v1/proposals/{id}/approve"),
        token,
        &body,
        None,
    )
}

fn days_ago(days: u64) -> String {
    today_in_china()
        .checked_sub_days(chrono::Days::new(days))
        .expect("date")
        .format("%Y-%m-%d")
        .to_string()
}

fn distribution() -> Value {
    json!({"kind": "income_distributed", "occurred_on": "2022-01-05", "amount": "3000.00",
           "period": "2021", "recipients": 2,
           "lines": [{"name": "张三", "id_number": "11010519491231002X", "amount": "1000.00"},
                     {"name": "李四", "amount": "2000.00"}]})
}

/// Proposes handing TEA-1 to 柳镇集体 on `day` under `document_no` (it waits for the
/// county's approval, with no notice): the proposal's id.
fn transfer_proposed(app: &TestApp, day: &str, document_no: &str) -> String {
    let reply = entry(
        app,
        "TEA-1",
        &json!({"kind": "ownership_transferred", "occurred_on": day,
                "owner": {"name": "柳镇集体", "type": "village_collective"}, "document_no": document_no}),
    );
    reply.body["proposal_id"].as_str().expect("id").to_owned()
}

fn disposal() -> Value {
    json!({"kind": "disposed", "occurred_on": "2023-06-30", "method": "scrap", "approval_no": "兴财〔2023〕9号"})
}

/// The register, income on both assets (appended at once: `income` waits for nobody).
fn setup(app: &TestApp) {
    let reply = app.import(REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    for asset in ["PV-1", "TEA-1"] {
        let reply = entry(
            app,
            asset,
            &json!({"kind": "income", "occurred_on": "2021-12-01", "amount": "50000.00", "period": "2021"}),
        );
        assert_eq!(reply.status, Status::Created, "{}", reply.body);
    }
}

/// The problem's code and detail, after checking its status.
fn problem(reply: &Reply, status: Status) -> (String, String) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(
        reply.content_type.as_deref(),
        Some("application/problem+json")
    );
    let code = reply.body["type"]
        .as_str()
        .unwrap_or_default()
        .trim_start_matches("urn:asset-registry:problem:")
        .to_owned();
    (
        code,
        reply.body["detail"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Everything a decision may write: the register's counts and head, the decisions,
/// the proposals' statuses, the notices and objections.
fn written(app: &TestApp) -> (support::RegisterState, Vec<(String, String)>, i64, i64, i64) {
    use asset_registry::db::schema::{notice_objections, notices, proposal_decisions, proposals};
    let mut conn = app.db.conn().expect("connection");
    let statuses = proposals::table
        .select((proposals::id, proposals::status))
        .order(proposals::id)
        .load(&mut *conn)
        .expect("proposals");
    let decisions = proposal_decisions::table
        .count()
        .get_result(&mut *conn)
        .expect("decisions");
    let notices = notices::table
        .count()
        .get_result(&mut *conn)
        .expect("notices");
    let objections = notice_objections::table
        .count()
        .get_result(&mut *conn)
        .expect("objections");
    drop(conn);
    (
        app.register_state(),
        statuses,
        decisions,
        notices,
        objections,
    )
}

/// What a reader of figures, views and findings sees of the register.
fn visible(app: &TestApp) -> Vec<Value> {
    vec![
        app.totals("class"),
        app.totals("town"),
        app.get("/api/v1/assets/PV-1", Some(&app.auditor)).body,
        app.get("/api/v1/assets/TEA-1", Some(&app.auditor)).body,
        app.get("/api/v1/assets?as_of=2024-01-01", Some(&app.auditor))
            .body,
        app.get("/api/v1/assets/PV-1/ledger", Some(&app.auditor))
            .body,
        app.get("/api/v1/findings", Some(&app.auditor)).body,
    ]
}

fn an_empty_setting_appends_at_once(app: &TestApp) {
    // TestApp::new turns approvals off when the test names no setting.
    let app = &TestApp::new(app.backend, None);
    setup(app);
    let reply = entry(app, "PV-1", &distribution());
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(reply.body["kind"], "income_distributed");
    assert!(reply.body["data"].get("approvals").is_none());
    let reply = entry(app, "TEA-1", &disposal());
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
}

fn a_proposal_changes_nothing_else(app: &TestApp) {
    setup(app);
    let before = (written(app).0, visible(app));
    let reply = entry(app, "PV-1", &distribution());
    assert_eq!(reply.status, Status::Accepted, "{}", reply.body);
    let id = reply.body["proposal_id"].as_str().expect("id").to_owned();
    assert_eq!(
        reply.body,
        json!({"proposal_id": id, "status": "pending", "steps": ["town"]})
    );
    let reply = entry(app, "TEA-1", &disposal());
    assert_eq!(reply.body["steps"], json!(["town", "county"]));
    let reply = entry(
        app,
        "TEA-1",
        &json!({"kind": "ownership_transferred", "occurred_on": "2023-01-01",
                "owner": {"name": "柳镇集体", "type": "village_collective"}, "document_no": "X1"}),
    );
    assert_eq!(reply.body["steps"], json!(["county"]));
    assert_eq!((written(app).0, visible(app)), before);
    app.assert_summary_consistent();
    // A proposal is checked against the ledger's rules first: too much distributed.
    let mut greedy = distribution();
    greedy["amount"] = json!("60000.00");
    greedy["lines"] = json!([{"name": "张三", "amount": "60000.00"}]);
    let (code, detail) = problem(&entry(app, "PV-1", &greedy), Status::UnprocessableEntity);
    assert_eq!(code, "overdistributed");
    assert_eq!(
        detail,
        "累计分配收益 60,000.00 元将超过累计经营收益 50,000.00 元"
    );
    assert_eq!(written(app).1.len(), 3);
    // Unknown asset: 404, nothing written.
    let (code, _) = problem(&entry(app, "NOPE", &distribution()), Status::NotFound);
    assert_eq!(code, "not_found");
    assert_eq!(written(app).1.len(), 3);
}

fn readers_see_no_proposals_and_auditors_read_them(app: &TestApp) {
    setup(app);
    entry(app, "TEA-1", &disposal());
    let (code, _) = problem(
        &app.get("/api/v1/proposals", Some(&app.reader)),
        Status::Forbidden,
    );
    assert_eq!(code, "forbidden");
    for who in [&app.auditor, &app.clerk] {
        let reply = app.get("/api/v1/proposals?status=pending", Some(who));
        assert_eq!(reply.status, Status::Ok, "{}", reply.body);
        assert_eq!(reply.body["items"].as_array().map(Vec::len), Some(1));
        assert_eq!(reply.body["items"][0]["asset_code"], "TEA-1");
        assert_eq!(reply.body["items"][0]["next_step"], "town");
        assert_eq!(reply.body["items"][0]["proposed_by"], "test-clerk");
    }
    let reply = app.get("/api/v1/proposals?status=approved", Some(&app.auditor));
    assert_eq!(reply.body["items"], json!([]));
    let (code, detail) = problem(
        &app.get("/api/v1/proposals?status=maybe", Some(&app.auditor)),
        Status::BadRequest,
    );
    assert_eq!(code, "bad_parameter");
    assert_eq!(
        detail,
        "status 应为 pending、approved 或 rejected，收到“maybe”"
    );
    // Another town's approver does not see it at all.
    let other = token(app, Role::Approver, "town:桑镇", "桑镇审批");
    let reply = app.get("/api/v1/proposals", Some(&other));
    assert_eq!(reply.body["items"], json!([]));
    let id = app.get("/api/v1/proposals", Some(&app.auditor)).body["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (code, _) = problem(
        &app.get(&format!("/api/v1/proposals/{id}"), Some(&other)),
        Status::NotFound,
    );
    assert_eq!(code, "not_found");
    let (code, _) = problem(&approve(app, &id, &other, json!({})), Status::NotFound);
    assert_eq!(code, "not_found");
}

fn every_rule_of_approval_refuses_with_nothing_written(app: &TestApp) {
    setup(app);
    let id = entry(app, "TEA-1", &disposal()).body["proposal_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let town = token(app, Role::Approver, "town:柳镇", "柳镇王审批");
    let village = token(app, Role::Approver, "village:柳镇/北村", "北村审批");
    let county = token(app, Role::Approver, "county", "县李审批");
    let county_as_town_person = token(app, Role::Approver, "county", "柳镇王审批");
    let proposer_as_approver = token(app, Role::Approver, "county", "test-clerk");
    let mut state = written(app);

    // A clerk is no approver.
    let (code, _) = problem(&approve(app, &id, &app.clerk, json!({})), Status::Forbidden);
    assert_eq!(code, "forbidden");
    // The proposer, under an approver token.
    let (code, detail) = problem(
        &approve(app, &id, &proposer_as_approver, json!({})),
        Status::Forbidden,
    );
    assert_eq!(code, "own_proposal");
    assert_eq!(detail, "“test-clerk”是此事项的提出人，不能审批自己的提议");
    // The county step before the town's.
    let (code, detail) = problem(
        &approve(app, &id, &county, json!({"step": "county"})),
        Status::Conflict,
    );
    assert_eq!(code, "wrong_step");
    assert_eq!(detail, "当前待审批的步骤是镇街审批，不是县级审批");
    // A village scope takes no step.
    let (code, detail) = problem(&approve(app, &id, &village, json!({})), Status::Conflict);
    assert_eq!(code, "wrong_step");
    assert_eq!(
        detail,
        "当前待审批的步骤是镇街审批，需要镇街“柳镇”或全县范围的审批人；此令牌的范围是村：柳镇北村"
    );
    assert_eq!(written(app), state);

    // The town approves its step: nothing enters the ledger yet.
    let reply = approve(app, &id, &town, json!({"step": "town"}));
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    assert_eq!(reply.body["status"], "pending");
    assert_eq!(reply.body["next_step"], "county");
    assert_eq!(reply.body["steps"][0]["status"], "approved");
    assert_eq!(reply.body["steps"][0]["by"], "柳镇王审批");
    assert_eq!(reply.body["steps"][1]["status"], "pending");
    assert_eq!(written(app).0, state.0);
    state = written(app);

    // The town's approver cannot take the county step.
    let (code, detail) = problem(&approve(app, &id, &town, json!({})), Status::Conflict);
    assert_eq!(code, "wrong_step");
    assert_eq!(
        detail,
        "当前待审批的步骤是县级审批，需要全县范围的审批人；此令牌的范围是镇街：柳镇"
    );
    // Nor can the same person under a county token.
    let (code, detail) = problem(
        &approve(app, &id, &county_as_town_person, json!({})),
        Status::UnprocessableEntity,
    );
    assert_eq!(code, "same_approver");
    assert_eq!(
        detail,
        "“柳镇王审批”已审批此事项的镇街审批，同一人不能审批两个步骤"
    );
    // A disposal needs a notice that has run, without open objections.
    let (code, detail) = problem(
        &approve(app, &id, &county, json!({})),
        Status::UnprocessableEntity,
    );
    assert_eq!(code, "notice_required");
    assert_eq!(
        detail,
        "处置和收益分配须先公示：请先为此事项登记公示（地点、起始日期、天数）"
    );
    assert_eq!(written(app), state);
    let today = days_ago(0);
    let reply = send(
        app,
        "/api/v1/notices",
        &app.clerk,
        &json!({"proposal_id": id, "place": "北村村务公开栏", "starts_on": today}),
        None,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(reply.body["days"], 7);
    let ends = reply.body["ends_on"].as_str().expect("ends").to_owned();
    assert_eq!(
        ends,
        today_in_china()
            .checked_add_days(chrono::Days::new(6))
            .expect("d")
            .format("%Y-%m-%d")
            .to_string()
    );
    state = written(app);
    let (code, detail) = problem(
        &approve(app, &id, &county, json!({})),
        Status::UnprocessableEntity,
    );
    assert_eq!(code, "notice_period_not_elapsed");
    assert_eq!(detail, format!("公示期未满：公示至 {ends}，期满后方可审批"));
    assert_eq!(written(app), state);
    let notice = send(
        app,
        "/api/v1/notices",
        &app.clerk,
        &json!({"proposal_id": id, "place": "柳镇政府公告栏", "starts_on": days_ago(10), "days": 7}),
        None,
    );
    assert_eq!(notice.status, Status::Created, "{}", notice.body);
    let notice_id = notice.body["id"].as_str().expect("id").to_owned();
    let objection = send(
        app,
        &format!("/api/v1/notices/{notice_id}/objections"),
        &app.clerk,
        &json!({"text": "处置价格偏低"}),
        None,
    );
    assert_eq!(objection.status, Status::Created, "{}", objection.body);
    assert_eq!(objection.body["n"], 1);
    assert_eq!(objection.body["open"], true);
    state = written(app);
    let (code, detail) = problem(
        &approve(app, &id, &county, json!({})),
        Status::UnprocessableEntity,
    );
    assert_eq!(code, "objection_open");
    assert_eq!(
        detail,
        "公示（柳镇政府公告栏）的第 1 条异议尚未处理：“处置价格偏低”"
    );
    assert_eq!(written(app), state);
    let resolved = send(
        app,
        &format!("/api/v1/notices/{notice_id}/objections/1/resolve"),
        &app.clerk,
        &json!({"resolution": "经评估价格合理，已答复"}),
        None,
    );
    assert_eq!(resolved.status, Status::Ok, "{}", resolved.body);
    assert_eq!(resolved.body["open"], false);

    // The last approval appends the entry, dated as proposed, with the approvals.
    let reply = approve(app, &id, &county, json!({"step": "county"}));
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    assert_eq!(reply.body["status"], "approved");
    let seq = reply.body["entry_seq"].as_i64().expect("seq");
    let ledger = app
        .get("/api/v1/assets/TEA-1/ledger", Some(&app.auditor))
        .body;
    let last = ledger["items"]
        .as_array()
        .and_then(|items| items.last())
        .cloned()
        .expect("entry");
    assert_eq!(last["seq"], seq);
    assert_eq!(last["kind"], "disposed");
    assert_eq!(last["occurred_on"], "2023-06-30");
    assert_eq!(last["actor"], "test-clerk");
    let approvals = last["data"]["approvals"]
        .as_array()
        .cloned()
        .expect("approvals");
    assert_eq!(approvals.len(), 2);
    assert_eq!(
        (approvals[0]["level"].clone(), approvals[0]["by"].clone()),
        (json!("town"), json!("柳镇王审批"))
    );
    assert_eq!(
        (approvals[1]["level"].clone(), approvals[1]["by"].clone()),
        (json!("county"), json!("县李审批"))
    );
    assert_eq!(
        app.get("/api/v1/assets/TEA-1", Some(&app.auditor)).body["status"],
        "disposed"
    );
    let verify = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verify.body["ok"], true, "{}", verify.body);
    app.assert_summary_consistent();

    // Decided: no more decisions, notices or objections.
    state = written(app);
    let (code, detail) = problem(&approve(app, &id, &county, json!({})), Status::Conflict);
    assert_eq!(code, "proposal_decided");
    assert_eq!(detail, "此事项已通过，不能再审批");
    let (code, _) = problem(
        &send(
            app,
            "/api/v1/notices",
            &app.clerk,
            &json!({"proposal_id": id, "place": "X", "starts_on": today}),
            None,
        ),
        Status::Conflict,
    );
    assert_eq!(code, "proposal_decided");
    assert_eq!(written(app), state);
}

/// An approval posted from the proposal page while the chain's lock is kept past the
/// server's statement timeout (another process's long import holds it) is answered with
/// the page 数据库繁忙 (503) saying nothing was written, not the internal-error page
/// (500); posted again once the lock is free, the step is taken and the entry appended.
fn an_approval_kept_waiting_for_the_chain_is_told_to_send_again(app: &TestApp) {
    setup(app);
    let id = transfer_proposed(app, "2023-01-01", "X1");
    let county = token(app, Role::Approver, "county", "县李审批");
    let server = app.impatient_server();
    let send = || {
        support::post_form(
            &server,
            &format!("/proposals/{id}/approve"),
            &county,
            "step=county".to_owned(),
        )
    };
    let state = written(app);
    let ((status, _, page), in_time) =
        app.beside_a_held_chain_lock(std::time::Duration::from_secs(60), send);
    assert!(in_time, "the approval waited until the lock was given up");
    support::assert_busy_page(status, &page);
    assert_eq!(written(app), state, "nothing written");
    let (status, location, _) = send();
    assert_eq!(status, Status::SeeOther);
    assert_eq!(location, Some(format!("/proposals/{id}?done=approved")));
    let tea = app.get("/api/v1/assets/TEA-1", Some(&app.auditor));
    assert_eq!(tea.body["owner"]["name"], "柳镇集体");
    app.assert_summary_consistent();
}

/// A proposal kept before texts were refused a control or bidi character (only a NUL
/// was) is still decided: its entry is read as it was kept, and appended.
fn a_proposal_kept_with_a_bidi_mark_is_still_approved(app: &TestApp) {
    setup(app);
    let id = transfer_proposed(app, "2023-01-01", "X1");
    // As a release before the rule kept it.
    let mut conn = app.db.conn().expect("connection");
    let kept = diesel::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE proposals SET body = REPLACE(body, 'X1', 'X\u{200f}1') WHERE id = '{id}'"
        )),
        &mut *conn,
    )
    .expect("keep the old body");
    assert_eq!(kept, 1);
    drop(conn);
    let county = token(app, Role::Approver, "county", "县李审批");
    let reply = approve(app, &id, &county, json!({}));
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    assert_eq!(reply.body["status"], "approved", "{}", reply.body);
    let seq = reply.body["entry_seq"].as_i64().expect("appended");
    let ledger = app.get("/api/v1/assets/TEA-1/ledger", Some(&app.auditor));
    let appended = ledger.body["items"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["seq"] == seq)
        .cloned()
        .expect("the entry");
    assert_eq!(appended["data"]["document_no"], "X\u{200f}1");
    let verify = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verify.body["ok"], true, "{}", verify.body);
}

fn a_rejection_closes_the_proposal(app: &TestApp) {
    setup(app);
    let id = transfer_proposed(app, "2023-01-01", "X1");
    let county = token(app, Role::Approver, "county", "县李审批");
    let state = written(app);
    let reject = |reason: &str| {
        send(
            app,
            &format!("/api/v1/proposals/{id}/reject"),
            &county,
            &json!({"reason": reason}),
            None,
        )
    };
    let (code, detail) = problem(&reject("  "), Status::UnprocessableEntity);
    assert_eq!(code, "required");
    assert_eq!(detail, "缺少驳回理由（reason）");
    assert_eq!(written(app), state);
    let reply = reject("文书不全");
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    assert_eq!(reply.body["status"], "rejected");
    assert_eq!(reply.body["steps"][0]["status"], "rejected");
    assert_eq!(reply.body["steps"][0]["reason"], "文书不全");
    assert_eq!(reply.body["entry_seq"], Value::Null);
    assert_eq!(written(app).0, state.0);
    let (code, detail) = problem(&approve(app, &id, &county, json!({})), Status::Conflict);
    assert_eq!(code, "proposal_decided");
    assert_eq!(detail, "此事项已驳回，不能再审批");
    let reply = app.get("/api/v1/proposals?status=rejected", Some(&app.auditor));
    assert_eq!(reply.body["items"][0]["id"], id);
    // Ownership transfers need no notice: a new proposal approves at once.
    let id = transfer_proposed(app, "2023-01-02", "X2");
    let reply = approve(app, &id, &county, json!({}));
    assert_eq!(reply.body["status"], "approved", "{}", reply.body);
    assert_eq!(
        app.get("/api/v1/assets/TEA-1", Some(&app.auditor)).body["owner"]["name"],
        "柳镇集体"
    );
}

fn notices_check_their_fields(app: &TestApp) {
    setup(app);
    let id = entry(app, "PV-1", &distribution()).body["proposal_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let state = written(app);
    let cases = [
        (
            json!({"proposal_id": id, "place": " ", "starts_on": "2024-01-01"}),
            "required",
            "缺少公示地点（place）",
        ),
        (
            json!({"proposal_id": id, "place": "公开栏", "starts_on": "2024-13-01"}),
            "invalid_date",
            "公示起始日期“2024-13-01”无效：应为 YYYY-MM-DD",
        ),
        (
            json!({"proposal_id": id, "place": "公开栏", "starts_on": "2024-01-01", "days": 0}),
            "invalid_value",
            "公示天数应为 1 至 365，收到 0",
        ),
    ];
    for (body, code, detail) in cases {
        let reply = send(app, "/api/v1/notices", &app.clerk, &body, None);
        assert_eq!(
            problem(&reply, Status::UnprocessableEntity),
            (code.to_owned(), detail.to_owned())
        );
        assert_eq!(reply.body["errors"][0]["code"], code);
    }
    let (code, _) = problem(
        &send(
            app,
            "/api/v1/notices",
            &app.clerk,
            &json!({"proposal_id": "nope", "place": "栏", "starts_on": "2024-01-01"}),
            None,
        ),
        Status::NotFound,
    );
    assert_eq!(code, "not_found");
    let (code, _) = problem(
        &send(
            app,
            "/api/v1/notices",
            &app.reader,
            &json!({"proposal_id": id, "place": "栏", "starts_on": "2024-01-01"}),
            None,
        ),
        Status::Forbidden,
    );
    assert_eq!(code, "forbidden");
    assert_eq!(written(app), state);
    let notice = send(
        app,
        "/api/v1/notices",
        &app.clerk,
        &json!({"proposal_id": id, "place": "东村村务公开栏", "starts_on": days_ago(3), "days": 5}),
        None,
    );
    assert_eq!(notice.status, Status::Created, "{}", notice.body);
    let notice_id = notice.body["id"].as_str().expect("id").to_owned();
    let object = |text: &str| {
        send(
            app,
            &format!("/api/v1/notices/{notice_id}/objections"),
            &app.clerk,
            &json!({"text": text}),
            None,
        )
    };
    let (code, detail) = problem(&object(""), Status::UnprocessableEntity);
    assert_eq!(
        (code.as_str(), detail.as_str()),
        ("required", "缺少异议内容（text）")
    );
    assert_eq!(object("李四的金额不对").body["n"], 1);
    assert_eq!(object("漏了王五").body["n"], 2);
    let resolve = |n: &str| {
        send(
            app,
            &format!("/api/v1/notices/{notice_id}/objections/{n}/resolve"),
            &app.clerk,
            &json!({"resolution": "已核实"}),
            None,
        )
    };
    let (code, _) = problem(&resolve("3"), Status::NotFound);
    assert_eq!(code, "not_found");
    assert_eq!(resolve("2").status, Status::Ok);
    let (code, detail) = problem(&resolve("2"), Status::Conflict);
    assert_eq!(
        (code.as_str(), detail.as_str()),
        ("objection_resolved", "第 2 条异议已处理，不能再次处理")
    );
    // The proposal shows its notices; the village's public page its open notice, with
    // names and amounts and no ID number.
    let detail = app
        .get(&format!("/api/v1/proposals/{id}"), Some(&app.auditor))
        .body;
    assert_eq!(detail["notices"][0]["objections"][1]["open"], false);
    assert_eq!(detail["notices"][0]["objections"][0]["open"], true);
    let public = app.get(
        &format!(
            "/api/v1/public/{}/{}",
            support::encode("桑镇"),
            support::encode("东村")
        ),
        None,
    );
    assert_eq!(public.status, Status::Ok, "{}", public.body);
    let notices = &public.body["notices"];
    assert_eq!(notices[0]["place"], "东村村务公开栏");
    assert_eq!(
        notices[0]["lines"],
        json!([{"name": "张三", "amount": "1000.00"}, {"name": "李四", "amount": "2000.00"}])
    );
    assert!(!public.body.to_string().contains("11010519491231002X"));
    // Nor a part of it (the birth date: eight digits no hash or id is likely to hold;
    // a shorter part like "1101" turns up in the ledger head's hex now and then).
    assert!(!public.body.to_string().contains("19491231"));
    let other = app.get(
        &format!(
            "/api/v1/public/{}/{}",
            support::encode("柳镇"),
            support::encode("北村")
        ),
        None,
    );
    assert_eq!(other.body["notices"], json!([]));
}

/// One `Idempotency-Key` is one request, whether it proposed or appended: the same key
/// and token with another body on the same route is refused and writes nothing, on this
/// server or another one on the same database, whichever of the two came first. Before
/// 0f548dd a proposal's key and an append's were kept apart, so a disposal proposed under
/// a key and a maintenance entry appended under it were both written (in either order).
fn a_key_is_one_request_whether_it_proposes_or_appends(app: &TestApp) {
    setup(app);
    let other_server = asset_registry::db::Db::open(&app.database.url, 2).expect("open");
    let other_server = rocket::local::blocking::Client::tracked(asset_registry::server::rocket(
        other_server,
        app.figment.clone(),
    ))
    .expect("rocket");
    let send_there = |path: &str, body: &Value, key: &str| {
        support::reply_of(
            other_server
                .post(path.to_owned())
                .header(ContentType::JSON)
                .header(Header::new(
                    "Authorization",
                    format!("Bearer {}", app.clerk),
                ))
                .header(Header::new("Idempotency-Key", key.to_owned()))
                .body(body.to_string())
                .dispatch(),
        )
    };
    let path = "/api/v1/assets/TEA-1/ledger";
    let maintenance =
        json!({"kind": "maintenance", "occurred_on": "2023-07-01", "description": "更换揉捻机"});
    let reused = |reply: &Reply| {
        let (code, detail) = problem(reply, Status::UnprocessableEntity);
        assert_eq!(
            (code.as_str(), detail.as_str()),
            (
                "idempotency_key_reused",
                "此 Idempotency-Key 已用于另一个请求；请为新请求使用新的键"
            )
        );
    };
    // Proposed first, then appended under the same key on the other server.
    let proposed = send(app, path, &app.clerk, &disposal(), Some("k-1"));
    assert_eq!(proposed.status, Status::Accepted, "{}", proposed.body);
    let state = written(app);
    reused(&send_there(path, &maintenance, "k-1"));
    assert_eq!(written(app), state, "nothing written");
    // Appended first, then proposed under the same key on the other server.
    let appended = send(app, path, &app.clerk, &maintenance, Some("k-2"));
    assert_eq!(appended.status, Status::Created, "{}", appended.body);
    let state = written(app);
    reused(&send_there(path, &disposal(), "k-2"));
    // Nor does the key serve a write of another route.
    let declaration = json!({"name": "柳镇核实", "as_of": "2023-12-31",
                             "lines": [{"scope": "total", "projects": 2, "amount": "800000.00"}]});
    reused(&send_there("/api/v1/declarations", &declaration, "k-2"));
    assert_eq!(written(app), state, "nothing written");
    assert_eq!(app.count_rows("declarations"), 0);
    // Each key still answers its own request as the first time, on either server.
    let again = send_there(path, &disposal(), "k-1");
    assert_eq!(
        (again.status, again.body),
        (Status::Accepted, proposed.body)
    );
    let again = send_there(path, &maintenance, "k-2");
    assert_eq!((again.status, again.body), (Status::Ok, appended.body));
    assert_eq!(written(app), state);
    let verify = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verify.body["ok"], true, "{}", verify.body);
    app.assert_summary_consistent();
}

/// The whole 422 a text holding a NUL gets: `field` named by `label`.
fn nul_refusal(field: &str, label: &str) -> Value {
    let message = format!("{label}（{field}）含有空字符（NUL）");
    json!({
        "type": "urn:asset-registry:problem:invalid_value",
        "title": "请求内容无效",
        "status": 422,
        "detail": message,
        "errors": [{"field": field, "code": "invalid_value", "message": message}],
    })
}

/// Asserts the whole refusal, without its `instance` (the request's id).
fn assert_nul_refused(reply: &Reply, field: &str, label: &str) {
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    let mut body = reply.body.clone();
    if let Some(object) = body.as_object_mut() {
        object.remove("instance");
    }
    assert_eq!(body, nul_refusal(field, label));
}

fn a_nul_in_a_text_of_a_proposal_is_refused_and_nothing_is_written(app: &TestApp) {
    setup(app);
    let id = entry(app, "PV-1", &distribution()).body["proposal_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let approver = token(app, Role::Approver, "county", "县财政局李审批");
    let state = written(app);
    let notice = json!({"proposal_id": id, "place": "东村\u{0}公开栏", "starts_on": days_ago(3)});
    for key in [None, Some("nul-notice-1")] {
        let reply = send(app, "/api/v1/notices", &app.clerk, &notice, key);
        assert_nul_refused(&reply, "place", "公示地点");
    }
    let reason = json!({"reason": "材料\u{0}不全"});
    let reply = send(
        app,
        &format!("/api/v1/proposals/{id}/reject"),
        &approver,
        &reason,
        Some("nul-reject-1"),
    );
    assert_nul_refused(&reply, "reason", "驳回理由");
    assert_eq!(written(app), state);

    let notice = send(
        app,
        "/api/v1/notices",
        &app.clerk,
        &json!({"proposal_id": id, "place": "东村村务公开栏", "starts_on": days_ago(3)}),
        None,
    );
    assert_eq!(notice.status, Status::Created, "{}", notice.body);
    let notice_id = notice.body["id"].as_str().expect("id").to_owned();
    let objections = format!("/api/v1/notices/{notice_id}/objections");
    let state = written(app);
    let reply = send(
        app,
        &objections,
        &app.clerk,
        &json!({"text": "名单\u{0}有误"}),
        None,
    );
    assert_nul_refused(&reply, "text", "异议内容");
    assert_eq!(written(app), state);
    let objection = send(
        app,
        &objections,
        &app.clerk,
        &json!({"text": "名单有误"}),
        None,
    );
    assert_eq!(objection.status, Status::Created, "{}", objection.body);
    let state = written(app);
    let reply = send(
        app,
        &format!("{objections}/1/resolve"),
        &app.clerk,
        &json!({"resolution": "已\u{0}核实"}),
        None,
    );
    assert_nul_refused(&reply, "resolution", "处理结果");
    assert_eq!(written(app), state);

    // The page's forms go through the same door.
    let browser = app.signed_in(&app.clerk);
    let (status, _, page) = post_form(
        &browser,
        &format!("/proposals/{id}/notices"),
        &[
            ("place", "村委\u{0}会"),
            ("starts_on", &days_ago(3)),
            ("days", "7"),
        ],
    );
    assert_eq!(status, Status::UnprocessableEntity, "{page}");
    assert!(
        page.contains("公示地点（place）含有空字符（NUL）"),
        "{page}"
    );
    assert_eq!(written(app), state);
}

fn idempotency_keys_answer_retries_alike(app: &TestApp) {
    setup(app);
    let path = "/api/v1/assets/TEA-1/ledger";
    let first = send(app, path, &app.clerk, &disposal(), Some("p-1"));
    assert_eq!(first.status, Status::Accepted, "{}", first.body);
    let again = send(app, path, &app.clerk, &disposal(), Some("p-1"));
    assert_eq!(
        (again.status, again.body.clone()),
        (Status::Accepted, first.body.clone())
    );
    assert_eq!(written(app).1.len(), 1);
    let mut other = disposal();
    other["approval_no"] = json!("另一个");
    let (code, detail) = problem(
        &send(app, path, &app.clerk, &other, Some("p-1")),
        Status::UnprocessableEntity,
    );
    assert_eq!(code, "idempotency_key_reused");
    assert_eq!(
        detail,
        "此 Idempotency-Key 已用于另一个请求；请为新请求使用新的键"
    );
    assert_eq!(written(app).1.len(), 1);

    let id = first.body["proposal_id"].as_str().expect("id").to_owned();
    let town = token(app, Role::Approver, "town:柳镇", "柳镇王审批");
    let approve_path = format!("/api/v1/proposals/{id}/approve");
    let first = send(
        app,
        &approve_path,
        &town,
        &json!({"step": "town"}),
        Some("a-1"),
    );
    assert_eq!(first.status, Status::Ok, "{}", first.body);
    let state = written(app);
    let again = send(
        app,
        &approve_path,
        &town,
        &json!({"step": "town"}),
        Some("a-1"),
    );
    assert_eq!((again.status, again.body), (Status::Ok, first.body));
    assert_eq!(written(app), state);
    // The same key and body from another approver (of another town) is not a replay:
    // refused, with nothing of the proposal shown.
    let stranger = token(app, Role::Approver, "town:桑镇", "桑镇李审批");
    let replayed = send(
        app,
        &approve_path,
        &stranger,
        &json!({"step": "town"}),
        Some("a-1"),
    );
    assert!(
        !replayed.body.to_string().contains(&id),
        "{}",
        replayed.body
    );
    let (code, _) = problem(&replayed, Status::UnprocessableEntity);
    assert_eq!(code, "idempotency_key_reused");
    assert_eq!(written(app), state);
    let (code, _) = problem(
        &send(app, &approve_path, &town, &json!({}), Some("a-1")),
        Status::UnprocessableEntity,
    );
    assert_eq!(code, "idempotency_key_reused");
    // Without the key, the retry finds the step taken.
    let (code, _) = problem(
        &send(app, &approve_path, &town, &json!({"step": "town"}), None),
        Status::Conflict,
    );
    assert_eq!(code, "wrong_step");
    assert_eq!(written(app), state);
}

/// A proposal is checked as an append would be: citing a document that is not stored
/// is refused then, not when the last approval appends it.
fn a_proposal_citing_an_unknown_document_is_refused(app: &TestApp) {
    setup(app);
    let state = written(app);
    let mut body = disposal();
    body["attachments"] = json!(["0".repeat(64)]);
    let (code, _) = problem(&entry(app, "TEA-1", &body), Status::UnprocessableEntity);
    assert_eq!(code, "unknown_attachment");
    assert_eq!(written(app), state, "no proposal was made");
}

fn many_servers_approving_one_step_append_once(app: &TestApp) {
    setup(app);
    let id = entry(app, "PV-1", &distribution()).body["proposal_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let reply = send(
        app,
        "/api/v1/notices",
        &app.clerk,
        &json!({"proposal_id": id, "place": "东村村务公开栏", "starts_on": days_ago(8)}),
        None,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let entries_before = written(app).0.entries;
    const SERVERS: usize = 8;
    let barrier = Arc::new(Barrier::new(SERVERS));
    let threads: Vec<_> = (0..SERVERS)
        .map(|i| {
            // Each thread is a server of its own: its own pool on the same database.
            let db = asset_registry::db::Db::open(&app.database.url, 1).expect("open");
            let (barrier, id) = (Arc::clone(&barrier), id.clone());
            std::thread::spawn(move || {
                let caller = Caller {
                    token_id: format!("t{i}"),
                    name: format!("审批人{i}"),
                    role: Role::Approver,
                    scope: Scope::County,
                };
                let mut conn = db.conn().expect("connection");
                barrier.wait();
                decide(
                    &mut conn,
                    &caller,
                    &id,
                    &Decision::Approve(None),
                    &Keyed::new(None, "approve", "{}"),
                    today_in_china(),
                )
            })
        })
        .collect();
    let outcomes: Vec<Result<(u16, Value), ProposalError>> = threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .collect();
    let won = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(won, 1, "{outcomes:?}");
    for outcome in &outcomes {
        if let Err(e) = outcome {
            assert!(
                matches!(
                    e,
                    ProposalError::Refused {
                        status: 409,
                        code: "proposal_decided",
                        ..
                    }
                ),
                "{e:?}"
            );
        }
    }
    let state = written(app);
    assert_eq!(state.0.entries, entries_before + 1);
    assert_eq!(state.2, 1);
    let verify = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verify.body["ok"], true, "{}", verify.body);
    app.assert_summary_consistent();
}

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", support::encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Posts a form from a signed-in browser: the status and where it redirects.
/// The asset form's fields of the distribution `distribution()` proposes, as a clerk
/// fills them in.
const DISTRIBUTION_FORM: [(&str, &str); 6] = [
    ("kind", "income_distributed"),
    ("occurred_on", "2022-01-05"),
    ("amount", "3000.00"),
    ("period", "2021"),
    ("recipients", "2"),
    ("lines", "张三,11010519491231002X,1000.00\n李四,,2000.00"),
];

pub(crate) fn post_form(
    browser: &rocket::local::blocking::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> (Status, String, String) {
    let reply = browser
        .post(path.to_owned())
        .header(ContentType::Form)
        .body(form(fields))
        .dispatch();
    let status = reply.status();
    let location = reply
        .headers()
        .get_one("Location")
        .unwrap_or_default()
        .to_owned();
    (status, location, reply.into_string().unwrap_or_default())
}

fn page_text(browser: &rocket::local::blocking::Client, path: &str) -> (Status, String) {
    let reply = browser.get(path.to_owned()).dispatch();
    (reply.status(), reply.into_string().unwrap_or_default())
}

fn the_web_walks_a_distribution_from_proposal_to_ledger(app: &TestApp) {
    setup(app);
    let clerk = app.signed_in(&app.clerk);
    let (status, location, _) = post_form(&clerk, "/assets/PV-1/entries", &DISTRIBUTION_FORM);
    assert_eq!(status, Status::SeeOther);
    assert!(
        location.starts_with("/proposals/") && location.ends_with("?done=proposed"),
        "{location}"
    );
    let proposal_path = location.trim_end_matches("?done=proposed").to_owned();
    let (status, html) = page_text(&clerk, &location);
    assert_eq!(status, Status::Ok);
    assert!(html.contains("已提交审批"), "{html}");
    assert!(html.contains("镇街审批：待审批"), "{html}");
    assert!(
        html.contains("1,000.00") && html.contains("2,000.00"),
        "{html}"
    );
    assert!(
        !html.contains("income_distributed") && !html.contains("pending"),
        "{html}"
    );
    // The asset page links to it; nothing entered the ledger.
    let (_, asset) = page_text(&clerk, "/assets/PV-1");
    assert!(
        asset.contains(&format!("href=\"{proposal_path}\"")),
        "{asset}"
    );
    let (_, listed) = page_text(&clerk, "/proposals");
    assert!(
        listed.contains("收益分配") && listed.contains("PV-1"),
        "{listed}"
    );
    // A notice, back-dated so that it has run.
    let (status, _, _) = post_form(
        &clerk,
        &format!("{proposal_path}/notices"),
        &[
            ("place", "东村村务公开栏"),
            ("starts_on", &days_ago(9)),
            ("days", "7"),
        ],
    );
    assert_eq!(status, Status::SeeOther);
    let (_, html) = page_text(&clerk, &proposal_path);
    let print = html
        .split("href=\"/notices/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|rest| format!("/notices/{rest}"))
        .expect("print link");
    let (status, printed) = page_text(&clerk, &print);
    assert_eq!(status, Status::Ok);
    assert!(printed.contains("兴平县桑镇东村收益分配公示"), "{printed}");
    assert!(
        printed.contains("张三") && printed.contains("2,000.00"),
        "{printed}"
    );
    assert!(
        !printed.contains("11010519491231002X") && !printed.contains("19491231"),
        "{printed}"
    );
    // The proposer cannot approve; the town's approver can.
    let own = app.signed_in(&token(app, Role::Approver, "county", "test-clerk"));
    let (status, _, html) = post_form(
        &own,
        &format!("{proposal_path}/approve"),
        &[("step", "town")],
    );
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(html.contains("不能审批自己的提议"), "{html}");
    let approver = app.signed_in(&token(app, Role::Approver, "town:桑镇", "桑镇审批"));
    let (_, html) = page_text(&approver, &proposal_path);
    assert!(html.contains("通过（镇街审批）"), "{html}");
    let (status, location, _) = post_form(
        &approver,
        &format!("{proposal_path}/approve"),
        &[("step", "town")],
    );
    assert_eq!(
        (status, location),
        (Status::SeeOther, format!("{proposal_path}?done=approved"))
    );
    let (_, html) = page_text(&approver, &proposal_path);
    assert!(
        html.contains("已通过") && html.contains("已记入台账"),
        "{html}"
    );
    let ledger = app
        .get("/api/v1/assets/PV-1/ledger", Some(&app.auditor))
        .body;
    let last = ledger["items"]
        .as_array()
        .and_then(|items| items.last())
        .cloned()
        .expect("entry");
    assert_eq!(last["kind"], "income_distributed");
    assert_eq!(last["data"]["approvals"][0]["by"], "桑镇审批");
}

/// The one-time key of the first form in `page` after `marker`, checked to be a UUID.
fn form_key_after(page: &str, marker: &str) -> String {
    let rest = page
        .split_once(marker)
        .unwrap_or_else(|| panic!("no {marker} in {page}"))
        .1;
    let key = rest
        .split_once("name=\"form_key\" value=\"")
        .and_then(|(_, tail)| tail.split_once('"'))
        .unwrap_or_else(|| panic!("no form key after {marker}"))
        .0
        .to_owned();
    assert!(uuid::Uuid::parse_str(&key).is_ok(), "{key}");
    key
}

/// How many entries the ledger of `asset` holds, read through the API.
fn entries_of(app: &TestApp, asset: &str) -> usize {
    let reply = app.get(
        &format!("/api/v1/assets/{asset}/ledger?limit=500"),
        Some(&app.auditor),
    );
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    reply.body["items"].as_array().expect("items").len()
}

fn an_entry_form_posted_twice_appends_once(app: &TestApp) {
    setup(app);
    let clerk = app.signed_in(&app.clerk);
    let (status, page) = page_text(&clerk, "/assets/PV-1");
    assert_eq!(status, Status::Ok);
    let key = form_key_after(&page, "data-kind=\"income\"");
    // Every form of the page has a key of its own.
    let keys = page.matches("name=\"form_key\"").count();
    assert!(keys > 5, "{keys} keys");
    assert_ne!(key, form_key_after(&page, "data-kind=\"inspection\""));
    let income = |key: &str, amount: &str| {
        vec![
            ("kind", "income".to_owned()),
            ("occurred_on", "2022-12-01".to_owned()),
            ("amount", amount.to_owned()),
            ("period", "2022".to_owned()),
            ("form_key", key.to_owned()),
        ]
    };
    let post = |fields: &[(&str, String)]| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        post_form(&clerk, "/assets/PV-1/entries", &fields)
    };
    let before = entries_of(app, "PV-1");
    let (status, location, _) = post(&income(&key, "1200.00"));
    assert_eq!(
        (status, location.as_str()),
        (Status::SeeOther, "/assets/PV-1?done=income")
    );
    assert_eq!(entries_of(app, "PV-1"), before + 1);
    let (_, recorded) = page_text(&clerk, &location);
    assert!(recorded.contains("已记录经营收益"), "{recorded}");
    // The same form again (a double tap, a post sent again): one entry, and it says so.
    let state = written(app);
    let (status, location, _) = post(&income(&key, "1200.00"));
    assert_eq!(
        (status, location.as_str()),
        (Status::SeeOther, "/assets/PV-1?done=repeated")
    );
    let (_, again) = page_text(&clerk, &location);
    assert!(again.contains("此表单已提交，未重复记录"), "{again}");
    assert!(!again.contains("repeated"), "{again}");
    assert_eq!(entries_of(app, "PV-1"), before + 1);
    assert_eq!(written(app), state);
    // The same key with other content is refused beside the form, nothing written.
    let (status, _, refused) = post(&income(&key, "1300.00"));
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(refused.contains("内容与当时不同，未记录"), "{refused}");
    assert_eq!(written(app), state);
    // Another page's form (another key) with the same content is another entry.
    let (_, page) = page_text(&clerk, "/assets/PV-1");
    let other = form_key_after(&page, "data-kind=\"income\"");
    assert_ne!(other, key);
    let (status, _, _) = post(&income(&other, "1200.00"));
    assert_eq!(status, Status::SeeOther);
    assert_eq!(entries_of(app, "PV-1"), before + 2);
    // A form without a key (a page rendered before forms carried one) still appends.
    let unkeyed: Vec<(&str, String)> = income("", "1200.00")
        .into_iter()
        .filter(|(k, _)| *k != "form_key")
        .collect();
    let (status, location, _) = post(&unkeyed);
    assert_eq!(
        (status, location.as_str()),
        (Status::SeeOther, "/assets/PV-1?done=income")
    );
    assert_eq!(entries_of(app, "PV-1"), before + 3);
    // A malformed key is refused by name, nothing written.
    let state = written(app);
    let (status, _, bad) = post(&income("键 with spaces", "1200.00"));
    assert_eq!(status, Status::BadRequest);
    assert!(bad.contains("form_key"), "{bad}");
    assert_eq!(written(app), state);
    app.assert_summary_consistent();
}

fn proposal_forms_posted_twice_write_once(app: &TestApp) {
    setup(app);
    let clerk = app.signed_in(&app.clerk);
    let (_, page) = page_text(&clerk, "/assets/PV-1");
    let key = form_key_after(&page, "data-kind=\"income_distributed\"");
    let mut fields = DISTRIBUTION_FORM.to_vec();
    fields.push(("form_key", key.as_str()));
    let (status, proposed, _) = post_form(&clerk, "/assets/PV-1/entries", &fields);
    assert_eq!(status, Status::SeeOther);
    let path = proposed.trim_end_matches("?done=proposed").to_owned();
    assert!(
        path.starts_with("/proposals/") && path != proposed,
        "{proposed}"
    );
    let state = written(app);
    let (status, again, _) = post_form(&clerk, "/assets/PV-1/entries", &fields);
    assert_eq!(
        (status, again),
        (Status::SeeOther, format!("{path}?done=repeated")),
        "the same proposal, not a second"
    );
    assert_eq!(written(app), state);
    let (_, shown) = page_text(&clerk, &format!("{path}?done=repeated"));
    assert!(shown.contains("此表单已提交，未重复记录"), "{shown}");
    // The notice form, posted twice: one notice.
    let key = form_key_after(&shown, "登记公示</h3>");
    let starts_on = days_ago(9);
    let notice = [
        ("place", "东村村务公开栏"),
        ("starts_on", starts_on.as_str()),
        ("days", "7"),
        ("form_key", key.as_str()),
    ];
    let (status, done, _) = post_form(&clerk, &format!("{path}/notices"), &notice);
    assert_eq!(
        (status, done),
        (Status::SeeOther, format!("{path}?done=notice"))
    );
    let state = written(app);
    assert_eq!(state.3, 1, "one notice");
    let (status, done, _) = post_form(&clerk, &format!("{path}/notices"), &notice);
    assert_eq!(
        (status, done),
        (Status::SeeOther, format!("{path}?done=repeated"))
    );
    assert_eq!(written(app), state);
    // A rejection posted twice: the second answers as the first did, not as a refusal
    // of a proposal already closed.
    let approver = app.signed_in(&token(app, Role::Approver, "town:桑镇", "桑镇审批人"));
    let (_, page) = page_text(&approver, &path);
    let key = form_key_after(&page, "/reject\"");
    let reject = [("reason", "名单有误"), ("form_key", key.as_str())];
    let (status, done, _) = post_form(&approver, &format!("{path}/reject"), &reject);
    assert_eq!(
        (status, done),
        (Status::SeeOther, format!("{path}?done=rejected"))
    );
    let state = written(app);
    let (status, done, _) = post_form(&approver, &format!("{path}/reject"), &reject);
    assert_eq!(
        (status, done),
        (Status::SeeOther, format!("{path}?done=repeated"))
    );
    assert_eq!(written(app), state);
    // Without a key the second rejection is refused by the rules, as before.
    let (status, _, refused) = post_form(&approver, &format!("{path}/reject"), &reject[..1]);
    assert_eq!(status, Status::UnprocessableEntity, "{refused}");
    assert_eq!(written(app), state);
}

fn main() -> std::process::ExitCode {
    support::run_with(
        vec![
            (
                "an_empty_setting_appends_at_once",
                an_empty_setting_appends_at_once,
            ),
            (
                "a_proposal_changes_nothing_else",
                a_proposal_changes_nothing_else,
            ),
            (
                "readers_see_no_proposals_and_auditors_read_them",
                readers_see_no_proposals_and_auditors_read_them,
            ),
            (
                "every_rule_of_approval_refuses_with_nothing_written",
                every_rule_of_approval_refuses_with_nothing_written,
            ),
            (
                "a_rejection_closes_the_proposal",
                a_rejection_closes_the_proposal,
            ),
            (
                "a_proposal_kept_with_a_bidi_mark_is_still_approved",
                a_proposal_kept_with_a_bidi_mark_is_still_approved,
            ),
            ("notices_check_their_fields", notices_check_their_fields),
            (
                "a_nul_in_a_text_of_a_proposal_is_refused_and_nothing_is_written",
                a_nul_in_a_text_of_a_proposal_is_refused_and_nothing_is_written,
            ),
            (
                "idempotency_keys_answer_retries_alike",
                idempotency_keys_answer_retries_alike,
            ),
            (
                "a_key_is_one_request_whether_it_proposes_or_appends",
                a_key_is_one_request_whether_it_proposes_or_appends,
            ),
            (
                "an_approval_kept_waiting_for_the_chain_is_told_to_send_again",
                an_approval_kept_waiting_for_the_chain_is_told_to_send_again,
            ),
            (
                "a_proposal_citing_an_unknown_document_is_refused",
                a_proposal_citing_an_unknown_document_is_refused,
            ),
            (
                "many_servers_approving_one_step_append_once",
                many_servers_approving_one_step_append_once,
            ),
            (
                "the_web_walks_a_distribution_from_proposal_to_ledger",
                the_web_walks_a_distribution_from_proposal_to_ledger,
            ),
            (
                "corrections::a_correction_of_an_approved_disposal_waits_for_both_steps",
                corrections::a_correction_of_an_approved_disposal_waits_for_both_steps,
            ),
            (
                "corrections::a_correction_of_an_ungated_entry_appends_at_once",
                corrections::a_correction_of_an_ungated_entry_appends_at_once,
            ),
            (
                "corrections::with_approvals_off_a_correction_of_a_disposal_appends_at_once",
                corrections::with_approvals_off_a_correction_of_a_disposal_appends_at_once,
            ),
            (
                "corrections::a_bad_correction_is_refused_when_proposed",
                corrections::a_bad_correction_is_refused_when_proposed,
            ),
            (
                "corrections::a_notice_of_a_correction_prints_as_a_correction_of_its_kind",
                corrections::a_notice_of_a_correction_prints_as_a_correction_of_its_kind,
            ),
            (
                "corrections::the_web_form_proposes_a_correction_of_a_disposal",
                corrections::the_web_form_proposes_a_correction_of_a_disposal,
            ),
            (
                "an_entry_form_posted_twice_appends_once",
                an_entry_form_posted_twice_appends_once,
            ),
            (
                "proposal_forms_posted_twice_write_once",
                proposal_forms_posted_twice_write_once,
            ),
        ],
        with_default_approvals,
    )
}
