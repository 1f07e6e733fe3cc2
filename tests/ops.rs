//! Issue #20, running the service for years, on SQLite and PostgreSQL: request ids in
//! the logs of the real binary and in problem bodies, the Prometheus metrics and who may
//! read them, the settings and `config`.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rocket::http::{Header, Status};
use serde_json::Value;
use support::{Scenario, TestApp};

/// A server process of the binary, its stderr written to a file.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(app: &TestApp, log: &Path, env: &[(&str, &str)]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let mut command = Command::new(env!("CARGO_BIN_EXE_asset-registry"));
        command
            .args([
                "--database",
                &app.database.url,
                "serve",
                "--port",
                &port.to_string(),
            ])
            .env_remove("DATABASE_URL")
            .env("ROCKET_LOG_LEVEL", "normal")
            .stdout(Stdio::null())
            .stderr(Stdio::from(std::fs::File::create(log).expect("log file")));
        for (name, value) in env {
            command.env(name, value);
        }
        let server = Server {
            child: command.spawn().expect("start server"),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if http(port, "GET", "/api/v1/health", &[]).is_ok_and(|r| r.status == 200) {
                return server;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("server did not start");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response of [`http`].
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    /// The value of header `name` (case-insensitive).
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// One HTTP/1.1 request with `Connection: close`.
fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)]) -> std::io::Result<Answer> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: 0\r\n"
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok(Answer {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    })
}

/// The log's JSON lines (every line must be one).
fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"))
        })
        .collect()
}

fn request_ids_reach_the_log_and_problem_bodies(app: &TestApp) {
    let folder = tempfile::tempdir().expect("temp dir");
    let log = folder.path().join("server.log");
    let server = Server::start(app, &log, &[]);
    let bearer = format!("Bearer {}", app.reader);
    let supplied = "proxy-7f3a.42";
    let missing = http(
        server.port,
        "GET",
        "/api/v1/assets/NO-SUCH-ASSET",
        &[("Authorization", &bearer), ("X-Request-Id", supplied)],
    )
    .expect("request");
    assert_eq!(missing.status, 404, "{}", missing.body);
    assert_eq!(missing.header("X-Request-Id"), Some(supplied));
    let problem: Value = serde_json::from_str(&missing.body).expect("problem+json");
    assert_eq!(problem["instance"], supplied, "{problem}");
    assert_eq!(problem["status"], 404);

    // A header that is no sane token is replaced by a fresh id.
    let hostile = format!("{}<script>", "x".repeat(80));
    let refused = http(
        server.port,
        "GET",
        "/api/v1/totals",
        &[
            ("Authorization", "Bearer ar_wrong_secret_123"),
            ("X-Request-Id", &hostile),
        ],
    )
    .expect("request");
    assert_eq!(refused.status, 401);
    let fresh = refused.header("X-Request-Id").expect("an id").to_owned();
    assert_ne!(fresh, hostile);
    assert!(uuid::Uuid::parse_str(&fresh).is_ok(), "{fresh}");
    let problem: Value = serde_json::from_str(&refused.body).expect("problem+json");
    assert_eq!(problem["instance"], fresh.as_str());

    let totals = http(
        server.port,
        "GET",
        "/api/v1/totals",
        &[("Authorization", &bearer)],
    )
    .expect("request");
    assert_eq!(totals.status, 200);
    let generated = totals.header("X-Request-Id").expect("an id").to_owned();
    drop(server);

    let text = std::fs::read_to_string(&log).expect("log");
    let lines = json_lines(&text);
    let line_of = |id: &str| {
        lines
            .iter()
            .find(|l| l["request_id"] == id && l["message"] == "request")
            .unwrap_or_else(|| panic!("no log line for {id}: {text}"))
            .clone()
    };
    let line = line_of(supplied);
    assert_eq!(line["level"], "INFO");
    assert_eq!(line["method"], "GET");
    assert_eq!(line["route"], "/api/v1/assets/<key>");
    assert_eq!(line["status"], 404);
    assert_eq!(line["token"], "test-reader");
    assert_eq!(line["scope"], "county");
    assert!(line["duration_ms"].as_f64().is_some_and(|ms| ms >= 0.0));
    let line = line_of(&fresh);
    assert_eq!(line["status"], 401);
    assert_eq!(line["token"], "", "a refused token has no name");
    let line = line_of(&generated);
    assert_eq!(line["route"], "/api/v1/totals");
    assert_eq!(line["status"], 200);
    for secret in [&app.reader, &app.clerk, "ar_wrong_secret_123"] {
        assert!(!text.contains(secret), "a token reached the log");
    }
    assert!(!text.contains("<script>"), "a hostile id reached the log");
}

