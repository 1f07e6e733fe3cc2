//! The settings in one place: each one's name, default and meaning, read the way Rocket
//! reads its own — `Rocket.toml` in the working directory (or the file `ROCKET_CONFIG`
//! names), then `ROCKET_<NAME>` environment variables — by `serve` and every other
//! command alike; and the effective values `asset-registry config` prints, secrets
//! never.

use rocket::figment::providers::Serialized;
use rocket::figment::value::Value;
use rocket::figment::Figment;

use crate::db::pool::DEFAULT_SQLITE_PATH;

/// The setting naming the database (after `--database` and `DATABASE_URL`).
pub const DATABASE: &str = "database";

/// The setting `name` that chooses one of a few words, as `figment` gives it, trimmed;
/// `default` when it is not set.
pub fn chosen(figment: &Figment, name: &str, default: &str) -> String {
    figment
        .extract_inner::<String>(name)
        .map(|value| value.trim().to_owned())
        .unwrap_or_else(|_| default.trim().to_owned())
}

/// What is said of the setting `name` when its `value` is none of the words it takes,
/// `expected` (listed in Chinese: `a、b 或 c`).
pub fn invalid_choice(name: &str, value: &str, expected: &str) -> String {
    format!("设置 {name} 的值“{value}”无效：应为 {expected}")
}

/// A setting: its name in `Rocket.toml` (`ROCKET_` and its name in capitals in the
/// environment), its default as written there, and what it does, in Chinese.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The key, dotted for a nested one (`limits.import`).
    pub name: &'static str,
    /// The default, as `config` shows it.
    pub default: &'static str,
    /// What it does.
    pub what: &'static str,
    /// Whether its value is a secret (shown only as set or not).
    pub secret: bool,
}

const fn setting(name: &'static str, default: &'static str, what: &'static str) -> Setting {
    Setting {
        name,
        default,
        what,
        secret: false,
    }
}

/// Every setting the register reads, in the order README lists them.
#[rustfmt::skip]
pub const SETTINGS: &[Setting] = &[
    setting(DATABASE, DEFAULT_SQLITE_PATH, "数据库：SQLite 文件路径或 postgres://…（--database、DATABASE_URL 优先）"),
    setting("address", "127.0.0.1", "监听地址（serve --address）"),
    setting("port", "8000", "监听端口（serve --port）"),
    setting("workers", "CPU 核数", "处理请求的线程数"),
    setting("limits.import", "256MiB", "导入文件的大小上限（超过则 413）"),
    setting("limits.json", "1MiB", "台账记录、申报等 JSON 请求体的大小上限"),
    setting("limits.attachment", "20MiB", "附件（档案）的大小上限（超过则 413）"),
    setting(crate::front::SETTING, "10", "客户端须在几秒内发完请求头（0 关闭；TLS 由 Rocket 提供时不适用）"),
    setting(crate::db::pool::STATEMENT_TIMEOUT_SETTING, "30", "PostgreSQL 上服务器的一条查询最多执行几秒，超时即取消（0 关闭；导入不受此限）"),
    setting("ip_header", "false", "可信反向代理告知客户端地址的请求头（如 X-Real-IP）；false 为不采信"),
    setting("public", "false", "是否开放各村公示页（serve --public），无需登录"),
    setting(crate::approvals::policy::SETTING, crate::approvals::policy::DEFAULT, "哪些台账记录须经审批、由哪几级审批（类型=town,county；空值为直接记入台账）"),
    setting(crate::approvals::NOTICE_DAYS, "7", "公示默认天数（登记公示时未写天数则用此值）"),
    setting(crate::approvals::COUNTY_NAME, crate::approvals::DEFAULT_COUNTY_NAME, "县名，印在公示单的标题上"),
    setting(crate::observe::scrape::SETTING, crate::observe::scrape::DEFAULT_EXPOSURE, "运行指标 /metrics 对谁开放：loopback 仅本机、open 所有地址、off 不提供"),
    setting(crate::observe::logs::FORMAT_SETTING, crate::observe::logs::DEFAULT_FORMAT, "日志格式：auto（终端上为文本，否则 JSON）、json、text"),
    setting("log_level", "normal", "日志详略：off、critical、normal、debug"),
    setting("tls.certs", "（无）", "由本程序直接提供 HTTPS 时的证书文件（与 tls.key 同设）"),
    Setting { name: "secret_key", default: "（每次启动随机生成）", what: "Rocket 的加密密钥（本程序不用加密 Cookie）", secret: true },
];

