//! Lists as of a date (issue #18): by name search, by town and unfiltered, page after
//! page, they list exactly the assets a brute-force fold of every asset's entries up
//! to that day finds — across registrations, owner changes (back-dated ones among
//! them) and a corrected transfer; the names held for the search (the asset's own and
//! every owner's) equal what the entries give, and `verify` names an asset whose held
//! names were tampered with.
//! On SQLite and PostgreSQL.

mod support;

use asset_registry::domain::{BusinessDate, Scope};
use asset_registry::ledger::append::fold_rows;
use asset_registry::ledger::as_of::assets_as_of_searching;
use asset_registry::ledger::store::entries_of_asset;
use asset_registry::register::query::AssetFilter;
use diesel::prelude::*;
use rocket::http::Status;
use serde_json::{json, Value};
use support::{Scenario, TestApp};

const REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),行业主管部门,资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,管护主体,确权日期,确权证书编号
P1,供水,2019,桑镇,东村,1000,水利局,A1,供水站,公益性,900,东村村委会,村集体,东村,2019-03-01,C1
P2,到户牛,2020,桑镇,西村,100,农业农村局,A2,肉牛,到户类,100,王建国,农户,王建国,2020-05-01,C2
P3,光伏,2021,阜寨镇,南村,5000,发改局,A3,光伏电站,经营性,3000,南村村委会,村集体,南村,2021-07-01,C3
P4,大棚,2018,桑镇,东村,500,农业农村局,A4,王家大棚,经营性,400,东村股份经济合作社,村集体,东村,2018-01-01,C4
P4,大棚,2018,桑镇,东村,500,农业农村局,A5,冷库,经营性,100,东村股份经济合作社,村集体,东村,,
";

/// The days each list is read as of, with today: before, between and after every
/// entry.
const DAYS: [&str; 10] = [
    "2017-12-31",
    "2018-06-01",
    "2019-06-01",
    "2020-07-01",
    "2021-03-01",
    "2021-07-15",
    "2021-09-01",
    "2022-01-15",
    "2022-03-01",
    "2023-06-01",
];

/// The texts searched for: an asset's name, owners' names now, before and never
/// (a corrected transfer's), parts of several, and one nothing matches.
const SEARCHES: [&str; 11] = [
    "王",
    "王建国",
    "李秀英",
    "王寨村",
    "股份",
    "村委会",
    "张三",
    "光伏",
    "大棚",
    "东村",
    "不存在",
];

const TOWNS: [&str; 2] = ["桑镇", "阜寨镇"];

fn append(app: &TestApp, asset: &str, entry: Value) -> i64 {
    app.append_as_clerk(asset, entry)
}

fn transfer(app: &TestApp, asset: &str, on: &str, name: &str, household: bool) -> i64 {
    let owner = if household {
        json!({"name": name, "type": "household", "id_number": "11010519491231002X"})
    } else {
        json!({"name": name, "type": "village_collective", "id_number": null})
    };
    append(
        app,
        asset,
        json!({"kind": "ownership_transferred", "occurred_on": on, "owner": owner, "document_no": format!("转{on}")}),
    )
}

/// The register, then owner changes: back-dated, corrected, back to an earlier name.
fn history(app: &TestApp) {
    let reply = app.import(REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    transfer(app, "A2", "2021-01-01", "李秀英", true);
    transfer(app, "A1", "2020-06-01", "东村股份经济合作社", false);
    let wrong = transfer(app, "A1", "2022-01-01", "王寨村村民委员会", false);
    append(
        app,
        "A1",
        json!({"kind": "correction", "occurred_on": "2022-02-01", "corrects": wrong, "reason": "录错"}),
    );
    transfer(app, "A3", "2021-08-01", "张三", true);
    transfer(app, "A3", "2023-01-01", "南村村委会", false);
    append(
        app,
        "A4",
        json!({"kind": "disposed", "occurred_on": "2022-06-01", "method": "scrap", "approval_no": "批1"}),
    );
}

/// The codes and owners' names the API lists as of `day` with `query`, read `limit`
/// at a time.
fn listed(app: &TestApp, day: &str, query: &str, limit: usize) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/assets?as_of={day}&limit={limit}{query}");
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let reply = app.get(&path, Some(&app.auditor));
        assert_eq!(reply.status, Status::Ok, "{path}: {}", reply.body);
        let items = reply.body["items"].as_array().cloned().unwrap_or_default();
        assert!(items.len() <= limit, "{path}");
        found.extend(items.iter().map(|a| {
            (
                a["code"].as_str().unwrap_or_default().to_owned(),
                a["owner"]["name"].as_str().unwrap_or_default().to_owned(),
            )
        }));
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return found,
        }
    }
}

