//! What a declaration holds: its name, its date and its lines, each line's scope; a
//! stored declaration; what can be wrong with one.

use std::fmt;

use serde::Serialize;

use crate::domain::{AssetClass, BusinessDate, Vocabulary, Yuan};

/// What a declared line covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// All projects; amount = project funds.
    Total,
    /// Projects with at least one asset of the class not disposed; amount = those assets' value.
    Class(AssetClass),
    /// Projects of a town; amount = funds.
    Town(String),
    /// Projects of a year; amount = funds.
    Year(i32),
    /// Projects that formed no asset; amount = funds.
    Unclassified,
}

impl Scope {
    /// Parses `total`, `class:<class>`, `town:<name>`, `year:<y>` or `unclassified`.
    ///
    /// Fails with a Chinese message for anything else.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        match text.split_once(':') {
            None if text == "total" => Ok(Scope::Total),
            None if text == "unclassified" => Ok(Scope::Unclassified),
            Some(("class", class)) => AssetClass::parse(class)
                .map(Scope::Class)
                .ok_or_else(|| format!("未知的资产类别“{class}”，应为 operating、public_welfare 或 household")),
            Some(("town", town)) if !town.trim().is_empty() && !town.chars().any(char::is_control) => {
                Ok(Scope::Town(town.trim().to_owned()))
            }
            Some(("year", year)) => match year.trim().parse::<i32>() {
                Ok(y) if (2000..=9999).contains(&y) => Ok(Scope::Year(y)),
                _ => Err(format!("年度“{year}”无效")),
            },
            _ => Err(format!(
                "未知的口径“{text}”，应为 total、class:<类别>、town:<镇街>、year:<年度> 或 unclassified"
            )),
        }
    }

    /// The Chinese label staff read.
    pub fn label(&self) -> String {
        match self {
            Scope::Total => "合计（全部项目资金）".to_owned(),
            Scope::Class(class) => format!("{}资产", class.label()),
            Scope::Town(town) => format!("镇街：{town}"),
            Scope::Year(year) => format!("{year} 年度项目"),
            Scope::Unclassified => "未形成资产的项目".to_owned(),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Total => f.write_str("total"),
            Scope::Class(class) => write!(f, "class:{}", class.as_str()),
            Scope::Town(town) => write!(f, "town:{town}"),
            Scope::Year(year) => write!(f, "year:{year}"),
            Scope::Unclassified => f.write_str("unclassified"),
        }
    }
}

/// One declared line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredLine {
    /// What it covers.
    pub scope: Scope,
    /// Declared number of projects.
    pub projects: i64,
    /// Declared amount.
    pub amount: Yuan,
}

/// Figures declared upward as of a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    /// What was declared, e.g. 兴平市扶贫资产核实(2020).
    pub name: String,
    /// The date the figures stand at.
    pub as_of: BusinessDate,
    /// The lines.
    pub lines: Vec<DeclaredLine>,
}

/// A stored declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDeclaration {
    /// Its id.
    pub id: String,
    /// Who entered it.
    pub actor: String,
    /// When.
    pub created_at: String,
    /// The figures.
    pub declaration: Declaration,
}

/// What is wrong with a declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DeclarationError {
    /// The line: 1-based position in `lines` (JSON) or physical line (CSV); `None` for
    /// the declaration itself.
    pub line: Option<u64>,
    /// The field.
    pub field: String,
    /// Machine-readable code.
    pub code: &'static str,
    /// What is wrong, in Chinese.
    pub message: String,
}

impl DeclarationError {
    /// The field as a person names it: `lines[2].amount` → 金额.
    pub fn field_label(&self) -> &str {
        let last = self.field.rsplit('.').next().unwrap_or(&self.field);
        match last {
            "scope" => "口径",
            "projects" => "项目数",
            "amount" | "amount_wan" | "amount_yuan" => "金额",
            "name" => "申报名称",
            "as_of" => "截至日期",
            "lines" => "申报行",
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_and_print() {
        for text in [
            "total",
            "class:operating",
            "town:桑镇",
            "year:2020",
            "unclassified",
        ] {
            assert_eq!(
                Scope::parse(text).map(|s| s.to_string()),
                Ok(text.to_owned())
            );
        }
        assert_eq!(
            Scope::parse("class:经营性"),
            Ok(Scope::Class(AssetClass::Operating))
        );
        assert!(Scope::parse("village:东村").is_err());
        assert!(Scope::parse("class:foo").is_err());
    }
}
