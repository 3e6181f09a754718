//! Verifying a bare award credential against this registry and a verifier's trust roots.
//!
//! A credential alone proves only who signed it. To know whether the signer had the right,
//! and whether the award still stands, the verifier needs the log: this looks the award up in
//! the registry, checks that the logged bytes are the same credential, that the log's latest
//! checkpoint is signed by a log key in the *verifier's* trust roots and includes the entry,
//! that the issuer's accreditation chain ends at one of the verifier's roots, and then the
//! status at the requested time. (A proof bundle carries all of this itself; see `bundle`.)

use jiff::Timestamp;

use super::Registry;
use crate::award::status_at;
use crate::credential;
use crate::error::Error;
use crate::policy::View;
use crate::statement::{self, Kind};
use crate::time::micros;
use crate::tlog;
use crate::trust::TrustRoots;
use crate::verify::{Checks, Verdict};

impl Registry {
    /// Verifies credential `bytes` against this registry, trusting only `trust`.
    pub fn verify_credential(
        &self,
        bytes: &[u8],
        trust: &TrustRoots,
        at: Timestamp,
    ) -> Result<Verdict, Error> {
        let mut c = Checks::default();
        let value: serde_json::Value = match serde_json::from_slice(bytes) {
            Ok(v) => v,
            Err(e) => return Ok(c.fail("json", format!("not a JSON document: {e}"))),
        };
        c.pass("json", "a JSON document");
        let verified = match credential::verify(&value) {
            Ok(v) => v,
            Err(e) => return Ok(c.fail("signature", e.to_string())),
        };
        c.pass(
            "signature",
            format!("eddsa-jcs-2022 signature by {}", verified.did),
        );
        let st = match statement::from_json(&value) {
            Ok(s) => s,
            Err(e) => return Ok(c.fail("award", e.to_string())),
        };
        if !matches!(st.kind, Kind::Award { .. }) {
            return Ok(c.fail(
                "award",
                format!("this is a {} statement, not an award", st.kind.type_name()),
            ));
        }
        if st.issuer_did != verified.did {
            return Ok(c.fail(
                "issuer",
                format!(
                    "issuer.id {} is not the signing key {}",
                    st.issuer_did, verified.did
                ),
            ));
        }
        c.pass(
            "award",
            format!(
                "award {} 「{}」",
                st.id,
                match &st.kind {
                    Kind::Award { title, .. } => title.as_str(),
                    _ => "",
                }
            ),
        );
        let store = self.store();
        let Some(award) = store
            .award(&st.id)
            .map_err(|e| Error::internal(e.to_string()))?
        else {
            return Ok(c.fail(
                "logged",
                format!("award {} is not in this registry's log", st.id),
            ));
        };
        let entry = self.entry(award.index)?;
        let logged: serde_json::Value = serde_json::from_slice(&entry.statement)
            .map_err(|e| Error::corrupt(format!("entry {}: {e}", award.index)))?;
        // The Open Badges export wraps the one proof in an array; that is the same credential.
        let same = credential::jcs::to_vec(&logged).ok()
            == credential::jcs::to_vec(&single_proof(&value)).ok();
        if !same {
            return Ok(c.fail(
                "logged",
                format!(
                    "the credential differs from the one logged at entry {} under the same id",
                    award.index
                ),
            ));
        }
        c.pass(
            "logged",
            format!(
                "logged at entry {} on {}",
                award.index,
                crate::time::format_utc_micros(entry.time)
            ),
        );
        // The checkpoint must be signed by a log key the verifier trusts, and include the entry.
        let verifiers = match trust.log_verifiers() {
            Ok(v) => v,
            Err(e) => return Ok(c.fail("checkpoint", e.to_string())),
        };
        let note = self.checkpoint()?;
        let (cp, _) = match tlog::open_checkpoint(&note, &verifiers) {
            Ok(x) => x,
            Err(e) => {
                return Ok(c.fail(
                    "checkpoint",
                    format!(
                    "the registry's checkpoint is not signed by a log key in the trust roots: {e}"
                ),
                ))
            }
        };
        c.pass(
            "checkpoint",
            format!("checkpoint of {} entries signed by {}", cp.size, cp.origin),
        );
        let proof = self.inclusion_proof(award.index, cp.size)?;
        if let Err(e) = tlog::verify_inclusion(
            award.index,
            cp.size,
            &tlog::leaf_hash(&self.store().entry(award.index)?.unwrap_or_default()),
            &proof,
            &cp.root,
        ) {
            return Ok(c.fail("inclusion", e.to_string()));
        }
        c.pass(
            "inclusion",
            format!(
                "entry {} is included in the checkpoint ({} proof hashes)",
                award.index,
                proof.len()
            ),
        );
        // The issuer chain must end at one of the verifier's roots.
        let mut chain = Vec::new();
        let mut cur = Some(award.issuer.clone());
        let mut root_ok = false;
        while let Some(id) = cur.take() {
            if chain.len() > 32 {
                break;
            }
            if let Some(r) = trust.root_by_id(&id) {
                chain.push(r.name.clone());
                root_ok = self
                    .trust_roots()
                    .root_by_id(&id)
                    .is_some_and(|mine| mine.did == r.did);
                break;
            }
            match store
                .authority(&id)
                .map_err(|e| Error::internal(e.to_string()))?
            {
                Some(a) => {
                    chain.push(a.name.clone());
                    cur = a.parent.or(a.predecessor);
                }
                None => break,
            }
        }
        if !root_ok {
            return Ok(c.fail(
                "chain",
                format!(
                    "the issuer chain {} does not end at a root in the trust roots",
                    chain.join(" ← ")
                ),
            ));
        }
        c.pass("chain", format!("accredited: {}", chain.join(" ← ")));
        let issuer = store
            .authority(&award.issuer)
            .map_err(|e| Error::internal(e.to_string()))?;
        let compromised = issuer
            .as_ref()
            .and_then(|a| a.key(&award.signer_did))
            .and_then(|k| k.compromised_at_us);
        let (status, reason) = status_at(&award, micros(at), compromised);
        c.pass("status", format!("{status}: {reason}"));
        let mut v = c.finish(status, reason);
        v.award_id = Some(award.id.clone());
        v.as_of_tree_size = Some(cp.size);
        Ok(v)
    }
}

/// `doc` with a one-element `proof` array replaced by its element (the Open Badges 3.0 export
/// form), so that it compares equal to the credential as logged.
fn single_proof(doc: &serde_json::Value) -> serde_json::Value {
    let mut doc = doc.clone();
    if let Some(serde_json::Value::Array(proofs)) = doc.get_mut("proof") {
        if proofs.len() == 1 {
            let proof = proofs.remove(0);
            doc["proof"] = proof;
        }
    }
    doc
}