/// The codes and owners' names listed as of `day` with `filter` by walking the code
/// order (however few assets the search finds), two at a time.
fn walked(app: &TestApp, day: &str, filter: &AssetFilter) -> Vec<(String, String)> {
    let mut conn = app.db.conn().expect("connection");
    let day = BusinessDate::parse_iso(day).expect("day");
    let mut found = Vec::new();
    let mut after = None;
    loop {
        let page = assets_as_of_searching(&mut conn, &Scope::County, filter, day, (after, 2), 0)
            .expect("as of");
        found.extend(
            page.items
                .into_iter()
                .map(|(row, state)| (row.code, state.owner_name)),
        );
        match page.next_after {
            Some(next) => after = Some(next),
            None => return found,
        }
    }
}

/// Every asset of the register with its name, town and entries.
struct Asset {
    code: String,
    name: String,
    town: String,
}

fn every_asset(app: &TestApp) -> Vec<Asset> {
    use asset_registry::db::schema::assets;
    let mut conn = app.db.conn().expect("connection");
    let rows: Vec<(String, String, String)> = assets::table
        .order(assets::code)
        .select((assets::code, assets::name, assets::town))
        .load(&mut *conn)
        .expect("assets");
    rows.into_iter()
        .map(|(code, name, town)| Asset { code, name, town })
        .collect()
}

/// What a brute-force fold finds as of `day`: every asset's entries up to that day
/// folded, kept when it existed and its name or its owner's name then holds `q`.
fn brute_force(
    app: &TestApp,
    assets: &[Asset],
    day: &str,
    q: Option<&str>,
    town: Option<&str>,
) -> Vec<(String, String)> {
    let mut conn = app.db.conn().expect("connection");
    let mut found = Vec::new();
    for asset in assets {
        let entries: Vec<_> = entries_of_asset(&mut conn, &asset.code)
            .expect("entries")
            .into_iter()
            .filter(|e| e.occurred_on.as_str() <= day)
            .collect();
        let Some(state) = fold_rows(&entries).expect("fold") else {
            continue;
        };
        // The name search's rule: ASCII letters in either case, the rest exactly.
        let holds =
            |name: &str, q: &str| name.to_ascii_lowercase().contains(&q.to_ascii_lowercase());
        let named = q.is_none_or(|q| holds(&asset.name, q) || holds(&state.owner_name, q));
        if named && town.is_none_or(|t| asset.town == t) {
            found.push((asset.code.clone(), state.owner_name));
        }
    }
    found
}

fn lists_as_of_equal_a_brute_force_fold(app: &TestApp) {
    history(app);
    let assets = every_asset(app);
    let today = asset_registry::domain::dates::today_in_china()
        .format("%Y-%m-%d")
        .to_string();
    let mut searched = 0;
    for day in DAYS.iter().copied().chain([today.as_str()]) {
        let mut filters: Vec<(Option<&str>, Option<&str>)> = vec![(None, None)];
        filters.extend(TOWNS.iter().map(|t| (None, Some(*t))));
        filters.extend(SEARCHES.iter().map(|q| (Some(*q), None)));
        filters.extend(SEARCHES.iter().map(|q| (Some(*q), Some("桑镇"))));
        for (q, town) in filters {
            let mut query = String::new();
            if let Some(q) = q {
                query.push_str(&format!("&q={}", support::encode(q)));
            }
            if let Some(town) = town {
                query.push_str(&format!("&town={}", support::encode(town)));
            }
            let expected = brute_force(app, &assets, day, q, town);
            for limit in [1, 2, 100] {
                assert_eq!(
                    listed(app, day, &query, limit),
                    expected,
                    "as of {day}, {query}, {limit} a page"
                );
            }
            if q.is_some() {
                let filter = AssetFilter {
                    q: q.map(ToOwned::to_owned),
                    town: town.map(ToOwned::to_owned),
                    ..AssetFilter::default()
                };
                assert_eq!(
                    walked(app, day, &filter),
                    expected,
                    "as of {day}, {query}, walking the code order"
                );
            }
            searched += usize::from(!expected.is_empty());
        }
    }
    assert!(searched > 100, "the lists are not all empty: {searched}");
    // The searches reach owners' names of the past and miss the corrected one.
    let past = |day: &str, q: &str| listed(app, day, &format!("&q={}", support::encode(q)), 100);
    assert_eq!(
        past("2020-07-01", "王建国"),
        [("A2".to_owned(), "王建国".to_owned())]
    );
    assert!(past("2023-06-01", "王建国").is_empty());
    assert!(past("2022-03-01", "王寨村").is_empty());
    assert_eq!(
        past("2022-03-01", "张三"),
        [("A3".to_owned(), "张三".to_owned())]
    );
    let verified = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verified.body["ok"], true, "{}", verified.body);
}

