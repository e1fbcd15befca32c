//! The on-screen messages of the seeds, word for word where the seeds give them.

/// Seed 000, step 7 of "How to add two-factor authentication".
pub const ENROLLMENT_COMPLETE: &str = "Success: Two-Factor Enrollment Complete.";

/// Seed 000, step 5 of "How to remove two-factor authentication".
pub const TWO_FACTOR_DISABLED: &str = "Success: Two-Factor Has Been Disabled.";

/// Seed 002, the account-wide security code saved.
pub const ACCOUNT_UPDATED: &str = "Success: Account information updated.";

/// Seeds 000 and 002, a contact's permissions or own security code saved.
pub const CONTACT_UPDATED: &str = "Success: Contact updated.";

/// After a password reset with an emailed code (the seeds give no wording).
pub const PASSWORD_RESET: &str = "Success: Your password has been reset.";

/// After a password change (the seeds give no wording).
pub const PASSWORD_CHANGED: &str = "Success: Password changed.";

/// After "Add another authenticator" (the seeds give no wording).
pub const AUTHENTICATOR_ADDED: &str = "Success: Authenticator Added.";

/// After removing one authenticator (the seeds give no wording).
pub const AUTHENTICATOR_REMOVED: &str = "Success: Authenticator Removed.";

/// After "Regenerate backup codes" (the seeds give no wording).
pub const BACKUP_CODES_REGENERATED: &str =
    "Success: New Backup Codes Generated. The old codes no longer work.";

/// Beside the count of backup codes left when it is at or below the low-water mark.
pub const BACKUP_CODES_LOW: &str =
    "You are running out of backup codes: regenerate them to get a new set.";
