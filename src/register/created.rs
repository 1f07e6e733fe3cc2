//! What projects created with their assets (an import's new projects) contribute to the
//! maintained figures — `group_figures` (`register::figures`), their rollups
//! (`register::rollups`) and the figures by date (`register::dated`) — summed from the
//! rows as they are written instead of read back from the register.
//!
//! A new project's contribution depends on its own rows alone, and every figure is a sum
//! of contributions, so each row adds its part as it comes: a project its funds (to
//! `all`, `none` and its funding channels), each of its assets its value (to `all`, its
//! class and the channels), the first asset of a class the project to that class, the
//! first asset at all takes the project out of `none`; by date, the project counts from
//! the day of its first asset (of each class), each asset from the day it is registered.
//!
//! The sums by date are keyed by day and year, few. The sums by group are as many as the
//! groups the file's projects fall in: once they pass [`GROUPS_HELD`] keys they are let
//! go, and the database sums the created projects' figures from the rows written, in one
//! statement per table, when the import ends (`figures::add_created`). Memory stays
//! bounded whatever the file's size, and a province-sized load is not added to the kept
//! rows a few hundred keys per statement.

use std::collections::HashMap;

use diesel::QueryResult;

use crate::db::DbConnection;
use crate::domain::{AssetClass, BusinessDate, FundingChannel, Vocabulary};
use crate::register::figures::{self, GroupRow};
use crate::register::rollups::{self, CHANNEL_PREFIX};
use crate::register::summary::{class_index, ClassFigures};
use crate::register::{dated, ProjectRecord};

/// Group keys held; past this many, the database sums the created projects' figures.
pub const GROUPS_HELD: usize = 20_000;

/// A `group_figures` key: class, town, village, year, department.
type GroupKey = (String, String, String, i32, String);

/// What is known of a created project's assets so far: the day of its first asset, and
/// of its first asset of each class (in [`AssetClass::ALL`] order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FirstDays {
    any: Option<BusinessDate>,
    of_class: [Option<BusinessDate>; 3],
}

/// The sums of the figures of the projects created so far, not yet added to the kept
/// rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedFigures {
    /// The sums by group; `None` once more than `held` keys came, when the database
    /// sums them instead.
    groups: Option<HashMap<GroupKey, [i64; 4]>>,
    dated: dated::Sums,
    /// How many keys by group are held before they are let go.
    held: usize,
}

impl Default for CreatedFigures {
    fn default() -> Self {
        CreatedFigures {
            groups: Some(HashMap::new()),
            dated: dated::Sums::new(),
            held: GROUPS_HELD,
        }
    }
}

/// The `group_figures` classes of the funding channels `project` contributes to: those
/// its split names, or `unspecified` when its funds are not split; with its funds from
/// each.
fn channels(project: &ProjectRecord) -> Vec<(String, i64)> {
    let named: Vec<(String, i64)> = FundingChannel::ALL
        .iter()
        .zip(project.funding)
        .filter_map(|(channel, amount)| {
            amount.map(|a| (format!("{CHANNEL_PREFIX}{}", channel.as_str()), a.fen()))
        })
        .collect();
    if named.is_empty() {
        vec![(format!("{CHANNEL_PREFIX}unspecified"), project.funds.fen())]
    } else {
        named
    }
}

/// Adds `change` to `sum`, wrapping: a file whose amounts pass 64 bits is refused once
/// every row is read (`summary`'s checks), and its sums are never kept.
fn add(sum: &mut [i64; 4], change: [i64; 4]) {
    for (s, c) in sum.iter_mut().zip(change) {
        *s = s.wrapping_add(c);
    }
}

impl CreatedFigures {
    fn group(&mut self, class: String, project: &ProjectRecord, change: [i64; 4]) {
        let key = (
            class,
            project.town.clone(),
            project.village.clone().unwrap_or_default(),
            project.year.get(),
            project.department.clone().unwrap_or_default(),
        );
        let Some(groups) = self.groups.as_mut() else {
            return;
        };
        add(groups.entry(key).or_default(), change);
        if groups.len() > self.held {
            self.groups = None;
        }
    }

