//! Verifying typed TOTP codes: a skew window and replay refusal.

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::clock::{Clock, SystemClock};
use crate::code;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::totp::{Params, Totp};

/// How many steps around the current one a code may come from, to absorb
/// clock drift and typing time (RFC 6238 §5.2 recommends at most one step back).
///
/// ```
/// use countersign_totp::Window;
///
/// let window = Window { back: 2, forward: 0 }; // late codes only, up to a minute
/// assert!(window.validate().is_ok());
/// assert_eq!(Window::default(), Window::symmetric(1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Window {
    /// Steps accepted before the current one.
    pub back: u32,
    /// Steps accepted after the current one.
    pub forward: u32,
}

impl Window {
    /// The widest window in either direction: ten steps (five minutes at 30 s).
    /// Every extra step is another code an attacker may guess.
    ///
    /// ```
    /// use countersign_totp::Window;
    ///
    /// assert!(Window::symmetric(Window::MAX_STEPS).validate().is_ok());
    /// assert!(Window::symmetric(Window::MAX_STEPS + 1).validate().is_err());
    /// ```
    pub const MAX_STEPS: u32 = 10;

    /// The same number of steps back and forward.
    ///
    /// ```
    /// use countersign_totp::Window;
    ///
    /// assert_eq!(Window::symmetric(2), Window { back: 2, forward: 2 });
    /// ```
    #[must_use]
    pub const fn symmetric(steps: u32) -> Self {
        Self {
            back: steps,
            forward: steps,
        }
    }

    /// Checks the window is no wider than [`MAX_STEPS`](Self::MAX_STEPS) each way.
    ///
    /// # Errors
    ///
    /// [`Error::WindowTooWide`].
    ///
    /// ```
    /// use countersign_totp::{Error, Window};
    ///
    /// assert_eq!(Window::symmetric(11).validate(), Err(Error::WindowTooWide { steps: 11, maximum: 10 }));
    /// ```
    pub fn validate(&self) -> Result<()> {
        let steps = self.back.max(self.forward);
        if steps > Self::MAX_STEPS {
            return Err(Error::WindowTooWide {
                steps,
                maximum: Self::MAX_STEPS,
            });
        }
        Ok(())
    }
}

impl Default for Window {
    /// One step back and one forward.
    fn default() -> Self {
        Self::symmetric(1)
    }
}

/// A verifier's configuration: TOTP parameters and window. Serde, flat:
///
/// ```
/// use countersign_totp::{Config, Window};
///
/// let config: Config = serde_json::from_str(r#"{"digits": 6, "window": {"back": 2}}"#)?;
/// assert_eq!(config.window, Window { back: 2, forward: 1 });
/// assert_eq!(config.params.period, 30);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// The TOTP parameters.
    #[serde(flatten)]
    pub params: Params,
    /// The skew window.
    pub window: Window,
}

/// A code that was accepted.
///
/// ```
/// use countersign_totp::{Config, Match, Secret, Verifier};
///
/// let verifier = Verifier::new(&Secret::from_bytes(b"12345678901234567890")?, Config::default())?;
/// let matched: Match = verifier.verify("081804", 1_111_111_109, None)?;
/// assert_eq!(matched, Match { step: 1_111_111_109 / 30, drift: 0 });
/// # Ok::<(), countersign_totp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Match {
    /// The time step the code belongs to. Store it: pass it as
    /// `last_accepted_step` next time so the code cannot be replayed.
    pub step: u64,
    /// How many steps the code's step is from the current one: negative when
    /// the user's clock is behind (or they typed slowly), positive when ahead.
    pub drift: i64,
}

