//! The name search `q` (issue #18): the asset list (API pages, lists of a scope, their
//! count and sum) and the list as of a date find exactly the assets a brute-force
//! substring test over every asset finds under the one rule of letter case (ASCII
//! letters in either case, every other character exactly, on both engines) — texts in
//! asset names, in owners' names, in none, with `LIKE`'s wildcards and escape, shorter
//! than a trigram, in mixed-case ASCII, full-width and Greek letters that are not
//! folded — after an import, owner transfers and a corrected transfer, and a second
//! import; `q=led` and `q=LED` find “LED路灯” in the asset, as-of and project lists, the
//! web's and the export, and PostgreSQL's trigram index still serves the search. On SQLite the trigram tables stay in step with the names (FTS5's own
//! integrity check), and verification names a table that was changed behind them.
//! On SQLite and PostgreSQL.

mod support;

use asset_registry::db::schema::assets;
use asset_registry::db::Backend;
use asset_registry::domain::{BusinessDate, Scope};
use asset_registry::ledger::as_of::assets_as_of_searching;
use asset_registry::register::query::{list_assets, tally_assets, AssetFilter};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use rocket::http::Status;
use serde_json::{json, Value};
use support::{Scenario, TestApp};

const FIRST: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),行业主管部门,资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,管护主体,确权日期,确权证书编号
P1,供水,2019,桑镇,东村,1000,水利局,A1,供水站,公益性,900,东村村委会,村集体,东村,2019-03-01,C1
P2,到户牛,2020,桑镇,西村,100,农业农村局,A2,肉牛,到户类,100,王建国,农户,王建国,2020-05-01,C2
P3,光伏,2021,阜寨镇,南村,5000,发改局,A3,光伏电站,经营性,3000,南村村委会,村集体,南村,2021-07-01,C3
P4,泵站,2018,桑镇,东村,2000,水利局,A4,100%覆盖Pump站,经营性,400,东村股份经济合作社,村集体,东村,2018-01-01,C4
P4,泵站,2018,桑镇,东村,2000,水利局,A5,a_b泵站,经营性,500,东村股份经济合作社,村集体,东村,,
P4,泵站,2018,桑镇,东村,2000,水利局,A6,axb泵站,经营性,600,Wang Jianguo合作社,村集体,东村,,
P5,路灯,2019,阜寨镇,北村,800,住建局,A7,路\\灯 LED,公益性,700,北村村委会,村集体,北村,,
P5,路灯,2019,阜寨镇,北村,800,住建局,A8,\"\"\"引号\"\"大棚\",公益性,100,北村村委会,村集体,北村,,
";

const SECOND: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),行业主管部门,资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,管护主体,确权日期,确权证书编号
P6,光伏二期,2022,桑镇,西村,900,发改局,B1,光伏电站二期,经营性,900,西村村委会,村集体,西村,2022-03-01,C6
P6,光伏二期,2022,桑镇,西村,900,发改局,B2,LED路灯,公益性,0,王建国,农户,王建国,,
P6,光伏二期,2022,桑镇,西村,900,发改局,B3,ＬＥＤ屏ΑΒΓ型,公益性,0,西村村委会,村集体,西村,,
";

/// The texts searched for: in asset names, in owners' names (now, before, never), in
/// none; wildcards and the escape taken as text; shorter than a trigram; mixed case.
const TEXTS: [&str; 29] = [
    "LED",
    "ｌｅｄ",
    "ＬＥＤ屏",
    "αβγ",
    "ΑΒΓ型",
    "光伏电站",
    "光伏",
    "站",
    "王建国",
    "李秀英",
    "王寨村村民委员会",
    "村委会",
    "股份经济",
    "不存在的名称",
    "100%",
    "%",
    "%覆盖",
    "a_b",
    "_b泵",
    "_",
    "\\",
    "路\\灯",
    "\"引号\"",
    "pump",
    "PUMP站",
    "wang jian",
    "JIANGUO合作",
    "led",
    "Led路",
];

const TOWN: &str = "桑镇";

fn append(app: &TestApp, asset: &str, entry: Value) -> i64 {
    app.append_as_clerk(asset, entry)
}

fn transfer(app: &TestApp, asset: &str, on: &str, name: &str) -> i64 {
    let owner = json!({"name": name, "type": "village_collective", "id_number": null});
    append(
        app,
        asset,
        json!({"kind": "ownership_transferred", "occurred_on": on, "owner": owner, "document_no": format!("转{on}")}),
    )
}

