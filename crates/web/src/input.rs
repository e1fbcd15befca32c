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

/// The longest security-key answer taken (a registration with a packed
/// attestation and its certificate is about 2 KiB of base64url; the form body
/// limit is 16 KiB).
pub const MAX_PASSKEY_RESPONSE: usize = 12 * 1024;

/// Which WebAuthn ceremony an answer belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ceremony {
    /// `navigator.credentials.create`: a new credential, with its attestation.
    Registration,
    /// `navigator.credentials.get`: an assertion signed by a registered credential.
    Assertion,
}

/// Why a security key's answer was refused before the facade saw it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PasskeyResponseError {
    /// The `response` field was missing or empty (the script did not run).
    #[error("no answer from a security key came with the form")]
    Missing,
    /// Longer than [`MAX_PASSKEY_RESPONSE`].
    #[error("the answer is longer than {max} bytes")]
    TooLong {
        /// The ceiling.
        max: usize,
    },
    /// Not a JSON object of the credential's shape.
    #[error("the answer is not a credential in JSON")]
    NotACredential,
    /// A field the ceremony needs is missing or not a string.
    #[error("the answer has no {field}")]
    MissingField {
        /// The field, as WebAuthn names it.
        field: &'static str,
    },
    /// A binary field that is not base64 (either alphabet, as webauthn-rs reads it).
    #[error("the answer's {field} is not base64url")]
    NotBase64 {
        /// The field, as WebAuthn names it.
        field: &'static str,
    },
    /// A `type` other than `public-key`.
    #[error("the answer is not a public-key credential")]
    WrongType,
}

