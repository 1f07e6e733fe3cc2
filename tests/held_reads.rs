//! The reads that issue #18 bounded at 1M rows answer what they answered before, on a
//! register of an earlier release migrated by today's code: lists and counts by the
//! project's year and department (which the asset's row now holds, filled by the
//! migration), a department's scope, the name search for rare and common text, and the
//! change feed of a town, a village and a department (whose entries now hold their
//! asset's town and department, filled by the migration).
//!
//! `tests/fixtures/register_v2/` is loaded at its release's schema with departments
//! given to two of its projects, then opened (and so migrated); a file imported after
//! the migration adds assets of new projects.

mod fixture;
mod support;

use std::collections::BTreeSet;

use asset_registry::auth::{self, Role};
use asset_registry::db::schema::{assets, ledger_entries, projects};
use asset_registry::db::Backend;
use asset_registry::domain::Scope;
use asset_registry::register::query::{tally_assets, AssetFilter};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use rocket::http::Status;
use support::TestApp;

/// The last migration of the release that wrote the fixture.
const FIXTURE_VERSION: &str = "20261208400000";

/// Departments given to the fixture's projects before the migration.
const DEPARTMENTS: &str = "UPDATE projects SET department = '农业农村局' WHERE code = 'V2-P1';
UPDATE projects SET department = '交通运输局' WHERE code = 'V2-P3';";

/// Imported after the migration: assets of two new projects, one of a department.
const NEW_REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),行业主管部门,资产编号,资产名称,资产类别,数量,计量单位,资产价值(元),所有权人,所有权人类型,确权日期
N-P1,屋顶光伏,2023,店张街道,王寨村,700000,农业农村局,N-A1,屋顶光伏板,经营性,2,座,400000,王寨村村民委员会,村集体,2023-05-01
N-P1,屋顶光伏,2023,店张街道,王寨村,700000,农业农村局,N-A2,光伏逆变器,经营性,1,台,300000,王寨村村民委员会,村集体,2023-05-01
N-P2,到户养羊,2024,马嵬街道,李村,6000,,N-A3,湖羊,到户类,10,只,6000,赵六,农户,2024-04-01
";

fn app_on_fixture(backend: Backend) -> TestApp {
    fixture::app_on_with(backend, "register_v2", FIXTURE_VERSION, DEPARTMENTS)
}

fn import_new(app: &TestApp) {
    let reply = app.import(NEW_REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
}

/// The codes of every asset a list query gives `token`, page after page.
fn listed(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let mut codes = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = match &cursor {
            Some(c) => format!("&cursor={}", support::encode(c)),
            None => String::new(),
        };
        let reply = app.get(
            &format!("/api/v1/assets?limit=2&{query}{page}"),
            Some(token),
        );
        assert_eq!(reply.status, Status::Ok, "{query}: {}", reply.body);
        let items = reply.body["items"].as_array().expect("items").clone();
        codes.extend(
            items
                .iter()
                .map(|i| i["code"].as_str().expect("code").to_owned()),
        );
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return codes,
        }
    }
}

/// The codes of the assets whose project matches `on_project`, read through the
/// projects table as the lists read them before the migration.
fn through_projects(app: &TestApp, on_project: impl Fn(i32, Option<&str>) -> bool) -> Vec<String> {
    let mut conn = app.db.conn().expect("connection");
    let rows: Vec<(String, i32, Option<String>)> = assets::table
        .inner_join(projects::table.on(projects::code.eq(assets::project_code)))
        .order(assets::code)
        .select((assets::code, projects::year, projects::department))
        .load(&mut *conn)
        .expect("assets with their projects");
    rows.into_iter()
        .filter(|(_, year, department)| on_project(*year, department.as_deref()))
        .map(|(code, _, _)| code)
        .collect()
}

fn token(app: &TestApp, scope: &Scope) -> String {
    let mut conn = app.db.conn().expect("connection");
    auth::create_token(&mut conn, &format!("reader@{scope}"), Role::Reader, scope)
        .expect("token")
        .secret
}

fn verifies(app: &TestApp) {
    let reply = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    assert_eq!(reply.body["ok"], true, "{}", reply.body);
}

