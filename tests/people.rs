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
        (
            "pages_name_every_code_in_chinese",
            pages_name_every_code_in_chinese,
        ),
        (
            "the_import_page_holds_its_confirm_button_and_knows_a_replay",
            the_import_page_holds_its_confirm_button_and_knows_a_replay,
        ),
        (
            "findings_open_on_a_kind_with_items_and_error_pages_keep_the_menu",
            findings_open_on_a_kind_with_items_and_error_pages_keep_the_menu,
        ),
        (
            "the_api_types_its_parameters_and_names_its_schemas",
            the_api_types_its_parameters_and_names_its_schemas,
        ),
        (
            "the_register_counts_sums_and_numbers_its_filtered_list",
            the_register_counts_sums_and_numbers_its_filtered_list,
        ),
        (
            "project_pages_list_their_projects_and_balance_funds_against_assets",
            project_pages_list_their_projects_and_balance_funds_against_assets,
        ),
        (
            "the_overview_totals_by_class_town_and_year_link_to_the_register",
            the_overview_totals_by_class_town_and_year_link_to_the_register,
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
        Browser {
            client: app.signed_in(token),
        }
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

/// Every code word of the register, as the hidden `codes` command prints them.
fn code_words() -> Vec<String> {
    let output = cli(&["codes"]);
    assert_eq!(output.status.code(), Some(0));
    let words: Vec<String> = serde_json::from_slice(&output.stdout).expect("a JSON array");
    for expected in [
        "idle",
        "loss",
        "unknown_asset_class",
        "missing_custodian",
        "class:operating",
    ] {
        assert!(
            words.iter().any(|w| w == expected),
            "{expected} is a code word"
        );
    }
    words
}

/// The text of a page a person sees: no tags (so no attributes, where codes may sit as
/// tooltips and values), no script or style.
fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        text.push(' ');
        let after = &rest[start..];
        let skip_to = if after.starts_with("<script") {
            after.find("</script>")
        } else if after.starts_with("<style") {
            after.find("</style>")
        } else {
            Some(0)
        };
        let from = skip_to.unwrap_or(after.len());
        rest = match after[from..].find('>') {
            Some(end) => &after[from + end + 1..],
            None => "",
        };
    }
    text.push_str(rest);
    text
}

/// The code words that `html` shows as text.
fn codes_shown(html: &str, words: &[String]) -> Vec<String> {
    // The test tokens' names (`test-admin`) are names people chose, not codes.
    let mut text = visible_text(html);
    for role in ["admin", "clerk", "auditor", "reader"] {
        text = text.replace(&format!("test-{role}"), "");
    }
    let mut shown: Vec<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .filter(|token| words.iter().any(|w| w == token))
        .map(str::to_owned)
        .collect();
    shown.dedup();
    shown
}

