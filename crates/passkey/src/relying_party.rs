//! The relying party: who the credentials are for (the RP id, a domain), where
//! the browser may run the ceremonies (the origin), and the ceremonies themselves.

use core::fmt;
use std::time::Duration;

use webauthn_rs::prelude::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse, Url, Webauthn, WebauthnBuilder,
};

use crate::ceremony::{AuthenticationState, DiscoverableState, RegistrationState};
use crate::credential::Credential;
use crate::user::UserHandle;
use crate::{Error, Result};

/// The longest relying party name, in characters: what authenticators show
/// beside the account ("Vivio Portal").
pub const MAX_NAME_CHARS: usize = 64;

/// The longest time a browser is given to complete a ceremony, in seconds.
pub const MAX_TIMEOUT_SECS: u64 = 3600;

/// A WebAuthn relying party, checked: the RP id is a domain (lower case, no
/// scheme, port or path), the origin an `https` URL (or `http` on `localhost` and `*.localhost`)
/// whose host is the RP id or one of its subdomains (W3C WebAuthn §5.1.4.1: the
/// RP id must be a registrable suffix of the origin's effective domain), and
/// the name 1 to [`MAX_NAME_CHARS`] characters without control characters.
///
/// # Examples
///
/// ```
/// use countersign_passkey::RelyingParty;
///
/// let rp = RelyingParty::new("example.com", "https://portal.example.com", "Vivio Portal", 300)?;
/// assert_eq!(rp.rp_id(), "example.com");
/// assert!(RelyingParty::new("example.com", "https://example.org", "Vivio Portal", 300).is_err());
/// assert!(RelyingParty::new("example.com", "http://example.com", "Vivio Portal", 300).is_err());
/// # Ok::<(), countersign_passkey::Error>(())
/// ```
pub struct RelyingParty {
    webauthn: Webauthn,
    rp_id: String,
    origin: Url,
    name: String,
}

