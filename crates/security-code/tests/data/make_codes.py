#!/usr/bin/env python3
"""Regenerates codes.tsv: labelled security codes for tests/table.rs.

The labels are written by hand below (each row: what the rule says, not what the
code does); this script only lays them out and escapes them. Run it from this
directory:  python3 make_codes.py > codes.tsv

Columns: label, code, context, verdict, violations, warnings.
- code: escapes \\s (space), \\t, \\\\ and \\u{HEX}.
- context: `-` or `key=value` pairs joined by `;` (name, username, email,
  client_id, phone, dob, ssn). "today" is 2026-11-23 for every row.
- verdict: pass | fail. violations / warnings: reason codes joined by `,`, or `-`.
"""

ROWS = []


def row(label, code, verdict, violations="-", warnings="-", context="-"):
    ROWS.append((label, code, context, verdict, violations, warnings))


def ok(label, code, warnings="-", context="-"):
    row(label, code, "pass", "-", warnings, context)


def bad(label, code, violations, warnings="-", context="-"):
    row(label, code, "fail", violations, warnings, context)


# --- The boundary examples -------------------------------------------------
ok("issue_lighthouse", "Lighthouse-42-Oak")
bad("issue_date_blue", "1990-01-31-blue", "date")
bad("issue_ssn_run", "A123456789", "ssn,sequence")
ok("issue_tulip_six_digit", "Tulip-040785-x", "six_digit_date")

# --- Length: code points after NFKC, trimmed -----------------------------------------
bad("len_7", "Oak-Pin", "too_short")
ok("len_8", "Oak-Pine")
ok("len_8_fullwidth", "\\u{FF2F}\\u{FF41}\\u{FF4B}\\u{FF0D}\\u{FF30}\\u{FF49}\\u{FF4E}\\u{FF45}")
bad("len_trimmed_to_7", "\\s\\sOak-Pin\\s\\s", "too_short")
ok("len_spaces_inside_count", "Oak\\sPine")
ok("len_ligature_expands_to_8", "\\u{FB01}re-Oak")
bad("len_ligature_7_after_nfkc", "\\u{FB01}re-Oa", "too_short")
# NFKC of the acute accent U+00B4 is a space and U+0301: the space is trimmed too.
bad("len_space_exposed_by_nfkc_trimmed", "\\u{B4}Oak-Pi", "too_short")
bad("len_empty", "", "too_short,too_few_distinct")
bad("len_only_spaces", "\\s\\s\\s\\s\\s\\s\\s\\s\\s", "too_short,too_few_distinct")
long64 = "Lighthouse-Harbor-Willow-Canyon-Meadow-Falcon-Orchard-Glacier-Zq"
assert len(long64) == 64, len(long64)
ok("len_64", long64)
bad("len_65", long64 + "w", "too_long")
ok("len_cjk", "\\u{65E5}\\u{672C}\\u{8A9E}\\u{306E}\\u{5BC6}\\u{7801}\\u{3067}\\u{3059}")
ok("len_accented", "Caf\\u{E9}-Na\\u{EF}ve-Ol\\u{E9}")
ok("len_emoji_only", "\\u{1F512}\\u{1F511}\\u{1F6AA}\\u{1F30A}\\u{1F512}\\u{1F511}\\u{1F6AA}\\u{1F30A}")

