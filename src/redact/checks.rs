//! Validators behind the pattern detectors: checksums and shape rules a regex cannot express.
//! Each takes the candidate exactly as it appears in the text (separators included) and
//! answers whether it is a plausible value of its kind.

/// Decimal digit values of the ASCII digits in `s`, in order; other chars are skipped.
fn digits(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

/// Luhn (mod 10) checksum, as on payment cards.
pub(super) fn luhn_ok(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            match (i % 2 == 1, d * 2) {
                (false, _) => d,
                (true, doubled) if doubled > 9 => doubled - 9,
                (true, doubled) => doubled,
            }
        })
        .sum();
    !digits.is_empty() && sum % 10 == 0
}

/// Issuer prefix ranges (IIN) with the card lengths each scheme issues: `(low, high, min_len,
/// max_len)`, where the prefix compared has as many digits as `low`. A Luhn-valid number outside
/// every range is far more likely an order or account number than a card.
const CARD_IINS: &[(u32, u32, usize, usize)] = &[
    (4, 4, 13, 19),       // Visa
    (51, 55, 16, 16),     // Mastercard
    (2221, 2720, 16, 16), // Mastercard 2-series
    (34, 34, 15, 15),     // American Express
    (37, 37, 15, 15),     // American Express
    (6011, 6011, 16, 19), // Discover
    (644, 649, 16, 19),   // Discover
    (65, 65, 16, 19),     // Discover
    (300, 305, 14, 19),   // Diners Club
    (36, 36, 14, 19),     // Diners Club
    (38, 39, 14, 19),     // Diners Club
    (3528, 3589, 16, 19), // JCB
    (2131, 2131, 15, 15), // JCB (older 15-digit numbers)
    (1800, 1800, 15, 15), // JCB (older 15-digit numbers)
    (62, 62, 16, 19),     // UnionPay
    (2200, 2204, 16, 19), // Mir
    (5018, 5018, 12, 19), // Maestro
    (5020, 5020, 12, 19), // Maestro
    (5038, 5038, 12, 19), // Maestro
    (5893, 5893, 12, 19), // Maestro
    (6304, 6304, 12, 19), // Maestro
    (6759, 6759, 12, 19), // Maestro
    (6761, 6763, 12, 19), // Maestro
];

fn iin_ok(digits: &[u8]) -> bool {
    let prefix = |len: usize| {
        digits
            .iter()
            .take(len)
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d))
    };
    CARD_IINS.iter().any(|&(low, high, min_len, max_len)| {
        let len = low.to_string().len();
        (low..=high).contains(&prefix(len)) && (min_len..=max_len).contains(&digits.len())
    })
}

/// A payment card number: 12–19 digits (12 only for Maestro), written solid or in the groups cards print (4-4-4-4,
/// 4-4-4-4-3, Amex 4-6-5, Diners 4-6-4) with one kind of separator (space or dash), a known
/// issuer prefix and a valid Luhn checksum.
pub(super) fn credit_card_ok(candidate: &str) -> bool {
    let mut separators = candidate.chars().filter(|c| !c.is_ascii_digit());
    if let Some(first) = separators.next() {
        if !matches!(first, ' ' | '-') || separators.any(|c| c != first) {
            return false;
        }
    }
    let groups: Vec<usize> = candidate
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .collect();
    let grouping_ok = match groups.as_slice() {
        [_] | [4, 6, 5] | [4, 6, 4] => true,
        // Read out or typed digit by digit: "4 1 1 1 1 1 …".
        all_single if all_single.iter().all(|&g| g == 1) => true,
        [init @ .., last] => init.iter().all(|&g| g == 4) && (1..=4).contains(last),
        [] => false,
    };
    let digits = digits(candidate);
    grouping_ok && (12..=19).contains(&digits.len()) && iin_ok(&digits) && luhn_ok(&digits)
}

/// IBAN length per country (ISO 13616 registry): all SEPA countries and the other common ones.
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("SA", 24),
    ("SC", 31),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
];

/// Number of characters (spaces excluded) an IBAN of this country has.
pub(super) fn iban_length(country: &str) -> Option<usize> {
    IBAN_LENGTHS
        .iter()
        .find(|(code, _)| *code == country)
        .map(|&(_, len)| len)
}