fn problem_bodies_quote_the_id_of_their_request(app: &TestApp) {
    let answer = app
        .client
        .get("/api/v1/nowhere")
        .header(Header::new("X-Request-Id", "quoted-by-clerk-1"))
        .dispatch();
    assert_eq!(answer.status(), Status::NotFound);
    assert_eq!(
        answer.headers().get_one("X-Request-Id"),
        Some("quoted-by-clerk-1")
    );
    let body: Value =
        serde_json::from_str(&answer.into_string().unwrap_or_default()).expect("problem+json");
    assert_eq!(body["instance"], "quoted-by-clerk-1", "{body}");
    let forbidden = app
        .client
        .get("/api/v1/tokens")
        .header(Header::new(
            "Authorization",
            format!("Bearer {}", app.reader),
        ))
        .dispatch();
    assert_eq!(forbidden.status(), Status::Forbidden);
    let id = forbidden
        .headers()
        .get_one("X-Request-Id")
        .expect("an id")
        .to_owned();
    let body: Value =
        serde_json::from_str(&forbidden.into_string().unwrap_or_default()).expect("problem+json");
    assert_eq!(body["instance"], id.as_str(), "{body}");
}

const REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号
P1,光伏电站,2019,桑镇,东村,500000,PV-1,村级光伏电站,经营性,500000,东村股份经济合作社,村集体,,东村村委会,2020-03-05,兴确字(2020)第1号
P2,肉牛养殖,2020,桑镇,西村,300000,CW-1,肉牛,到户类,300000,西村股份经济合作社,村集体,,西村村委会,2021-03-05,兴确字(2021)第2号
";

/// The value of the series `series` (name and labels exactly as written) in a scrape.
fn sample(scrape: &str, series: &str) -> Option<f64> {
    scrape.lines().find_map(|line| {
        let value = line.strip_prefix(series)?.strip_prefix(' ')?;
        value.parse().ok()
    })
}

