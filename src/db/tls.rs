//! OpenSSL, which the bundled libpq uses for PostgreSQL's TLS, started without its exit
//! handler.
//!
//! Left to itself OpenSSL 3 registers `OPENSSL_cleanup` with `atexit` the first time
//! libpq uses it. That handler frees OpenSSL's global and per-thread state while threads
//! that used TLS may still be running or exiting (r2d2's workers, which open the
//! connections, are never joined; r2d2's own outlived their pool by up to 30 s), and
//! aborted a test binary at exit with `double free or corruption`. OpenSSL's maintainers
//! call the handler optional (the system frees a process's memory); rust-openssl and curl
//! turn it off the same way.

/// Starts OpenSSL without its exit handler (once per process; later calls do nothing).
/// Must run before anything opens a PostgreSQL connection: the first start decides.
pub fn init() {
    openssl_sys::init();
}
