//! The custody ledger over HTTP, on SQLite and PostgreSQL: every kind and rule,
//! idempotent writes, tamper detection, as-of queries, the change feed, concurrency.

mod support;

use std::sync::Arc;

use diesel::connection::SimpleConnection;
use rocket::http::{ContentType, Header, Status};
use serde_json::{json, Value};
use support::{Reply, Scenario, TestApp};

const REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号
P1,光伏电站,2019,桑镇,东村,500000,PV-1,村级光伏电站,经营性,500000,东村股份经济合作社,村集体,,东村村委会,2020-03-05,兴确字(2020)第1号
P2,肉牛到户,2019,桑镇,东村,8000,COW-1,肉牛,到户类,8000,张三,农户,11010519491231002X,张三,,
P3,供水管网,2021,桑镇,西村,90000,PIPE-1,供水管道,公益性,90000,西村村委会,村集体,,,,
";

fn setup(app: &TestApp) {
    let reply = app.import(REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
}

fn append(app: &TestApp, asset: &str, body: Value) -> Reply {
    app.post(
        &format!("/api/v1/assets/{asset}/ledger"),
        Some(&app.clerk),
        body.to_string().into_bytes(),
        ContentType::JSON,
    )
}

fn append_with_key(app: &TestApp, asset: &str, key: &str, body: Value) -> Reply {
    append_with_key_as(app, &app.clerk, asset, key, body)
}

fn append_with_key_as(app: &TestApp, token: &str, asset: &str, key: &str, body: Value) -> Reply {
    let request = app
        .client
        .post(format!("/api/v1/assets/{asset}/ledger"))
        .header(ContentType::JSON)
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .header(Header::new("Idempotency-Key", key.to_owned()))
        .body(body.to_string());
    support::reply_of(request.dispatch())
}

fn asset(app: &TestApp, key: &str, token: &str) -> Value {
    let reply = app.get(&format!("/api/v1/assets/{key}"), Some(token));
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    reply.body
}

fn every_kind_updates_the_projection(app: &TestApp) {
    setup(app);
    let steps = [
        (
            json!({"kind": "handed_over", "occurred_on": "2020-04-01", "from": "施工单位", "to": "东村供水站", "document_no": "移交(2020)1号"}),
            "custodian",
            json!("东村供水站"),
        ),
        (
            json!({"kind": "custodian_changed", "occurred_on": "2020-05-01", "custodian": "东村光伏管护组", "responsible_person": "李四", "phone": "13800000000"}),
            "custodian",
            json!("东村光伏管护组"),
        ),
        (
            json!({"kind": "maintenance", "occurred_on": "2020-06-01", "description": "清洗光伏板", "cost": "1200.00", "performed_by": "东村光伏管护组"}),
            "custodian",
            json!("东村光伏管护组"),
        ),
        (
            json!({"kind": "inspection", "occurred_on": "2020-07-01", "result": "normal", "note": "运行正常"}),
            "status",
            json!("confirmed"),
        ),
        (
            json!({"kind": "income", "occurred_on": "2020-12-31", "amount": "36000.00", "period": "2020"}),
            "income",
            json!("36000.00"),
        ),
        (
            json!({"kind": "income_distributed", "occurred_on": "2021-01-15", "amount": "30000.00", "period": "2020", "recipients": 42, "notice_date": "2021-01-10"}),
            "income_distributed",
            json!("30000.00"),
        ),
        (
            json!({"kind": "value_adjusted", "occurred_on": "2021-06-30", "value": "450000.00", "reason": "评估减值"}),
            "value",
            json!("450000.00"),
        ),
        (
            json!({"kind": "ownership_transferred", "occurred_on": "2021-07-01", "owner": {"name": "桑镇联村合作社", "type": "village_collective"}, "document_no": "转(2021)3号"}),
            "owner",
            json!({"name": "桑镇联村合作社", "type": "village_collective", "id_number": null}),
        ),
        (
            json!({"kind": "ownership_confirmed", "occurred_on": "2021-08-01", "confirmed_on": "2021-08-01", "certificate_no": "兴确字(2021)第9号"}),
            "certificate_no",
            json!("兴确字(2021)第9号"),
        ),
        (
            json!({"kind": "disposed", "occurred_on": "2022-01-01", "method": "transfer", "approval_no": "兴财(2022)5号", "proceeds": "400000.00"}),
            "status",
            json!("disposed"),
        ),
    ];
    let mut last_seq = 0;
    for (body, field, expected) in steps {
        let reply = append(app, "PV-1", body.clone());
        assert_eq!(reply.status, Status::Created, "{body}: {}", reply.body);
        assert_eq!(reply.body["kind"], body["kind"]);
        assert_eq!(reply.body["actor"], "test-clerk");
        assert!(reply.body["seq"].as_i64().unwrap_or(0) > last_seq);
        last_seq = reply.body["seq"].as_i64().unwrap_or(0);
        let state = asset(app, "PV-1", &app.auditor);
        assert_eq!(state[field], expected, "after {}", body["kind"]);
        assert_eq!(state["ledger_head"]["seq"], last_seq);
        assert_eq!(state["ledger_head"]["hash"], reply.body["hash"]);
    }
    let history = app.get("/api/v1/assets/PV-1/ledger", Some(&app.reader));
    assert_eq!(history.body["next_cursor"], Value::Null, "one page");
    let kinds: Vec<&str> = history.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(kinds.len(), 11);
    assert_eq!(kinds[0], "registered");
    assert_eq!(kinds[10], "disposed");
    app.assert_summary_consistent();
}

fn a_disposed_asset_accepts_only_corrections(app: &TestApp) {
    setup(app);
    let disposed = append(
        app,
        "PIPE-1",
        json!({"kind": "disposed", "occurred_on": "2022-01-01", "method": "scrap", "approval_no": "A1"}),
    );
    assert_eq!(disposed.status, Status::Created);
    let before = app.register_state();
    let refused = append(
        app,
        "PIPE-1",
        json!({"kind": "maintenance", "occurred_on": "2022-02-01", "description": "修"}),
    );
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert_eq!(
        refused.body["errors"],
        json!([{"field": "kind", "code": "asset_disposed", "message": "资产 PIPE-1 已处置，只能记录更正（correction）"}])
    );
    assert_eq!(app.register_state(), before);
    let seq = disposed.body["seq"].as_i64().unwrap_or(0);
    let corrected = append(
        app,
        "PIPE-1",
        json!({"kind": "correction", "occurred_on": "2022-02-02", "corrects": seq, "reason": "误录处置"}),
    );
    assert_eq!(corrected.status, Status::Created, "{}", corrected.body);
    assert_eq!(asset(app, "PIPE-1", &app.auditor)["status"], "registered");
    assert_eq!(
        append(
            app,
            "PIPE-1",
            json!({"kind": "maintenance", "occurred_on": "2022-02-03", "description": "修"})
        )
        .status,
        Status::Created
    );
    app.assert_summary_consistent();
}

fn distributing_more_than_earned_is_refused(app: &TestApp) {
    setup(app);
    assert_eq!(append(app, "PV-1", json!({"kind": "income", "occurred_on": "2021-12-31", "amount": "1000.00", "period": "2021"})).status, Status::Created);
    assert_eq!(
        append(app, "PV-1", json!({"kind": "income_distributed", "occurred_on": "2022-01-05", "amount": "600.00", "period": "2021", "recipients": "全村脱贫户"})).status,
        Status::Created
    );
    let before = app.register_state();
    let over = append(
        app,
        "PV-1",
        json!({"kind": "income_distributed", "occurred_on": "2022-01-06", "amount": "400.01", "period": "2021", "recipients": ["张三", "李四"]}),
    );
    assert_eq!(over.status, Status::UnprocessableEntity);
    assert_eq!(over.body["errors"][0]["code"], "overdistributed");
    assert_eq!(over.body["errors"][0]["field"], "amount");
    assert_eq!(app.register_state(), before);
    let exact = append(
        app,
        "PV-1",
        json!({"kind": "income_distributed", "occurred_on": "2022-01-06", "amount": "400.00", "period": "2021", "recipients": 3}),
    );
    assert_eq!(exact.status, Status::Created);
    // Correcting the income would leave more distributed than earned.
    let income_seq = app
        .get("/api/v1/assets/PV-1/ledger", Some(&app.auditor))
        .body["items"][1]["seq"]
        .as_i64()
        .unwrap_or(0);
    let undo = append(
        app,
        "PV-1",
        json!({"kind": "correction", "occurred_on": "2022-01-07", "corrects": income_seq, "reason": "x"}),
    );
    assert_eq!(undo.body["errors"][0]["code"], "overdistributed");
    app.assert_summary_consistent();
}

fn bad_entries_are_refused_naming_the_field(app: &TestApp) {
    setup(app);
    let before = app.register_state();
    let cases = [
        (
            json!({"kind": "repair", "occurred_on": "2021-01-01"}),
            "kind",
            "unknown_kind",
        ),
        (json!({"occurred_on": "2021-01-01"}), "kind", "required"),
        (
            json!({"kind": "maintenance", "occurred_on": "2021-01-01"}),
            "description",
            "required",
        ),
        (
            json!({"kind": "maintenance", "occurred_on": "2021/01/01", "description": "x"}),
            "occurred_on",
            "invalid_date",
        ),
        (
            json!({"kind": "maintenance", "occurred_on": "2999-01-01", "description": "x"}),
            "occurred_on",
            "future_date",
        ),
        (
            json!({"kind": "income", "occurred_on": "2021-01-01", "amount": "-5.00", "period": "2021"}),
            "amount",
            "negative_amount",
        ),
        (
            json!({"kind": "income", "occurred_on": "2021-01-01", "amount": 5, "period": "2021"}),
            "amount",
            "invalid_type",
        ),
        (
            json!({"kind": "income", "occurred_on": "2021-01-01", "amount": "5.001", "period": "2021"}),
            "amount",
            "too_many_decimals",
        ),
        (
            json!({"kind": "inspection", "occurred_on": "2021-01-01", "result": "fine"}),
            "result",
            "invalid_value",
        ),
        (
            json!({"kind": "maintenance", "occurred_on": "2021-01-01", "description": "x", "colour": "red"}),
            "colour",
            "unknown_field",
        ),
        (
            json!({"kind": "correction", "occurred_on": "2021-01-01", "corrects": 999, "reason": "x"}),
            "corrects",
            "unknown_entry",
        ),
        (
            json!({"kind": "correction", "occurred_on": "2021-01-01", "corrects": 1, "reason": "x"}),
            "corrects",
            "cannot_correct_registration",
        ),
        (
            json!({"kind": "registered", "occurred_on": "2021-01-01"}),
            "kind",
            "invalid_value",
        ),
    ];
    for (body, field, code) in cases {
        let reply = append(app, "PV-1", body.clone());
        assert_eq!(
            reply.status,
            Status::UnprocessableEntity,
            "{body}: {}",
            reply.body
        );
        assert_eq!(
            reply.content_type.as_deref(),
            Some("application/problem+json")
        );
        assert_eq!(
            (
                reply.body["errors"][0]["field"].as_str(),
                reply.body["errors"][0]["code"].as_str()
            ),
            (Some(field), Some(code)),
            "{body}: {}",
            reply.body
        );
        assert!(reply.body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    // A correction must name an entry of the same asset.
    let other = app
        .get("/api/v1/assets/COW-1/ledger", Some(&app.auditor))
        .body["items"][0]["seq"]
        .as_i64()
        .unwrap_or(0);
    let cross = append(
        app,
        "PV-1",
        json!({"kind": "correction", "occurred_on": "2021-01-01", "corrects": other, "reason": "x"}),
    );
    assert_eq!(cross.body["errors"][0]["code"], "unknown_entry");
    let malformed = app.post(
        "/api/v1/assets/PV-1/ledger",
        Some(&app.clerk),
        b"{\"kind\": ".to_vec(),
        ContentType::JSON,
    );
    assert_eq!(
        (malformed.status, malformed.body["type"].as_str()),
        (
            Status::UnprocessableEntity,
            Some("urn:asset-registry:problem:malformed_json")
        )
    );
    let unknown = append(
        app,
        "NO-SUCH",
        json!({"kind": "maintenance", "occurred_on": "2021-01-01", "description": "x"}),
    );
    assert_eq!(unknown.status, Status::NotFound);
    let by_reader = app.post(
        "/api/v1/assets/PV-1/ledger",
        Some(&app.reader),
        json!({"kind": "maintenance", "occurred_on": "2021-01-01", "description": "x"})
            .to_string()
            .into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(by_reader.status, Status::Forbidden);
    let by_auditor = app.post(
        "/api/v1/assets/PV-1/ledger",
        Some(&app.auditor),
        json!({"kind": "maintenance", "occurred_on": "2021-01-01", "description": "x"})
            .to_string()
            .into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(by_auditor.status, Status::Forbidden);
    assert_eq!(app.register_state(), before);
}

fn idempotency_keys_replay_or_refuse(app: &TestApp) {
    setup(app);
    let body = json!({"kind": "maintenance", "occurred_on": "2021-03-01", "description": "更换阀门", "cost": "300.00"});
    let first = append_with_key(app, "PIPE-1", "req-42", body.clone());
    assert_eq!(first.status, Status::Created);
    let state = app.register_state();
    let again = append_with_key(app, "PIPE-1", "req-42", body.clone());
    assert_eq!(again.status, Status::Ok);
    assert_eq!(again.body, first.body);
    assert_eq!(app.register_state(), state);
    let other = append_with_key(
        app,
        "PIPE-1",
        "req-42",
        json!({"kind": "maintenance", "occurred_on": "2021-03-01", "description": "别的", "cost": "300.00"}),
    );
    assert_eq!(other.status, Status::UnprocessableEntity);
    assert_eq!(
        other.body["type"],
        "urn:asset-registry:problem:idempotency_key_reused"
    );
    assert_eq!(app.register_state(), state);
    // A key that cannot be one, or two keys, is a 400 that names the header and says
    // what is wrong with it; nothing is written.
    let long = "k".repeat(201);
    let refusals: [(&[&str], &str); 4] = [
        (
            &["密钥-1"],
            "Idempotency-Key 应为 1 至 200 个可见 ASCII 字符",
        ),
        (
            &["req 42"],
            "Idempotency-Key 应为 1 至 200 个可见 ASCII 字符",
        ),
        (&[&long], "Idempotency-Key 应为 1 至 200 个可见 ASCII 字符"),
        (&["req-43", "req-44"], "Idempotency-Key 只能给出一次"),
    ];
    for (keys, detail) in refusals {
        let mut request = app
            .client
            .post("/api/v1/assets/PIPE-1/ledger")
            .header(ContentType::JSON)
            .header(Header::new(
                "Authorization",
                format!("Bearer {}", app.clerk),
            ))
            .body(body.to_string());
        for key in keys {
            request = request.header(Header::new("Idempotency-Key", key.to_string()));
        }
        let reply = support::reply_of(request.dispatch());
        assert_eq!(reply.status, Status::BadRequest, "{}", reply.body);
        let mut whole = reply.body.clone();
        if let Some(object) = whole.as_object_mut() {
            object.remove("instance");
        }
        assert_eq!(
            whole,
            json!({
                "type": "urn:asset-registry:problem:bad_parameter",
                "title": "请求参数无效",
                "status": 400,
                "detail": detail,
                "parameter": "Idempotency-Key",
                "errors": [{"code": "bad_parameter", "parameter": "Idempotency-Key", "message": detail}],
            })
        );
        assert_eq!(app.register_state(), state);
    }
}

fn a_key_given_twice_is_refused_and_nothing_is_written(app: &TestApp) {
    setup(app);
    let state = app.register_state();
    let body = br#"{"kind": "income", "occurred_on": "2021-03-01", "amount": "1.00", "amount": "999.00", "period": "2020"}"#;
    let reply = app.post(
        "/api/v1/assets/PIPE-1/ledger",
        Some(&app.clerk),
        body.to_vec(),
        ContentType::JSON,
    );
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    let mut whole = reply.body.clone();
    if let Some(object) = whole.as_object_mut() {
        object.remove("instance");
    }
    let message = "字段 amount 出现了不止一次 at line 1 column 74";
    assert_eq!(
        whole,
        json!({
            "type": "urn:asset-registry:problem:malformed_json",
            "title": "请求内容无效",
            "status": 422,
            "detail": format!("请求体不是有效的 JSON：第 1 行第 74 列：{message}"),
            "errors": [{"field": "", "code": "malformed_json", "message": message}],
        })
    );
    assert_eq!(app.register_state(), state);
}

/// Another clerk token of the county, as a second system writing to the register.
fn another_clerk(app: &TestApp) -> String {
    app.county_token(asset_registry::auth::Role::Clerk, "另一系统")
}

fn problem_type(reply: &Reply) -> &str {
    reply.body["type"].as_str().unwrap_or_default()
}

fn an_idempotency_key_is_the_token_s_own(app: &TestApp) {
    setup(app);
    let body = json!({"kind": "maintenance", "occurred_on": "2021-03-01", "description": "更换阀门", "cost": "300.00"});
    let first = append_with_key(app, "PIPE-1", "req-42", body.clone());
    assert_eq!(first.status, Status::Created, "{}", first.body);
    let (state, keys) = (app.register_state(), app.count_rows("idempotency_keys"));
    // The same key and body from another token: refused, nothing of the entry shown,
    // nothing written.
    let other = append_with_key_as(app, &another_clerk(app), "PIPE-1", "req-42", body.clone());
    assert_eq!(other.status, Status::UnprocessableEntity, "{}", other.body);
    assert_eq!(
        problem_type(&other),
        "urn:asset-registry:problem:idempotency_key_reused"
    );
    assert!(
        !other.body.to_string().contains("更换阀门"),
        "{}",
        other.body
    );
    assert_eq!(app.register_state(), state);
    assert_eq!(app.count_rows("idempotency_keys"), keys);
    // The first token's retry still gets its entry.
    let again = append_with_key(app, "PIPE-1", "req-42", body);
    assert_eq!(again.status, Status::Ok, "{}", again.body);
    assert_eq!(again.body["seq"], first.body["seq"]);
    assert_eq!(again.body, first.body);
    assert_eq!(app.register_state(), state);
}

/// One key names one request, whatever its route: a key a declaration was sent with
/// is refused on a ledger append, and a key an append was sent with is refused on a
/// declaration; neither refusal writes anything.
fn a_key_serves_one_request_across_routes(app: &TestApp) {
    setup(app);
    let declaration = json!({"name": "县级申报", "as_of": "2020-10-31",
        "lines": [{"scope": "total", "projects": 3, "amount": "1000.00"}]});
    let declare_with_key = |key: &str| {
        let request = app
            .client
            .post("/api/v1/declarations")
            .header(ContentType::JSON)
            .header(Header::new(
                "Authorization",
                format!("Bearer {}", app.clerk),
            ))
            .header(Header::new("Idempotency-Key", key.to_owned()))
            .body(declaration.to_string());
        support::reply_of(request.dispatch())
    };
    let body =
        json!({"kind": "maintenance", "occurred_on": "2021-03-01", "description": "更换阀门"});
    let declared = declare_with_key("k-declared");
    assert_eq!(declared.status, Status::Created, "{}", declared.body);
    let state = app.register_state();
    let declarations = app.count_rows("declarations");
    let refused = append_with_key(app, "PIPE-1", "k-declared", body.clone());
    assert_eq!(
        refused.status,
        Status::UnprocessableEntity,
        "{}",
        refused.body
    );
    assert_eq!(
        problem_type(&refused),
        "urn:asset-registry:problem:idempotency_key_reused"
    );
    assert_eq!(app.register_state(), state, "no entry written");
    let appended = append_with_key(app, "PIPE-1", "k-appended", body);
    assert_eq!(appended.status, Status::Created, "{}", appended.body);
    let refused = declare_with_key("k-appended");
    assert_eq!(
        refused.status,
        Status::UnprocessableEntity,
        "{}",
        refused.body
    );
    assert_eq!(
        problem_type(&refused),
        "urn:asset-registry:problem:idempotency_key_reused"
    );
    assert_eq!(
        app.count_rows("declarations"),
        declarations,
        "no declaration"
    );
    // Each first request still replays under its own key.
    assert_eq!(declare_with_key("k-declared").body, declared.body);
    assert_eq!(app.count_rows("declarations"), declarations);
}

fn a_key_kept_before_keys_were_the_token_s_own_still_replays(app: &TestApp) {
    use sha2::Digest;
    setup(app);
    let body =
        json!({"kind": "maintenance", "occurred_on": "2021-03-01", "description": "更换阀门"});
    let first = append_with_key(app, "PIPE-1", "old-1", body.clone());
    assert_eq!(first.status, Status::Created, "{}", first.body);
    // Kept as before: the hash of the asset's id and the body alone.
    let id = asset(app, "PIPE-1", &app.clerk)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let kept = hex::encode(sha2::Sha256::digest(format!("{id}\n{body}")));
    let mut conn = app.db.conn().expect("connection");
    let updated = diesel::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE idempotency_keys SET request_sha256 = '{kept}' WHERE idempotency_key = 'old-1'"
        )),
        &mut *conn,
    )
    .expect("keep the old hash");
    assert_eq!(updated, 1);
    drop(conn);
    let state = app.register_state();
    let other = append_with_key_as(app, &another_clerk(app), "PIPE-1", "old-1", body.clone());
    assert_eq!(other.status, Status::UnprocessableEntity, "{}", other.body);
    assert_eq!(
        problem_type(&other),
        "urn:asset-registry:problem:idempotency_key_reused"
    );
    let changed =
        json!({"kind": "maintenance", "occurred_on": "2021-03-01", "description": "别的"});
    let reused = append_with_key(app, "PIPE-1", "old-1", changed);
    assert_eq!(
        reused.status,
        Status::UnprocessableEntity,
        "{}",
        reused.body
    );
    let again = append_with_key(app, "PIPE-1", "old-1", body);
    assert_eq!(again.status, Status::Ok, "{}", again.body);
    assert_eq!(again.body, first.body);
    assert_eq!(app.register_state(), state);
}

fn readers_see_id_numbers_masked(app: &TestApp) {
    setup(app);
    assert_eq!(
        asset(app, "COW-1", &app.reader)["owner"]["id_number"],
        "110105********002X"
    );
    assert_eq!(
        asset(app, "COW-1", &app.auditor)["owner"]["id_number"],
        "11010519491231002X"
    );
    assert_eq!(
        asset(app, "COW-1", &app.clerk)["owner"]["id_number"],
        "11010519491231002X"
    );
    let history = app.get("/api/v1/assets/COW-1/ledger", Some(&app.reader));
    assert_eq!(
        history.body["items"][0]["data"]["owner"]["id_number"],
        "110105********002X"
    );
}

fn as_of_answers_from_the_ledger(app: &TestApp) {
    setup(app);
    // COW-1 has no 确权日期: registered on the import date, today; back-date its history.
    let transfer = json!({"kind": "ownership_transferred", "occurred_on": "2022-06-01", "owner": {"name": "李四", "type": "household", "id_number": "11010519491231002X"}, "document_no": "转1"});
    assert_eq!(append(app, "PV-1", transfer).status, Status::Created);
    assert_eq!(append(app, "PV-1", json!({"kind": "custodian_changed", "occurred_on": "2021-01-01", "custodian": "早期管护人"})).status, Status::Created);
    let before = app.get("/api/v1/assets?as_of=2022-01-01", Some(&app.auditor));
    assert_eq!(before.status, Status::Ok, "{}", before.body);
    let codes: Vec<&str> = before.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        ["PV-1"],
        "assets registered after the day are left out"
    );
    let pv = &before.body["items"][0];
    assert_eq!(
        (
            pv["owner"]["name"].as_str(),
            pv["custodian"].as_str(),
            pv["as_of"].as_str()
        ),
        (
            Some("东村股份经济合作社"),
            Some("早期管护人"),
            Some("2022-01-01")
        )
    );
    let after = app.get("/api/v1/assets/PV-1?as_of=2022-12-31", Some(&app.auditor));
    assert_eq!(after.body["owner"]["name"], "李四");
    // The head as of a day is the last entry folded: on 2021-06-30 the custodian change
    // (the transfer is dated later, though appended first).
    let then = app.get("/api/v1/assets/PV-1?as_of=2021-06-30", Some(&app.auditor));
    let history = app.get("/api/v1/assets/PV-1/ledger", Some(&app.auditor));
    let custodian_entry = history.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["kind"] == "custodian_changed")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        then.body["ledger_head"],
        json!({"seq": custodian_entry["seq"], "hash": custodian_entry["hash"]})
    );
    let by_owner = app.get(
        "/api/v1/assets?as_of=2022-12-31&owner=%E6%9D%8E%E5%9B%9B",
        Some(&app.auditor),
    );
    assert_eq!(by_owner.body["items"].as_array().map(Vec::len), Some(1));
    let old_owner = app.get("/api/v1/assets?as_of=2022-12-31&owner=%E4%B8%9C%E6%9D%91%E8%82%A1%E4%BB%BD%E7%BB%8F%E6%B5%8E%E5%90%88%E4%BD%9C%E7%A4%BE", Some(&app.auditor));
    assert_eq!(old_owner.body["items"], json!([]));
    // `q` matches the owner's name as it was then.
    let q_then = |q: &str| -> Vec<String> {
        let reply = app.get(
            &format!("/api/v1/assets?as_of=2022-01-01&q={}", support::encode(q)),
            Some(&app.auditor),
        );
        reply.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["code"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(q_then("股份经济"), ["PV-1"]);
    assert_eq!(q_then("李四"), Vec::<String>::new());
    let too_early = app.get("/api/v1/assets/PV-1?as_of=2019-01-01", Some(&app.auditor));
    assert_eq!(too_early.status, Status::NotFound);
    let bad = app.get("/api/v1/assets?as_of=2022-13-01", Some(&app.auditor));
    assert_eq!(
        (bad.status, bad.body["parameter"].as_str()),
        (Status::BadRequest, Some("as_of"))
    );
    app.assert_summary_consistent();
}

fn the_change_feed_pages_in_seq_order(app: &TestApp) {
    setup(app);
    let first = app.get("/api/v1/events?after=0&limit=2", Some(&app.reader));
    assert_eq!(first.status, Status::Ok);
    let seqs: Vec<i64> = first.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["seq"].as_i64())
        .collect();
    assert_eq!(seqs, [1, 2]);
    assert_eq!(first.body["next_after"], 2);
    let rest = app.get("/api/v1/events?after=2&limit=1000", Some(&app.reader));
    assert_eq!(rest.body["items"][0]["seq"], 3);
    assert_eq!(rest.body["next_after"], 3);
    let empty = app.get("/api/v1/events?after=3", Some(&app.reader));
    assert_eq!(
        (
            empty.body["items"].clone(),
            empty.body["next_after"].clone()
        ),
        (json!([]), json!(3))
    );
    assert_eq!(
        app.get("/api/v1/events?after=-1", Some(&app.reader)).status,
        Status::BadRequest
    );
    assert_eq!(
        app.get("/api/v1/events?limit=0", Some(&app.reader)).status,
        Status::BadRequest
    );
}

