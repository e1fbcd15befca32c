//! The crate's one error type.

/// What a ceremony's refusal came down to: the checks of W3C WebAuthn Level 3
/// §7.1 (registration) and §7.2 (authentication) that webauthn-rs runs.
///
/// None of these says anything secret: they name the rule the response broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// The response was made for another web origin (§7.2 step 13).
    Origin,
    /// The authenticator signed for another relying party id (§7.2 step 15).
    RelyingPartyId,
    /// The response answers another challenge (§7.2 step 12).
    Challenge,
    /// The authenticator did not verify the user (PIN or biometric), which a
    /// passkey requires (§7.2 step 17).
    UserNotVerified,
    /// The authenticator did not report the user present (§7.2 step 16).
    UserNotPresent,
    /// The credential is not one of those the challenge was issued for.
    CredentialNotAllowed,
    /// The authenticator was excluded: it already holds a credential of this
    /// account (§7.1 excludeCredentials).
    Excluded,
    /// The signature, the attestation or the authenticator data did not verify.
    Signature,
    /// The backup flags broke the rules (a credential that was not backup
    /// eligible cannot become a backed-up one).
    BackupFlags,
    /// Any other check (an unsupported algorithm, a malformed attestation).
    Other,
}

impl core::fmt::Display for Refusal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Origin => "the response was made for another web site (origin)",
            Self::RelyingPartyId => "the authenticator signed for another relying party id",
            Self::Challenge => "the response answers another challenge",
            Self::UserNotVerified => "the authenticator did not verify the user (PIN or biometric)",
            Self::UserNotPresent => "the authenticator did not report the user present",
            Self::CredentialNotAllowed => "this credential was not asked for",
            Self::Excluded => "this authenticator is already registered",
            Self::Signature => "the signature or authenticator data did not verify",
            Self::BackupFlags => "the credential's backup flags are inconsistent",
            Self::Other => "the response failed a WebAuthn check",
        })
    }
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The relying party's configuration was refused.
    #[error("invalid passkey relying party: {reason}")]
    InvalidRelyingParty {
        /// Which rule it breaks.
        reason: &'static str,
    },

    /// The browser's response is not the JSON of a WebAuthn credential.
    #[error("not a passkey response from the browser: {reason}")]
    MalformedResponse {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The response failed a WebAuthn check.
    #[error("passkey refused: {reason}")]
    Refused {
        /// Which check.
        reason: Refusal,
    },

    /// The signature counter did not move forward: a sign of a cloned
    /// authenticator (W3C WebAuthn §6.1.1). The credential is refused.
    #[error(
        "this passkey's signature counter went backwards, a sign that the authenticator was cloned: it is refused; remove it and register the authenticator again"
    )]
    ClonedAuthenticator,

    /// The credential registered is already one of the account's.
    #[error("this security key or passkey is already registered")]
    DuplicateCredential,

    /// The response names a credential that is not among those given.
    #[error("this passkey is not registered for this account")]
    UnknownCredential,

    /// No credential was given to sign in with.
    #[error("no passkey is registered for this account")]
    NoCredentials,

    /// The response carries no user handle we issued (a passwordless sign-in
    /// needs a discoverable credential).
    #[error("this passkey does not name an account of this site")]
    UnknownUserHandle,

    /// A stored credential or ceremony state failed validation on read.
    #[error("stored {state} is corrupt: {reason}")]
    CorruptState {
        /// Which kind of state.
        state: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A stored state has a format version this build does not read.
    #[error("stored {state} has format version {found}, this build reads version {supported}")]
    UnsupportedVersion {
        /// Which kind of state.
        state: &'static str,
        /// The version found.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

impl Error {
    /// Maps webauthn-rs's error to ours; no text of it is kept (it could quote
    /// the input).
    pub(crate) fn from_webauthn(error: &webauthn_rs::prelude::WebauthnError) -> Self {
        use webauthn_rs::prelude::WebauthnError as W;
        let refused = |reason| Self::Refused { reason };
        match error {
            W::InvalidRPOrigin | W::CredentialCrossOrigin => refused(Refusal::Origin),
            W::InvalidRPIDHash => refused(Refusal::RelyingPartyId),
            W::MismatchedChallenge | W::ChallengeNotFound => refused(Refusal::Challenge),
            W::UserNotVerified | W::InconsistentUserVerificationPolicy => {
                refused(Refusal::UserNotVerified)
            }
            W::UserNotPresent => refused(Refusal::UserNotPresent),
            W::CredentialNotFound => refused(Refusal::CredentialNotAllowed),
            W::CredentialExcludedFromRequest | W::CredentialAlreadyExists => {
                refused(Refusal::Excluded)
            }
            W::CredentialPossibleCompromise => Self::ClonedAuthenticator,
            W::CredentialBackupEligibilityInconsistent => refused(Refusal::BackupFlags),
            W::AuthenticationFailure
            | W::ParseCBORFailure(_)
            | W::ParseNOMFailure
            | W::ParseInsufficientBytesAvailable
            | W::COSEKeyInvalidCBORValue
            | W::COSEKeyInvalidType
            | W::COSEKeyECDSAXYInvalid
            | W::COSEKeyRSANEInvalid
            | W::COSEKeyECDSAInvalidCurve
            | W::COSEKeyEDDSAXInvalid
            | W::COSEKeyEDDSAInvalidCurve
            | W::COSEKeyInvalidAlgorithm
            | W::AttestationStatementSigInvalid => refused(Refusal::Signature),
            W::ParseJSONFailure(_) | W::InvalidClientDataType => Self::MalformedResponse {
                reason: "its client data is not the JSON WebAuthn asks for",
            },
            W::InvalidUserUniqueId => Self::UnknownUserHandle,
            _ => refused(Refusal::Other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Error, Refusal};
    use webauthn_rs::prelude::WebauthnError as W;

    /// Each webauthn-rs error becomes the refusal naming the rule it checks, or
    /// the error of ours that says the same; the rest are `Refusal::Other`.
    #[test]
    fn each_webauthn_error_maps_to_the_rule_it_names() {
        let refused = |reason| Error::Refused { reason };
        let malformed = || Error::MalformedResponse {
            reason: "its client data is not the JSON WebAuthn asks for",
        };
        let json = serde_json::from_str::<u32>("x").expect_err("not a number");
        for (webauthn, ours) in [
            (W::InvalidRPOrigin, refused(Refusal::Origin)),
            (W::CredentialCrossOrigin, refused(Refusal::Origin)),
            (W::InvalidRPIDHash, refused(Refusal::RelyingPartyId)),
            (W::MismatchedChallenge, refused(Refusal::Challenge)),
            (W::ChallengeNotFound, refused(Refusal::Challenge)),
            (W::UserNotVerified, refused(Refusal::UserNotVerified)),
            (
                W::InconsistentUserVerificationPolicy,
                refused(Refusal::UserNotVerified),
            ),
            (W::UserNotPresent, refused(Refusal::UserNotPresent)),
            (
                W::CredentialNotFound,
                refused(Refusal::CredentialNotAllowed),
            ),
            (W::CredentialExcludedFromRequest, refused(Refusal::Excluded)),
            (W::CredentialAlreadyExists, refused(Refusal::Excluded)),
            (W::CredentialPossibleCompromise, Error::ClonedAuthenticator),
            (
                W::CredentialBackupEligibilityInconsistent,
                refused(Refusal::BackupFlags),
            ),
            (W::AuthenticationFailure, refused(Refusal::Signature)),
            (W::ParseNOMFailure, refused(Refusal::Signature)),
            (
                W::ParseInsufficientBytesAvailable,
                refused(Refusal::Signature),
            ),
            (W::COSEKeyInvalidCBORValue, refused(Refusal::Signature)),
            (W::COSEKeyInvalidType, refused(Refusal::Signature)),
            (W::COSEKeyECDSAXYInvalid, refused(Refusal::Signature)),
            (W::COSEKeyRSANEInvalid, refused(Refusal::Signature)),
            (W::COSEKeyECDSAInvalidCurve, refused(Refusal::Signature)),
            (W::COSEKeyEDDSAXInvalid, refused(Refusal::Signature)),
            (W::COSEKeyEDDSAInvalidCurve, refused(Refusal::Signature)),
            (W::COSEKeyInvalidAlgorithm, refused(Refusal::Signature)),
            (
                W::AttestationStatementSigInvalid,
                refused(Refusal::Signature),
            ),
            (W::ParseJSONFailure(json), malformed()),
            (W::InvalidClientDataType, malformed()),
            (W::InvalidUserUniqueId, Error::UnknownUserHandle),
            (W::Configuration, refused(Refusal::Other)),
            (W::CredentialMayNotBeHardwareBound, refused(Refusal::Other)),
        ] {
            assert_eq!(
                format!("{:?}", Error::from_webauthn(&webauthn)),
                format!("{ours:?}"),
                "{webauthn:?}"
            );
        }
    }
}
