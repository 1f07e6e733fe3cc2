//! Reliability and security with the real binary, on SQLite and PostgreSQL: kill -9
//! during an import and after acknowledged writes, two server processes on one database,
//! concurrent imports and appends, hostile input, throttling, logs, backups.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rocket::http::{ContentType, Status};
use serde_json::{json, Value};
use support::{Scenario, TestApp};

/// A server process of the binary.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(app: &TestApp, log: Option<&Path>) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        // The log goes to stderr (through `tracing`); stdout is kept in the same file.
        let (output, errors) = match log {
            Some(path) => {
                let file = std::fs::File::create(path).expect("log file");
                let copy = file.try_clone().expect("log file");
                (Stdio::from(file), Stdio::from(copy))
            }
            None => (Stdio::null(), Stdio::null()),
        };
        let child = Command::new(env!("CARGO_BIN_EXE_asset-registry"))
            .args([
                "--database",
                &app.database.url,
                "serve",
                "--port",
                &port.to_string(),
            ])
            .env_remove("DATABASE_URL")
            .env(
                "ROCKET_LOG_LEVEL",
                if log.is_some() { "normal" } else { "off" },
            )
            .env("ROCKET_CLI_COLORS", "false")
            .stdout(output)
            .stderr(errors)
            .spawn()
            .expect("start server");
        let server = Server { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if http(server.port, "GET", "/api/v1/health", &[], b"").is_ok_and(|(s, _)| s == 200) {
                return server;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("server did not start");
    }

    /// kill -9.
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 client: one request, `Connection: close`, the status and body.
fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// A register of `rows` assets with codes under `prefix`.
fn register(prefix: &str, rows: usize) -> Vec<u8> {
    let mut text = String::from("项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,管护主体,确权日期,确权证书编号\n");
    for i in 0..rows {
        text.push_str(&format!(
            "{prefix}P{i:06},项目{i},2020,桑镇,东村,100.00,{prefix}A{i:06},水井,公益性,100.00,东村村委会,村集体,东村,2020-03-05,C{i}\n"
        ));
    }
    text.into_bytes()
}

fn a_killed_import_leaves_nothing(app: &TestApp) {
    let before = app.register_state();
    let server = Server::start(app, None);
    let port = server.port;
    let body = register("K", 60_000);
    let token = bearer(&app.clerk);
    let (sent_tx, sent_rx) = std::sync::mpsc::channel();
    let sender = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        let head = format!("POST /api/v1/imports HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\r\n", body.len());
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&body);
        let _ = sent_tx.send(());
        let mut sink = Vec::new();
        let _ = stream.read_to_end(&mut sink);
        String::from_utf8_lossy(&sink).to_string()
    });
    sent_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("body sent");
    std::thread::sleep(Duration::from_millis(400));
    server.kill();
    let answer = sender.join().unwrap_or_default();
    assert!(
        !answer.contains("201 Created"),
        "the import must still have been running: {answer}"
    );
    assert_eq!(
        app.register_state(),
        before,
        "a killed import leaves nothing"
    );
    let restarted = Server::start(app, None);
    let (status, verification) = http(
        restarted.port,
        "GET",
        "/api/v1/ledger/verify",
        &[("Authorization", &bearer(&app.auditor))],
        b"",
    )
    .expect("verify");
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&verification).unwrap_or_default()["ok"],
        true
    );
    let (status, _) = http(
        restarted.port,
        "POST",
        "/api/v1/imports",
        &[("Authorization", &bearer(&app.clerk))],
        &register("K", 50),
    )
    .expect("import");
    assert_eq!(
        status, 201,
        "the register takes imports again after the crash"
    );
    app.assert_summary_consistent();
}

