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
