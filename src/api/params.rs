//! Path parameters: a key in a path (`/assets/{key}`) names nothing when it could not
//! be one (query strings are `crate::request`'s).

use super::error::ApiError;

/// A key in a path (`/assets/{key}`): one with control characters names nothing.
pub fn key(value: &str) -> Result<String, ApiError> {
    if !crate::domain::codes::could_be_key(value) {
        return Err(ApiError::NotFound(format!(
            "没有“{}”",
            value.escape_default()
        )));
    }
    Ok(value.to_owned())
}
