//! A NUL (or another control character) in an address — a key in a page's path, a
//! batch, a checklist's place, a search on the phone page — names nothing: a 404 or a
//! 400 that says so, never a 500 (PostgreSQL refuses a NUL in any text it is sent), and
//! a form posted to such an address writes nothing.

use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;
use serde_json::{json, Value};

use crate::support::TestApp;
use crate::{csv, row};

/// A problem answer without its `instance` (the request's id).
fn without_instance(mut body: Value) -> Value {
    if let Some(object) = body.as_object_mut() {
        object.remove("instance");
    }
    body
}

/// `GET path` in `browser`: its status and page.
fn page(browser: &Client, path: &str) -> (Status, String) {
    let response = browser.get(path.to_owned()).dispatch();
    (
        response.status(),
        response.into_string().unwrap_or_default(),
    )
}

/// Asserts a page that says `message` with `status`, and no server error.
fn assert_page(browser: &Client, path: &str, status: Status, message: &str) {
    let (got, html) = page(browser, path);
    assert_eq!(got, status, "{path}: {html}");
    assert!(html.contains(message), "{path} says {message}: {html}");
    assert!(!html.contains("服务器内部错误"), "{path}: {html}");
}

pub fn a_nul_in_an_address_names_nothing_and_writes_nothing(app: &TestApp) {
    assert_eq!(app.import(&csv(&[row(&[])]), false).status, Status::Created);
    let opened = app.post(
        "/api/v1/stocktakes",
        Some(&app.clerk),
        json!({"name": "2026年度资产清查", "year": 2026})
            .to_string()
            .into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(opened.status, Status::Created, "{}", opened.body);
    let campaign = opened.body["stocktake"]["id"].as_str().unwrap().to_owned();
    let before = (
        app.register_state(),
        app.count_rows("notices"),
        app.count_rows("stocktake_results"),
    );

    // The API's checklist names the parameter, as every text filter does.
    for parameter in ["town", "village"] {
        let reply = app.get(
            &format!("/api/v1/stocktakes/{campaign}/checklist?{parameter}=%00"),
            Some(&app.clerk),
        );
        assert_eq!(reply.status, Status::BadRequest, "{}", reply.body);
        let message = format!("{parameter} 不能含有控制字符");
        assert_eq!(
            without_instance(reply.body),
            json!({
                "type": "urn:asset-registry:problem:bad_parameter",
                "title": "请求参数无效",
                "status": 400,
                "detail": message,
                "parameter": parameter,
                "errors": [{"code": "bad_parameter", "parameter": parameter, "message": message}],
            })
        );
    }
    for suffix in ["html", "xlsx"] {
        let reply = app.get(
            &format!("/api/v1/stocktakes/{campaign}/checklist.{suffix}?town=%00"),
            Some(&app.clerk),
        );
        assert_eq!(reply.status, Status::BadRequest, "{}", reply.body);
        assert_eq!(reply.body["parameter"], "town");
    }

    // The pages: what a key with a NUL would name is not there.
    let browser = app.signed_in(&app.clerk);
    for (path, message) in [
        ("/assets/%00", "没有这项资产。"),
        ("/projects/%00", "没有这个项目。"),
        ("/proposals/%00", "没有这个审批事项。"),
        ("/notices/%00/print", "没有这个公示。"),
        ("/reconcile/%00", "没有这份申报。"),
    ] {
        assert_page(&browser, path, Status::NotFound, message);
    }
    assert_page(&browser, "/imports?batch=%00", Status::Ok, "导入");
    assert_page(
        &browser,
        &format!("/stocktakes/{campaign}/check?q=%00"),
        Status::BadRequest,
        "q 不能含有控制字符",
    );
    let public = Client::tracked(asset_registry::server::rocket(
        app.db.clone(),
        app.figment.clone().merge(("public", true)),
    ))
    .expect("client");
    assert_page(
        &public,
        "/public/%E4%B8%9C%E5%9F%8E%E8%A1%97%E9%81%93/%00",
        Status::NotFound,
        "没有这个村的资产公示。",
    );

    // Forms posted to such an address write nothing.
    for (path, form, message) in [
        (
            "/assets/%00/entries",
            "kind=maintenance&occurred_on=2026-01-05&description=%E6%B8%85%E6%B7%A4",
            "没有这项资产。",
        ),
        (
            "/proposals/%00/notices",
            "place=%E6%9D%91%E5%A7%94%E4%BC%9A&starts_on=2026-01-05&days=7",
            "没有这个审批事项。",
        ),
        ("/notices/%00/objections", "text=x", "没有这个公示。"),
        (
            "/notices/%00/objections/1/resolve",
            "resolution=x",
            "没有这个公示。",
        ),
    ] {
        let response = browser
            .post(path)
            .header(ContentType::Form)
            .body(form)
            .dispatch();
        let status = response.status();
        let html = response.into_string().unwrap_or_default();
        assert_eq!(status, Status::NotFound, "{path}: {html}");
        assert!(html.contains(message), "{path}: {html}");
    }
    assert_eq!(
        (
            app.register_state(),
            app.count_rows("notices"),
            app.count_rows("stocktake_results"),
        ),
        before,
        "nothing written"
    );
}
