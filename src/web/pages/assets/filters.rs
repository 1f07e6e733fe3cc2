//! The register's filters: the form that holds them, the query string that carries them
//! to the pager and the downloads, and the words that describe them on a printout; the
//! choice, year and text filters other lists use too.

use maud::{html, Markup};

use crate::domain::{AssetClass, AssetCondition, AssetStatus, OperatingMode, Vocabulary};
use crate::register::query::AssetFilter;
use crate::web::view::{encode, options};

/// The filters as a query string, each given one as `key=value&`, for the CSV links
/// and the pager.
pub(super) fn filter_query(filter: &AssetFilter) -> String {
    [
        ("class", filter.class.map(|c| c.as_str().to_owned())),
        ("town", filter.town.clone()),
        ("village", filter.village.clone()),
        ("owner", filter.owner.clone()),
        (
            "owner_type",
            filter.owner_type.map(|t| t.as_str().to_owned()),
        ),
        ("status", filter.status.map(|s| s.as_str().to_owned())),
        ("project", filter.project.clone()),
        ("year", filter.year.map(|year| year.to_string())),
        ("q", filter.q.clone()),
        ("department", filter.department.clone()),
        ("condition", filter.condition.map(|c| c.as_str().to_owned())),
        (
            "operating_mode",
            filter.operating_mode.map(|m| m.as_str().to_owned()),
        ),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}&", encode(v))))
    .collect()
}

/// The filters asked for, in words, for the printed register; `None` without any.
pub(super) fn filters_described(filter: &AssetFilter) -> Option<String> {
    let owner_type = filter.owner_type.map(|t| t.label().to_owned());
    let described: Vec<String> = [
        ("类别", filter.class.map(|c| c.label().to_owned())),
        ("镇街", filter.town.clone()),
        ("村", filter.village.clone()),
        ("项目年度", filter.year.map(|year| year.to_string())),
        ("项目编号", filter.project.clone()),
        ("所有权人", filter.owner.clone()),
        ("所有权人类型", owner_type),
        ("状态", filter.status.map(|s| s.label().to_owned())),
        ("名称包含", filter.q.clone()),
        ("行业主管部门", filter.department.clone()),
        ("资产状态", filter.condition.map(|c| c.label().to_owned())),
        (
            "经营方式",
            filter.operating_mode.map(|m| m.label().to_owned()),
        ),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|value| format!("{name} {value}")))
    .collect();
    (!described.is_empty()).then(|| described.join("，"))
}

/// The filters' form, holding the filters asked for.
pub(super) fn filter_form(filter: &AssetFilter) -> Markup {
    html! {
        form class="filters card" method="get" action="/assets" {
            (choice_filter("类别", "class", &AssetClass::choices(), filter.class.map(AssetClass::as_str)))
            (text_filter("镇街", "town", filter.town.as_deref()))
            (text_filter("村", "village", filter.village.as_deref()))
            (year_filter(filter.year))
            (text_filter("所有权人", "owner", filter.owner.as_deref()))
            (choice_filter("状态", "status", &AssetStatus::choices(), filter.status.map(AssetStatus::as_str)))
            (text_filter("名称包含", "q", filter.q.as_deref()))
            (text_filter("行业主管部门", "department", filter.department.as_deref()))
            (choice_filter("资产状态", "condition", &AssetCondition::choices(), filter.condition.map(AssetCondition::as_str)))
            (choice_filter("经营方式", "operating_mode", &OperatingMode::choices(), filter.operating_mode.map(OperatingMode::as_str)))
            button type="submit" { "查询" }
        }
    }
}

/// A filter chosen among `choices` (or 全部), the one asked for selected.
pub(in crate::web::pages) fn choice_filter(
    label: &str,
    name: &str,
    choices: &[(&str, &str)],
    selected: Option<&str>,
) -> Markup {
    html! {
        label {
            (label)
            select name=(name) {
                option value="" { "全部" }
                (options(choices, selected))
            }
        }
    }
}

/// The 项目年度 filter, holding the year asked for.
pub(in crate::web::pages) fn year_filter(year: Option<i32>) -> Markup {
    html! {
        label {
            "项目年度"
            input name="year" type="number" min="2000" max="9999" inputmode="numeric"
                value=[year];
        }
    }
}

/// A filter of text, holding the text asked for.
pub(in crate::web::pages) fn text_filter(label: &str, name: &str, value: Option<&str>) -> Markup {
    html! {
        label { (label) input name=(name) value=(value.unwrap_or_default()); }
    }
}
