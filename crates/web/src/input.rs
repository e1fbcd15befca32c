//! The parsers of what a request brings, each a small function and each a
//! fuzz target (`fuzz/fuzz_targets/web_*.rs`): a cookie in a `Cookie` header,
//! a session id, the CSRF field of a form body, the Country Code and Cell
//! Phone fields, and the permission grid's post. Whatever the bytes: an
//! answer or a typed refusal, never a panic.

use countersign::permissions::Setting;

/// Cookie `name`'s value in one `Cookie` header value (`a=1; b=2`), if there.
///
/// # Examples
///
/// ```
/// use countersign_web::input::cookie;
///
/// assert_eq!(cookie("a=1; countersign_session=abc", "countersign_session"), Some("abc"));
/// assert_eq!(cookie("countersign_sessionx=abc", "countersign_session"), None);
/// ```
#[must_use]
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(k, v)| (k == name).then_some(v))
}

/// The length of a session id: 256 random bits as lower-case hex.
pub const SESSION_ID_LEN: usize = 64;

/// A cookie's value as a session id: 64 lower-case hex digits, or `None` (a
/// value of any other shape is never looked up).
///
/// # Examples
///
/// ```
/// use countersign_web::input::session_id;
///
/// assert!(session_id(&"ab".repeat(32)).is_some());
/// assert!(session_id(&"AB".repeat(32)).is_none());
/// assert!(session_id("abc").is_none());
/// ```
#[must_use]
pub fn session_id(value: &str) -> Option<&str> {
    (value.len() == SESSION_ID_LEN
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then_some(value)
}

/// The `csrf` field of a form body (`application/x-www-form-urlencoded`), or
/// `None` when there is none or the body is not a form.
///
/// # Examples
///
/// ```
/// use countersign_web::input::csrf_field;
///
/// assert_eq!(csrf_field(b"code=123&csrf=abc").as_deref(), Some("abc"));
/// assert_eq!(csrf_field(b"code=123"), None);
/// ```
#[must_use]
pub fn csrf_field(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct CsrfField {
        csrf: Option<String>,
    }
    serde_urlencoded::from_bytes::<CsrfField>(body)
        .ok()
        .and_then(|f| f.csrf)
}

/// The Country Code drop-down: ISO 3166 code and what the list shows.
pub const COUNTRIES: &[(&str, &str)] = &[
    ("US", "United States (+1)"),
    ("CA", "Canada (+1)"),
    ("MX", "Mexico (+52)"),
    ("BR", "Brazil (+55)"),
    ("GB", "United Kingdom (+44)"),
    ("IE", "Ireland (+353)"),
    ("FR", "France (+33)"),
    ("DE", "Germany (+49)"),
    ("NL", "Netherlands (+31)"),
    ("ES", "Spain (+34)"),
    ("IT", "Italy (+39)"),
    ("IN", "India (+91)"),
    ("JP", "Japan (+81)"),
    ("AU", "Australia (+61)"),
    ("NZ", "New Zealand (+64)"),
];

/// A number typed for `country` (seed 004's Country Code and Cell Phone
/// fields), in E.164 (`+15095271234`) by libphonenumber's rules.
///
/// # Errors
///
/// What to tell the person: a country not in [`COUNTRIES`], more than 32
/// characters, not a phone number, or not a valid one for the country.
///
/// # Examples
///
/// ```
/// use countersign_web::input::e164;
///
/// assert_eq!(e164("US", "(202) 456-1111").as_deref(), Ok("+12024561111"));
/// assert!(e164("US", "123").is_err());
/// ```
pub fn e164(country: &str, number: &str) -> Result<String, &'static str> {
    if !COUNTRIES.iter().any(|(code, _)| *code == country) {
        return Err("Select your country from the Country Code list.");
    }
    if number.len() > 32 {
        return Err("That is too long for a phone number.");
    }
    let id = country
        .parse::<phonenumber::country::Id>()
        .map_err(|_| "Select your country from the Country Code list.")?;
    let parsed = phonenumber::parse(Some(id), number)
        .map_err(|_| "That is not a phone number: enter your area code and phone number.")?;
    if !phonenumber::is_valid(&parsed) {
        return Err("That is not a valid phone number for the country selected.");
    }
    Ok(parsed.format().mode(phonenumber::Mode::E164).to_string())
}

/// A cell of the permission grid as posted: resource id, action id, setting.
pub type GridSetting = (String, String, Setting);