fn an_asset_s_ledger_pages_like_every_list(app: &TestApp) {
    setup(app);
    for day in ["2021-01-01", "2021-02-01", "2021-03-01", "2021-04-01"] {
        let body = json!({"kind": "inspection", "occurred_on": day, "result": "normal"});
        assert_eq!(append(app, "PV-1", body).status, Status::Created);
    }
    let whole = app.get("/api/v1/assets/PV-1/ledger", Some(&app.reader));
    assert_eq!(whole.status, Status::Ok, "{}", whole.body);
    assert_eq!(whole.body["next_cursor"], Value::Null);
    let all = whole.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(all.len(), 5, "registered and four inspections");
    let mut paged = Vec::new();
    let mut next = "/api/v1/assets/PV-1/ledger?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let page = app.get(&next, Some(&app.reader));
        assert_eq!(page.status, Status::Ok, "{}", page.body);
        let items = page.body["items"].as_array().cloned().unwrap_or_default();
        assert!(items.len() <= 2, "{}", page.body);
        paged.extend(items);
        pages += 1;
        match page.body["next_cursor"].as_str() {
            Some(cursor) => next = format!("/api/v1/assets/PV-1/ledger?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(
        (pages, paged),
        (3, all),
        "2 + 2 + 1, the same entries in order"
    );
    for (query, parameter) in [
        ("limit=0", "limit"),
        ("limit=x", "limit"),
        ("cursor=zz", "cursor"),
    ] {
        let refused = app.get(
            &format!("/api/v1/assets/PV-1/ledger?{query}"),
            Some(&app.reader),
        );
        assert_eq!(refused.status, Status::BadRequest, "{query}");
        assert_eq!(refused.body["parameter"], parameter, "{}", refused.body);
    }
}

/// Appends a few entries, then runs SQL against the database with the append-only
/// triggers removed (as someone with database access could).
fn tamper(app: &TestApp, sql: &str) -> Value {
    setup(app);
    for day in ["2021-01-01", "2021-02-01", "2021-03-01"] {
        assert_eq!(
            append(
                app,
                "PV-1",
                json!({"kind": "maintenance", "occurred_on": day, "description": "巡修"})
            )
            .status,
            Status::Created
        );
    }
    let intact = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(intact.body["ok"], true, "{}", intact.body);
    assert_eq!(intact.body["entries"], 6);
    let mut conn = app.db.conn().expect("connection");
    let drop_guards = match app.backend {
        asset_registry::db::Backend::Sqlite => {
            "DROP TRIGGER ledger_entries_no_update; DROP TRIGGER ledger_entries_no_delete;"
        }
        asset_registry::db::Backend::Postgres => {
            "DROP TRIGGER ledger_entries_no_update ON ledger_entries;"
        }
    };
    conn.batch_execute(drop_guards).expect("drop guards");
    conn.batch_execute(sql).expect("tamper");
    drop(conn);
    let reply = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(reply.status, Status::Ok);
    assert_eq!(reply.body["ok"], false, "{}", reply.body);
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_asset-registry"))
        .args(["--database", &app.database.url, "verify"])
        .output()
        .expect("run verify");
    assert_eq!(cli.status.code(), Some(1));
    let printed = String::from_utf8_lossy(&cli.stdout);
    assert!(
        printed.contains(&reply.body["first_bad_seq"].to_string()),
        "{printed}"
    );
    // The first bad entry is named with its asset's code, when the entry is there.
    if let Some(seq) = reply.body["first_bad_seq"].as_i64() {
        let mut conn = app.db.conn().expect("connection");
        let code =
            asset_registry::ledger::store::asset_code_of_entry(&mut conn, seq).expect("query");
        if let Some(code) = code {
            assert!(printed.contains(&format!("（资产 {code}）")), "{printed}");
        }
    }
    reply.body
}

fn verify_catches_an_edited_entry(app: &TestApp) {
    let result = tamper(
        app,
        "UPDATE ledger_entries SET data = '{\"description\":\"改过\"}' WHERE seq = 5",
    );
    assert_eq!(result["first_bad_seq"], 5);
}

fn verify_catches_a_deleted_entry(app: &TestApp) {
    let result = tamper(app, "DELETE FROM ledger_entries WHERE seq = 4");
    assert_eq!(result["first_bad_seq"], 4);
}

fn verify_catches_a_deleted_last_entry(app: &TestApp) {
    let result = tamper(app, "DELETE FROM ledger_entries WHERE seq = 6");
    assert_eq!(result["first_bad_seq"], 6);
}

fn verify_catches_an_inserted_entry(app: &TestApp) {
    let result = tamper(
        app,
        "INSERT INTO ledger_entries (seq, asset_id, asset_code, kind, occurred_on, recorded_at, actor, data, batch_id, prev_hash, hash) \
         SELECT 7, asset_id, asset_code, 'maintenance', '2021-04-01', recorded_at, actor, data, NULL, hash, hash FROM ledger_entries WHERE seq = 6",
    );
    assert_eq!(result["first_bad_seq"], 7);
}

fn verify_catches_reordered_entries(app: &TestApp) {
    let result = tamper(
        app,
        "UPDATE ledger_entries SET seq = 100 WHERE seq = 4; UPDATE ledger_entries SET seq = 4 WHERE seq = 5; UPDATE ledger_entries SET seq = 5 WHERE seq = 100;",
    );
    assert_eq!(result["first_bad_seq"], 4);
}

fn the_ledger_refuses_updates_and_deletes(app: &TestApp) {
    setup(app);
    let mut conn = app.db.conn().expect("connection");
    assert!(conn
        .batch_execute("UPDATE ledger_entries SET actor = 'x' WHERE seq = 1")
        .is_err());
    assert!(conn
        .batch_execute("DELETE FROM ledger_entries WHERE seq = 1")
        .is_err());
}

fn verify_is_for_auditors(app: &TestApp) {
    setup(app);
    assert_eq!(
        app.get("/api/v1/ledger/verify", Some(&app.reader)).status,
        Status::Forbidden
    );
    assert_eq!(
        app.get("/api/v1/ledger/verify", Some(&app.clerk)).status,
        Status::Forbidden
    );
    let ok = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(ok.body["ok"], true);
    assert_eq!(ok.body["entries"], 3);
    assert_eq!(ok.body["head"], app.register_state().head);
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_asset-registry"))
        .args(["--database", &app.database.url, "verify"])
        .output()
        .expect("run verify");
    assert_eq!(
        cli.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
}

fn concurrent_clients_get_no_server_errors(app: &TestApp) {
    setup(app);
    let clients = 32;
    let per_client = 4;
    let runtime = rocket::tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("runtime");
    let statuses: Vec<u16> = runtime.block_on(async {
        let figment = rocket::Config::figment().merge(("log_level", "off"));
        let client = Arc::new(
            rocket::local::asynchronous::Client::tracked(asset_registry::server::rocket(app.db.clone(), figment))
                .await
                .expect("client"),
        );
        let mut tasks = rocket::tokio::task::JoinSet::new();
        for c in 0..clients {
            let client = Arc::clone(&client);
            let token = app.clerk.clone();
            tasks.spawn(async move {
                let mut statuses = Vec::new();
                for i in 0..per_client {
                    let body = json!({"kind": "maintenance", "occurred_on": "2021-01-01", "description": format!("client {c} entry {i}")});
                    let response = client
                        .post("/api/v1/assets/PV-1/ledger")
                        .header(ContentType::JSON)
                        .header(Header::new("Authorization", format!("Bearer {token}")))
                        .body(body.to_string())
                        .dispatch()
                        .await;
                    statuses.push(response.status().code);
                }
                statuses
            });
        }
        let mut all = Vec::new();
        while let Some(done) = tasks.join_next().await {
            all.extend(done.expect("task"));
        }
        all
    });
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 503),
        "{statuses:?}"
    );
    let created = statuses.iter().filter(|s| **s == 201).count() as i64;
    println!(
        "{} of {} concurrent appends created, {} answered 503",
        created,
        statuses.len(),
        statuses.len() as i64 - created
    );
    let verify = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verify.body["ok"], true);
    assert_eq!(verify.body["entries"], 3 + created);
    app.assert_summary_consistent();
}

