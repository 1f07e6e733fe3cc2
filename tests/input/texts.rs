//! Texts a person writes that would show otherwise than they are stored: a control
//! character (a bell, DEL, a C1 control) or a bidi control in an entry's text, and a
//! bidi control in a cell of an imported register, are refused by field and line, and
//! nothing is written.

use rocket::http::{ContentType, Status};
use serde_json::json;

use crate::support::TestApp;
use crate::{csv, first_error, row};

pub fn a_control_or_bidi_character_in_a_text_is_refused_and_nothing_is_written(app: &TestApp) {
    assert_eq!(app.import(&csv(&[row(&[])]), false).status, Status::Created);
    let before = app.register_state();
    for (description, shown) in [
        ("合同\u{202e}fdp.exe", "U+202E"),
        ("更换\u{2067}水泵", "U+2067"),
        ("铃\u{7}声", "U+0007"),
        ("删除\u{7f}", "U+007F"),
        ("换行\u{85}", "U+0085"),
    ] {
        let reply = app.post(
            "/api/v1/assets/P1-01/ledger",
            Some(&app.clerk),
            json!({"kind": "maintenance", "occurred_on": "2021-03-01", "description": description})
                .to_string()
                .into_bytes(),
            ContentType::JSON,
        );
        assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
        assert_eq!(
            reply.body["errors"],
            json!([{"field": "description", "code": "invalid_value",
                    "message": format!("字段 description 含有控制字符或双向控制符（{shown}）")}]),
            "{description:?}"
        );
        assert_eq!(app.register_state(), before, "no entry for {description:?}");
    }
    // Tabs and line breaks are text.
    let kept = app.post(
        "/api/v1/assets/P1-01/ledger",
        Some(&app.clerk),
        json!({"kind": "maintenance", "occurred_on": "2021-03-01", "description": "更换水泵\r\n\t两台"})
            .to_string()
            .into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(kept.status, Status::Created, "{}", kept.body);

    // A registered name holding a bidi control: refused by its line and column.
    let before = app.register_state();
    let file = csv(&[row(&[(0, "P2"), (7, "P2-01"), (8, "水源\u{202e}井")])]);
    let reply = app.import(&file, false);
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    assert_eq!(
        first_error(&reply.body),
        (
            Some(2),
            Some("资产名称".to_owned()),
            Some("invalid_character".to_owned())
        ),
        "{}",
        reply.body
    );
    assert_eq!(
        reply.body["errors"][0]["message"],
        "含有双向控制符（U+202E），会使内容显示得与所存不同"
    );
    assert_eq!(app.register_state(), before, "nothing imported");
}
