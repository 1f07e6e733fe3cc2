//! What the service tells the people who run it: log lines through `tracing` (one JSON
//! object a line off a terminal), a request id on every request, its log line and every
//! problem body.

pub mod logs;
pub mod requests;
