//! Detectors that need no model: built-in validated patterns, custom regexes and deny-list terms.
//!
//! The built-ins are one table, [`ROWS`]: each row is a regex, how its matches become values
//! (whole matches that stand alone, the value after a keyword, or a search of its own in
//! `finders`), a validator from `checks`, and a score. A kind may have several rows (dates are
//! written many ways). Adding a detector is a [`PatternKind`] variant, its name, and its rows.
//!
//! Detectors read the normalised view of the text (`normalize`), so full-width digits,
//! no-break spaces and zero-width characters do not hide a value; spans are mapped back to the
//! caller's offsets before they leave this module.

use super::detector::Detector;
use super::normalize::NormalizedView;
use super::{checks, finders};
use super::{RedactorConfig, Span};
use crate::error::{Error, Result};
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::OnceLock;

/// A built-in pattern detector, each validated (Luhn, IBAN mod-97, ABA, address and date
/// ranges); the keyword ones (`PASSPORT`, `BANK_ACCOUNT`, ...) take a value only after the word
/// that names it. They read the text normalised (full-width digits, no-break and zero-width
/// characters), with offsets mapped back to the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(test, ts(rename = "PatternDetector"))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum PatternKind {
    Email,
    /// E-mail addresses spelled out to dodge filters: `jane (at) example (dot) org`.
    EmailSpelled,
    Url,
    Ipv4,
    Ipv6,
    Phone,
    CreditCard,
    Iban,
    UsSsn,
    Date,
    DateOfBirth,
    Age,
    Username,
    Postcode,
    Passport,
    DriversLicense,
    BankAccount,
    RoutingNumber,
    TaxId,
}

impl PatternKind {
    pub const ALL: [PatternKind; 19] = [
        PatternKind::Email,
        PatternKind::EmailSpelled,
        PatternKind::Url,
        PatternKind::Ipv4,
        PatternKind::Ipv6,
        PatternKind::Phone,
        PatternKind::CreditCard,
        PatternKind::Iban,
        PatternKind::UsSsn,
        PatternKind::Date,
        PatternKind::DateOfBirth,
        PatternKind::Age,
        PatternKind::Username,
        PatternKind::Postcode,
        PatternKind::Passport,
        PatternKind::DriversLicense,
        PatternKind::BankAccount,
        PatternKind::RoutingNumber,
        PatternKind::TaxId,
    ];

    /// Detector name, as in `Span::detector` after `pattern:`.
    pub fn name(self) -> &'static str {
        match self {
            PatternKind::Email => "EMAIL",
            PatternKind::EmailSpelled => "EMAIL_SPELLED",
            PatternKind::Url => "URL",
            PatternKind::Ipv4 => "IPV4",
            PatternKind::Ipv6 => "IPV6",
            PatternKind::Phone => "PHONE",
            PatternKind::CreditCard => "CREDIT_CARD",
            PatternKind::Iban => "IBAN",
            PatternKind::UsSsn => "US_SSN",
            PatternKind::Date => "DATE",
            PatternKind::DateOfBirth => "DATE_OF_BIRTH",
            PatternKind::Age => "AGE",
            PatternKind::Username => "USERNAME",
            PatternKind::Postcode => "POSTCODE",
            PatternKind::Passport => "PASSPORT",
            PatternKind::DriversLicense => "DRIVERS_LICENSE",
            PatternKind::BankAccount => "BANK_ACCOUNT",
            PatternKind::RoutingNumber => "ROUTING_NUMBER",
            PatternKind::TaxId => "TAX_ID",
        }
    }

    /// Canonical entity type of its matches (both IP versions are `IP_ADDRESS`, postcodes are
    /// part of an `ADDRESS`).
    pub fn entity_type(self) -> &'static str {
        match self {
            PatternKind::Ipv4 | PatternKind::Ipv6 => "IP_ADDRESS",
            PatternKind::EmailSpelled => "EMAIL",
            PatternKind::Postcode => "ADDRESS",
            other => other.name(),
        }
    }
}

impl FromStr for PatternKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        PatternKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<&str> = PatternKind::ALL.iter().map(|k| k.name()).collect();
                Error::InvalidOption(format!(
                    "unknown pattern detector `{s}` ({})",
                    names.join(", ")
                ))
            })
    }
}

/// Which built-in pattern detectors run. Default: all of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DetectorSet(BTreeSet<PatternKind>);

impl Default for DetectorSet {
    fn default() -> Self {
        DetectorSet::all()
    }
}

impl DetectorSet {
    pub fn all() -> Self {
        DetectorSet(PatternKind::ALL.into_iter().collect())
    }

    pub fn none() -> Self {
        DetectorSet(BTreeSet::new())
    }

    pub fn with(mut self, kind: PatternKind) -> Self {
        self.0.insert(kind);
        self
    }

    pub fn without(mut self, kind: PatternKind) -> Self {
        self.0.remove(&kind);
        self
    }

    pub fn contains(&self, kind: PatternKind) -> bool {
        self.0.contains(&kind)
    }