/// A security key's answer as `static/passkey.js` posts it in the `response`
/// field: the JSON webauthn-rs's `RegisterPublicKeyCredential` (registration)
/// or `PublicKeyCredential` (assertion) deserializes. Checked for its shape
/// only (size, fields, base64): the signature, challenge, origin and counter
/// are the facade's to verify. Returns the text, trimmed.
///
/// # Errors
///
/// [`PasskeyResponseError`]: empty, too long, not JSON of a credential's shape,
/// a field the ceremony needs missing, a binary field not base64, a type other
/// than `public-key`.
///
/// # Examples
///
/// ```
/// use countersign_web::input::{Ceremony, passkey_response};
///
/// let answer = r#"{"id":"AQI","rawId":"AQI","type":"public-key",
///   "response":{"authenticatorData":"AQI","clientDataJSON":"e30","signature":"AQI"}}"#;
/// assert!(passkey_response(answer, Ceremony::Assertion).is_ok());
/// assert!(passkey_response(answer, Ceremony::Registration).is_err());
/// assert!(passkey_response("{}", Ceremony::Assertion).is_err());
/// ```
pub fn passkey_response(text: &str, ceremony: Ceremony) -> Result<&str, PasskeyResponseError> {
    use PasskeyResponseError as E;
    let text = text.trim();
    if text.is_empty() {
        return Err(E::Missing);
    }
    if text.len() > MAX_PASSKEY_RESPONSE {
        return Err(E::TooLong {
            max: MAX_PASSKEY_RESPONSE,
        });
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| E::NotACredential)?;
    let object = value.as_object().ok_or(E::NotACredential)?;
    type Object = serde_json::Map<String, serde_json::Value>;
    fn string<'a>(from: &'a Object, field: &'static str) -> Result<&'a str, PasskeyResponseError> {
        from.get(field)
            .and_then(serde_json::Value::as_str)
            .ok_or(PasskeyResponseError::MissingField { field })
    }
    fn binary(from: &Object, field: &'static str) -> Result<(), PasskeyResponseError> {
        let text = string(from, field)?;
        let digits = text.trim_end_matches('=');
        let base64 = !digits.is_empty()
            && text.len() - digits.len() <= 2
            && digits
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'/'));
        if base64 {
            Ok(())
        } else {
            Err(PasskeyResponseError::NotBase64 { field })
        }
    }
    string(object, "id")?;
    binary(object, "rawId")?;
    if string(object, "type")? != "public-key" {
        return Err(E::WrongType);
    }
    let response = object
        .get("response")
        .and_then(serde_json::Value::as_object)
        .ok_or(E::MissingField { field: "response" })?;
    binary(response, "clientDataJSON")?;
    match ceremony {
        Ceremony::Registration => binary(response, "attestationObject")?,
        Ceremony::Assertion => {
            binary(response, "authenticatorData")?;
            binary(response, "signature")?;
            // A discoverable credential names its user; a second factor's may not.
            match response.get("userHandle") {
                None | Some(serde_json::Value::Null) => {}
                Some(_) => binary(response, "userHandle")?,
            }
        }
    }
    Ok(text)
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
        assert_eq!(
            e164("CH", "044 668 18 00"),
            Err("Select your country from the Country Code list."),
            "a real country, but not one the drop-down offers"
        );
        // 32 characters are read; one more is refused before libphonenumber sees it.
        let longest = format!("{:>32}", "+1 (202) 456-1111");
        assert_eq!(e164("US", &longest).as_deref(), Ok("+12024561111"));
        assert_eq!(
            e164("US", &format!(" {longest}")),
            Err("That is too long for a phone number.")
        );
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

    #[test]
    fn passkey_answers_of_the_right_shape_only() {
        let assertion = r#"{"id":"AQI","rawId":"AQI","type":"public-key","extensions":{},
            "response":{"authenticatorData":"AQI","clientDataJSON":"e30","signature":"AQI","userHandle":"AQ"}}"#;
        let registration = r#"{"id":"AQI","rawId":"AQI","type":"public-key",
            "response":{"attestationObject":"o2Nm","clientDataJSON":"e30","transports":["internal"]}}"#;
        assert!(passkey_response(assertion, Ceremony::Assertion).is_ok());
        assert!(passkey_response(registration, Ceremony::Registration).is_ok());
        let no_handle = assertion.replace(r#","userHandle":"AQ""#, r#","userHandle":null"#);
        assert!(passkey_response(&no_handle, Ceremony::Assertion).is_ok());
        use PasskeyResponseError as E;
        for (text, ceremony, error) in [
            ("", Ceremony::Assertion, E::Missing),
            ("  ", Ceremony::Registration, E::Missing),
            ("not json", Ceremony::Assertion, E::NotACredential),
            ("[1,2]", Ceremony::Assertion, E::NotACredential),
            ("{}", Ceremony::Assertion, E::MissingField { field: "id" }),
            (
                registration,
                Ceremony::Assertion,
                E::MissingField {
                    field: "authenticatorData",
                },
            ),
            (
                assertion,
                Ceremony::Registration,
                E::MissingField {
                    field: "attestationObject",
                },
            ),
        ] {
            assert_eq!(passkey_response(text, ceremony), Err(error), "{text}");
        }
        let bad = |from: &str, to: &str| assertion.replace(from, to);
        assert_eq!(
            passkey_response(
                &bad(r#""type":"public-key""#, r#""type":"password""#),
                Ceremony::Assertion
            ),
            Err(E::WrongType)
        );
        assert_eq!(
            passkey_response(
                &bad(r#""signature":"AQI""#, r#""signature":"A Q""#),
                Ceremony::Assertion
            ),
            Err(E::NotBase64 { field: "signature" })
        );
        assert_eq!(
            passkey_response(
                &bad(r#""signature":"AQI""#, r#""signature":"""#),
                Ceremony::Assertion
            ),
            Err(E::NotBase64 { field: "signature" })
        );
        assert_eq!(
            passkey_response(
                &bad(r#""userHandle":"AQ""#, r#""userHandle":7"#),
                Ceremony::Assertion
            ),
            Err(E::MissingField {
                field: "userHandle"
            })
        );
        assert_eq!(
            passkey_response(
                &bad(r#""rawId":"AQI""#, r#""rawId":"AQI===""#),
                Ceremony::Assertion
            ),
            Err(E::NotBase64 { field: "rawId" })
        );
        // 12 KiB are read, white space and all (a registration with a packed
        // attestation and its certificate is some 2 KiB); one byte more is not.
        let padded = |len: usize| {
            let answer = format!("{{{}{}", " ".repeat(len - assertion.len()), &assertion[1..]);
            assert_eq!(answer.len(), len);
            answer
        };
        assert!(passkey_response(&padded(12 * 1024), Ceremony::Assertion).is_ok());
        assert_eq!(
            passkey_response(&padded(12 * 1024 + 1), Ceremony::Assertion),
            Err(E::TooLong {
                max: MAX_PASSKEY_RESPONSE
            })
        );
        let long = format!("{{\"id\":\"{}\"}}", "A".repeat(MAX_PASSKEY_RESPONSE));
        assert_eq!(
            passkey_response(&long, Ceremony::Assertion),
            Err(E::TooLong {
                max: MAX_PASSKEY_RESPONSE
            })
        );
    }
}
