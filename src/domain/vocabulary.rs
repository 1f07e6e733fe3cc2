//! The one shape of every closed vocabulary (classes, owner types, statuses, inspection
//! results, disposal methods, import batch statuses): each member has an English code that
//! the API and the database carry, a Chinese label that staff read, and the spellings a
//! spreadsheet or a form may use for it. A vocabulary states its members once, each with
//! its spelling (`closed_vocabulary!`, which writes [`Vocabulary::ALL`] and
//! [`Vocabulary::spelling`]); parsing, labels, form choices and messages come from there.

/// How one member of a vocabulary is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spelling {
    /// The English code the API and the database use (`public_welfare`).
    pub code: &'static str,
    /// The Chinese label staff read (公益性).
    pub label: &'static str,
    /// Other spellings [`Vocabulary::parse`] accepts for the member (公益性资产).
    pub also: &'static [&'static str],
}

impl Spelling {
    /// A member written only as its `code`, labelled `label`.
    pub const fn new(code: &'static str, label: &'static str) -> Self {
        Spelling {
            code,
            label,
            also: &[],
        }
    }

    /// The same member, also read from each of `also`.
    pub const fn or(self, also: &'static [&'static str]) -> Self {
        Spelling { also, ..self }
    }

    /// Whether `text` (already trimmed) is one of the member's spellings.
    fn accepts(&self, text: &str) -> bool {
        self.code == text || self.also.contains(&text)
    }
}

/// Declares a closed vocabulary: the enum as written, each member followed by `=>` and
/// its [`Spelling`], and its [`Vocabulary`], whose `ALL` lists the members in the order
/// they are declared, so that a member cannot be left out of it.
macro_rules! closed_vocabulary {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$member_meta:meta])* $member:ident => $spelling:expr,)+
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $($(#[$member_meta])* $member,)+
        }

        impl $crate::domain::Vocabulary for $name {
            const ALL: &'static [Self] = &[$($name::$member),+];

            fn spelling(self) -> $crate::domain::Spelling {
                match self {
                    $($name::$member => $spelling,)+
                }
            }
        }
    };
}

pub(crate) use closed_vocabulary;

/// A closed vocabulary: an enum whose members are listed in [`Vocabulary::ALL`] and
/// spelled by [`Vocabulary::spelling`]. Serde and schemars derive from the same enum
/// (`rename_all = "snake_case"`), and a test checks their names are the codes.
pub trait Vocabulary: Copy + PartialEq + 'static {
    /// Every member, in the order lists and forms show them.
    const ALL: &'static [Self];

    /// How the member is written.
    fn spelling(self) -> Spelling;

    /// The English code used in the API and the database.
    fn as_str(self) -> &'static str {
        self.spelling().code
    }

    /// The Chinese name staff read.
    fn label(self) -> &'static str {
        self.spelling().label
    }

    /// Parses a member from its code or one of its other spellings, around which white
    /// space is ignored.
    ///
    /// Fails (`None`) for anything else.
    fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|member| member.spelling().accepts(text))
    }

    /// Every member as its code and label, in order, for a choice in a form.
    fn choices() -> Vec<(&'static str, &'static str)> {
        Self::ALL.iter().map(|m| (m.as_str(), m.label())).collect()
    }

    /// The codes as a message lists them: `registered、confirmed 或 disposed`.
    fn codes_listed() -> String {
        let codes: Vec<&str> = Self::ALL.iter().map(|m| m.as_str()).collect();
        match codes.split_last() {
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} 或 {last}", rest.join("、")),
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AssetClass, AssetStatus, DisposalMethod, InspectionResult, OwnerType};
    use crate::import::batch::BatchStatus;

    /// Serde writes and reads each member by its code, and each has a label and parses
    /// back from its code.
    fn agree<T>()
    where
        T: Vocabulary + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned,
    {
        assert_eq!(T::ALL.len(), T::choices().len());
        for (member, (code, label)) in T::ALL.iter().zip(T::choices()) {
            assert_eq!(member.as_str(), code);
            assert_eq!(
                serde_json::to_value(member).ok(),
                Some(serde_json::Value::from(code))
            );
            let back: Option<T> = serde_json::from_value(serde_json::Value::from(code)).ok();
            assert_eq!(back.as_ref(), Some(member));
            assert_eq!(T::parse(code).as_ref(), Some(member));
            assert!(!label.is_empty());
        }
    }

    #[test]
    fn every_vocabulary_writes_and_reads_its_codes() {
        agree::<AssetClass>();
        agree::<OwnerType>();
        agree::<AssetStatus>();
        agree::<InspectionResult>();
        agree::<DisposalMethod>();
        assert_eq!(InspectionResult::Idle.label(), "闲置");
        assert_eq!(DisposalMethod::Loss.label(), "灭失");
        for status in BatchStatus::ALL {
            assert_eq!(BatchStatus::parse(status.as_str()), Some(*status));
            assert_eq!(
                serde_json::to_value(status).ok(),
                Some(serde_json::Value::from(status.as_str()))
            );
        }
    }

    #[test]
    fn codes_are_listed_as_a_message_names_them() {
        assert_eq!(
            AssetClass::codes_listed(),
            "operating、public_welfare 或 household"
        );
        assert_eq!(
            OwnerType::codes_listed(),
            "village_collective、household、government、enterprise 或 other"
        );
    }
}
