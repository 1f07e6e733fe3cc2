//! The change an import makes to the maintained totals: what it does to each project it
//! names ([`ProjectFate`]), the assets it registers as it goes ([`RunningDelta`]), and,
//! once every row is written, the whole [`Delta`] that `register::summary` applies.

use diesel::prelude::*;

use super::error::ImportFailure;
use crate::db::schema::assets;
use crate::db::DbConnection;
use crate::domain::{AssetClass, AssetStatus, Vocabulary};
use crate::register::summary::{class_index, Delta};
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
}

impl ProjectFate {
    /// A project with `funds_fen`, of which nothing is known yet.
    pub fn new(funds_fen: i64) -> Self {
        ProjectFate {
            unchanged: false,
            created: false,
            funds_fen,
            new_classes: 0,
        }
    }

    /// Notes that this import registers an asset of `class` for the project.
    pub fn gains(&mut self, class: AssetClass) {
        self.new_classes |= 1 << class_index(class);
    }

    fn gains_class(&self, class: AssetClass) -> bool {
        self.new_classes & (1 << class_index(class)) != 0
    }

    fn gains_any(&self) -> bool {
        self.new_classes != 0
    }
}

/// The change to the maintained totals, as far as the rows written so far tell it.
#[derive(Debug, Default)]
pub struct RunningDelta {
    delta: Delta,
}

impl RunningDelta {
    /// Counts an asset this import registers.
    pub fn asset_created(&mut self, asset: &AssetRecord) {
        let figures = self.delta.class(asset.class);
        figures.assets += 1;
        figures.value_fen += asset.value.fen();
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
    /// the register, leaving out the assets of `batch_id`).
    ///
    /// Fails when the lookup of projects registered before fails.
    pub fn finish<'a>(
        self,
        conn: &mut DbConnection,
        batch_id: &str,
        projects: impl Iterator<Item = (&'a str, &'a ProjectFate)>,
    ) -> Result<Delta, ImportFailure> {
        let mut delta = self.delta;
        let mut earlier: Vec<(&str, &ProjectFate)> = Vec::new();
        for (code, fate) in projects {
            if fate.created {
                delta.overall.projects += 1;
                delta.overall.funds_fen += fate.funds_fen;
                if !fate.gains_any() {
                    delta.overall.unclassified_projects += 1;
                    delta.overall.unclassified_funds_fen += fate.funds_fen;
                }
                for &class in AssetClass::ALL {
                    if fate.gains_class(class) {
                        delta.class(class).projects += 1;
                        delta.class(class).funds_fen += fate.funds_fen;
                    }
                }
            } else if fate.gains_any() {
                earlier.push((code, fate));
            }
        }
        for chunk in earlier.chunks(PROJECTS_PER_LOOKUP) {
            let codes: Vec<&str> = chunk.iter().map(|(code, _)| *code).collect();
            let before: Vec<(String, String, String)> = assets::table
                .filter(assets::project_code.eq_any(&codes))
                .filter(assets::batch_id.ne(batch_id))
                .select((assets::project_code, assets::class, assets::status))
                .load(conn)?;
            for (code, fate) in chunk {
                let mine: Vec<&(String, String, String)> =
                    before.iter().filter(|(p, _, _)| p == code).collect();
                if mine.is_empty() {
                    delta.overall.unclassified_projects -= 1;
                    delta.overall.unclassified_funds_fen -= fate.funds_fen;
                }
                for &class in AssetClass::ALL {
                    let live_before = mine.iter().any(|(_, c, status)| {
                        c == class.as_str() && status != AssetStatus::Disposed.as_str()
                    });
                    if fate.gains_class(class) && !live_before {
                        delta.class(class).projects += 1;
                        delta.class(class).funds_fen += fate.funds_fen;
                    }
                }
            }
        }
        for figures in delta.classes {
            delta.overall.assets += figures.assets;
            delta.overall.value_fen += figures.value_fen;
        }
        Ok(delta)
    }
}