/// Why a permission grid post was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GridFormError {
    /// A field that is not `resource.action`.
    #[error("the field {field:?} is not a cell of the grid")]
    NotACell {
        /// The field's name.
        field: String,
    },
    /// A value other than inherit, allow or deny.
    #[error("the cell {field:?} is set to neither inherit, allow nor deny")]
    UnknownSetting {
        /// The field's name.
        field: String,
    },
    /// The same cell twice.
    #[error("the cell {field:?} is set twice")]
    Repeated {
        /// The field's name.
        field: String,
    },
    /// More fields than any grid has.
    #[error("more than {max} cells")]
    TooMany {
        /// The ceiling.
        max: usize,
    },
}

/// More cells than the client-portal grid has (rows x actions), with room.
pub const MAX_GRID_CELLS: usize = 512;

/// The permission grid's post (Edit Contact's Permissions tab, "Update"):
/// every `resource.action` field with `inherit`, `allow` or `deny`, in order;
/// the `csrf` field is skipped. Whether the resource and action exist is the
/// policy's to say (the facade's step refuses them, all or none).
///
/// # Errors
///
/// [`GridFormError`]: a field that is not `resource.action`, an unknown
/// setting, a cell twice, more than [`MAX_GRID_CELLS`] cells.
///
/// # Examples
///
/// ```
/// use countersign::permissions::Setting;
/// use countersign_web::input::grid_post;
///
/// let fields = [("csrf".into(), "t".into()), ("profile.view".into(), "allow".into())];
/// let cells = grid_post(&fields)?;
/// assert_eq!(cells, [("profile".into(), "view".into(), Setting::Allow)]);
/// assert!(grid_post(&[("profile.view".into(), "maybe".into())]).is_err());
/// # Ok::<(), countersign_web::input::GridFormError>(())
/// ```
pub fn grid_post(fields: &[(String, String)]) -> Result<Vec<GridSetting>, GridFormError> {
    let mut cells: Vec<GridSetting> = Vec::new();
    for (field, value) in fields {
        if field == "csrf" {
            continue;
        }
        if cells.len() == MAX_GRID_CELLS {
            return Err(GridFormError::TooMany {
                max: MAX_GRID_CELLS,
            });
        }
        let (resource, action) = field
            .split_once('.')
            .filter(|(r, a)| !r.is_empty() && !a.is_empty())
            .ok_or_else(|| GridFormError::NotACell {
                field: field.clone(),
            })?;
        let setting = match value.as_str() {
            "inherit" => Setting::Inherit,
            "allow" => Setting::Allow,
            "deny" => Setting::Deny,
            _ => {
                return Err(GridFormError::UnknownSetting {
                    field: field.clone(),
                });
            }
        };
        if cells.iter().any(|(r, a, _)| r == resource && a == action) {
            return Err(GridFormError::Repeated {
                field: field.clone(),
            });
        }
        cells.push((resource.to_owned(), action.to_owned(), setting));
    }
    Ok(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_e164() {
        assert_eq!(e164("US", "(202) 456-1111").unwrap(), "+12024561111");
        assert_eq!(e164("GB", "07911 123456").unwrap(), "+447911123456");
        assert_eq!(e164("GB", "+44 7911 123456").unwrap(), "+447911123456");
        assert!(e164("US", "123").is_err());
        assert!(e164("US", "not a number").is_err());
        assert!(
            e164("ZZ", "(202) 456-1111").is_err(),
            "only the drop-down's countries"
        );
        assert!(e164("US", &"1".repeat(40)).is_err());
    }

    #[test]
    fn grid_posts() {
        let f = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        assert_eq!(
            grid_post(&f(&[("a.view", "deny"), ("b.update", "inherit")])).unwrap(),
            [
                ("a".to_owned(), "view".to_owned(), Setting::Deny),
                ("b".to_owned(), "update".to_owned(), Setting::Inherit)
            ]
        );
        for bad in [
            f(&[("aview", "allow")]),
            f(&[(".view", "allow")]),
            f(&[("a.", "allow")]),
            f(&[("a.view", "Allow")]),
            f(&[("a.view", "allow"), ("a.view", "deny")]),
        ] {
            assert!(grid_post(&bad).is_err(), "{bad:?}");
        }
        let many: Vec<(String, String)> = (0..=MAX_GRID_CELLS)
            .map(|i| (format!("r{i}.view"), "allow".to_owned()))
            .collect();
        assert_eq!(
            grid_post(&many),
            Err(GridFormError::TooMany {
                max: MAX_GRID_CELLS
            })
        );
    }
}
