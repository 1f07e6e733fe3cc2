//! Documents (档案, issue #16.5) on SQLite and PostgreSQL: a file uploaded by a clerk is
//! stored once by its SHA-256 and served back to every role but readers; an entry cites
//! it in its hashed data, an unknown digest is refused (422 `unknown_attachment`,
//! nothing written); verification rehashes every cited file and names the entry whose
//! file was changed or removed; a backup carries the files.

mod support;

use std::process::Command;

use asset_registry::auth::{self, Role};
use asset_registry::domain::Scope;
use asset_registry::ledger::attachments::digest;
use diesel::connection::SimpleConnection;
use diesel::Connection;
use rocket::http::{ContentType, Header, Status};
use serde_json::{json, Value};
use support::{Scenario, TestApp};

const REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人
PRJ-1,东村光伏,2019,桑镇,东村,500000,PV-1,村级光伏电站,经营性,500000,东村股份经济合作社
";

/// A small PDF-like file with bytes that are not UTF-8.
fn contract() -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n\xe5\x90\x88\xe5\x90\x8c\n".to_vec();
    bytes.extend((0u8..=255).collect::<Vec<u8>>());
    bytes
}

fn upload(app: &TestApp, token: &str, query: &str, bytes: Vec<u8>) -> support::Reply {
    app.post(
        &format!("/api/v1/attachments{query}"),
        Some(token),
        bytes,
        ContentType::Binary,
    )
}

