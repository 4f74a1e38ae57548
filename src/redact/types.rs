//! The one table of personal-data types: what each canonical type covers, how other tools name
//! it, and the shape a value of a structured type must have. `eval` scores against these names,
//! operators are keyed by them, and the table in docs/GUIDE.md is this one.

/// One canonical entity type.
#[derive(Debug, Clone, Copy)]
pub struct EntityType {
    /// Canonical name: what spans, operators and placeholders (`<PERSON_1>`) use.
    pub name: &'static str,
    /// What it covers, as labelling rule.
    pub covers: &'static str,
    /// Presidio's (and presidio-research's data sets') names for the same thing.
    pub presidio: &'static [&'static str],
    /// For types with a fixed syntax: a test a model span must pass to be kept. A model that
    /// tags the word after an e-mail address as EMAIL ("Mail a@b.com today") is wrong about
    /// "today", and nothing that is not shaped like an e-mail address needs hiding as one.
    pub shape: Option<fn(&str) -> bool>,
}

fn has_at(v: &str) -> bool {
    let lower = v.to_lowercase();
    v.contains('@') || lower.contains("(at)") || lower.contains("[at]") || lower.contains(" at ")
}

fn digits_at_least(n: usize) -> impl Fn(&str) -> bool {
    move |v: &str| v.chars().filter(|c| c.is_numeric()).count() >= n
}

fn has_6_digits(v: &str) -> bool {
    digits_at_least(6)(v)
}

fn has_12_digits(v: &str) -> bool {
    digits_at_least(12)(v)
}

fn has_digit(v: &str) -> bool {
    digits_at_least(1)(v)
}

fn url_shaped(v: &str) -> bool {
    v.contains('.') || v.contains("://")
}

fn ip_shaped(v: &str) -> bool {
    v.contains('.') || v.contains(':')
}

/// Every canonical type, in the order the docs list them.
pub const ENTITY_TYPES: &[EntityType] = &[
    EntityType {
        name: "PERSON",
        covers: "a person's name as written, without honorific; a first name alone counts",
        presidio: &["PERSON", "PER"],
        shape: None,
    },
    EntityType {
        name: "ORGANIZATION",
        covers: "companies, hospitals, schools, agencies that identify someone's affiliation",
        presidio: &["ORGANIZATION", "ORG"],
        shape: None,
    },
    EntityType {
        name: "LOCATION",
        covers: "a city, region or country standing alone (not part of a postal address)",
        presidio: &["LOCATION", "GPE", "LOC"],
        shape: None,
    },
    EntityType {
        name: "ADDRESS",
        covers: "a postal address as written, street to postcode and city, as one span; a postcode with its keyword",
        presidio: &["STREET_ADDRESS", "ZIP_CODE", "ADDRESS"],
        shape: None,
    },
    EntityType {
        name: "DATE",
        covers: "dates and date-times, and years or weekdays tied to a person or event",
        presidio: &["DATE_TIME", "DATE"],
        shape: None,
    },
    EntityType {
        name: "DATE_OF_BIRTH",
        covers: "a birth date",
        presidio: &["DATE_OF_BIRTH"],
        shape: None,
    },
    EntityType {
        name: "AGE",
        covers: "a person's age: the number alone (\"47 years old\" -> 47)",
        presidio: &["AGE"],
        shape: Some(has_digit),
    },
    EntityType {
        name: "TITLE",
        covers: "a job title next to a person, and honorifics before a name (Mrs., Dr.)",
        presidio: &["TITLE"],
        shape: None,
    },
    EntityType {
        name: "NRP",
        covers: "nationality, religious or political group",
        presidio: &["NRP"],
        shape: None,
    },
    EntityType {
        name: "EMAIL",
        covers: "an e-mail address, spelled-out forms (\"a (at) b (dot) com\") included",
        presidio: &["EMAIL_ADDRESS", "EMAIL"],
        shape: Some(has_at),
    },
    EntityType {
        name: "PHONE",
        covers: "a telephone or fax number",
        presidio: &["PHONE_NUMBER", "PHONE"],
        shape: Some(has_6_digits),
    },
    EntityType {
        name: "URL",
        covers: "a web address or domain name",
        presidio: &["URL", "DOMAIN_NAME"],
        shape: Some(url_shaped),
    },
    EntityType {
        name: "USERNAME",
        covers: "a user name, login or @handle (the @ included)",
        presidio: &["USERNAME"],
        shape: None,
    },
    EntityType {
        name: "IP_ADDRESS",
        covers: "an IPv4 or IPv6 address",
        presidio: &["IP_ADDRESS"],
        shape: Some(ip_shaped),
    },
    EntityType {
        name: "CREDIT_CARD",
        covers: "a payment card number",
        presidio: &["CREDIT_CARD"],
        shape: Some(has_12_digits),
    },
    EntityType {
        name: "IBAN",
        covers: "an International Bank Account Number",
        presidio: &["IBAN_CODE", "IBAN"],
        shape: Some(has_6_digits),
    },
    EntityType {
        name: "BANK_ACCOUNT",
        covers: "a bank account number",
        presidio: &["US_BANK_NUMBER", "BANK_ACCOUNT"],
        shape: Some(has_6_digits),
    },
    EntityType {
        name: "ROUTING_NUMBER",
        covers: "a bank routing (ABA) or sort code",
        presidio: &["ABA_ROUTING_NUMBER", "ROUTING_NUMBER"],
        shape: Some(has_6_digits),
    },
    EntityType {
        name: "US_SSN",
        covers: "a US Social Security number",
        presidio: &["US_SSN"],
        shape: Some(has_6_digits),
    },
    EntityType {
        name: "PASSPORT",
        covers: "a passport number",
        presidio: &["US_PASSPORT", "PASSPORT"],
        shape: Some(has_digit),
    },
    EntityType {
        name: "DRIVERS_LICENSE",
        covers: "a driver's licence number",
        presidio: &["US_DRIVER_LICENSE", "DRIVERS_LICENSE"],
        shape: Some(has_digit),
    },
    EntityType {
        name: "TAX_ID",
        covers: "tax and national identification numbers (EIN, ITIN, VAT, NI number, Steuer-ID, NIF, codice fiscale)",
        presidio: &["US_ITIN", "TAX_ID", "GOVERNMENT_ID"],
        shape: Some(has_digit),
    },
    EntityType {
        name: "MEDICAL_CONDITION",
        covers: "a diagnosis, disease or health condition",
        presidio: &["MEDICAL_CONDITION"],
        shape: None,
    },
];

