//! What a person sees (issue #13), on SQLite and PostgreSQL: commands that refuse to
//! create a register, money and China time on pages and reports, Chinese labels instead
//! of code words, the import page, findings, the register's pages and the API's shapes.

mod support;

use std::process::{Command, Output};

use asset_registry::db::Backend;
use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::Client;
use support::{Scenario, TestApp};

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "commands_other_than_serve_and_import_refuse_a_missing_register",
            commands_other_than_serve_and_import_refuse_a_missing_register,
        ),
        (
            "money_and_times_read_as_a_person_writes_them",
            money_and_times_read_as_a_person_writes_them,
        ),
    ];
    support::run(scenarios)
}

/// A browser signed in with `token`: its own client, holding the session cookie.
struct Browser {
    client: Client,
}

impl Browser {
    fn signed_in(app: &TestApp, token: &str) -> Self {
        let client = Client::tracked(asset_registry::server::rocket(
            app.db.clone(),
            rocket::Config::figment().merge(("log_level", "off")),
        ))
        .expect("client");
        let status = client
            .post("/login")
            .header(ContentType::Form)
            .body(format!("token={token}"))
            .dispatch()
            .status();
        assert_eq!(status, Status::SeeOther);
        Browser { client }
    }

    /// `GET path`: the status and the page.
    fn get(&self, path: &str) -> (Status, String) {
        let response = self.client.get(path.to_owned()).dispatch();
        (
            response.status(),
            response.into_string().unwrap_or_default(),
        )
    }

    /// `GET path`, which must answer 200: the page.
    fn page(&self, path: &str) -> String {
        let (status, page) = self.get(path);
        assert_eq!(status, Status::Ok, "{path}: {page}");
        page
    }
}