/// Verifies typed TOTP codes over a key prepared once.
///
/// ```
/// use countersign_totp::{Config, Error, Secret, Verifier};
///
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let verifier = Verifier::new(&secret, Config::default())?;
/// let now = 1_111_111_109; // RFC 6238 Appendix B: the 6-digit code is 081804.
///
/// let matched = verifier.verify("081 804", now, None)?;
/// assert_eq!(matched.drift, 0);
/// // The same code again is a replay (RFC 6238 §5.2).
/// assert!(matches!(
///     verifier.verify("081804", now, Some(matched.step)),
///     Err(Error::Replayed { .. })
/// ));
/// # Ok::<(), Error>(())
/// ```
///
/// It holds a [`Clock`] for [`verify_now`](Self::verify_now): the [`SystemClock`]
/// unless [`with_clock`](Self::with_clock) hands it another.
/// [`verify`](Self::verify) takes the time as an argument and reads no clock.
#[derive(Debug, Clone)]
pub struct Verifier<C = SystemClock> {
    totp: Totp<C>,
    window: Window,
}

impl Verifier {
    /// Keys the HMAC with `secret` once; the clock is the [`SystemClock`].
    ///
    /// # Errors
    ///
    /// [`Error::DigitsOutOfRange`], [`Error::ZeroPeriod`], [`Error::WindowTooWide`].
    ///
    /// ```
    /// use countersign_totp::{Config, Secret, Verifier, Window};
    ///
    /// let config = Config { window: Window::symmetric(2), ..Config::default() };
    /// let verifier = Verifier::new(&Secret::generate(), config)?;
    /// assert_eq!(verifier.window(), Window::symmetric(2));
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    pub fn new(secret: &Secret, config: Config) -> Result<Self> {
        config.window.validate()?;
        Ok(Self {
            totp: Totp::new(secret, config.params)?,
            window: config.window,
        })
    }
}

impl<C: Clock> Verifier<C> {
    /// The same verifier reading `clock` for [`verify_now`](Self::verify_now) (and its
    /// generator's [`code_now`](Totp::code_now)).
    ///
    /// ```
    /// use countersign_totp::{Config, FixedClock, Secret, Verifier};
    ///
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let verifier = Verifier::new(&secret, Config::default())?.with_clock(FixedClock(1_111_111_109));
    /// assert_eq!(verifier.verify_now("081804", None)?.drift, 0); // RFC 6238 Appendix B
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn with_clock<D: Clock>(self, clock: D) -> Verifier<D> {
        Verifier {
            totp: self.totp.with_clock(clock),
            window: self.window,
        }
    }

    /// The generator underneath (to show a code, say).
    ///
    /// ```
    /// use countersign_totp::{Config, Secret, Verifier};
    ///
    /// let verifier = Verifier::new(&Secret::generate(), Config::default())?;
    /// assert_eq!(verifier.totp().params().digits, 6);
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn totp(&self) -> &Totp<C> {
        &self.totp
    }

    /// Verifies `code` at the time the clock tells: [`verify`](Self::verify) of
    /// [`Clock::now`], read once. A thin wrapper; the check itself reads no clock.
    ///
    /// ```
    /// use countersign_totp::{Config, Error, Secret, Verifier};
    ///
    /// let verifier = Verifier::new(&Secret::generate(), Config::default())?; // the system clock
    /// let code = verifier.totp().code_now()?.to_string();
    /// let matched = verifier.verify_now(&code, None)?;
    /// assert!(matches!(verifier.verify_now(&code, Some(matched.step)), Err(Error::Replayed { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`verify`](Self::verify).
    pub fn verify_now(&self, code: &str, last_accepted_step: Option<u64>) -> Result<Match> {
        self.verify(code, self.totp.clock().now(), last_accepted_step)
    }

    /// The window.
    ///
    /// ```
    /// use countersign_totp::{Config, Secret, Verifier, Window};
    ///
    /// let verifier = Verifier::new(&Secret::generate(), Config::default())?;
    /// assert_eq!(verifier.window(), Window { back: 1, forward: 1 });
    /// # Ok::<(), countersign_totp::Error>(())
    /// ```
    #[must_use]
    pub fn window(&self) -> Window {
        self.window
    }