/// An IBAN without spaces: upper-case country code with a registered length, two check digits,
/// upper-case alphanumeric BBAN, and the ISO 13616 checksum (moved-to-the-end prefix, letters as
/// 10–35, whole number mod 97) equal to 1.
pub(super) fn iban_ok(compact: &str) -> bool {
    let bytes = compact.as_bytes();
    let shape_ok = bytes.len() > 4
        && bytes[..2].iter().all(u8::is_ascii_uppercase)
        && bytes[2..4].iter().all(u8::is_ascii_digit)
        && bytes
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && compact.get(..2).and_then(iban_length) == Some(bytes.len());
    if !shape_ok {
        return false;
    }
    let rearranged = bytes[4..].iter().chain(&bytes[..4]);
    // Fold digit by digit so the (up to 70-digit) number never has to exist.
    let remainder = rearranged.fold(0u32, |acc, &b| {
        let value = u32::from(if b.is_ascii_digit() {
            b - b'0'
        } else {
            b - b'A' + 10
        });
        if value >= 10 {
            (acc * 100 + value) % 97
        } else {
            (acc * 10 + value) % 97
        }
    });
    remainder == 1
}

/// A US Social Security number `AAA-GG-SSSS` (dashes or spaces, the same both times) in an
/// issuable range: area not 000, 666 or 900–999, group not 00, serial not 0000.
pub(super) fn us_ssn_ok(candidate: &str) -> bool {
    let parts: Vec<&str> = candidate.split(['-', ' ']).collect();
    let [area, group, serial] = parts.as_slice() else {
        return false;
    };
    let same_separator = candidate.as_bytes().get(3) == candidate.as_bytes().get(6);
    let number = |s: &str| s.parse::<u32>().ok();
    match (number(area), number(group), number(serial)) {
        (Some(a), Some(g), Some(s)) => {
            same_separator
                && area.len() == 3
                && group.len() == 2
                && serial.len() == 4
                && a != 0
                && a != 666
                && a < 900
                && g != 0
                && s != 0
        }
        _ => false,
    }
}

/// Dotted-quad IPv4: four decimal octets 0–255 without leading zeros ("010" reads as octal to
/// some parsers and is not how addresses are written).
pub(super) fn ipv4_ok(candidate: &str) -> bool {
    let octets: Vec<&str> = candidate.split('.').collect();
    octets.len() == 4
        && octets.iter().all(|o| {
            !o.is_empty()
                && o.len() <= 3
                && o.bytes().all(|b| b.is_ascii_digit())
                && (o.len() == 1 || !o.starts_with('0'))
                && o.parse::<u16>().is_ok_and(|v| v <= 255)
        })
}

/// IPv6 in any textual form `std::net::Ipv6Addr` accepts (full, `::`-compressed, IPv4 tail).
pub(super) fn ipv6_ok(candidate: &str) -> bool {
    candidate.contains(':') && candidate.parse::<std::net::Ipv6Addr>().is_ok()
}

/// One run of digits in a phone candidate.
struct Group {
    len: usize,
    first_digit: u8,
    parenthesized: bool,
    /// Separator before this group once parentheses are set aside: `None` for the first group
    /// or when digits follow a parenthesis directly, as in `(415)555-0132`.
    separator: Option<char>,
}

/// Splits a phone candidate (after any leading `+`) into digit groups, or `None` when its
/// punctuation is not phone punctuation: one separator char (space, dash, dot) between groups,
/// at most one pair of parentheses around a single group of 1–5 digits.
fn phone_groups(body: &str) -> Option<Vec<Group>> {
    let mut groups: Vec<Group> = Vec::new();
    let mut pending = String::new();
    let mut chars = body.chars().peekable();
    let mut paren_used = false;
    let mut paren_open = false;
    while let Some(c) = chars.next() {
        if !c.is_ascii_digit() {
            pending.push(c);
            continue;
        }
        let mut len = 1;
        while chars.next_if(char::is_ascii_digit).is_some() {
            len += 1;
        }
        let mut between = pending.as_str();
        if let Some(rest) = between.strip_prefix(')') {
            if !paren_open {
                return None;
            }
            paren_open = false;
            between = rest;
        }
        let opens = between.ends_with('(');
        if let Some(rest) = between.strip_suffix('(') {
            if paren_used {
                return None;
            }
            paren_used = true;
            paren_open = true;
            between = rest;
        }
        let mut between_chars = between.chars();
        let separator = between_chars.next();
        let lone_separator = between_chars.next().is_none()
            && separator.is_none_or(|s| matches!(s, ' ' | '-' | '.'));
        let after_paren = pending.starts_with(')');
        // Adjacent groups need a separator unless a parenthesis already splits them; the first
        // group has nothing before it but an optional `(`.
        let placement_ok = if groups.is_empty() {
            separator.is_none()
        } else {
            separator.is_some() || after_paren || opens
        };
        if paren_open && !opens {
            return None; // a second group inside the parentheses
        }
        if !lone_separator || !placement_ok {
            return None;
        }
        groups.push(Group {
            len,
            first_digit: c as u8 - b'0',
            parenthesized: opens,
            separator,
        });
        pending.clear();
    }
    let closes_last = pending == ")" && paren_open;
    if !(closes_last || (pending.is_empty() && !paren_open)) {
        return None;
    }
    if groups
        .iter()
        .any(|g| g.parenthesized && !(1..=5).contains(&g.len))
    {
        return None;
    }
    Some(groups)
}