fn the_names_held_are_those_the_entries_give(app: &TestApp) {
    use asset_registry::db::schema::{asset_search_names, assets, search_names};
    history(app);
    let mut conn = app.db.conn().expect("connection");
    let mut held: Vec<(String, String)> = asset_search_names::table
        .inner_join(assets::table.on(assets::id.eq(asset_search_names::asset_id)))
        .select((assets::code, asset_search_names::name))
        .load(&mut *conn)
        .expect("held names");
    held.sort();
    let expected: Vec<(String, String)> = [
        ("A1", "东村村委会"),
        ("A1", "东村股份经济合作社"),
        ("A1", "供水站"),
        ("A1", "王寨村村民委员会"),
        ("A2", "李秀英"),
        ("A2", "王建国"),
        ("A2", "肉牛"),
        ("A3", "光伏电站"),
        ("A3", "南村村委会"),
        ("A3", "张三"),
        ("A4", "东村股份经济合作社"),
        ("A4", "王家大棚"),
        ("A5", "东村股份经济合作社"),
        ("A5", "冷库"),
    ]
    .iter()
    .map(|(c, n)| ((*c).to_owned(), (*n).to_owned()))
    .collect();
    assert_eq!(held, expected);
    let mut names: Vec<String> = search_names::table
        .select(search_names::name)
        .load(&mut *conn)
        .expect("names");
    names.sort();
    let mut distinct: Vec<String> = expected.iter().map(|(_, n)| n.clone()).collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(names, distinct);
}

/// Verification fails, and its problem mentions `text`.
fn assert_verify_fails_naming(app: &TestApp, text: &str) {
    let verified = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verified.body["ok"], false, "{}", verified.body);
    assert!(
        verified.body["problem"]
            .as_str()
            .is_some_and(|p| p.contains(text)),
        "{}",
        verified.body
    );
}

fn verify_names_an_asset_whose_held_names_were_tampered_with(app: &TestApp) {
    use asset_registry::db::schema::{asset_search_names, assets, search_names};
    history(app);
    let id_of = |code: &str| -> String {
        let mut conn = app.db.conn().expect("connection");
        assets::table
            .filter(assets::code.eq(code))
            .select(assets::id)
            .first(&mut *conn)
            .expect("asset")
    };
    let a2 = id_of("A2");
    let taken = diesel::delete(
        asset_search_names::table
            .filter(asset_search_names::asset_id.eq(&a2))
            .filter(asset_search_names::name.eq("王建国")),
    );
    let mut conn = app.db.conn().expect("connection");
    assert_eq!(taken.execute(&mut *conn).expect("delete"), 1);
    drop(conn);
    let verified = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verified.body["ok"], false, "{}", verified.body);
    assert_eq!(verified.body["first_bad_asset"], "A2", "{}", verified.body);

    // Put back, and a name held for no asset instead.
    let mut conn = app.db.conn().expect("connection");
    diesel::insert_into(asset_search_names::table)
        .values((
            asset_search_names::asset_id.eq(&a2),
            asset_search_names::name.eq("王建国"),
        ))
        .execute(&mut *conn)
        .expect("insert");
    diesel::insert_into(asset_search_names::table)
        .values((
            asset_search_names::asset_id.eq("no-such-asset"),
            asset_search_names::name.eq("王建国"),
        ))
        .execute(&mut *conn)
        .expect("insert");
    drop(conn);
    assert_verify_fails_naming(app, "资产检索名称");

    // And a distinct name missing.
    let mut conn = app.db.conn().expect("connection");
    diesel::delete(
        asset_search_names::table.filter(asset_search_names::asset_id.eq("no-such-asset")),
    )
    .execute(&mut *conn)
    .expect("delete");
    diesel::delete(search_names::table.filter(search_names::name.eq("张三")))
        .execute(&mut *conn)
        .expect("delete");
    drop(conn);
    assert_verify_fails_naming(app, "张三");
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "lists_as_of_equal_a_brute_force_fold",
            lists_as_of_equal_a_brute_force_fold,
        ),
        (
            "the_names_held_are_those_the_entries_give",
            the_names_held_are_those_the_entries_give,
        ),
        (
            "verify_names_an_asset_whose_held_names_were_tampered_with",
            verify_names_an_asset_whose_held_names_were_tampered_with,
        ),
    ];
    support::run(scenarios)
}