    /// Verifies `code` as typed (spaces allowed) at Unix time `now`.
    ///
    /// The current step is tried first, then one step back and one forward,
    /// and so on outwards; the first match whose step is after
    /// `last_accepted_step` is accepted. Each step costs one HMAC over the
    /// prepared key, compared in constant time; a wrong code tries the whole
    /// window. Nothing is allocated.
    ///
    /// # Errors
    ///
    /// - [`Error::CodeLength`] / [`Error::CodeNotDigit`]: malformed code;
    /// - [`Error::WrongCode`]: no step of the window matches;
    /// - [`Error::Replayed`]: the code matches only steps at or before
    ///   `last_accepted_step` (RFC 6238 §5.2);
    /// - [`Error::TimeBeforeT0`]: `now` is before T0.
    ///
    /// ```
    /// use countersign_totp::{Config, Error, Secret, Verifier};
    ///
    /// let verifier = Verifier::new(&Secret::from_bytes(b"12345678901234567890")?, Config::default())?;
    /// let now = 1_111_111_109;
    /// assert_eq!(verifier.verify("081804", now + 30, None)?.drift, -1); // one step late: accepted
    /// assert_eq!(verifier.verify("000000", now, None), Err(Error::WrongCode));
    /// # Ok::<(), Error>(())
    /// ```
    #[inline]
    pub fn verify(&self, code: &str, now: u64, last_accepted_step: Option<u64>) -> Result<Match> {
        let typed = code::parse(code, self.totp.params().digits)?;
        let current = self.totp.step_at(now)?;
        let mut replayed: Option<u64> = None;

        if let Some(found) = self.try_step(typed, current, 0, last_accepted_step, &mut replayed) {
            return Ok(found);
        }
        let reach = self.window.back.max(self.window.forward);
        for distance in 1..=reach {
            let back = current.checked_sub(u64::from(distance));
            if distance <= self.window.back
                && let Some(step) = back
                && let Some(found) = self.try_step(
                    typed,
                    step,
                    -i64::from(distance),
                    last_accepted_step,
                    &mut replayed,
                )
            {
                return Ok(found);
            }
            let forward = current.checked_add(u64::from(distance));
            if distance <= self.window.forward
                && let Some(step) = forward
                && let Some(found) = self.try_step(
                    typed,
                    step,
                    i64::from(distance),
                    last_accepted_step,
                    &mut replayed,
                )
            {
                return Ok(found);
            }
        }
        match (replayed, last_accepted_step) {
            (Some(step), Some(last_accepted)) => Err(Error::Replayed {
                step,
                last_accepted,
            }),
            _ => Err(Error::WrongCode),
        }
    }