    pub fn iter(&self) -> impl Iterator<Item = PatternKind> + '_ {
        self.0.iter().copied()
    }
}

/// How a row's regex matches become values.
#[derive(Clone, Copy)]
pub(super) enum Finder {
    /// The whole match, when the validator accepts it and it stands alone: no word char on
    /// either side, nor one of `joiners` leading into a word char (`1.2.3.4.5` is a version,
    /// not an address followed by `.5`).
    Whole {
        joiners: &'static str,
        ok: fn(&str) -> bool,
    },
    /// Capture group 1 (the value after its keyword), when the validator accepts it.
    AfterKeyword { ok: fn(&str) -> bool },
    /// A search of its own over the text with the row's regex.
    Search(fn(&str, &Regex) -> Vec<(usize, usize)>),
}

/// One built-in detector rule.
pub(super) struct Row {
    pub kind: PatternKind,
    pub regex: &'static str,
    pub finder: Finder,
    /// Checksummed and unambiguous syntaxes score 1.0; shapes that other numbers share, or
    /// values known only by their keyword, score lower, so that on equal extents a stronger
    /// claim (a checksummed card, a birth date over a date) wins.
    pub score: f32,
}

/// Month names and abbreviations, for the date rows.
macro_rules! month {
    () => {
        r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
    };
}
macro_rules! ordinal_day {
    () => {
        r"\d{1,2}(?:st|nd|rd|th)?"
    };
}
/// What may stand between a keyword and its value: `no.`, `number`, `#`, `:`, `is`.
macro_rules! number_word {
    () => {
        r"(?:\s*(?:no\.?|nr\.?|num\.?|number|#|id))?\s*(?:is\s+)?[:#=]?\s*"
    };
}

