//! The command line: `serve`, `import`, `reconcile`, `verify`, `backup`, `restore`,
//! `export` and `token create`, and the terminal output they print.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::auth::{self, Role};
use crate::db::pool::DEFAULT_SQLITE_PATH;
use crate::db::Db;
use crate::import::pipeline::{Progress, Unwatched};
use crate::import::{import_file, BatchReport, ImportOutcome, ImportRequest, RowError};

/// The asset register of poverty-alleviation projects (扶贫项目资产登记).
#[derive(Debug, Parser)]
#[command(name = "asset-registry", version, about)]
pub struct Cli {
    /// Database: a SQLite file path, or postgres://user@host/db.
    #[arg(long, global = true, env = "DATABASE_URL", default_value = DEFAULT_SQLITE_PATH)]
    pub database: String,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (migrations run at start).
    Serve {
        /// Address to listen on (also ROCKET_ADDRESS).
        #[arg(long)]
        address: Option<String>,
        /// Port to listen on (also ROCKET_PORT).
        #[arg(long)]
        port: Option<u16>,
        /// Load the sample Xingping register from imports/ into an empty register and
        /// print an admin token, so a newcomer can look around at once.
        #[arg(long)]
        demo: bool,
    },
    /// Import a register CSV (UTF-8 or GBK, Chinese or English headers).
    Import {
        /// The CSV file.
        file: PathBuf,
        /// Check the file and report what would be registered, without writing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Reconcile declared figures (JSON, or CSV of scope,projects,amount) with the
    /// register as of their date; exit 1 on any mismatch.
    Reconcile {
        /// The declared figures.
        #[arg(long)]
        declared: PathBuf,
        /// For a CSV file: the declaration's name.
        #[arg(long)]
        name: Option<String>,
        /// For a CSV file: the date its figures stand at (YYYY-MM-DD).
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Verify the ledger's hash chain, every asset against its entries and the
    /// maintained totals; exit 1 when anything differs.
    Verify {
        /// A head printed on an earlier report, `SEQ:HASH`: prove it is still in the
        /// chain with everything after it intact.
        #[arg(long, value_name = "SEQ:HASH")]
        against: Option<crate::ledger::verify::Pin>,
    },
    /// Copy a SQLite register consistently while it serves (for PostgreSQL use pg_dump).
    Backup {
        /// The backup file to write (must not exist).
        file: PathBuf,
    },
    /// Restore a SQLite register from a backup (stop the server first).
    Restore {
        /// The backup file.
        file: PathBuf,
        /// Replace an existing database file.
        #[arg(long)]
        force: bool,
    },
    /// Export the register in the import format (UTF-8 with BOM, or GBK).
    Export {
        /// utf-8 or gbk.
        #[arg(long, default_value = "utf-8")]
        encoding: String,
        /// Write to this file instead of stdout.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Manage access tokens.
    Token {
        /// What to do with tokens.
        #[command(subcommand)]
        action: TokenAction,
    },
}

/// Token subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create a token and print it (alone) on stdout.
    Create {
        /// reader, clerk, auditor or admin.
        #[arg(long)]
        role: String,
        /// Who will use it (recorded as the actor of its writes).
        #[arg(long)]
        name: String,
    },
}

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    match execute(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("错误：{message}");
            ExitCode::from(2)
        }
    }
}

fn open(database: &str) -> Result<Db, String> {
    Db::open(database, 8).map_err(|e| e.to_string())
}