fn acknowledged_entries_survive_kill(app: &TestApp) {
    assert_eq!(app.import(&register("S", 5), false).status, Status::Created);
    let server = Server::start(app, None);
    let mut acknowledged = Vec::new();
    for i in 0..40 {
        let body = json!({"kind": "maintenance", "occurred_on": "2021-01-01", "description": format!("第 {i} 次")}).to_string();
        let (status, reply) = http(
            server.port,
            "POST",
            "/api/v1/assets/SA000001/ledger",
            &[
                ("Authorization", &bearer(&app.clerk)),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        )
        .expect("append");
        assert_eq!(status, 201, "{reply}");
        acknowledged.push(
            serde_json::from_str::<Value>(&reply).unwrap_or_default()["seq"]
                .as_i64()
                .unwrap_or(0),
        );
    }
    server.kill();
    let history = app.get("/api/v1/assets/SA000001/ledger", Some(&app.auditor));
    let seqs: Vec<i64> = history.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["seq"].as_i64())
        .collect();
    for seq in &acknowledged {
        assert!(seqs.contains(seq), "acknowledged entry {seq} is there");
    }
    let verify = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verify.body["ok"], true, "{}", verify.body);
    app.assert_summary_consistent();
}

fn two_processes_keep_one_chain_under_concurrent_imports_and_appends(app: &TestApp) {
    assert_eq!(
        app.import(&register("BASE", 4), false).status,
        Status::Created
    );
    let servers = [Server::start(app, None), Server::start(app, None)];
    let ports: Vec<u16> = servers.iter().map(|s| s.port).collect();
    let mut workers = Vec::new();
    for worker in 0..6 {
        let port = ports[worker % 2];
        let clerk = bearer(&app.clerk);
        workers.push(std::thread::spawn(move || {
            let mut outcomes = Vec::new();
            if worker < 2 {
                // Importers of disjoint files.
                for round in 0..3 {
                    let (status, body) = http(port, "POST", "/api/v1/imports", &[("Authorization", &clerk)], &register(&format!("W{worker}R{round}"), 100)).expect("import");
                    let created = serde_json::from_str::<Value>(&body).unwrap_or_default()["projects_created"].as_i64().unwrap_or(0);
                    outcomes.push((status, created));
                }
            } else {
                for i in 0..30 {
                    let body = json!({"kind": "inspection", "occurred_on": "2021-06-01", "result": "normal", "note": format!("{worker}/{i}")}).to_string();
                    let asset = format!("BASEA{:06}", i % 4);
                    let (status, _) = http(port, "POST", &format!("/api/v1/assets/{asset}/ledger"), &[("Authorization", &clerk), ("Content-Type", "application/json")], body.as_bytes()).expect("append");
                    outcomes.push((status, 0));
                }
            }
            outcomes
        }));
    }
    let outcomes: Vec<(u16, i64)> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap_or_default())
        .collect();
    assert!(
        outcomes.iter().all(|(s, _)| *s == 201 || *s == 503),
        "no server errors: {outcomes:?}"
    );
    let created_projects: i64 = outcomes
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, c)| c)
        .sum();
    let totals = app.totals("class");
    assert_eq!(
        totals["total"]["projects"].as_i64(),
        Some(4 + created_projects),
        "totals are the sum of what was acknowledged"
    );
    let verify = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(
        verify.body["ok"], true,
        "one unforked chain: {}",
        verify.body
    );
    app.assert_summary_consistent();
    drop(servers);
}