fn pages_name_every_code_in_chinese(app: &TestApp) {
    let words = code_words();
    let imported = app.import_sample("xingping_2020.gbk.csv");
    assert_eq!(imported.status, Status::Created, "{}", imported.body);
    // A rejected file, whose errors the import page lists.
    let broken = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人\nQ1,某项目,2020,桑镇,东村,100,Q1-1,某资产,奇怪类,100,东村\n";
    let rejected = app.import(broken.as_bytes(), false);
    assert_eq!(rejected.status, Status::UnprocessableEntity);
    let batch = rejected.body["batch"]["id"]
        .as_str()
        .expect("batch id")
        .to_owned();
    // An inspection that found the asset idle, for the timeline.
    let asset = "XP2016-0001-01";
    let inspected = app.post(
        &format!("/api/v1/assets/{asset}/ledger"),
        Some(&app.clerk),
        br#"{"kind": "inspection", "occurred_on": "2021-05-01", "result": "idle"}"#.to_vec(),
        ContentType::JSON,
    );
    assert_eq!(inspected.status, Status::Created, "{}", inspected.body);
    let declaration = declare_sample(app);
    let browser = Browser::signed_in(app, &app.admin);
    let errors = browser.page(&format!("/imports?batch={batch}"));
    assert!(
        errors.contains("<td title=\"unknown_asset_class\">资产类别无法识别</td>"),
        "{errors}"
    );
    let timeline = browser.page(&format!("/assets/{asset}"));
    assert!(timeline.contains("结果：闲置"), "{timeline}");
    let form = browser.page("/reconcile");
    assert!(
        form.contains("<option value=\"class:public_welfare\">公益性资产</option>")
            && form.contains("镇街："),
        "scopes are chosen from a list: {form}"
    );
    assert!(form.contains("截至日期") && !form.contains("截止"));
    for path in [
        "/".to_owned(),
        "/imports".to_owned(),
        format!("/imports?batch={batch}"),
        "/assets".to_owned(),
        format!("/assets/{asset}"),
        "/reconcile".to_owned(),
        format!("/reconcile/{declaration}"),
        "/findings".to_owned(),
        "/findings?kind=missing_custodian".to_owned(),
        "/verify".to_owned(),
    ] {
        let page = browser.page(&path);
        assert_eq!(codes_shown(&page, &words), Vec::<String>::new(), "{path}");
        assert!(!page.contains("截止"), "{path}");
    }
    let response = app
        .client
        .get(format!("/api/v1/declarations/{declaration}/report.html"))
        .header(Header::new(
            "Authorization",
            format!("Bearer {}", app.auditor),
        ))
        .dispatch();
    let report = response.into_string().unwrap_or_default();
    assert_eq!(
        codes_shown(&report, &words),
        Vec::<String>::new(),
        "{report}"
    );
    assert!(report.contains("申报截至：2020-10-31"), "{report}");
}

fn the_import_page_holds_its_confirm_button_and_knows_a_replay(app: &TestApp) {
    let browser = Browser::signed_in(app, &app.clerk);
    let page = browser.page("/imports");
    assert!(
        page.contains("<button type=\"button\" id=\"import-commit\" hidden>确认导入</button>"),
        "{page}"
    );
    // The stylesheet gives buttons a display; `hidden` must still win over it.
    let css = browser.page("/static/app.css");
    assert!(css.contains("[hidden]{display:none !important}"), "{css}");
    let script = browser.page("/static/import.js");
    assert!(
        script.contains("if (report.replayed)") && script.contains("此文件已导入"),
        "{script}"
    );
    // What the script reads: a dry run of an imported file answers `replayed` and the
    // batch it links to, and writes nothing.
    let committed = app.import_sample("xingping_2020.utf8.csv");
    assert_eq!(committed.status, Status::Created);
    let before = app.register_state();
    let again = app.import(
        &std::fs::read(support::sample("xingping_2020.utf8.csv")).expect("sample"),
        true,
    );
    assert_eq!(again.status, Status::Ok);
    assert_eq!(again.body["replayed"], true);
    assert_eq!(again.body["id"], committed.body["id"]);
    assert_eq!(app.register_state(), before);
    let id = committed.body["id"].as_str().expect("id");
    let batch = browser.page(&format!("/imports?batch={id}"));
    assert!(batch.contains(&format!("批次 {id}：没有错误")), "{batch}");
}

