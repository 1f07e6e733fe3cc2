//! Fuzzing by property tests at scale, bounded in time: decoding and header detection of
//! arbitrary bytes through the whole importer (as a dry run), and the parsers of numbers,
//! dates and ID numbers. None may panic or hang; valid inputs must round-trip.
//! `FUZZ_CASES` scales the number of cases (default 1500 per target).

use std::io::Write;

use asset_registry::db::Db;
use asset_registry::domain::{BusinessDate, IdNumber, MoneyUnit, Quantity, Year, Yuan};
use asset_registry::import::{import_file, ImportOutcome, ImportRequest};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500)
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Bytes that look like the registers clerks send: headers in some order, title and
/// unit rows, cells of digits, Chinese, quotes, separators and stray bytes.
fn register_like() -> impl Strategy<Value = Vec<u8>> {
    let cell = prop_oneof![
        Just(String::new()),
        "[0-9]{1,6}(\\.[0-9]{0,7})?",
        "-?[0-9]{1,3}(,[0-9]{3}){0,2}",
        "[0-9]\\.[0-9]E\\+0[0-9]",
        "(经营性|公益性|到户类|村集体|农户|2020/3/5|2020年3月5日|20200305|单位：万元)",
        "\\PC{0,12}",
        "\"[^\"]{0,8}\"\"?[^\"]{0,4}\"",
    ];
    let header = prop::sample::subsequence(
        vec![
            "项目编号",
            "项目名称",
            "项目年度",
            "乡镇",
            "村",
            "项目资金",
            "项目资金(万元)",
            "资产编号",
            "资产名称",
            "资产类别",
            "资产价值(元)",
            "所有权人",
            "所有权人证件号",
            "确权日期",
            "备注",
        ],
        0..15,
    )
    .prop_shuffle();
    (
        prop::option::of(Just("兴平市扶贫项目资产登记表\r\n单位：万元\r\n")),
        header,
        prop::collection::vec(prop::collection::vec(cell, 0..16), 0..12),
        prop::collection::vec(any::<u8>(), 0..6),
        any::<bool>(),
    )
        .prop_map(|(title, header, rows, noise, gbk)| {
            let mut text = title.unwrap_or_default().to_owned();
            text.push_str(&header.join(","));
            text.push('\n');
            for row in rows {
                text.push_str(&row.join(","));
                text.push_str(if row.len() % 2 == 0 { "\r\n" } else { "\n" });
            }
            let mut bytes = if gbk {
                encoding_rs::GB18030.encode(&text).0.into_owned()
            } else {
                text.into_bytes()
            };
            let at = bytes.len() / 2;
            bytes.splice(at..at, noise);
            bytes
        })
}

#[test]
fn the_importer_never_panics_on_any_bytes() {
    let folder = tempfile::tempdir().expect("temp dir");
    let db = Db::open(
        folder
            .path()
            .join("fuzz.sqlite3")
            .to_str()
            .unwrap_or_default(),
        1,
    )
    .expect("database");
    let conn = std::cell::RefCell::new(db.conn().expect("connection"));
    let started = std::time::Instant::now();
    let strategy = prop_oneof![prop::collection::vec(any::<u8>(), 0..400), register_like()];
    runner(cases())
        .run(&strategy, |bytes| {
            let mut file = tempfile::NamedTempFile::new().expect("temp file");
            file.write_all(&bytes).expect("write");
            let request = ImportRequest {
                path: file.path(),
                filename: None,
                actor: "fuzz".to_owned(),
                dry_run: true,
                scope: asset_registry::domain::Scope::County,
                sheet: None,
            };
            let outcome = import_file(
                &mut conn.borrow_mut(),
                &request,
                &mut asset_registry::import::pipeline::Unwatched,
            );
            match outcome {
                Ok(ImportOutcome::Rejected(report)) => {
                    prop_assert!(report.error_count >= 1);
                    for error in &report.errors {
                        prop_assert!(!error.message.is_empty());
                    }
                }
                Ok(ImportOutcome::DryRun(report)) => prop_assert!(report.data_rows >= 1),
                Ok(other) => prop_assert!(false, "a dry run of new bytes cannot be {other:?}"),
                Err(e) => prop_assert!(false, "importer failed: {e}"),
            }
            Ok(())
        })
        .expect("no panic, no failure");
    println!("importer: {} cases in {:?}", cases(), started.elapsed());
}

#[test]
fn number_date_year_and_id_parsers_never_panic() {
    runner(cases() * 10)
        .run(&"\\PC{0,30}", |text| {
            let _ = Yuan::parse(&text, MoneyUnit::Wan);
            let _ = Yuan::parse(&text, MoneyUnit::Yuan);
            let _ = Quantity::parse(&text);
            let _ = BusinessDate::parse(&text);
            let _ = Year::parse(&text);
            let _ = IdNumber::parse(&text);
            Ok(())
        })
        .expect("no panic");
}

#[test]
fn every_calendar_date_parses_in_every_spreadsheet_form() {
    runner(cases())
        .run(&(2000i32..2027, 1u32..13, 1u32..32), |(y, m, d)| {
            let Some(date) = chrono::NaiveDate::from_ymd_opt(y, m, d) else {
                let text = format!("{y}-{m:02}-{d:02}");
                prop_assert!(BusinessDate::parse(&text).is_err());
                return Ok(());
            };
            for text in [
                format!("{y}-{m:02}-{d:02}"),
                format!("{y}/{m}/{d}"),
                format!("{y}年{m}月{d}日"),
                format!("{y}{m:02}{d:02}"),
            ] {
                prop_assert_eq!(
                    BusinessDate::parse(&text).map(BusinessDate::naive),
                    Ok(date),
                    "{}",
                    text
                );
            }
            Ok(())
        })
        .expect("dates");
}

#[test]
fn resident_ids_accept_their_check_character_and_refuse_every_other() {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    runner(cases())
        .run(&"[0-9]{17}", |body| {
            let sum: u32 = body
                .bytes()
                .zip(WEIGHTS)
                .map(|(b, w)| u32::from(b - b'0') * w)
                .sum();
            let check = b"10X98765432"[(sum % 11) as usize] as char;
            let valid = format!("{body}{check}");
            prop_assert!(IdNumber::parse(&valid).is_ok());
            for wrong in "0123456789X".chars().filter(|c| *c != check) {
                let invalid = format!("{body}{wrong}");
                prop_assert!(IdNumber::parse(&invalid).is_err());
            }
            Ok(())
        })
        .expect("ID numbers");
}
