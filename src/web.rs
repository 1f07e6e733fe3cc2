//! The web interface in Chinese for finance staff and auditors: server-rendered pages,
//! one embedded stylesheet and two small embedded scripts (the import page, print
//! buttons), nothing fetched from elsewhere.

pub mod form_key;
pub mod pages;
pub mod session;
pub mod view;

use rocket::http::ContentType;
use rocket::response::Redirect;
use rocket::{catch, catchers, get, routes, Catcher, Route};

/// Every route of the web interface, to mount at `/`.
pub fn routes() -> Vec<Route> {
    routes![
        stylesheet,
        import_script,
        print_script,
        session::login_form,
        session::login,
        session::logout,
        pages::overview::overview,
        pages::imports::imports,
        pages::assets::assets,
        pages::assets::asset,
        pages::assets::append_entry,
        pages::attachments::upload_from_asset,
        pages::projects::projects,
        pages::projects::project,
        pages::reconcile::reconcile,
        pages::reconcile::create_declaration,
        pages::reconcile::upload_declaration,
        pages::reconcile::show_declaration,
        pages::audit::findings,
        pages::audit::verify,
        pages::households::search,
        pages::households::household_page,
        pages::access_log::access_log,
        pages::stocktakes::stocktakes,
        pages::stocktakes::open_stocktake,
        pages::stocktakes::stocktake,
        pages::stocktakes::close_stocktake,
        pages::stocktakes::phone::check,
        pages::stocktakes::phone::record_check,
        pages::proposals::proposals,
        pages::proposals::proposal,
        pages::proposals::approve,
        pages::proposals::reject,
        pages::proposals::create_notice,
        pages::proposals::create_objection,
        pages::proposals::resolve_objection,
        pages::proposals::print_notice,
    ]
}

/// The public notice pages, mounted at `/` when the setting `public` is on.
pub fn public_routes() -> Vec<Route> {
    routes![pages::public::village]
}

/// The web interface's catchers: a missing session goes to the sign-in page.
pub fn catchers() -> Vec<Catcher> {
    catchers![to_login, forbidden, not_found, throttled]
}

#[catch(429)]
fn throttled() -> pages::PageError {
    pages::throttled()
}

#[catch(401)]
fn to_login() -> Redirect {
    Redirect::to("/login")
}

#[catch(403)]
async fn forbidden(request: &rocket::Request<'_>) -> pages::PageError {
    // Run the session guard, so that the page keeps the signed-in user's navigation.
    let _ = request.guard::<session::Session>().await;
    pages::forbidden()
}

#[catch(404)]
async fn not_found(request: &rocket::Request<'_>) -> pages::PageError {
    let _ = request.guard::<session::Session>().await;
    pages::missing("没有这个页面。", "/")
}

/// The stylesheet, embedded in the binary.
#[get("/static/app.css")]
fn stylesheet() -> (ContentType, &'static str) {
    (ContentType::CSS, include_str!("web/static/app.css"))
}

/// The import page's script, embedded in the binary.
#[get("/static/import.js")]
fn import_script() -> (ContentType, &'static str) {
    (
        ContentType::JavaScript,
        include_str!("web/static/import.js"),
    )
}

/// The print buttons' script, embedded in the binary.
#[get("/static/print.js")]
fn print_script() -> (ContentType, &'static str) {
    (ContentType::JavaScript, include_str!("web/static/print.js"))
}