/// Every built-in rule. Order does not matter: overlaps are resolved later (`resolve`).
pub(super) const ROWS: &[Row] = &[
    Row {
        kind: PatternKind::Email,
        regex: r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}\.[A-Za-z]{2,63}",
        finder: Finder::Search(finders::emails),
        score: 1.0,
    },
    Row {
        kind: PatternKind::EmailSpelled,
        regex: r"(?i)[a-z0-9][a-z0-9._%+\-]{0,63}(?:\s*[(\[{<]\s*at\s*[)\]}>]\s*|\s+at\s+)[a-z0-9\-]{1,63}(?:(?:\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+|\.)[a-z0-9\-]{1,63}){1,4}",
        finder: Finder::Search(finders::spelled_emails),
        score: 0.9,
    },
    Row {
        kind: PatternKind::Url,
        regex: r#"(?i)(?:https?://|www\.)[^\s<>"'`]+"#,
        finder: Finder::Search(finders::urls),
        score: 0.9,
    },
    Row {
        kind: PatternKind::Ipv4,
        regex: r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}",
        finder: Finder::Whole {
            joiners: ".",
            ok: checks::ipv4_ok,
        },
        score: 0.95,
    },
    Row {
        kind: PatternKind::Ipv6,
        regex: r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:(?:\.[0-9]{1,3}){3})?",
        finder: Finder::Whole {
            joiners: ":.",
            ok: checks::ipv6_ok,
        },
        score: 0.95,
    },
    Row {
        kind: PatternKind::Phone,
        // A run of digit groups as phones are written; sub-runs of it are judged.
        regex: r"\+?\(?[0-9][0-9()\-. ]*",
        finder: Finder::Search(finders::phones),
        score: 0.75,
    },
    Row {
        kind: PatternKind::Phone,
        regex: r"(?i)\+?\(?\d[\d()\-. ]{5,18}\d\s?(?:x|ext\.?\s?)\d{1,5}",
        finder: Finder::Whole {
            joiners: "-./",
            ok: checks::phone_with_extension_ok,
        },
        score: 0.75,
    },
    Row {
        kind: PatternKind::CreditCard,
        regex: r"[0-9]+(?:[ \-][0-9]+)*",
        finder: Finder::Search(finders::cards),
        score: 1.0,
    },
    Row {
        kind: PatternKind::Iban,
        // IBANs are upper case, but people type them in lower case too.
        regex: r"(?i)[A-Z]{2}[0-9]{2} ?[A-Z0-9]{4}",
        finder: Finder::Search(finders::ibans),
        score: 1.0,
    },
    Row {
        kind: PatternKind::UsSsn,
        regex: r"[0-9]{3}[\- ][0-9]{2}[\- ][0-9]{4}",
        finder: Finder::Whole {
            joiners: "-./",
            ok: checks::us_ssn_ok,
        },
        score: 0.85,
    },
    Row {
        // After an SSN keyword an SSN-shaped number is one even outside the issued ranges.
        kind: PatternKind::UsSsn,
        regex: concat!(
            r"(?i)\b(?:ssn|social\s+security|soc\.?\s*sec\.?)",
            number_word!(),
            r"(\d{3}[\- ]?\d{2}[\- ]?\d{4})\b"
        ),
        finder: Finder::AfterKeyword {
            ok: checks::nine_digits,
        },
        // Below an issuable SSN's, above a phone number's (which the shape also fits).
        score: 0.8,
    },
    Row {
        kind: PatternKind::Date,
        regex: r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+\-]\d{2}:?\d{2})?)?",
        finder: Finder::Whole {
            joiners: "-.:/",
            ok: checks::iso_date_ok,
        },
        score: 0.85,
    },
    Row {
        kind: PatternKind::Date,
        regex: r"\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)?",
        finder: Finder::Whole {
            joiners: "-./:",
            ok: checks::numeric_date_ok,
        },
        score: 0.85,
    },
    Row {
        kind: PatternKind::Date,
        regex: concat!(
            r"(?i)\b(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?(?:",
            ordinal_day!(),
            r"\s+(?:of\s+)?",
            month!(),
            r"\.?(?:,?\s+\d{4})?|",
            month!(),
            r"\.?\s+",
            ordinal_day!(),
            r"(?:,?\s+\d{4})?|",
            month!(),
            r"\.?,?\s+\d{4})\b"
        ),
        finder: Finder::Whole {
            joiners: "",
            ok: checks::named_date_ok,
        },
        score: 0.85,
    },
    Row {
        // A year tied to an event: "in 2004", "since 2019".
        kind: PatternKind::Date,
        regex: r"(?i)\b(?:in|since|during|from|until|till|by|before|after|around|circa|year|class\s+of|graduated)\s+((?:19|20)\d{2})\b",
        finder: Finder::AfterKeyword {
            ok: checks::named_date_ok,
        },
        score: 0.6,
    },
    Row {
        kind: PatternKind::Date,
        regex: r"(?i)\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
        finder: Finder::Whole {
            joiners: "",
            ok: checks::named_date_ok,
        },
        score: 0.6,
    },
    Row {
        // Any date the rows above find, after "born", "DOB", "date of birth", …
        kind: PatternKind::DateOfBirth,
        regex: r"(?i)(?:\bborn(?:\s+on)?|\bd\.?o\.?b\.?|\bdate\s+of\s+birth|\bbirth\s*date|\bbirthday(?:\s+is)?|\bgeb\.?|\bgeboren(?:\s+am)?)\s*[:\-=]?\s*$",
        finder: Finder::Search(finders::dates_of_birth),
        score: 0.9,
    },
    Row {
        kind: PatternKind::Age,
        regex: r"(?i)\b(?:aged?|ages)\s*[:=]?\s*(\d{1,3})\b",
        finder: Finder::AfterKeyword { ok: checks::age_ok },
        score: 0.8,
    },
    Row {
        kind: PatternKind::Age,
        regex: r"(?i)\b(\d{1,3})\s*-?\s*(?:(?:years?|yrs?)(?:\s*-\s*|\s+)old|y\s*/\s*o|yo)\b",
        finder: Finder::AfterKeyword { ok: checks::age_ok },
        score: 0.8,
    },
    Row {
        kind: PatternKind::Age,
        regex: r"(?i)\bturn(?:ed|s|ing)?\s+(\d{1,3})\b",
        finder: Finder::AfterKeyword { ok: checks::age_ok },
        score: 0.7,
    },
    Row {
        kind: PatternKind::Username,
        regex: r"@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?",
        finder: Finder::Search(finders::handles),
        score: 0.85,
    },
    Row {
        kind: PatternKind::Username,
        // "is" introduces a user name only after a word that names one ("my login is …").
        regex: r#"(?i)\b(?:(?:user\s*name|login|handle|screen\s*name|nick(?:name)?)\s*(?:[:=]|\bis\b)|(?:user|user\s*id|uid)\s*[:=])\s*["']?([A-Za-z0-9](?:[A-Za-z0-9._\-]{0,40}[A-Za-z0-9_])?)"#,
        finder: Finder::AfterKeyword {
            ok: finders::username_ok,
        },
        score: 0.7,
    },
    Row {
        kind: PatternKind::Postcode,
        // Value forms in order of preference (the regex takes the first that fits): ZIP+4,
        // Brazil, UK, Canada, the Netherlands, Poland, then plain digits.
        regex: r"(?i)\b(?:zip(?:\s*code)?|post\s*code|postal\s+code|plz|postleitzahl|code\s+postal)\s*(?:is\s+)?[:#]?\s*(\d{5}-\d{4}|\d{5}-\d{3}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d|\d{4} ?[A-Z]{2}\b|\d{2}-\d{3}|\d{4,6})\b",
        finder: Finder::AfterKeyword {
            ok: checks::postcode_ok,
        },
        score: 0.8,
    },
    Row {
        kind: PatternKind::Postcode,
        regex: r"\b[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}\b",
        finder: Finder::Whole {
            joiners: "",
            ok: checks::uk_postcode_ok,
        },
        score: 0.7,
    },
    Row {
        kind: PatternKind::Passport,
        regex: concat!(r"(?i)\bpassport", number_word!(), r"([A-Z0-9]{6,10})\b"),
        finder: Finder::AfterKeyword {
            ok: checks::id_with_4_digits,
        },
        score: 0.85,
    },
    Row {
        kind: PatternKind::DriversLicense,
        regex: concat!(
            r"(?i)\b(?:(?:driver'?s?|driving)\s+licen[cs]e|\bDL)",
            number_word!(),
            r"([A-Z0-9][A-Z0-9\-]{3,19})\b"
        ),
        finder: Finder::AfterKeyword {
            ok: checks::id_with_4_digits,
        },
        score: 0.85,
    },
    Row {
        kind: PatternKind::BankAccount,
        regex: concat!(
            r"(?i)\b(?:(?:bank\s+)?account|acct|a/c|konto(?:nummer)?)",
            number_word!(),
            r"(\d[\d\- ]{4,22}\d)\b"
        ),
        finder: Finder::AfterKeyword {
            ok: checks::bank_account_ok,
        },
        score: 0.75,
    },
    Row {
        kind: PatternKind::RoutingNumber,
        regex: concat!(
            r"(?i)\b(?:routing|aba|rtn|transit)",
            number_word!(),
            r"(\d{9})\b"
        ),
        finder: Finder::AfterKeyword {
            ok: checks::aba_routing_ok,
        },
        score: 0.85,
    },
    Row {
        kind: PatternKind::RoutingNumber,
        regex: r"(?i)\bsort\s*code\s*[:#]?\s*(\d{2}-\d{2}-\d{2})\b",
        finder: Finder::AfterKeyword {
            ok: checks::sort_code_ok,
        },
        score: 0.85,
    },
    Row {
        kind: PatternKind::TaxId,
        regex: concat!(
            r"(?i)\b(?:tax\s*(?:id|identification)|tin|ein|itin|vat(?:\s*reg(?:istration)?)?|steuer-?id(?:entifikationsnummer)?|steuernummer|nif|nie|codice\s+fiscale|ni\s+number|national\s+insurance(?:\s+number)?|nino|sin|bsn|personnummer|pesel|dni|cpf|aadhaar|pan|gstin|gst\s*(?:no|number|reg(?:istration)?))",
            number_word!(),
            r"([A-Z]{0,3}\s?\d[\dA-Z]*(?:[ .\-/]\d[\dA-Z]*){0,4})\b"
        ),
        finder: Finder::AfterKeyword {
            ok: checks::id_with_5_digits,
        },
        score: 0.8,
    },
    Row {
        // UK National Insurance number.
        kind: PatternKind::TaxId,
        regex: r"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
        finder: Finder::Whole {
            joiners: "",
            ok: checks::id_with_5_digits,
        },
        score: 0.8,
    },
    Row {
        // Brazilian CPF, check digits validated.
        kind: PatternKind::TaxId,
        regex: r"\b\d{3}\.\d{3}\.\d{3}-\d{2}\b",
        finder: Finder::Whole {
            joiners: "",
            ok: checks::cpf_ok,
        },
        score: 0.85,
    },
    Row {
        // Indian GSTIN, check character validated.
        kind: PatternKind::TaxId,
        regex: r"\b\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]\b",
        finder: Finder::Whole {
            joiners: "",
            ok: checks::gstin_ok,
        },
        score: 0.85,
    },
    Row {
        // Indian PAN: its shape alone (no checksum exists), so a lower score.
        kind: PatternKind::TaxId,
        regex: r"\b[A-Z]{5}\d{4}[A-Z]\b",
        finder: Finder::Whole {
            joiners: "",
            ok: checks::pan_ok,
        },
        score: 0.7,
    },
    Row {
        // Italian codice fiscale.
        kind: PatternKind::TaxId,
        regex: r"(?i)\b[A-Z]{6}\d{2}[A-EHLMPR-T]\d{2}[A-Z]\d{3}[A-Z]\b",
        finder: Finder::Whole {
            joiners: "",
            ok: checks::id_with_5_digits,
        },
        score: 0.85,
    },
];