/// A phone number, international (`+CC …`) or national. E.164 bounds the digits to 7–15.
///
/// With a leading `+` any grouping is accepted (the country code group has 1–3 digits unless
/// the number is written solid). Without one, the number must look like a national format,
/// which keeps dates, amounts, version numbers and runs of small numbers out:
/// - at least two groups (a bare digit run is an ID as often as a phone), all separated by the
///   same char, except right after a parenthesized area code, which must be the first group;
/// - dot-separated numbers need three or more groups (`3.14159` is a decimal);
/// - space-only numbers must start with the trunk prefix 0 (UK `020 7946 0958`, DE, FR), since
///   spaces also separate lists of numbers;
/// - the last group has 4+ digits, except French `01 23 45 67 89` (five pairs from 0);
/// - two groups: the first has 3 digits (US `555-0132`) or starts with 0 (`030-1234567`);
/// - a single-digit first group (`1-800-555-0199`) needs four groups;
/// - `DD.MM.YYYY`-shaped dates and Luhn-valid card numbers are not phones.
pub(super) fn phone_ok(candidate: &str) -> bool {
    let (plus, body) = match candidate.strip_prefix('+') {
        Some(body) => (true, body),
        None => (false, candidate),
    };
    let Some(groups) = phone_groups(body) else {
        return false;
    };
    let digits = digits(body);
    if !(7..=15).contains(&digits.len()) {
        return false;
    }
    let lens: Vec<usize> = groups.iter().map(|g| g.len).collect();
    if plus {
        return groups.len() == 1 || (lens[0] <= 3 && !groups[0].parenthesized);
    }
    if groups.len() < 2 || groups.iter().skip(1).any(|g| g.parenthesized) {
        return false;
    }
    let mut separators = groups
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(i, _)| !groups[i - 1].parenthesized)
        .map(|(_, g)| g.separator);
    let separator = separators.next().flatten();
    if separators.any(|s| s != separator) {
        return false;
    }
    let parenthesized = groups[0].parenthesized;
    let trunk = groups[0].first_digit == 0;
    if separator == Some('.') && groups.len() < 3 {
        return false;
    }
    if separator == Some(' ') && !parenthesized && !trunk {
        return false;
    }
    if lens == [2, 2, 2, 2, 2] && trunk {
        return true;
    }
    let last = lens[lens.len() - 1];
    let looks_like_date = lens.len() == 3 && lens[0] <= 2 && lens[1] <= 2 && last == 4;
    let looks_like_card = digits.len() >= 13 && iin_ok(&digits) && luhn_ok(&digits);
    last >= 4
        && (groups.len() > 2 || parenthesized || lens[0] == 3 || trunk)
        && (lens[0] > 1 || groups.len() >= 4)
        && !looks_like_date
        && !looks_like_card
}

/// A phone number followed by an extension: `555-0132 x42`, `415.555.0132ext.7`.
pub(super) fn phone_with_extension_ok(candidate: &str) -> bool {
    let lower = candidate.to_ascii_lowercase();
    let cut = lower.rfind("ext").or_else(|| lower.rfind('x'));
    cut.is_some_and(|i| phone_ok(candidate[..i].trim_end()))
}

/// A US bank routing (ABA) number: nine digits whose weighted sum 3-7-1 is a multiple of 10.
pub(super) fn aba_routing_ok(candidate: &str) -> bool {
    let d = digits(candidate);
    let weights = [3u32, 7, 1, 3, 7, 1, 3, 7, 1];
    d.len() == 9
        && d.iter().any(|&x| x != 0)
        && d.iter()
            .zip(weights)
            .map(|(&x, w)| u32::from(x) * w)
            .sum::<u32>()
            % 10
            == 0
}