    /// Counts `change` to the figure by date `figure` of project year `year` from the day
    /// `now` instead of the day `first` (none: not counted yet), when `now` is earlier.
    fn first_day(
        &mut self,
        (figure, year): (&str, i32),
        first: &mut Option<BusinessDate>,
        now: BusinessDate,
        change: [i64; 4],
    ) {
        if first.is_some_and(|day| day <= now) {
            return;
        }
        if let Some(day) = first.replace(now) {
            let key = (figure.to_owned(), day.to_string(), year);
            dated::add_to(&mut self.dated, key, change.map(|c| -c));
        }
        dated::add_to(
            &mut self.dated,
            (figure.to_owned(), now.to_string(), year),
            change,
        );
    }

    /// Counts a project the import creates, before any of its assets.
    pub fn project(&mut self, project: &ProjectRecord) {
        let funds = project.funds.fen();
        self.group("all".to_owned(), project, [1, 0, funds, 0]);
        self.group("none".to_owned(), project, [1, 0, funds, 0]);
        for (class, amount) in channels(project) {
            self.group(class, project, [1, 0, amount, 0]);
        }
    }

    /// Counts an asset the import creates, of `class` and worth `value` fen, for the
    /// project it creates, `project`, of which `first` tells the assets counted before;
    /// the asset is registered on `registered_on`.
    pub fn asset(
        &mut self,
        project: &ProjectRecord,
        first: &mut FirstDays,
        (class, value): (AssetClass, i64),
        registered_on: BusinessDate,
    ) {
        let funds = project.funds.fen();
        let new_class = i64::from(first.of_class[class_index(class)].is_none());
        self.group("all".to_owned(), project, [0, 1, 0, value]);
        for (channel, _) in channels(project) {
            self.group(channel, project, [0, 1, 0, value]);
        }
        let class_change = [new_class, 1, new_class * funds, value];
        self.group(class.as_str().to_owned(), project, class_change);
        if first.any.is_none() {
            self.group("none".to_owned(), project, [-1, 0, -funds, 0]);
        }
        let year = project.year.get();
        self.first_day(
            ("registered", year),
            &mut first.any,
            registered_on,
            [1, 0, funds, 0],
        );
        let of_class = &mut first.of_class[class_index(class)];
        self.first_day((class.as_str(), 0), of_class, registered_on, [1, 0, 0, 0]);
        let key = (class.as_str().to_owned(), registered_on.to_string(), 0);
        dated::add_to(&mut self.dated, key, [0, 1, 0, value]);
    }

    /// Whether the sums by group were let go, to be summed by the database.
    pub fn summed_by_the_database(&self) -> bool {
        self.groups.is_none()
    }

    /// Adds every sum to the kept rows, or has the database sum the figures of the
    /// projects import batch `batch_id` created when the sums by group were let go. The
    /// caller holds the chain lock, after the batch's rows are written.
    ///
    /// Fails when a query fails.
    pub fn apply(&self, conn: &mut DbConnection, batch_id: &str) -> QueryResult<()> {
        match &self.groups {
            Some(groups) => {
                let mut rollups = rollups::Sums::new();
                let rows = group_rows(groups, &mut rollups);
                figures::upsert_rows(conn, &rows, 1)?;
                rollups::upsert(conn, &rollups)?;
            }
            None => figures::add_created(conn, batch_id)?,
        }
        dated::upsert(conn, &self.dated, 1)
    }
}