fn metrics_count_requests_imports_and_appends(app: &TestApp) {
    let folder = tempfile::tempdir().expect("temp dir");
    let log = folder.path().join("server.log");
    let server = Server::start(app, &log, &[]);
    let reader = format!("Bearer {}", app.reader);
    let clerk = format!("Bearer {}", app.clerk);
    for _ in 0..3 {
        let totals = http(
            server.port,
            "GET",
            "/api/v1/totals",
            &[("Authorization", &reader)],
        )
        .expect("totals");
        assert_eq!(totals.status, 200, "{}", totals.body);
    }
    let refused = http(server.port, "GET", "/api/v1/totals", &[]).expect("totals");
    assert_eq!(refused.status, 401);
    let import = http_with_body(
        server.port,
        "/api/v1/imports",
        &[("Authorization", &clerk), ("Content-Type", "text/csv")],
        REGISTER.as_bytes(),
    );
    assert_eq!(import.status, 201, "{}", import.body);
    let report: Value = serde_json::from_str(&import.body).expect("report");
    let rows = report["data_rows"].as_f64().expect("data_rows");
    assert!(rows > 0.0);
    let append = http_with_body(
        server.port,
        "/api/v1/assets/PV-1/ledger",
        &[
            ("Authorization", &clerk),
            ("Content-Type", "application/json"),
        ],
        r#"{"kind": "maintenance", "occurred_on": "2021-01-01", "description": "清洗光伏板"}"#
            .as_bytes(),
    );
    assert_eq!(append.status, 201, "{}", append.body);

    let scrape = http(server.port, "GET", "/metrics", &[]).expect("metrics");
    assert_eq!(scrape.status, 200, "{}", scrape.body);
    assert_eq!(
        scrape.header("Content-Type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = &scrape.body;
    let series = |s: &str| sample(text, s).unwrap_or_else(|| panic!("no {s} in {text}"));
    assert_eq!(
        series(
            r#"asset_registry_http_requests_total{method="GET",route="/api/v1/totals",status="200"}"#
        ),
        3.0
    );
    assert_eq!(
        series(
            r#"asset_registry_http_requests_total{method="GET",route="/api/v1/totals",status="401"}"#
        ),
        1.0
    );
    assert_eq!(
        series(r#"asset_registry_http_request_duration_seconds_count{route="/api/v1/totals"}"#),
        4.0
    );
    assert_eq!(
        series(
            r#"asset_registry_http_request_duration_seconds_bucket{route="/api/v1/totals",le="+Inf"}"#
        ),
        4.0
    );
    assert_eq!(
        series(r#"asset_registry_import_batches_total{outcome="committed"}"#),
        1.0
    );
    assert_eq!(
        series(r#"asset_registry_import_rows_total{outcome="committed"}"#),
        rows
    );
    assert_eq!(series("asset_registry_ledger_appends_total"), 1.0);
    assert!(
        series("asset_registry_chain_lock_wait_seconds_count") >= 2.0,
        "the import and the append took the chain lock"
    );
    assert_eq!(series("asset_registry_db_pool_waiting"), 0.0);
    assert!(series("asset_registry_db_pool_max_connections") >= 1.0);
    assert!(series("asset_registry_db_pool_connections_in_use") >= 0.0);
    for secret in [&app.reader, &app.clerk] {
        assert!(!text.contains(secret.as_str()));
    }
}

/// A wait for the chain's lock that ended in 503 (the statement timeout ran out behind
/// another process's long import; SQLite's busy timeout alike) is counted in
/// `asset_registry_chain_lock_wait_seconds` like any other: it is the longest wait there
/// is, and it was left out, so the histogram showed no queue while writers got 503.
fn metrics_count_a_chain_lock_wait_that_ran_out(app: &TestApp) {
    let imported = app.import(REGISTER.as_bytes(), false);
    assert_eq!(imported.status, Status::Created, "{}", imported.body);
    let folder = tempfile::tempdir().expect("temp dir");
    let log = folder.path().join("server.log");
    let server = Server::start(app, &log, &[("ROCKET_STATEMENT_TIMEOUT", "1")]);
    let clerk = format!("Bearer {}", app.clerk);
    let (append, in_time) = app.beside_a_held_chain_lock(Duration::from_secs(60), || {
        http_with_body(
            server.port,
            "/api/v1/assets/PV-1/ledger",
            &[
                ("Authorization", &clerk),
                ("Content-Type", "application/json"),
            ],
            r#"{"kind": "maintenance", "occurred_on": "2021-01-01", "description": "清洗光伏板"}"#
                .as_bytes(),
        )
    });
    assert!(in_time, "the append waited until the lock was given up");
    assert_eq!(append.status, 503, "{}", append.body);
    let scrape = http(server.port, "GET", "/metrics", &[]).expect("metrics");
    assert_eq!(scrape.status, 200, "{}", scrape.body);
    let text = &scrape.body;
    let series = |s: &str| sample(text, s).unwrap_or_else(|| panic!("no {s} in {text}"));
    assert_eq!(series("asset_registry_chain_lock_wait_seconds_count"), 1.0);
    assert!(
        series("asset_registry_chain_lock_wait_seconds_sum") >= 1.0,
        "the wait lasted the timeout: {text}"
    );
    assert_eq!(series("asset_registry_ledger_appends_total"), 0.0);
}

/// A `POST` with `body`.
fn http_with_body(port: u16, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("write");
    stream.write_all(body).expect("write");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read");
    let text = String::from_utf8_lossy(&response).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Answer {
        status: head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

fn metrics_are_open_on_loopback_only_unless_a_setting_says_so(app: &TestApp) {
    let scrape_from = |app: &TestApp, address: &str, headers: &[(&str, &str)]| {
        let mut request = app
            .client
            .get("/metrics")
            .remote(address.parse().expect("socket address"));
        for (name, value) in headers {
            request = request.header(Header::new(name.to_string(), value.to_string()));
        }
        let response = request.dispatch();
        let status = response.status();
        let content_type = response.content_type().map(|c| c.to_string());
        (
            status,
            content_type,
            response.into_string().unwrap_or_default(),
        )
    };
    let (status, _, text) = scrape_from(app, "127.0.0.1:40000", &[]);
    assert_eq!(status, Status::Ok, "{text}");
    assert!(
        text.contains("# TYPE asset_registry_http_requests_total counter"),
        "{text}"
    );
    let (status, _, text) = scrape_from(app, "[::1]:40000", &[]);
    assert_eq!(status, Status::Ok, "{text}");
    let (status, content_type, text) = scrape_from(app, "10.0.0.7:40000", &[]);
    assert_eq!(status, Status::Forbidden);
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    let problem: Value = serde_json::from_str(&text).expect("problem+json");
    assert_eq!(
        problem["type"],
        "urn:asset-registry:problem:address_refused"
    );
    assert!(problem["instance"]
        .as_str()
        .is_some_and(|id| !id.is_empty()));
    assert!(
        !text.contains("asset_registry_http"),
        "nothing of the metrics shown"
    );
    // A header any client can set does not make it local.
    let (status, _, _) = scrape_from(
        app,
        "10.0.0.7:40000",
        &[("X-Real-IP", "127.0.0.1"), ("X-Forwarded-For", "127.0.0.1")],
    );
    assert_eq!(status, Status::Forbidden);

    let open = TestApp::new(
        app.backend,
        Some(
            rocket::Config::figment()
                .merge(("log_level", "off"))
                .merge(("metrics", "open")),
        ),
    );
    let (status, _, text) = scrape_from(&open, "10.0.0.7:40000", &[]);
    assert_eq!(status, Status::Ok, "{text}");
    let off = TestApp::new(
        app.backend,
        Some(
            rocket::Config::figment()
                .merge(("log_level", "off"))
                .merge(("metrics", "off")),
        ),
    );
    let (status, _, _) = scrape_from(&off, "127.0.0.1:40000", &[]);
    assert_eq!(status, Status::NotFound);
}

/// The binary run in `folder` with `env` (and no `DATABASE_URL` nor `ROCKET_*` of the
/// test's own environment).
fn run_in(folder: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_asset-registry"));
    command
        .args(args)
        .current_dir(folder)
        .env_remove("DATABASE_URL");
    for (name, _) in std::env::vars() {
        if name.starts_with("ROCKET_") {
            command.env_remove(name);
        }
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run the binary")
}

fn settings_come_from_rocket_toml_and_the_environment(app: &TestApp) {
    let folder = tempfile::tempdir().expect("temp dir");
    let secret_key = "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk=";
    std::fs::write(
        folder.path().join("Rocket.toml"),
        format!(
            "[default]\nport = 8123\nmetrics = \"open\"\nsecret_key = \"{secret_key}\"\n\n[default.limits]\nimport = \"1GiB\"\n"
        ),
    )
    .expect("Rocket.toml");
    // The database named by the setting alone: a command opens it.
    let database = app.database.url.as_str();
    let created = run_in(
        folder.path(),
        &[
            "token",
            "create",
            "--role",
            "reader",
            "--name",
            "由设置找到",
        ],
        &[("ROCKET_DATABASE", database)],
    );
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let token = String::from_utf8_lossy(&created.stdout).trim().to_owned();
    let seen = app.get("/api/v1/totals", Some(&token));
    assert_eq!(seen.status, Status::Ok, "the token went into this register");

    let with_password = "postgres://registry:n0t-for-eyes@127.0.0.1:5432/registry";
    let config = run_in(
        folder.path(),
        &["config"],
        &[
            ("ROCKET_DATABASE", with_password),
            ("ROCKET_LOG_FORMAT", "json"),
        ],
    );
    assert!(config.status.success());
    let text = String::from_utf8_lossy(&config.stdout).into_owned();
    let line = |name: &str| -> Vec<String> {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        line("database")[1..3],
        [
            "postgres://registry:***@127.0.0.1:5432/registry".to_owned(),
            "环境变量".to_owned()
        ]
    );
    assert_eq!(line("database")[3], "ROCKET_DATABASE");
    assert_eq!(line("port")[1], "8123");
    assert!(line("port")[3].ends_with("Rocket.toml"), "{text}");
    assert_eq!(line("limits.import")[1], "1GiB");
    assert_eq!(line("metrics")[1], "open");
    assert_eq!(
        line("log_format")[1..4],
        ["json", "环境变量", "ROCKET_LOG_FORMAT"]
    );
    assert_eq!(line("public")[1..3], ["false", "默认"]);
    assert_eq!(
        line("ip_header")[1],
        "false",
        "no client header is trusted by default"
    );
    assert_eq!(line("header_timeout")[1], "10");
    assert_eq!(line("statement_timeout")[1], "30");
    assert!(
        !text.contains("n0t-for-eyes"),
        "a password was printed: {text}"
    );
    assert!(!text.contains(secret_key), "the secret key was printed");
    assert!(line("secret_key")[1].contains("已设置"));

    // `--database` comes first, and says so.
    let flagged = run_in(
        folder.path(),
        &["--database", "elsewhere.sqlite3", "config"],
        &[("ROCKET_DATABASE", with_password)],
    );
    let text = String::from_utf8_lossy(&flagged.stdout).into_owned();
    assert!(
        text.lines().any(|l| l.starts_with("database")
            && l.contains("elsewhere.sqlite3")
            && l.contains("命令行")),
        "{text}"
    );

    // A setting with a value it cannot take stops `serve` before it opens anything.
    let refused = run_in(
        folder.path(),
        &["--database", database, "serve", "--port", "0"],
        &[("ROCKET_METRICS", "sometimes")],
    );
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("设置 metrics 的值“sometimes”无效"), "{said}");
}

fn settings_under_default_in_rocket_toml_are_obeyed(app: &TestApp) {
    use rocket::figment::providers::{Format, Toml};
    let path = format!(
        "/api/v1/public/{}/{}",
        support::encode("桑镇"),
        support::encode("东村")
    );
    let closed = app.get(&path, None);
    assert_eq!(closed.status, Status::NotFound, "off by default");
    let toml = "[default]\npublic = true\n[default.limits]\njson = \"64B\"\n";
    let configured = TestApp::new(
        app.backend,
        Some(
            rocket::Config::figment()
                .merge(Toml::string(toml).nested())
                .merge(("log_level", "off")),
        ),
    );
    let imported = configured.import(REGISTER.as_bytes(), false);
    assert_eq!(imported.status, Status::Created, "{}", imported.body);
    let open = configured.get(&path, None);
    assert_eq!(open.status, Status::Ok, "{}", open.body);
    assert!(open.body.to_string().contains("PV-1"), "{}", open.body);
    let long = configured.post(
        "/api/v1/assets/PV-1/ledger",
        Some(&configured.clerk),
        format!(
            "{{\"kind\": \"maintenance\", \"description\": \"{}\"}}",
            "长".repeat(40)
        )
        .into_bytes(),
        rocket::http::ContentType::JSON,
    );
    assert_eq!(long.status, Status::PayloadTooLarge, "{}", long.body);
    assert_eq!(long.body["limit"], 64);
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "request_ids_reach_the_log_and_problem_bodies",
            request_ids_reach_the_log_and_problem_bodies,
        ),
        (
            "problem_bodies_quote_the_id_of_their_request",
            problem_bodies_quote_the_id_of_their_request,
        ),
        (
            "metrics_count_requests_imports_and_appends",
            metrics_count_requests_imports_and_appends,
        ),
        (
            "metrics_count_a_chain_lock_wait_that_ran_out",
            metrics_count_a_chain_lock_wait_that_ran_out,
        ),
        (
            "metrics_are_open_on_loopback_only_unless_a_setting_says_so",
            metrics_are_open_on_loopback_only_unless_a_setting_says_so,
        ),
        (
            "settings_come_from_rocket_toml_and_the_environment",
            settings_come_from_rocket_toml_and_the_environment,
        ),
        (
            "settings_under_default_in_rocket_toml_are_obeyed",
            settings_under_default_in_rocket_toml_are_obeyed,
        ),
    ];
    support::run(scenarios)
}
