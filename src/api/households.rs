//! `GET /api/v1/households/{id_number}`: every household line paid to one person in
//! the caller's scope, across assets and years, with a total per year.

use rocket::serde::json::Json;
use rocket::{get, State};
use serde::Serialize;

use super::error::ApiError;
use super::guard::ReviewAccess;
use crate::auth::Visibility;
use crate::db::Db;
use crate::domain::IdNumber;
use crate::ledger::households::{household, Household, HouseholdError, HouseholdLine};
use crate::observe::access::Disclosure;

/// One line paid to the household, as sent.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct HouseholdLineView {
    /// The `income_distributed` entry.
    pub seq: i64,
    /// 资产编号.
    pub asset_code: String,
    /// 资产名称.
    pub asset_name: String,
    /// 镇街.
    pub town: String,
    /// 村.
    pub village: Option<String>,
    /// The distribution's business date.
    pub occurred_on: String,
    /// 收益期间.
    pub period: String,
    /// 姓名 on the line.
    pub name: String,
    /// 金额, yuan.
    pub amount: String,
    /// 发放日期, when the line gives one.
    pub paid_on: Option<String>,
}

/// What one year paid the household, as sent.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct HouseholdYearView {
    /// The calendar year of payment (the line's 发放日期, else the distribution's date).
    pub year: i32,
    /// How many lines.
    pub lines: usize,
    /// Their sum, yuan.
    pub total: String,
}

/// A household's income, as sent.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct HouseholdView {
    /// 身份证号 (callers who may read households see it whole).
    pub id_number: String,
    /// The names its lines carry.
    pub names: Vec<String>,
    /// Per year of payment.
    pub years: Vec<HouseholdYearView>,
    /// All of it, yuan.
    pub total: String,
    /// Its lines, by date of payment.
    pub lines: Vec<HouseholdLineView>,
}

impl From<HouseholdLine> for HouseholdLineView {
    fn from(line: HouseholdLine) -> Self {
        let HouseholdLine {
            seq,
            asset_code,
            asset_name,
            town,
            village,
            occurred_on,
            period,
            name,
            amount,
            paid_on,
        } = line;
        HouseholdLineView {
            seq,
            asset_code,
            asset_name,
            town,
            village,
            occurred_on: occurred_on.to_string(),
            period,
            name,
            amount: amount.to_string(),
            paid_on: paid_on.map(|d| d.to_string()),
        }
    }
}

impl From<Household> for HouseholdView {
    fn from(household: Household) -> Self {
        let Household {
            id_number,
            names,
            lines,
            years,
            total,
        } = household;
        HouseholdView {
            id_number: id_number.as_str().to_owned(),
            names,
            years: years
                .into_iter()
                .map(|y| HouseholdYearView {
                    year: y.year,
                    lines: y.lines,
                    total: y.total.to_string(),
                })
                .collect(),
            total: total.to_string(),
            lines: lines.into_iter().map(HouseholdLineView::from).collect(),
        }
    }
}

impl From<HouseholdError> for ApiError {
    fn from(error: HouseholdError) -> Self {
        match error {
            HouseholdError::Query(e) => e.into(),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// Reads the ID number of a path.
///
/// Fails with 404 when it is not a valid identifier, saying why without repeating it:
/// no household lives at such a path, as none lives at an asset code (which a path
/// outside the caller's scope may carry).
pub fn id_number_param(text: &str) -> Result<IdNumber, ApiError> {
    IdNumber::parse(text).map_err(|e| ApiError::NotFound(format!("路径中的身份证号无效：{e}")))
}

/// Every line paid to the person with this ID number on assets in the caller's scope;
/// 404 when there is none.
#[get("/households/<id_number>")]
pub async fn get_household(
    caller: ReviewAccess,
    id_number: &str,
    disclosure: Disclosure,
    db: &State<Db>,
) -> Result<Json<HouseholdView>, ApiError> {
    let id = id_number_param(id_number)?;
    let scope = caller.0.scope;
    db.run(move |conn| {
        let found = household(conn, &scope, &id)?;
        if found.lines.is_empty() {
            return Err(ApiError::NotFound(
                "令牌范围内没有付给该身份证号的分户收益".to_owned(),
            ));
        }
        // The answer carries the ID number whole, for every asset that paid it.
        for line in &found.lines {
            disclosure.asset(Visibility::Whole, &line.asset_code);
        }
        Ok(Json(HouseholdView::from(found)))
    })
    .await
}
