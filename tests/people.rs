//! What a person sees (issue #13), on SQLite and PostgreSQL: commands that refuse to
//! create a register, money and China time on pages and reports, Chinese labels instead
//! of code words, the import page, findings, the register's pages and the API's shapes.

mod support;

use std::process::{Command, Output};

use asset_registry::db::Backend;
use support::{Scenario, TestApp};

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![(
        "commands_other_than_serve_and_import_refuse_a_missing_register",
        commands_other_than_serve_and_import_refuse_a_missing_register,
    )];
    support::run(scenarios)
}

/// Runs the binary with `args`.
fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_asset-registry"))
        .args(args)
        .output()
        .expect("run asset-registry")
}

/// A register URL of the app's backend that names a database that does not exist.
fn missing_register(app: &TestApp) -> (String, Option<std::path::PathBuf>) {
    match app.backend {
        Backend::Sqlite => {
            let path = app
                .database
                .folder()
                .expect("a SQLite test database has a folder")
                .join("mistyped.sqlite3");
            (path.to_string_lossy().into_owned(), Some(path))
        }
        Backend::Postgres => {
            let base = support::postgres_admin_url();
            let slash = base.rfind('/').expect("a PostgreSQL URL names a database");
            (format!("{}/ar_no_such_register", &base[..slash]), None)
        }
    }
}

fn commands_other_than_serve_and_import_refuse_a_missing_register(app: &TestApp) {
    let (url, file) = missing_register(app);
    let folder = app.database.folder().map(|f| f.to_owned());
    let declared = folder
        .as_ref()
        .map(|f| f.join("declared.csv"))
        .unwrap_or_else(|| std::env::temp_dir().join("ar-people-declared.csv"));
    std::fs::write(&declared, "scope,projects,amount\ntotal,1,100.00\n").expect("write");
    let backup = std::env::temp_dir().join(format!("ar-people-{}.bak", uuid::Uuid::new_v4()));
    let declared = declared.to_string_lossy().into_owned();
    let backup = backup.to_string_lossy().into_owned();
    let commands: Vec<Vec<&str>> = vec![
        vec!["verify"],
        vec![
            "reconcile",
            "--declared",
            &declared,
            "--as-of",
            "2020-10-31",
        ],
        vec!["export"],
        vec!["token", "create", "--role", "admin", "--name", "x"],
        vec!["backup", &backup],
    ];
    for command in commands {
        let mut args = vec!["--database", url.as_str()];
        args.extend(command.iter().copied());
        let output = cli(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{command:?} printed a result");
        assert!(!String::from_utf8_lossy(&output.stdout).contains("校验通过"));
        if let Some(file) = &file {
            assert!(
                stderr.contains("不存在") && stderr.contains("mistyped.sqlite3"),
                "{command:?}: {stderr}"
            );
            assert!(!file.exists(), "{command:?} created the register");
        } else {
            assert!(stderr.starts_with("错误："), "{command:?}: {stderr}");
        }
        assert!(!std::path::Path::new(&backup).exists());
    }
    // The existing register still verifies, and `import` may create a new one.
    let verified = cli(&["--database", &app.database.url, "verify"]);
    assert_eq!(verified.status.code(), Some(0));
    if let Some(file) = &file {
        let sample = support::sample("xingping_2020.utf8.csv");
        let imported = cli(&[
            "--database",
            &url,
            "import",
            "--dry-run",
            &sample.to_string_lossy(),
        ]);
        assert_eq!(imported.status.code(), Some(0));
        assert!(file.exists(), "import creates a missing register");
    }
}