fn findings_open_on_a_kind_with_items_and_error_pages_keep_the_menu(app: &TestApp) {
    // One asset without custodian and with a confirmation: the first kinds have nothing.
    let register = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,管护主体,确权日期,确权证书编号\nQ1,东村水井,2020,桑镇,东村,100,Q1-1,水井,公益性,100,东村村委会,村集体,,2020-03-05,确字1号\n";
    let imported = app.import(register.as_bytes(), false);
    assert_eq!(imported.status, Status::Created, "{}", imported.body);
    let browser = Browser::signed_in(app, &app.auditor);
    let findings = browser.page("/findings");
    assert!(
        findings.contains("<h2>未落实管护主体（1 项）</h2>"),
        "{findings}"
    );
    assert!(
        findings.contains("title=\"project_value_mismatch\"><strong>项目资金与资产价值不符</strong><br><span class=\"muted\">无</span></a>"),
        "{findings}"
    );
    let empty = browser.page("/findings?kind=unconfirmed");
    assert!(
        empty.contains("<tr><td colspan=\"2\" class=\"muted\">无</td></tr>"),
        "{empty}"
    );
    // 404 and 无权访问 keep the navigation of whoever is signed in.
    let (status, missing) = browser.get("/no-such-page");
    assert_eq!(status, Status::NotFound);
    assert!(
        missing.contains("<nav><a href=\"/\">概览</a>") && missing.contains("<h1>未找到</h1>"),
        "{missing}"
    );
    let (status, no_asset) = browser.get("/assets/NO-SUCH-ASSET");
    assert_eq!(status, Status::NotFound);
    assert!(no_asset.contains("<nav>"), "{no_asset}");
    let reader = Browser::signed_in(app, &app.reader);
    let (status, refused) = reader.get("/findings");
    assert_eq!(status, Status::Forbidden);
    assert!(
        refused.contains("<nav><a href=\"/\">概览</a>") && refused.contains("<h1>无权访问</h1>"),
        "{refused}"
    );
    // Without a session there is no menu to keep: the sign-in page is where one goes.
    let anonymous = app.client.get("/no-such-page").dispatch();
    assert_eq!(anonymous.status(), Status::NotFound);
    assert!(!anonymous
        .into_string()
        .unwrap_or_default()
        .contains("<nav>"));
}

fn the_api_types_its_parameters_and_names_its_schemas(app: &TestApp) {
    let document = app.get("/api/v1/openapi.json", None);
    assert_eq!(document.status, Status::Ok);
    let body = &document.body;
    let parameter = |path: &str, name: &str| {
        body["paths"][path]["get"]["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == name).cloned())
            .unwrap_or_default()
    };
    assert_eq!(
        parameter("/api/v1/assets", "limit")["schema"],
        serde_json::json!({"type": "integer", "minimum": 1, "maximum": 1000})
    );
    assert_eq!(
        parameter("/api/v1/events", "after")["schema"]["type"],
        "integer"
    );
    assert_eq!(
        parameter("/api/v1/events", "limit")["schema"]["type"],
        "integer"
    );
    let schemas: Vec<&String> = body["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
        .collect();
    assert!(
        !schemas.iter().any(|name| name.starts_with("Page")),
        "no Page2…Page5: {schemas:?}"
    );
    assert!(
        schemas.iter().any(|name| *name == "AssetViewPage"),
        "{schemas:?}"
    );
    // Tokens are listed for admins, by id and never with a secret, so one can be revoked.
    let listed = app.get("/api/v1/tokens", Some(&app.admin));
    assert_eq!(listed.status, Status::Ok, "{}", listed.body);
    let text = listed.body.to_string();
    for secret in [&app.admin, &app.clerk, &app.auditor, &app.reader] {
        assert!(!text.contains(secret.as_str()), "a secret is listed");
    }
    let reader = listed
        .body
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["name"] == "test-reader"))
        .cloned()
        .expect("the reader's token is listed");
    let id = reader["id"].as_str().expect("an id");
    assert_eq!(
        app.get("/api/v1/tokens", Some(&app.clerk)).status,
        Status::Forbidden
    );
    assert_eq!(
        app.delete(&format!("/api/v1/tokens/{id}"), Some(&app.admin))
            .status,
        Status::NoContent
    );
    assert_eq!(
        app.get("/api/v1/totals", Some(&app.reader)).status,
        Status::Unauthorized
    );
}

/// Every item of an API list, following `next_cursor` (`path` has a query already).
fn all_items(app: &TestApp, path: &str) -> Vec<serde_json::Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = match &cursor {
            Some(c) => format!("{path}&limit=1000&cursor={c}"),
            None => format!("{path}&limit=1000"),
        };
        let reply = app.get(&page, Some(&app.auditor));
        assert_eq!(reply.status, Status::Ok, "{page}: {}", reply.body);
        items.extend(
            reply.body["items"]
                .as_array()
                .expect("items")
                .iter()
                .cloned(),
        );
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return items,
        }
    }
}

