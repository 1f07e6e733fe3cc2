//! The pieces every query struct is built of: [`Param`], a parameter that may be left
//! out, and [`KeepBlank`], one whose blank value means something of its own; [`Both`],
//! two structs read from one query string; [`QueryError`], the first bad parameter of
//! a query that failed; and [`Documented`], a struct's parameters as the API's OpenAPI
//! document lists them.

use rocket::form::{self, DataField, FromForm, FromFormField, Options, ValueField};

/// A query parameter that may be left out: absent, or given once with a valid value
/// (an invalid one fails the query, naming the parameter). Given blank it counts as
/// absent, as a web form's "全部" choice and empty text boxes send it. Given more than
/// once (`dry_run=true&dry_run=false`) it fails the query, naming the parameter: which
/// of two values was meant is not ours to guess.
///
/// Rocket's own `Option<T>` would not do: it turns an invalid value into `None`.
///
/// `BLANK_IS_A_VALUE` keeps a blank value as given instead (see [`KeepBlank`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param<T, const BLANK_IS_A_VALUE: bool = false>(Option<T>);

/// A [`Param`] whose blank value is a value, read as any other, not the same as leaving
/// the parameter out: `village=` asks for the assets of no village, no `village` for
/// every village.
pub type KeepBlank<T> = Param<T, true>;

impl<T, const BLANK_IS_A_VALUE: bool> Param<T, BLANK_IS_A_VALUE> {
    /// The value, when one was given.
    pub fn get(&self) -> Option<&T> {
        self.0.as_ref()
    }

    /// The value taken out, when one was given.
    pub fn into_inner(self) -> Option<T> {
        self.0
    }
}

impl<T, const BLANK_IS_A_VALUE: bool> Default for Param<T, BLANK_IS_A_VALUE> {
    fn default() -> Self {
        Param(None)
    }
}

/// What [`Param`] has seen of its parameter while the query is read.
pub struct ParamContext<'v> {
    first: Option<ValueField<'v>>,
    given: usize,
}

#[rocket::async_trait]
impl<'v, T: FromFormField<'v>, const BLANK_IS_A_VALUE: bool> FromForm<'v>
    for Param<T, BLANK_IS_A_VALUE>
{
    type Context = ParamContext<'v>;

    fn init(_options: Options) -> Self::Context {
        ParamContext {
            first: None,
            given: 0,
        }
    }

    fn push_value(context: &mut Self::Context, field: ValueField<'v>) {
        context.given += 1;
        if context.first.is_none() {
            context.first = Some(field);
        }
    }

    async fn push_data(context: &mut Self::Context, _field: DataField<'v, '_>) {
        // A query string has no file parts; one given anyway is one more value.
        context.given += 1;
    }

    fn finalize(context: Self::Context) -> form::Result<'v, Self> {
        match context.first {
            Some(field) if context.given > 1 => {
                let name = field.name.source();
                Err(form::Error::validation(format!("{name} 只能给出一次"))
                    .with_name(name)
                    .into())
            }
            Some(field) if BLANK_IS_A_VALUE || !field.value.trim().is_empty() => {
                let (name, value) = (field.name.source(), field.value);
                T::from_value(field)
                    .map(|value| Param(Some(value)))
                    .map_err(|errors| errors.with_name(name).with_value(value))
            }
            _ => Ok(Param(None)),
        }
    }
}

/// Two query structs read from one query string, each taking the fields it names and
/// leaving the others (Rocket's derive has no `flatten`, and a route takes one
/// `<query..>`). A failure lists the first struct's bad parameters before the second's.
///
/// Only for query strings, which Rocket reads leniently: a strict form would refuse
/// each struct the other's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Both<A, B>(pub A, pub B);

#[rocket::async_trait]
impl<'v, A: FromForm<'v>, B: FromForm<'v>> FromForm<'v> for Both<A, B> {
    type Context = (A::Context, B::Context);

    fn init(options: Options) -> Self::Context {
        (A::init(options), B::init(options))
    }

    fn push_value(context: &mut Self::Context, field: ValueField<'v>) {
        A::push_value(&mut context.0, field.clone());
        B::push_value(&mut context.1, field);
    }

    async fn push_data(context: &mut Self::Context, field: DataField<'v, '_>) {
        // A file part can be read once: the first struct has it.
        A::push_data(&mut context.0, field).await;
    }

    fn finalize((a, b): Self::Context) -> form::Result<'v, Self> {
        match (A::finalize(a), B::finalize(b)) {
            (Ok(a), Ok(b)) => Ok(Both(a, b)),
            (a, b) => {
                let mut errors = form::Errors::new();
                errors.extend(a.err().into_iter().flatten());
                errors.extend(b.err().into_iter().flatten());
                Err(errors)
            }
        }
    }
}

/// A query struct's parameters as the API documents them: (name, description), in the
/// order the struct declares its fields. A test reads each name through the struct, so
/// none names a parameter the struct does not take.
pub trait Documented {
    /// Each parameter's name and description.
    fn parameters() -> Vec<(&'static str, &'static str)>;
}

impl<A: Documented, B: Documented> Documented for Both<A, B> {
    /// The first struct's parameters, then the second's.
    fn parameters() -> Vec<(&'static str, &'static str)> {
        let mut parameters = A::parameters();
        parameters.extend(B::parameters());
        parameters
    }
}

/// A query parameter that is not valid: its name, and what is wrong, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// The parameter's name.
    pub parameter: String,
    /// What is wrong with it.
    pub detail: String,
}

impl From<form::Errors<'_>> for QueryError {
    /// The first bad parameter, in the order the query struct declares its fields.
    fn from(errors: form::Errors<'_>) -> Self {
        let Some(first) = errors.iter().next() else {
            return QueryError {
                parameter: String::new(),
                detail: "查询参数无效".to_owned(),
            };
        };
        let parameter = first
            .name
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let detail = match &first.kind {
            form::error::ErrorKind::Validation(detail) => detail.to_string(),
            other => format!("{parameter} 无效：{other}"),
        };
        QueryError { parameter, detail }
    }
}

#[cfg(test)]
mod tests {
    use rocket::form::{Form, FromForm, Lenient};
    use rocket::http::RawStr;

    use super::{KeepBlank, Param, QueryError};

    #[derive(Debug, FromForm)]
    struct Place {
        town: Param<String>,
        village: KeepBlank<String>,
    }

    fn read(query: &str) -> Result<(Option<String>, Option<String>), QueryError> {
        Form::<Lenient<Place>>::parse_encoded(RawStr::new(query))
            .map(|place| {
                let place = place.into_inner();
                (place.town.into_inner(), place.village.into_inner())
            })
            .map_err(QueryError::from)
    }

    #[test]
    fn a_blank_value_is_absent_unless_kept() {
        let some = |text: &str| Some(text.to_owned());
        assert_eq!(read("town=&village=").unwrap(), (None, some("")));
        assert_eq!(read("town=T").unwrap(), (some("T"), None));
        assert_eq!(read("village=V").unwrap(), (None, some("V")));
        assert_eq!(
            read("village=&village=V").unwrap_err().detail,
            "village 只能给出一次"
        );
    }
}
