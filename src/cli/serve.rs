//! `serve`: the server on the register, and with `--demo` the sample register loaded
//! and an admin token printed first.

use std::path::Path;
use std::process::ExitCode;

use super::database::open_for_serving;
use crate::auth::{self, Role};
use crate::db::Db;
use crate::import::pipeline::Unwatched;
use crate::import::{import_file, ImportOutcome, ImportRequest};

/// Serves the register on `address` and `port` (Rocket's settings otherwise), behind
/// the front that closes connections slow to send their head (`header_timeout`), after
/// loading the demo when `demo`; with the public notice pages when `public` (or the
/// setting `public = true`).
pub(super) fn serve(
    database: &str,
    address: Option<String>,
    port: Option<u16>,
    demo: bool,
    public: bool,
) -> Result<ExitCode, String> {
    let mut figment = rocket::Config::figment();
    if let Some(address) = address {
        figment = figment.merge(("address", address));
    }
    if let Some(port) = port {
        figment = figment.merge(("port", port));
    }
    if public {
        figment = figment.merge(("public", true));
    }
    crate::observe::logs::init(&figment)?;
    crate::observe::scrape::Exposure::of(&figment)?;
    crate::approvals::ApprovalSettings::of(&figment)?;
    let db = open_for_serving(database, &figment)?;
    if demo {
        let config = rocket::Config::from(&figment);
        load_demo(&db, &format!("http://{}:{}", config.address, config.port))?;
    }
    let timeout = crate::front::header_timeout(&figment);
    let rocket = crate::server::rocket(db, figment);
    match timeout {
        Some(timeout) => rocket::execute(crate::front::serve(rocket, timeout))?,
        None => {
            rocket::execute(rocket.launch()).map_err(|e| e.to_string())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The sample register a demo loads.
const DEMO_FILE: &str = "imports/xingping_2020.gbk.csv";

fn load_demo(db: &Db, base: &str) -> Result<(), String> {
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let path = Path::new(DEMO_FILE);
    if path.exists() {
        let request = ImportRequest {
            path,
            filename: Some(DEMO_FILE.to_owned()),
            actor: "demo".to_owned(),
            dry_run: false,
            scope: crate::domain::Scope::County,
            sheet: None,
        };
        match import_file(&mut conn, &request, &mut Unwatched).map_err(|e| e.to_string())? {
            ImportOutcome::Committed(report) => eprintln!(
                "演示：已导入 {DEMO_FILE}（{} 个项目，{} 项资产）",
                report.projects_created, report.assets_created
            ),
            ImportOutcome::Replayed(_) => eprintln!("演示：{DEMO_FILE} 此前已导入"),
            ImportOutcome::Rejected(report) => eprintln!(
                "演示：{DEMO_FILE} 未能导入（{} 处错误）",
                report.error_count
            ),
            ImportOutcome::DryRun(_) => {}
        }
    } else {
        eprintln!("演示：找不到 {DEMO_FILE}，请在项目根目录运行");
    }
    let issued = auth::create_token(
        &mut conn,
        "demo-admin",
        Role::Admin,
        &crate::domain::Scope::County,
    )
    .map_err(|e| e.to_string())?;
    eprintln!("演示：管理员令牌（仅显示一次）：{}", issued.secret);
    eprintln!(
        "演示：浏览器打开 {base}/login 用此令牌登录，或 curl -H 'Authorization: Bearer {}' {base}/api/v1/totals?group_by=class",
        issued.secret
    );
    Ok(())
}
