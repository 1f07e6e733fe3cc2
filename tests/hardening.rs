//! Issue #19 items 7 and 8, each attack reproduced on SQLite and on PostgreSQL:
//! `restore --force` under a live server; repeated query parameters, business dates out
//! of range, ledger bodies past and within 1 MiB, sign-in throttling and cross-site
//! posts, disk full.

mod support;

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use asset_registry::auth::SESSION_COOKIE;
use rocket::http::{ContentType, Cookie, Header, Status};
use rocket::local::blocking::Client;
use serde_json::json;
use support::{Reply, Scenario, TestApp};

const REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号
P1,光伏电站,2019,桑镇,东村,500000,PV-1,村级光伏电站,经营性,500000,东村股份经济合作社,村集体,,东村村委会,2020-03-05,兴确字(2020)第1号
";

fn setup(app: &TestApp) {
    let reply = app.import(REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
}

fn append(app: &TestApp, asset: &str, body: Vec<u8>) -> Reply {
    app.post(
        &format!("/api/v1/assets/{asset}/ledger"),
        Some(&app.clerk),
        body,
        ContentType::JSON,
    )
}

/// Asserts a 400 problem naming `parameter`.
fn assert_bad_parameter(reply: &Reply, parameter: &str) {
    assert_eq!(reply.status, Status::BadRequest, "{}", reply.body);
    assert_eq!(
        reply.content_type.as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(reply.body["parameter"], parameter, "{}", reply.body);
}

fn repeated_query_parameters_are_refused_by_name(app: &TestApp) {
    let before = app.register_state();
    let import = app.post(
        "/api/v1/imports?dry_run=true&dry_run=false",
        Some(&app.clerk),
        REGISTER.as_bytes().to_vec(),
        ContentType::CSV,
    );
    assert_bad_parameter(&import, "dry_run");
    assert_eq!(app.register_state(), before, "nothing was imported");
    let list = app.get("/api/v1/assets?limit=1&limit=2", Some(&app.reader));
    assert_bad_parameter(&list, "limit");
    let list = app.get("/api/v1/assets?class=household&class=", Some(&app.reader));
    assert_bad_parameter(&list, "class");
    let named = app.post(
        "/api/v1/imports?filename=a.csv&filename=b.csv",
        Some(&app.clerk),
        REGISTER.as_bytes().to_vec(),
        ContentType::CSV,
    );
    assert_bad_parameter(&named, "filename");
    let declaration = app.post(
        "/api/v1/declarations?name=a&as_of=2020-12-31&as_of=2021-12-31",
        Some(&app.clerk),
        b"scope,projects,amount\ntotal,1,100.00\n".to_vec(),
        ContentType::CSV,
    );
    assert_bad_parameter(&declaration, "as_of");
    assert_eq!(app.register_state(), before);
    let once = app.get("/api/v1/assets?limit=1", Some(&app.reader));
    assert_eq!(once.status, Status::Ok, "{}", once.body);
}

/// A distribution to `count` named households, about 19 bytes a name.
fn distribution(count: usize) -> Vec<u8> {
    let names: Vec<String> = (0..count).map(|i| format!("受益户{i:07}")).collect();
    json!({"kind": "income_distributed", "occurred_on": "2022-01-05", "amount": "0.00",
           "period": "2021", "recipients": names})
    .to_string()
    .into_bytes()
}

fn ledger_bodies_up_to_1_mib_are_taken_and_larger_ones_refused_naming_the_limit(app: &TestApp) {
    setup(app);
    let near = distribution(50_000);
    assert!((900_000..1_048_576).contains(&near.len()), "{}", near.len());
    let taken = append(app, "PV-1", near);
    assert_eq!(taken.status, Status::Created, "{}", taken.body);
    assert_eq!(
        taken.body["data"]["recipients"].as_array().map(Vec::len),
        Some(50_000)
    );
    let before = app.register_state();
    let over = distribution(56_000);
    assert!(over.len() > 1_048_576, "{}", over.len());
    let refused = append(app, "PV-1", over);
    assert_eq!(refused.status, Status::PayloadTooLarge, "{}", refused.body);
    assert_eq!(
        refused.content_type.as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(
        refused.body["type"],
        "urn:asset-registry:problem:payload_too_large"
    );
    assert_eq!(refused.body["limit"], 1_048_576);
    assert_eq!(
        refused.body["detail"],
        "请求体超过上限 1MiB（1048576 字节），未写入任何数据"
    );
    assert_eq!(app.register_state(), before, "nothing was written");
}

/// The accepted range as every refusal words it.
fn range() -> String {
    format!(
        "应在 1949-10-01 至 {}（一年以内）之间",
        asset_registry::domain::BusinessDate::last_accepted()
    )
}

/// The accepted range of a day that has happened (a business date, a 确权日期) as every
/// refusal words it: up to today in China, not a year ahead.
fn past_range() -> String {
    format!(
        "应在 1949-10-01 至今天（北京时间 {}）之间",
        asset_registry::domain::dates::today_in_china()
    )
}

/// Asserts a 422 whose first error is `invalid_date` on `field`, with `message`.
fn assert_date_refused(reply: &Reply, field: &str, message: &str) {
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    let first = &reply.body["errors"][0];
    assert_eq!(first["code"], "invalid_date", "{}", reply.body);
    assert_eq!(first["field"], field, "{}", reply.body);
    assert_eq!(first["message"], message, "{}", reply.body);
}

fn business_dates_before_1949_10_01_or_over_a_year_ahead_are_refused(app: &TestApp) {
    setup(app);
    let before = app.register_state();
    let entry = |occurred_on: &str, notice_date: &str| {
        json!({"kind": "income_distributed", "occurred_on": occurred_on, "amount": "0.00",
               "period": "2021", "recipients": 3, "notice_date": notice_date})
        .to_string()
        .into_bytes()
    };
    let early = append(app, "PV-1", entry("1949-09-30", "2021-01-01"));
    assert_date_refused(
        &early,
        "occurred_on",
        &format!("日期 occurred_on“1949-09-30”{}", past_range()),
    );
    let late = append(app, "PV-1", entry("2021-01-05", "2999-01-01"));
    assert_date_refused(
        &late,
        "notice_date",
        &format!("日期 notice_date“2999-01-01”{}", range()),
    );
    assert_eq!(app.register_state(), before, "no entry was written");
    let first_day = append(app, "PV-1", entry("1949-10-01", "1949-10-01"));
    assert_eq!(first_day.status, Status::Created, "{}", first_day.body);

    let before = app.register_state();
    for confirmed in ["1900年1月1日", "2999年1月1日"] {
        let out_of_range = REGISTER
            .replace("2020-03-05", confirmed)
            .replace("PV-1", "PV-2");
        let rejected = app.import(out_of_range.as_bytes(), false);
        assert_eq!(
            rejected.status,
            Status::UnprocessableEntity,
            "{}",
            rejected.body
        );
        let first = &rejected.body["errors"][0];
        assert_eq!(
            (&first["line"], &first["column"], &first["code"]),
            (&json!(2), &json!("确权日期"), &json!("invalid_date")),
            "{}",
            rejected.body
        );
        assert_eq!(
            first["message"],
            format!("确权日期“{confirmed}”{}", past_range())
        );
        assert_eq!(app.register_state(), before, "nothing was imported");
    }

    let declaration = app.post(
        "/api/v1/declarations",
        Some(&app.clerk),
        json!({"name": "旧申报", "as_of": "1948-12-31",
               "lines": [{"scope": "total", "projects": 1, "amount": "5000.00"}]})
        .to_string()
        .into_bytes(),
        ContentType::JSON,
    );
    assert_date_refused(
        &declaration,
        "as_of",
        &format!("申报截至日期 as_of“1948-12-31”{}", range()),
    );
    assert_eq!(
        app.get("/api/v1/declarations", Some(&app.reader)).body["items"],
        json!([]),
        "no declaration was stored"
    );
    let query = app.get("/api/v1/assets?as_of=1800-01-01", Some(&app.reader));
    assert_bad_parameter(&query, "as_of");
    assert_eq!(
        query.body["detail"],
        format!("as_of“1800-01-01”{}", range())
    );
}

/// The address the throttled client sends from.
const HERE: &str = "192.0.2.10:40000";

/// A second app on the test's database, with its own throttle.
fn fresh_client(app: &TestApp) -> Client {
    let figment = rocket::Config::figment().merge(("log_level", "off"));
    Client::tracked(asset_registry::server::rocket(app.db.clone(), figment)).expect("rocket")
}

fn sign_in(client: &Client, token: &str, headers: &[(&str, &str)]) -> (Status, String, bool) {
    let mut request = client
        .post("/login")
        .remote(HERE.parse().expect("address"))
        .header(ContentType::Form)
        .body(format!("token={token}"));
    for (name, value) in headers {
        request = request.header(Header::new(name.to_string(), value.to_string()));
    }
    let response = request.dispatch();
    let status = response.status();
    let cookie = response.headers().get_one("Set-Cookie").is_some();
    (status, response.into_string().unwrap_or_default(), cookie)
}

fn sign_in_and_session_cookies_are_throttled_like_api_tokens(app: &TestApp) {
    let client = fresh_client(app);
    for i in 0..20 {
        let (status, page, cookie) = sign_in(&client, &format!("ar_guess{i}"), &[]);
        assert_eq!((status, cookie), (Status::Ok, false));
        assert!(page.contains("令牌无效或已被吊销"), "{page}");
    }
    let (status, page, cookie) = sign_in(&client, &app.admin, &[]);
    assert_eq!(
        (status, cookie),
        (Status::TooManyRequests, false),
        "even a good token is refused unheard from a throttled address"
    );
    assert!(
        page.contains("此地址近来多次使用无效令牌，请一分钟后再试"),
        "{page}"
    );
    let bearer = client
        .get("/api/v1/totals")
        .remote(HERE.parse().expect("address"))
        .header(Header::new("Authorization", "Bearer ar_guess"))
        .dispatch();
    assert_eq!(bearer.status(), Status::TooManyRequests, "one throttle");
    let other = sign_in(&client, &app.admin, &[]);
    assert_eq!(other.0, Status::TooManyRequests);
    let elsewhere = client
        .post("/login")
        .remote("10.9.8.7:5000".parse().expect("address"))
        .header(ContentType::Form)
        .body(format!("token={}", app.admin))
        .dispatch();
    assert_eq!(
        elsewhere.status(),
        Status::SeeOther,
        "another address signs in"
    );

    let client = fresh_client(app);
    for _ in 0..20 {
        let page = client
            .get("/")
            .remote(HERE.parse().expect("address"))
            .cookie(Cookie::new(SESSION_COOKIE, "ar_stolen"))
            .dispatch();
        assert_eq!(page.status(), Status::SeeOther, "to the sign-in page");
    }
    let page = client
        .get("/")
        .remote(HERE.parse().expect("address"))
        .cookie(Cookie::new(SESSION_COOKIE, "ar_stolen2"))
        .dispatch();
    assert_eq!(page.status(), Status::TooManyRequests);
    assert!(page
        .into_string()
        .unwrap_or_default()
        .contains("请一分钟后再试"));
    assert_eq!(sign_in(&client, &app.admin, &[]).0, Status::TooManyRequests);
}

fn sign_in_and_out_refuse_cross_site_posts_and_origins_of_another_scheme(app: &TestApp) {
    let client = fresh_client(app);
    let host = ("Host", "registry.example:8000");
    for headers in [
        vec![host, ("Sec-Fetch-Site", "cross-site")],
        vec![host, ("Sec-Fetch-Site", "same-site")],
        vec![host, ("Origin", "http://evil.example")],
        vec![host, ("Origin", "https://registry.example:8000")],
        vec![host, ("Origin", "http://registry.example:8001")],
        vec![host, ("Origin", "null")],
    ] {
        let (status, _, cookie) = sign_in(&client, &app.admin, &headers);
        assert_eq!((status, cookie), (Status::Forbidden, false), "{headers:?}");
    }
    let (status, _, cookie) = sign_in(
        &client,
        &app.admin,
        &[host, ("Origin", "http://registry.example:8000")],
    );
    assert_eq!((status, cookie), (Status::SeeOther, true));
    let proxied = sign_in(
        &client,
        &app.admin,
        &[
            host,
            ("X-Forwarded-Proto", "https"),
            ("Origin", "https://registry.example:8000"),
        ],
    );
    assert_eq!(proxied.0, Status::SeeOther, "https behind a TLS proxy");
    let signed_in = || client.get("/").dispatch().status();
    assert_eq!(signed_in(), Status::Ok);
    let cross = client
        .post("/logout")
        .header(Header::new("Sec-Fetch-Site", "cross-site"))
        .dispatch();
    assert_eq!(cross.status(), Status::Forbidden);
    assert_eq!(signed_in(), Status::Ok, "still signed in");
    let own = client
        .post("/logout")
        .header(Header::new("Sec-Fetch-Site", "same-origin"))
        .dispatch();
    assert_eq!(own.status(), Status::SeeOther);
    assert_eq!(signed_in(), Status::SeeOther, "signed out");
}

/// A register file of `rows` assets, one project each.
fn register_of(rows: usize) -> Vec<u8> {
    let mut text = REGISTER.lines().next().unwrap_or_default().to_owned();
    text.push('\n');
    for i in 0..rows {
        text.push_str(&format!(
            "Q{i},光伏电站{i},2019,桑镇,东村,500000,Q{i}-1,村级光伏电站{i},经营性,500000,东村股份经济合作社,村集体,,东村村委会,2020-03-05,兴确字(2020)第{i}号\n"
        ));
    }
    text.into_bytes()
}

/// Makes the disk under the test's database full: on SQLite the one pooled connection
/// may grow the file by a few pages only (`PRAGMA max_page_count`); on PostgreSQL the
/// register's tables move to a tablespace on a 2 MiB tmpfs (mounted here, as root).
/// `None` when PostgreSQL's cannot be made (not root, no `mount`).
fn fill_the_disk(app: &TestApp, db: &asset_registry::db::Db) -> Option<Box<dyn FnOnce()>> {
    use diesel::connection::SimpleConnection;
    let mut conn = db.conn().expect("connection");
    if app.backend == asset_registry::db::Backend::Sqlite {
        #[derive(diesel::QueryableByName)]
        struct Pages {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            page_count: i64,
        }
        use diesel::RunQueryDsl;
        let pages: Pages = diesel::sql_query("PRAGMA page_count")
            .get_result(&mut *conn)
            .expect("page count");
        conn.batch_execute(&format!("PRAGMA max_page_count = {}", pages.page_count + 4))
            .expect("limit the file");
        return Some(Box::new(|| {}));
    }
    let mount = tempfile::tempdir().expect("mount point");
    let path = mount.path().to_str().unwrap_or_default().to_owned();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2M", "tmpfs", &path])
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        return None;
    }
    let owned = Command::new("chown")
        .args(["postgres:postgres", &path])
        .status()
        .is_ok_and(|s| s.success());
    let space = format!(
        "ar_full_{}",
        std::process::id() ^ mount.path().as_os_str().len() as u32
    );
    let unmount = {
        let path = path.clone();
        move || {
            let _ = Command::new("umount").arg(&path).status();
        }
    };
    if !owned
        || conn
            .batch_execute(&format!("CREATE TABLESPACE {space} LOCATION '{path}'"))
            .is_err()
    {
        unmount();
        return None;
    }
    conn.batch_execute(&format!(
        "ALTER TABLE projects SET TABLESPACE {space}; ALTER TABLE assets SET TABLESPACE {space}; \
         ALTER TABLE ledger_entries SET TABLESPACE {space};"
    ))
    .expect("move the tables");
    let url = app.database.url.clone();
    Some(Box::new(move || {
        let admin = support::postgres_admin_url();
        if let Ok(mut admin) = <diesel::PgConnection as diesel::Connection>::establish(&admin) {
            let name = url.rsplit('/').next().unwrap_or_default().to_owned();
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            let _ = admin.batch_execute(&format!("DROP TABLESPACE IF EXISTS {space}"));
        }
        unmount();
        drop(mount);
    }))
}

fn a_full_disk_answers_507_and_writes_nothing(app: &TestApp) {
    setup(app);
    let db = asset_registry::db::Db::open(&app.database.url, 1).expect("one connection");
    let Some(release) = fill_the_disk(app, &db) else {
        println!("NOTE: cannot mount a small tmpfs here: the PostgreSQL disk-full case is not run");
        return;
    };
    let figment = rocket::Config::figment().merge(("log_level", "off"));
    let client = Client::tracked(asset_registry::server::rocket(db, figment)).expect("rocket");
    let before = app.register_state();
    let response = client
        .post("/api/v1/imports")
        .header(ContentType::CSV)
        .header(Header::new(
            "Authorization",
            format!("Bearer {}", app.clerk),
        ))
        .body(register_of(3_000))
        .dispatch();
    let full = support::reply_of(response);
    assert_eq!(full.status, Status::InsufficientStorage, "{}", full.body);
    assert_eq!(
        full.content_type.as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(full.body["type"], "urn:asset-registry:problem:disk_full");
    assert_eq!(
        full.body["detail"],
        "数据库所在的磁盘已满，本次请求未写入任何数据；请管理员清理或扩充磁盘后重试"
    );
    assert_eq!(app.register_state(), before, "nothing was written");
    release();
}

/// The binary run to its end with `args`.
fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_asset-registry"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run the binary")
}

/// A server process of the binary on `url`, killed when dropped.
struct Server(Child);

impl Server {
    fn start(url: &str) -> Server {
        Self::start_with(url, &[]).0
    }

    /// A server with extra environment; also its port.
    fn start_with(url: &str, env: &[(&str, &str)]) -> (Server, u16) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let child = Command::new(env!("CARGO_BIN_EXE_asset-registry"))
            .args(["--database", url, "serve", "--port", &port.to_string()])
            .env_remove("DATABASE_URL")
            .env("ROCKET_LOG_LEVEL", "off")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start server");
        let server = Server(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if health(port).is_some_and(|reply| reply.starts_with("HTTP/1.1 200")) {
                return (server, port);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("server did not start");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `GET /api/v1/health` on `port`: the whole answer, if one came.
fn health(port: u16) -> Option<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream
        .write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    Some(answer)
}

fn a_client_that_never_finishes_its_head_is_disconnected(app: &TestApp) {
    use std::io::{Read, Write};
    let (_server, port) = Server::start_with(&app.database.url, &[("ROCKET_HEADER_TIMEOUT", "1")]);
    let mut slow = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let began = Instant::now();
    slow.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .expect("half a head");
    let mut answer = Vec::new();
    let read = slow.read_to_end(&mut answer);
    let waited = began.elapsed();
    assert!(
        matches!(read, Ok(0))
            || read.is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
        "closed without an answer: {:?}",
        String::from_utf8_lossy(&answer)
    );
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "closed after the 1 s timeout: {waited:?}"
    );
    // A whole head in time is served, the body after it too.
    let answer = health(port).unwrap_or_default();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains(&format!("\"database\":\"{}\"", app.backend.name())),
        "{answer}"
    );
}

fn assets_in(url: &str) -> i64 {
    use diesel::prelude::*;
    let db = asset_registry::db::Db::open(url, 1).expect("open");
    let mut conn = db.conn().expect("connection");
    asset_registry::db::schema::assets::table
        .count()
        .get_result(&mut *conn)
        .expect("count")
}

fn restore_refuses_while_a_server_holds_the_register_and_names_it(app: &TestApp) {
    setup(app);
    let folder = tempfile::tempdir().expect("temp dir");
    let backup = folder.path().join("backup.sqlite3");
    let backup = backup.to_str().unwrap_or_default();
    if app.backend == asset_registry::db::Backend::Sqlite {
        let made = run(&["--database", &app.database.url, "backup", backup]);
        assert_eq!(made.status.code(), Some(0), "{made:?}");
    }
    let served = support::TestDatabase::new(app.backend);
    let server = Server::start(&served.url);
    let refused = run(&["--database", &served.url, "restore", backup, "--force"]);
    let said = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert_eq!(refused.status.code(), Some(2), "{said}");
    assert!(said.contains("仍有进程打开着登记库，未恢复"), "{said}");
    let pid = server.0.id();
    assert!(
        said.contains(&format!("进程 {pid}：asset-registry"))
            && said.contains(" serve")
            && said.contains("起（北京时间）"),
        "names the server, what it is and since when: {said}"
    );
    assert_eq!(
        said.matches("\n  进程 ").count(),
        1,
        "the server alone: {said}"
    );
    drop(server);
    if app.backend == asset_registry::db::Backend::Sqlite {
        assert_eq!(assets_in(&served.url), 0, "the register was not replaced");
        let restored = run(&["--database", &served.url, "restore", backup, "--force"]);
        assert_eq!(restored.status.code(), Some(0), "{restored:?}");
        assert_eq!(
            assets_in(&served.url),
            1,
            "restored once the server stopped"
        );
    } else {
        // The killed server's sessions end with its sockets; then the advice is given.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let advised = run(&["--database", &served.url, "restore", backup, "--force"]);
            let said = String::from_utf8_lossy(&advised.stderr).into_owned();
            if said.contains("pg_restore") && !said.contains("仍有进程") {
                break;
            }
            assert!(Instant::now() < deadline, "{said}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "restore::refused_under_a_live_server",
            restore_refuses_while_a_server_holds_the_register_and_names_it,
        ),
        (
            "query::repeated_parameters",
            repeated_query_parameters_are_refused_by_name,
        ),
        (
            "dates::out_of_range",
            business_dates_before_1949_10_01_or_over_a_year_ahead_are_refused,
        ),
        (
            "web::sign_in_throttled",
            sign_in_and_session_cookies_are_throttled_like_api_tokens,
        ),
        (
            "web::cross_site_sign_in_and_out",
            sign_in_and_out_refuse_cross_site_posts_and_origins_of_another_scheme,
        ),
        (
            "storage::disk_full",
            a_full_disk_answers_507_and_writes_nothing,
        ),
        (
            "server::slow_heads_closed",
            a_client_that_never_finishes_its_head_is_disconnected,
        ),
        (
            "ledger::body_limit",
            ledger_bodies_up_to_1_mib_are_taken_and_larger_ones_refused_naming_the_limit,
        ),
    ];
    support::run(scenarios)
}