fn setup(app: &TestApp) -> String {
    let reply = app.import(REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let stored = upload(
        app,
        &app.clerk,
        "?filename=%E5%90%88%E5%90%8C.pdf",
        contract(),
    );
    assert_eq!(stored.status, Status::Created, "{}", stored.body);
    stored.body["sha256"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn append(app: &TestApp, body: Value) -> support::Reply {
    app.post(
        "/api/v1/assets/PV-1/ledger",
        Some(&app.clerk),
        body.to_string().into_bytes(),
        ContentType::JSON,
    )
}

fn a_file_is_stored_once_and_served_to_all_but_readers(app: &TestApp) {
    let sha256 = setup(app);
    let bytes = contract();
    assert_eq!(sha256, digest(&bytes));
    let again = upload(app, &app.admin, "?filename=other.pdf", bytes.clone());
    assert_eq!(again.status, Status::Ok);
    assert_eq!(
        again.body,
        json!({"sha256": sha256, "size": bytes.len(), "filename": "合同.pdf"})
    );
    assert_eq!(app.count_rows("attachments"), 1);
    let mut conn = app.db.conn().expect("connection");
    let approver = auth::create_token(&mut conn, "审批人", Role::Approver, &Scope::County)
        .expect("token")
        .secret;
    drop(conn);
    for token in [&app.clerk, &app.auditor, &app.admin, &approver] {
        let response = app
            .client
            .get(format!("/api/v1/attachments/{sha256}"))
            .header(Header::new("Authorization", format!("Bearer {token}")))
            .dispatch();
        assert_eq!(response.status(), Status::Ok);
        assert_eq!(
            response.headers().get_one("Content-Disposition"),
            Some("attachment; filename=\"attachment\"; filename*=UTF-8''%E5%90%88%E5%90%8C.pdf")
        );
        assert_eq!(response.content_type(), Some(ContentType::Binary));
        assert_eq!(response.into_bytes(), Some(bytes.clone()));
    }
    let reader = app.get(&format!("/api/v1/attachments/{sha256}"), Some(&app.reader));
    assert_eq!(reader.status, Status::Forbidden);
    let unknown = app.get(
        &format!("/api/v1/attachments/{}", digest(b"x")),
        Some(&app.clerk),
    );
    assert_eq!(unknown.status, Status::NotFound);
    assert_eq!(unknown.body["detail"], "没有这个 SHA-256 的附件");
    // Who may upload, and what.
    let refused = upload(app, &app.reader, "", b"x".to_vec());
    assert_eq!(refused.status, Status::Forbidden);
    let refused = upload(app, &app.auditor, "", b"x".to_vec());
    assert_eq!(refused.status, Status::Forbidden);
    let empty = upload(app, &app.clerk, "?filename=a.pdf", Vec::new());
    assert_eq!(empty.status, Status::UnprocessableEntity);
    assert_eq!(
        empty.body["errors"],
        json!([{"field": "", "code": "empty_file", "message": "附件是空的（0 字节）"}])
    );
    let bad_name = upload(app, &app.clerk, "?filename=a%0Ab.pdf", b"y".to_vec());
    assert_eq!(bad_name.status, Status::BadRequest);
    assert_eq!(bad_name.body["parameter"], "filename", "{}", bad_name.body);
    assert_eq!(
        bad_name.body["detail"],
        "filename 不能含有控制字符或路径分隔符"
    );
    // Names that would show as another (a bidi override, a zero-width space) or name
    // a folder: refused whole, as every bad parameter is.
    for (name, detail) in [
        (
            "%E5%90%88%E5%90%8C%E2%80%AEfdp.exe",
            "filename 不能含有不可见字符（如零宽空格、双向控制符）：它们让文件名看起来与实际不同",
        ),
        (
            "a%E2%80%8B.pdf",
            "filename 不能含有不可见字符（如零宽空格、双向控制符）：它们让文件名看起来与实际不同",
        ),
        (
            "..",
            "filename 不能只由点组成（. 与 .. 指目录，不是文件名）",
        ),
        (".", "filename 不能只由点组成（. 与 .. 指目录，不是文件名）"),
    ] {
        let refused = upload(app, &app.clerk, &format!("?filename={name}"), b"z".to_vec());
        assert_eq!(refused.status, Status::BadRequest, "{}", refused.body);
        let mut body = refused.body.clone();
        if let Some(object) = body.as_object_mut() {
            object.remove("instance");
        }
        assert_eq!(
            body,
            json!({
                "type": "urn:asset-registry:problem:bad_parameter",
                "title": "请求参数无效",
                "status": 400,
                "detail": detail,
                "parameter": "filename",
                "errors": [{"code": "bad_parameter", "parameter": "filename", "message": detail}],
            })
        );
    }
    assert_eq!(
        app.count_rows("attachments"),
        1,
        "nothing refused was stored"
    );
}

fn a_file_over_the_limit_is_refused(default: &TestApp) {
    // A limit of 1 KiB set as an operator would (`limits.attachment`).
    let app = TestApp::new(
        default.backend,
        Some(
            rocket::Config::figment()
                .merge(("log_level", "off"))
                .merge(("limits.attachment", "1KiB")),
        ),
    );
    let over = upload(&app, &app.clerk, "?filename=big.bin", vec![7u8; 1025]);
    assert_eq!(over.status, Status::PayloadTooLarge, "{}", over.body);
    assert_eq!(over.body["limit"], 1024, "{}", over.body);
    assert_eq!(
        over.body["detail"], "请求体超过上限 1KiB（1024 字节），未写入任何数据",
        "{}",
        over.body
    );
    assert_eq!(app.count_rows("attachments"), 0);
    let within = upload(&app, &app.clerk, "?filename=ok.bin", vec![7u8; 1024]);
    assert_eq!(within.status, Status::Created);
}

fn entries_cite_stored_files_only(app: &TestApp) {
    let sha256 = setup(app);
    let cited = append(
        app,
        json!({"kind": "maintenance", "occurred_on": "2022-03-01", "description": "检修",
               "attachments": [sha256.to_uppercase()]}),
    );
    assert_eq!(cited.status, Status::Created, "{}", cited.body);
    assert_eq!(cited.body["data"]["attachments"], json!([sha256]));
    let before = app.register_state();
    let unknown = digest(b"never uploaded");
    let refused = append(
        app,
        json!({"kind": "income", "occurred_on": "2022-03-02", "amount": "10.00", "period": "2022",
               "attachments": [sha256, unknown]}),
    );
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert_eq!(
        refused.body["errors"],
        json!([{"field": "attachments", "code": "unknown_attachment",
                "message": format!("没有 SHA-256 为 {unknown} 的附件：请先上传附件（POST /api/v1/attachments）")}])
    );
    assert_eq!(app.register_state(), before);
    let malformed = append(
        app,
        json!({"kind": "maintenance", "occurred_on": "2022-03-02", "description": "x",
               "attachments": ["合同.pdf"]}),
    );
    assert_eq!(malformed.status, Status::UnprocessableEntity);
    assert_eq!(
        malformed.body["errors"],
        json!([{"field": "attachments[0]", "code": "invalid_value",
                "message": "附件应以其 SHA-256（64 位十六进制）引用"}])
    );
    let not_a_list = append(
        app,
        json!({"kind": "maintenance", "occurred_on": "2022-03-02", "description": "x",
               "attachments": sha256}),
    );
    assert_eq!(not_a_list.body["errors"][0]["code"], "invalid_type");
    assert_eq!(app.register_state(), before);
    let verified = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verified.body["ok"], true, "{}", verified.body);
}

fn verification_rehashes_every_cited_file(app: &TestApp) {
    let sha256 = setup(app);
    let cited = append(
        app,
        json!({"kind": "inspection", "occurred_on": "2022-03-01", "result": "normal",
               "attachments": [sha256]}),
    );
    assert_eq!(cited.status, Status::Created, "{}", cited.body);
    let seq = cited.body["seq"].as_i64().unwrap_or_default();
    append(
        app,
        json!({"kind": "maintenance", "occurred_on": "2022-03-02", "description": "检修"}),
    );
    let verify = || app.get("/api/v1/ledger/verify", Some(&app.auditor)).body;
    assert_eq!(verify()["ok"], true);
    let run = |sql: &str| {
        let mut conn = app.db.conn().expect("connection");
        conn.batch_execute(sql).expect(sql);
    };
    let hex_literal = |bytes: &[u8]| match app.backend {
        asset_registry::db::Backend::Sqlite => format!("X'{}'", hex::encode(bytes)),
        asset_registry::db::Backend::Postgres => format!("'\\x{}'::bytea", hex::encode(bytes)),
    };
    // One byte of the stored file changed.
    let mut changed = contract();
    changed[9] ^= 1;
    run(&format!(
        "UPDATE attachments SET content = {}",
        hex_literal(&changed)
    ));
    let failed = verify();
    assert_eq!(failed["ok"], false, "{failed}");
    assert_eq!(failed["first_bad_seq"], seq);
    assert_eq!(
        failed["problem"],
        format!(
            "条目 {seq} 引用的附件 {sha256}（合同.pdf）内容已被改动：现在的 SHA-256 为 {}",
            digest(&changed)
        )
    );
    let cli = Command::new(env!("CARGO_BIN_EXE_asset-registry"))
        .args(["--database", &app.database.url, "verify"])
        .env_remove("DATABASE_URL")
        .output()
        .expect("verify");
    assert_eq!(cli.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&cli.stdout).contains(&format!(
        "校验失败：第一个不符的条目 seq {seq}（资产 PV-1）"
    )));
    // Put back, it verifies again.
    run(&format!(
        "UPDATE attachments SET content = {}",
        hex_literal(&contract())
    ));
    assert_eq!(verify()["ok"], true);
    // Removed.
    run("DELETE FROM attachments");
    let failed = verify();
    assert_eq!(failed["first_bad_seq"], seq);
    assert_eq!(
        failed["problem"],
        format!("条目 {seq} 引用的附件 {sha256} 已不在库中（被删除）")
    );
}

fn backups_carry_the_files(app: &TestApp) {
    let sha256 = setup(app);
    let cited = append(
        app,
        json!({"kind": "maintenance", "occurred_on": "2022-03-01", "description": "检修",
               "attachments": [sha256]}),
    );
    assert_eq!(cited.status, Status::Created);
    if app.backend != asset_registry::db::Backend::Sqlite {
        // PostgreSQL is backed up with pg_dump, which carries every table; migrate-to's
        // test carries an attachment across.
        return;
    }
    let folder = tempfile::tempdir().expect("temp dir");
    let file = folder.path().join("backup.sqlite3");
    let backup = Command::new(env!("CARGO_BIN_EXE_asset-registry"))
        .args([
            "--database",
            &app.database.url,
            "backup",
            &file.to_string_lossy(),
        ])
        .env_remove("DATABASE_URL")
        .output()
        .expect("backup");
    assert_eq!(
        backup.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    let copy = asset_registry::db::Db::open(&file.to_string_lossy(), 1).expect("backup opens");
    let mut conn = copy.conn().expect("connection");
    let stored = asset_registry::ledger::attachments::content(&mut conn, &sha256)
        .expect("query")
        .expect("the file is in the backup");
    assert_eq!(stored.1, contract());
    let verified = asset_registry::ledger::verify::verify(&mut conn).expect("verify");
    assert!(verified.ok, "{verified:?}");
}

/// A multipart body holding `bytes` as the form's `file`, named `name`.
fn multipart(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--XB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(b"\r\n--XB--\r\n");
    body
}

fn the_asset_page_uploads_a_document_for_its_forms(app: &TestApp) {
    setup(app);
    let browser = app.signed_in(&app.clerk);
    // 2 MiB: over Rocket's own 1 MiB for a form's file, within the attachment limit.
    let big: Vec<u8> = (0u8..=255).cycle().take(2 * 1024 * 1024).collect();
    let sha256 = digest(&big);
    let response = browser
        .post("/assets/PV-1/attachments")
        .header(ContentType::new("multipart", "form-data").with_params(("boundary", "XB")))
        .body(multipart("验收报告.pdf", &big))
        .dispatch();
    assert_eq!(response.status(), Status::SeeOther);
    let location = response
        .headers()
        .get_one("Location")
        .unwrap_or_default()
        .to_owned();
    assert_eq!(location, format!("/assets/PV-1?attached={sha256}"));
    let page = browser
        .get(location)
        .dispatch()
        .into_string()
        .unwrap_or_default();
    assert!(
        page.contains("附件已上传，其 SHA-256 已填入下面各表单的“附件”栏"),
        "{page}"
    );
    assert!(
        page.contains(&format!("name=\"attachments\" value=\"{sha256}\"")),
        "{page}"
    );
    assert!(page.contains("enctype=\"multipart/form-data\""));
    let info = app.get(&format!("/api/v1/attachments/{sha256}"), Some(&app.auditor));
    assert_eq!(info.status, Status::Ok);
    // The maintenance form, as the browser sends it, cites it.
    let response = browser
        .post("/assets/PV-1/entries")
        .header(ContentType::Form)
        .body(format!(
            "kind=maintenance&occurred_on=2022-03-01&description=%E6%A3%80%E4%BF%AE&attachments={sha256}"
        ))
        .dispatch();
    assert_eq!(response.status(), Status::SeeOther);
    let ledger = app.get("/api/v1/assets/PV-1/ledger", Some(&app.auditor));
    let last = ledger.body["items"]
        .as_array()
        .and_then(|i| i.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["data"]["attachments"], json!([sha256]), "{last}");
    // An unknown digest comes back beside the input.
    let before = app.register_state();
    let unknown = digest(b"never");
    let response = browser
        .post("/assets/PV-1/entries")
        .header(ContentType::Form)
        .body(format!(
            "kind=maintenance&occurred_on=2022-03-01&description=x&attachments={unknown}"
        ))
        .dispatch();
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = response.into_string().unwrap_or_default();
    assert!(
        page.contains(&format!("没有 SHA-256 为 {unknown} 的附件")),
        "{page}"
    );
    assert_eq!(app.register_state(), before);
    // Readers upload nothing.
    let reader = app.signed_in(&app.reader);
    let refused = reader
        .post("/assets/PV-1/attachments")
        .header(ContentType::new("multipart", "form-data").with_params(("boundary", "XB")))
        .body(multipart("x.pdf", b"x"))
        .dispatch();
    assert_eq!(refused.status(), Status::Forbidden);
    assert_eq!(app.count_rows("attachments"), 2);
}

/// Out of scope a document is not there: a village reads the files it uploaded and
/// those cited by its own assets' entries, not another village's.
fn a_village_reads_only_its_own_documents(app: &TestApp) {
    let sha256 = setup(app);
    let token = |scope: &str, name: &str| {
        let mut conn = app.db.conn().expect("connection");
        auth::create_token(
            &mut conn,
            name,
            Role::Clerk,
            &Scope::parse(scope).expect("scope"),
        )
        .expect("token")
        .secret
    };
    let east = token("village:桑镇/东村", "东村文书");
    let west = token("village:桑镇/西村", "西村文书");
    let path = format!("/api/v1/attachments/{sha256}");
    // Uploaded by the county, cited by nothing yet: the county's alone.
    assert_eq!(app.get(&path, Some(&east)).status, Status::NotFound);
    let cited = append(
        app,
        json!({"kind": "maintenance", "occurred_on": "2022-01-01", "description": "合同",
               "attachments": [sha256]}),
    );
    assert_eq!(cited.status, Status::Created, "{}", cited.body);
    assert_eq!(
        app.get(&path, Some(&east)).status,
        Status::Ok,
        "cited by 东村's asset"
    );
    let refused = app.get(&path, Some(&west));
    assert_eq!(refused.status, Status::NotFound, "{}", refused.body);
    assert_eq!(app.get(&path, Some(&app.clerk)).status, Status::Ok);
    // What 西村 uploads itself, it reads back.
    let own = upload(app, &west, "?filename=a.txt", b"west".to_vec());
    assert_eq!(own.status, Status::Created, "{}", own.body);
    let own = own.body["sha256"].as_str().unwrap_or_default().to_owned();
    let path = format!("/api/v1/attachments/{own}");
    assert_eq!(app.get(&path, Some(&west)).status, Status::Ok);
    assert_eq!(app.get(&path, Some(&east)).status, Status::NotFound);
}

/// The same photo stored by two requests at once, the second inside a transaction that
/// goes on after it (as the phone page's results write does, the chain's lock taken
/// first): the second finds the first's file instead of failing its transaction.
fn a_file_stored_twice_at_once_is_kept_once(app: &TestApp) {
    use asset_registry::ledger::attachments::{info, store, AttachmentInfo};
    let photo = b"\xff\xd8\xff one photo of a pump".to_vec();
    let sha256 = digest(&photo);
    let kept = AttachmentInfo {
        sha256: sha256.clone(),
        size: i64::try_from(photo.len()).expect("size"),
        filename: "first.jpg".to_owned(),
    };
    let (second, waited) = app.beside_an_uncommitted_write(
        |conn| {
            let stored = store(conn, &photo, "first.jpg", "clerk-1")?;
            assert_eq!(stored, (kept.clone(), true));
            Ok(())
        },
        || {
            let mut conn = app.db.conn().expect("connection");
            conn.transaction(|conn| {
                conn.batch_execute("UPDATE ledger_head SET seq = seq WHERE id = 1")?;
                let stored = store(conn, &photo, "second.jpg", "clerk-2")?;
                // The transaction goes on after the file was found stored.
                let again = info(conn, &sha256)?;
                Ok::<_, diesel::result::Error>((stored, again))
            })
        },
    );
    assert!(
        waited || app.backend == asset_registry::db::Backend::Sqlite,
        "the second store did not wait for the first"
    );
    let (stored, again) = second.expect("the second store and its transaction");
    assert_eq!(stored, (kept.clone(), false));
    assert_eq!(again, Some(kept));
    assert_eq!(app.count_rows("attachments"), 1);
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "attachments::a_file_is_stored_once_and_served_to_all_but_readers",
            a_file_is_stored_once_and_served_to_all_but_readers,
        ),
        (
            "attachments::a_file_over_the_limit_is_refused",
            a_file_over_the_limit_is_refused,
        ),
        (
            "attachments::entries_cite_stored_files_only",
            entries_cite_stored_files_only,
        ),
        (
            "attachments::verification_rehashes_every_cited_file",
            verification_rehashes_every_cited_file,
        ),
        (
            "attachments::backups_carry_the_files",
            backups_carry_the_files,
        ),
        (
            "attachments::the_asset_page_uploads_a_document_for_its_forms",
            the_asset_page_uploads_a_document_for_its_forms,
        ),
        (
            "attachments::a_village_reads_only_its_own_documents",
            a_village_reads_only_its_own_documents,
        ),
        (
            "attachments::a_file_stored_twice_at_once_is_kept_once",
            a_file_stored_twice_at_once_is_kept_once,
        ),
    ];
    support::run(scenarios)
}