# --- SSN: 3-2-4 with the same separator twice, bare issuable runs ------------------
bad("ssn_hyphen", "Oak-481-59-2637", "ssn")
bad("ssn_space", "Oak\\s481\\s59\\s2637", "ssn")
bad("ssn_dot", "Oak.481.59.2637", "ssn")
bad("ssn_hyphen_alone", "481-59-2637", "ssn")
bad("ssn_shape_area_000", "Oak-000-59-2637", "ssn")
bad("ssn_shape_area_666", "Oak-666-59-2637", "ssn")
ok("ssn_mixed_separators", "Oak-481-59.2637")
ok("ssn_slash_separators", "Oak-481/59/2637")
ok("ssn_double_hyphens", "Oak-481--59--2637")
ok("ssn_letters_between_groups", "Oak-481x59x2637")
ok("ssn_4_2_4_shape", "Oak-4815-59-2637")
ok("ssn_3_3_3_shape", "Oak-481-592-637")
bad("ssn_bare_run", "Pine481592637", "ssn")
bad("ssn_bare_run_end", "481592637Pine", "ssn")
bad("ssn_bare_run_middle", "Pine-481592637-Oak", "ssn")
ok("ssn_bare_area_000", "Pine000592637")
ok("ssn_bare_area_666", "Pine666592637")
ok("ssn_bare_area_900_not_itin", "Pine900482637")
ok("ssn_bare_area_999_not_itin", "Pine999482637")
ok("ssn_bare_group_00", "Pine481002637")
ok("ssn_bare_serial_0000", "Pine481590000")
bad("ssn_bare_area_001", "Pine001592637", "ssn")
bad("ssn_bare_area_665", "Pine665592637", "ssn")
bad("ssn_bare_area_667", "Pine667592637", "ssn")
bad("ssn_bare_area_899", "Pine899592637", "ssn")
bad("ssn_bare_group_01", "Pine481012637", "ssn")
bad("ssn_bare_serial_0001", "Pine481590001", "ssn")
ok("ssn_eight_digits", "Pine48159263")
ok("ssn_ten_digits_not_phone", "Pine1815926370")
bad("ssn_fullwidth_digits", "Pine\\u{FF14}\\u{FF18}\\u{FF11}\\u{FF15}\\u{FF19}\\u{FF12}\\u{FF16}\\u{FF13}\\u{FF17}", "ssn")

# --- ITIN ---------------------------------------------------------------------------
for g, is_itin in [(49, False), (50, True), (65, True), (66, False), (69, False), (70, True),
                   (88, True), (89, False), (90, True), (92, True), (93, False), (94, True),
                   (99, True)]:
    code = f"Pine912{g:02d}1637"
    if is_itin:
        bad(f"itin_group_{g}", code, "itin")
    else:
        ok(f"itin_group_{g}_not_itin", code)
bad("itin_hyphen", "Oak-912-78-1637", "itin")
bad("itin_space", "Oak\\s912\\s78\\s1637", "itin")

# --- Dates with separators --------------------------------------------------------
bad("date_us_short", "Oak-4/12/85", "date")
bad("date_iso", "Oak-1985-04-12", "date")
bad("date_dotted_dmy", "Oak-31.12.1999", "date")
bad("date_space_mdy", "Oak\\s12\\s31\\s1999", "date")
bad("date_slash_mdy_4", "Oak-12/31/1999", "date")
bad("date_dmy_slash", "Oak-30/04/85", "date")
bad("date_yy_mm_dd", "Oak-85-04-12x", "date")
bad("date_leap_day_2024", "Oak-2024-02-29", "date")
bad("date_leap_day_2000", "Oak-2000-02-29", "date")
bad("date_first_day_1900", "Oak-1900-01-01", "date")
bad("date_today", "Oak-2026-11-23", "date")
bad("date_unpadded_iso", "Oak-1985-4-1", "date")
# En dashes (U+2013), which NFKC leaves alone, join a date as hyphens do.
bad("date_en_dashes", "Oak-1985\\u{2013}04\\u{2013}12", "date")
ok("date_month_13", "Oak-1990-13-01", "year")
ok("date_feb_31", "Oak-1990-02-31", "year")
ok("date_feb_29_non_leap", "Oak-2023-02-29", "year")
ok("date_feb_29_1900_not_leap", "Oak-1900-02-29", "year")
ok("date_tomorrow", "Oak-2026-11-24", "year")
ok("date_future_year", "Oak-2030-01-15")
ok("date_before_1900", "Oak-1899-12-31")
ok("date_day_and_month_13", "Oak-13/13/85")
ok("date_april_31", "Oak-31/04/85")
ok("date_mixed_separators", "Oak-1985-04/12", "year")
ok("date_day_zero", "Oak-1985-04-00", "year")
ok("date_two_groups_only", "Oak-04/85-Pine")
bad("date_version_like", "Oak-v1.10.20", "date")
ok("date_three_digit_middle", "Oak-12/123/85")
# Month and day are one or two digits: a three-digit group is neither, even when
# its value (004, 012) is one. Each shape of date is refused a long group on its own:
# year first, four-digit year last, two-digit year last.
ok("date_iso_three_digit_month", "Oak-1985-004-12", "year")
ok("date_mdy_three_digit_month", "Oak-012/31/1999", "year")
ok("date_mdy_yy_three_digit_month", "Oak-012-31-99")
# A date's groups are all part of it wherever it sits: the year of a date after
# other digits is not warned about again as a year.
bad("date_after_other_digits", "7-Oak-4/12/1985", "date")