/// A write kept waiting for the chain's lock past the server's statement timeout (on
/// PostgreSQL; another process's long import holds the lock) is told to retry — 503
/// `busy` with `Retry-After`, nothing written — as SQLite answers a write kept waiting
/// past its busy timeout; it was a 500 on PostgreSQL. Once the lock is free the same
/// write goes in.
fn a_write_kept_waiting_for_the_chain_is_told_to_retry(app: &TestApp) {
    setup(app);
    let server = app.impatient_server();
    let entry =
        json!({"kind": "maintenance", "occurred_on": "2021-06-01", "description": "更换水泵"});
    let send = || {
        let response = server
            .post("/api/v1/assets/PIPE-1/ledger")
            .header(ContentType::JSON)
            .header(Header::new(
                "Authorization",
                format!("Bearer {}", app.clerk),
            ))
            .body(entry.to_string())
            .dispatch();
        let retry = response.headers().get_one("Retry-After").map(str::to_owned);
        (support::reply_of(response), retry)
    };
    let before = app.register_state();
    let ((reply, retry), in_time) =
        app.beside_a_held_chain_lock(std::time::Duration::from_secs(60), send);
    assert!(in_time, "the write waited until the lock was given up");
    assert_eq!(reply.status, Status::ServiceUnavailable, "{}", reply.body);
    assert_eq!(retry.as_deref(), Some("1"));
    assert_eq!(
        reply.content_type.as_deref(),
        Some("application/problem+json")
    );
    let mut body = reply.body.clone();
    assert!(body["instance"].is_string(), "{body}");
    body["instance"] = Value::Null;
    assert_eq!(
        body,
        json!({
            "type": "urn:asset-registry:problem:busy",
            "title": "数据库繁忙",
            "status": 503,
            "detail": "数据库正忙，请稍后重试（Retry-After 秒后）",
            "instance": null
        })
    );
    assert_eq!(app.register_state(), before, "nothing written");
    let (again, _) = send();
    assert_eq!(again.status, Status::Created, "{}", again.body);
    assert_eq!(again.body["kind"], "maintenance");
    assert_eq!(again.body["seq"], json!(4));
    let verify = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verify.body["ok"], true, "{}", verify.body);
    app.assert_summary_consistent();
}

