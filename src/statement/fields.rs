//! Reading typed fields out of a statement's JSON, with errors that name the field.
//!
//! Statements are parsed, not validated: each getter either returns the typed value or a
//! [`StatementError`] that says which field was missing or wrong and what it should be.

use serde_json::{Map, Value};

use super::StatementError;

/// How `did:key` fields are checked.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Dids<'a> {
    /// Every did:key is decoded to a checked Ed25519 key.
    Decode,
    /// As `Decode`, except a did equal to this one, which the caller has already decoded and
    /// checked (the proof's verification method): equal text, same verdict.
    Known(&'a str),
}

/// A JSON object with the path that led to it, for error messages.
pub(super) struct Obj<'a> {
    pub map: &'a Map<String, Value>,
    pub path: String,
    pub dids: Dids<'a>,
}

impl<'a> Obj<'a> {
    pub fn root(value: &'a Value, dids: Dids<'a>) -> Result<Self, StatementError> {
        match value {
            Value::Object(map) => Ok(Obj {
                map,
                path: String::new(),
                dids,
            }),
            _ => Err(StatementError::NotAnObject {
                field: "(document)".into(),
            }),
        }
    }

    fn name(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{}", self.path, key)
        }
    }

    pub fn opt(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub fn obj(&self, key: &str) -> Result<Obj<'a>, StatementError> {
        match self.opt(key) {
            Some(Value::Object(map)) => Ok(Obj {
                map,
                path: self.name(key),
                dids: self.dids,
            }),
            Some(_) => Err(StatementError::NotAnObject {
                field: self.name(key),
            }),
            None => Err(StatementError::Missing {
                field: self.name(key),
            }),
        }
    }

    pub fn str(&self, key: &str) -> Result<&'a str, StatementError> {
        match self.opt(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
            Some(Value::String(_)) => Err(StatementError::Empty {
                field: self.name(key),
            }),
            Some(_) => Err(StatementError::WrongType {
                field: self.name(key),
                expected: "a string",
            }),
            None => Err(StatementError::Missing {
                field: self.name(key),
            }),
        }
    }

    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>, StatementError> {
        match self.opt(key) {
            None => Ok(None),
            Some(_) => self.str(key).map(Some),
        }
    }

    pub fn bool_or(&self, key: &str, default: bool) -> Result<bool, StatementError> {
        match self.opt(key) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(StatementError::WrongType {
                field: self.name(key),
                expected: "true or false",
            }),
        }
    }

    pub fn opt_u32(&self, key: &str) -> Result<Option<u32>, StatementError> {
        match self.opt(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .map(Some)
                .ok_or_else(|| StatementError::WrongType {
                    field: self.name(key),
                    expected: "a whole number",
                }),
            Some(_) => Err(StatementError::WrongType {
                field: self.name(key),
                expected: "a whole number",
            }),
        }
    }

    pub fn str_list(&self, key: &str) -> Result<Vec<String>, StatementError> {
        match self.opt(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    _ => Err(StatementError::WrongType {
                        field: self.name(key),
                        expected: "a list of strings",
                    }),
                })
                .collect(),
            Some(_) => Err(StatementError::WrongType {
                field: self.name(key),
                expected: "a list of strings",
            }),
        }
    }

    /// The first object of an array field (or the field itself if it is an object).
    pub fn first_obj(&self, key: &str) -> Result<Obj<'a>, StatementError> {
        match self.opt(key) {
            Some(Value::Array(items)) => match items.first() {
                Some(Value::Object(map)) => Ok(Obj {
                    map,
                    path: format!("{}[0]", self.name(key)),
                    dids: self.dids,
                }),
                _ => Err(StatementError::WrongType {
                    field: self.name(key),
                    expected: "a list of objects",
                }),
            },
            Some(Value::Object(map)) => Ok(Obj {
                map,
                path: self.name(key),
                dids: self.dids,
            }),
            Some(_) => Err(StatementError::WrongType {
                field: self.name(key),
                expected: "a list of objects",
            }),
            None => Err(StatementError::Missing {
                field: self.name(key),
            }),
        }
    }

    pub fn time(&self, key: &str) -> Result<jiff::Timestamp, StatementError> {
        let s = self.str(key)?;
        crate::time::parse_datetime(s).map_err(|e| StatementError::Time {
            field: self.name(key),
            source: e,
        })
    }

    pub fn opt_time(&self, key: &str) -> Result<Option<jiff::Timestamp>, StatementError> {
        match self.opt(key) {
            None => Ok(None),
            Some(_) => self.time(key).map(Some),
        }
    }

    /// An `urn:uuid:` identifier.
    pub fn urn_uuid(&self, key: &str) -> Result<String, StatementError> {
        let s = self.str(key)?;
        check_urn_uuid(s).map_err(|_| StatementError::BadId {
            field: self.name(key),
            found: s.to_string(),
        })?;
        Ok(s.to_string())
    }

    pub fn opt_urn_uuid(&self, key: &str) -> Result<Option<String>, StatementError> {
        match self.opt(key) {
            None => Ok(None),
            Some(_) => self.urn_uuid(key).map(Some),
        }
    }

    pub fn did(&self, key: &str) -> Result<String, StatementError> {
        let s = self.str(key)?;
        let checked = match self.dids {
            Dids::Known(known) => s == known,
            Dids::Decode => false,
        };
        if !checked {
            crate::credential::didkey::key_for_did(s).map_err(|e| StatementError::BadDid {
                field: self.name(key),
                reason: e.to_string(),
            })?;
        }
        Ok(s.to_string())
    }

    pub fn uscc(&self, key: &str) -> Result<crate::id::Uscc, StatementError> {
        let s = self.str(key)?;
        s.parse()
            .map_err(|e: crate::id::UsccError| StatementError::BadUscc {
                field: self.name(key),
                reason: e.to_string(),
            })
    }
}

/// Checks that `s` is `urn:uuid:` followed by a canonical lowercase UUID.
pub fn check_urn_uuid(s: &str) -> Result<uuid::Uuid, ()> {
    let rest = s.strip_prefix("urn:uuid:").ok_or(())?;
    let u = uuid::Uuid::parse_str(rest).map_err(|_| ())?;
    if u.hyphenated().to_string() != rest {
        return Err(());
    }
    Ok(u)
}