# --- Eight-digit runs -------------------------------------------------------------
bad("date8_yyyymmdd", "Birch19850412", "date")
bad("date8_mmddyyyy", "Birch04121985", "date")
bad("date8_ddmmyyyy", "Birch31121999", "date")
bad("date8_1900", "Birch19000101", "date")
bad("date8_today", "Birch20261123", "date")
ok("date8_tomorrow", "Birch20261124")
ok("date8_month_13", "Birch19851332")
ok("date8_before_1900", "Birch18991231")
ok("date8_future", "Birch20300101")
ok("date8_feb_30", "Birch19850230")
bad("date8_leap_mmdd", "Birch02292024", "date")
ok("date8_non_leap_mmdd", "Birch02292023")
ok("date9_not_eight", "Birch1985041299", "-")

# --- Month names --------------------------------------------------------------------
bad("month_abbr_run_together", "Oak-apr121985", "date")
bad("month_jan_5_1990", "Jan\\s5\\s1990\\sOak", "date")
bad("month_day_first", "Oak-12apr1985", "date")
bad("month_full_day", "Oak-April-12x", "date")
bad("month_year_only", "Oak-May-99-Pine", "date")
bad("month_full_year", "Pine-October-1987", "date")
bad("month_dec_25", "Dec-25-Oak-x", "date")
bad("month_sept", "Sept-9-Pine", "date")
bad("month_year_first", "Oak-1985apr12", "date")
bad("month_inside_word_full_date", "grammar121985", "date")
bad("month_long_suffix", "OakApril12x", "date")
bad("month_feb_29", "Maple-Feb-29", "date")
bad("month_upper", "OAK-JUN-3-PINE", "date")
ok("month_feb_31_no_such_day", "Maple-Feb-31")
ok("month_feb_30_no_such_day", "Maple-Feb-30")
ok("month_inside_word_day_only", "grammar12x")
ok("month_no_number", "Oak-May-Pine")
ok("month_mayday", "Mayday-Oak-42")
ok("month_marching", "Marching-Band-7")
ok("month_number_far", "Oak-May-Pine-12")
ok("month_abbr_three_digits", "Oak-Jun-123-x")
ok("month_future_year", "Pine-October-2031")
ok("month_old_year", "Pine-October-1887")
# A year is looked for after the month's day only when there is a day: three digits
# after the month are neither, and the year beyond them is only a year.
ok("month_three_digits_then_year", "Oak-Jun-123-1990", "year")
# A year alone before a month name makes a date, as one after it does.
bad("month_year_before", "Oak-1985-April", "date")
# A day before a month name, one separator apart, is read as its day; a symbol that
# is no separator joins nothing.
bad("month_day_first_separated", "Oak-12-April-x", "date")
ok("month_symbol_then_day", "Oak-Jan!5-Pine")
# A full month name of four letters or more counts at the start of a longer word
# (`12Aprilrain`); no other does: not the abbreviation `sept` (`Septimus`), nor
# `may` (`Mayday`), even with a day before.
bad("month_long_starts_a_word", "Oak-12Aprilrain", "date")
ok("month_sept_abbr_starts_a_word", "9-Septimus-Oak")
ok("month_may_starts_a_word", "12-Mayday-Oak")
# After a month and a day, only four digits 1900..=today or two digits are its year:
# six digits there are not, and still warn as a six-digit date.
bad("month_day_then_six_digits", "Jan-5-850412-Oak", "date", "six_digit_date")

# --- Six-digit shapes (warning) and years (warning) --------------------------------
ok("six_mmddyy", "Tulip-121985-Pine"[:0] + "Tulip-120385-Pine", "six_digit_date")
ok("six_yymmdd", "Tulip-850412-Pine", "six_digit_date")
ok("six_ddmmyy", "Tulip-310185-Pine", "six_digit_date")
ok("six_not_date", "Tulip-913247-Pine")
ok("six_month_13_everywhere", "Tulip-134513-Pine")
ok("six_dob_known_other", "Tulip-040785-x", context="dob=1990-01-01")
bad("six_dob_known_same", "Tulip-040785-x", "contains_birth_date", context="dob=1985-04-07")
ok("year_plain", "Oak-2019-Pine", "year")
ok("year_this_year", "Oak-2026-Pine", "year")
ok("year_1900", "Oak-1900-Pine", "year")
ok("year_next_year", "Oak-2027-Pine")
ok("year_1899", "Oak-1899-Pine")
ok("year_five_digits", "Oak-19851-Pine")
ok("year_three_digits", "Oak-198-Pine")