/// The settings as Rocket reads them: its defaults, `Rocket.toml`, `ROCKET_*`.
pub fn figment() -> Figment {
    rocket::Config::figment()
}

/// The database to open: `flag` (`--database` or `DATABASE_URL`), else the setting
/// `database` of `figment`, else the default SQLite file.
pub fn database(flag: Option<String>, figment: &Figment) -> String {
    flag.filter(|url| !url.trim().is_empty())
        .or_else(|| figment.extract_inner::<String>(DATABASE).ok())
        .unwrap_or_else(|| DEFAULT_SQLITE_PATH.to_owned())
}

/// Where a setting's effective value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Nobody set it.
    Default,
    /// The command line (`--database`, `--port`…) or `DATABASE_URL`.
    CommandLine,
    /// A configuration file (its path).
    File(String),
    /// An environment variable (its name).
    Environment(String),
}

impl Source {
    /// The source as a person reads it.
    pub fn label(&self) -> String {
        match self {
            Source::Default => "默认".to_owned(),
            Source::CommandLine => "命令行或 DATABASE_URL".to_owned(),
            Source::File(path) => format!("文件 {path}"),
            Source::Environment(name) => format!("环境变量 {name}"),
        }
    }
}

/// One line of `config`: a setting, its effective value (a secret masked) and where
/// that came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effective {
    /// The setting.
    pub setting: Setting,
    /// Its value as shown.
    pub value: String,
    /// Where it came from.
    pub source: Source,
}

/// Whether `key` is unset or holds Rocket's own default (nobody configured it).
fn rocket_default(figment: &Figment, key: &str) -> bool {
    figment
        .find_metadata(key)
        .is_none_or(|metadata| metadata.name.starts_with("rocket::Config"))
}

/// The settings `serve` runs with: `figment` with the register's own defaults filled
/// in where nothing set them.
pub fn serving(figment: Figment) -> Figment {
    // Defaults go in the `default` profile: a plain tuple is `global` and would override
    // what `Rocket.toml` says under `[default]` (as it did for `public` and `limits`).
    let figment = figment
        .join(Serialized::default(
            "limits.import",
            crate::api::DEFAULT_IMPORT_LIMIT,
        ))
        .join(Serialized::default(
            "limits.attachment",
            crate::api::attachments::DEFAULT_LIMIT,
        ));
    // The asset page uploads documents as a multipart form: Rocket's own limits of a
    // form's file and of the whole form follow the attachment limit unless set.
    let attachment = figment
        .extract_inner::<rocket::data::ByteUnit>("limits.attachment")
        .unwrap_or(crate::api::attachments::DEFAULT_LIMIT);
    let mut figment = figment.join(Serialized::default("public", false));
    for (limit, value) in [
        ("limits.file", attachment),
        (
            "limits.data-form",
            attachment + rocket::data::ByteUnit::Kibibyte(64),
        ),
    ] {
        if rocket_default(&figment, limit) {
            figment = figment.merge(Serialized::default(limit, value));
        }
    }
    // The client address comes from the socket unless an `ip_header` is configured for
    // a trusted proxy: a header any client can set must not steer the throttle. Rocket's
    // own default (`X-Real-IP`) is overruled; a configured one is kept.
    if rocket_default(&figment, "ip_header") {
        figment.merge(Serialized::global("ip_header", false))
    } else {
        figment
    }
}

