//! Typed query strings, shared by the API and the web pages: one `FromForm` struct per
//! kind of list query, with typed fields, taken by a route as `?<query..>` inside
//! `rocket::form::Result` so that a bad parameter is reported by name ([`QueryError`]).
//! Parameters nobody asked for are left alone, as they always were.

pub mod fields;
pub mod param;
pub mod strict_json;

use rocket::form::FromForm;

pub use fields::{FilterText, Flag, Seq, YearFilter};
pub use param::{Both, Documented, KeepBlank, Param, QueryError};

use crate::domain::{
    AssetClass, AssetCondition, AssetStatus, BusinessDate, OperatingMode, OwnerType,
};
use crate::export::ExportEncoding;
use crate::observe::access::store::AccessFilter;
use crate::paging::{Cursor, CursorKey, Limit, TimeKey};
use crate::reconcile::findings::FindingKind;
use crate::register::query::{AssetFilter, ProjectFilter};

/// The asset filters, shared by the API's asset list, the CSV export and the web
/// register. Owner, owner type and status are the current state's (or, with `as_of`,
/// the state then).
#[derive(Debug, Clone, FromForm)]
pub struct AssetFilterQuery {
    class: Param<AssetClass>,
    town: Param<FilterText>,
    village: Param<FilterText>,
    owner: Param<FilterText>,
    owner_type: Param<OwnerType>,
    status: Param<AssetStatus>,
    project: Param<FilterText>,
    year: Param<YearFilter>,
    q: Param<FilterText>,
    department: Param<FilterText>,
    condition: Param<AssetCondition>,
    operating_mode: Param<OperatingMode>,
}

impl AssetFilterQuery {
    /// The filter the register's queries take.
    pub fn into_filter(self) -> AssetFilter {
        AssetFilter {
            class: self.class.into_inner(),
            town: text(self.town),
            village: text(self.village),
            owner: text(self.owner),
            owner_type: self.owner_type.into_inner(),
            status: self.status.into_inner(),
            project: text(self.project),
            year: self.year.into_inner().map(YearFilter::get),
            q: text(self.q),
            department: text(self.department),
            condition: self.condition.into_inner(),
            operating_mode: self.operating_mode.into_inner(),
        }
    }
}

impl Documented for AssetFilterQuery {
    fn parameters() -> Vec<(&'static str, &'static str)> {
        vec![
            ("class", "operating | public_welfare | household"),
            ("town", "镇/街道"),
            ("village", "村"),
            ("owner", "所有权人（完全相同）"),
            (
                "owner_type",
                "village_collective | household | government | enterprise | other",
            ),
            ("status", "registered | confirmed | disposed"),
            ("project", "项目编号"),
            ("year", "项目年度"),
            ("q", "资产名称或所有权人名称中的子串（ASCII 字母 A–Z 不分大小写，其余字符须完全相同，全角字母、希腊字母等不折叠大小写；% 和 _ 按字面匹配）"),
            ("department", "行业主管部门（完全相同）"),
            ("condition", "normal | idle | damaged（资产状态）"),
            (
                "operating_mode",
                "self | contract | lease | equity | trust（经营方式）",
            ),
        ]
    }
}

/// A text filter's text, unless it was left out or empty.
fn text(param: Param<FilterText>) -> Option<String> {
    param.into_inner().and_then(FilterText::non_empty)
}

/// The project filters of the API's project list.
#[derive(Debug, Clone, FromForm)]
pub struct ProjectFilterQuery {
    town: Param<FilterText>,
    village: Param<FilterText>,
    year: Param<YearFilter>,
    class: Param<AssetClass>,
    q: Param<FilterText>,
}

impl ProjectFilterQuery {
    /// The filter the register's queries take.
    pub fn into_filter(self) -> ProjectFilter {
        ProjectFilter {
            town: text(self.town),
            village: text(self.village),
            year: self.year.into_inner().map(YearFilter::get),
            class: self.class.into_inner(),
            q: text(self.q),
        }
    }
}

impl Documented for ProjectFilterQuery {
    fn parameters() -> Vec<(&'static str, &'static str)> {
        vec![
            ("town", "镇/街道"),
            ("village", "村"),
            ("year", "项目年度"),
            ("class", "含此类别资产的项目"),
            ("q", "项目名称中的子串（ASCII 字母 A–Z 不分大小写，其余字符须完全相同，全角字母、希腊字母等不折叠大小写；% 和 _ 按字面匹配）"),
        ]
    }
}