/// Lists, counts and a department's scope by the project's year and department give
/// the same assets after the migration as through the projects, for the assets
/// registered before it and those imported after; the held copies cannot be changed.
fn lists_by_year_and_department_are_unchanged(app: &TestApp) {
    import_new(app);
    {
        type Held = (String, i32, Option<String>, i32, Option<String>);
        let mut conn = app.db.conn().expect("connection");
        let rows: Vec<Held> = assets::table
            .inner_join(projects::table.on(projects::code.eq(assets::project_code)))
            .select((
                assets::code,
                assets::project_year,
                assets::project_department,
                projects::year,
                projects::department,
            ))
            .load(&mut *conn)
            .expect("held fields");
        assert_eq!(rows.len(), 7);
        for (code, year, department, of_project, department_of_project) in rows {
            assert_eq!(
                (year, department),
                (of_project, department_of_project),
                "{code} holds its project's year and department"
            );
        }
    }
    for year in [2019, 2020, 2023, 2024, 2025] {
        let expected = through_projects(app, |y, _| y == year);
        assert_eq!(
            listed(app, &app.reader, &format!("year={year}")),
            expected,
            "year {year}"
        );
        let mut conn = app.db.conn().expect("connection");
        let filter = AssetFilter {
            year: Some(year),
            ..AssetFilter::default()
        };
        let tally = tally_assets(&mut conn, &Scope::County, &filter).expect("tally");
        assert_eq!(tally.assets, i64::try_from(expected.len()).expect("count"));
    }
    assert_eq!(
        through_projects(app, |y, _| y == 2020),
        ["V2-A3", "V2-A4"],
        "the fixture's assets are listed by year"
    );
    for department in ["农业农村局", "交通运输局", "人社局"] {
        let expected = through_projects(app, |_, d| d == Some(department));
        let query = format!("department={}", support::encode(department));
        assert_eq!(listed(app, &app.reader, &query), expected, "{department}");
        let scoped = token(app, &Scope::Department(department.to_owned()));
        assert_eq!(listed(app, &scoped, ""), expected, "scope {department}");
        let mut conn = app.db.conn().expect("connection");
        let filter = AssetFilter {
            department: Some(department.to_owned()),
            ..AssetFilter::default()
        };
        let tally = tally_assets(&mut conn, &Scope::County, &filter).expect("tally");
        assert_eq!(tally.assets, i64::try_from(expected.len()).expect("count"));
    }
    assert_eq!(
        through_projects(app, |_, d| d == Some("农业农村局")),
        ["N-A1", "N-A2", "V2-A1", "V2-A2"]
    );
    let farming = token(app, &Scope::Department("农业农村局".to_owned()));
    let outside = app.get("/api/v1/assets/V2-A4", Some(&farming));
    assert_eq!(outside.status, Status::NotFound, "{}", outside.body);
    let inside = app.get("/api/v1/assets/V2-A1", Some(&farming));
    assert_eq!(inside.status, Status::Ok, "{}", inside.body);
    let both = format!("year=2019&department={}", support::encode("农业农村局"));
    assert_eq!(listed(app, &app.reader, &both), ["V2-A1", "V2-A2"]);
    let mut conn = app.db.conn().expect("connection");
    for edit in [
        "UPDATE assets SET project_year = 2018 WHERE code = 'V2-A1'",
        "UPDATE assets SET project_department = '人社局' WHERE code = 'V2-A1'",
        "UPDATE assets SET project_department = NULL WHERE code = 'N-A1'",
    ] {
        assert!(conn.batch_execute(edit).is_err(), "{edit} must be refused");
    }
    drop(conn);
    verifies(app);
}

/// The name search finds, for rare and common text and for text shorter than a
/// trigram, exactly the assets whose own or whose owner's name holds it.
fn name_search_finds_what_it_found(app: &TestApp) {
    import_new(app);
    let names: Vec<(String, String, String)> = {
        let mut conn = app.db.conn().expect("connection");
        assets::table
            .order(assets::code)
            .select((assets::code, assets::name, assets::owner_name))
            .load(&mut *conn)
            .expect("names")
    };
    let texts = [
        "光伏",
        "光伏逆变",
        "村民委员会",
        "湖羊",
        "赵六",
        "站",
        "逆变器",
        "没有这个",
    ];
    for text in texts {
        let expected: Vec<String> = names
            .iter()
            .filter(|(_, name, owner)| name.contains(text) || owner.contains(text))
            .map(|(code, _, _)| code.clone())
            .collect();
        let query = format!("q={}", support::encode(text));
        assert_eq!(listed(app, &app.reader, &query), expected, "q={text}");
    }
    let found = |text: &str| listed(app, &app.reader, &format!("q={}", support::encode(text)));
    assert_eq!(found("光伏逆变"), ["N-A2"], "a rare text");
    assert!(found("光伏").len() >= 3, "a common text");
    assert_eq!(
        found("100%"),
        Vec::<String>::new(),
        "LIKE's wildcards are text"
    );
}

