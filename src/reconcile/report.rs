//! The variance report: each declared line against the register as of the
//! declaration's date, the projects that formed no asset, and the ledger head it pins.
//!
//! As of a date D (year Y): projects count when their year is Y or earlier; an asset
//! counts when its `registered` entry is dated D or earlier and, folding its ledger to
//! the end of D, it is not disposed, at its value then. Only assets whose ledger holds a
//! disposal, value adjustment or correction need that fold; the rest are summed in SQL.
//! That is the reference ([`Method::Fold`]); a report reads maintained figures instead:
//! when nothing in the register postdates D, the maintained totals are those figures;
//! otherwise the rollups by year and the figures by business date summed up to D
//! (`maintained`, see [`Method`]).

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde::Serialize;

use super::declaration::{Declaration, Scope};
use crate::db::schema::{assets, projects};
use crate::db::DbConnection;
use crate::domain::money::signed_yuan;
use crate::domain::Scope as DomainScope;
use crate::domain::{AssetClass, AssetStatus, BusinessDate, Vocabulary};
use crate::ledger::as_of::{asset_as_of, AsOfError};
use crate::ledger::projection::MalformedEntry;
use crate::ledger::{read_head, Head};
use crate::register::store::AssetRow;
use crate::register::summary::{class_index, Summary};

mod maintained;

/// Why a report could not be made: as for any read of the ledger as of a date, a
/// malformed entry or the database.
pub type ReportError = AsOfError;

/// A count of projects and an amount in fen (signed, for differences).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Figure {
    /// Projects.
    pub projects: i64,
    /// Fen.
    pub fen: i64,
}

/// A figure as sent: amount as a string of yuan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FigureView {
    /// Projects.
    pub projects: i64,
    /// Yuan with two decimals (negative only in a difference).
    pub amount: String,
}

impl From<Figure> for FigureView {
    fn from(f: Figure) -> Self {
        FigureView {
            projects: f.projects,
            amount: signed_yuan(f.fen),
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ReportLine {
    /// The scope as declared.
    pub scope: String,
    /// Its Chinese label.
    pub label: String,
    /// What was declared.
    pub declared: FigureView,
    /// What the register holds as of the date.
    pub actual: FigureView,
    /// Actual minus declared.
    pub difference: FigureView,
    /// `match` or `mismatch`.
    pub status: &'static str,
}

/// The declaration a report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DeclarationSummary {
    /// Its id (`None` for a file checked from the command line).
    pub id: Option<String>,
    /// Its name.
    pub name: String,
    /// The date its figures stand at.
    pub as_of: String,
}

/// The chain's head when the report was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct HeadView {
    /// The last seq.
    pub seq: i64,
    /// The last hash; `null` for readers while the head entry was hashed by the first
    /// encoding (its hash commits to personal fields unsalted; the first new entry
    /// ends that).
    pub hash: Option<String>,
    /// The head as `SEQ:HASH`, what `asset-registry verify --against` takes; `null`
    /// where `hash` is.
    pub pin: Option<String>,
    /// How to check the printed head, in one line of Chinese; `null` where `hash` is.
    pub how_to_check: Option<String>,
    /// Whether readers may see the hash.
    #[serde(skip)]
    #[schemars(skip)]
    pub readable: bool,
}

impl HeadView {
    /// The head `seq`, `hash`, pinned; `readable` says whether readers may see it
    /// (`ledger::disclosure`).
    pub fn new(seq: i64, hash: String, readable: bool) -> Self {
        let pin = crate::ledger::verify::pin_text(seq, &hash);
        HeadView {
            seq,
            how_to_check: Some(crate::ledger::verify::how_to_check(&pin)),
            pin: Some(pin),
            hash: Some(hash),
            readable,
        }
    }

    /// Withholds the hash from readers when it commits to unsalted personal fields.
    pub fn for_readers(&mut self) {
        if !self.readable {
            self.hash = None;
            self.pin = None;
            self.how_to_check = None;
        }
    }
}

/// The variance report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Report {
    /// The declaration.
    pub declaration: DeclarationSummary,
    /// Declared against actual, line by line.
    pub lines: Vec<ReportLine>,
    /// Projects that formed no asset (as of the date): the gap between the total and the classes.
    pub unclassified: FigureView,
    /// The ledger head the report was made from.
    pub ledger_head: HeadView,
    /// `match` when every line matches, else `mismatch`.
    pub status: &'static str,
    /// When the report was made.
    pub generated_at: String,
}

#[derive(QueryableByName)]
struct ClassFigure {
    #[diesel(sql_type = Text)]
    class: String,
    #[diesel(sql_type = BigInt)]
    projects: i64,
    #[diesel(sql_type = BigInt)]
    fen: i64,
}

