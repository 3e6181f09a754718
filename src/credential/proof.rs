//! Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite (W3C "Data
//! Integrity EdDSA Cryptosuites v1.0" §3.3, REC 2025-05-15; W3C "Verifiable
//! Credential Data Integrity 1.0" §4 "Algorithms").
//!
//! Signed message: hashData = SHA-256(JCS(proofConfig)) ‖ SHA-256(JCS(document
//! without `proof`)), proof-config hash first, signed with pure Ed25519
//! (RFC 8032). proofConfig is the proof minus `proofValue`, carrying the
//! document's `@context` when it has one.
//!
//! Invariant: [`prepare`] returns only after every check except the Ed25519
//! equation has passed (exactly one proof, type, cryptosuite, `created`,
//! `proofPurpose`, did:key verification method, proofValue shape, @context
//! prefix rule), and its `message` is exactly the 64 bytes the signer signed.
//! No clock, randomness or I/O: `created` is passed in by the caller.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::didkey::{self, DidKeyError};
use super::jcs::{self, JcsError};

/// The only cryptosuite this module signs and accepts.
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";
/// The only proof type this module signs and accepts.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// The only proof purpose this module signs and accepts (credentials).
pub const PROOF_PURPOSE: &str = "assertionMethod";

/// Why a proof could not be created or does not verify.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ProofError {
    /// The document to sign or verify is not a JSON object.
    #[error("the document must be a JSON object, found {found}")]
    DocumentNotObject { found: &'static str },
    /// `sign` was given a document that already has a `proof`.
    #[error("the document to sign already has a \"proof\"; sign the unsecured document")]
    DocumentAlreadyHasProof,
    /// The secured document has no `proof`.
    #[error("the document has no \"proof\"")]
    MissingProof,
    /// The `proof` array does not hold exactly one proof.
    #[error("expected exactly one proof, found {count}")]
    WrongProofCount { count: usize },
    /// The proof is not a JSON object.
    #[error("the proof must be a JSON object, found {found}")]
    ProofNotObject { found: &'static str },
    /// A required proof field is absent.
    #[error("the proof has no \"{field}\"")]
    MissingField { field: &'static str },
    /// A proof field that must be a string is not one.
    #[error("the proof's \"{field}\" must be a string, found {found}")]
    FieldNotString {
        field: &'static str,
        found: &'static str,
    },
    /// `type` is not `DataIntegrityProof`.
    #[error("unsupported proof type {found:?}, expected \"DataIntegrityProof\"")]
    UnsupportedProofType { found: String },
    /// `cryptosuite` is not `eddsa-jcs-2022`.
    #[error("unsupported cryptosuite {found:?}, expected \"eddsa-jcs-2022\"")]
    UnsupportedCryptosuite { found: String },
    /// `created` is not an XML Schema dateTimeStamp.
    #[error("proof \"created\" {found:?} is not an XML Schema dateTimeStamp: {reason}")]
    InvalidCreated { found: String, reason: String },
    /// `proofPurpose` is not `assertionMethod`.
    #[error("proof purpose {found:?} is not \"assertionMethod\"")]
    WrongProofPurpose { found: String },
    /// `verificationMethod` is not an acceptable Ed25519 did:key VM.
    #[error("verification method {verification_method:?} is not usable: {source}")]
    BadVerificationMethod {
        verification_method: String,
        source: DidKeyError,
    },
    /// `proofValue` is not `z` + base58btc of 64 bytes.
    #[error("malformed proofValue: {reason}")]
    MalformedProofValue { reason: String },
    /// The document's `@context` does not start with the proof's `@context`.
    #[error("document @context {document} does not start with the proof @context {proof}")]
    ContextPrefixMismatch { document: String, proof: String },
    /// The document or proof could not be canonicalized.
    #[error("canonicalization failed: {0}")]
    Canonicalization(#[from] JcsError),
    /// The verifying key has small order (checked again in batch verification).
    #[error("verification method {verification_method:?} has a weak (small-order) key")]
    WeakKey { verification_method: String },
    /// The Ed25519 signature does not verify.
    #[error("the signature does not verify under {verification_method:?}")]
    BadSignature { verification_method: String },
}

/// What a verified (or prepared) proof says about who signed and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The signer's `did:key:z6Mk…`.
    pub did: String,
    /// The signer's public key, decoded from `did`.
    pub key: VerifyingKey,
    /// The proof's `verificationMethod` (`did#fragment`).
    pub verification_method: String,
    /// The proof's `created`, exactly as written.
    pub created: String,
    /// The proof's `proofPurpose` (always `assertionMethod`).
    pub proof_purpose: String,
}

/// A proof that passed every check but the Ed25519 equation.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Who signed, when, and why.
    pub claims: Verified,
    /// hashData = SHA-256(JCS(proofConfig)) ‖ SHA-256(JCS(unsecured document)).
    pub message: [u8; 64],
    /// The decoded `proofValue`.
    pub signature: Signature,
}

/// Adds an `eddsa-jcs-2022` `DataIntegrityProof` to `unsecured`, which must be
/// a JSON object without `proof`. `created` must be an XML dateTimeStamp
/// (e.g. `2024-05-01T08:00:00Z`); it is written exactly as given.
pub fn sign(unsecured: &Value, key: &SigningKey, created: &str) -> Result<Value, ProofError> {
    let doc = as_object(unsecured).ok_or(ProofError::DocumentNotObject {
        found: kind(unsecured),
    })?;
    if doc.contains_key("proof") {
        return Err(ProofError::DocumentAlreadyHasProof);
    }
    check_created(created)?;
    let mut proof = Map::new();
    proof.insert("type".into(), PROOF_TYPE.into());
    proof.insert("cryptosuite".into(), CRYPTOSUITE.into());
    proof.insert("created".into(), created.into());
    proof.insert(
        "verificationMethod".into(),
        didkey::vm_for(&key.verifying_key()).into(),
    );
    proof.insert("proofPurpose".into(), PROOF_PURPOSE.into());
    if let Some(context) = doc.get("@context") {
        proof.insert("@context".into(), context.clone());
    }
    let mut proof = Value::Object(proof);
    let message = hash_data(&proof, unsecured)?;
    let signature = key.sign(&message);
    let proof_value = format!("z{}", bs58::encode(signature.to_bytes()).into_string());
    if let Value::Object(map) = &mut proof {
        map.insert("proofValue".into(), proof_value.into());
    }
    let mut secured = doc.clone();
    secured.insert("proof".into(), proof);
    Ok(Value::Object(secured))
}

/// Verification methods already decoded and checked, for preparing several proofs whose
/// signers repeat (the entries of one bundle, a run of log entries, the bundles a
/// [`crate::verify::BundleVerifier`] checks): a verification method is decoded once (a point
/// decompression, a square root in the field). The memo is keyed by the exact
/// verification-method string and decoding is a pure function of it, so a remembered key is
/// the key decoding would give. Only successful decodings are remembered, so an unusable one
/// gives its error every time. Memory is bounded: past [`KeyMemo::MAX`] keys the memo starts
/// again empty.
#[derive(Debug, Default, Clone)]
pub struct KeyMemo {
    known: std::collections::HashMap<String, (String, VerifyingKey)>,
}

impl KeyMemo {
    /// The most keys remembered (a registry has hundreds of signers, not thousands).
    pub const MAX: usize = 10_000;

    fn key_for_vm(&mut self, vm: &str) -> Result<(String, VerifyingKey), DidKeyError> {
        if let Some((did, key)) = self.known.get(vm) {
            return Ok((did.clone(), *key));
        }
        let (did, key) = didkey::key_for_vm(vm)?;
        if self.known.len() >= Self::MAX {
            self.known.clear();
        }
        self.known.insert(vm.to_owned(), (did.clone(), key));
        Ok((did, key))
    }

    /// How many verification methods are remembered.
    pub fn len(&self) -> usize {
        self.known.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }

    /// Forgets every remembered key.
    pub fn clear(&mut self) {
        self.known.clear();
    }
}

/// Runs every check except the Ed25519 equation and computes the signed message.
pub fn prepare(secured: &Value) -> Result<Prepared, ProofError> {
    prepare_with(secured, &mut KeyMemo::default())
}

/// [`prepare`], taking already decoded verification methods from `keys` (and adding to it).
pub fn prepare_with(secured: &Value, keys: &mut KeyMemo) -> Result<Prepared, ProofError> {
    let doc = as_object(secured).ok_or(ProofError::DocumentNotObject {
        found: kind(secured),
    })?;
    let proof = match doc.get("proof") {
        None => return Err(ProofError::MissingProof),
        Some(Value::Array(proofs)) if proofs.len() != 1 => {
            return Err(ProofError::WrongProofCount {
                count: proofs.len(),
            })
        }
        Some(Value::Array(proofs)) => &proofs[0],
        Some(other) => other,
    };
    let proof = as_object(proof).ok_or(ProofError::ProofNotObject { found: kind(proof) })?;

    let proof_type = string_field(proof, "type")?;
    if proof_type != PROOF_TYPE {
        return Err(ProofError::UnsupportedProofType {
            found: proof_type.to_owned(),
        });
    }
    let suite = string_field(proof, "cryptosuite")?;
    if suite != CRYPTOSUITE {
        return Err(ProofError::UnsupportedCryptosuite {
            found: suite.to_owned(),
        });
    }
    let created = string_field(proof, "created")?;
    check_created(created)?;
    let purpose = string_field(proof, "proofPurpose")?;
    if purpose != PROOF_PURPOSE {
        return Err(ProofError::WrongProofPurpose {
            found: purpose.to_owned(),
        });
    }
    let vm = string_field(proof, "verificationMethod")?;
    let (did, key) = keys
        .key_for_vm(vm)
        .map_err(|source| ProofError::BadVerificationMethod {
            verification_method: vm.to_owned(),
            source,
        })?;
    let signature = decode_proof_value(string_field(proof, "proofValue")?)?;

    // Unsecured document = secured minus `proof`; proof config = proof minus `proofValue`
    // (canonicalized as such, without copying either).
    let proof_context = proof.get("@context");
    if let Some(proof_context) = proof_context {
        check_context_prefix(doc.get("@context"), proof_context)?;
    }
    let config = jcs::object_to_vec_with(proof, "proofValue", None)?;
    // Verify Proof step: the document is hashed with the proof's @context (which the document
    // has, as the prefix check above requires).
    let document = jcs::object_to_vec_with(doc, "proof", proof_context.map(|c| ("@context", c)))?;
    let mut message = [0u8; 64];
    message[..32].copy_from_slice(&Sha256::digest(&config));
    message[32..].copy_from_slice(&Sha256::digest(&document));
    Ok(Prepared {
        claims: Verified {
            did,
            key,
            verification_method: vm.to_owned(),
            created: created.to_owned(),
            proof_purpose: purpose.to_owned(),
        },
        message,
        signature,
    })
}

/// [`prepare`], then Ed25519 `verify_strict` (rejects small-order R and keys,
/// non-canonical S).
pub fn verify(secured: &Value) -> Result<Verified, ProofError> {
    let prepared = prepare(secured)?;
    prepared.verify()?;
    Ok(prepared.claims)
}

impl Prepared {
    /// The Ed25519 check alone (`verify_strict`).
    pub fn verify(&self) -> Result<(), ProofError> {
        self.claims
            .key
            .verify_strict(&self.message, &self.signature)
            .map_err(|_| ProofError::BadSignature {
                verification_method: self.claims.verification_method.clone(),
            })
    }
}

/// The 64-byte message: SHA-256(JCS(proof config)) ‖ SHA-256(JCS(document)).
pub fn hash_data(proof_config: &Value, unsecured: &Value) -> Result<[u8; 64], ProofError> {
    let config = jcs::to_vec(proof_config)?;
    let document = jcs::to_vec(unsecured)?;
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&Sha256::digest(&config));
    out[32..].copy_from_slice(&Sha256::digest(&document));
    Ok(out)
}