/// A UK sort code `12-34-56`.
pub(super) fn sort_code_ok(candidate: &str) -> bool {
    let parts: Vec<&str> = candidate.split('-').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A number after a keyword that names it (account, licence, passport, tax id): at least
/// `min` digits and no more than 20 of them, so that a keyword followed by prose is no value.
fn digits_between(candidate: &str, min: usize) -> bool {
    (min..=20).contains(&digits(candidate).len())
}

pub(super) fn id_with_4_digits(candidate: &str) -> bool {
    digits_between(candidate, 4)
}

pub(super) fn id_with_5_digits(candidate: &str) -> bool {
    digits_between(candidate, 5)
}

/// Brazil's CPF, `ddd.ddd.ddd-dd`: two mod-11 check digits; eleven equal digits are invalid.
pub(super) fn cpf_ok(candidate: &str) -> bool {
    let d = digits(candidate);
    if d.len() != 11 || d.iter().all(|&x| x == d[0]) {
        return false;
    }
    let check = |n: usize| {
        let sum: u32 = (0..n)
            .map(|i| u32::from(d[i]) * (n as u32 + 1 - i as u32))
            .sum();
        (sum * 10 % 11 % 10) as u8
    };
    check(9) == d[9] && check(10) == d[10]
}

/// India's PAN, `AAAPA9999A`: the fourth letter is the holder's kind (P person, C company, H
/// Hindu undivided family, F firm, A association, T trust, B body of individuals, L local
/// authority, J artificial juridical person, G government). No checksum exists.
pub(super) fn pan_ok(candidate: &str) -> bool {
    let b = candidate.as_bytes();
    b.len() == 10 && b"PCHFATBLJG".contains(&b[3])
}

/// India's GSTIN: state code, the holder's PAN, entity number, `Z`, and a check character
/// (base 36, weights 1 and 2 alternating, digit sums in base 36).
pub(super) fn gstin_ok(candidate: &str) -> bool {
    let b = candidate.as_bytes();
    let value = |c: u8| match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    };
    if b.len() != 15 || !pan_ok(&candidate[2..12]) {
        return false;
    }
    let mut sum = 0;
    for (i, &c) in b[..14].iter().enumerate() {
        let Some(v) = value(c) else { return false };
        let p = v * if i % 2 == 0 { 1 } else { 2 };
        sum += p / 36 + p % 36;
    }
    value(b[14]) == Some((36 - sum % 36) % 36)
}

pub(super) fn bank_account_ok(candidate: &str) -> bool {
    (6..=17).contains(&digits(candidate).len())
}

/// Nine digits in the SSN's shape (after an SSN keyword: the area is not checked).
pub(super) fn nine_digits(candidate: &str) -> bool {
    digits(candidate).len() == 9
}

/// A person's age: 1 to 125.
pub(super) fn age_ok(candidate: &str) -> bool {
    candidate
        .parse::<u32>()
        .is_ok_and(|n| (1..=125).contains(&n))
}

/// Postcodes as written after a postcode keyword: US ZIP (+4), UK, Canadian, Dutch, Polish,
/// Brazilian and plain 4–6 digit codes.
pub(super) fn postcode_ok(candidate: &str) -> bool {
    let c = candidate.to_ascii_uppercase();
    let shape: String = c
        .chars()
        .map(|ch| match ch {
            '0'..='9' => '9',
            'A'..='Z' => 'A',
            other => other,
        })
        .collect();
    matches!(
        shape.as_str(),
        "99999"
            | "99999-9999"
            | "9999"
            | "999999"
            | "99-999"
            | "99999-999"
            | "9999 AA"
            | "9999AA"
            | "A9A 9A9"
            | "A9A9A9"
    ) || uk_postcode_ok(&c)
}

/// A UK postcode with its space: outward code (A9, A99, AA9, AA99, A9A, AA9A), inward 9AA.
pub(super) fn uk_postcode_ok(candidate: &str) -> bool {
    let Some((outward, inward)) = candidate.split_once(' ') else {
        return false;
    };
    let shape = |s: &str| -> String {
        s.chars()
            .map(|ch| match ch {
                '0'..='9' => '9',
                'A'..='Z' => 'A',
                _ => '?',
            })
            .collect()
    };
    matches!(
        shape(outward).as_str(),
        "A9" | "A99" | "AA9" | "AA99" | "A9A" | "AA9A"
    ) && shape(inward) == "9AA"
}

