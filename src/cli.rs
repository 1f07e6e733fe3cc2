//! The command line: `serve`, `import`, `reconcile`, `verify`, `backup`, `restore`,
//! `export`, `token create` and `config` as clap defines them, and their dispatch to a room per
//! group of commands, each with the terminal output it prints.

mod backup;
mod codes;
mod config;
mod database;
mod export;
mod import;
mod migrate;
mod reconcile;
mod serve;
mod table;
mod token;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The asset register of poverty-alleviation projects (扶贫项目资产登记).
#[derive(Debug, Parser)]
#[command(name = "asset-registry", version, about)]
pub struct Cli {
    /// Database: a SQLite file path, or postgres://user@host/db (else the setting
    /// `database` of Rocket.toml or ROCKET_DATABASE; default data/registry.sqlite3).
    #[arg(long, global = true, env = "DATABASE_URL")]
    pub database: Option<String>,
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
        /// Serve the villages' public notice pages (/public/{镇街}/{村}) without sign-in
        /// (also the setting `public = true`).
        #[arg(long)]
        public: bool,
    },
    /// Import a register: CSV (UTF-8 or GBK) or a workbook (.xlsx, .xls, .ods),
    /// Chinese or English headers.
    Import {
        /// The CSV file or workbook (told by its content, not its name).
        file: PathBuf,
        /// Check the file and report what would be registered, without writing.
        #[arg(long)]
        dry_run: bool,
        /// The workbook's sheet to import (default: the first visible sheet).
        #[arg(long)]
        sheet: Option<String>,
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
    /// Export the register in the import format (CSV in UTF-8 with BOM, or GBK), or as
    /// the Excel 台账 a finance bureau prints (`--format xlsx`).
    Export {
        /// csv or xlsx.
        #[arg(long, default_value = "csv")]
        format: String,
        /// utf-8 or gbk (CSV only).
        #[arg(long, default_value = "utf-8")]
        encoding: String,
        /// Write to this file instead of stdout.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Copy this register (SQLite) and its ledger into an empty PostgreSQL database and
    /// verify it there: exit 1 when the copy does not verify, 2 when the target is not
    /// an empty PostgreSQL database.
    MigrateTo {
        /// The target: postgres://user@host/db (an empty database).
        target: String,
    },
    /// Print the effective settings (Rocket.toml, ROCKET_*, the command line), where
    /// each came from and its default; secrets never.
    Config,
    /// Print every code word of the register as JSON (for the end-to-end test).
    #[command(hide = true)]
    Codes,
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
        /// reader, clerk, auditor, admin or approver.
        #[arg(long)]
        role: String,
        /// Who will use it (recorded as the actor of its writes).
        #[arg(long)]
        name: String,
        /// What it sees and writes: county (the default), town:<镇街>,
        /// village:<镇街>/<村> or department:<行业主管部门>.
        #[arg(long, default_value = "county")]
        scope: String,
    },
}

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    // Before any command can open a PostgreSQL connection (see `db::tls`).
    crate::db::tls::init();
    match execute(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("错误：{message}");
            ExitCode::from(2)
        }
    }
}

fn execute(cli: Cli) -> Result<ExitCode, String> {
    let flag = cli.database.is_some();
    let database = &crate::settings::database(cli.database, &crate::settings::figment());
    match cli.command {
        Command::Serve {
            address,
            port,
            demo,
            public,
        } => serve::serve(database, address, port, demo, public),
        Command::Import {
            file,
            dry_run,
            sheet,
        } => import::import(database, &file, dry_run, sheet),
        Command::Verify { against } => backup::verify(database, against.as_ref()),
        Command::Backup { file } => backup::backup(database, &file),
        Command::Restore { file, force } => backup::restore(database, &file, force),
        Command::Reconcile {
            declared,
            name,
            as_of,
        } => reconcile::reconcile(database, &declared, name.as_deref(), as_of.as_deref()),
        Command::Export {
            format,
            encoding,
            output,
        } => export::export(database, &format, &encoding, output.as_deref()),
        Command::Token {
            action: TokenAction::Create { role, name, scope },
        } => token::create(database, &role, &name, &scope),
        Command::MigrateTo { target } => migrate::migrate_to(database, &target),
        Command::Config => config::print(database, flag),
        Command::Codes => codes::print(),
    }
}