/// The entries of every asset of the feed's scope, in `seq` order, page after page.
fn feed(app: &TestApp, token: &str) -> Vec<(i64, String)> {
    let mut entries = Vec::new();
    let mut after = 0;
    loop {
        let reply = app.get(
            &format!("/api/v1/events?after={after}&limit=3"),
            Some(token),
        );
        assert_eq!(reply.status, Status::Ok, "{}", reply.body);
        let items = reply.body["items"].as_array().expect("items").clone();
        if items.is_empty() {
            return entries;
        }
        for item in &items {
            let seq = item["seq"].as_i64().expect("seq");
            entries.push((seq, item["asset_code"].as_str().expect("code").to_owned()));
        }
        after = reply.body["next_after"].as_i64().expect("next_after");
    }
}

/// The change feed of a town, a village and a department is the county's feed with the
/// entries of the assets outside the scope left out.
fn feed_of_a_scope_is_the_county_feed_filtered(app: &TestApp) {
    import_new(app);
    let county = feed(app, &app.reader);
    let places: Vec<(String, String, Option<String>, Option<String>)> = {
        let mut conn = app.db.conn().expect("connection");
        assets::table
            .select((
                assets::code,
                assets::town,
                assets::village,
                assets::project_department,
            ))
            .load(&mut *conn)
            .expect("places")
    };
    let entries: i64 = {
        let mut conn = app.db.conn().expect("connection");
        ledger_entries::table
            .count()
            .get_result(&mut *conn)
            .expect("entries")
    };
    assert_eq!(county.len(), usize::try_from(entries).expect("count"));
    let scopes = [
        Scope::Town("店张街道".to_owned()),
        Scope::Town("马嵬街道".to_owned()),
        Scope::Town("无此镇".to_owned()),
        Scope::Village {
            town: "马嵬街道".to_owned(),
            village: "李村".to_owned(),
        },
        Scope::Department("农业农村局".to_owned()),
        Scope::Department("交通运输局".to_owned()),
    ];
    let mut seen = BTreeSet::new();
    for scope in scopes {
        let held: BTreeSet<&str> = places
            .iter()
            .filter(|(_, town, village, department)| {
                scope.holds(town, village.as_deref(), department.as_deref())
            })
            .map(|(code, _, _, _)| code.as_str())
            .collect();
        let expected: Vec<(i64, String)> = county
            .iter()
            .filter(|(_, code)| held.contains(code.as_str()))
            .cloned()
            .collect();
        let scoped = token(app, &scope);
        assert_eq!(feed(app, &scoped), expected, "{scope}");
        seen.extend(expected.into_iter().map(|(seq, _)| seq));
    }
    assert!(
        seen.len() > county.len() / 2,
        "the scopes hold most entries"
    );
    let mut conn = app.db.conn().expect("connection");
    for edit in [
        "UPDATE ledger_entries SET asset_town = '马嵬街道' WHERE asset_code = 'V2-A1'",
        "UPDATE ledger_entries SET asset_department = NULL WHERE asset_code = 'N-A1'",
    ] {
        assert!(conn.batch_execute(edit).is_err(), "{edit} must be refused");
    }
    drop(conn);
    verifies(app);
}

fn main() -> std::process::ExitCode {
    support::run_with(
        vec![
            (
                "held_reads::lists_by_year_and_department_are_unchanged",
                lists_by_year_and_department_are_unchanged,
            ),
            (
                "held_reads::name_search_finds_what_it_found",
                name_search_finds_what_it_found,
            ),
            (
                "held_reads::feed_of_a_scope_is_the_county_feed_filtered",
                feed_of_a_scope_is_the_county_feed_filtered,
            ),
        ],
        app_on_fixture,
    )
}