/// The findings filter: one `kind`, or every kind.
#[derive(Debug, Clone, FromForm)]
pub struct FindingFilterQuery {
    kind: Param<FindingKind>,
}

impl FindingFilterQuery {
    /// The kind asked for, if any.
    pub fn kind(&self) -> Option<FindingKind> {
        self.kind.get().copied()
    }
}

impl Documented for FindingFilterQuery {
    fn parameters() -> Vec<(&'static str, &'static str)> {
        vec![(
            "kind",
            "project_value_mismatch | owner_type_mismatch | missing_custodian | unconfirmed | operating_without_income | idle_or_damaged | duplicate_candidate",
        )]
    }
}

/// A page of a list: `limit` (1 to 1000, default 100) and the `cursor` of the previous
/// page's `next_cursor`.
#[derive(Debug, Clone, FromForm)]
pub struct PageQuery<K: CursorKey + Send> {
    limit: Param<Limit>,
    cursor: Param<Cursor<K>>,
}

impl<K: CursorKey + Send> PageQuery<K> {
    /// The page size.
    pub fn limit(&self) -> Limit {
        self.limit.get().copied().unwrap_or_default()
    }

    /// Where the page begins: after the cursor's key, or at the start.
    pub fn cursor(&self) -> Option<&Cursor<K>> {
        self.cursor.get()
    }

    /// Whether the caller asked for a page: gave `limit` or `cursor`.
    pub fn asked(&self) -> bool {
        self.limit.get().is_some() || self.cursor.get().is_some()
    }
}

impl<K: CursorKey + Send> Documented for PageQuery<K> {
    fn parameters() -> Vec<(&'static str, &'static str)> {
        vec![
            ("limit", "每页条数，1–1000，默认 100"),
            ("cursor", "上一页的 next_cursor"),
        ]
    }
}

/// A page of a web page's list, whose size the page sets: the `cursor` alone.
#[derive(Debug, Clone, FromForm)]
pub struct CursorQuery<K: CursorKey + Send> {
    cursor: Param<Cursor<K>>,
}

impl<K: CursorKey + Send> CursorQuery<K> {
    /// Where the page begins: after the cursor's key, or at the start.
    pub fn cursor(&self) -> Option<&Cursor<K>> {
        self.cursor.get()
    }
}

/// A page of the API's asset list, as of `as_of` if given: `as_of`, `limit`, `cursor`.
#[derive(Debug, Clone, FromForm)]
pub struct AssetPageQuery {
    as_of: Param<BusinessDate>,
    limit: Param<Limit>,
    cursor: Param<Cursor<String>>,
}

impl AssetPageQuery {
    /// The day the assets are to be shown as of; `None` for now.
    pub fn as_of(&self) -> Option<BusinessDate> {
        self.as_of.get().copied()
    }

    /// The page size.
    pub fn limit(&self) -> Limit {
        self.limit.get().copied().unwrap_or_default()
    }

    /// The code after which the page begins.
    pub fn cursor(&self) -> Option<&Cursor<String>> {
        self.cursor.get()
    }
}

impl Documented for AssetPageQuery {
    fn parameters() -> Vec<(&'static str, &'static str)> {
        let mut parameters = vec![("as_of", "YYYY-MM-DD")];
        parameters.extend(PageQuery::<String>::parameters());
        parameters
    }
}

/// The CSV export's own parameter: `encoding` (UTF-8 with BOM by default, or GBK).
#[derive(Debug, Clone, FromForm)]
pub struct EncodingQuery {
    encoding: Param<ExportEncoding>,
}

impl EncodingQuery {
    /// The encoding asked for, UTF-8 with BOM when none was.
    pub fn encoding(&self) -> ExportEncoding {
        self.encoding
            .get()
            .copied()
            .unwrap_or(ExportEncoding::Utf8Bom)
    }
}

impl Documented for EncodingQuery {
    fn parameters() -> Vec<(&'static str, &'static str)> {
        vec![("encoding", "utf-8 | gbk")]
    }
}

/// The change feed's query: the `seq` to continue `after` (0 by default) and `limit`.
#[derive(Debug, Clone, FromForm)]
pub struct EventsQuery {
    after: Param<Seq>,
    limit: Param<Limit>,
}