/// A calendar date from its parts: year 1900–2099 (two-digit years pass), month 1–12,
/// day 1–31.
fn ymd_ok(year: u32, month: u32, day: u32) -> bool {
    (year < 100 || (1900..2100).contains(&year))
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
}

/// `2025-03-14` (with an optional time after it).
pub(super) fn iso_date_ok(candidate: &str) -> bool {
    let date = candidate.split(['T', ' ']).next().unwrap_or_default();
    let parts: Vec<u32> = date.split('-').filter_map(|p| p.parse().ok()).collect();
    matches!(parts.as_slice(), &[y, m, d] if y >= 1000 && ymd_ok(y, m, d))
}

/// `14/03/2025`, `3/14/25`, `14.03.2025`: day and month in either order, one kind of separator.
pub(super) fn numeric_date_ok(candidate: &str) -> bool {
    let date = candidate.split([' ', ',']).next().unwrap_or_default();
    let Some(sep) = date.chars().find(|c| !c.is_ascii_digit()) else {
        return false;
    };
    let parts: Vec<&str> = date.split(sep).collect();
    let [a, b, y_str] = parts.as_slice() else {
        return false;
    };
    let n = |s: &str| s.parse::<u32>().ok();
    match (n(a), n(b), n(y_str)) {
        (Some(a), Some(b), Some(y)) => {
            matches!(y_str.len(), 2 | 4)
                && (ymd_ok(y, b, a) || ymd_ok(y, a, b))
                // "1.2.34" is a version more often than a date.
                && !(sep == '.' && parts[0].len() == 1 && parts[1].len() == 1)
        }
        _ => false,
    }
}

