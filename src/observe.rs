//! What the service tells the people who run it: log lines through `tracing` (one JSON
//! object a line off a terminal), a request id on every request, its log line and every
//! problem body; and the Prometheus metrics at `/metrics`.

pub mod access;
pub mod logs;
pub mod metrics;
pub mod requests;
pub mod scrape;