/// The rows' regexes, compiled once per process. They are literals tested below, so a `None`
/// (a build that cannot compile one) only turns that row off.
fn compiled(row: usize) -> Option<&'static Regex> {
    static COMPILED: OnceLock<Vec<Option<Regex>>> = OnceLock::new();
    COMPILED
        .get_or_init(|| ROWS.iter().map(|r| Regex::new(r.regex).ok()).collect())
        .get(row)?
        .as_ref()
}

/// Byte ranges (in `text`) that one row finds.
fn find_row(row: usize, text: &str) -> Vec<(usize, usize)> {
    let Some(re) = compiled(row) else {
        return Vec::new();
    };
    match ROWS[row].finder {
        Finder::Whole { joiners, ok } => finders::scan(text, re, |s, e| {
            (ok(&text[s..e]) && finders::standalone(text, s, e, joiners)).then_some((s, e))
        }),
        Finder::AfterKeyword { ok } => re
            .captures_iter(text)
            .filter_map(|c| c.get(1))
            .filter(|m| ok(m.as_str()))
            .map(|m| (m.start(), m.end()))
            .collect(),
        Finder::Search(search) => search(text, re),
    }
}

/// Byte ranges of one built-in detector's matches in `text` (every row of the kind; where two
/// rows find the same extent, the higher score), sorted.
pub(super) fn find(kind: PatternKind, text: &str) -> Vec<(usize, usize, f32)> {
    let mut found = Vec::new();
    for (i, row) in ROWS.iter().enumerate().filter(|(_, r)| r.kind == kind) {
        found.extend(
            find_row(i, text)
                .into_iter()
                .map(|(s, e)| (s, e, row.score)),
        );
    }
    found.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(b.2.total_cmp(&a.2)));
    found.dedup_by_key(|h| (h.0, h.1));
    found
}

