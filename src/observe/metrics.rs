//! The process's metrics, kept in atomics and small maps and written in the Prometheus
//! text format (version 0.0.4) by `GET /metrics`: requests by route and status, their
//! durations, import batches and rows, ledger appends, the chain lock's wait, and the
//! database pool's connections in use and waiting.
//!
//! One registry a process, as a static: what it counts happens deep in the core (the
//! chain lock is taken by imports and appends alike), where no Rocket state reaches, and
//! a counter is process state by nature, not configuration. A small writer over atomics
//! rather than a metrics crate: those bring a registry and runtime of their own for the
//! dozen series kept here.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// The upper bounds, in seconds, of the duration histograms' buckets.
const BUCKETS: [f64; 14] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// A histogram of durations: a count per bucket (not cumulative), the sum and count.
#[derive(Debug, Clone, Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        if let Some(bucket) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            self.buckets[bucket] += 1;
        }
        self.sum += seconds;
        self.count += 1;
    }

    /// Writes the histogram `name` with `labels` (`key="value"` pairs, or empty).
    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(self.buckets) {
            cumulative += count;
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let braced = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braced} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braced} {}", self.count);
    }
}

/// What the process counts.
#[derive(Debug)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    durations: Mutex<BTreeMap<String, Histogram>>,
    imports: Mutex<BTreeMap<&'static str, (u64, u64)>>,
    appends: AtomicU64,
    chain_lock_wait: Mutex<Histogram>,
}

/// The process's metrics.
pub static METRICS: Metrics = Metrics {
    requests: Mutex::new(BTreeMap::new()),
    durations: Mutex::new(BTreeMap::new()),
    imports: Mutex::new(BTreeMap::new()),
    appends: AtomicU64::new(0),
    chain_lock_wait: Mutex::new(Histogram {
        buckets: [0; BUCKETS.len()],
        sum: 0.0,
        count: 0,
    }),
};

/// The pool's connections at the moment of a scrape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolGauges {
    /// Connections lent out.
    pub in_use: u64,
    /// Connections open and idle.
    pub idle: u64,
    /// Callers waiting for a connection.
    pub waiting: u64,
    /// The pool's size.
    pub max: u64,
}

