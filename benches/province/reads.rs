//! Every read an auditor or another system makes (issue #18), timed on a register the
//! bench imported: totals by every grouping and scope, the first page of findings of
//! every kind and of all kinds, filtered lists, as-of lists, the change feed, a single
//! asset, reconciliations. Each is printed as one line with its ratio to the baseline
//! measured in the same run on the same connection: the health route's query
//! (`SELECT 1` on a pooled connection).

use std::time::{Duration, Instant};

use asset_registry::db::{Db, DbConnection};
use asset_registry::domain::{AssetClass, BusinessDate, MoneyUnit, Scope, Yuan};
use asset_registry::ledger::as_of::assets_as_of;
use asset_registry::ledger::store::entries_after;
use asset_registry::paging::Limit;
use asset_registry::reconcile::declaration::{self, Declaration, DeclaredLine};
use asset_registry::reconcile::findings::{self, FindingKind};
use asset_registry::reconcile::report::reconcile;
use asset_registry::register::query::{find_asset_with_head, list_assets, AssetFilter};
use asset_registry::register::totals::{totals, GroupBy};
use diesel::connection::SimpleConnection;

/// A town, a village of it and a department the generator fills.
const TOWN: &str = "第1镇";
const VILLAGE: &str = "1村";

/// A page, as the API serves it by default.
const PAGE: i64 = 50;

