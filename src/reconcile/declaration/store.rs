//! A declaration stored in `declarations` and `declaration_lines`, and read back.

use diesel::prelude::*;

use super::figures::{Declaration, DeclaredLine, Scope, StoredDeclaration};
use crate::db::schema::{declaration_lines, declarations};
use crate::db::seek::newest_first;
use crate::db::DbConnection;
use crate::domain::codes::could_be_key;
use crate::domain::{BusinessDate, Yuan};

/// Stores a declaration; returns its id.
///
/// Fails when the insert fails.
pub fn store(
    conn: &mut DbConnection,
    declaration: &Declaration,
    actor: &str,
    now: &str,
) -> QueryResult<String> {
    let id = uuid::Uuid::new_v4().to_string();
    conn.transaction(|conn| {
        diesel::insert_into(declarations::table)
            .values((
                declarations::id.eq(&id),
                declarations::name.eq(&declaration.name),
                declarations::as_of.eq(declaration.as_of.to_string()),
                declarations::actor.eq(actor),
                declarations::created_at.eq(now),
            ))
            .execute(conn)?;
        for (ordinal, line) in declaration.lines.iter().enumerate() {
            diesel::insert_into(declaration_lines::table)
                .values((
                    declaration_lines::declaration_id.eq(&id),
                    declaration_lines::ordinal.eq(ordinal as i64),
                    declaration_lines::scope.eq(line.scope.to_string()),
                    declaration_lines::projects.eq(line.projects),
                    declaration_lines::amount_fen.eq(line.amount.fen()),
                ))
                .execute(conn)?;
        }
        Ok(id.clone())
    })
}

/// A stored declaration's lines are invalid: the database was changed behind the application.
fn corrupt(id: &str) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(
        format!("declaration {id} has an invalid line").into(),
    )
}

/// The declaration with this id, if any.
///
/// Fails when the query fails or a stored line is invalid.
pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<StoredDeclaration>> {
    if !could_be_key(id) {
        return Ok(None);
    }
    let Some((name, as_of, actor, created_at)) = declarations::table
        .find(id)
        .select((
            declarations::name,
            declarations::as_of,
            declarations::actor,
            declarations::created_at,
        ))
        .first::<(String, String, String, String)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let rows: Vec<(String, i64, i64)> = declaration_lines::table
        .filter(declaration_lines::declaration_id.eq(id))
        .order(declaration_lines::ordinal)
        .select((
            declaration_lines::scope,
            declaration_lines::projects,
            declaration_lines::amount_fen,
        ))
        .load(conn)?;
    let lines = rows
        .into_iter()
        .map(|(scope, projects, fen)| {
            Ok(DeclaredLine {
                scope: Scope::parse(&scope).map_err(|_| corrupt(id))?,
                projects,
                amount: Yuan::from_fen(fen).ok_or_else(|| corrupt(id))?,
            })
        })
        .collect::<QueryResult<Vec<_>>>()?;
    Ok(Some(StoredDeclaration {
        id: id.to_owned(),
        actor,
        created_at,
        declaration: Declaration {
            name,
            as_of: BusinessDate::stored(&as_of).ok_or_else(|| corrupt(id))?,
            lines,
        },
    }))
}

/// Declarations, newest first, after the `(created_at, id)` of the previous page.
///
/// Fails when the query fails.
pub fn list(
    conn: &mut DbConnection,
    before: Option<(&str, &str)>,
    limit: i64,
) -> QueryResult<Vec<StoredDeclaration>> {
    let query = declarations::table
        .select(declarations::id)
        .into_boxed::<crate::db::pool::DbBackend>();
    let ids: Vec<String> =
        newest_first!(query, declarations, created_at, id, before, limit).load(conn)?;
    ids.iter()
        .map(|id| find(conn, id).and_then(|d| d.ok_or(diesel::result::Error::NotFound)))
        .collect()
}