/// The asset page's entry form, sent while the chain's lock is kept past the server's
/// statement timeout (another process's long import), is answered with a page that
/// says the database is busy and nothing was written (503), not the internal-error page
/// (500); sent again once the lock is free, the entry is recorded.
fn a_form_kept_waiting_for_the_chain_is_told_to_send_again(app: &TestApp) {
    setup(app);
    let server = app.impatient_server();
    let send = || {
        support::post_form(&server, "/assets/PIPE-1/entries", &app.clerk, "kind=maintenance&occurred_on=2021-06-01&description=%E6%9B%B4%E6%8D%A2%E6%B0%B4%E6%B3%B5".to_owned())
    };
    let before = app.register_state();
    let ((status, _, page), in_time) =
        app.beside_a_held_chain_lock(std::time::Duration::from_secs(60), send);
    assert!(in_time, "the form waited until the lock was given up");
    support::assert_busy_page(status, &page);
    assert_eq!(app.register_state(), before, "nothing written");
    let (status, location, _) = send();
    assert_eq!(status, Status::SeeOther);
    assert_eq!(location.as_deref(), Some("/assets/PIPE-1?done=maintenance"));
    let history = app.get("/api/v1/assets/PIPE-1/ledger", Some(&app.auditor));
    let kinds: Vec<&str> = history.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(kinds, ["registered", "maintenance"]);
    app.assert_summary_consistent();
}

