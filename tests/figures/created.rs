//! The figures of the projects an import creates, summed from its rows as they are
//! written (`register::created`): a file of many projects — funds split by channel and
//! not, projects that formed no asset, projects whose rows lie apart in the file with
//! their later rows dated earlier, assets without 确权日期, projects whose assets' value
//! differs from their funds — keeps every maintained figure and finding equal to its
//! recomputation, and so do an import that adds to a few earlier projects and creates
//! more, and one that adds to most earlier projects (which recomputes the figures).

use rocket::http::Status;

use asset_registry::register::created::GROUPS_HELD;

use super::support::TestApp;

const HEADER: &str = "project_code,project_name,project_year,town,village,project_funds_yuan,department,funds_central_yuan,funds_local_yuan,asset_code,asset_name,asset_class,asset_value_yuan,owner,owner_type,owner_id_number,custodian,confirmed_on\n";

/// A project row with no asset.
fn bare(code: &str, year: i32, town: &str, funds: i64) -> String {
    format!("{code},项目{code},{year},{town},,{funds},,,,,,,,,,,,\n")
}

/// The town of project `p`: one of four.
fn town(p: usize) -> &'static str {
    ["桑镇", "赵村镇", "东镇", "西镇"][p % 4]
}

/// The village of project `p`: none for one in five, else one of three, or, when
/// `spread`, one of its own.
fn village(p: usize, spread: bool) -> String {
    match (spread, p % 5) {
        (true, _) => format!("{p}村"),
        (false, 0) => String::new(),
        (false, _) => format!("{}村", p % 3),
    }
}

/// The rows of `projects` projects numbered from `from`: rows of a project lie apart
/// (its last asset at the end of the file, dated before the others), some projects
/// formed no asset, some split their funds, some have assets worth more than their
/// funds. When `spread`, each project lies in a village of its own, so that every
/// project that formed assets makes groups of its own.
fn register(from: usize, projects: usize, spread: bool) -> String {
    let mut head = String::from(HEADER);
    let mut tail = String::new();
    let departments = ["农业农村局", "水利局", ""];
    let classes = ["operating", "public_welfare", "household"];
    for p in from..from + projects {
        let (town, village) = (town(p), village(p, spread));
        let year = 2016 + (p % 6) as i32;
        let department = departments[p % departments.len()];
        let assets = p % 4;
        if assets == 0 {
            head.push_str(&bare(&format!("C{p}"), year, town, 1000 + p as i64));
            continue;
        }
        let values: Vec<i64> = (0..assets)
            .map(|i| 100 + (p * 7 + i * 13) as i64 % 900)
            .collect();
        let funds: i64 = values.iter().sum::<i64>() + i64::from(p % 7 == 0);
        let (central, local) = if p % 3 == 0 {
            ((funds - funds / 3).to_string(), (funds / 3).to_string())
        } else {
            (String::new(), String::new())
        };
        for (i, value) in values.iter().enumerate() {
            let class = classes[(p + i) % classes.len()];
            let (owner, owner_type, id) = if class == "household" {
                ("张三", "household", "11010519491231002X")
            } else {
                ("村民委员会", "village_collective", "")
            };
            let confirmed = match (i, p % 5) {
                (_, 4) => String::new(),
                (i, _) if i + 1 == assets && assets > 1 => format!("{}-01-{:02}", year, 1 + p % 28),
                (i, _) => format!("{}-{:02}-15", year + 1, 1 + (i + p) % 12),
            };
            let row = format!(
                "C{p},项目C{p},{year},{town},{village},{funds},{department},{central},{local},A{p}-{i},资产,{class},{value},{owner},{owner_type},{id},管护人,{confirmed}\n"
            );
            if i + 1 == assets && assets > 1 {
                tail.push_str(&row);
            } else {
                head.push_str(&row);
            }
        }
    }
    head + &tail
}

/// One more asset for each of the projects `from..to` that formed some (in villages of
/// their own when `spread`).
fn additions(from: usize, to: usize, spread: bool) -> String {
    let mut file = String::from(HEADER);
    for p in (from..to).filter(|p| p % 4 != 0) {
        let (town, village) = (town(p), village(p, spread));
        let year = 2016 + (p % 6) as i32;
        let department = ["农业农村局", "水利局", ""][p % 3];
        let assets = p % 4;
        let values: i64 = (0..assets)
            .map(|i| 100 + (p * 7 + i * 13) as i64 % 900)
            .sum();
        let funds = values + i64::from(p % 7 == 0);
        let (central, local) = if p % 3 == 0 {
            ((funds - funds / 3).to_string(), (funds / 3).to_string())
        } else {
            (String::new(), String::new())
        };
        file.push_str(&format!(
            "C{p},项目C{p},{year},{town},{village},{funds},{department},{central},{local},B{p},新增资产,public_welfare,50,村民委员会,village_collective,,管护人,2024-05-0{}\n",
            1 + p % 9
        ));
    }
    file
}

fn assert_verified(app: &TestApp, after: &str) {
    app.assert_summary_consistent();
    let verify = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verify.body["ok"], true, "after {after}: {}", verify.body);
}

pub(crate) fn an_import_of_many_projects_keeps_every_figure(app: &TestApp) {
    let first = app.import(register(0, 400, false).as_bytes(), false);
    assert_eq!(first.status, Status::Created, "{}", first.body);
    assert_eq!(first.body["projects_created"], 400, "{}", first.body);
    assert_verified(app, "an import of many projects into an empty register");

    // A few earlier projects gain an asset, more projects are created.
    let few = additions(0, 12, false);
    let more = register(400, 60, false);
    let second = format!("{few}{}", &more[HEADER.len()..]);
    let second = app.import(second.as_bytes(), false);
    assert_eq!(second.status, Status::Created, "{}", second.body);
    assert_eq!(second.body["projects_created"], 60, "{}", second.body);
    assert_verified(
        app,
        "an import adding to a few earlier projects and creating more",
    );

    // Most earlier projects gain an asset: the figures are recomputed whole.
    let most = app.import(additions(12, 460, false).as_bytes(), false);
    assert_eq!(most.status, Status::Created, "{}", most.body);
    assert_verified(app, "an import adding to most earlier projects");
}

/// Projects enough to make more groups than an import holds sums for: 8,000 projects in
/// villages of their own make about 27,000 `group_figures` rows.
const SPREAD: usize = 8000;

/// An import whose projects make more groups than it holds sums for has the database sum
/// their figures: into an empty register, and into one where the same import also adds
/// to earlier projects (whose assets of the batch must count once, as theirs).
pub(crate) fn an_import_of_more_groups_than_held_keeps_every_figure(app: &TestApp) {
    let first = app.import(register(0, SPREAD, true).as_bytes(), false);
    assert_eq!(first.status, Status::Created, "{}", first.body);
    let rows = app.count_rows("group_figures");
    assert!(rows > GROUPS_HELD as i64, "{rows} group rows");
    assert_verified(
        app,
        "an import of more groups than held, into an empty register",
    );

    let few = additions(0, 40, true);
    let more = register(SPREAD, SPREAD, true);
    let second = format!("{few}{}", &more[HEADER.len()..]);
    let second = app.import(second.as_bytes(), false);
    assert_eq!(second.status, Status::Created, "{}", second.body);
    assert_eq!(second.body["projects_created"], SPREAD, "{}", second.body);
    assert_verified(
        app,
        "an import of more groups than held, adding to a few earlier projects",
    );
}