fn import(app: &TestApp, csv: &str) {
    let reply = app.import(csv.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
}

/// Whether `name` holds `text` under the name search's one rule, on either engine:
/// ASCII letters in either case, every other character exactly.
fn holds(name: &str, text: &str) -> bool {
    name.to_ascii_lowercase()
        .contains(&text.to_ascii_lowercase())
}

/// Every asset as `(code, name, owner's name, town, value in fen)`, in code order.
fn every_asset(app: &TestApp) -> Vec<(String, String, String, String, i64)> {
    let mut conn = app.db.conn().expect("connection");
    assets::table
        .order(assets::code)
        .select((
            assets::code,
            assets::name,
            assets::owner_name,
            assets::town,
            assets::value_fen,
        ))
        .load(&mut *conn)
        .expect("assets")
}

/// The codes the API lists with `query`, read `limit` at a time.
fn listed(app: &TestApp, query: &str, limit: usize) -> Vec<String> {
    let mut found = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/assets?limit={limit}{query}");
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let reply = app.get(&path, Some(&app.auditor));
        assert_eq!(reply.status, Status::Ok, "{path}: {}", reply.body);
        let items = reply.body["items"].as_array().cloned().unwrap_or_default();
        found.extend(
            items
                .iter()
                .map(|a| a["code"].as_str().unwrap_or_default().to_owned()),
        );
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return found,
        }
    }
}

/// The codes `list_assets` gives in `scope` with `filter`, two at a time.
fn paged(app: &TestApp, scope: &Scope, filter: &AssetFilter) -> Vec<String> {
    let mut conn = app.db.conn().expect("connection");
    let mut found: Vec<String> = Vec::new();
    loop {
        let after = found.last().cloned();
        let page = list_assets(&mut conn, scope, filter, true, after.as_deref(), 2).expect("list");
        let done = page.len() < 2;
        found.extend(page.into_iter().map(|a| a.code));
        if done {
            return found;
        }
    }
}

/// The codes listed as of today with `filter`, read by id (`by_id` large) or walking
/// the code order (`by_id` 0), two at a time.
fn as_of_today(app: &TestApp, filter: &AssetFilter, by_id: usize) -> Vec<String> {
    let mut conn = app.db.conn().expect("connection");
    let today = asset_registry::domain::dates::today_in_china()
        .format("%Y-%m-%d")
        .to_string();
    let day = BusinessDate::parse_iso(&today).expect("day");
    let mut found = Vec::new();
    let mut after = None;
    loop {
        let page =
            assets_as_of_searching(&mut conn, &Scope::County, filter, day, (after, 2), by_id)
                .expect("as of");
        found.extend(page.items.into_iter().map(|(row, _)| row.code));
        match page.next_after {
            Some(next) => after = Some(next),
            None => return found,
        }
    }
}

/// Every search, every way it is read, equals the brute force over the assets now.
/// Returns how many (text, town) searches found something.
fn assert_searches_equal_brute_force(app: &TestApp, when: &str) -> usize {
    let assets = every_asset(app);
    let mut found_some = 0;
    for text in TEXTS {
        for town in [None, Some(TOWN)] {
            let expected: Vec<&(String, String, String, String, i64)> = assets
                .iter()
                .filter(|(_, name, owner, t, _)| {
                    (holds(name, text) || holds(owner, text)) && town.is_none_or(|town| t == town)
                })
                .collect();
            let codes: Vec<String> = expected.iter().map(|a| a.0.clone()).collect();
            let filter = AssetFilter {
                q: Some(text.to_owned()),
                town: town.map(ToOwned::to_owned),
                ..AssetFilter::default()
            };
            let context = format!("{when}: q={text:?}, town {town:?}");
            let mut query = format!("&q={}", support::encode(text));
            if let Some(town) = town {
                query.push_str(&format!("&town={}", support::encode(town)));
            }
            for limit in [1, 100] {
                assert_eq!(
                    listed(app, &query, limit),
                    codes,
                    "{context}, API by {limit}"
                );
            }
            assert_eq!(paged(app, &Scope::County, &filter), codes, "{context}");
            let in_town: Vec<String> = expected
                .iter()
                .filter(|a| a.3 == TOWN)
                .map(|a| a.0.clone())
                .collect();
            let town_scope = Scope::Town(TOWN.to_owned());
            assert_eq!(
                paged(app, &town_scope, &filter),
                in_town,
                "{context}, town scope"
            );
            let mut conn = app.db.conn().expect("connection");
            let tally = tally_assets(&mut conn, &Scope::County, &filter).expect("tally");
            drop(conn);
            assert_eq!(
                (tally.assets, tally.value.fen()),
                (
                    i64::try_from(expected.len()).expect("count"),
                    expected.iter().map(|a| a.4).sum::<i64>()
                ),
                "{context}, count and sum"
            );
            // As of a date the fold decides, by the same rule.
            let then = codes.clone();
            for by_id in [10_000, 0] {
                assert_eq!(
                    as_of_today(app, &filter, by_id),
                    then,
                    "{context}, as of today, {by_id} by id"
                );
            }
            found_some += usize::from(!codes.is_empty());
        }
    }
    found_some
}

