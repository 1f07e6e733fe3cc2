//! The change an import makes to the maintained totals: what it does to each project it
//! names ([`ProjectFate`]), the assets it registers as it goes ([`RunningDelta`]), and,
//! once every row is written, the whole [`Delta`] that `register::summary` applies
//! (with the projects touched, whose figures by group `register::figures` refreshes).
//! Every sum is checked: an import whose amounts would pass 64-bit fen in a maintained
//! figure or in one project's asset value is refused ([`FigureOverflow`]).

use diesel::prelude::*;

use super::error::ImportFailure;
use crate::db::schema::assets;
use crate::db::DbConnection;
use crate::domain::{AssetClass, AssetStatus, Vocabulary};
use crate::register::created::FirstDays;
use crate::register::figures::Touched;
use crate::register::summary::{checked_figure, class_index, Delta, FigureOverflow};
use crate::register::AssetRecord;

/// Projects whose earlier assets are looked up together.
const PROJECTS_PER_LOOKUP: usize = 500;

/// What this import does to one project it names.
#[derive(Debug, Clone, Copy)]
pub struct ProjectFate {
    /// Registered before this import with the same values.
    pub unchanged: bool,
    /// Registered by this import.
    pub created: bool,
    /// Its funds, for the maintained totals.
    pub funds_fen: i64,
    /// The classes of the assets this import registers for it, one bit per class.
    new_classes: u8,
    /// The value of the assets this import registers for it; `None` once past 64 bits.
    new_value_fen: Option<i64>,
    /// For a project this import creates, the days of its first assets so far.
    pub first: FirstDays,
}

impl ProjectFate {
    /// A project with `funds_fen`, of which nothing is known yet.
    pub fn new(funds_fen: i64) -> Self {
        ProjectFate {
            unchanged: false,
            created: false,
            funds_fen,
            new_classes: 0,
            new_value_fen: Some(0),
            first: FirstDays::default(),
        }
    }

    /// Notes that this import registers an asset of `class` worth `value_fen` for the
    /// project.
    pub fn gains(&mut self, class: AssetClass, value_fen: i64) {
        self.new_classes |= 1 << class_index(class);
        self.new_value_fen = self.new_value_fen.and_then(|v| v.checked_add(value_fen));
    }

    fn gains_class(&self, class: AssetClass) -> bool {
        self.new_classes & (1 << class_index(class)) != 0
    }

    fn gains_any(&self) -> bool {
        self.new_classes != 0
    }
}

/// One project's asset value past 64 bits.
const PROJECT_VALUE: FigureOverflow = FigureOverflow {
    label: "项目的资产价值合计",
};

/// The change to the maintained totals, as far as the rows written so far tell it.
#[derive(Debug, Default)]
pub struct RunningDelta {
    delta: Delta,
    /// The first figure that passed 64 bits.
    overflow: Option<FigureOverflow>,
}

impl RunningDelta {
    /// Counts an asset this import registers.
    pub fn asset_created(&mut self, asset: &AssetRecord) {
        let figures = self.delta.class(asset.class);
        let counted = checked_figure("资产数", figures.assets, 1).and_then(|assets| {
            Ok((
                assets,
                checked_figure("资产价值合计", figures.value_fen, asset.value.fen())?,
            ))
        });
        match counted {
            Ok((assets, value_fen)) => (figures.assets, figures.value_fen) = (assets, value_fen),
            Err(overflow) => {
                self.overflow.get_or_insert(overflow);
            }
        }
    }

    /// Notes a day on which assets of this import are registered.
    pub fn registered_on(&mut self, day: &str) {
        if self
            .delta
            .registered_on
            .as_deref()
            .is_none_or(|known| day > known)
        {
            self.delta.registered_on = Some(day.to_owned());
        }
    }

