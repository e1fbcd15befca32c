//! A strength estimate through zxcvbn (feature `strength`), with this crate's own advice.
//!
//! zxcvbn is super-linear on long runs of symbols (about half a second for 100 in a
//! release build), so it runs only once every cheap rule has passed, and only on the
//! first [`STRENGTH_PREFIX`] code points: a longer password's estimate can only be
//! higher than its prefix's, so the bound never overstates strength.
//!
//! zxcvbn's stock suggestions include "No need for symbols, digits, or uppercase
//! letters", which contradicts the seeds' suggestions (article 003). The crate maps
//! zxcvbn's findings onto its own [`SuggestionCode`]s instead and never passes its text
//! through.

use serde::{Deserialize, Serialize};
use zxcvbn::feedback::{Suggestion as Zx, Warning};

use crate::Context;
use crate::report::{Report, SuggestionCode, ViolationCode};

/// How many code points of a password zxcvbn sees.
///
/// 28, for two reasons. zxcvbn's cost grows faster than linearly with length. And
/// zxcvbn 3.1 estimates a keyboard pattern with `average_degree.pow(turns)` in `u64`
/// without a saturating power: on the keypad graph (degree 5) a pattern of 29 or more
/// characters with 28 turns overflows, which panics in a build with overflow checks
/// (found with `!@!@...`; 5^27 still fits). At 28 code points no pattern has more than
/// 27 turns. A passphrase's first 28 characters are plenty for a score of 4.
pub const STRENGTH_PREFIX: usize = 28;

/// zxcvbn's estimate of a password.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Strength {
    /// 0 (too guessable) to 4 (very unguessable), zxcvbn's score.
    pub score: u8,
    /// Base-10 logarithm of the estimated number of guesses.
    pub guesses_log10: f64,
    /// How many code points were assessed (at most [`STRENGTH_PREFIX`]).
    pub assessed: usize,
}

pub(crate) fn assess(
    password: &str,
    context: &Context<'_>,
    min_score: Option<u8>,
    report: &mut Report,
) {
    let end = password
        .char_indices()
        .nth(STRENGTH_PREFIX)
        .map_or(password.len(), |(index, _)| index);
    let prefix = password.get(..end).unwrap_or(password);
    let words: Vec<&str> = context.words().map(|(_, word)| word).collect();
    let entropy = zxcvbn::zxcvbn(prefix, &words);
    let score = u8::from(entropy.score());
    report.strength = Some(Strength {
        score,
        guesses_log10: entropy.guesses_log10(),
        assessed: crate::normalize::code_points(prefix),
    });
    if let Some(min) = min_score
        && score < min
    {
        report.violation(
            ViolationCode::TooWeak,
            format!(
                "This password would be easy to guess (strength {score} of 4; at least {min} is required)."
            ),
        );
    }
    let Some(feedback) = entropy.feedback() else {
        return;
    };
    if let Some(code) = feedback.warning().and_then(from_warning) {
        report.suggestion(code);
    }
    for suggestion in feedback.suggestions() {
        if let Some(code) = from_suggestion(*suggestion) {
            report.suggestion(code);
        }
    }
}

fn from_warning(warning: Warning) -> Option<SuggestionCode> {
    Some(match warning {
        Warning::StraightRowsOfKeysAreEasyToGuess
        | Warning::ShortKeyboardPatternsAreEasyToGuess => SuggestionCode::AvoidKeyboardPatterns,
        Warning::RepeatsLikeAaaAreEasyToGuess
        | Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => SuggestionCode::AvoidRepeats,
        Warning::SequencesLikeAbcAreEasyToGuess => SuggestionCode::AvoidSequences,
        Warning::RecentYearsAreEasyToGuess | Warning::DatesAreOftenEasyToGuess => {
            SuggestionCode::AvoidDates
        }
        Warning::ThisIsATop10Password
        | Warning::ThisIsATop100Password
        | Warning::ThisIsACommonPassword
        | Warning::ThisIsSimilarToACommonlyUsedPassword
        | Warning::AWordByItselfIsEasyToGuess
        | Warning::NamesAndSurnamesByThemselvesAreEasyToGuess
        | Warning::CommonNamesAndSurnamesAreEasyToGuess => SuggestionCode::AvoidCommonWords,
    })
}

