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
//! The sums by group and by rollup are handed out to be added to the kept rows whenever
//! they hold more than [`GROUPS_HELD`] or [`ROLLUPS_HELD`] keys, so that memory stays
//! bounded whatever the file's size; the sums by date are keyed by day and year, few.

use std::collections::HashMap;

use diesel::QueryResult;

use crate::db::DbConnection;
use crate::domain::{AssetClass, BusinessDate, FundingChannel, Vocabulary};
use crate::register::figures::{self, GroupRow};
use crate::register::rollups::{self, CHANNEL_PREFIX};
use crate::register::summary::{class_index, ClassFigures};
use crate::register::{dated, ProjectRecord};

/// Group keys held before their sums are handed out.
pub const GROUPS_HELD: usize = 20_000;

/// Rollup keys held before their sums are handed out.
pub const ROLLUPS_HELD: usize = 50_000;

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
    groups: HashMap<GroupKey, [i64; 4]>,
    rollups: rollups::Sums,
    dated: dated::Sums,
    /// How many keys by group and by rollup are held before they are handed out.
    held: (usize, usize),
}

impl Default for CreatedFigures {
    fn default() -> Self {
        CreatedFigures {
            groups: HashMap::new(),
            rollups: rollups::Sums::new(),
            dated: dated::Sums::new(),
            held: (GROUPS_HELD, ROLLUPS_HELD),
        }
    }
}

/// Sums handed out to be added to the kept rows.
#[derive(Debug, Default)]
pub struct FigureRows {
    groups: Vec<GroupRow>,
    rollups: rollups::Sums,
}

impl FigureRows {
    /// Adds the sums to the kept rows. The caller holds the chain lock.
    ///
    /// Fails when a query fails.
    pub fn apply(&self, conn: &mut DbConnection) -> QueryResult<()> {
        figures::upsert_rows(conn, &self.groups, 1)?;
        rollups::upsert(conn, &self.rollups)
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
        add(self.groups.entry(key).or_default(), change);
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

    /// The sums by group (folded into the sums by rollup) once more than
    /// [`GROUPS_HELD`] keys are held, and the sums by rollup once more than
    /// [`ROLLUPS_HELD`]; `None` while fewer are held.
    pub fn take_if_large(&mut self) -> Option<FigureRows> {
        if self.groups.len() < self.held.0 {
            return None;
        }
        let mut held = std::mem::take(&mut self.rollups);
        let groups = self.group_rows(&mut held);
        self.groups.clear();
        let rollups = if held.len() >= self.held.1 {
            held
        } else {
            self.rollups = held;
            rollups::Sums::new()
        };
        Some(FigureRows { groups, rollups })
    }

    /// The sums by group as rows (leaving out those of zeros), added to the sums by
    /// rollup `rollups`.
    fn group_rows(&self, rollups: &mut rollups::Sums) -> Vec<GroupRow> {
        let mut rows = Vec::with_capacity(self.groups.len());
        for ((class, town, village, year, department), f) in &self.groups {
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

    /// Adds every sum held to the kept rows. The caller holds the chain lock.
    ///
    /// Fails when a query fails.
    pub fn apply(&self, conn: &mut DbConnection) -> QueryResult<()> {
        self.rest().apply(conn)?;
        dated::upsert(conn, &self.dated, 1)
    }

    /// Every sum by group and by rollup held.
    fn rest(&self) -> FigureRows {
        let mut rollups = self.rollups.clone();
        let groups = self.group_rows(&mut rollups);
        FigureRows { groups, rollups }
    }
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

    /// Every sum by group and by rollup, added up from `handed` and what is still held.
    fn added_up(handed: Vec<FigureRows>, held: &CreatedFigures) -> (Vec<GroupRow>, rollups::Sums) {
        let mut groups: HashMap<GroupKey, [i64; 4]> = HashMap::new();
        let mut sums = rollups::Sums::new();
        for rows in handed.into_iter().chain([held.rest()]) {
            for r in rows.groups {
                let key = (r.class, r.town, r.village, r.year, r.department);
                add(groups.entry(key).or_default(), r.figures.as_array());
            }
            for (key, f) in rows.rollups {
                add(sums.entry(key).or_default(), f);
            }
        }
        sums.retain(|_, f| *f != [0; 4]);
        let mut rows: Vec<GroupRow> = CreatedFigures {
            groups,
            ..CreatedFigures::default()
        }
        .group_rows(&mut rollups::Sums::new());
        rows.sort_by(|a, b| a.key().cmp(&b.key()));
        (rows, sums)
    }

    #[test]
    fn sums_handed_out_along_the_way_add_up_to_the_sums_held_at_once() {
        let mut whole = CreatedFigures::default();
        let mut handed_out = CreatedFigures {
            held: (2, 3),
            ..CreatedFigures::default()
        };
        let mut handed = Vec::new();
        let towns = ["桑镇", "赵村镇", "东镇"];
        for i in 0..30 {
            let p = project(&format!("P{i}"), towns[i % 3], 1000 + i as i64, i % 2 == 0);
            let (mut first_whole, mut first_handed) = (FirstDays::default(), FirstDays::default());
            for figures in [&mut whole, &mut handed_out] {
                figures.project(&p);
            }
            for (n, class) in AssetClass::ALL.iter().cycle().take(i % 4).enumerate() {
                let on = day(["2021-03-01", "2020-01-05", "2021-03-01", "2019-12-31"][n]);
                whole.asset(&p, &mut first_whole, (*class, 10 * n as i64), on);
                handed_out.asset(&p, &mut first_handed, (*class, 10 * n as i64), on);
                handed.extend(handed_out.take_if_large());
            }
        }
        assert!(handed.len() > 5, "{} hand-outs", handed.len());
        let rows = whole.group_rows(&mut rollups::Sums::new());
        let none: i64 = rows
            .iter()
            .filter(|r| r.class == "none")
            .map(|r| r.figures.projects)
            .sum();
        assert_eq!(none, 8, "{rows:?}");
        assert_eq!(added_up(handed, &handed_out), added_up(Vec::new(), &whole));
        assert_eq!(handed_out.dated, whole.dated);
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