/// On SQLite, FTS5's integrity check of both trigram tables against the names they
/// index passes.
fn assert_trigrams_in_step(app: &TestApp) {
    if app.backend != Backend::Sqlite {
        return;
    }
    let mut conn = app.db.conn().expect("connection");
    conn.batch_execute(
        "INSERT INTO asset_name_trigrams (asset_name_trigrams, rank) VALUES ('integrity-check', 1); \
         INSERT INTO search_name_trigrams (search_name_trigrams, rank) VALUES ('integrity-check', 1);",
    )
    .expect("the trigram tables agree with the names");
}

fn searches_equal_a_brute_force_filter(app: &TestApp) {
    import(app, FIRST);
    assert_trigrams_in_step(app);
    let first = assert_searches_equal_brute_force(app, "after the import");

    transfer(app, "A2", "2021-01-01", "李秀英");
    transfer(app, "A1", "2020-06-01", "东村股份经济合作社");
    let wrong = transfer(app, "A1", "2022-01-01", "王寨村村民委员会");
    let searched = |text: &str| listed(app, &format!("&q={}", support::encode(text)), 100);
    assert_eq!(searched("王寨村"), ["A1"]);
    append(
        app,
        "A1",
        json!({"kind": "correction", "occurred_on": "2022-02-01", "corrects": wrong, "reason": "录错"}),
    );
    transfer(app, "A6", "2022-03-01", "WANG jianguo 联社");
    assert_trigrams_in_step(app);
    let moved = assert_searches_equal_brute_force(app, "after transfers and a correction");

    import(app, SECOND);
    assert_trigrams_in_step(app);
    let second = assert_searches_equal_brute_force(app, "after a second import");

    // The searches are worth comparing: most find something, and the owners' changes
    // moved what they find.
    assert!(
        first > 20 && moved > 20 && second > 20,
        "{first} {moved} {second}"
    );
    assert!(searched("王寨村").is_empty());
    assert_eq!(searched("李秀英"), ["A2"]);
    assert_eq!(searched("王建国"), ["B2"]);
    assert!(searched("不存在的名称").is_empty());
    let verified = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verified.body["ok"], true, "{}", verified.body);
}

/// On SQLite, an asset's names taken out of the trigram table behind the triggers:
/// the search no longer finds it, and verification says which index disagrees; rebuilt,
/// both are right again. (PostgreSQL's trigram indexes are the engine's own.)
fn verify_names_a_trigram_table_out_of_step(app: &TestApp) {
    import(app, FIRST);
    if app.backend != Backend::Sqlite {
        let verified = app.get("/api/v1/ledger/verify", Some(&app.auditor));
        assert_eq!(verified.body["ok"], true, "{}", verified.body);
        return;
    }
    let tamper = |sql: &str| {
        let mut conn = app.db.conn().expect("connection");
        conn.batch_execute(sql).expect("tamper");
    };
    tamper(
        "INSERT INTO asset_name_trigrams (asset_name_trigrams, rowid, name, owner_name) \
         SELECT 'delete', rowid, name, owner_name FROM assets WHERE code = 'A2'",
    );
    let searched = |text: &str| listed(app, &format!("&q={}", support::encode(text)), 100);
    assert!(searched("王建国").is_empty());
    let verified = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verified.body["ok"], false, "{}", verified.body);
    assert_eq!(
        verified.body["problem"],
        "资产名称和所有权人名称的检索索引与资产表不一致（有名称未被索引，或索引了已不存在的名称），按名称查找会有遗漏",
        "{}",
        verified.body
    );
    tamper("INSERT INTO asset_name_trigrams (asset_name_trigrams) VALUES ('rebuild')");
    assert_eq!(searched("王建国"), ["A2"]);

    tamper(
        "INSERT INTO search_name_trigrams (search_name_trigrams, rowid, name) \
         SELECT 'delete', rowid, name FROM search_names WHERE name = '王建国'",
    );
    let verified = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verified.body["ok"], false, "{}", verified.body);
    assert!(
        verified.body["problem"]
            .as_str()
            .is_some_and(|p| p.starts_with("历次检索名称的检索索引与检索名称表不一致")),
        "{}",
        verified.body
    );
    tamper("INSERT INTO search_name_trigrams (search_name_trigrams) VALUES ('rebuild')");
    let verified = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verified.body["ok"], true, "{}", verified.body);
}