impl EventsQuery {
    /// The last `seq` already seen.
    pub fn after(&self) -> i64 {
        self.after.get().map_or(0, |seq| seq.get())
    }

    /// The page size.
    pub fn limit(&self) -> Limit {
        self.limit.get().copied().unwrap_or_default()
    }
}

impl Documented for EventsQuery {
    fn parameters() -> Vec<(&'static str, &'static str)> {
        vec![
            ("after", "从此 seq 之后开始"),
            ("limit", "条数，1–1000，默认 100"),
        ]
    }
}

/// The access log's filters (`GET /api/v1/access-log`, the page 访问记录).
#[derive(Debug, Clone, FromForm)]
pub struct AccessLogFilterQuery {
    who: Param<FilterText>,
    route: Param<FilterText>,
    since: Param<BusinessDate>,
    until: Param<BusinessDate>,
    code: Param<FilterText>,
}

impl AccessLogFilterQuery {
    /// The filter the access log's query takes.
    pub fn into_filter(self) -> AccessFilter {
        AccessFilter {
            who: text(self.who),
            route: text(self.route),
            since: self.since.into_inner().map(BusinessDate::naive),
            until: self.until.into_inner().map(BusinessDate::naive),
            code: text(self.code),
        }
    }
}

impl Documented for AccessLogFilterQuery {
    fn parameters() -> Vec<(&'static str, &'static str)> {
        vec![
            ("who", "令牌名称（完全相同）"),
            ("route", "路由，如 /api/v1/assets/<key>（完全相同）"),
            ("since", "自此日起（北京时间，YYYY-MM-DD）"),
            ("until", "至此日止（含，北京时间，YYYY-MM-DD）"),
            ("code", "涉及的资产编号"),
        ]
    }
}

/// `GET /api/v1/access-log`: the filters and the page.
pub type AccessLogQuery = Both<AccessLogFilterQuery, PageQuery<TimeKey>>;

/// The page 访问记录: the filters and the cursor.
pub type AccessLogPageQuery = Both<AccessLogFilterQuery, CursorQuery<TimeKey>>;

/// `GET /api/v1/assets`: the asset filters, then `as_of` and the page.
pub type AssetListQuery = Both<AssetFilterQuery, AssetPageQuery>;

/// `GET /api/v1/assets.csv`: the encoding, then the asset filters.
pub type ExportQuery = Both<EncodingQuery, AssetFilterQuery>;

/// The web register `/assets`: the asset filters and the cursor.
pub type RegisterQuery = Both<AssetFilterQuery, CursorQuery<String>>;

/// The web project list `/projects`: the project filters and the cursor.
pub type ProjectPageQuery = Both<ProjectFilterQuery, CursorQuery<String>>;

/// `GET /api/v1/projects`: the project filters and the page.
pub type ProjectListQuery = Both<ProjectFilterQuery, PageQuery<String>>;

/// `GET /api/v1/findings`: the kind and the page.
pub type FindingListQuery =
    Both<FindingFilterQuery, PageQuery<crate::reconcile::findings::FindingKey>>;

/// `GET /api/v1/findings.csv`: the encoding, then the kind.
pub type FindingExportQuery = Both<EncodingQuery, FindingFilterQuery>;

/// The web findings `/findings`: the kind and the cursor.
pub type FindingPageQuery =
    Both<FindingFilterQuery, CursorQuery<crate::reconcile::findings::FindingKey>>;

#[cfg(test)]
mod tests {
    use rocket::form::{Form, Lenient};
    use rocket::http::RawStr;

    use super::*;