/// Checks that `created` is an XML Schema `dateTimeStamp`:
/// `YYYY-MM-DDThh:mm:ss[.f+](Z|±hh:mm)`, with a real calendar date and time.
pub fn check_created(created: &str) -> Result<(), ProofError> {
    let bad = |reason: &str| ProofError::InvalidCreated {
        found: created.to_owned(),
        reason: reason.to_owned(),
    };
    let b = created.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let shape = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape {
        return Err(bad("expected YYYY-MM-DDThh:mm:ss"));
    }
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return Err(bad("empty fractional seconds"));
        }
        rest = &frac[n..];
    }
    let zone_ok = rest == b"Z"
        || (rest.len() == 6
            && (rest[0] == b'+' || rest[0] == b'-')
            && rest[1..3].iter().all(u8::is_ascii_digit)
            && rest[3] == b':'
            && rest[4..6].iter().all(u8::is_ascii_digit));
    if !zone_ok {
        return Err(bad("a time zone ('Z' or ±hh:mm) is required"));
    }
    created
        .parse::<jiff::Timestamp>()
        .map(|_| ())
        .map_err(|e| bad(&e.to_string()))
}

fn decode_proof_value(value: &str) -> Result<Signature, ProofError> {
    let bad = |reason: String| ProofError::MalformedProofValue { reason };
    let Some(b58) = value.strip_prefix('z') else {
        return Err(bad(format!(
            "{value:?} does not start with 'z' (multibase base58btc)"
        )));
    };
    let bytes = bs58::decode(b58)
        .into_vec()
        .map_err(|e| bad(format!("not base58btc: {e}")))?;
    let bytes: [u8; 64] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| bad(format!("signature is {} bytes, expected 64", bytes.len())))?;
    Ok(Signature::from_bytes(&bytes))
}

