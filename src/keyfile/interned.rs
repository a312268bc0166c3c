//! Strings that many of the key's entries repeat (a category, the moment an import gave them,
//! a participant's code), held once and shared. A key of 300,000 entries held three small
//! strings of its own per entry: about a fifth of the key's memory (docs/PERFORMANCE.md).

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A shared string: compares, prints and is written as the text it holds. One pointer wide
/// (the text's own length is behind it): a key entry holds three.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Interned(Arc<Box<str>>);

/// Every text interned in this process. It holds the distinct values only: some categories,
/// one moment per import or correction, the participants' codes.
static TABLE: Mutex<BTreeSet<Interned>> = Mutex::new(BTreeSet::new());

impl Interned {
    /// The shared copy of `text`.
    pub fn new(text: &str) -> Interned {
        let mut table = TABLE.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(found) = table.get(text) {
            return found.clone();
        }
        let shared = Interned(Arc::new(Box::from(text)));
        table.insert(shared.clone());
        shared
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Interned {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

/// Looked up in the table by its text.
impl std::borrow::Borrow<str> for Interned {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Interned {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Interned {
    fn from(text: &str) -> Interned {
        Interned::new(text)
    }
}

impl From<String> for Interned {
    fn from(text: String) -> Interned {
        Interned::new(&text)
    }
}

impl From<&Interned> for String {
    fn from(text: &Interned) -> String {
        text.as_str().to_owned()
    }
}

impl PartialEq<str> for Interned {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Interned {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Interned {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Display for Interned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Interned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for Interned {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Interned {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Interned, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(Interned::new(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::Interned;

    #[test]
    fn equal_texts_share_one_copy_and_read_as_the_text() {
        let a = Interned::new("PERSON");
        let b = Interned::from(String::from("PERSON"));
        assert!(std::sync::Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(a, "PERSON");
        assert_eq!(a.to_string(), "PERSON");
        assert_ne!(Interned::new("PLACE"), a);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, "\"PERSON\"");
        let back: Interned = serde_json::from_str(&json).unwrap();
        assert!(std::sync::Arc::ptr_eq(&a.0, &back.0));
    }
}