# --- Phone numbers (NANP) ----------------------------------------------------------
bad("phone_bare", "Call-2025550143", "phone_number")
bad("phone_hyphens", "Oak-202-555-0143", "phone_number")
bad("phone_dots", "Oak-202.555.0143", "phone_number")
bad("phone_spaces", "Oak\\s202\\s555\\s0143", "phone_number")
bad("phone_parens", "Oak(202)\\s555-0143", "phone_number")
bad("phone_parens_tight", "Oak(202)555-0143", "phone_number")
bad("phone_plus1", "Oak+1\\s202\\s555\\s0143", "phone_number")
bad("phone_1_hyphens", "Oak-1-202-555-0143", "phone_number")
bad("phone_11_digits", "Oak-12025550143", "phone_number")
bad("phone_3_7", "Oak-202-5550143", "phone_number")
bad("phone_area_9", "Oak-989-555-0143", "phone_number")
ok("phone_area_starts_1", "Oak-102-555-0143")
ok("phone_area_starts_0", "Oak-020-555-0143")
ok("phone_exchange_starts_1", "Oak-202-155-0143")
ok("phone_exchange_starts_0", "Oak-202-055-0143")
ok("phone_nine_digits", "Oak-202-555-014")
ok("phone_seven_digits", "Oak\\s555\\s0143\\sPine")
ok("phone_11_not_leading_1", "Oak-22025550143")
ok("phone_12_digits", "Oak-202555014399")
ok("phone_groups_split_by_word", "Oak-202-Pine-555-0143")
# Only separators join the groups of one number: a letter between them does not.
ok("phone_letters_between_groups", "Oak-202x555x0143")

# --- Profile: name, username, email, client ID ------------------------------------
JOE = "name=Joe Example"
bad("name_first", "JoeLighthouse-42", "contains_name", context=JOE)
bad("name_last", "Examples-Oak-42", "contains_name", context=JOE)
bad("name_case_insensitive", "lighthouse-JOE-42", "contains_name", context=JOE)
bad("name_with_separators", "Ex-am-ple-Oak-42", "contains_name", context=JOE)
ok("name_absent", "Lighthouse-42-Oak", context=JOE)
ok("name_two_letter_part", "Al-Lighthouse-42", context="name=Al Example")
ok("name_near_miss", "Jo-Xampl-Lighthouse", context=JOE)
bad("name_across_separator", "Jo-Exampl-Lighthouse", "contains_name", context=JOE)
bad("name_unicode", "Zo\\u{EB}-Lighthouse-42", "contains_name", context="name=Zo\u00eb Smith")
bad("username_whole", "Jdoe42-Lighthouse", "contains_username", context="username=jdoe42")
bad("username_part", "Lighthouse-jdoe-7", "contains_username", context="username=jdoe.admin")
ok("username_short", "Jd-Lighthouse-Oak", context="username=jd")
ok("username_absent", "Lighthouse-42-Oak", context="username=jdoe42")
EMAIL = "email=marketing@viviotech.net"
bad("email_local", "Marketing-Oak-42", "contains_email", context=EMAIL)
bad("email_local_part", "Oak-42-Smith-Pine", "contains_email", context="email=jane.smith@example.com")
ok("email_domain_only", "Vivio-Oak-42-x", context=EMAIL)
ok("email_absent", "Lighthouse-42-Oak", context=EMAIL)
# The whole local part counts from three characters, digits too (`jd42`, whose
# parts have too few letters to count alone); two are too few.
bad("email_local_with_digits", "Oak-Jd42-Pine", "contains_email", context="email=jd42@example.com")
ok("email_local_two_chars", "Jolly-Oak-42", context="email=jo@example.com")
bad("client_id", "Oak-1707-Pine", "contains_client_id", context="client_id=1707")
bad("client_id_split", "Oak-17-07-Pine", "contains_client_id", context="client_id=1707")
ok("client_id_absent", "Oak-1708-Pine", context="client_id=1707")
ok("client_id_short_ignored", "Oak-17-Pine-x", context="client_id=17")

