//! Which detector found a span. On the wire (JSON, JS) a detector is a string: `model`,
//! `pattern:EMAIL` (any [`PatternKind`] name), `custom:NAME`, `deny_list` or `caller`.

use super::patterns::PatternKind;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Detector {
    /// A token classifier's entity.
    Model,
    /// A built-in pattern detector.
    Pattern(PatternKind),
    /// A caller's regex, by its name.
    Custom(String),
    /// A deny-list term.
    DenyList,
    /// A span the caller supplied with the text.
    Caller,
}

impl Detector {
    /// Pattern-side detectors (everything but the model) win ties against the model.
    pub fn is_model(&self) -> bool {
        matches!(self, Detector::Model)
    }

    /// Built-in pattern matches are whole values by construction, so they never merge with a
    /// neighbour (two phone numbers stay two).
    pub fn matches_whole_values(&self) -> bool {
        matches!(self, Detector::Pattern(_))
    }
}

impl fmt::Display for Detector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Detector::Model => f.write_str("model"),
            Detector::Pattern(kind) => write!(f, "pattern:{}", kind.name()),
            Detector::Custom(name) => write!(f, "custom:{name}"),
            Detector::DenyList => f.write_str("deny_list"),
            Detector::Caller => f.write_str("caller"),
        }
    }
}

impl std::str::FromStr for Detector {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        Ok(match s {
            "model" => Detector::Model,
            "deny_list" => Detector::DenyList,
            "caller" => Detector::Caller,
            _ => match s.split_once(':') {
                Some(("pattern", kind)) => Detector::Pattern(kind.parse()?),
                Some(("custom", name)) => Detector::Custom(name.to_string()),
                _ => {
                    return Err(crate::Error::InvalidOption(format!(
                    "unknown detector `{s}` (model, pattern:KIND, custom:NAME, deny_list, caller)"
                )))
                }
            },
        })
    }
}

impl Serialize for Detector {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Detector {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_strings_round_trip() {
        for d in [
            Detector::Model,
            Detector::Pattern(PatternKind::CreditCard),
            Detector::Custom("ticket".into()),
            Detector::DenyList,
            Detector::Caller,
        ] {
            let wire = d.to_string();
            assert_eq!(wire.parse::<Detector>().unwrap(), d, "{wire}");
        }
        assert_eq!(
            Detector::Pattern(PatternKind::CreditCard).to_string(),
            "pattern:CREDIT_CARD"
        );
        assert_eq!(
            "pattern:NOPE".parse::<Detector>().unwrap_err().code(),
            "invalid_option"
        );
        assert!("regex:x".parse::<Detector>().is_err());
    }
}
