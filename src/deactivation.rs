//! Deactivating a contact (the seeds' contact list: "edit, deactivate"): the
//! client's primary contact turns a login off without deleting it, and back on.
//!
//! A deactivated contact keeps its stored state (two-factor, backup codes, its
//! security code), but every way in is closed: the password step answers
//! [`Error::ContactDeactivated`] (only after the right password, so the answer
//! tells nothing to someone guessing), a login ticket issued before it no longer
//! completes, its remembered devices are revoked, and no reset code is sent or
//! accepted. Reactivating opens the password step again; the devices stay
//! revoked.
//!
//! # Examples
//!
//! ```
//! # use countersign::{Portal, Profile, ServerKey, Settings, Error};
//! let portal = Portal::new(ServerKey::generate(), Settings::default())?;
//! let profile = |contact_id, username: &str, primary| Profile {
//!     contact_id, client_id: 1707, name: username.into(), username: username.into(),
//!     email: format!("{username}@example.com"), cell_phone: None, primary,
//! };
//! let joe = portal.create_account(profile(3522, "joe.example", true), "correct horse battery staple", &mut rand::rng())?;
//! let mut contact = portal.create_account(profile(3523, "contact.example", false), "another long passphrase", &mut rand::rng())?;
//! let now = 1_700_000_000;
//!
//! assert_eq!(portal.deactivate_contact(&mut contact, joe.profile(), now)?, countersign::notice::CONTACT_UPDATED);
//! let refused = portal.sign_in(&mut contact, "another long passphrase", now, &mut rand::rng());
//! assert!(matches!(refused, Err(Error::ContactDeactivated)));
//!
//! portal.reactivate_contact(&mut contact, joe.profile())?;
//! assert!(portal.sign_in(&mut contact, "another long passphrase", now, &mut rand::rng()).is_ok());
//! # Ok::<(), countersign::Error>(())
//! ```

use crate::account::Profile;
use crate::{Account, Error, Portal, Result, notice};

impl Portal {
    /// Deactivates `target`: `actor` must be the primary contact of the same
    /// client, and not `target` itself (a client always keeps one way in).
    ///
    /// Revokes the target's remembered devices, spends its login tickets and
    /// drops its pending SMS and reset codes. Deactivating a contact that is
    /// already deactivated changes nothing.
    ///
    /// # Errors
    ///
    /// [`Error::PermissionDenied`] when `actor` is not the client's primary
    /// contact or is `target`.
    pub fn deactivate_contact(
        &self,
        target: &mut Account,
        actor: &Profile,
        now: u64,
    ) -> Result<&'static str> {
        check_actor(target, actor)?;
        target.step(|account| {
            if account.0.deactivated_at.is_none() {
                let record = &mut account.0;
                record.deactivated_at = Some(now);
                record.devices.revoke_all();
                record.count_sign_in();
                record.sms_code = None;
                record.reset_code = None;
            }
            Ok(notice::CONTACT_UPDATED)
        })
    }

    /// Reactivates `target`, with the same rule for `actor` as
    /// [`Portal::deactivate_contact`]. An active contact changes nothing.
    ///
    /// # Errors
    ///
    /// [`Error::PermissionDenied`], as for deactivating.
    pub fn reactivate_contact(
        &self,
        target: &mut Account,
        actor: &Profile,
    ) -> Result<&'static str> {
        check_actor(target, actor)?;
        target.step(|account| {
            account.0.deactivated_at = None;
            Ok(notice::CONTACT_UPDATED)
        })
    }
}

/// Only the client's primary contact manages its other contacts.
fn check_actor(target: &Account, actor: &Profile) -> Result<()> {
    let target = target.profile();
    if actor.primary && actor.client_id == target.client_id && actor.contact_id != target.contact_id
    {
        Ok(())
    } else {
        Err(Error::PermissionDenied {
            gate: "Primary Contact",
        })
    }
}