impl fmt::Debug for RelyingParty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelyingParty")
            .field("rp_id", &self.rp_id)
            .field("origin", &self.origin.as_str())
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl RelyingParty {
    /// A relying party for `rp_id`, ceremonies run at `origin`, shown as `name`,
    /// giving the browser `timeout_secs` (1 to [`MAX_TIMEOUT_SECS`]) per ceremony.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRelyingParty`] saying which rule a value breaks.
    pub fn new(rp_id: &str, origin: &str, name: &str, timeout_secs: u64) -> Result<Self> {
        let invalid = |reason| Err(Error::InvalidRelyingParty { reason });
        let url = checked_origin(rp_id, origin)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return invalid("the relying party name has 1 to 64 characters");
        }
        if name.chars().any(char::is_control) {
            return invalid("the relying party name contains a control character");
        }
        if timeout_secs == 0 || timeout_secs > MAX_TIMEOUT_SECS {
            return invalid("the ceremony timeout is 1 to 3600 seconds");
        }
        let webauthn = WebauthnBuilder::new(rp_id, &url)
            .map(|b| {
                b.rp_name(name)
                    .timeout(Duration::from_secs(timeout_secs))
                    .allow_subdomains(false)
            })
            .and_then(WebauthnBuilder::build)
            .map_err(|_| Error::InvalidRelyingParty {
                reason: "webauthn-rs refused the RP id and origin",
            })?;
        Ok(Self {
            webauthn,
            rp_id: rp_id.to_owned(),
            origin: url,
            name: name.to_owned(),
        })
    }

    /// The RP id.
    #[must_use]
    pub fn rp_id(&self) -> &str {
        &self.rp_id
    }

    /// The origin the ceremonies run at, as configured (`https://portal.example.com/`
    /// keeps its trailing slash as the URL parser writes it).
    #[must_use]
    pub fn origin(&self) -> &str {
        self.origin.as_str()
    }

    /// The name authenticators show.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Starts registering a credential for `user`, excluding the authenticators
    /// of `exclude` (W3C WebAuthn §5.4.3 excludeCredentials: the browser refuses
    /// to register the same authenticator twice). User verification is
    /// required. With `discoverable`, the authenticator is asked to keep a
    /// discoverable credential (residentKey "preferred") so that it can later
    /// sign in without a user name; a security key without room still registers,
    /// as a second factor only.
    ///
    /// Returns the options to hand to `navigator.credentials.create()` (JSON
    /// of a `CreationChallengeResponse`) and the state to keep server-side
    /// until [`finish_registration`](Self::finish_registration).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRelyingParty`] when webauthn-rs refuses the user name.
    pub fn start_registration(
        &self,
        user: UserHandle,
        user_name: &str,
        display_name: &str,
        exclude: &[Credential],
        discoverable: bool,
    ) -> Result<(String, RegistrationState)> {
        let exclude = exclude.iter().map(|c| c.id().to_vec()).collect();
        let (options, state) = self
            .webauthn
            .start_passkey_registration(user.uuid(), user_name, display_name, Some(exclude))
            .map_err(|e| Error::from_webauthn(&e))?;
        let options = registration_options(&options, discoverable)?;
        Ok((options, RegistrationState(state)))
    }

    /// Finishes a registration: `response_json` is what
    /// `navigator.credentials.create()` returned, as JSON (webauthn-rs's
    /// `RegisterPublicKeyCredential`). `existing` is the account's credentials
    /// now: one registered meanwhile is refused too.
    ///
    /// # Errors
    ///
    /// [`Error::MalformedResponse`]; [`Error::Refused`] (wrong origin, RP id or
    /// challenge, no user verification, an excluded authenticator, a bad
    /// attestation); [`Error::DuplicateCredential`].
    pub fn finish_registration(
        &self,
        state: &RegistrationState,
        response_json: &str,
        existing: &[Credential],
    ) -> Result<Credential> {
        let response: RegisterPublicKeyCredential = parse(response_json)?;
        let passkey = self
            .webauthn
            .finish_passkey_registration(&response, &state.0)
            .map_err(|e| Error::from_webauthn(&e))?;
        let credential = Credential::from_passkey(passkey)?;
        if existing.iter().any(|c| c.id() == credential.id()) {
            return Err(Error::DuplicateCredential);
        }
        Ok(credential)
    }

    /// Starts a sign-in with one of `credentials` (the account's): the options
    /// for `navigator.credentials.get()` (JSON of a `RequestChallengeResponse`)
    /// and the state to keep.
    ///
    /// # Errors
    ///
    /// [`Error::NoCredentials`] for an empty list.
    pub fn start_authentication(
        &self,
        credentials: &[Credential],
    ) -> Result<(String, AuthenticationState)> {
        if credentials.is_empty() {
            return Err(Error::NoCredentials);
        }
        let passkeys: Vec<_> = credentials.iter().map(|c| c.passkey().clone()).collect();
        let (options, state) = self
            .webauthn
            .start_passkey_authentication(&passkeys)
            .map_err(|e| Error::from_webauthn(&e))?;
        Ok((to_json(&options)?, AuthenticationState(state)))
    }

    /// Finishes a sign-in: verifies the assertion, refuses a signature counter
    /// that did not move past the one stored in `credentials` now (a clone: see
    /// [`Error::ClonedAuthenticator`]), and updates the used credential's
    /// counter and backup flags in place. Returns which credential signed.
    ///
    /// The counter is compared with `credentials`, not with the copy the state
    /// took when the challenge was issued: with two challenges open at once, a
    /// clone's older assertion would otherwise pass.
    ///
    /// # Errors
    ///
    /// [`Error::MalformedResponse`]; [`Error::UnknownCredential`] (not one of
    /// `credentials`); [`Error::Refused`]; [`Error::ClonedAuthenticator`].
    pub fn finish_authentication(
        &self,
        state: &AuthenticationState,
        response_json: &str,
        credentials: &mut [Credential],
    ) -> Result<Authenticated> {
        let response: PublicKeyCredential = parse(response_json)?;
        let at = find(credentials, response.get_credential_id())?;
        let result = self
            .webauthn
            .finish_passkey_authentication(&response, &state.0)
            .map_err(|e| Error::from_webauthn(&e))?;
        credentials[at].apply(&result)?;
        Ok(Authenticated { index: at })
    }

    /// Starts a passwordless sign-in: no account is known yet, and the browser
    /// offers the discoverable credentials it holds for this RP id.
    ///
    /// # Errors
    ///
    /// [`Error::Refused`] if webauthn-rs cannot make a challenge.
    pub fn start_discoverable(&self) -> Result<(String, DiscoverableState)> {
        let (options, state) = self
            .webauthn
            .start_discoverable_authentication()
            .map_err(|e| Error::from_webauthn(&e))?;
        Ok((discoverable_options(&options)?, DiscoverableState(state)))
    }

    /// The user handle of a passwordless sign-in's response: which account to
    /// load (nothing is verified yet).
    ///
    /// # Errors
    ///
    /// [`Error::MalformedResponse`]; [`Error::UnknownUserHandle`] when it has
    /// none, or one this crate did not make.
    pub fn identify(&self, response_json: &str) -> Result<UserHandle> {
        let response: PublicKeyCredential = parse(response_json)?;
        let (uuid, _) = self
            .webauthn
            .identify_discoverable_authentication(&response)
            .map_err(|e| Error::from_webauthn(&e))?;
        UserHandle::from_uuid(uuid).ok_or(Error::UnknownUserHandle)
    }

    /// Finishes a passwordless sign-in for the account of `user` (loaded after
    /// [`identify`](Self::identify)), holding `credentials`: as
    /// [`finish_authentication`](Self::finish_authentication), and the
    /// response's user handle must be `user`'s.
    ///
    /// # Errors
    ///
    /// As [`finish_authentication`](Self::finish_authentication), and
    /// [`Error::UnknownUserHandle`] for a response naming another user.
    pub fn finish_discoverable(
        &self,
        state: &DiscoverableState,
        response_json: &str,
        user: UserHandle,
        credentials: &mut [Credential],
    ) -> Result<Authenticated> {
        if self.identify(response_json)? != user {
            return Err(Error::UnknownUserHandle);
        }
        let response: PublicKeyCredential = parse(response_json)?;
        let at = find(credentials, response.get_credential_id())?;
        let result = self
            .webauthn
            .finish_discoverable_authentication_v2(
                &response,
                state.0.clone(),
                credentials[at].passkey(),
            )
            .map_err(|e| Error::from_webauthn(&e))?;
        credentials[at].apply(&result)?;
        Ok(Authenticated { index: at })
    }
}