impl Metrics {
    /// Counts a request answered on `route` with `status` after `elapsed`.
    pub fn request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests
                .entry((route.to_owned(), method.to_owned(), status))
                .or_default() += 1;
        }
        if let Ok(mut durations) = self.durations.lock() {
            durations
                .entry(route.to_owned())
                .or_default()
                .observe(elapsed);
        }
    }

    /// Counts an import batch that ended as `outcome` (`committed`, `rejected`,
    /// `dry_run`, `replayed`) with `rows` data rows.
    pub fn import(&self, outcome: &'static str, rows: u64) {
        if let Ok(mut imports) = self.imports.lock() {
            let kept = imports.entry(outcome).or_default();
            kept.0 += 1;
            kept.1 += rows;
        }
    }

    /// Counts a ledger entry appended.
    pub fn ledger_append(&self) {
        self.appends.fetch_add(1, Ordering::Relaxed);
    }

    /// Records how long taking the chain's lock waited.
    pub fn chain_lock_waited(&self, elapsed: Duration) {
        if let Ok(mut wait) = self.chain_lock_wait.lock() {
            wait.observe(elapsed);
        }
    }

    /// The metrics in the Prometheus text format, with the pool's gauges.
    pub fn render(&self, pool: PoolGauges) -> String {
        let mut out = String::new();
        help(
            &mut out,
            "asset_registry_http_requests_total",
            "counter",
            "Requests answered, by method, route and status.",
        );
        if let Ok(requests) = self.requests.lock() {
            for ((route, method, status), count) in requests.iter() {
                let _ = writeln!(
                    out,
                    "asset_registry_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {count}",
                    escape(method),
                    escape(route)
                );
            }
        }
        help(
            &mut out,
            "asset_registry_http_request_duration_seconds",
            "histogram",
            "How long requests took to answer, by route.",
        );
        if let Ok(durations) = self.durations.lock() {
            for (route, histogram) in durations.iter() {
                histogram.write(
                    &mut out,
                    "asset_registry_http_request_duration_seconds",
                    &format!("route=\"{}\"", escape(route)),
                );
            }
        }
        let imports = self.imports.lock().map(|i| i.clone()).unwrap_or_default();
        by_outcome(
            &mut out,
            "asset_registry_import_batches_total",
            "Import batches, by outcome (committed, rejected, dry_run, replayed).",
            imports
                .iter()
                .map(|(outcome, (batches, _))| (*outcome, *batches)),
        );
        by_outcome(
            &mut out,
            "asset_registry_import_rows_total",
            "Data rows of import batches, by outcome.",
            imports.iter().map(|(outcome, (_, rows))| (*outcome, *rows)),
        );
        help(
            &mut out,
            "asset_registry_ledger_appends_total",
            "counter",
            "Ledger entries appended by this process.",
        );
        let _ = writeln!(
            out,
            "asset_registry_ledger_appends_total {}",
            self.appends.load(Ordering::Relaxed)
        );
        help(
            &mut out,
            "asset_registry_chain_lock_wait_seconds",
            "histogram",
            "How long taking the ledger chain's lock waited (appends and imports).",
        );
        if let Ok(wait) = self.chain_lock_wait.lock() {
            wait.write(&mut out, "asset_registry_chain_lock_wait_seconds", "");
        }
        for (name, what, value) in [
            (
                "asset_registry_db_pool_connections_in_use",
                "Database connections lent out.",
                pool.in_use,
            ),
            (
                "asset_registry_db_pool_connections_idle",
                "Database connections open and idle.",
                pool.idle,
            ),
            (
                "asset_registry_db_pool_waiting",
                "Callers waiting for a database connection.",
                pool.waiting,
            ),
            (
                "asset_registry_db_pool_max_connections",
                "The database pool's size.",
                pool.max,
            ),
        ] {
            help(&mut out, name, "gauge", what);
            let _ = writeln!(out, "{name} {value}");
        }
        out
    }
}

fn help(out: &mut String, name: &str, kind: &str, what: &str) {
    let _ = writeln!(out, "# HELP {name} {what}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Writes the counter `name` (`what` it counts), a line an outcome.
fn by_outcome<'a>(
    out: &mut String,
    name: &str,
    what: &str,
    counts: impl Iterator<Item = (&'a str, u64)>,
) {
    help(out, name, "counter", what);
    for (outcome, count) in counts {
        let _ = writeln!(out, "{name}{{outcome=\"{outcome}\"}} {count}");
    }
}

/// A label value escaped as the text format wants: `\`, `"` and newlines.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_end_with_every_observation() {
        let mut histogram = Histogram::default();
        histogram.observe(Duration::from_millis(3));
        histogram.observe(Duration::from_millis(700));
        histogram.observe(Duration::from_secs(600));
        let mut out = String::new();
        histogram.write(&mut out, "h", "route=\"/x\"");
        assert!(
            out.contains("h_bucket{route=\"/x\",le=\"0.001\"} 0\n"),
            "{out}"
        );
        assert!(
            out.contains("h_bucket{route=\"/x\",le=\"0.005\"} 1\n"),
            "{out}"
        );
        assert!(out.contains("h_bucket{route=\"/x\",le=\"1\"} 2\n"), "{out}");
        assert!(
            out.contains("h_bucket{route=\"/x\",le=\"60\"} 2\n"),
            "{out}"
        );
        assert!(
            out.contains("h_bucket{route=\"/x\",le=\"+Inf\"} 3\n"),
            "{out}"
        );
        assert!(out.contains("h_count{route=\"/x\"} 3\n"), "{out}");
        let mut bare = String::new();
        histogram.write(&mut bare, "w", "");
        assert!(bare.contains("w_bucket{le=\"+Inf\"} 3\n"), "{bare}");
        assert!(bare.contains("\nw_count 3\n"), "{bare}");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