/// A bulk load (indexed in one statement per table, its insert triggers set aside): a
/// rejected one leaves the triggers as they were, an accepted one leaves the trigram
/// tables in step, and searches read by id and walking equal the brute force.
fn a_bulk_import_indexes_every_name(app: &TestApp) {
    use asset_registry::import::bulk;
    let header = FIRST.lines().next().expect("header");
    let mut csv = format!("{header}\n");
    let mut count = 0;
    while !bulk::is_bulk(csv.len() as u64, 0) {
        let owner = ["Wang Jianguo", "东村村委会", "王建国合作社"][count % 3];
        csv.push_str(&format!(
            "P{count},泵站,2018,桑镇,东村,1,水利局,P{count}-0,泵站{count},经营性,1,{owner}{k},村集体,东村,,\n",
            k = count % 7,
        ));
        count += 1;
    }
    let triggers = |app: &TestApp| -> i64 {
        let mut conn = app.db.conn().expect("connection");
        match app.backend {
            Backend::Sqlite => diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '%trigrams%'",
            )
            .get_result(&mut *conn)
            .expect("triggers"),
            Backend::Postgres => 0,
        }
    };
    let before = triggers(app);
    let reply = app.import(
        format!(
            "{csv}PX,泵站,2018,桑镇,东村,1,水利局,PX-1,坏行,经营性,-1,东村村委会,村集体,东村,,\n"
        )
        .as_bytes(),
        false,
    );
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    assert_eq!(triggers(app), before);
    import(app, &csv);
    assert_eq!(triggers(app), before);
    assert_trigrams_in_step(app);
    transfer(app, "P7-0", "2022-03-01", "WANG jianguo 联社");
    assert_trigrams_in_step(app);
    let assets = every_asset(app);
    assert_eq!(assets.len(), count);
    for text in [
        "泵站1234",
        "站777",
        "不存在的名称",
        "JIANGUO4",
        "jianguo 联",
        "泵站1",
        "合作社6",
    ] {
        let expected: Vec<String> = assets
            .iter()
            .filter(|(_, name, owner, _, _)| holds(name, text) || holds(owner, text))
            .map(|a| a.0.clone())
            .collect();
        let filter = AssetFilter {
            q: Some(text.to_owned()),
            ..AssetFilter::default()
        };
        let mut conn = app.db.conn().expect("connection");
        let tally = tally_assets(&mut conn, &Scope::County, &filter).expect("tally");
        drop(conn);
        assert_eq!(
            tally.assets,
            i64::try_from(expected.len()).expect("count"),
            "{text}"
        );
        if expected.len() < 200 {
            assert_eq!(paged(app, &Scope::County, &filter), expected, "{text}");
            let then: Vec<String> = expected
                .iter()
                .filter(|code| {
                    let asset = assets.iter().find(|a| &a.0 == *code).expect("asset");
                    holds(&asset.1, text) || holds(&asset.2, text)
                })
                .cloned()
                .collect();
            assert_eq!(
                as_of_today(app, &filter, 10_000),
                then,
                "{text}, as of today"
            );
        }
    }
}

const LAMPS: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),行业主管部门,资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,管护主体,确权日期,确权证书编号
P1,LED路灯改造,2019,桑镇,东村,1000,住建局,A1,LED路灯,公益性,900,东村村委会,村集体,东村,2019-03-01,C1
P2,ＬＥＤ显示屏,2019,桑镇,东村,500,住建局,A2,ＬＥＤ显示屏,公益性,500,东村村委会,村集体,东村,2019-03-01,C2
P3,太阳能路灯,2019,桑镇,西村,300,住建局,A3,太阳能路灯,公益性,300,西村村委会,村集体,西村,2019-03-01,C3
";