/// The register as of a date: every figure a declaration can ask.
struct AsOf {
    day: String,
    year: i32,
}

impl AsOf {
    fn projects(
        &self,
        conn: &mut DbConnection,
        town: Option<&str>,
        year: Option<i32>,
    ) -> QueryResult<Figure> {
        let mut query = projects::table
            .filter(projects::year.le(self.year))
            .select((
                diesel::dsl::count_star(),
                diesel::dsl::sql::<BigInt>("CAST(COALESCE(SUM(funds_fen), 0) AS BIGINT)"),
            ))
            .into_boxed::<crate::db::pool::DbBackend>();
        if let Some(town) = town {
            query = query.filter(projects::town.eq(town.to_owned()));
        }
        if let Some(year) = year {
            query = query.filter(projects::year.eq(year));
        }
        let (projects, fen) = query.first::<(i64, i64)>(conn)?;
        Ok(Figure { projects, fen })
    }

    fn unclassified(&self, conn: &mut DbConnection) -> QueryResult<Figure> {
        let day = self.day.clone();
        let (projects, fen) = projects::table
            .filter(projects::year.le(self.year))
            .filter(diesel::dsl::not(diesel::dsl::exists(
                assets::table
                    .filter(assets::project_code.eq(projects::code))
                    .filter(assets::registered_on.le(day)),
            )))
            .select((
                diesel::dsl::count_star(),
                diesel::dsl::sql::<BigInt>("CAST(COALESCE(SUM(funds_fen), 0) AS BIGINT)"),
            ))
            .first::<(i64, i64)>(conn)?;
        Ok(Figure { projects, fen })
    }

    /// Per class: projects with a live asset of the class, and the value of those assets.
    fn classes(&self, conn: &mut DbConnection) -> Result<HashMap<AssetClass, Figure>, ReportError> {
        // Assets of projects whose ledger holds no value events: summed in SQL. The date
        // is validated YYYY-MM-DD text, so it is safe to put in the statement.
        let sql = format!(
            "SELECT class, COUNT(DISTINCT project_code) AS projects, CAST(COALESCE(SUM(value_fen), 0) AS BIGINT) AS fen \
             FROM assets WHERE registered_on <= '{}' \
             AND project_code NOT IN (SELECT project_code FROM assets WHERE has_value_events = 1) \
             GROUP BY class",
            self.day
        );
        let rows: Vec<ClassFigure> = diesel::sql_query(sql).load(conn)?;
        let mut figures: HashMap<AssetClass, Figure> = HashMap::new();
        for row in rows {
            if let Some(class) = AssetClass::parse(&row.class) {
                figures.insert(
                    class,
                    Figure {
                        projects: row.projects,
                        fen: row.fen,
                    },
                );
            }
        }
        // Projects with value events: each asset folded as of the day.
        let touched: Vec<String> = assets::table
            // A literal, so that the partial index on these few assets applies.
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                "assets.has_value_events = 1",
            ))
            .select(assets::project_code)
            .distinct()
            .load(conn)?;
        let day = BusinessDate::stored(&self.day).ok_or(MalformedEntry {
            seq: 0,
            what: "as_of",
        })?;
        for chunk in touched.chunks(500) {
            let rows: Vec<AssetRow> = assets::table
                .filter(assets::project_code.eq_any(chunk))
                .filter(assets::registered_on.le(self.day.clone()))
                .select(AssetRow::as_select())
                .load(conn)?;
            let mut counted: HashSet<(AssetClass, String)> = HashSet::new();
            for row in rows {
                let Some(class) = AssetClass::parse(&row.class) else {
                    continue;
                };
                let value = if row.has_value_events == 1 {
                    match asset_as_of(conn, &row, day)? {
                        Some(state) if state.status != AssetStatus::Disposed => state.value.fen(),
                        _ => continue,
                    }
                } else {
                    row.value_fen
                };
                let figure = figures.entry(class).or_default();
                // Checked: values of earlier days are not among the maintained figures.
                figure.fen = figure.fen.checked_add(value).ok_or(MalformedEntry {
                    seq: 0,
                    what: "a class's value as of the day passes 64 bits",
                })?;
                if counted.insert((class, row.project_code.clone())) {
                    figure.projects += 1;
                }
            }
        }
        Ok(figures)
    }
}

fn status(ok: bool) -> &'static str {
    if ok {
        "match"
    } else {
        "mismatch"
    }
}