fn from_suggestion(suggestion: Zx) -> Option<SuggestionCode> {
    Some(match suggestion {
        Zx::UseAFewWordsAvoidCommonPhrases | Zx::AddAnotherWordOrTwo => SuggestionCode::AddWords,
        Zx::CapitalizationDoesntHelpVeryMuch
        | Zx::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase
        | Zx::ReversedWordsArentMuchHarderToGuess
        | Zx::PredictableSubstitutionsDontHelpVeryMuch => SuggestionCode::AvoidPredictableChanges,
        Zx::UseALongerKeyboardPatternWithMoreTurns => SuggestionCode::AvoidKeyboardPatterns,
        Zx::AvoidRepeatedWordsAndCharacters => SuggestionCode::AvoidRepeats,
        Zx::AvoidSequences => SuggestionCode::AvoidSequences,
        Zx::AvoidRecentYears
        | Zx::AvoidYearsThatAreAssociatedWithYou
        | Zx::AvoidDatesAndYearsThatAreAssociatedWithYou => SuggestionCode::AvoidDates,
        // Contradicts the seeds' suggestions; never passed on.
        Zx::NoNeedForSymbolsDigitsOrUppercaseLetters => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::{SuggestionCode as S, Warning as W, Zx, from_suggestion, from_warning};

    // Every zxcvbn warning and suggestion, by name, and the crate's advice for it. The
    // matches above name every variant (no catch-all), so a zxcvbn release with a new
    // one does not compile until it is given advice here too.
    #[test]
    fn each_zxcvbn_warning_becomes_the_crates_own_advice() {
        let table = [
            (
                W::StraightRowsOfKeysAreEasyToGuess,
                S::AvoidKeyboardPatterns,
            ),
            (
                W::ShortKeyboardPatternsAreEasyToGuess,
                S::AvoidKeyboardPatterns,
            ),
            (W::RepeatsLikeAaaAreEasyToGuess, S::AvoidRepeats),
            (
                W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess,
                S::AvoidRepeats,
            ),
            (W::SequencesLikeAbcAreEasyToGuess, S::AvoidSequences),
            (W::RecentYearsAreEasyToGuess, S::AvoidDates),
            (W::DatesAreOftenEasyToGuess, S::AvoidDates),
            (W::ThisIsATop10Password, S::AvoidCommonWords),
            (W::ThisIsATop100Password, S::AvoidCommonWords),
            (W::ThisIsACommonPassword, S::AvoidCommonWords),
            (W::ThisIsSimilarToACommonlyUsedPassword, S::AvoidCommonWords),
            (W::AWordByItselfIsEasyToGuess, S::AvoidCommonWords),
            (
                W::NamesAndSurnamesByThemselvesAreEasyToGuess,
                S::AvoidCommonWords,
            ),
            (W::CommonNamesAndSurnamesAreEasyToGuess, S::AvoidCommonWords),
        ];
        for (warning, advice) in table {
            assert_eq!(from_warning(warning), Some(advice), "{warning:?}");
        }
    }

    #[test]
    fn each_zxcvbn_suggestion_becomes_the_crates_own_advice_or_none() {
        let table = [
            (Zx::UseAFewWordsAvoidCommonPhrases, Some(S::AddWords)),
            (Zx::AddAnotherWordOrTwo, Some(S::AddWords)),
            (
                Zx::CapitalizationDoesntHelpVeryMuch,
                Some(S::AvoidPredictableChanges),
            ),
            (
                Zx::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase,
                Some(S::AvoidPredictableChanges),
            ),
            (
                Zx::ReversedWordsArentMuchHarderToGuess,
                Some(S::AvoidPredictableChanges),
            ),
            (
                Zx::PredictableSubstitutionsDontHelpVeryMuch,
                Some(S::AvoidPredictableChanges),
            ),
            (
                Zx::UseALongerKeyboardPatternWithMoreTurns,
                Some(S::AvoidKeyboardPatterns),
            ),
            (Zx::AvoidRepeatedWordsAndCharacters, Some(S::AvoidRepeats)),
            (Zx::AvoidSequences, Some(S::AvoidSequences)),
            (Zx::AvoidRecentYears, Some(S::AvoidDates)),
            (Zx::AvoidYearsThatAreAssociatedWithYou, Some(S::AvoidDates)),
            (
                Zx::AvoidDatesAndYearsThatAreAssociatedWithYou,
                Some(S::AvoidDates),
            ),
            // It contradicts the portal's own advice to add symbols, digits and capitals.
            (Zx::NoNeedForSymbolsDigitsOrUppercaseLetters, None),
        ];
        for (suggestion, advice) in table {
            assert_eq!(from_suggestion(suggestion), advice, "{suggestion:?}");
        }
    }
}