/// Every setting's effective value in `figment` as `serve` would run with it,
/// `database` being the one the command opens (given on its command line when `flag`).
pub fn effective(figment: &Figment, database: &str, flag: bool) -> Vec<Effective> {
    let figment = serving(figment.clone());
    let config = rocket::Config::from(&figment);
    SETTINGS
        .iter()
        .map(|setting| {
            let found = figment.find_value(setting.name).ok();
            let source = if setting.name == DATABASE && flag {
                Source::CommandLine
            } else {
                source_of(&figment, setting.name, found.is_some())
            };
            let value = match setting.name {
                DATABASE => without_password(database),
                _ if setting.secret => match &source {
                    Source::File(_) | Source::Environment(_) => "（已设置，不显示）".to_owned(),
                    _ => "（未设置）".to_owned(),
                },
                "address" => config.address.to_string(),
                "port" => config.port.to_string(),
                "workers" => config.workers.to_string(),
                "log_level" => config.log_level.to_string(),
                "ip_header" => config
                    .ip_header
                    .as_deref()
                    .map_or_else(|| "false".to_owned(), |header| header.as_str().to_owned()),
                name if name.starts_with("limits.") => config
                    .limits
                    .get(&name["limits.".len()..])
                    .map_or_else(|| setting.default.to_owned(), |limit| limit.to_string()),
                _ => found
                    .as_ref()
                    .map_or_else(|| setting.default.to_owned(), shown),
            };
            Effective {
                setting: *setting,
                value,
                source,
            }
        })
        .collect()
}

/// Where `name` came from in `figment`.
fn source_of(figment: &Figment, name: &str, found: bool) -> Source {
    if !found {
        return Source::Default;
    }
    let Some(metadata) = figment.find_metadata(name) else {
        return Source::Default;
    };
    if metadata.name.contains("environment") {
        // A nested setting is given whole in one variable: ROCKET_LIMITS='{import="1GiB"}'.
        let first = name.split('.').next().unwrap_or(name);
        return Source::Environment(format!("ROCKET_{}", first.to_uppercase()));
    }
    match &metadata.source {
        Some(rocket::figment::Source::File(path)) => Source::File(path.display().to_string()),
        _ => Source::Default,
    }
}

/// A value as `Rocket.toml` would write it (strings bare).
fn shown(value: &Value) -> String {
    match value {
        Value::String(_, text) => text.clone(),
        Value::Bool(_, flag) => flag.to_string(),
        Value::Num(_, number) => number
            .to_u128()
            .map(|n| n.to_string())
            .or_else(|| number.to_i128().map(|n| n.to_string()))
            .or_else(|| number.to_f64().map(|n| n.to_string()))
            .unwrap_or_default(),
        Value::Empty(..) => String::new(),
        Value::Char(_, c) => c.to_string(),
        Value::Dict(..) | Value::Array(..) => serde_json::to_string(value).unwrap_or_default(),
    }
}

/// A database URL with its password replaced by `***`.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, None), |(a, p)| (a, Some(p)));
    let Some((credentials, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    let user = credentials
        .split_once(':')
        .map_or(credentials, |(user, _)| user);
    let masked = if credentials.contains(':') {
        format!("{user}:***")
    } else {
        user.to_owned()
    };
    let mut shown = format!("{scheme}://{masked}@{host}");
    if let Some(path) = path {
        shown.push('/');
        shown.push_str(&mask_query_password(path));
    }
    shown
}

/// `password=…` in a URL's query replaced by `***`.
fn mask_query_password(path: &str) -> String {
    let Some((before, query)) = path.split_once('?') else {
        return path.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{before}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show_in_a_database_url() {
        assert_eq!(
            without_password("postgres://registry:s3cret@db.example:5432/registry"),
            "postgres://registry:***@db.example:5432/registry"
        );
        assert_eq!(
            without_password("postgres://registry@db/registry?password=s3cret&sslmode=require"),
            "postgres://registry@db/registry?password=***&sslmode=require"
        );
        assert_eq!(
            without_password("data/registry.sqlite3"),
            "data/registry.sqlite3"
        );
    }
}