/// A yuan string of the API (`"1234.50"`) in fen.
fn fen(value: &serde_json::Value) -> i64 {
    let text = value.as_str().expect("an amount");
    let (whole, fraction) = text.split_once('.').expect("two decimals");
    whole.parse::<i64>().expect("yuan") * 100 + fraction.parse::<i64>().expect("fen")
}

/// The label and address of each link of the pager on `page`.
fn pager_links(page: &str) -> Vec<(String, String)> {
    let start = page.find("<nav class=\"pager\"").expect("a pager");
    let pager = &page[start..start + page[start..].find("</nav>").expect("its end")];
    pager
        .split("<a href=\"")
        .skip(1)
        .map(|link| {
            let (href, rest) = link.split_once("\">").expect("a link");
            let label = rest.split_once("</a>").expect("its label").0;
            (label.to_owned(), href.replace("&amp;", "&"))
        })
        .collect()
}

/// The asset codes listed on a register page, in order.
fn listed_codes(page: &str, prefix: &str) -> Vec<String> {
    page.split(&format!("<tr><td><a href=\"{prefix}"))
        .skip(1)
        .map(|row| row.split_once('"').expect("the href's end").0.to_owned())
        .collect()
}

fn the_register_counts_sums_and_numbers_its_filtered_list(app: &TestApp) {
    use asset_registry::domain::shown;
    let imported = app.import_sample("xingping_2020.gbk.csv");
    assert_eq!(imported.status, Status::Created, "{}", imported.body);
    // What the register holds, read through the API's lists (which know no year filter
    // on assets): each project's year, each asset's project, value, class and place.
    let projects = all_items(app, "/api/v1/projects?");
    let year_of: std::collections::HashMap<String, i64> = projects
        .iter()
        .map(|p| {
            (
                p["code"].as_str().expect("code").to_owned(),
                p["year"].as_i64().expect("year"),
            )
        })
        .collect();
    let assets = all_items(app, "/api/v1/assets?");
    let mut per_year: std::collections::BTreeMap<i64, usize> = Default::default();
    for asset in &assets {
        *per_year
            .entry(year_of[asset["project_code"].as_str().expect("project")])
            .or_default() += 1;
    }
    // The year with the most assets, so that its list runs over several pages.
    let (year, _) = per_year.iter().max_by_key(|(_, n)| **n).expect("assets");
    let year = *year;
    let selected = |class: Option<&str>| {
        let mut codes: Vec<(String, i64)> = assets
            .iter()
            .filter(|a| year_of[a["project_code"].as_str().expect("project")] == year)
            .filter(|a| class.is_none_or(|c| a["class"] == c))
            .map(|a| {
                (
                    a["code"].as_str().expect("code").to_owned(),
                    fen(&a["value"]),
                )
            })
            .collect();
        codes.sort();
        codes
    };
    let browser = Browser::signed_in(app, &app.clerk);
    for class in [None, Some("public_welfare")] {
        let expected = selected(class);
        let count = expected.len();
        let sum: i64 = expected.iter().map(|(_, v)| v).sum();
        let path = match class {
            Some(class) => format!("/assets?class={class}&year={year}"),
            None => format!("/assets?year={year}"),
        };
        let page = browser.page(&path);
        assert!(
            page.contains(&format!(
                "<p class=\"tally\">共 <strong>{count}</strong> 项资产，资产价值合计 <strong>{}</strong> 元（{} 万元）</p>",
                shown::yuan(sum),
                shown::wan(sum)
            )),
            "{path}: {page}"
        );
        assert!(
            page.contains(&format!(
                "<tfoot><tr><th colspan=\"4\">合计（{count} 项）</th><td class=\"n\">{}</td><td class=\"n\">{}</td>",
                shown::wan(sum),
                shown::yuan(sum)
            )),
            "{path}"
        );
        assert!(
            page.contains(&format!("value=\"{year}\"")),
            "the year stays in the form"
        );
        assert!(page.contains("data-print>打印</button>"), "a print button");
        let pages = count.div_ceil(50);
        assert!(page.contains(&format!("共 {pages} 页")), "{path}");
        let first: Vec<String> = expected.iter().take(50).map(|(c, _)| c.clone()).collect();
        assert_eq!(listed_codes(&page, "/assets/"), first, "{path}");
        if pages < 2 {
            continue;
        }
        // Page numbers: the last page is linked by its number and holds the list's end.
        let links = pager_links(&page);
        let last = links
            .iter()
            .find(|(label, _)| *label == pages.to_string())
            .unwrap_or_else(|| panic!("page {pages} linked: {links:?}"));
        let last_page = browser.page(&last.1);
        assert!(
            last_page.contains(&format!("aria-current=\"page\">{pages}</span>")),
            "{}",
            last.1
        );
        let tail: Vec<String> = expected
            .iter()
            .skip((pages - 1) * 50)
            .map(|(c, _)| c.clone())
            .collect();
        assert_eq!(listed_codes(&last_page, "/assets/"), tail);
        let back = pager_links(&last_page);
        assert!(
            back.iter()
                .any(|(label, href)| label == "第一页" && *href == format!("{path}&")),
            "{back:?}"
        );
        assert!(
            !back.iter().any(|(label, _)| label == "下一页"),
            "the last page has no 下一页"
        );
    }
    // The scope filter applies: a village clerk counts the village's assets of the year.
    let village = Browser::signed_in(app, &scoped_clerk(app, "village:丰仪镇/下白村"));
    let in_village: Vec<i64> = assets
        .iter()
        .filter(|a| a["town"] == "丰仪镇" && a["village"] == "下白村")
        .map(|a| fen(&a["value"]))
        .collect();
    assert!(!in_village.is_empty());
    let page = village.page("/assets");
    assert!(
        page.contains(&format!(
            "共 <strong>{}</strong> 项资产，资产价值合计 <strong>{}</strong> 元",
            in_village.len(),
            shown::yuan(in_village.iter().sum())
        )),
        "{page}"
    );
}