/// vc-di-eddsa Verify Proof (jcs) step: the document's `@context` must start
/// with every entry of the proof's `@context`, in order.
fn check_context_prefix(document: Option<&Value>, proof: &Value) -> Result<(), ProofError> {
    fn entries(v: &Value) -> &[Value] {
        match v {
            Value::Array(items) => items,
            other => std::slice::from_ref(other),
        }
    }
    let proof_entries = entries(proof);
    let ok = document.is_some_and(|d| entries(d).starts_with(proof_entries));
    if ok {
        Ok(())
    } else {
        Err(ProofError::ContextPrefixMismatch {
            document: document.map_or_else(|| "(absent)".to_owned(), Value::to_string),
            proof: proof.to_string(),
        })
    }
}

fn as_object(v: &Value) -> Option<&Map<String, Value>> {
    v.as_object()
}

fn string_field<'a>(
    proof: &'a Map<String, Value>,
    field: &'static str,
) -> Result<&'a str, ProofError> {
    match proof.get(field) {
        None => Err(ProofError::MissingField { field }),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(ProofError::FieldNotString {
            field,
            found: kind(other),
        }),
    }
}

/// The JSON type name of `v`, for error messages.
pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::verify_batch;
    use serde_json::json;

    fn signed(key: &SigningKey, name: &str) -> Value {
        let doc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "credentialSubject": {"name": name},
        });
        sign(&doc, key, "2026-01-01T00:00:00Z").unwrap()
    }

    /// A remembered key saves its decoding only: statements of a signer the memo knows are
    /// still checked against their own bytes and signature, and a memo shared by several
    /// signers gives each its own key.
    #[test]
    fn a_shared_key_memo_skips_decoding_only() {
        let (a, b) = (
            SigningKey::from_bytes(&[7; 32]),
            SigningKey::from_bytes(&[9; 32]),
        );
        let mut memo = KeyMemo::default();
        let good = [signed(&a, "甲"), signed(&b, "乙"), signed(&a, "丙")];
        let prepared: Vec<Prepared> = good
            .iter()
            .map(|d| prepare_with(d, &mut memo).unwrap())
            .collect();
        assert_eq!(memo.len(), 2, "one entry per verification method");
        assert_eq!(prepared[0].claims.key, a.verifying_key());
        assert_eq!(prepared[1].claims.key, b.verifying_key());
        assert_eq!(prepared[2].claims.key, a.verifying_key());
        assert!(verify_batch(&prepared).iter().all(Result::is_ok));

        // Now that both keys are remembered: an edited document, another signature value and a
        // signature of the other key under this key's verification method all fail.
        let mut edited = good[0].clone();
        edited["credentialSubject"]["name"] = json!("丁");
        let mut resigned = good[0].clone();
        resigned["proof"]["proofValue"] = good[2]["proof"]["proofValue"].clone();
        let mut wrong_key = signed(&b, "甲");
        wrong_key["proof"]["verificationMethod"] = good[0]["proof"]["verificationMethod"].clone();
        let bad: Vec<Prepared> = [edited, resigned, wrong_key]
            .iter()
            .map(|d| prepare_with(d, &mut memo).unwrap())
            .collect();
        assert_eq!(memo.len(), 2);
        for (i, r) in verify_batch(&bad).into_iter().enumerate() {
            assert!(r.is_err(), "forgery {i} passed with a remembered key");
        }
        // Mixed with good ones in one batch, each gets its own answer.
        let mixed = [prepared[0].clone(), bad[1].clone(), prepared[1].clone()];
        let got: Vec<bool> = verify_batch(&mixed).iter().map(Result::is_ok).collect();
        assert_eq!(got, [true, false, true]);
    }
}