/// A date with a month name: any day number in it is 1–31.
pub(super) fn named_date_ok(candidate: &str) -> bool {
    candidate
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty() && p.len() <= 2)
        .all(|p| p.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_and_cards() {
        assert!(luhn_ok(&digits("79927398713")));
        assert!(!luhn_ok(&digits("79927398710")));
        for good in [
            "4111111111111111",
            "4111 1111 1111 1111",
            "4111-1111-1111-1111",
            "5555555555554444",
            "2223003122003222",
            "378282246310005",
            "3782 822463 10005",
            "6011111111111117",
            "3530111333300000",
            "30569309025904",
            "6200000000000005",
            "4222222222222",
        ] {
            assert!(credit_card_ok(good), "{good}");
        }
        for bad in [
            "4111111111111112",       // Luhn
            "4111 1111-1111 1111",    // mixed separators
            "41 11111111 111111",     // not a card grouping
            "1234567812345670",       // Luhn-valid, no issuer
            "411111111111",           // too short
            "4111111111111111111111", // too long
        ] {
            assert!(!credit_card_ok(bad), "{bad}");
        }
    }

    #[test]
    fn ibans() {
        for good in [
            "DE89370400440532013000",
            "GB82WEST12345698765432",
            "FR1420041010050500013M02606",
            "NL91ABNA0417164300",
            "BE68539007547034",
            "CH9300762011623852957",
            "ES9121000418450200051332",
            "IT60X0542811101000000123456",
            "AT611904300234573201",
            "NO9386011117947",
        ] {
            assert!(iban_ok(good), "{good}");
        }
        for bad in [
            "DE89370400440532013001", // checksum
            "DE8937040044053201300",  // length for DE
            "ZZ89370400440532013000", // unknown country
            "de89370400440532013000", // lower case
            "DE8937040044053201300!",
        ] {
            assert!(!iban_ok(bad), "{bad}");
        }
        assert_eq!(iban_length("DE"), Some(22));
        assert_eq!(iban_length("US"), None);
    }

    #[test]
    fn ssns() {
        for good in ["123-45-6789", "123 45 6789", "665-01-0001", "899-99-9999"] {
            assert!(us_ssn_ok(good), "{good}");
        }
        for bad in [
            "000-12-3456",
            "666-12-3456",
            "900-12-3456",
            "999-12-3456",
            "123-00-4567",
            "123-45-0000",
            "123-45 6789",
            "12-345-6789",
        ] {
            assert!(!us_ssn_ok(bad), "{bad}");
        }
    }

    #[test]
    fn ip_addresses() {
        for good in ["192.168.0.1", "0.0.0.0", "255.255.255.255", "8.8.8.8"] {
            assert!(ipv4_ok(good), "{good}");
        }
        for bad in ["256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.5", "1..2.3"] {
            assert!(!ipv4_ok(bad), "{bad}");
        }
        for good in [
            "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
            "2001:db8::1",
            "::1",
            "fe80::",
            "::ffff:192.0.2.1",
        ] {
            assert!(ipv6_ok(good), "{good}");
        }
        for bad in [
            "12:30:45",
            "00:1A:2B:3C:4D:5E",
            "2001:db8:::1",
            "1::2::3",
            "2001:db8::g",
        ] {
            assert!(!ipv6_ok(bad), "{bad}");
        }
    }

    #[test]
    fn phones() {
        for good in [
            "+1 415 555 0132",
            "+1 (415) 555-0132",
            "+14155550132",
            "+44 20 7946 0958",
            "+44 (0)20 7946 0958",
            "+49 30 12345678",
            "+49-30-1234567",
            "+33 1 23 45 67 89",
            "+33.1.23.45.67.89",
            "(415) 555-0132",
            "(415)555-0132",
            "415-555-0132",
            "415.555.0132",
            "555-0132",
            "1-800-555-0199",
            "020 7946 0958",
            "030 12345678",
            "01 23 45 67 89",
            "06-12-34-56-78",
        ] {
            assert!(phone_ok(good), "{good}");
        }
        for bad in [
            "2024-01-15",          // date
            "15.01.2024",          // date
            "192.168.1.100",       // IPv4
            "4155550132",          // bare digit run
            "1999-2005",           // year range
            "3.14159265",          // decimal
            "10 20 30 40",         // list of numbers
            "12 415-555-0132",     // mixed separators
            "4111-1111-1111-1111", // too many digits
            "3782-822463-10005",   // Amex card
            "+1 234",              // too few digits
            "415--555-0132",       // double separator
            "(415 555-0132",       // unbalanced
            "415-(555)-0132",      // parentheses not on the area code
            "+1234 555 0132",      // country code too long
            "1.234.567",           // thousands
            "12-34-567",           // last group short
        ] {
            assert!(!phone_ok(bad), "{bad}");
        }
    }

    #[test]
    fn keyword_values() {
        assert!(aba_routing_ok("021000021") && aba_routing_ok("011401533"));
        assert!(!aba_routing_ok("021000022") && !aba_routing_ok("000000000"));
        assert!(sort_code_ok("20-00-00") && !sort_code_ok("2000-00"));
        assert!(postcode_ok("94107") && postcode_ok("94107-1234") && postcode_ok("SW1A 1AA"));
        assert!(postcode_ok("1017 AB") && postcode_ok("k1a 0b1") && postcode_ok("00-950"));
        assert!(!postcode_ok("HELLO") && !postcode_ok("123"));
        assert!(age_ok("47") && !age_ok("0") && !age_ok("300"));
        assert!(bank_account_ok("12345678") && !bank_account_ok("123"));
    }

    #[test]
    fn dates() {
        assert!(iso_date_ok("2025-03-14") && iso_date_ok("1984-04-27 15:25:53"));
        assert!(!iso_date_ok("2025-13-14") && !iso_date_ok("2025-02-32"));
        assert!(numeric_date_ok("14/03/2025") && numeric_date_ok("3/14/25"));
        assert!(numeric_date_ok("14.03.2025") && numeric_date_ok("9/15/1946"));
        assert!(!numeric_date_ok("14/13/2025") && !numeric_date_ok("1.2.34"));
        assert!(named_date_ok("March 14th, 2025") && !named_date_ok("March 44"));
    }

    #[test]
    fn extensions_and_older_card_ranges() {
        assert!(phone_with_extension_ok("345-899-3560x4587"));
        assert!(phone_with_extension_ok("(415) 555-0132 ext. 12"));
        assert!(!phone_with_extension_ok("3560x4587"));
        // Luhn-valid numbers in the older JCB and 12-digit Maestro ranges.
        assert!(credit_card_ok("213176828496175") && credit_card_ok("180016070420458"));
        assert!(credit_card_ok("630427373398") && credit_card_ok("6304 0000 0000 0000"));
        assert!(!credit_card_ok("630427373399"));
    }

    #[test]
    fn cards_read_digit_by_digit() {
        assert!(credit_card_ok("4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1"));
        assert!(!credit_card_ok("4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 2"));
    }
}
