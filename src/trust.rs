//! Trust roots: the small TOML file that is all a verifier needs to trust.
//!
//! It names the root authorities (who may accredit others and define schemes without being
//! accredited themselves) and every key the registry's log has signed checkpoints with. Pure:
//! parsing and printing only; reading the file is the caller's business.
//!
//! ```toml
//! [[root]]
//! name = "国家卫生健康委员会"
//! id = "urn:uuid:…"          # the authority's stable id
//! did = "did:key:z6Mk…"      # its signing key
//!
//! [[log]]
//! vkey = "honors.example/registry+1a2b3c4d+A…"
//! valid_from = "2026-01-01"
//! ```

use serde::{Deserialize, Serialize};

/// The trust-roots file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("trust roots are not valid TOML: {reason}")]
    Toml { reason: String },
    #[error("trust root '{name}': {reason}")]
    Root { name: String, reason: String },
    #[error("log key '{vkey}' in the trust roots is not a valid note verifier key: {reason}")]
    LogKey { vkey: String, reason: String },
    #[error(
        "trust roots name no log key ([[log]] vkey = …): a verifier could not check any checkpoint"
    )]
    NoLogKey,
}

/// A root authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootEntry {
    pub name: String,
    pub id: String,
    pub did: String,
}

/// A log key and the window in which it signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntryKey {
    pub vkey: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
}

/// The parsed trust-roots file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustRoots {
    #[serde(default, rename = "root")]
    pub roots: Vec<RootEntry>,
    #[serde(default, rename = "log")]
    pub logs: Vec<LogEntryKey>,
}

impl TrustRoots {
    /// Parses and checks a trust-roots file's text.
    pub fn parse(text: &str) -> Result<Self, TrustError> {
        let roots: TrustRoots = toml::from_str(text).map_err(|e| TrustError::Toml {
            reason: e.to_string(),
        })?;
        for root in &roots.roots {
            crate::credential::didkey::key_for_did(&root.did).map_err(|e| TrustError::Root {
                name: root.name.clone(),
                reason: e.to_string(),
            })?;
            crate::statement::check_urn_uuid(&root.id).map_err(|_| TrustError::Root {
                name: root.name.clone(),
                reason: format!("id '{}' is not urn:uuid:<uuid>", root.id),
            })?;
        }
        for log in &roots.logs {
            crate::tlog::NoteVerifier::from_vkey(&log.vkey).map_err(|e| TrustError::LogKey {
                vkey: log.vkey.clone(),
                reason: e.to_string(),
            })?;
        }
        Ok(roots)
    }

    /// The TOML text of this file, with a comment saying what it is.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string_pretty(self).unwrap_or_default();
        format!(
            "# honors trust roots: the root authorities and the registry's log keys.\n\
             # A verifier trusts exactly what is listed here. See keys/README.md.\n\n{body}"
        )
    }

    /// The root whose key is `did`.
    pub fn root_by_did(&self, did: &str) -> Option<&RootEntry> {
        self.roots.iter().find(|r| r.did == did)
    }

    /// The root with authority id `id`.
    pub fn root_by_id(&self, id: &str) -> Option<&RootEntry> {
        self.roots.iter().find(|r| r.id == id)
    }

    /// Note verifiers for every log key listed.
    pub fn log_verifiers(&self) -> Result<Vec<crate::tlog::NoteVerifier>, TrustError> {
        if self.logs.is_empty() {
            return Err(TrustError::NoLogKey);
        }
        self.logs
            .iter()
            .map(|l| {
                crate::tlog::NoteVerifier::from_vkey(&l.vkey).map_err(|e| TrustError::LogKey {
                    vkey: l.vkey.clone(),
                    reason: e.to_string(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_file_parses_and_bad_entries_are_named() {
        let t = TrustRoots::parse(include_str!("../keys/trust-roots.example.toml")).unwrap();
        assert_eq!(t.roots.len(), 2);
        assert_eq!(t.log_verifiers().unwrap().len(), 1);
        assert!(t.root_by_did(&t.roots[0].did).is_some());
        let bad = "[[root]]\nname = \"X\"\nid = \"urn:uuid:0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a01\"\ndid = \"did:key:zBAD\"\n";
        let err = TrustRoots::parse(bad).unwrap_err().to_string();
        assert!(err.contains("'X'"), "{err}");
        assert!(matches!(
            TrustRoots::parse("").unwrap().log_verifiers(),
            Err(TrustError::NoLogKey)
        ));
        assert!(TrustRoots::parse("[[log]]\nvkey = \"nope\"\n").is_err());
    }
}