fn project_pages_list_their_projects_and_balance_funds_against_assets(app: &TestApp) {
    use asset_registry::domain::shown;
    let imported = app.import_sample("xingping_2020.gbk.csv");
    assert_eq!(imported.status, Status::Created, "{}", imported.body);
    let projects = all_items(app, "/api/v1/projects?");
    let assets = all_items(app, "/api/v1/assets?");
    let browser = Browser::signed_in(app, &app.reader);
    assert!(
        browser.page("/").contains("<a href=\"/projects\">项目</a>"),
        "in the menu"
    );

    // The list, filtered by 镇街 and 年度: count and funds of the projects selected.
    let first = &projects[0];
    let (town, year) = (
        first["town"].as_str().expect("town"),
        first["year"].as_i64().expect("year"),
    );
    let mut selected: Vec<(&str, i64)> = projects
        .iter()
        .filter(|p| p["town"] == town && p["year"] == year)
        .map(|p| (p["code"].as_str().expect("code"), fen(&p["funds"])))
        .collect();
    selected.sort();
    let funds: i64 = selected.iter().map(|(_, f)| f).sum();
    let path = format!("/projects?town={}&year={year}", support::encode(town));
    let page = browser.page(&path);
    assert!(
        page.contains(&format!(
            "共 <strong>{}</strong> 个项目，项目资金合计 <strong>{}</strong> 元（{} 万元）",
            selected.len(),
            shown::yuan(funds),
            shown::wan(funds)
        )),
        "{page}"
    );
    assert!(page.contains(&format!(
        "<th colspan=\"4\">合计（{} 个）</th><td class=\"n\">{}</td><td class=\"n\">{}</td>",
        selected.len(),
        shown::wan(funds),
        shown::yuan(funds)
    )));
    let listed: Vec<String> = listed_codes(&page, "/projects/");
    let expected: Vec<String> = selected
        .iter()
        .take(50)
        .map(|(c, _)| (*c).to_owned())
        .collect();
    assert_eq!(listed, expected);
    assert!(page.contains(&format!("共 {} 页", selected.len().div_ceil(50))));
    // The whole list is paged by numbers too.
    let all = browser.page("/projects");
    let pages = projects.len().div_ceil(50);
    assert!(all.contains(&format!("共 <strong>{}</strong> 个项目", projects.len())));
    assert!(pager_links(&all)
        .iter()
        .any(|(label, _)| *label == pages.to_string()));
    // By class: the projects with at least one asset of it.
    let with_household: std::collections::BTreeSet<&str> = assets
        .iter()
        .filter(|a| a["class"] == "household")
        .map(|a| a["project_code"].as_str().expect("project"))
        .collect();
    let page = browser.page("/projects?class=household");
    assert!(page.contains(&format!(
        "共 <strong>{}</strong> 个项目",
        with_household.len()
    )));

    // A project's page: its assets, and its funds against their value.
    let mut value_of: std::collections::BTreeMap<&str, (i64, usize)> = Default::default();
    for asset in &assets {
        let entry = value_of
            .entry(asset["project_code"].as_str().expect("project"))
            .or_default();
        entry.0 += fen(&asset["value"]);
        entry.1 += 1;
    }
    let funds_of = |code: &str| {
        fen(&projects
            .iter()
            .find(|p| p["code"] == code)
            .expect("the project")["funds"])
    };
    let balanced = value_of
        .iter()
        .find(|(code, (value, _))| *value == funds_of(code))
        .map(|(code, _)| *code)
        .expect("a project whose assets add up to its funds");
    let page = browser.page(&format!("/projects/{}", support::encode(balanced)));
    let (value, count) = value_of[balanced];
    assert!(
        page.contains(&format!("<h1>项目 {balanced}</h1>")),
        "{page}"
    );
    assert!(page.contains(&format!(
        "<tr><td>资产价值合计（{count} 项资产）</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
        shown::wan(value),
        shown::yuan(value)
    )), "{page}");
    assert!(page.contains("<tr class=\"ok\"><th>差额（资产价值 − 项目资金）</th><td class=\"n\">0.00</td><td class=\"n\">0.00</td></tr>"));
    assert_eq!(listed_codes(&page, "/assets/").len(), count);
    // A project that formed no asset says so.
    let bare = projects
        .iter()
        .map(|p| p["code"].as_str().expect("code"))
        .find(|code| !value_of.contains_key(code))
        .expect("a project without assets");
    let page = browser.page(&format!("/projects/{}", support::encode(bare)));
    let funds = funds_of(bare);
    assert!(page.contains("此项目未形成资产。"), "{page}");
    assert!(page.contains(&format!(
        "<tr class=\"bad\"><th>差额（资产价值 − 项目资金）</th><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
        shown::wan(-funds),
        shown::yuan(-funds)
    )));
    // An asset's page links its project; a project outside the scope is not found.
    let asset = &assets[0];
    let project = asset["project_code"].as_str().expect("project");
    let page = browser.page(&format!(
        "/assets/{}",
        asset["code"].as_str().expect("code")
    ));
    assert!(page.contains(&format!(
        "<a href=\"/projects/{}\">{project}</a>",
        support::encode(project)
    )));
    let elsewhere = Browser::signed_in(app, &scoped_clerk(app, "village:丰仪镇/下白村"));
    let outside = projects
        .iter()
        .find(|p| p["town"] != "丰仪镇")
        .expect("a project elsewhere")["code"]
        .as_str()
        .expect("code");
    let (status, page) = elsewhere.get(&format!("/projects/{}", support::encode(outside)));
    assert_eq!(status, Status::NotFound, "{page}");
    assert!(page.contains("没有这个项目。") && page.contains("<nav>"));
}