fn execute(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Serve {
            address,
            port,
            demo,
        } => serve(&cli.database, address, port, demo),
        Command::Import { file, dry_run } => import(&cli.database, &file, dry_run),
        Command::Verify { against } => verify(&cli.database, against.as_ref()),
        Command::Backup { file } => backup(&cli.database, &file),
        Command::Restore { file, force } => restore(&cli.database, &file, force),
        Command::Reconcile {
            declared,
            name,
            as_of,
        } => reconcile(&cli.database, &declared, name.as_deref(), as_of.as_deref()),
        Command::Export { encoding, output } => export(&cli.database, &encoding, output.as_deref()),
        Command::Token {
            action: TokenAction::Create { role, name },
        } => {
            let role = Role::parse(&role)
                .ok_or_else(|| format!("未知角色“{role}”：应为 reader、clerk、auditor 或 admin"))?;
            let db = open(&cli.database)?;
            let mut conn = db.conn().map_err(|e| e.to_string())?;
            let issued = auth::create_token(&mut conn, &name, role).map_err(|e| e.to_string())?;
            println!("{}", issued.secret);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn serve(
    database: &str,
    address: Option<String>,
    port: Option<u16>,
    demo: bool,
) -> Result<ExitCode, String> {
    let db = open(database)?;
    let mut figment = rocket::Config::figment();
    if let Some(address) = address {
        figment = figment.merge(("address", address));
    }
    if let Some(port) = port {
        figment = figment.merge(("port", port));
    }
    if demo {
        let config = rocket::Config::from(&figment);
        load_demo(&db, &format!("http://{}:{}", config.address, config.port))?;
    }
    rocket::execute(crate::server::rocket(db, figment).launch()).map_err(|e| e.to_string())?;
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
    let issued =
        auth::create_token(&mut conn, "demo-admin", Role::Admin).map_err(|e| e.to_string())?;
    eprintln!("演示：管理员令牌（仅显示一次）：{}", issued.secret);
    eprintln!(
        "演示：浏览器打开 {base}/login 用此令牌登录，或 curl -H 'Authorization: Bearer {}' {base}/api/v1/totals?group_by=class",
        issued.secret
    );
    Ok(())
}

fn export(database: &str, encoding: &str, output: Option<&Path>) -> Result<ExitCode, String> {
    let encoding = crate::export::ExportEncoding::parse(encoding)
        .ok_or_else(|| format!("未知编码“{encoding}”：应为 utf-8 或 gbk"))?;
    let db = open(database)?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let filter = crate::register::query::AssetFilter::default();
    let rows = match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| format!("无法写入 {}：{e}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            crate::export::write_register(&mut conn, &filter, encoding, &mut out)
                .map_err(|e| e.to_string())?
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            crate::export::write_register(&mut conn, &filter, encoding, &mut out)
                .map_err(|e| e.to_string())?
        }
    };
    eprintln!("已导出 {rows} 行");
    Ok(ExitCode::SUCCESS)
}

fn reconcile(
    database: &str,
    file: &Path,
    name: Option<&str>,
    as_of: Option<&str>,
) -> Result<ExitCode, String> {
    use crate::reconcile::declaration::{parse_csv, parse_json};
    let bytes = std::fs::read(file).map_err(|e| format!("无法读取 {}：{e}", file.display()))?;
    let is_json = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{' || *b == 0xEF);
    let parsed = if is_json {
        let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
            .into_owned();
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{} 不是有效的 JSON：第 {} 行：{e}",
                file.display(),
                e.line()
            )
        })?;
        parse_json(&value)
    } else {
        parse_csv(
            &bytes,
            name.or(file.file_stem().and_then(|s| s.to_str())),
            as_of,
        )
    };
    let declaration = parsed.map_err(|errors| {
        errors
            .iter()
            .map(|e| {
                format!(
                    "{}{}：{}（{}）",
                    e.line.map(|l| format!("第 {l} 行 ")).unwrap_or_default(),
                    e.field,
                    e.message,
                    e.code
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    let db = open(database)?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let report = crate::reconcile::report::reconcile(&mut conn, None, &declaration)
        .map_err(|e| e.to_string())?;
    print_report(&report);
    Ok(if report.status == "match" {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_report(report: &crate::reconcile::report::Report) {
    use crate::reconcile::report::FigureView;
    let wan = |f: &FigureView| {
        crate::domain::money::signed_wan(
            crate::domain::money::parse_signed_yuan(&f.amount).unwrap_or_default(),
        )
    };
    println!(
        "{}（截至 {}）",
        report.declaration.name, report.declaration.as_of
    );
    let header = [
        "口径",
        "申报项目",
        "登记项目",
        "项目差",
        "申报(万元)",
        "登记(万元)",
        "差额(万元)",
        "申报(元)",
        "登记(元)",
        "差额(元)",
        "核对",
    ];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| (*h).to_owned()).collect()];
    for line in &report.lines {
        rows.push(vec![
            line.label.clone(),
            line.declared.projects.to_string(),
            line.actual.projects.to_string(),
            line.difference.projects.to_string(),
            wan(&line.declared),
            wan(&line.actual),
            wan(&line.difference),
            line.declared.amount.clone(),
            line.actual.amount.clone(),
            line.difference.amount.clone(),
            if line.status == "match" {
                "相符".to_owned()
            } else {
                "✗ 不符".to_owned()
            },
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|i| rows.iter().map(|r| width(&r[i])).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                if i == 0 || i == row.len() - 1 {
                    pad(cell, widths[i])
                } else {
                    format!(
                        "{}{cell}",
                        " ".repeat(widths[i].saturating_sub(width(cell)))
                    )
                }
            })
            .collect();
        println!("{}", cells.join("  ").trim_end());
    }
    println!(
        "未形成资产的项目：{} 个，项目资金 {} 万元（{} 元）——合计与各类资产之和的差额即由此而来",
        report.unclassified.projects,
        wan(&report.unclassified),
        report.unclassified.amount
    );
    let head = &report.ledger_head;
    println!(
        "台账链头（SEQ:HASH）：{}",
        head.pin.as_deref().unwrap_or_default()
    );
    println!("{}", head.how_to_check.as_deref().unwrap_or_default());
    println!(
        "结论：{}",
        if report.status == "match" {
            "全部相符"
        } else {
            "存在差异"
        }
    );
}

fn backup(database: &str, file: &Path) -> Result<ExitCode, String> {
    let db = open(database)?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    crate::db::backup::backup(&mut conn, file).map_err(|e| e.to_string())?;
    let copy = open(&file.to_string_lossy())?;
    let mut copy_conn = copy.conn().map_err(|e| e.to_string())?;
    let verified = crate::ledger::verify::verify(&mut copy_conn).map_err(|e| e.to_string())?;
    println!(
        "已备份到 {}：{} 条台账记录，链头哈希 {}",
        file.display(),
        verified.entries,
        verified.head
    );
    Ok(if verified.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn restore(database: &str, file: &Path, force: bool) -> Result<ExitCode, String> {
    let target = crate::db::backup::restore_target(database).map_err(|e| e.to_string())?;
    let verified = {
        let backup = open(&file.to_string_lossy())?;
        let mut conn = backup.conn().map_err(|e| e.to_string())?;
        crate::ledger::verify::verify(&mut conn).map_err(|e| e.to_string())?
    };
    if !verified.ok {
        return Err(format!(
            "备份 {} 的台账校验失败（{}），未恢复",
            file.display(),
            verified.problem.unwrap_or_default()
        ));
    }
    crate::db::backup::restore(file, &target, force).map_err(|e| e.to_string())?;
    println!(
        "已从 {} 恢复到 {}：{} 条台账记录，链头哈希 {}",
        file.display(),
        target.display(),
        verified.entries,
        verified.head
    );
    Ok(ExitCode::SUCCESS)
}

fn verify(
    database: &str,
    against: Option<&crate::ledger::verify::Pin>,
) -> Result<ExitCode, String> {
    let db = open(database)?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let result =
        crate::ledger::verify::verify_against(&mut conn, against).map_err(|e| e.to_string())?;
    if result.ok {
        println!(
            "校验通过：共 {} 条台账记录，{} 项资产与台账一致，合计无误；链头 {}:{}",
            result.entries, result.assets, result.entries, result.head
        );
        if let Some(pin) = against {
            println!("报告所印链头 {pin} 仍在链中，其后条目完整");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let problem = result.problem.unwrap_or_default();
    if let Some(seq) = result.first_bad_seq {
        println!("校验失败：第一个不符的条目 seq {seq}：{problem}");
        println!(
            "此前 {} 条记录完好，链哈希 {}",
            result.entries.saturating_sub(1),
            result.head
        );
    } else if let Some(code) = result.first_bad_asset {
        println!("校验失败：第一个不符的资产 {code}：{problem}");
    } else if let Some(figure) = result.bad_figure {
        println!("校验失败：不符的合计 {figure}：{problem}");
    }
    Ok(ExitCode::FAILURE)
}

/// A progress bar on a terminal.
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn advance(&mut self, read: u64, total: u64) {
        self.0.set_length(total);
        self.0.set_position(read);
    }
}

fn import(database: &str, file: &Path, dry_run: bool) -> Result<ExitCode, String> {
    if !file.is_file() {
        return Err(format!("找不到文件 {}", file.display()));
    }
    let db = open(database)?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let request = ImportRequest {
        path: file,
        filename: file.file_name().map(|n| n.to_string_lossy().into_owned()),
        actor: "cli".to_owned(),
        dry_run,
    };
    let started = std::time::Instant::now();
    let outcome = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let mut progress = Bar(bar);
        let outcome = import_file(&mut conn, &request, &mut progress);
        progress.0.finish_and_clear();
        outcome
    } else {
        import_file(&mut conn, &request, &mut Unwatched)
    }
    .map_err(|e| e.to_string())?;
    let elapsed = started.elapsed();
    match outcome {
        ImportOutcome::Committed(report) => {
            print_summary("已导入", &report);
            eprintln!("用时 {:.2} 秒", elapsed.as_secs_f64());
            Ok(ExitCode::SUCCESS)
        }
        ImportOutcome::Replayed(report) => {
            print_summary(
                "此文件此前已导入（内容相同），未写入任何数据；原批次",
                &report,
            );
            Ok(ExitCode::SUCCESS)
        }
        ImportOutcome::DryRun(report) => {
            print_summary("试导入（未写入）", &report);
            Ok(ExitCode::SUCCESS)
        }
        ImportOutcome::Rejected(report) => {
            print_errors(&report);
            Ok(ExitCode::FAILURE)
        }
    }
}

fn print_summary(heading: &str, report: &BatchReport) {
    println!("{heading} {}", report.id.as_deref().unwrap_or(""));
    println!("  编码         {}", report.encoding);
    println!("  数据行       {}", report.data_rows);
    println!("  新增项目     {}", report.projects_created);
    println!("  新增资产     {}", report.assets_created);
    println!("  未变的行     {}", report.rows_unchanged);
    for warning in &report.warnings {
        println!("  提示：第 {} 行 {}", warning.line, warning.message);
    }
}

/// Display width of a string in a terminal: CJK characters take two columns.
fn width(text: &str) -> usize {
    text.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

fn pad(text: &str, columns: usize) -> String {
    let fill = columns.saturating_sub(width(text));
    format!("{text}{}", " ".repeat(fill))
}

fn print_errors(report: &BatchReport) {
    println!(
        "导入被拒绝：共 {} 处错误，未写入任何数据{}",
        report.error_count,
        if report.errors.len() < usize::try_from(report.error_count).unwrap_or(usize::MAX) {
            format!("（以下列出前 {} 处）", report.errors.len())
        } else {
            String::new()
        }
    );
    let cells = |e: &RowError| {
        [
            e.line.map_or_else(|| "-".to_owned(), |l| l.to_string()),
            e.column.clone().unwrap_or_else(|| "-".to_owned()),
            e.code.to_owned(),
            e.message.clone(),
        ]
    };
    let header = ["行", "列", "代码", "说明"].map(str::to_owned);
    let rows: Vec<[String; 4]> = report.errors.iter().map(cells).collect();
    let widths: Vec<usize> = (0..3)
        .map(|i| {
            rows.iter()
                .chain(std::iter::once(&header))
                .map(|r| width(&r[i]).min(40))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(&header).chain(rows.iter()) {
        println!(
            "{}  {}  {}  {}",
            pad(&row[0], widths[0]),
            pad(&row[1], widths[1]),
            pad(&row[2], widths[2]),
            row[3]
        );
    }
}