/// A successful sign-in: which of the credentials given signed (its counter
/// and backup flags are updated already: store them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Authenticated {
    /// The index of the credential in the slice given.
    pub index: usize,
}

fn find(credentials: &[Credential], id: &[u8]) -> Result<usize> {
    credentials
        .iter()
        .position(|c| c.id() == id)
        .ok_or(Error::UnknownCredential)
}

/// The most bytes of browser JSON read: a response is a few kilobytes.
pub const MAX_RESPONSE_LEN: usize = 64 * 1024;

fn parse<T: serde::de::DeserializeOwned>(json: &str) -> Result<T> {
    if json.len() > MAX_RESPONSE_LEN {
        return Err(Error::MalformedResponse {
            reason: "it is longer than 64 KiB",
        });
    }
    serde_json::from_str(json).map_err(|_| Error::MalformedResponse {
        reason: "it is not the JSON of a WebAuthn public key credential",
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|_| Error::CorruptState {
        state: "ceremony options",
        reason: "they do not serialize",
    })
}

fn registration_options(options: &CreationChallengeResponse, discoverable: bool) -> Result<String> {
    let mut value = serde_json::to_value(options).map_err(|_| Error::CorruptState {
        state: "ceremony options",
        reason: "they do not serialize",
    })?;
    if discoverable
        && let Some(selection) = value
            .get_mut("publicKey")
            .and_then(|p| p.get_mut("authenticatorSelection"))
            .and_then(serde_json::Value::as_object_mut)
    {
        // Only what the browser is asked: webauthn-rs's state does not require a
        // resident key, so a security key without room still registers.
        selection.insert("residentKey".into(), "preferred".into());
    }
    to_json(&value)
}

fn discoverable_options(options: &RequestChallengeResponse) -> Result<String> {
    to_json(options)
}

/// Checks an RP id and an origin as browsers will, the rules [`RelyingParty::new`]
/// applies to them (W3C WebAuthn §5.1.4.1 and §7.1 step 9, the HTML standard's
/// "is a registrable domain suffix of"): the RP id is a domain name in lower case
/// ([`is_rp_id`]), not an IP address; the origin is `scheme://host[:port]`, `https`
/// or else `http` on `localhost` or a `*.localhost` name (the secure contexts of
/// plain http); its host is the RP id or a subdomain of it. A configuration can
/// call it before it has a name or timeout to build the relying party with.
///
/// ```
/// use countersign_passkey::{check_rp_id_and_origin, Error};
///
/// assert!(check_rp_id_and_origin("example.com", "https://portal.example.com:8443").is_ok());
/// assert!(check_rp_id_and_origin("localhost", "http://localhost:8080").is_ok());
/// let Err(Error::InvalidRelyingParty { reason }) =
///     check_rp_id_and_origin("example.com", "http://example.com")
/// else {
///     panic!("plain http off localhost is refused")
/// };
/// assert!(reason.contains("plain http"));
/// ```
///
/// # Errors
///
/// [`Error::InvalidRelyingParty`] saying which rule a value breaks.
pub fn check_rp_id_and_origin(rp_id: &str, origin: &str) -> Result<()> {
    checked_origin(rp_id, origin).map(drop)
}

/// [`check_rp_id_and_origin`], keeping the parsed origin.
fn checked_origin(rp_id: &str, origin: &str) -> Result<Url> {
    let invalid = |reason| Err(Error::InvalidRelyingParty { reason });
    let unbracketed = rp_id.trim_start_matches('[').trim_end_matches(']');
    if unbracketed.parse::<std::net::IpAddr>().is_ok() {
        return invalid(
            "the relying party id is an IP address, which browsers refuse for passkeys: \
             use a domain name (localhost on this machine)",
        );
    }
    if !is_rp_id(rp_id) {
        return invalid(
            "the relying party id is not a domain name in lower case \
             (example.com, portal.example.com, localhost): no scheme, port or path",
        );
    }
    let url = match Url::parse(origin) {
        Ok(url) => url,
        Err(url::ParseError::InvalidPort) => {
            return invalid("the origin has a port that is not a number");
        }
        Err(_) => {
            return invalid("the origin is not scheme://host[:port] (https://portal.example.com)");
        }
    };
    // A URL with a scheme but no authority (`example.com:443` reads as the scheme
    // `example.com`) has no host.
    let Some(host) = url.host_str() else {
        return invalid("the origin is not scheme://host[:port] (https://portal.example.com)");
    };
    let local = host == "localhost" || host.ends_with(".localhost");
    match url.scheme() {
        "https" => {}
        "http" if local => {}
        "http" => {
            return invalid(
                "the origin is plain http, which browsers allow passkeys on only for \
                 localhost: serve the portal over https",
            );
        }
        _ => return invalid("the origin is neither https:// nor http://"),
    }
    if url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return invalid("the origin has a path, query or user: give scheme://host[:port] only");
    }
    if host != rp_id
        && !host
            .strip_suffix(rp_id)
            .is_some_and(|prefix| prefix.ends_with('.'))
    {
        return invalid(
            "the origin is not on the relying party id: its host must be the id \
             or a subdomain of it",
        );
    }
    Ok(url)
}

/// Whether `text` is a DNS name [`RelyingParty::new`] takes as an RP id: labels
/// of ASCII lower-case letters, digits and hyphens (IDNs in their `xn--` form),
/// as `localhost` is; no scheme, port or path.
///
/// ```
/// use countersign_passkey::is_rp_id;
///
/// assert!(is_rp_id("portal.example.com"));
/// assert!(is_rp_id("localhost"));
/// assert!(!is_rp_id("Example.com"));
/// assert!(!is_rp_id("example.com:443"));
/// assert!(!is_rp_id("-example.com"));
/// ```
#[must_use]
pub fn is_rp_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 253
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}