fn hostile_input_gets_clean_refusals(app: &TestApp) {
    assert_eq!(app.import(&register("H", 3), false).status, Status::Created);
    let before = app.register_state();
    // Deeply nested and invalid JSON.
    let nested = "[".repeat(100_000);
    let reply = app.post(
        "/api/v1/assets/HA000001/ledger",
        Some(&app.clerk),
        nested.into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(
        (reply.status.code / 100, reply.content_type.as_deref()),
        (4, Some("application/problem+json"))
    );
    let reply = app.post(
        "/api/v1/assets/HA000001/ledger",
        Some(&app.clerk),
        b"{\"kind\": \"\xff\xfe\"}".to_vec(),
        ContentType::JSON,
    );
    assert_eq!(
        (reply.status.code / 100, reply.content_type.as_deref()),
        (4, Some("application/problem+json"))
    );
    let reply = app.post(
        "/api/v1/declarations",
        Some(&app.clerk),
        b"\xff\xfe{".to_vec(),
        ContentType::JSON,
    );
    assert_eq!(reply.status, Status::UnprocessableEntity);
    // SQL metacharacters in every parameter.
    for evil in [
        "' OR '1'='1",
        "%'; DROP TABLE assets; --",
        "\\\"); DELETE FROM projects; --",
        "_%_",
    ] {
        let e = support::encode(evil);
        for path in [
            format!("/api/v1/assets?town={e}&village={e}&owner={e}&project={e}&q={e}"),
            format!("/api/v1/projects?town={e}&village={e}&q={e}"),
            format!("/api/v1/assets/{e}"),
            format!("/api/v1/assets/{e}/ledger"),
            format!("/api/v1/projects/{e}"),
            format!("/api/v1/imports/{e}"),
            format!("/api/v1/declarations/{e}"),
            format!("/api/v1/assets.csv?town={e}&q={e}"),
        ] {
            let reply = app.get(&path, Some(&app.auditor));
            assert!(
                matches!(reply.status.code, 200 | 400 | 404),
                "{path}: {}",
                reply.status
            );
            if reply.status == Status::Ok && reply.body.get("items").is_some() {
                assert_eq!(reply.body["items"], json!([]), "{path}");
            }
        }
    }
    assert_eq!(app.register_state(), before, "nothing changed");
    // NUL bytes in a file, a path, a query or a JSON string are refused, never a 500.
    let nul_file = app.import(
        b"\xe9\xa1\xb9\xe7\x9b\xae\xe7\xbc\x96\xe5\x8f\xb7,x\x00y\nP,1\x00\n",
        false,
    );
    assert_eq!(
        nul_file.status,
        Status::UnprocessableEntity,
        "{}",
        nul_file.body
    );
    assert_eq!(
        app.get("/api/v1/assets?town=a%00b", Some(&app.auditor))
            .status,
        Status::BadRequest
    );
    let nul_entry = app.post(
        "/api/v1/assets/HA000001/ledger",
        Some(&app.clerk),
        br#"{"kind":"maintenance","occurred_on":"2021-01-01","description":"a\u0000b"}"#.to_vec(),
        ContentType::JSON,
    );
    assert_eq!(
        nul_entry.status,
        Status::UnprocessableEntity,
        "{}",
        nul_entry.body
    );
    // Path tricks.
    for path in [
        "/api/v1/assets/..%2F..%2Fetc%2Fpasswd",
        "/static/..%2F..%2FCargo.toml",
        "/static/../Cargo.toml",
        "/api/v1/imports/%00",
    ] {
        let reply = app.get(path, Some(&app.auditor));
        assert_eq!(reply.status, Status::NotFound, "{path}");
    }
    // Header injection: a filename with CR LF is data, never a header.
    let response = app
        .client
        .post("/api/v1/imports?filename=a.csv%0D%0ASet-Cookie:%20x=1")
        .header(rocket::http::Header::new(
            "Authorization",
            bearer(&app.clerk),
        ))
        .body(register("HI", 1))
        .dispatch();
    assert_eq!(response.status(), Status::Created);
    assert!(response.headers().get_one("Set-Cookie").is_none());
    let bad_key = app
        .client
        .post("/api/v1/assets/HA000001/ledger")
        .header(ContentType::JSON)
        .header(rocket::http::Header::new(
            "Authorization",
            bearer(&app.clerk),
        ))
        .header(rocket::http::Header::new(
            "Idempotency-Key",
            "key with spaces",
        ))
        .body(
            json!({"kind": "maintenance", "occurred_on": "2021-01-01", "description": "x"})
                .to_string(),
        )
        .dispatch();
    assert_eq!(bad_key.status(), Status::BadRequest);
}

fn repeated_bad_tokens_are_throttled(app: &TestApp) {
    let from = |address: &str, token: &str| {
        app.client
            .get("/api/v1/totals")
            .remote(address.parse().expect("socket address"))
            .header(rocket::http::Header::new("Authorization", bearer(token)))
            .dispatch()
    };
    // A colleague behind the same address signs in before the storm.
    assert_eq!(from("192.0.2.7:4000", &app.clerk).status(), Status::Ok);
    let statuses: Vec<u16> = (0..25)
        .map(|i| {
            from("192.0.2.7:5000", &format!("ar_guess{i}"))
                .status()
                .code
        })
        .collect();
    assert_eq!(&statuses[..20], &[401; 20]);
    assert!(statuses[20..].iter().all(|s| *s == 429), "{statuses:?}");
    let throttled = from("192.0.2.7:5001", &app.reader);
    assert_eq!(
        (
            throttled.status(),
            throttled.headers().get_one("Retry-After")
        ),
        (Status::TooManyRequests, Some("60"))
    );
    // A token that already succeeded from the address keeps working (after the cache expires too).
    std::thread::sleep(asset_registry::api::gate::CACHE_TTL);
    assert_eq!(from("192.0.2.7:4001", &app.clerk).status(), Status::Ok);
    // Another address is not affected.
    assert_eq!(from("192.0.2.8:5000", &app.reader).status(), Status::Ok);
}

fn session_cookies_are_http_only_same_site_and_secure_over_tls(app: &TestApp) {
    let login = |https: bool| {
        let mut request = app
            .client
            .post("/login")
            .header(ContentType::Form)
            .body(format!("token={}", app.reader));
        if https {
            request = request.header(rocket::http::Header::new("X-Forwarded-Proto", "https"));
        }
        let response = request.dispatch();
        assert_eq!(response.status(), Status::SeeOther);
        response
            .headers()
            .get_one("Set-Cookie")
            .unwrap_or_default()
            .to_owned()
    };
    let plain = login(false);
    assert!(
        plain.contains("HttpOnly")
            && plain.contains("SameSite=Strict")
            && !plain.contains("Secure"),
        "{plain}"
    );
    let secure = login(true);
    assert!(
        secure.contains("HttpOnly")
            && secure.contains("SameSite=Strict")
            && secure.contains("Secure"),
        "{secure}"
    );
    let page = app.client.get("/login").dispatch();
    let csp = page
        .headers()
        .get_one("Content-Security-Policy")
        .unwrap_or_default()
        .to_owned();
    assert!(csp.contains("script-src 'self';"), "{csp}");
    assert!(
        !csp.split(';')
            .any(|d| d.trim().starts_with("script-src") && d.contains("unsafe-inline")),
        "{csp}"
    );
    assert_eq!(page.headers().get_one("X-Frame-Options"), Some("DENY"));
    assert_eq!(
        page.headers().get_one("X-Content-Type-Options"),
        Some("nosniff")
    );
}

fn logs_hold_neither_tokens_nor_id_numbers(app: &TestApp) {
    let folder = tempfile::tempdir().expect("temp dir");
    let log = folder.path().join("server.log");
    let server = Server::start(app, Some(&log));
    let sample = std::fs::read(support::sample("xingping_2020.gbk.csv")).expect("sample");
    let (status, _) = http(
        server.port,
        "POST",
        "/api/v1/imports",
        &[("Authorization", &bearer(&app.clerk))],
        &sample,
    )
    .expect("import");
    assert_eq!(status, 201);
    let bad = "项目编号,项目名称,项目年度,镇街,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人证件号\nQ1,x,2020,桑镇,1,QA1,牛,到户类,1,张三,110105194912310021\n";
    let (status, body) = http(
        server.port,
        "POST",
        "/api/v1/imports",
        &[("Authorization", &bearer(&app.clerk))],
        bad.as_bytes(),
    )
    .expect("import");
    assert_eq!(status, 422);
    assert!(
        !body.contains("110105194912310021"),
        "rejections do not echo ID numbers"
    );
    let (status, _) = http(
        server.port,
        "GET",
        "/api/v1/totals",
        &[("Authorization", &bearer(&app.reader))],
        b"",
    )
    .expect("totals");
    assert_eq!(status, 200);
    let _ = http(
        server.port,
        "GET",
        "/api/v1/totals",
        &[("Authorization", "Bearer ar_wrong_secret_123")],
        b"",
    );
    server.kill();
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        text.contains("/api/v1/imports"),
        "the log is being written: {text}"
    );
    for secret in [&app.clerk, &app.reader, "ar_wrong_secret_123"] {
        assert!(!text.contains(secret), "a token reached the log");
    }
    let digits: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() == 18 && w[..17].bytes().all(|b| b.is_ascii_digit()))
        .collect();
    assert!(digits.is_empty(), "ID numbers reached the log: {digits:?}");
}