/// The table row of a canonical name (exact, upper-case).
pub fn entity_type(name: &str) -> Option<&'static EntityType> {
    ENTITY_TYPES.iter().find(|t| t.name == name)
}

/// A type name from another tool (Presidio, presidio-research data sets, CoNLL) in canonical
/// form; a name the table does not know is kept, upper-cased.
pub fn canonical_name(other: &str) -> String {
    let upper = other.trim().to_uppercase();
    ENTITY_TYPES
        .iter()
        .find(|t| t.name == upper || t.presidio.contains(&upper.as_str()))
        .map_or(upper, |t| t.name.to_string())
}

/// Whether a model span of this type has the shape its type requires (types without a fixed
/// syntax, and types outside the table, always pass).
pub fn shape_ok(type_name: &str, value: &str) -> bool {
    entity_type(type_name)
        .and_then(|t| t.shape)
        .is_none_or(|ok| ok(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_presidio_names_map() {
        for (i, t) in ENTITY_TYPES.iter().enumerate() {
            assert!(ENTITY_TYPES[i + 1..].iter().all(|u| u.name != t.name));
            assert_eq!(canonical_name(t.name), t.name);
        }
        for (theirs, ours) in [
            ("STREET_ADDRESS", "ADDRESS"),
            ("ZIP_CODE", "ADDRESS"),
            ("PHONE_NUMBER", "PHONE"),
            ("EMAIL_ADDRESS", "EMAIL"),
            ("IBAN_CODE", "IBAN"),
            ("GPE", "LOCATION"),
            ("DATE_TIME", "DATE"),
            ("DOMAIN_NAME", "URL"),
            ("US_DRIVER_LICENSE", "DRIVERS_LICENSE"),
            ("crypto", "CRYPTO"),
        ] {
            assert_eq!(canonical_name(theirs), ours, "{theirs}");
        }
    }

    #[test]
    fn shapes() {
        assert!(!shape_ok("EMAIL", "today"));
        assert!(shape_ok("EMAIL", "ada@example.com"));
        assert!(shape_ok("EMAIL", "ada (at) example (dot) com"));
        assert!(!shape_ok("CREDIT_CARD", "4111 1111"));
        assert!(shape_ok("CREDIT_CARD", "4111 1111 1111 1111"));
        assert!(shape_ok(
            "CREDIT_CARD",
            "４１１１ １１１１ １１１１ １１１１"
        ));
        assert!(shape_ok("PERSON", "anything"));
        assert!(shape_ok("TICKET_ID", "anything"));
        assert!(!shape_ok("URL", "hello"));
    }
}