    #[inline(always)]
    fn try_step(
        &self,
        typed: u32,
        step: u64,
        drift: i64,
        last_accepted_step: Option<u64>,
        replayed: &mut Option<u64>,
    ) -> Option<Match> {
        if !bool::from(self.totp.value(step).ct_eq(&typed)) {
            return None;
        }
        // RFC 6238 §5.2: a step at or before the last accepted one is never
        // accepted again, so a code observed over a shoulder is worthless.
        match last_accepted_step {
            Some(last) if step <= last => {
                replayed.get_or_insert(step);
                None
            }
            _ => Some(Match { step, drift }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier(window: Window) -> Verifier {
        let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
        Verifier::new(
            &secret,
            Config {
                window,
                ..Config::default()
            },
        )
        .unwrap()
    }

    #[test]
    fn drift_both_ways_and_window_edges() {
        let v = verifier(Window::default());
        let now = 1_000_000_000;
        let current = v.totp().step_at(now).unwrap();
        for (offset, drift) in [(0i64, 0i64), (-1, -1), (1, 1)] {
            let step = current.checked_add_signed(offset).unwrap();
            let code = v.totp().code_for_step(step).to_string();
            assert_eq!(v.verify(&code, now, None), Ok(Match { step, drift }));
        }
        for offset in [-2i64, 2] {
            let code = v
                .totp()
                .code_for_step(current.checked_add_signed(offset).unwrap())
                .to_string();
            assert_eq!(v.verify(&code, now, None), Err(Error::WrongCode));
        }
        let wide = verifier(Window {
            back: 3,
            forward: 0,
        });
        let code = wide.totp().code_for_step(current - 3).to_string();
        assert_eq!(wide.verify(&code, now, None).unwrap().drift, -3);
        let code = wide.totp().code_for_step(current + 1).to_string();
        assert_eq!(wide.verify(&code, now, None), Err(Error::WrongCode));
    }

    #[test]
    fn replays_are_refused() {
        let v = verifier(Window::default());
        let now = 1_000_000_000;
        let current = v.totp().step_at(now).unwrap();
        let code = v.totp().code_for_step(current).to_string();
        assert_eq!(
            v.verify(&code, now, Some(current)),
            Err(Error::Replayed {
                step: current,
                last_accepted: current
            })
        );
        assert_eq!(
            v.verify(&code, now + 30, Some(current)),
            Err(Error::Replayed {
                step: current,
                last_accepted: current
            })
        );
        assert!(v.verify(&code, now, Some(current - 1)).is_ok());
    }

    #[test]
    fn edges_of_time() {
        let v = verifier(Window::default());
        let code = v.totp().code_for_step(0).to_string();
        assert_eq!(v.verify(&code, 0, None).unwrap().step, 0);
        let last = u64::MAX / 30;
        let code = v.totp().code_for_step(last).to_string();
        assert_eq!(v.verify(&code, u64::MAX, None).unwrap().step, last);
    }

    #[test]
    fn now_forms_read_the_clock_once_and_match_the_at_forms() {
        use std::cell::Cell;

        /// A clock that counts its reads and moves on a period each time.
        struct Ticking(Cell<u64>, Cell<u32>);
        impl Clock for Ticking {
            fn now(&self) -> u64 {
                self.1.set(self.1.get() + 1);
                self.0.replace(self.0.get() + 30)
            }
        }

        let v = verifier(Window::default()).with_clock(crate::FixedClock(1_000_000_000));
        let code = v.totp().code_at(1_000_000_000).unwrap();
        assert_eq!(v.totp().code_now().unwrap(), code);
        assert_eq!(
            v.verify_now(&code.to_string(), None),
            v.verify(&code.to_string(), 1_000_000_000, None)
        );
        let ticking = verifier(Window::symmetric(0))
            .with_clock(Ticking(Cell::new(1_000_000_000), Cell::new(0)));
        assert!(ticking.verify_now(&code.to_string(), None).is_ok());
        assert_eq!(ticking.totp().clock().1.get(), 1);
        // The clock moved a step: the same code is now outside a zero window.
        assert_eq!(
            ticking.verify_now(&code.to_string(), None),
            Err(Error::WrongCode)
        );
    }

    #[test]
    fn the_ten_step_ceiling_itself_is_allowed_each_way() {
        for window in [
            Window::symmetric(Window::MAX_STEPS),
            Window {
                back: 10,
                forward: 0,
            },
            Window {
                back: 0,
                forward: 10,
            },
        ] {
            assert_eq!(window.validate(), Ok(()), "{window:?}");
        }
        for window in [
            Window {
                back: 11,
                forward: 0,
            },
            Window {
                back: 0,
                forward: 11,
            },
        ] {
            assert_eq!(
                window.validate(),
                Err(Error::WindowTooWide {
                    steps: 11,
                    maximum: 10
                }),
                "{window:?}"
            );
        }
    }

    #[test]
    fn window_is_bounded() {
        let secret = Secret::generate();
        let config = Config {
            window: Window::symmetric(11),
            ..Config::default()
        };
        assert_eq!(
            Verifier::new(&secret, config).unwrap_err(),
            Error::WindowTooWide {
                steps: 11,
                maximum: 10
            }
        );
    }
}