/// A stored UTC timestamp as the pages must show it: China time to the second.
fn in_china(timestamp: &str) -> String {
    let at = chrono::DateTime::parse_from_rfc3339(timestamp).expect("an RFC 3339 timestamp");
    let china = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    at.with_timezone(&china)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// Declares the sample's figures as of 2020-10-31; the declaration's id.
fn declare_sample(app: &TestApp) -> String {
    let declared = std::fs::read(support::sample("xingping_2020.declared.json")).expect("sample");
    let reply = app.post(
        "/api/v1/declarations",
        Some(&app.clerk),
        declared,
        ContentType::JSON,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    reply.body["id"].as_str().expect("an id").to_owned()
}

fn money_and_times_read_as_a_person_writes_them(app: &TestApp) {
    let imported = app.import_sample("xingping_2020.gbk.csv");
    assert_eq!(imported.status, Status::Created, "{}", imported.body);
    let created_at = imported.body["created_at"].as_str().expect("created_at");
    let browser = Browser::signed_in(app, &app.auditor);
    let overview = browser.page("/");
    for figure in [
        "<td class=\"n\">36,980.00</td><td class=\"n\">369,800,000.00</td>",
        "<td class=\"n\">791.00</td><td class=\"n\">7,910,000.00</td>",
        "<td class=\"n\">13,410.90</td><td class=\"n\">134,109,000.00</td>",
    ] {
        assert!(overview.contains(figure), "{figure} in {overview}");
    }
    let imports = browser.page("/imports");
    assert!(
        imports.contains(&in_china(created_at)),
        "{created_at} in China time in {imports}"
    );
    assert!(!imports.contains(created_at) && !imports.contains("UTC"));
    // The printed report: amounts as clerks write them and 生成时间 in China time.
    let id = declare_sample(app);
    let response = app
        .client
        .get(format!("/api/v1/declarations/{id}/report.html"))
        .header(Header::new(
            "Authorization",
            format!("Bearer {}", app.auditor),
        ))
        .dispatch();
    assert_eq!(response.status(), Status::Ok);
    let report = response.into_string().unwrap_or_default();
    assert!(
        report.contains("项目资金 13,410.90 万元，即 134,109,000.00 元"),
        "{report}"
    );
    let generated = report
        .split("生成时间：")
        .nth(1)
        .and_then(|rest| rest.get(..19))
        .expect("生成时间");
    let parsed = chrono::NaiveDateTime::parse_from_str(generated, "%Y-%m-%d %H:%M:%S")
        .expect("a time to the second, with a space for the T");
    let now_in_china = chrono::Utc::now().naive_utc() + chrono::Duration::hours(8);
    assert!(
        (now_in_china - parsed).num_seconds().abs() < 120,
        "{generated} is China time"
    );
    // The CLI table too.
    let file = app
        .database
        .folder()
        .map(|f| f.join("d.json"))
        .unwrap_or_else(|| std::env::temp_dir().join(format!("{}.json", uuid::Uuid::new_v4())));
    std::fs::copy(support::sample("xingping_2020.declared.json"), &file).expect("copy");
    let printed = cli(&[
        "--database",
        &app.database.url,
        "reconcile",
        "--declared",
        &file.to_string_lossy(),
    ]);
    let out = String::from_utf8_lossy(&printed.stdout);
    assert_eq!(printed.status.code(), Some(0), "{out}");
    assert!(
        out.contains("36,980.00") && out.contains("369,800,000.00"),
        "{out}"
    );
}

/// Runs the binary with `args`.
fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_asset-registry"))
        .args(args)
        .output()
        .expect("run asset-registry")
}

/// A register URL of the app's backend that names a database that does not exist.
fn missing_register(app: &TestApp) -> (String, Option<std::path::PathBuf>) {
    match app.backend {
        Backend::Sqlite => {
            let path = app
                .database
                .folder()
                .expect("a SQLite test database has a folder")
                .join("mistyped.sqlite3");
            (path.to_string_lossy().into_owned(), Some(path))
        }
        Backend::Postgres => {
            let base = support::postgres_admin_url();
            let slash = base.rfind('/').expect("a PostgreSQL URL names a database");
            (format!("{}/ar_no_such_register", &base[..slash]), None)
        }
    }
}

fn commands_other_than_serve_and_import_refuse_a_missing_register(app: &TestApp) {
    let (url, file) = missing_register(app);
    let folder = app.database.folder().map(|f| f.to_owned());
    let declared = folder
        .as_ref()
        .map(|f| f.join("declared.csv"))
        .unwrap_or_else(|| std::env::temp_dir().join("ar-people-declared.csv"));
    std::fs::write(&declared, "scope,projects,amount\ntotal,1,100.00\n").expect("write");
    let backup = std::env::temp_dir().join(format!("ar-people-{}.bak", uuid::Uuid::new_v4()));
    let declared = declared.to_string_lossy().into_owned();
    let backup = backup.to_string_lossy().into_owned();
    let commands: Vec<Vec<&str>> = vec![
        vec!["verify"],
        vec![
            "reconcile",
            "--declared",
            &declared,
            "--as-of",
            "2020-10-31",
        ],
        vec!["export"],
        vec!["token", "create", "--role", "admin", "--name", "x"],
        vec!["backup", &backup],
    ];
    for command in commands {
        let mut args = vec!["--database", url.as_str()];
        args.extend(command.iter().copied());
        let output = cli(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{command:?} printed a result");
        assert!(!String::from_utf8_lossy(&output.stdout).contains("校验通过"));
        if let Some(file) = &file {
            assert!(
                stderr.contains("不存在") && stderr.contains("mistyped.sqlite3"),
                "{command:?}: {stderr}"
            );
            assert!(!file.exists(), "{command:?} created the register");
        } else {
            assert!(stderr.starts_with("错误："), "{command:?}: {stderr}");
        }
        assert!(!std::path::Path::new(&backup).exists());
    }
    // The existing register still verifies, and `import` may create a new one.
    let verified = cli(&["--database", &app.database.url, "verify"]);
    assert_eq!(verified.status.code(), Some(0));
    if let Some(file) = &file {
        let sample = support::sample("xingping_2020.utf8.csv");
        let imported = cli(&[
            "--database",
            &url,
            "import",
            "--dry-run",
            &sample.to_string_lossy(),
        ]);
        assert_eq!(imported.status.code(), Some(0));
        assert!(file.exists(), "import creates a missing register");
    }
}