fn two_app_instances_keep_one_unforked_chain(app: &TestApp) {
    // Two independent pools (as two server processes would have) append at once.
    setup(app);
    let instances = 2;
    let threads_per_instance = 4;
    let per_thread = 125;
    let started = std::time::Instant::now();
    std::thread::scope(|scope| {
        for instance in 0..instances {
            let db = asset_registry::db::Db::open(&app.database.url, threads_per_instance)
                .expect("second pool");
            for thread in 0..threads_per_instance {
                let db = db.clone();
                scope.spawn(move || {
                    let mut conn = db.conn().expect("connection");
                    for i in 0..per_thread {
                        let body = json!({"kind": "maintenance", "occurred_on": "2021-01-01", "description": format!("{instance}/{thread}/{i}")});
                        let request = asset_registry::ledger::append::AppendRequest {
                            asset: if i % 2 == 0 { "PV-1" } else { "PIPE-1" }.to_owned(),
                            scope: asset_registry::domain::Scope::County,
                            entry: asset_registry::ledger::entry::parse_entry(&body).expect("valid entry"),
                            actor: format!("instance-{instance}"),
                            idempotency_key: None,
                            canonical_body: body.to_string(),
                        };
                        asset_registry::ledger::append::append_entry(&mut conn, &request).expect("append");
                    }
                });
            }
        }
    });
    let appended = i64::from(instances * threads_per_instance * per_thread);
    println!(
        "{} appends from {instances} pools in {:?}",
        appended,
        started.elapsed()
    );
    let verify = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verify.body["ok"], true, "{}", verify.body);
    assert_eq!(verify.body["entries"], 3 + appended);
    let feed = app.get("/api/v1/events?after=3&limit=1000", Some(&app.auditor));
    let seqs: Vec<i64> = feed.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["seq"].as_i64())
        .collect();
    assert_eq!(seqs, (4..=1003).collect::<Vec<_>>());
    app.assert_summary_consistent();
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "kinds::every_kind_updates_the_projection",
            every_kind_updates_the_projection,
        ),
        (
            "rules::disposed_accepts_only_corrections",
            a_disposed_asset_accepts_only_corrections,
        ),
        (
            "rules::overdistributed",
            distributing_more_than_earned_is_refused,
        ),
        (
            "rules::bad_entries_name_the_field",
            bad_entries_are_refused_naming_the_field,
        ),
        (
            "idempotency::replay_or_refuse",
            idempotency_keys_replay_or_refuse,
        ),
        (
            "entries::a_key_given_twice_is_refused",
            a_key_given_twice_is_refused_and_nothing_is_written,
        ),
        (
            "idempotency::the_token_s_own",
            an_idempotency_key_is_the_token_s_own,
        ),
        (
            "idempotency::one_request_across_routes",
            a_key_serves_one_request_across_routes,
        ),
        (
            "idempotency::kept_before_still_replays",
            a_key_kept_before_keys_were_the_token_s_own_still_replays,
        ),
        (
            "roles::readers_see_masked_ids",
            readers_see_id_numbers_masked,
        ),
        (
            "as_of::answers_from_the_ledger",
            as_of_answers_from_the_ledger,
        ),
        (
            "history::pages_like_every_list",
            an_asset_s_ledger_pages_like_every_list,
        ),
        (
            "events::pages_in_seq_order",
            the_change_feed_pages_in_seq_order,
        ),
        ("verify::edited", verify_catches_an_edited_entry),
        ("verify::deleted", verify_catches_a_deleted_entry),
        ("verify::deleted_last", verify_catches_a_deleted_last_entry),
        ("verify::inserted", verify_catches_an_inserted_entry),
        ("verify::reordered", verify_catches_reordered_entries),
        (
            "verify::append_only_guard",
            the_ledger_refuses_updates_and_deletes,
        ),
        ("verify::auditors_only", verify_is_for_auditors),
        (
            "concurrency::32_clients",
            concurrent_clients_get_no_server_errors,
        ),
        (
            "concurrency::a_write_kept_waiting_for_the_chain_is_told_to_retry",
            a_write_kept_waiting_for_the_chain_is_told_to_retry,
        ),
        (
            "concurrency::a_form_kept_waiting_for_the_chain_is_told_to_send_again",
            a_form_kept_waiting_for_the_chain_is_told_to_send_again,
        ),
        (
            "concurrency::two_instances_2x500",
            two_app_instances_keep_one_unforked_chain,
        ),
    ];
    support::run(scenarios)
}