    /// The whole change: the assets counted so far, the projects this import creates,
    /// and the classes its assets make projects registered before enter (looked up in
    /// the register, leaving out the assets of `batch_id`). The inner error names the
    /// first figure that would pass 64 bits: in the change itself or in the asset value
    /// of a project (its assets registered before, disposed ones included, and this
    /// import's).
    ///
    /// Fails when the lookup of projects registered before fails.
    pub fn finish<'a>(
        self,
        conn: &mut DbConnection,
        batch_id: &str,
        projects: impl Iterator<Item = (&'a str, &'a ProjectFate)>,
    ) -> Result<Result<Delta, FigureOverflow>, ImportFailure> {
        if let Some(overflow) = self.overflow {
            return Ok(Err(overflow));
        }
        let mut delta = self.delta;
        let mut earlier: Vec<(&str, &ProjectFate)> = Vec::new();
        let mut touched = Touched {
            batch_id: batch_id.to_owned(),
            ..Touched::default()
        };
        for (code, fate) in projects {
            if fate.new_value_fen.is_none() {
                return Ok(Err(PROJECT_VALUE));
            }
            if fate.created {
                if let Err(overflow) = count_created(&mut delta, fate) {
                    return Ok(Err(overflow));
                }
                touched.created += 1;
                if fate.gains_any() && fate.new_value_fen != Some(fate.funds_fen) {
                    touched.mismatched.push(code.to_owned());
                }
            } else if fate.gains_any() {
                earlier.push((code, fate));
                touched.earlier.push(code.to_owned());
            }
        }
        delta.touched = Some(touched);
        for chunk in earlier.chunks(PROJECTS_PER_LOOKUP) {
            let codes: Vec<&str> = chunk.iter().map(|(code, _)| *code).collect();
            let before: Vec<(String, String, String, i64)> = assets::table
                .filter(assets::project_code.eq_any(&codes))
                .filter(assets::batch_id.ne(batch_id))
                .select((
                    assets::project_code,
                    assets::class,
                    assets::status,
                    assets::value_fen,
                ))
                .load(conn)?;
            for (code, fate) in chunk {
                let mine: Vec<&(String, String, String, i64)> =
                    before.iter().filter(|(p, ..)| p == code).collect();
                if let Err(overflow) = count_earlier(&mut delta, fate, &mine) {
                    return Ok(Err(overflow));
                }
            }
        }
        for figures in delta.classes {
            let overall = &mut delta.overall;
            let counted = checked_figure("资产数", overall.assets, figures.assets).and_then(|n| {
                Ok((
                    n,
                    checked_figure("资产价值合计", overall.value_fen, figures.value_fen)?,
                ))
            });
            match counted {
                Ok((assets, value_fen)) => {
                    (overall.assets, overall.value_fen) = (assets, value_fen)
                }
                Err(overflow) => return Ok(Err(overflow)),
            }
        }
        Ok(Ok(delta))
    }
}

/// Adds `sign` times a project's funds to a class's projects and funds.
fn enter_class(
    delta: &mut Delta,
    class: AssetClass,
    fate: &ProjectFate,
    sign: i64,
) -> Result<(), FigureOverflow> {
    let figures = delta.class(class);
    figures.projects = checked_figure("分类项目数", figures.projects, sign)?;
    figures.funds_fen =
        checked_figure("分类项目资金合计", figures.funds_fen, sign * fate.funds_fen)?;
    Ok(())
}

/// Counts a project this import creates.
fn count_created(delta: &mut Delta, fate: &ProjectFate) -> Result<(), FigureOverflow> {
    let overall = &mut delta.overall;
    overall.projects = checked_figure("项目数", overall.projects, 1)?;
    overall.funds_fen = checked_figure("项目资金合计", overall.funds_fen, fate.funds_fen)?;
    if !fate.gains_any() {
        overall.unclassified_projects =
            checked_figure("未形成资产的项目数", overall.unclassified_projects, 1)?;
        overall.unclassified_funds_fen = checked_figure(
            "未形成资产的项目资金合计",
            overall.unclassified_funds_fen,
            fate.funds_fen,
        )?;
    }
    for &class in AssetClass::ALL {
        if fate.gains_class(class) {
            enter_class(delta, class, fate, 1)?;
        }
    }
    Ok(())
}

/// Counts the assets this import adds to a project registered before, whose assets
/// registered before are `mine` (code, class, status, value).
fn count_earlier(
    delta: &mut Delta,
    fate: &ProjectFate,
    mine: &[&(String, String, String, i64)],
) -> Result<(), FigureOverflow> {
    mine.iter()
        .try_fold(
            fate.new_value_fen.unwrap_or(i64::MAX),
            |sum, (.., value)| sum.checked_add(*value),
        )
        .ok_or(PROJECT_VALUE)?;
    if mine.is_empty() {
        let overall = &mut delta.overall;
        overall.unclassified_projects =
            checked_figure("未形成资产的项目数", overall.unclassified_projects, -1)?;
        overall.unclassified_funds_fen = checked_figure(
            "未形成资产的项目资金合计",
            overall.unclassified_funds_fen,
            -fate.funds_fen,
        )?;
    }
    for &class in AssetClass::ALL {
        let live_before = mine.iter().any(|(_, c, status, _)| {
            c == class.as_str() && status != AssetStatus::Disposed.as_str()
        });
        if fate.gains_class(class) && !live_before {
            enter_class(delta, class, fate, 1)?;
        }
    }
    Ok(())
}