/// A clerk's token with `scope`.
fn scoped_clerk(app: &TestApp, scope: &str) -> String {
    let reply = app.post(
        "/api/v1/tokens",
        Some(&app.admin),
        serde_json::json!({"name": format!("文书 {scope}"), "role": "clerk", "scope": scope})
            .to_string()
            .into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    reply.body["token"].as_str().expect("token").to_owned()
}

fn the_overview_totals_by_class_town_and_year_link_to_the_register(app: &TestApp) {
    use asset_registry::domain::shown;
    use std::collections::BTreeMap;
    let imported = app.import_sample("xingping_2020.gbk.csv");
    assert_eq!(imported.status, Status::Created, "{}", imported.body);
    let projects = all_items(app, "/api/v1/projects?");
    let assets = all_items(app, "/api/v1/assets?");
    // (projects, assets, funds, value) by town and by year, from the lists.
    let mut assets_of: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for asset in &assets {
        let entry = assets_of
            .entry(asset["project_code"].as_str().expect("project"))
            .or_default();
        entry.0 += 1;
        entry.1 += fen(&asset["value"]);
    }
    let mut by_town: BTreeMap<String, [i64; 4]> = BTreeMap::new();
    let mut by_year: BTreeMap<String, [i64; 4]> = BTreeMap::new();
    for project in &projects {
        let (n, value) = assets_of
            .get(project["code"].as_str().expect("code"))
            .copied()
            .unwrap_or_default();
        for (map, key) in [
            (
                &mut by_town,
                project["town"].as_str().expect("town").to_owned(),
            ),
            (
                &mut by_year,
                project["year"].as_i64().expect("year").to_string(),
            ),
        ] {
            let figures = map.entry(key).or_default();
            figures[0] += 1;
            figures[1] += n;
            figures[2] += fen(&project["funds"]);
            figures[3] += value;
        }
    }
    let row = |href: &str, label: &str, [projects, assets, funds, value]: [i64; 4]| {
        format!(
            "<tr><td><a href=\"{href}\">{label}</a></td><td class=\"n\">{projects}</td><td class=\"n\">{assets}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            shown::wan(funds),
            shown::yuan(funds),
            shown::wan(value),
            shown::yuan(value)
        )
    };
    let browser = Browser::signed_in(app, &app.reader);
    let overview = browser.page("/");
    for (town, figures) in &by_town {
        let href = format!("/assets?town={}", support::encode(town));
        assert!(
            overview.contains(&row(&href, town, *figures)),
            "{town}: {overview}"
        );
    }
    for (year, figures) in &by_year {
        let href = format!("/assets?year={year}");
        assert!(
            overview.contains(&row(&href, &format!("{year} 年"), *figures)),
            "{year}"
        );
    }
    // Each row's link opens the register filtered on it, counting the same assets.
    let (year, figures) = by_year.iter().max_by_key(|(_, f)| f[1]).expect("a year");
    let register = browser.page(&format!("/assets?year={year}"));
    assert!(
        register.contains(&format!(
            "共 <strong>{}</strong> 项资产，资产价值合计 <strong>{}</strong> 元",
            figures[1],
            shown::yuan(figures[3])
        )),
        "{register}"
    );
    let public_welfare: Vec<i64> = assets
        .iter()
        .filter(|a| a["class"] == "public_welfare")
        .map(|a| fen(&a["value"]))
        .collect();
    assert!(overview.contains("<a href=\"/assets?class=public_welfare\">公益性</a>"));
    let register = browser.page("/assets?class=public_welfare");
    assert!(register.contains(&format!(
        "共 <strong>{}</strong> 项资产，资产价值合计 <strong>{}</strong> 元",
        public_welfare.len(),
        shown::yuan(public_welfare.iter().sum())
    )));
    // Three charts; no label is wider than the column before the bars.
    assert_eq!(overview.matches("<svg class=\"chart\"").count(), 3);
    for label in ["经营性", "公益性", "到户类"] {
        let text = "<text x=\"0\" y=\"";
        let at = overview
            .match_indices(text)
            .map(|(i, _)| &overview[i..])
            .find(|rest| {
                rest.split_once('>')
                    .is_some_and(|(_, r)| r.starts_with(&format!("{label}</text>")))
            })
            .unwrap_or_else(|| panic!("{label} charted"));
        let bar_x: usize = at
            .split_once("<rect x=\"")
            .and_then(|(_, r)| r.split_once('"'))
            .and_then(|(x, _)| x.parse().ok())
            .expect("the bar's x");
        assert!(
            bar_x >= label.chars().count() * 13,
            "{label} fits before its bar at {bar_x}"
        );
    }
}