# --- Profile: phone, date of birth, SSN ---------------------------------------------
PHONE = "phone=555-246-8013"
bad("phone_ctx_seven", "Oak-5246801-x", "contains_phone", context=PHONE)
bad("phone_ctx_last_seven", "Oak-2468013-x", "contains_phone", context=PHONE)
bad("phone_ctx_with_separators", "Oak-246-8013-x", "contains_phone", context=PHONE)
ok("phone_ctx_six", "Oak-524680-x", context=PHONE)
ok("phone_ctx_absent", "Lighthouse-42-Oak", context=PHONE)
DOB = "dob=1985-04-12"
bad("dob_yyyymmdd", "Oak-19850412", "date,contains_birth_date", context=DOB)
bad("dob_mmddyy", "Oak-041285-x", "contains_birth_date", context=DOB)
bad("dob_ddmmyy", "Oak-120485-x", "contains_birth_date", context=DOB)
bad("dob_yymmdd", "Oak-850412-x", "contains_birth_date", context=DOB)
bad("dob_separated_unpadded", "Oak-4-12-85-x", "date,contains_birth_date", context=DOB)
bad("dob_unpadded_run", "Oak-4121985-x", "contains_birth_date", context=DOB)
bad("dob_month_name", "Oak-Apr-12-Pine", "date,contains_birth_date", context=DOB)
bad("dob_month_full", "Oak-12April-x", "date,contains_birth_date", context=DOB)
bad("dob_month_year", "Oak-apr121985", "date,contains_birth_date", context=DOB)
ok("dob_other_date_shape", "Oak-041286-x", context=DOB)
ok("dob_digits_inside_longer_run", "Oak-90412851-x", context=DOB)
# A digit touching either end alone is enough to make it another number.
ok("dob_digit_before", "Oak-9041285-x", context=DOB)
ok("dob_digit_after", "Oak-0412851-x", context=DOB)
ok("dob_absent", "Lighthouse-42-Oak", context=DOB)
SSN = "ssn=481-59-2637"
bad("ssn_ctx_last_four", "Oak-2637-Pine", "contains_ssn", context=SSN)
bad("ssn_ctx_last_four_reversed", "Oak-7362-Pine", "contains_ssn", context=SSN)
bad("ssn_ctx_first_five", "Oak-48159-Pine", "contains_ssn", context=SSN)
bad("ssn_ctx_full", "Oak481592637", "ssn,contains_ssn", context=SSN)
ok("ssn_ctx_near_miss", "Oak-2636-Pine", context=SSN)
ok("ssn_ctx_first_four_only", "Oak-4815-Pine", context=SSN)
# An SSN on file that is not nine digits is matched whole from four digits (a
# last four), and ignored below that.
bad("ssn_ctx_four_digits_on_file", "Oak-2637-Pine", "contains_ssn", context="ssn=2637")
ok("ssn_ctx_three_digits_on_file", "Oak-263-Pine", context="ssn=263")

# --- Warnings: email and street shapes ----------------------------------------------
ok("email_shaped", "joe@oak.com", "email_shaped")
ok("email_shaped_inside", "Tide-joe@harbor.net", "email_shaped")
ok("email_no_tld", "joe@oakpine")
ok("email_one_letter_tld", "joe@oak.c-x")
ok("email_hyphenated_domain", "joe@oak-pine.com", "email_shaped")
ok("email_domain_without_at", "Tide-harbor.net")
ok("street_number_name_type", "42\\sOak\\sStreet", "street_address")
ok("street_abbrev", "221b\\sBaker\\sSt", "street_address")
ok("street_hyphens", "42-Milky-Way-x", "street_address")
ok("street_type_first", "42\\sStreet\\sOak")
ok("street_far", "42-Oak-Pine-Fern-Elm-Rd")
ok("street_number_after_a_word", "Tide\\s42\\sOak\\sStreet", "street_address")
ok("street_five_digit_number", "48213\\sOak\\sStreet", "street_address")
ok("street_six_digits_not_a_house_number", "482139\\sOak\\sStreet")

