//! Status lists: W3C Bitstring Status List credentials built from the registry's state.
//!
//! Every authority has two lists, one per [`Purpose`], at
//! `https://<origin>/api/v1/status/<authority-uuid>/<purpose>`. A list is derived from the log
//! (the award records) whenever it is asked for, and signed by the registry's status key
//! (`status.key`, a did:key of its own: one key, one purpose; the log key signs only
//! checkpoints). A list is as fresh as the state it was built from; the log stays the
//! authority, and `honors verify` reads status from the log itself.
//!
//! Bits: revocation = the award no longer stands for good at `now` (revoked, superseded by a
//! correction or downgrade, ended with its holder, or logged after its key was reported
//! compromised); suspension = suspended at `now` (cleared when reinstated).

use std::collections::HashSet;

use ed25519_dalek::SigningKey;
use jiff::Timestamp;

use super::Registry;
use crate::award::{Award, AwardState};
use crate::error::Error;
use crate::keyfile::{self, Passphrase};
use crate::policy::View;
use crate::status::{self, Bitstring, Purpose, StatusRef};
use crate::store::trees::T;
use crate::time::{format_utc_seconds, micros};

impl Registry {
    /// Unlocks the status-list key (same passphrase as the log key). Registries made before
    /// status lists have no status key: nothing to unlock.
    pub(super) fn unlock_status(&self, passphrase: &Passphrase) -> Result<(), Error> {
        let Some(file) = &self.config.status_key else {
            return Ok(());
        };
        if self.status_signer.get().is_some() {
            return Ok(());
        }
        let path = self.dir.join(file);
        let (key, _) = keyfile::read_key_file(&path, passphrase)?;
        let did = crate::credential::did_for(&key.verifying_key());
        if let Some(recorded) = self.store.meta_text("status_did")? {
            if recorded != did {
                return Err(Error::input(
                    format!(
                        "the key in {} is not this registry's status key ({recorded})",
                        path.display()
                    ),
                    "restore the registry's own status.key",
                ));
            }
        }
        let _ = self.status_signer.set(key);
        Ok(())
    }

    /// The did:key that signs this registry's status lists (their `issuer`), if it has one.
    pub fn status_did(&self) -> Result<Option<String>, Error> {
        Ok(self.store.meta_text("status_did")?)
    }

    fn status_key(&self) -> Result<&SigningKey, Error> {
        if self.config.status_key.is_none() {
            return Err(Error::input(
                "this registry has no status-list key (it was created before status lists existed)",
                "back it up (honors backup) and restore it into a new registry, which gets one",
            ));
        }
        self.status_signer.get().ok_or_else(|| {
            Error::usage(
                "the registry's status-list key is locked",
                "set HONORS_LOG_PASSPHRASE, pass --log-passphrase-file FILE, or name log_passphrase_file in registry.toml (the status key shares the log key's passphrase)",
            )
        })
    }

    /// Whether authority `authority` already placed an award at status-list index `index`.
    pub fn status_index_taken(&self, authority: &str, index: u32) -> Result<bool, Error> {
        Ok(self
            .store
            .status_index_owner(authority, index)
            .map_err(|e| Error::internal(e.to_string()))?
            .is_some())
    }

    /// Every status-list index `authority` has given an award (one scan of its index keys).
    pub fn status_indexes_used(&self, authority: &str) -> Result<HashSet<u32>, Error> {
        let prefix = crate::store::trees::pair_prefix(authority);
        Ok(self
            .store
            .keys_with_prefix(crate::store::trees::T::ByStatus, &prefix)
            .map_err(|e| Error::internal(e.to_string()))?
            .iter()
            .filter_map(|k| {
                k.get(prefix.len()..)?
                    .try_into()
                    .ok()
                    .map(u32::from_be_bytes)
            })
            .collect())
    }