/// The sums by group `groups` as rows (leaving out those of zeros), added to the sums by
/// rollup `rollups`.
fn group_rows(groups: &HashMap<GroupKey, [i64; 4]>, rollups: &mut rollups::Sums) -> Vec<GroupRow> {
    let mut rows = Vec::with_capacity(groups.len());
    for ((class, town, village, year, department), f) in groups {
        if *f == [0; 4] {
            continue;
        }
        let row = GroupRow {
            class: class.clone(),
            town: town.clone(),
            village: village.clone(),
            year: *year,
            department: department.clone(),
            figures: ClassFigures {
                projects: f[0],
                assets: f[1],
                funds_fen: f[2],
                value_fen: f[3],
            },
        };
        rollups::add_group(rollups, &row, 1);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ProjectCode, Year, Yuan};

    fn project(code: &str, town: &str, funds: i64, split: bool) -> ProjectRecord {
        let mut funding = [None; 7];
        if split {
            funding[0] = Yuan::from_fen(funds - funds / 3);
            funding[2] = Yuan::from_fen(funds / 3);
        }
        ProjectRecord {
            code: ProjectCode::parse(code).expect("code"),
            name: "项目".to_owned(),
            year: Year::new(2020).expect("year"),
            town: town.to_owned(),
            village: None,
            funds: Yuan::from_fen(funds).expect("funds"),
            funding_source: None,
            department: Some("农业农村局".to_owned()),
            funding,
        }
    }

    fn day(text: &str) -> BusinessDate {
        BusinessDate::parse_iso(text).expect("date")
    }

    /// Counts `projects` projects, of one to three assets each, in `figures`.
    fn count(figures: &mut CreatedFigures, projects: usize) {
        let towns = ["桑镇", "赵村镇", "东镇"];
        for i in 0..projects {
            let p = project(&format!("P{i}"), towns[i % 3], 1000 + i as i64, i % 2 == 0);
            let mut first = FirstDays::default();
            figures.project(&p);
            for (n, class) in AssetClass::ALL.iter().cycle().take(i % 4).enumerate() {
                let on = day(["2021-03-01", "2020-01-05", "2021-03-01", "2019-12-31"][n]);
                figures.asset(&p, &mut first, (*class, 10 * n as i64), on);
            }
        }
    }

    #[test]
    fn sums_by_group_are_let_go_past_the_keys_held_and_sums_by_date_are_kept() {
        let mut whole = CreatedFigures::default();
        count(&mut whole, 30);
        let groups = whole.groups.as_ref().expect("held");
        let none: i64 = group_rows(groups, &mut rollups::Sums::new())
            .iter()
            .filter(|r| r.class == "none")
            .map(|r| r.figures.projects)
            .sum();
        assert_eq!(none, 8, "{groups:?}");
        assert!(!whole.summed_by_the_database());

        let mut let_go = CreatedFigures {
            held: groups.len() - 1,
            ..CreatedFigures::default()
        };
        count(&mut let_go, 30);
        assert!(let_go.summed_by_the_database());
        assert_eq!(let_go.dated, whole.dated);

        let mut just_held = CreatedFigures {
            held: groups.len(),
            ..CreatedFigures::default()
        };
        count(&mut just_held, 30);
        assert_eq!(just_held.groups, whole.groups);
        assert_eq!(just_held.dated, whole.dated);
    }

    #[test]
    fn a_project_counts_by_date_from_its_earliest_asset() {
        let mut figures = CreatedFigures::default();
        let p = project("P1", "桑镇", 500, false);
        let mut first = FirstDays::default();
        figures.project(&p);
        let operating = AssetClass::ALL[0];
        figures.asset(&p, &mut first, (operating, 300), day("2021-06-01"));
        figures.asset(&p, &mut first, (operating, 200), day("2020-06-01"));
        let nonzero: Vec<(&dated::Key, &[i64; 4])> = figures
            .dated
            .iter()
            .filter(|(_, f)| **f != [0; 4])
            .collect();
        let key = |figure: &str, on: &str, year: i32| (figure.to_owned(), on.to_owned(), year);
        assert_eq!(
            nonzero,
            vec![
                (&key(operating.as_str(), "2020-06-01", 0), &[1, 1, 0, 200]),
                (&key(operating.as_str(), "2021-06-01", 0), &[0, 1, 0, 300]),
                (&key("registered", "2020-06-01", 2020), &[1, 0, 500, 0]),
            ]
        );
    }
}