# --- Too easy -------------------------------------------------------------------------
bad("repeat_one_char", "aaaaaaaa", "repeated_character")
bad("repeat_with_hyphens", "aaaa-aaaa", "repeated_character")
bad("repeat_digits", "77777777", "repeated_character")
bad("repeat_symbols", "!!!!!!!!", "repeated_character")
bad("distinct_two", "abababab", "too_few_distinct")
bad("distinct_three", "abcabcab", "too_few_distinct")
bad("distinct_three_case", "AaBbCcAa", "too_few_distinct")
ok("distinct_four", "abcdbadc")
bad("seq_digits", "12345678", "sequence")
bad("seq_digits_down", "87654321", "sequence")
bad("seq_letters", "abcdefgh", "sequence")
bad("seq_letters_down", "hgfedcba", "sequence")
bad("seq_qwerty", "qwertyui", "sequence")
bad("seq_asdf", "asdfghjk", "sequence")
bad("seq_zxcv", "zxcvbnm1", "sequence")
bad("seq_keyboard_digits_wrap", "Oak-567890-x", "sequence")
bad("seq_six_inside", "Oak-123456-Pine", "sequence")
bad("seq_qwerty_inside", "qwerty-Lighthouse", "sequence")
bad("seq_only_runs", "abcd1234", "sequence")
bad("seq_only_runs_hyphens", "abc-xyz-789", "sequence")
ok("seq_five_digits", "Oak-23456-Pine")
ok("seq_five_letters", "abcde-Lighthouse")
ok("seq_five_keyboard", "qwert-Lighthouse")
ok("seq_not_only_runs", "abcxyz12")
# A code with no letters or digits is read as its symbols; one past ASCII (U+0080)
# is on no row of the keyboard.
ok("seq_symbols_past_ascii", "\\u{80}!@#%^&*(")
bad("word_password", "password", "common_word")
bad("word_password_digits", "Password123!", "common_word")
bad("word_leet", "p4ssw0rd-Oak", "common_word")
bad("word_security_code", "SecurityCode", "common_word")
bad("word_security_code_spaced", "security\\scode\\s7", "common_word")
bad("word_passcode", "Oak-Passcode-42", "common_word")
bad("word_letmein", "letmein-Oak-Pine", "common_word")
bad("word_security_alone", "security1", "common_word")
bad("word_welcome_alone", "welcome123", "common_word")
ok("word_security_plus_more", "Security-Lighthouse")
ok("word_welcome_plus_more", "Welcome-Harbor-Light")
# Each digit-for-letter swap is read back: 1 and ! as i, 3 as e, 5 and $ as s, 7 as t.
bad("word_leet_1_for_i", "letme1n-Oak-Pine", "common_word")
bad("word_leet_bang_for_i", "letme!n-Oak-Pine", "common_word")
bad("word_leet_3_for_e", "l3tmein-Oak-Pine", "common_word")
bad("word_leet_5_for_s", "pa55word-Oak", "common_word")
bad("word_leet_dollar_for_s", "pa$$word-Oak", "common_word")
bad("word_leet_7_for_t", "le7mein-Oak-Pine", "common_word")
# A word alone refuses the code with fewer than five other letters and digits; five is enough.
bad("word_welcome_four_more", "Welcome-Oak-4", "common_word")
ok("word_welcome_five_more", "Welcome-Oak-42")
# Few letters and digits but no word: the "little more than the word" rule needs a word.
bad("word_none_few_letters", "Sky-#-%-&", "too_few_distinct")

# --- Several at once, and clean codes -----------------------------------------------
bad("multi_ssn_phone", "481-59-2637-202-555-0143", "ssn,phone_number")
bad("multi_date_short", "4/12/85", "too_short,date")
bad("multi_everything", "Joe-1985-04-12-password", "date,contains_name,common_word",
    context=JOE)
ok("clean_words", "Copper-Kettle-Rain")
ok("clean_mixed", "Violet7-Canyon-Drum")
ok("clean_spaces", "blue\\sotter\\sjumps")
ok("clean_two_digit", "River-88-Stone")
ok("clean_three_digit", "Amber-315-Falcon")
ok("clean_symbols", "Tide&Moss!Lantern")
ok("clean_unicode_words", "\\u{00C9}t\\u{00E9}-Br\\u{00FB}l\\u{00E9}-42")
ok("clean_long", "the-quiet-harbor-lantern-glows-at-dusk-over-copper-waves-7")

if __name__ == "__main__":
    print("# Labelled security codes for tests/table.rs. Generated by make_codes.py: edit that, not this.")
    print("# label\tcode\tcontext\tverdict\tviolations\twarnings")
    labels = set()
    for r in ROWS:
        assert r[0] not in labels, r[0]
        labels.add(r[0])
        assert all("\t" not in f and "\n" not in f for f in r), r
        print("\t".join(r))
