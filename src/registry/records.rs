//! Raw records by id, as the write commands need them to build a statement (locally, or from a
//! registry server through `GET /api/v1/records/…`).

use super::Registry;
use crate::authority::{Authority, Holder, Scheme};
use crate::award::Award;
use crate::error::Error;
use crate::policy::View;

impl Registry {
    /// The authority that holds the key `did` (a root from the trust roots, or an accredited one).
    pub fn authority_of_signer(&self, did: &str) -> Result<Authority, Error> {
        let store = self.store();
        let internal = |e: crate::policy::ViewError| Error::internal(e.to_string());
        if let Some(r) = self.trust_roots().root_by_did(did) {
            return Ok(store
                .authority(&r.id)
                .map_err(internal)?
                .unwrap_or_else(|| Authority::root(&r.id, &r.name, &r.did)));
        }
        let id = store
            .authority_of_key(did)
            .map_err(internal)?
            .ok_or_else(|| {
                Error::refused(
                    format!("the key {did} belongs to no authority in this registry"),
                    "have a parent authority accredit it first (honors authority accredit)",
                )
            })?;
        store
            .authority(&id)
            .map_err(internal)?
            .ok_or_else(|| Error::corrupt(format!("key owner {id} has no authority record")))
    }

    /// The scheme record with this id, if any.
    pub fn scheme_record(&self, id: &str) -> Result<Option<Scheme>, Error> {
        self.store()
            .scheme(&super::normalize_id(id))
            .map_err(|e| Error::internal(e.to_string()))
    }

    /// The holder record with this USCC, if any.
    pub fn holder_record(&self, uscc: &str) -> Result<Option<Holder>, Error> {
        self.store()
            .holder(uscc)
            .map_err(|e| Error::internal(e.to_string()))
    }

    /// The award record with this id (an error if there is none).
    pub fn award_record(&self, id: &str) -> Result<Award, Error> {
        self.award(id)
    }
}
