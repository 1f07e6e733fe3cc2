//! Issue #19 item 4: codes are compared after Unicode NFKC with case ignored, invisible
//! and control characters are `invalid_code`, and every lookup by code normalises.

use rocket::http::{ContentType, Status};
use serde_json::json;

use crate::support::{encode, TestApp};
use crate::{csv, first_error, row};

fn assert_refused(app: &TestApp, bytes: &[u8], expected: (u64, &str, &str)) -> serde_json::Value {
    let before = app.register_state();
    let reply = app.import(bytes, false);
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    let (line, column, code) = first_error(&reply.body);
    assert_eq!(
        (line, column.as_deref(), code.as_deref()),
        (Some(expected.0), Some(expected.1), Some(expected.2)),
        "{}",
        reply.body
    );
    assert_eq!(app.register_state(), before, "nothing may be written");
    reply.body
}

/// `ＦＷ１-01` and `FW1-01`, `fw1-01`, a composed and a decomposed `é`: one code.
pub fn look_alike_codes_in_one_file_are_duplicates(app: &TestApp) {
    for (first, second) in [
        ("FW1-01", "ＦＷ１-01"),
        ("FW1-01", "fw1-01"),
        ("CAF\u{e9}-1", "CAFE\u{301}-1"),
        ("Ⅻ-1", "XII-1"),
    ] {
        assert_refused(
            app,
            &csv(&[row(&[(7, first)]), row(&[(7, second)])]),
            (3, "资产编号", "duplicate_asset_code"),
        );
    }
    // A project written two ways is one project, in conflict with itself: on the code,
    // and on every field that differs.
    let body = assert_refused(
        app,
        &csv(&[
            row(&[(0, "XP-1"), (7, "A1")]),
            row(&[(0, "ｘｐ-1"), (7, "A2"), (5, "20")]),
        ]),
        (3, "项目编号", "project_conflict"),
    );
    assert_eq!(body["errors"][1]["column"], "项目资金(万元)", "{body}");
    assert_refused(
        app,
        &csv(&[
            row(&[(0, "XP-1"), (7, "A1")]),
            row(&[(0, "ＸＰ-1"), (7, "A2")]),
        ]),
        (3, "项目编号", "project_conflict"),
    );
}

/// Zero-width space, byte-order mark, bidi controls and other format characters are
/// refused as `invalid_code` naming the line and the field.
pub fn invisible_characters_are_invalid_codes(app: &TestApp) {
    for code in [
        "FW4\u{200b}-01",
        "FW4\u{feff}-01",
        "FW4\u{202e}10-",
        "FW4\u{2066}-01",
        "FW4\u{200d}-01",
        "FW4\u{ad}-01",
        "FW4\u{7}-01",
    ] {
        assert_refused(
            app,
            &csv(&[row(&[(7, code)])]),
            (2, "资产编号", "invalid_code"),
        );
        assert_refused(
            app,
            &csv(&[row(&[(0, code)])]),
            (2, "项目编号", "invalid_code"),
        );
    }
}

/// Once `FW1-01` of project `XP-1` is registered, a look-alike of either is
/// `conflicts_with_register`; the register keeps one of each.
pub fn look_alikes_of_registered_codes_conflict(app: &TestApp) {
    let name = "水源井CAFE\u{301}"; // decomposed: stored composed
    let reply = app.import(
        &csv(&[row(&[(0, "XP-1"), (7, "FW1-01"), (8, name)])]),
        false,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let asset = app.get("/api/v1/assets/FW1-01", Some(&app.reader));
    assert_eq!(asset.body["name"], "水源井CAF\u{c9}", "names are NFC");
    for look_alike in ["ＦＷ１-01", "fw1-01"] {
        let body = assert_refused(
            app,
            &csv(&[row(&[(0, "XP-1"), (7, look_alike), (8, name)])]),
            (2, "资产编号", "conflicts_with_register"),
        );
        let first = &body["errors"][0];
        assert_eq!(
            (&first["registered_value"], &first["file_value"]),
            (&json!("FW1-01"), &json!(look_alike)),
            "{body}"
        );
    }
    let body = assert_refused(
        app,
        &csv(&[row(&[(0, "ＸＰ-1"), (7, "FW2-01")])]),
        (2, "项目编号", "conflicts_with_register"),
    );
    assert_eq!(body["errors"][0]["registered_value"], "XP-1", "{body}");
    // The same file written again in the same form is unchanged.
    let reply = app.import(
        &csv(&[row(&[(0, "XP-1"), (7, "FW1-01"), (8, name)]), row(&[])]),
        false,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(reply.body["rows_unchanged"], 1, "{}", reply.body);
    let totals = app.totals("class");
    assert_eq!(totals["total"]["assets"], 2, "{totals}");
}

/// `/assets/{key}`, `/projects/{code}` and ledger appends find a code written in any
/// look-alike form; a code the register lacks stays 404.
pub fn every_lookup_by_code_normalises(app: &TestApp) {
    let reply = app.import(&csv(&[row(&[(0, "XP-1"), (7, "FW1-01")])]), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    for key in ["FW1-01", "ＦＷ１-01", "fw1-01", " fw1-01 "] {
        let reply = app.get(
            &format!("/api/v1/assets/{}", encode(key)),
            Some(&app.reader),
        );
        assert_eq!(reply.status, Status::Ok, "{key}: {}", reply.body);
        assert_eq!(reply.body["code"], "FW1-01");
    }
    let project = app.get(
        &format!("/api/v1/projects/{}", encode("ｘｐ-1")),
        Some(&app.reader),
    );
    assert_eq!(project.status, Status::Ok, "{}", project.body);
    assert_eq!(project.body["code"], "XP-1");
    let appended = app.post(
        &format!("/api/v1/assets/{}/ledger", encode("ｆｗ１-01")),
        Some(&app.clerk),
        json!({"kind": "inspection", "occurred_on": "2021-01-01", "result": "normal"})
            .to_string()
            .into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(appended.status, Status::Created, "{}", appended.body);
    assert_eq!(appended.body["asset_code"], "FW1-01");
    let missing = app.get(
        &format!("/api/v1/assets/{}", encode("FW1\u{200b}-01")),
        Some(&app.reader),
    );
    assert_eq!(missing.status, Status::NotFound, "{}", missing.body);
}