    /// Reads `query` as Rocket reads a route's query string (leniently).
    fn read<T: for<'v> FromForm<'v> + 'static>(query: &str) -> Result<T, QueryError> {
        Form::<Lenient<T>>::parse_encoded(RawStr::new(query))
            .map(|lenient| lenient.into_inner())
            .map_err(QueryError::from)
    }

    fn refusal<T: for<'v> FromForm<'v> + std::fmt::Debug + 'static>(
        query: &str,
    ) -> (String, String) {
        let error = read::<T>(query).expect_err(query);
        (error.parameter, error.detail)
    }

    #[test]
    fn a_bad_value_is_refused_by_name_with_what_it_should_be() {
        assert_eq!(
            refusal::<AssetListQuery>("class=foo"),
            (
                "class".to_owned(),
                "class 应为 operating、public_welfare 或 household，收到“foo”".to_owned()
            )
        );
        assert_eq!(
            refusal::<EventsQuery>("after=-1"),
            (
                "after".to_owned(),
                "after 应为非负整数，收到“-1”".to_owned()
            )
        );
        assert_eq!(
            refusal::<PageQuery<TimeKey>>("cursor=c1.616263"),
            (
                "cursor".to_owned(),
                "cursor 无效：请使用上一页响应中的 next_cursor".to_owned()
            )
        );
    }

    #[test]
    fn the_first_bad_parameter_is_the_one_named() {
        let first = |query| refusal::<AssetListQuery>(query).0;
        assert_eq!(first("cursor=zz&limit=0&as_of=bad&status=lost"), "status");
        assert_eq!(first("cursor=zz&limit=0&as_of=bad"), "as_of");
        assert_eq!(first("cursor=zz&limit=0"), "limit");
        assert_eq!(
            refusal::<ExportQuery>("class=foo&encoding=latin1").0,
            "encoding"
        );
    }

    #[test]
    fn unknown_and_empty_parameters_are_as_before_and_repeated_ones_refused() {
        assert_eq!(
            refusal::<AssetListQuery>("class=operating&class=household"),
            ("class".to_owned(), "class 只能给出一次".to_owned())
        );
        assert_eq!(refusal::<AssetListQuery>("limit=1&limit=2").0, "limit");
        let Both(filter, page) =
            read::<AssetListQuery>("bogus=1&bogus=2&town=+&q=%E6%B0%B4").expect("valid");
        let filter = filter.into_filter();
        assert_eq!(filter.class, None);
        assert_eq!(filter.town, None, "blank: no filter");
        assert_eq!(filter.q.as_deref(), Some("水"));
        assert_eq!(page.limit(), Limit::DEFAULT);
        assert_eq!(page.as_of(), None);
        assert_eq!(
            refusal::<AssetListQuery>("village=a%00b").1,
            "village 不能含有控制字符"
        );
    }

    #[test]
    fn blank_choices_mean_no_filter_as_a_web_form_sends_them() {
        let Both(filter, page) =
            read::<AssetListQuery>("class=public_welfare&status=&owner_type=+&as_of=&limit=")
                .expect("a form's 全部 and empty boxes are no filter");
        let filter = filter.into_filter();
        assert_eq!(filter.class, Some(AssetClass::PublicWelfare));
        assert_eq!((filter.status, filter.owner_type), (None, None));
        assert_eq!((page.as_of(), page.limit()), (None, Limit::DEFAULT));
    }

    #[test]
    fn typed_values_come_through() {
        let Both(filter, page) =
            read::<FindingListQuery>("kind=unconfirmed&limit=3&cursor=c1.337c5850").expect("valid");
        assert_eq!(filter.kind().map(FindingKind::as_str), Some("unconfirmed"));
        assert_eq!(page.limit().get(), 3);
        assert!(page.cursor().is_some());
        let Both(filter, _) = read::<ProjectListQuery>("year=2020").expect("valid");
        assert_eq!(filter.into_filter().year, Some(2020));
        let Both(encoding, _) = read::<ExportQuery>("encoding=GBK").expect("valid");
        assert_eq!(encoding.encoding(), ExportEncoding::Gbk);
    }

    /// Asserts that `T` reads each parameter it documents: a value no parameter takes
    /// (a NUL) is refused by that parameter's name.
    fn reads_what_it_documents<T: Documented + for<'v> FromForm<'v> + std::fmt::Debug + 'static>() {
        let parameters = T::parameters();
        assert!(!parameters.is_empty());
        for (name, description) in parameters {
            assert!(!description.is_empty(), "{name}");
            assert_eq!(refusal::<T>(&format!("{name}=%00")).0, name);
        }
    }

    #[test]
    fn every_documented_parameter_is_one_the_query_reads() {
        reads_what_it_documents::<AssetListQuery>();
        reads_what_it_documents::<ExportQuery>();
        reads_what_it_documents::<ProjectListQuery>();
        reads_what_it_documents::<FindingListQuery>();
        reads_what_it_documents::<FindingExportQuery>();
        reads_what_it_documents::<PageQuery<TimeKey>>();
        reads_what_it_documents::<EventsQuery>();
        reads_what_it_documents::<AccessLogQuery>();
    }
}
