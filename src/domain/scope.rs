//! Scopes: the part of the county a token sees and writes ("县级统管、行业监管、乡村主管").
//! `county` (everything), `town:<镇街>`, `village:<镇街>/<村>` or
//! `department:<行业主管部门>`. Parsed once; `register::scope` turns one into the filter
//! every query of the register applies.

use std::fmt;
use std::str::FromStr;

/// The most characters of a town, village or department name in a scope.
const MAX_NAME_CHARS: usize = 100;

/// What a token sees and writes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Scope {
    /// The whole county.
    #[default]
    County,
    /// One town (镇/街道) and its villages.
    Town(String),
    /// One village of a town.
    Village {
        /// Its town.
        town: String,
        /// The village.
        village: String,
    },
    /// The projects of one sector department (行业主管部门) and their assets.
    Department(String),
}

/// A scope that could not be parsed: the message says why, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ScopeError(String);

/// Proof that the caller holds county scope: the operations the whole county answers
/// for (declarations, reconciliation, verification, token management) take one, so
/// they cannot be reached with a narrower scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountyScope(());

impl Scope {
    /// Parses `county`, `town:<镇街>`, `village:<镇街>/<村>` or `department:<部门>`;
    /// the names are trimmed and must be non-empty, without control characters, at most
    /// 100 characters (and a 镇街 or 村 without `/`).
    ///
    /// Fails with a message naming what is wrong.
    pub fn parse(text: &str) -> Result<Scope, ScopeError> {
        let text = text.trim();
        if text == "county" {
            return Ok(Scope::County);
        }
        let (kind, rest) = text.split_once(':').ok_or_else(|| expected(text))?;
        match kind {
            "town" => Ok(Scope::Town(place(rest, "镇街")?)),
            "village" => {
                let (town, village) = rest.split_once('/').ok_or_else(|| {
                    ScopeError(format!("村范围应写作 village:<镇街>/<村>，收到“{text}”"))
                })?;
                Ok(Scope::Village {
                    town: place(town, "镇街")?,
                    village: place(village, "村")?,
                })
            }
            "department" => Ok(Scope::Department(name(rest, "行业主管部门")?)),
            _ => Err(expected(text)),
        }
    }

    /// The county witness, when this is the county scope.
    pub fn county(&self) -> Option<CountyScope> {
        (*self == Scope::County).then_some(CountyScope(()))
    }

    /// The scope as a person reads it: 全县, 马嵬街道, 马嵬街道李村, 行业主管部门：农业农村局.
    pub fn label(&self) -> String {
        match self {
            Scope::County => "全县".to_owned(),
            Scope::Town(town) => format!("镇街：{town}"),
            Scope::Village { town, village } => format!("村：{town}{village}"),
            Scope::Department(department) => format!("行业主管部门：{department}"),
        }
    }

    /// Whether a project in `town`/`village` under `department` (or an asset of such a
    /// project) lies in this scope.
    pub fn holds(&self, town: &str, village: Option<&str>, department: Option<&str>) -> bool {
        match self {
            Scope::County => true,
            Scope::Town(t) => t == town,
            Scope::Village {
                town: t,
                village: v,
            } => t == town && village == Some(v.as_str()),
            Scope::Department(d) => department == Some(d.as_str()),
        }
    }

    /// Whether everything `other` holds is held by this scope too (a town holds its
    /// villages; the county holds everything).
    pub fn contains(&self, other: &Scope) -> bool {
        match (self, other) {
            (Scope::County, _) => true,
            (Scope::Town(t), Scope::Village { town, .. }) => t == town,
            _ => self == other,
        }
    }
}

fn expected(text: &str) -> ScopeError {
    ScopeError(format!(
        "范围应为 county、town:<镇街>、village:<镇街>/<村> 或 department:<行业主管部门>，收到“{text}”"
    ))
}

fn name(text: &str, what: &str) -> Result<String, ScopeError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ScopeError(format!("范围中的{what}不能为空")));
    }
    if text.chars().any(char::is_control) || text.chars().count() > MAX_NAME_CHARS {
        return Err(ScopeError(format!(
            "范围中的{what}不能含控制字符，且不超过 {MAX_NAME_CHARS} 个字符"
        )));
    }
    Ok(text.to_owned())
}

/// A 镇街 or 村 of a scope, as [`name`], and without `/`: a village's scope is written
/// `<镇街>/<村>`, and the import refuses a slash in either name, so that `甲/乙` + `丙` and
/// `甲` + `乙/丙` are not one place.
fn place(text: &str, what: &str) -> Result<String, ScopeError> {
    let text = name(text, what)?;
    if text.contains('/') {
        return Err(ScopeError(format!(
            "范围中的{what}不能含有“/”：村范围写作 village:<镇街>/<村>，镇街和村的名称中都没有斜杠"
        )));
    }
    Ok(text)
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::County => f.write_str("county"),
            Scope::Town(town) => write!(f, "town:{town}"),
            Scope::Village { town, village } => write!(f, "village:{town}/{village}"),
            Scope::Department(department) => write!(f, "department:{department}"),
        }
    }
}

impl FromStr for Scope {
    type Err = ScopeError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Scope::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_and_print_as_written() {
        for text in [
            "county",
            "town:马嵬街道",
            "village:马嵬街道/李村",
            "department:农业农村局",
        ] {
            assert_eq!(Scope::parse(text).expect(text).to_string(), text);
        }
        assert_eq!(
            Scope::parse(" village: 马嵬街道 / 李村 "),
            Ok(Scope::Village {
                town: "马嵬街道".into(),
                village: "李村".into()
            })
        );
    }

    #[test]
    fn malformed_scopes_are_refused_with_a_reason() {
        for text in [
            "",
            "town",
            "town:",
            "village:马嵬街道",
            "village:/李村",
            "city:兴平",
            "department: ",
            "town:a\u{0}b",
            "town:甲/乙",
            "village:甲/乙/丙",
        ] {
            let error = Scope::parse(text).expect_err(text);
            assert!(error.to_string().contains("范围"), "{text}: {error}");
        }
    }

    #[test]
    fn scopes_are_shown_in_chinese() {
        let labels: Vec<String> = [
            "county",
            "town:马嵬街道",
            "village:马嵬街道/李村",
            "department:农业农村局",
        ]
        .iter()
        .map(|t| Scope::parse(t).expect(t).label())
        .collect();
        assert_eq!(
            labels,
            [
                "全县",
                "镇街：马嵬街道",
                "村：马嵬街道李村",
                "行业主管部门：农业农村局"
            ]
        );
    }

    #[test]
    fn a_scope_holds_its_places_only() {
        let town = Scope::Town("马嵬街道".into());
        let village = Scope::parse("village:马嵬街道/李村").expect("village");
        let department = Scope::Department("农业农村局".into());
        assert!(town.holds("马嵬街道", None, None));
        assert!(!town.holds("店张街道", Some("李村"), None));
        assert!(village.holds("马嵬街道", Some("李村"), None));
        assert!(!village.holds("马嵬街道", None, None));
        assert!(!village.holds("店张街道", Some("李村"), None));
        assert!(department.holds("任何镇", None, Some("农业农村局")));
        assert!(!department.holds("任何镇", None, None));
        assert!(town.contains(&village) && !village.contains(&town));
        assert!(Scope::County.county().is_some() && town.county().is_none());
    }
}