    /// A status entry for a new award of `authority`: an index drawn at random among those
    /// neither in the registry nor in `reserved` (indexes given to awards not yet submitted;
    /// the new one is added). `None` if the authority's lists are full.
    pub fn new_status_ref(
        &self,
        authority: &str,
        reserved: &mut HashSet<u32>,
    ) -> Result<Option<StatusRef>, Error> {
        // Markers in `reserved` (never indexes): `FULL`, the authority's lists were found full
        // in this run; `SCANNED`, `reserved` holds every index the store had when this run
        // scanned them.
        const FULL: u32 = u32::MAX;
        const SCANNED: u32 = u32::MAX - 1;
        let markers = usize::from(reserved.contains(&SCANNED));
        if reserved.contains(&FULL) || reserved.len() - markers >= status::LIST_BITS as usize {
            return Ok(None);
        }
        // A full list stays full (an index, once given, is never given back), so the scan
        // that found it full is remembered: without this, every later issuance of a large
        // authority (a province's commission at a million awards) read all 131,072 of its
        // index keys before giving up.
        let full_key = format!("status_full/{authority}");
        if self.store.meta_text(&full_key)?.is_some() {
            return Ok(None);
        }
        let mut rng_err = None;
        let mut random = || {
            let mut b = [0u8; 4];
            if let Err(e) = getrandom::fill(&mut b) {
                rng_err = Some(e);
            }
            u32::from_le_bytes(b)
        };
        let picked = if reserved.contains(&SCANNED) {
            // `reserved` already holds every index the store had at this run's scan and every
            // index this run gave since: the store is asked only about the indexes left.
            status::pick_index(&mut random, &mut |i| {
                Ok::<_, Error>(reserved.contains(&i) || self.status_index_taken(authority, i)?)
            })?
        } else {
            let reserved_now: &HashSet<u32> = reserved;
            let mut scanned = None;
            let picked = status::pick_index_scanning(
                &mut random,
                &mut |i| {
                    if reserved_now.contains(&i) {
                        return Ok(true);
                    }
                    self.status_index_taken(authority, i)
                },
                &mut || {
                    let mut used = self.status_indexes_used(authority)?;
                    scanned = Some(used.clone());
                    used.extend(
                        reserved_now
                            .iter()
                            .copied()
                            .filter(|i| *i < status::LIST_BITS),
                    );
                    Ok::<_, Error>(used)
                },
            )?;
            // A nearly full list: keep what the scan found, so that the rest of this run
            // (an import, the demo) never scans again.
            if let Some(used) = scanned {
                reserved.extend(used);
                reserved.insert(SCANNED);
            }
            picked
        };
        if picked.is_none() {
            reserved.insert(FULL);
            if self.status_indexes_used(authority)?.len() >= status::LIST_BITS as usize {
                // Full in the store itself, not only with this run's reservations.
                self.store.put_meta(&full_key, b"full")?;
            }
        }
        if let Some(e) = rng_err {
            return Err(Error::internal(format!("randomness: {e}")));
        }
        Ok(picked.map(|index| {
            reserved.insert(index);
            StatusRef::new(self.origin(), authority, index)
        }))
    }

    /// The bits of `authority`'s list for `purpose` at `now`, from the award records.
    pub fn status_bits(
        &self,
        authority: &str,
        purpose: Purpose,
        now: Timestamp,
    ) -> Result<Bitstring, Error> {
        let authority = self.status_authority(authority)?;
        let now_us = micros(now);
        let record = self
            .store
            .authority(&authority)
            .map_err(|e| Error::internal(e.to_string()))?;
        let mut bits = Bitstring::new();
        for id in self.store.ids_with_prefix(T::ByIssuer, &authority)? {
            let Some(a) = self
                .store
                .award(&id)
                .map_err(|e| Error::internal(e.to_string()))?
            else {
                continue;
            };
            let Some(index) = a.status_index else {
                continue;
            };
            let compromised = record
                .as_ref()
                .and_then(|r| r.key(&a.signer_did))
                .and_then(|k| k.compromised_at_us);
            if bit(&a, purpose, now_us, compromised) {
                bits.set(index);
            }
        }
        Ok(bits)
    }