/// The median time of `run`: after a warm-up, five runs, or fewer when one takes long
/// (three above 0.2 s, one above 2 s), so that a slow read does not hold the bench for
/// minutes.
fn timed(conn: &mut DbConnection, run: &mut dyn FnMut(&mut DbConnection)) -> Duration {
    let started = Instant::now();
    run(conn);
    let warm = started.elapsed();
    let count = if warm > Duration::from_secs(2) {
        1
    } else if warm > Duration::from_millis(200) {
        3
    } else {
        5
    };
    let mut samples: Vec<Duration> = (0..count)
        .map(|_| {
            let started = Instant::now();
            run(conn);
            started.elapsed()
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

/// Prints one figure: `read backend=… what=… ms=… ratio=…` (ratio to the baseline).
fn print(backend: &str, what: &str, took: Duration, baseline: Duration) {
    println!(
        "read backend={backend} what={what} ms={:.3} ratio={:.1} baseline_ms={:.4}",
        took.as_secs_f64() * 1000.0,
        took.as_secs_f64() / baseline.as_secs_f64().max(1e-9),
        baseline.as_secs_f64() * 1000.0
    );
}

/// The scopes the reads are made in: the county, one town (of 600), one village (of
/// 7,200) and one department (of 5).
fn scopes(department: &str) -> [(&'static str, Scope); 4] {
    [
        ("county", Scope::County),
        ("town", Scope::Town(TOWN.to_owned())),
        (
            "village",
            Scope::Village {
                town: TOWN.to_owned(),
                village: VILLAGE.to_owned(),
            },
        ),
        ("department", Scope::Department(department.to_owned())),
    ]
}

/// How many entries the ledger of the register at `database` holds.
pub fn entries(database: &str) -> i64 {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Head {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        seq: i64,
    }
    let db = Db::open(database, 1).expect("open");
    let mut conn = db.conn().expect("connection");
    let head: Head = diesel::sql_query("SELECT seq FROM ledger_head")
        .get_result(&mut *conn)
        .expect("ledger head");
    head.seq
}

/// A declaration as of `day` with a line for the total, each class, a town and a year.
fn declaration_as_of(day: &str) -> Declaration {
    let zero = Yuan::parse("0.00", MoneyUnit::Yuan).expect("amount");
    let line = |scope| DeclaredLine {
        scope,
        projects: 0,
        amount: zero,
    };
    let mut lines = vec![line(declaration::Scope::Total)];
    for class in [
        AssetClass::Operating,
        AssetClass::PublicWelfare,
        AssetClass::Household,
    ] {
        lines.push(line(declaration::Scope::Class(class)));
    }
    lines.push(line(declaration::Scope::Town(TOWN.to_owned())));
    lines.push(line(declaration::Scope::Year(2016)));
    Declaration {
        name: format!("province {day}"),
        as_of: BusinessDate::parse_iso(day).expect("date"),
        lines,
    }
}

/// Times every read on the register at `database` and prints one line per figure.
/// `department` is one the generator gives projects; `asset_code` one it registers;
/// `entries` how many ledger entries the register holds; `earlier` a date before most
/// of the register's history (an as-of list and a reconciliation then fold entries).
pub fn all(
    backend: &str,
    database: &str,
    department: &str,
    asset_code: &str,
    entries: i64,
    earlier: &str,
) {
    let db = Db::open(database, 2).expect("open");
    let mut conn = db.conn().expect("connection");
    let conn = &mut *conn;
    let baseline = timed(conn, &mut |conn| {
        conn.batch_execute("SELECT 1").expect("health query");
    });
    print(backend, "baseline_health_query", baseline, baseline);

    let asset = timed(conn, &mut |conn| {
        let found = find_asset_with_head(conn, &Scope::County, asset_code).expect("asset");
        assert!(found.is_some(), "{asset_code} is registered");
    });
    print(backend, "single_asset", asset, baseline);

    let groupings = [
        ("class", GroupBy::Class),
        ("town", GroupBy::Town),
        ("village", GroupBy::Village),
        ("year", GroupBy::Year),
        ("department", GroupBy::Department),
        ("funding_channel", GroupBy::FundingChannel),
    ];
    for (scope_name, scope) in scopes(department) {
        for (grouping, group_by) in groupings {
            let took = timed(conn, &mut |conn| {
                totals(conn, &scope, group_by).expect("totals");
            });
            print(
                backend,
                &format!("totals.{scope_name}.by_{grouping}"),
                took,
                baseline,
            );
        }
    }

    let first_page = |kind: Option<FindingKind>| {
        move |conn: &mut DbConnection| {
            findings::page(conn, &Scope::County, kind, None, Limit::fixed(50)).expect("findings");
        }
    };
    let took = timed(conn, &mut first_page(None));
    print(backend, "findings.first_page.all_kinds", took, baseline);
    for kind in FindingKind::all() {
        let took = timed(conn, &mut first_page(Some(kind)));
        print(
            backend,
            &format!("findings.first_page.{}", kind.as_str()),
            took,
            baseline,
        );
    }

    let filters: [(&str, AssetFilter); 12] = [
        ("none", AssetFilter::default()),
        (
            "class",
            AssetFilter {
                class: Some(AssetClass::Household),
                ..AssetFilter::default()
            },
        ),
        (
            "town",
            AssetFilter {
                town: Some(TOWN.to_owned()),
                ..AssetFilter::default()
            },
        ),
        (
            "village",
            AssetFilter {
                town: Some(TOWN.to_owned()),
                village: Some(VILLAGE.to_owned()),
                ..AssetFilter::default()
            },
        ),
        (
            "year",
            AssetFilter {
                year: Some(2016),
                ..AssetFilter::default()
            },
        ),
        (
            // No project is of this year: the rarest year there is.
            "year_rare",
            AssetFilter {
                year: Some(2013),
                ..AssetFilter::default()
            },
        ),
        (
            "owner",
            AssetFilter {
                owner: Some("王建国".to_owned()),
                ..AssetFilter::default()
            },
        ),
        (
            // One household's name, in about one asset of a thousand.
            "q",
            AssetFilter {
                q: Some("王建国".to_owned()),
                ..AssetFilter::default()
            },
        ),
        (
            // A fifth of the assets' names: a common text.
            "q_common",
            AssetFilter {
                q: Some("光伏电站".to_owned()),
                ..AssetFilter::default()
            },
        ),
        (
            // In no name: the rarest text there is.
            "q_none",
            AssetFilter {
                q: Some("无此名称".to_owned()),
                ..AssetFilter::default()
            },
        ),
        (
            "department",
            AssetFilter {
                department: Some(department.to_owned()),
                ..AssetFilter::default()
            },
        ),
        (
            // No project is of this department.
            "department_rare",
            AssetFilter {
                department: Some("无此部门".to_owned()),
                ..AssetFilter::default()
            },
        ),
    ];
    for (name, filter) in &filters {
        let took = timed(conn, &mut |conn| {
            list_assets(conn, &Scope::County, filter, true, None, PAGE).expect("list");
        });
        print(backend, &format!("list.filter_{name}"), took, baseline);
    }
    let town = Scope::Town(TOWN.to_owned());
    let took = timed(conn, &mut |conn| {
        list_assets(conn, &town, &AssetFilter::default(), true, None, PAGE).expect("list");
    });
    print(backend, "list.town_scope", took, baseline);
    let in_department = Scope::Department(department.to_owned());
    let took = timed(conn, &mut |conn| {
        list_assets(
            conn,
            &in_department,
            &AssetFilter::default(),
            true,
            None,
            PAGE,
        )
        .expect("list");
    });
    print(backend, "list.department_scope", took, baseline);

    let earlier_day = BusinessDate::parse_iso(earlier).expect("date");
    let today = BusinessDate::parse_iso("2025-12-31").expect("date");
    for (when, day) in [("earlier", earlier_day), ("recent", today)] {
        for (name, filter) in filters
            .iter()
            .filter(|(n, _)| ["none", "town", "q", "q_none"].contains(n))
        {
            let took = timed(conn, &mut |conn| {
                assets_as_of(conn, &Scope::County, filter, day, None, 50).expect("as of");
            });
            print(
                backend,
                &format!("as_of.{when}.filter_{name}"),
                took,
                baseline,
            );
        }
    }

    for (name, after) in [
        ("start", 0),
        ("middle", entries / 2),
        ("end", entries.saturating_sub(PAGE)),
    ] {
        let took = timed(conn, &mut |conn| {
            entries_after(conn, &Scope::County, after, 100).expect("events");
        });
        print(
            backend,
            &format!("events.county.after_{name}"),
            took,
            baseline,
        );
        for (scope_name, scope) in scopes(department).into_iter().skip(1) {
            let took = timed(conn, &mut |conn| {
                entries_after(conn, &scope, after, 100).expect("events");
            });
            print(
                backend,
                &format!("events.{scope_name}.after_{name}"),
                took,
                baseline,
            );
        }
    }

    for (name, day) in [("recent", "2025-12-31"), ("earlier", earlier)] {
        let declaration = declaration_as_of(day);
        let took = timed(conn, &mut |conn| {
            reconcile(conn, None, &declaration).expect("reconcile");
        });
        print(backend, &format!("reconciliation.{name}"), took, baseline);
    }
}
