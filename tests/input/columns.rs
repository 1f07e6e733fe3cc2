//! Issue #19 item 3: a header past the documented column limit is `too_many_columns`,
//! and the warnings an import answers and stores are bounded and summarised.

use rocket::http::Status;
use serde_json::json;

use crate::support::TestApp;
use crate::{row, HEADER};

/// The probe's shape: a header with 1,000,000 extra columns. The answer stays small,
/// names the count and the limit, and nothing is written.
pub fn too_many_columns_are_refused_in_a_small_answer(app: &TestApp) {
    let extra = 1_000_000;
    let mut text = String::with_capacity(HEADER.len() + extra * 8);
    text.push_str(HEADER);
    for i in 0..extra {
        text.push_str(&format!(",x{i}"));
    }
    text.push('\n');
    text.push_str(&row(&[]));
    text.push('\n');
    let before = app.register_state();
    let response = app
        .client
        .post("/api/v1/imports?dry_run=false")
        .header(rocket::http::ContentType::CSV)
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {}", app.clerk),
        ))
        .body(text.into_bytes())
        .dispatch();
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let body = response.into_string().unwrap_or_default();
    assert!(body.len() < 4_096, "the answer holds {} bytes", body.len());
    let body: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let first = &body["errors"][0];
    assert_eq!(
        (first["line"].as_u64(), first["code"].as_str()),
        (Some(1), Some("too_many_columns")),
        "{body}"
    );
    let message = first["message"].as_str().unwrap_or("");
    assert!(
        message.contains("1000019") && message.contains("256"),
        "the message names the count and the limit: {message}"
    );
    assert_eq!(app.register_state(), before);
    let batches = app.get("/api/v1/imports", Some(&app.reader));
    assert_eq!(batches.status, Status::Ok);
    assert!(batches.body.to_string().len() < 4_096, "{}", batches.body);
}

/// Within the limit, unknown columns are warnings: the first 20 listed in full, all of
/// them counted per code, in the answer and in what the batch stores.
pub fn warnings_are_bounded_and_summarised(app: &TestApp) {
    let extra = 256 - HEADER.split(',').count();
    let mut text = HEADER.to_owned();
    for i in 0..extra {
        text.push_str(&format!(",备注{i}"));
    }
    text.push('\n');
    text.push_str(&row(&[]));
    text.push_str(&",".repeat(extra));
    text.push('\n');
    let reply = app.import(text.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let summary = |batch: &serde_json::Value| {
        (
            batch["warnings"].as_array().map(Vec::len),
            batch["warnings"][0]["column"].clone(),
            batch["warning_count"].clone(),
            batch["warning_counts"].clone(),
            batch["warnings_truncated"].clone(),
        )
    };
    let expected = (
        Some(20),
        json!("备注0"),
        json!(extra),
        json!({"unknown_column": extra}),
        json!(true),
    );
    assert_eq!(summary(&reply.body), expected, "{}", reply.body);
    let id = reply.body["id"].as_str().unwrap_or_default().to_owned();
    let stored = app.get(&format!("/api/v1/imports/{id}"), Some(&app.reader));
    assert_eq!(summary(&stored.body), expected, "{}", stored.body);
    let listed = app.get("/api/v1/imports", Some(&app.reader));
    assert_eq!(
        summary(&listed.body["items"][0]),
        expected,
        "{}",
        listed.body
    );
    // One more column is past the limit.
    let text = text.replacen('\n', ",备注多\n", 1);
    let reply = app.import(text.as_bytes(), false);
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    assert_eq!(reply.body["errors"][0]["code"], "too_many_columns");
}
