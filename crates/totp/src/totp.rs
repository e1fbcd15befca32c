//! RFC 6238 TOTP: a code per time step.

use serde::{Deserialize, Serialize};

use crate::algorithm::Algorithm;
use crate::clock::{Clock, SystemClock};
use crate::code::{self, Code};
use crate::error::{Error, Result};
use crate::hotp::Hotp;
use crate::secret::Secret;

/// TOTP parameters (RFC 6238 §4): hash, digits, period X and epoch T0.
/// The defaults are what every authenticator app assumes: SHA-1, 6 digits,
/// 30 seconds, T0 = 0.
///
/// Plain data: [`Totp::new`] validates it.
///
/// ```
/// use countersign_totp::{Algorithm, Params};
///
/// let params = Params { algorithm: Algorithm::Sha512, digits: 8, ..Params::default() };
/// assert!(params.validate().is_ok());
/// assert_eq!((params.period, params.t0), (30, 0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Params {
    /// The hash function under the HMAC.
    pub algorithm: Algorithm,
    /// Digits per code: 6, 7 or 8.
    pub digits: u8,
    /// The time step X in seconds (RFC 6238 §4.1), at least 1.
    pub period: u64,
    /// The Unix time T0 from which steps are counted (RFC 6238 §4.1).
    pub t0: u64,
}

impl Params {
    /// The period authenticator apps assume (RFC 6238 §5.2 recommends 30 seconds).
    ///
    /// ```
    /// use countersign_totp::Params;
    ///
    /// assert_eq!(Params::default().period, Params::DEFAULT_PERIOD);
    /// ```
    pub const DEFAULT_PERIOD: u64 = 30;
    /// The digit count authenticator apps assume.
    ///
    /// ```
    /// use countersign_totp::Params;
    ///
    /// assert_eq!(Params::default().digits, Params::DEFAULT_DIGITS);
    /// ```
    pub const DEFAULT_DIGITS: u8 = 6;

    /// Checks the parameters.
    ///
    /// # Errors
    ///
    /// [`Error::DigitsOutOfRange`] and [`Error::ZeroPeriod`].
    ///
    /// ```
    /// use countersign_totp::{Error, Params};
    ///
    /// assert_eq!(Params { period: 0, ..Params::default() }.validate(), Err(Error::ZeroPeriod));
    /// assert!(Params::default().validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<()> {
        code::modulus(self.digits)?;
        if self.period == 0 {
            return Err(Error::ZeroPeriod);
        }
        Ok(())
    }
}

impl Default for Params {
    fn default() -> Self {
        Self {
            algorithm: Algorithm::Sha1,
            digits: Self::DEFAULT_DIGITS,
            period: Self::DEFAULT_PERIOD,
            t0: 0,
        }
    }
}

/// A TOTP generator over a key prepared once.
///
/// ```
/// use countersign_totp::{Algorithm, Params, Secret, Totp};
///
/// // RFC 6238 Appendix B, SHA-1 at T = 59.
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let totp = Totp::new(&secret, Params { digits: 8, ..Params::default() })?;
/// assert_eq!(totp.code_at(59)?.to_string(), "94287082");
/// assert_eq!(totp.step_at(59)?, 1);
/// # Ok::<(), countersign_totp::Error>(())
/// ```
///
/// It holds a [`Clock`] for [`code_now`](Self::code_now): the [`SystemClock`] unless
/// [`with_clock`](Self::with_clock) hands it another. Every other method takes the
/// time as an argument.
#[derive(Debug, Clone)]
pub struct Totp<C = SystemClock> {
    hotp: Hotp,
    params: Params,
    clock: C,
}

impl Totp {
    /// Keys the HMAC with `secret` once; the clock is the [`SystemClock`].
    ///
    /// # Errors
    ///
    /// [`Error::DigitsOutOfRange`] and [`Error::ZeroPeriod`].
    ///
    /// ```
    /// use countersign_totp::{Params, Secret, Totp};
    ///
    /// let totp = Totp::new(&Secret::generate(), Params::default())?;
    /// assert_eq!(totp.params().period, 30);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    pub fn new(secret: &Secret, params: Params) -> Result<Self> {
        params.validate()?;
        Ok(Self {
            hotp: Hotp::new(secret, params.algorithm, params.digits)?,
            params,
            clock: SystemClock,
        })
    }
}

impl<C: Clock> Totp<C> {
    /// The same generator reading `clock` for [`code_now`](Self::code_now).
    ///
    /// ```
    /// use countersign_totp::{FixedClock, Params, Secret, Totp};
    ///
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = Totp::new(&secret, Params { digits: 8, ..Params::default() })?
    ///     .with_clock(FixedClock(59)); // RFC 6238 Appendix B
    /// assert_eq!(totp.code_now()?.to_string(), "94287082");
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn with_clock<D: Clock>(self, clock: D) -> Totp<D> {
        Totp {
            hotp: self.hotp,
            params: self.params,
            clock,
        }
    }