/// How the figures as of a date are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// From the maintained totals when nothing in the register postdates the date (no
    /// project of a later year, no asset registered later, no later disposal, value
    /// adjustment or correction); from the rollups by year and the figures by date
    /// summed up to the date otherwise.
    Auto,
    /// Always from the register, folding the ledger (the reference the maintained
    /// figures are checked against).
    Fold,
}

/// Reconciles `declaration` against the register as of its date, in one consistent
/// snapshot of the database, pinned to the ledger head of that snapshot.
///
/// Fails when the database fails or a ledger entry is malformed.
pub fn reconcile(
    conn: &mut DbConnection,
    id: Option<&str>,
    declaration: &Declaration,
) -> Result<Report, ReportError> {
    reconcile_using(conn, id, declaration, Method::Auto)
}

/// [`reconcile`] by the given method.
///
/// Fails when the database fails or a ledger entry is malformed.
pub fn reconcile_using(
    conn: &mut DbConnection,
    id: Option<&str>,
    declaration: &Declaration,
    method: Method,
) -> Result<Report, ReportError> {
    crate::db::read_snapshot(conn, |conn| {
        let as_of = AsOf {
            day: declaration.as_of.to_string(),
            year: chrono::Datelike::year(&declaration.as_of.naive()),
        };
        let head: Head = read_head(conn)?;
        let readable = crate::ledger::disclosure::hash_readable_at(conn, head.seq)?;
        let summary = Summary::load(conn)?;
        let latest_year: Option<i32> = projects::table
            .select(diesel::dsl::max(projects::year))
            .first(conn)?;
        let current = method == Method::Auto
            && latest_year.is_none_or(|year| year <= as_of.year)
            && summary.last_registered_on <= as_of.day
            && summary.last_value_event_on <= as_of.day;
        let needs_classes = declaration
            .lines
            .iter()
            .any(|l| matches!(l.scope, Scope::Class(_)));
        let maintained = if method == Method::Auto && !current {
            Some(maintained::AsOfDay::read(conn, &as_of.day)?)
        } else {
            None
        };
        let classes = if current {
            AssetClass::ALL
                .iter()
                .map(|class| {
                    let figures = summary.classes[class_index(*class)];
                    (
                        *class,
                        Figure {
                            projects: figures.projects,
                            fen: figures.value_fen,
                        },
                    )
                })
                .collect()
        } else if let Some(maintained) = &maintained {
            maintained.classes()
        } else if needs_classes {
            as_of.classes(conn)?
        } else {
            HashMap::new()
        };
        let total = if current {
            Figure {
                projects: summary.overall.projects,
                fen: summary.overall.funds_fen,
            }
        } else if maintained.is_some() {
            maintained::projects(conn, &DomainScope::County, as_of.year, None)?
        } else {
            as_of.projects(conn, None, None)?
        };
        let unclassified = if current {
            Figure {
                projects: summary.overall.unclassified_projects,
                fen: summary.overall.unclassified_funds_fen,
            }
        } else if let Some(maintained) = &maintained {
            maintained.unclassified(conn, as_of.year)?
        } else {
            as_of.unclassified(conn)?
        };
        let mut lines = Vec::new();
        for line in &declaration.lines {
            let actual = match &line.scope {
                Scope::Total => total,
                Scope::Town(town) if method == Method::Auto => {
                    maintained::projects(conn, &DomainScope::Town(town.clone()), as_of.year, None)?
                }
                Scope::Year(year) if method == Method::Auto => {
                    maintained::projects(conn, &DomainScope::County, as_of.year, Some(*year))?
                }
                Scope::Town(town) => as_of.projects(conn, Some(town), None)?,
                Scope::Year(year) => as_of.projects(conn, None, Some(*year))?,
                Scope::Unclassified => unclassified,
                Scope::Class(class) => classes.get(class).copied().unwrap_or_default(),
            };
            let declared = Figure {
                projects: line.projects,
                fen: line.amount.fen(),
            };
            let difference = Figure {
                projects: actual.projects - declared.projects,
                fen: actual.fen - declared.fen,
            };
            lines.push(ReportLine {
                scope: line.scope.to_string(),
                label: line.scope.label(),
                declared: declared.into(),
                actual: actual.into(),
                difference: difference.into(),
                status: status(difference == Figure::default()),
            });
        }
        let all_match = lines.iter().all(|l| l.status == "match");
        Ok(Report {
            declaration: DeclarationSummary {
                id: id.map(str::to_owned),
                name: declaration.name.clone(),
                as_of: declaration.as_of.to_string(),
            },
            lines,
            unclassified: unclassified.into(),
            ledger_head: HeadView::new(head.seq, head.hash, readable),
            status: status(all_match),
            generated_at: crate::domain::dates::timestamp_now(),
        })
    })
}
