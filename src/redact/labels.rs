//! Model labels to canonical entity types, so that model spans, pattern matches and operators
//! agree on one name per kind of personal data.

/// Canonical type of a model label, or `None` for labels that are not personal data.
///
/// A `B-` / `I-` prefix is stripped and case ignored. The Rampart PII label set maps as:
/// `GIVEN_NAME`, `SURNAME` → `PERSON`; `BUILDING_NUMBER`, `STREET_NAME`, `SECONDARY_ADDRESS`,
/// `CITY`, `STATE`, `ZIP_CODE` → `ADDRESS` (the parts of one address then merge, see the module
/// docs); `EMAIL`, `PHONE`, `URL`, `TAX_ID`, `BANK_ACCOUNT`, `ROUTING_NUMBER`, `GOVERNMENT_ID`,
/// `PASSPORT`, `DRIVERS_LICENSE` keep their names; `GOVERNMENT_ID` → `TAX_ID` (national ids).
/// CoNLL labels: `PER` → `PERSON`, `LOC` → `LOCATION`, `ORG` → `ORGANIZATION`, `MISC` → `None`.
/// `O` (outside) → `None`. Other names go through the type table's aliases
/// ([`canonical_name`](super::canonical_name): Presidio's `EMAIL_ADDRESS` → `EMAIL`, …); a label
/// it does not know is its own type, upper-cased.
pub fn canonical_type(model_label: &str) -> Option<String> {
    let bare = bare_label(model_label);
    let canonical = match bare.as_str() {
        "" | "O" | "MISC" => return None,
        "GIVEN_NAME" | "SURNAME" | "PER" => "PERSON",
        "BUILDING_NUMBER" | "STREET_NAME" | "SECONDARY_ADDRESS" | "CITY" | "STATE" | "ZIP_CODE" => {
            "ADDRESS"
        }
        "GOVERNMENT_ID" => "TAX_ID",
        _ => return Some(super::types::canonical_name(&bare)),
    };
    Some(canonical.to_string())
}

/// A label upper-cased, without surrounding whitespace and without its `B-` / `I-` prefix.
pub(super) fn bare_label(label: &str) -> String {
    let upper = label.trim().to_uppercase();
    match upper
        .strip_prefix("B-")
        .or_else(|| upper.strip_prefix("I-"))
    {
        Some(bare) => bare.to_string(),
        None => upper,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rampart_and_conll_labels() {
        let cases = [
            ("B-GIVEN_NAME", Some("PERSON")),
            ("I-SURNAME", Some("PERSON")),
            ("STREET_NAME", Some("ADDRESS")),
            ("B-ZIP_CODE", Some("ADDRESS")),
            ("I-SECONDARY_ADDRESS", Some("ADDRESS")),
            ("B-EMAIL", Some("EMAIL")),
            ("PHONE", Some("PHONE")),
            ("B-DRIVERS_LICENSE", Some("DRIVERS_LICENSE")),
            ("TAX_ID", Some("TAX_ID")),
            ("B-PER", Some("PERSON")),
            ("I-LOC", Some("LOCATION")),
            ("ORG", Some("ORGANIZATION")),
            ("B-MISC", None),
            ("O", None),
            ("", None),
            ("b-crypto_wallet", Some("CRYPTO_WALLET")),
            ("B-GOVERNMENT_ID", Some("TAX_ID")),
            ("I-EMAIL_ADDRESS", Some("EMAIL")),
            ("B-DATE_OF_BIRTH", Some("DATE_OF_BIRTH")),
            ("PERSON", Some("PERSON")),
        ];
        for (label, expected) in cases {
            assert_eq!(canonical_type(label).as_deref(), expected, "{label}");
        }
    }
}