/// The codes a list of the API gives at `path`.
fn codes_at(app: &TestApp, path: &str) -> Vec<String> {
    let reply = app.get(path, Some(&app.auditor));
    assert_eq!(reply.status, Status::Ok, "{path}: {}", reply.body);
    reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn led_is_found_in_every_list_whatever_its_case(app: &TestApp) {
    import(app, LAMPS);
    let today = asset_registry::domain::dates::today_in_china()
        .format("%Y-%m-%d")
        .to_string();
    let web = app.signed_in(&app.auditor);
    for q in ["led", "LED", "Led路"] {
        let q = support::encode(q);
        assert_eq!(
            codes_at(app, &format!("/api/v1/assets?q={q}")),
            ["A1"],
            "{q}"
        );
        assert_eq!(
            codes_at(app, &format!("/api/v1/assets?q={q}&as_of={today}")),
            ["A1"],
            "{q} as of today"
        );
        assert_eq!(
            codes_at(app, &format!("/api/v1/projects?q={q}")),
            ["P1"],
            "{q}"
        );
        let page = web
            .get(format!("/assets?q={q}"))
            .dispatch()
            .into_string()
            .unwrap();
        assert!(
            page.contains("LED路灯") && !page.contains("太阳能路灯"),
            "{page}"
        );
        assert!(!page.contains("ＬＥＤ显示屏"), "{page}");
        let page = web
            .get(format!("/projects?q={q}"))
            .dispatch()
            .into_string()
            .unwrap();
        assert!(
            page.contains("LED路灯改造") && !page.contains("太阳能路灯"),
            "{page}"
        );
        let csv = app.get(&format!("/api/v1/assets.csv?q={q}"), Some(&app.auditor));
        let csv = csv.body.as_str().expect("csv").to_owned();
        assert!(
            csv.contains("LED路灯") && !csv.contains("太阳能路灯"),
            "{csv}"
        );
        assert!(!csv.contains("ＬＥＤ"), "{csv}");
    }
    // Full-width letters are not folded, on either engine (PostgreSQL's ILIKE would).
    let full = support::encode("ｌｅｄ");
    assert!(codes_at(app, &format!("/api/v1/assets?q={full}")).is_empty());
    assert!(codes_at(app, &format!("/api/v1/assets?q={full}&as_of={today}")).is_empty());
    assert!(codes_at(app, &format!("/api/v1/projects?q={full}")).is_empty());
    let exact = support::encode("ＬＥＤ");
    assert_eq!(codes_at(app, &format!("/api/v1/assets?q={exact}")), ["A2"]);
    assert_eq!(
        codes_at(app, &format!("/api/v1/projects?q={exact}")),
        ["P2"]
    );
    // A name without the text is not found.
    let none = support::encode("led灯带");
    assert!(codes_at(app, &format!("/api/v1/assets?q={none}")).is_empty());
    assert!(codes_at(app, &format!("/api/v1/projects?q={none}")).is_empty());
    if app.backend == Backend::Postgres {
        // The condition `db::name_search::holds` writes is served by the trigram index
        // (sequential scans priced out: three rows would be read whole otherwise).
        let mut conn = app.db.conn().expect("connection");
        conn.batch_execute("SET enable_seqscan = off").expect("set");
        #[derive(QueryableByName)]
        struct Plan {
            #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
            line: String,
        }
        let plan: Vec<Plan> = diesel::sql_query(
            "EXPLAIN SELECT id FROM assets WHERE (assets.name ILIKE '%led%' ESCAPE '\\' \
             AND translate(assets.name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') \
             LIKE '%led%' ESCAPE '\\')",
        )
        .load(&mut *conn)
        .expect("explain");
        let plan: Vec<String> = plan.into_iter().map(|p| p.line).collect();
        assert!(
            plan.iter()
                .any(|l| l.contains("Bitmap Index Scan on assets_name_trigrams")),
            "{plan:#?}"
        );
        conn.batch_execute("RESET enable_seqscan").expect("reset");
    }
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "searches_equal_a_brute_force_filter",
            searches_equal_a_brute_force_filter,
        ),
        (
            "verify_names_a_trigram_table_out_of_step",
            verify_names_a_trigram_table_out_of_step,
        ),
        (
            "a_bulk_import_indexes_every_name",
            a_bulk_import_indexes_every_name,
        ),
        (
            "led_is_found_in_every_list_whatever_its_case",
            led_is_found_in_every_list_whatever_its_case,
        ),
    ];
    support::run(scenarios)
}