/// Score of a postal code found only by standing beside a place (below the keyword and
/// UK-shape rows: the number alone proves nothing).
const POSTCODE_BESIDE_A_PLACE: f32 = 0.7;

/// The postcode detector's context search (`finders::postcodes_beside`): postal codes next to
/// the ADDRESS and LOCATION spans already found, by a model or a pattern. Off with the
/// postcode detector.
pub(super) fn postcodes_beside_places(
    text: &str,
    spans: &[Span],
    config: &RedactorConfig,
) -> Vec<Span> {
    if !config.detectors.contains(PatternKind::Postcode) {
        return Vec::new();
    }
    let places: Vec<(usize, usize)> = spans
        .iter()
        .filter(|s| matches!(s.entity_type.as_str(), "ADDRESS" | "LOCATION"))
        .map(|s| (s.start, s.end))
        .collect();
    finders::postcodes_beside(text, &places)
        .into_iter()
        .map(|(start, end)| Span {
            start,
            end,
            entity_type: PatternKind::Postcode.entity_type().to_string(),
            score: POSTCODE_BESIDE_A_PLACE,
            detector: Detector::Pattern(PatternKind::Postcode),
        })
        .collect()
}

/// All spans the config's pattern detectors find in `text`: enabled built-ins, custom patterns
/// and deny-list terms (overlaps are resolved by `redact`). Built-ins and deny-list terms read
/// the normalised view; custom regexes read the text as given (their author chose what to
/// match). Fails with `InvalidOption` for a custom regex that does not compile, a custom score
/// outside 0..=1, or an empty deny-list term.
pub fn detect_patterns(text: &str, config: &RedactorConfig) -> Result<Vec<Span>> {
    let view = NormalizedView::new(text);
    let mut spans = Vec::new();
    // Built-ins read both views where there are two; a value found in both is kept once.
    for v in std::iter::once(&view).chain(NormalizedView::joined(text).as_ref()) {
        for kind in config.detectors.iter() {
            for (start, end, score) in find(kind, &v.text) {
                if let Some((start, end)) = v.original_range(start, end) {
                    spans.push(Span {
                        start,
                        end,
                        entity_type: kind.entity_type().to_string(),
                        score,
                        detector: Detector::Pattern(kind),
                    });
                }
            }
        }
    }
    spans.sort_by(|a, b| (a.start, a.end, &a.detector).cmp(&(b.start, b.end, &b.detector)));
    spans.dedup_by(|a, b| (a.start, a.end, &a.detector) == (b.start, b.end, &b.detector));
    let mut push_view_span = |start, end, entity_type: &str, score, detector: Detector| {
        if let Some((start, end)) = view.original_range(start, end) {
            spans.push(Span {
                start,
                end,
                entity_type: entity_type.to_string(),
                score,
                detector,
            });
        }
    };
    for term in &config.deny_list {
        let needle = term.term.trim();
        if needle.is_empty() {
            return Err(Error::InvalidOption(format!(
                "deny-list term for {} is empty",
                term.entity_type
            )));
        }
        let normalized_needle = NormalizedView::new(needle).text;
        let re = RegexBuilder::new(&regex::escape(&normalized_needle))
            .case_insensitive(term.case_insensitive)
            .build()
            .map_err(|e| Error::InvalidOption(format!("deny-list term `{needle}`: {e}")))?;
        let entity_type = super::types::canonical_name(&term.entity_type);
        for (start, end) in finders::scan(&view.text, &re, |s, e| {
            finders::whole_words(&view.text, s, e).then_some((s, e))
        }) {
            push_view_span(start, end, &entity_type, 1.0, Detector::DenyList);
        }
    }
    for custom in &config.custom_patterns {
        if !(0.0..=1.0).contains(&custom.score) {
            return Err(Error::InvalidOption(format!(
                "custom pattern `{}`: score {} is not within 0..=1",
                custom.name, custom.score
            )));
        }
        let re = Regex::new(&custom.regex).map_err(|e| {
            Error::InvalidOption(format!(
                "custom pattern `{}`: invalid regex: {e}",
                custom.name
            ))
        })?;
        spans.extend(
            finders::scan(text, &re, |s, e| Some((s, e)))
                .into_iter()
                .map(|(start, end)| Span {
                    start,
                    end,
                    entity_type: super::types::canonical_name(&custom.entity_type),
                    score: custom.score,
                    detector: Detector::Custom(custom.name.clone()),
                }),
        );
    }
    Ok(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::{CustomPattern, DenyTerm};

    /// The texts one detector alone finds in `text`.
    fn found(kind: PatternKind, text: &str) -> Vec<String> {
        let mut hits = find(kind, text);
        hits.sort_by_key(|h| (h.0, h.1));
        hits.into_iter()
            .map(|(s, e, _)| text[s..e].to_string())
            .collect()
    }

    #[test]
    fn every_row_compiles_and_every_kind_has_a_row() {
        for (i, row) in ROWS.iter().enumerate() {
            assert!(compiled(i).is_some(), "{}", row.regex);
        }
        for kind in PatternKind::ALL {
            assert!(ROWS.iter().any(|r| r.kind == kind), "{kind:?}");
            assert_eq!(kind.name().parse::<PatternKind>().unwrap(), kind);
        }
    }

    #[test]
    fn emails() {
        let text = "Mail ada.lovelace+work@example.co.uk, or bob@mail.example.org. Not: a..b@x.com, x@y, me@-bad.com, foo@bar.c0m.";
        assert_eq!(
            found(PatternKind::Email, text),
            ["ada.lovelace+work@example.co.uk", "bob@mail.example.org"]
        );
        assert!(found(PatternKind::Email, "user@example.com1").is_empty());
    }

    #[test]
    fn spelled_out_emails() {
        let text =
            "Write to Kwame.Mensah(at)Mail-Box(dot)ORG or k_m [at] example [dot] co [dot] uk, \
                    or priya at example dot com. Not: meet at noon, lunch at 12.30, john at home.";
        assert_eq!(
            found(PatternKind::EmailSpelled, text),
            [
                "Kwame.Mensah(at)Mail-Box(dot)ORG",
                "k_m [at] example [dot] co [dot] uk",
                "priya at example dot com"
            ]
        );
    }

    #[test]
    fn urls() {
        let text = "See https://example.com/a?b=c#d. Also www.example.org/path, (http://x.io/wiki/Foo_(bar)) and http:// or www. alone.";
        assert_eq!(
            found(PatternKind::Url, text),
            [
                "https://example.com/a?b=c#d",
                "www.example.org/path",
                "http://x.io/wiki/Foo_(bar)"
            ]
        );
        assert!(found(PatternKind::Url, "xhttps://example.com").is_empty());
    }

    #[test]
    fn ips() {
        let text = "Hosts 192.168.0.1, 10.0.0.255:8080; not 256.1.1.1, 01.2.3.4, version 1.2.3.4.5 or a1.2.3.4.";
        assert_eq!(
            found(PatternKind::Ipv4, text),
            ["192.168.0.1", "10.0.0.255"]
        );
        let text = "v6 2001:db8::8a2e:370:7334 and fe80::1, full 2001:0db8:85a3:0000:0000:8a2e:0370:7334; not 12:30:45 or std::io or 00:1A:2B:3C:4D:5E.";
        assert_eq!(
            found(PatternKind::Ipv6, text),
            [
                "2001:db8::8a2e:370:7334",
                "fe80::1",
                "2001:0db8:85a3:0000:0000:8a2e:0370:7334"
            ]
        );
    }

    #[test]
    fn phones() {
        let text = "Call +1 (415) 555-0132 or 415-555-0132, UK +44 20 7946 0958, DE 030 12345678, FR 01 23 45 67 89.";
        assert_eq!(
            found(PatternKind::Phone, text),
            [
                "+1 (415) 555-0132",
                "415-555-0132",
                "+44 20 7946 0958",
                "030 12345678",
                "01 23 45 67 89"
            ]
        );
        let text =
            "On 2024-01-15 at 192.168.1.100, card 4111 1111 1111 1111, order 123456789012, room 12 415-555-0199.";
        assert_eq!(
            found(PatternKind::Phone, "desk 345-899-3560x4587, or"),
            ["345-899-3560x4587"]
        );
        assert_eq!(found(PatternKind::Phone, text), ["415-555-0199"]);
        assert!(found(PatternKind::Phone, "tel 415-555-0132-99").is_empty());
    }

    #[test]
    fn cards() {
        let text = "Cards 4111 1111 1111 1111 2024, 5555-5555-5555-4444 and 378282246310005; not 4111 1111 1111 1112 or 4111-1111-1111-1111-2222.";
        assert_eq!(
            found(PatternKind::CreditCard, text),
            [
                "4111 1111 1111 1111",
                "5555-5555-5555-4444",
                "378282246310005"
            ]
        );
        assert!(found(PatternKind::CreditCard, "id41111111111111111").is_empty());
        assert_eq!(
            found(
                PatternKind::CreditCard,
                "read out: 5 5 5 5 5 5 5 5 5 5 5 5 4 4 4 4 ok"
            ),
            ["5 5 5 5 5 5 5 5 5 5 5 5 4 4 4 4"]
        );
    }

    #[test]
    fn ibans() {
        let text = "Pay DE89 3704 0044 0532 0130 00 or GB82WEST12345698765432. Not DE89 3704 0044 0532 0130 01, DE893704 00440532013000, XDE89370400440532013000.";
        assert_eq!(
            found(PatternKind::Iban, text),
            ["DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432"]
        );
        assert_eq!(
            found(PatternKind::Iban, "NL91ABNA0417164300 BIC ABNANL2A"),
            ["NL91ABNA0417164300"]
        );
        assert!(found(PatternKind::Iban, "NL91ABNA04171643001").is_empty());
        assert_eq!(
            found(
                PatternKind::Iban,
                "my iban is gb82 west 1234 5698 7654 32, thanks"
            ),
            ["gb82 west 1234 5698 7654 32"]
        );
    }

    #[test]
    fn ssns() {
        let text = "SSN 123-45-6789 or 234 56 7890; not 000-12-3456, 666-12-3456, 901-12-3456, 123-00-4567, 123-45-0000, 1123-45-6789, 123-45-6789-1.";
        assert_eq!(
            found(PatternKind::UsSsn, text),
            ["123-45-6789", "234 56 7890"]
        );
        // After its keyword a number of the shape is an SSN whatever its area.
        assert_eq!(
            found(
                PatternKind::UsSsn,
                "Social security no. 912-34-5678; ref 912-34-5679"
            ),
            ["912-34-5678"]
        );
    }

    #[test]
    fn dates_and_birth_dates() {
        let text = "Seen 2025-03-14 and 14/03/2025, on March 3rd, 2024, 7 Oct, \
                    since 2019, on Tuesday; v1.2.34, 2025-13-01, 3.14 and 45/45/2020 are not dates.";
        assert_eq!(
            found(PatternKind::Date, text),
            [
                "2025-03-14",
                "14/03/2025",
                "March 3rd, 2024",
                "7 Oct",
                "2019",
                "Tuesday"
            ]
        );
        let text = "DOB: 04/05/1988. Born on 12 June 1990. Appointment 2025-01-02.";
        assert_eq!(
            found(PatternKind::DateOfBirth, text),
            ["04/05/1988", "12 June 1990"]
        );
    }

    #[test]
    fn ages() {
        let text = "aged 38, a 47 y/o male, 61-year-old, she turned 29, Age: 7; not 400 years old, room 12.";
        assert_eq!(found(PatternKind::Age, text), ["38", "47", "61", "29", "7"]);
    }

    #[test]
    fn usernames_and_handles() {
        let text =
            "ping @jdoe_92 or @Anna.K, login: mkowalski; mail anna@example.com, user=svc-backup.";
        assert_eq!(
            found(PatternKind::Username, text),
            ["@jdoe_92", "@Anna.K", "mkowalski", "svc-backup"]
        );
    }

    #[test]
    fn keyword_numbers() {
        let cases = [
            (
                PatternKind::Postcode,
                "ZIP 94107, postcode: SW1A 1AA, PLZ 10115",
                vec!["94107", "SW1A 1AA", "10115"],
            ),
            (PatternKind::Postcode, "London EC1A 1BB.", vec!["EC1A 1BB"]),
            (
                PatternKind::Passport,
                "Passport no. X1234567 expires",
                vec!["X1234567"],
            ),
            (
                PatternKind::DriversLicense,
                "driver's license number: D123-4567-8901",
                vec!["D123-4567-8901"],
            ),
            (
                PatternKind::BankAccount,
                "Account number 000123456789 at the bank",
                vec!["000123456789"],
            ),
            (
                PatternKind::RoutingNumber,
                "routing 021000021; sort code 20-00-00; routing 021000022",
                vec!["021000021", "20-00-00"],
            ),
            (
                PatternKind::TaxId,
                "EIN: 12-3456789, VAT DE 123456789, ref AB 12 34 56 C.",
                vec!["12-3456789", "DE 123456789", "AB 12 34 56 C"],
            ),
            (
                PatternKind::TaxId,
                "CF RSSMRA85T10A562S",
                vec!["RSSMRA85T10A562S"],
            ),
            // CPF and GSTIN need their check digits; a PAN its holder letter; GSTIN: also
            // after its keyword, checksum or not.
            (
                PatternKind::TaxId,
                "Meu CPF é 318.405.216-86; not 318.405.216-87 nor 111.111.111-11.",
                vec!["318.405.216-86"],
            ),
            (
                PatternKind::TaxId,
                "GST 27AAPFU0939F1ZV, 27AAPFU0939F1ZW; PAN of buyer: AKLPK4821M, not AKLQK4821M",
                vec!["27AAPFU0939F1ZV", "AKLPK4821M"],
            ),
            (
                PatternKind::TaxId,
                "GSTIN: 27AAPFS1234K1Z5",
                vec!["27AAPFS1234K1Z5"],
            ),
        ];
        for (kind, text, want) in cases {
            assert_eq!(found(kind, text), want, "{text}");
        }
    }

    #[test]
    fn postcodes_beside_a_place() {
        let text =
            "Ship to Oslo 0150, or 75001 Paris; Tokyo 2020 was fun; Oslo v1.2345; Norway, 840 24.";
        let place = |word: &str| {
            let start = text.find(word).unwrap();
            Span::model(start, start + word.len(), "LOCATION", 0.9)
        };
        let spans = [
            place("Oslo"),
            place("Paris"),
            place("Tokyo"),
            place("Norway"),
        ];
        let found = |config: &RedactorConfig| -> Vec<(String, String, f32)> {
            postcodes_beside_places(text, &spans, config)
                .into_iter()
                .map(|s| (text[s.start..s.end].to_string(), s.entity_type, s.score))
                .collect()
        };
        let config = RedactorConfig::default();
        let got: Vec<String> = found(&config).into_iter().map(|f| f.0).collect();
        // Not the year after Tokyo; "Oslo v1.2345" has no place beside its number (`place`
        // finds the first Oslo only) and the number is a version anyway.
        assert_eq!(got, ["0150", "75001", "840 24"]);
        assert!(found(&config)
            .iter()
            .all(|f| f.1 == "ADDRESS" && f.2 == POSTCODE_BESIDE_A_PLACE));
        // A number too far away or glued to other text is not a code of that place.
        let far = "Oslo is 0150";
        let oslo = [Span::model(0, 4, "LOCATION", 0.9)];
        assert!(postcodes_beside_places(far, &oslo, &config).is_empty());
        let glued = "Oslo 0150b";
        assert!(postcodes_beside_places(glued, &oslo, &config).is_empty());
        // Off with the postcode detector; other types are no places.
        let off = RedactorConfig {
            detectors: DetectorSet::all().without(PatternKind::Postcode),
            ..RedactorConfig::default()
        };
        assert!(found(&off).is_empty());
        let person = [Span::model(0, 4, "PERSON", 0.9)];
        assert!(postcodes_beside_places("Oslo 0150", &person, &config).is_empty());
    }

    #[test]
    fn custom_patterns_and_deny_list() {
        let config = RedactorConfig {
            detectors: DetectorSet::none(),
            custom_patterns: vec![CustomPattern {
                name: "ticket".into(),
                entity_type: "ticket_id".into(),
                regex: r"\bTKT-\d{4}\b".into(),
                score: 0.9,
            }],
            deny_list: vec![
                DenyTerm {
                    entity_type: "PROJECT".into(),
                    term: "Falcon".into(),
                    case_insensitive: true,
                },
                DenyTerm {
                    entity_type: "LANG".into(),
                    term: "C++".into(),
                    case_insensitive: false,
                },
            ],
            ..RedactorConfig::default()
        };
        let text = "TKT-1234 for FALCON, not Falconry nor TKT-12345; c++ and C++.";
        let mut spans = detect_patterns(text, &config).unwrap();
        spans.sort_by_key(|s| s.start);
        let got: Vec<(&str, &str, String)> = spans
            .iter()
            .map(|s| {
                (
                    &text[s.start..s.end],
                    s.entity_type.as_str(),
                    s.detector.to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("TKT-1234", "TICKET_ID", "custom:ticket".to_string()),
                ("FALCON", "PROJECT", "deny_list".to_string()),
                ("C++", "LANG", "deny_list".to_string()),
            ]
        );
    }

    #[test]
    fn detectors_read_the_normalised_view() {
        let config = RedactorConfig::default();
        let text = "Card ４１１１ １１１１ １１１１ １１１１, IBAN de89\u{a0}3704\u{a0}0044\u{a0}0532\u{a0}0130\u{a0}00, mail ada\u{200b}@example.com";
        let spans = detect_patterns(text, &config).unwrap();
        let of = |t: &str| {
            spans
                .iter()
                .filter(|s| s.entity_type == t)
                .map(|s| &text[s.start..s.end])
                .collect::<Vec<_>>()
        };
        assert_eq!(of("CREDIT_CARD"), ["４１１１ １１１１ １１１１ １１１１"]);
        assert_eq!(
            of("IBAN"),
            ["de89\u{a0}3704\u{a0}0044\u{a0}0532\u{a0}0130\u{a0}00"]
        );
        assert_eq!(of("EMAIL"), ["ada\u{200b}@example.com"]);
    }

    #[test]
    fn detectors_can_be_turned_off() {
        let text = "ada@example.com 192.168.0.1";
        let config = RedactorConfig {
            detectors: DetectorSet::all().without(PatternKind::Email),
            ..Default::default()
        };
        let spans = detect_patterns(text, &config).unwrap();
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].detector, Detector::Pattern(PatternKind::Ipv4));
        assert_eq!(spans[0].entity_type, "IP_ADDRESS");
        assert_eq!(
            "credit_card".parse::<PatternKind>().unwrap(),
            PatternKind::CreditCard
        );
        assert_eq!(
            "nope".parse::<PatternKind>().unwrap_err().code(),
            "invalid_option"
        );
    }
}