fn backups_restore_to_the_same_register(app: &TestApp) {
    let folder = tempfile::tempdir().expect("temp dir");
    let file = folder.path().join("backup.sqlite3");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_asset-registry"))
            .args(args)
            .env_remove("DATABASE_URL")
            .output()
            .expect("run the binary")
    };
    if app.backend == asset_registry::db::Backend::Postgres {
        let output = run(&[
            "--database",
            &app.database.url,
            "backup",
            file.to_str().unwrap_or_default(),
        ]);
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains("pg_dump"));
        return;
    }
    assert_eq!(
        app.import_sample("xingping_2020.gbk.csv").status,
        Status::Created
    );
    let server = Server::start(app, None);
    let port = server.port;
    let clerk = bearer(&app.clerk);
    let writer = std::thread::spawn(move || {
        let mut statuses = Vec::new();
        for i in 0..60 {
            let body = json!({"kind": "maintenance", "occurred_on": "2021-01-01", "description": format!("备份期间 {i}")}).to_string();
            statuses.push(
                http(
                    port,
                    "POST",
                    "/api/v1/assets/XP2014-0001-01/ledger",
                    &[
                        ("Authorization", &clerk),
                        ("Content-Type", "application/json"),
                    ],
                    body.as_bytes(),
                )
                .map(|(s, _)| s)
                .unwrap_or(0),
            );
        }
        statuses
    });
    std::thread::sleep(Duration::from_millis(100));
    let backup = run(&[
        "--database",
        &app.database.url,
        "backup",
        file.to_str().unwrap_or_default(),
    ]);
    assert_eq!(
        backup.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    let statuses = writer.join().unwrap_or_default();
    assert!(
        statuses.iter().all(|s| *s == 201),
        "the register kept serving: {statuses:?}"
    );
    drop(server);
    let restored: PathBuf = folder.path().join("restored").join("registry.sqlite3");
    let restore = run(&[
        "--database",
        restored.to_str().unwrap_or_default(),
        "restore",
        file.to_str().unwrap_or_default(),
    ]);
    assert_eq!(
        restore.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&restore.stderr)
    );
    let verify = run(&[
        "--database",
        restored.to_str().unwrap_or_default(),
        "verify",
    ]);
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let db = asset_registry::db::Db::open(restored.to_str().unwrap_or_default(), 1)
        .expect("restored database");
    let mut conn = db.conn().expect("connection");
    let restored_totals = asset_registry::register::totals::totals(
        &mut conn,
        &asset_registry::domain::Scope::County,
        asset_registry::register::totals::GroupBy::Class,
    )
    .expect("totals");
    assert_eq!(
        serde_json::to_value(restored_totals).unwrap_or_default(),
        app.totals("class")
    );
    let again = run(&[
        "--database",
        restored.to_str().unwrap_or_default(),
        "restore",
        file.to_str().unwrap_or_default(),
    ]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "an existing database is not replaced without --force"
    );
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "crash::killed_import_leaves_nothing",
            a_killed_import_leaves_nothing,
        ),
        (
            "crash::acknowledged_entries_survive",
            acknowledged_entries_survive_kill,
        ),
        (
            "concurrency::two_processes_imports_and_appends",
            two_processes_keep_one_chain_under_concurrent_imports_and_appends,
        ),
        ("hostile::clean_refusals", hostile_input_gets_clean_refusals),
        (
            "hostile::throttled_bad_tokens",
            repeated_bad_tokens_are_throttled,
        ),
        (
            "hostile::logs_without_secrets",
            logs_hold_neither_tokens_nor_id_numbers,
        ),
        (
            "web::cookies_and_security_headers",
            session_cookies_are_http_only_same_site_and_secure_over_tls,
        ),
        (
            "backup::restore_verifies",
            backups_restore_to_the_same_register,
        ),
    ];
    support::run(scenarios)
}
