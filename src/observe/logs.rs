//! The log subscriber of `serve`: `tracing` events, and Rocket's own `log` lines bridged
//! into them, written to stderr as one JSON object a line, or as human lines on a
//! terminal (setting `log_format`: `auto`, `json` or `text`). How much is written follows
//! Rocket's `log_level` (`off`, `critical`, `normal`, `debug`); Rocket's own lines stay at
//! warnings unless it is `debug`.

use std::io::IsTerminal;

use rocket::config::LogLevel;
use rocket::figment::Figment;
use tracing::Metadata;
use tracing_subscriber::filter::{filter_fn, FilterExt};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::settings;

/// The setting naming the log format.
pub const FORMAT_SETTING: &str = "log_format";

/// The log format's default: JSON unless stderr is a terminal.
pub const DEFAULT_FORMAT: &str = "auto";

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object a line.
    Json,
    /// Human lines.
    Text,
}

impl LogFormat {
    /// The format `figment` asks for, `auto` decided by whether stderr is a terminal.
    ///
    /// Fails naming the setting when it is none of `auto`, `json`, `text`.
    pub fn of(figment: &Figment) -> Result<LogFormat, String> {
        match settings::chosen(figment, FORMAT_SETTING, DEFAULT_FORMAT).as_str() {
            "json" => Ok(LogFormat::Json),
            "text" => Ok(LogFormat::Text),
            "auto" | "" if std::io::stderr().is_terminal() => Ok(LogFormat::Text),
            "auto" | "" => Ok(LogFormat::Json),
            other => Err(settings::invalid_choice(
                FORMAT_SETTING,
                other,
                "auto、json 或 text",
            )),
        }
    }
}

/// The filter for Rocket's `log_level`. Rocket's own lines (its launch line aside) and
/// its per-request notes (targets ending in `::_`, such as "Request guard failed") are
/// kept to errors unless `debug`: the request line says what they would. r2d2's
/// connection retries are left out too; a pool that stays out of reach fails requests,
/// which log it.
fn filter(level: LogLevel) -> EnvFilter {
    let directives = match level {
        LogLevel::Off => "off",
        LogLevel::Critical => {
            "warn,asset_registry::front=info,rocket=error,rocket::launch=warn,hyper=error,r2d2=off"
        }
        LogLevel::Normal => "info,rocket=error,rocket::launch=warn,hyper=error,r2d2=off",
        LogLevel::Debug => "debug,hyper=info",
    };
    EnvFilter::new(directives)
}

/// Whether an event of `metadata` is written at `level`: Rocket's per-request notes only
/// when they are errors, or at `debug`.
fn wanted(metadata: &Metadata<'_>, level: LogLevel) -> bool {
    level == LogLevel::Debug
        || !metadata.target().ends_with("::_")
        || *metadata.level() == tracing::Level::ERROR
}

/// Human lines carry China time to the second, as everything a person reads does
/// (JSON lines keep RFC 3339 in UTC, for machines).
struct ChinaTime;

impl FormatTime for ChinaTime {
    fn format_time(&self, w: &mut Writer<'_>) -> std::fmt::Result {
        let now = chrono::Utc::now().to_rfc3339();
        write!(w, "{}", crate::domain::shown::china_time(&now))
    }
}

/// Installs the subscriber for the rest of the process, before Rocket launches (so
/// that Rocket's `log` lines pass through it rather than Rocket's own logger).
///
/// Fails when the log format setting is invalid; a subscriber already installed (a
/// second call) is left as it is.
pub fn init(figment: &Figment) -> Result<(), String> {
    let format = LogFormat::of(figment)?;
    let level = rocket::Config::from(figment).log_level;
    let only = filter(level).and(filter_fn(move |metadata| wanted(metadata, level)));
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(true);
    let installed = match format {
        LogFormat::Json => tracing_subscriber::registry()
            .with(
                layer
                    .json()
                    .flatten_event(true)
                    .with_current_span(false)
                    .with_filter(only),
            )
            .try_init(),
        LogFormat::Text => tracing_subscriber::registry()
            .with(
                layer
                    .with_ansi(true)
                    .with_timer(ChinaTime)
                    .with_filter(only),
            )
            .try_init(),
    };
    // Already installed: the first subscriber keeps serving.
    drop(installed);
    Ok(())
}
