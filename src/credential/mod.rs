//! Signed credentials: W3C Verifiable Credentials 2.0 secured with Data
//! Integrity `eddsa-jcs-2022` proofs (W3C "Data Integrity EdDSA Cryptosuites
//! v1.0" §3.3), keys named by Ed25519 `did:key`.
//!
//! Files: `jcs` (RFC 8785 canonical JSON), `didkey` (Ed25519 did:key and its
//! verification method), `proof` (create/prepare/verify one proof), `batch`
//! (verify many proofs at once).
//!
//! Invariant: a credential verifies only if its single proof is an
//! `eddsa-jcs-2022` `DataIntegrityProof` for `assertionMethod`, made by the
//! Ed25519 key named in its did:key verification method, over the JCS bytes
//! of exactly this document (minus `proof`) and this proof configuration.
//! The module has no clock, randomness, files or network: time comes in as an
//! argument, and text is signed byte for byte, never Unicode-normalised.

pub mod batch;
pub mod didkey;
pub mod jcs;
pub mod proof;

pub use batch::verify_batch;
pub use didkey::{did_for, key_for_did, key_for_vm, vm_for, DidKeyError};
pub use jcs::JcsError;
pub use proof::{
    prepare, prepare_with, sign, verify, KeyMemo, Prepared, ProofError, Verified, CRYPTOSUITE,
};