    /// The clock [`code_now`](Self::code_now) reads.
    ///
    /// ```
    /// use countersign_totp::{Clock, FixedClock, Params, Secret, Totp};
    ///
    /// let totp = Totp::new(&Secret::generate(), Params::default())?.with_clock(FixedClock(7));
    /// assert_eq!(totp.clock().now(), 7);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// The code now, as the clock tells it: [`code_at`](Self::code_at) of
    /// [`Clock::now`], read once.
    ///
    /// ```
    /// use countersign_totp::{Params, Secret, Totp};
    ///
    /// let totp = Totp::new(&Secret::generate(), Params::default())?; // the system clock
    /// assert_eq!(totp.code_now()?.to_string().len(), 6);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::TimeBeforeT0`] when the clock reads before T0.
    pub fn code_now(&self) -> Result<Code> {
        self.code_at(self.clock.now())
    }

    /// The parameters.
    ///
    /// ```
    /// use countersign_totp::{Algorithm, Params, Secret, Totp};
    ///
    /// let params = Params { algorithm: Algorithm::Sha256, ..Params::default() };
    /// assert_eq!(Totp::new(&Secret::generate(), params)?.params(), &params);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The time step at Unix time `now`: RFC 6238 §4.2's `T = (now - T0) / X`.
    ///
    /// # Errors
    ///
    /// [`Error::TimeBeforeT0`] when `now < T0`.
    ///
    /// ```
    /// use countersign_totp::{Params, Secret, Totp};
    ///
    /// let totp = Totp::new(&Secret::generate(), Params::default())?;
    /// assert_eq!(totp.step_at(59)?, 1);
    /// assert_eq!(totp.step_at(60)?, 2);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[inline]
    pub fn step_at(&self, now: u64) -> Result<u64> {
        let since = now.checked_sub(self.params.t0).ok_or(Error::TimeBeforeT0 {
            now,
            t0: self.params.t0,
        })?;
        // The period is validated non-zero in `new`; `checked_div` keeps this panic-free.
        since
            .checked_div(self.params.period)
            .ok_or(Error::ZeroPeriod)
    }

    /// The code at Unix time `now`.
    ///
    /// # Errors
    ///
    /// [`Error::TimeBeforeT0`] when `now < T0`.
    ///
    /// ```
    /// use countersign_totp::{Params, Secret, Totp};
    ///
    /// let totp = Totp::new(&Secret::from_bytes(b"12345678901234567890")?, Params::default())?;
    /// assert_eq!(totp.code_at(1_111_111_109)?.to_string(), "081804"); // RFC 6238 Appendix B
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    pub fn code_at(&self, now: u64) -> Result<Code> {
        Ok(self.hotp.code(self.step_at(now)?))
    }

    /// The code of time step `step`.
    ///
    /// ```
    /// use countersign_totp::{Params, Secret, Totp};
    ///
    /// let totp = Totp::new(&Secret::generate(), Params::default())?;
    /// assert_eq!(totp.code_for_step(totp.step_at(1_700_000_000)?), totp.code_at(1_700_000_000)?);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn code_for_step(&self, step: u64) -> Code {
        self.hotp.code(step)
    }

    /// Seconds until the code at `now` changes (what apps show as a countdown).
    ///
    /// # Errors
    ///
    /// [`Error::TimeBeforeT0`] when `now < T0`.
    ///
    /// ```
    /// use countersign_totp::{Params, Secret, Totp};
    ///
    /// let totp = Totp::new(&Secret::generate(), Params::default())?;
    /// assert_eq!(totp.seconds_left(1_699_999_990)?, 20); // 10 s into its 30 s step
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    pub fn seconds_left(&self, now: u64) -> Result<u64> {
        let step = self.step_at(now)?;
        let elapsed = now - self.params.t0 - step * self.params.period;
        Ok(self.params.period - elapsed)
    }

    #[inline]
    pub(crate) fn value(&self, step: u64) -> u32 {
        self.hotp.value(step)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_errors() {
        let secret = Secret::generate();
        assert_eq!(
            Totp::new(
                &secret,
                Params {
                    period: 0,
                    ..Params::default()
                }
            )
            .unwrap_err(),
            Error::ZeroPeriod
        );
        assert_eq!(
            Totp::new(
                &secret,
                Params {
                    digits: 10,
                    ..Params::default()
                }
            )
            .unwrap_err(),
            Error::DigitsOutOfRange { digits: 10 }
        );
        let totp = Totp::new(
            &secret,
            Params {
                t0: 100,
                period: 60,
                ..Params::default()
            },
        )
        .unwrap();
        assert_eq!(
            totp.code_at(99).unwrap_err(),
            Error::TimeBeforeT0 { now: 99, t0: 100 }
        );
        assert_eq!(totp.step_at(100).unwrap(), 0);
        assert_eq!(totp.step_at(160).unwrap(), 1);
        assert_eq!(totp.seconds_left(100).unwrap(), 60);
        assert_eq!(totp.seconds_left(159).unwrap(), 1);
        assert_eq!(totp.step_at(u64::MAX).unwrap(), (u64::MAX - 100) / 60);
    }

    #[test]
    fn params_are_serde() {
        let params: Params = serde_json::from_str(r#"{"algorithm":"sha256","digits":8}"#).unwrap();
        assert_eq!(params.algorithm, Algorithm::Sha256);
        assert_eq!(params.period, 30);
        assert_eq!(
            serde_json::to_string(&Params::default()).unwrap(),
            r#"{"algorithm":"SHA1","digits":6,"period":30,"t0":0}"#
        );
    }
}
