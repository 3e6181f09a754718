//! # honors: a registry of signed honors with a tamper-evident audit trail
//!
//! Commissions (authorities) sign awards to hospitals (holders, identified by their
//! 统一社会信用代码) as W3C Verifiable Credentials with `eddsa-jcs-2022` proofs. Every signed
//! statement (accreditation, scheme, holder, award, status change, key event) is checked
//! against policy and appended to a Merkle-tree transparency log (RFC 6962 hashing, C2SP
//! signed-note checkpoints, tlog-tiles), stored in sled. Anyone can verify a single award
//! offline, or replay the whole log and check that nothing was altered, back-dated, removed
//! or issued by someone without the right.
//!
//! ## Module map (see `docs/ARCHITECTURE.md`)
//! Pure core (no files, clock, randomness, sled, clap or HTTP; time is an argument):
//! - [`id`]: 统一社会信用代码 (GB 32100-2015); [`text`]: search keys (繁→简);
//! - [`time`]: instants and the date forms credentials use;
//! - [`credential`]: JCS (RFC 8785), did:key, `eddsa-jcs-2022` sign/verify;
//! - [`statement`]: the signed JSON statements and their typed parse;
//! - [`authority`], [`award`]: records and status words; [`trust`]: trust roots;
//! - [`policy`]: may this signer say this here? [`state`]: state in memory;
//! - [`entry`]: log entries; [`tlog`]: Merkle tree, proofs, signed notes, checkpoints, tiles;
//! - [`bundle`]: proof bundles; [`compact`]: the compact code (QR); [`verify`]: verdicts,
//!   offline bundle verification.
//! - [`qr`], [`certificate`]: QR images and the printable certificate (pure renderers).
//! - [`verify`]: verdicts; [`status`]: W3C Bitstring Status Lists (award `credentialStatus`,
//!   list encoding).
//!
//! State: [`store`] (the only module that names sled; `store::codec` the only one that names
//! bincode), [`keyfile`] (encrypted key files), [`registry`] (one function per use case).
//!
//! Edges: [`cli`] (clap), [`server`] (axum: the HTTP API and the log's tiles),
//! [`tilelog`] (auditing a published tile tree). Errors: [`error`].

pub mod audit;
pub mod authority;
pub mod award;
pub mod bundle;
pub mod certificate;
pub mod cli;
pub mod compact;
pub mod credential;
pub mod demo;
pub mod entry;
pub mod error;
pub mod id;
pub mod import;
pub mod keyfile;
pub mod policy;
pub mod qr;
pub mod registry;
pub mod server;
pub mod state;
pub mod statement;
pub mod status;
pub mod store;
pub mod text;
pub mod tilelog;
pub mod time;
pub mod tlog;
pub mod trust;
pub mod verify;

pub use error::{Error, ErrorKind};