    /// `authority`'s status list credential for `purpose` at `now`, signed with the status
    /// key: the JCS bytes of a `BitstringStatusListCredential`.
    pub fn status_list(
        &self,
        authority: &str,
        purpose: Purpose,
        now: Timestamp,
    ) -> Result<Vec<u8>, Error> {
        let key = self.status_key()?;
        let authority = self.status_authority(authority)?;
        let bits = self.status_bits(&authority, purpose, now)?;
        let url = status::list_url(self.origin(), &authority, purpose);
        let did = crate::credential::did_for(&key.verifying_key());
        let when = format_utc_seconds(now);
        let doc = status::list_credential(&url, purpose, &did, &bits, &when);
        let signed = crate::credential::sign(&doc, key, &when)
            .map_err(|e| Error::internal(format!("signing the status list: {e}")))?;
        crate::credential::jcs::to_vec(&signed).map_err(|e| Error::internal(e.to_string()))
    }

    /// The full id of a known authority (a bare uuid is accepted).
    fn status_authority(&self, authority: &str) -> Result<String, Error> {
        let id = super::normalize_id(authority);
        let known = self.roots.root_by_id(&id).is_some()
            || self
                .store
                .authority(&id)
                .map_err(|e| Error::internal(e.to_string()))?
                .is_some();
        if !known {
            return Err(Error::input(
                format!("no authority has the id {id}"),
                "list authorities and their ids with `honors authority list`",
            ));
        }
        Ok(id)
    }
}

/// Whether award `a` has its bit set in the list for `purpose` at `now_us`.
fn bit(a: &Award, purpose: Purpose, now_us: i64, key_compromised_us: Option<i64>) -> bool {
    match purpose {
        Purpose::Revocation => {
            key_compromised_us.is_some_and(|c| a.integrated_us >= c)
                || match &a.state {
                    AwardState::Revoked { on_us, .. } | AwardState::Ended { on_us, .. } => {
                        *on_us <= now_us
                    }
                    AwardState::Superseded { .. } => true,
                    AwardState::Active | AwardState::Suspended { .. } => false,
                }
        }
        Purpose::Suspension => {
            matches!(&a.state, AwardState::Suspended { since_us, .. } if *since_us <= now_us)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn award(state: AwardState) -> Award {
        Award {
            id: "urn:uuid:0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a01".into(),
            uscc: "12430700446432465B".into(),
            holder_name: "医院".into(),
            sub_unit: None,
            title: "t".into(),
            scheme: "s".into(),
            issuer: "a".into(),
            signer_did: "did".into(),
            valid_from_us: 0,
            valid_until_us: None,
            batch_year: None,
            index: 1,
            integrated_us: 100,
            state,
            previous: None,
            renewed_by: Vec::new(),
            co_issuers: Vec::new(),
            events: Vec::new(),
            status_index: Some(7),
        }
    }

    #[test]
    fn bits_follow_the_award_state_at_now() {
        let r = Purpose::Revocation;
        let s = Purpose::Suspension;
        let active = award(AwardState::Active);
        assert!(!bit(&active, r, 1000, None) && !bit(&active, s, 1000, None));
        assert!(
            bit(&active, r, 1000, Some(50)),
            "logged after its key was compromised"
        );
        assert!(
            !bit(&active, r, 1000, Some(150)),
            "logged before the compromise"
        );
        let suspended = award(AwardState::Suspended {
            since_us: 500,
            index: 2,
            reason: "x".into(),
        });
        assert!(bit(&suspended, s, 1000, None) && !bit(&suspended, r, 1000, None));
        assert!(!bit(&suspended, s, 400, None), "not yet suspended");
        let revoked = award(AwardState::Revoked {
            on_us: 500,
            index: 2,
            reason: "x".into(),
        });
        assert!(bit(&revoked, r, 1000, None) && !bit(&revoked, s, 1000, None));
        assert!(!bit(&revoked, r, 400, None));
        assert!(bit(
            &award(AwardState::Superseded {
                by: "b".into(),
                index: 3
            }),
            r,
            0,
            None
        ));
        assert!(bit(
            &award(AwardState::Ended {
                on_us: 5,
                index: 3,
                reason: "m".into()
            }),
            r,
            10,
            None
        ));
    }
}
