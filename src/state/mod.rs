//! Registry state in memory, and an overlay of pending changes over any other state.
//!
//! [`MemoryState`] is the state a replay builds up (`honors audit`, bundle verification);
//! [`Overlay`] lets the registry decide a whole batch of statements against the stored state
//! plus the batch's own earlier effects before anything is written. Both apply [`Effect`]s the
//! same way the store does.

mod awards;

use std::collections::{BTreeMap, HashMap};

pub use awards::{AwardKeys, AwardTable};

use crate::authority::{Authority, Holder, Scheme};
use crate::award::Award;
use crate::policy::{Effect, View, ViewError};

/// The whole registry state, in memory.
#[derive(Debug, Default, Clone)]
pub struct MemoryState {
    pub authorities: HashMap<String, Authority>,
    pub key_owner: HashMap<String, String>,
    pub schemes: HashMap<String, Scheme>,
    pub holders: HashMap<String, Holder>,
    /// Every award, held compactly, with its holder and status-list lookups.
    pub awards: AwardTable,
}

impl MemoryState {
    /// Applies the effects of one accepted statement.
    pub fn apply(&mut self, effects: &[Effect]) {
        for e in effects {
            match e {
                Effect::Authority(a) => {
                    self.authorities.insert(a.id.clone(), a.clone());
                }
                Effect::KeyOwner { did, authority } => {
                    self.key_owner.insert(did.clone(), authority.clone());
                }
                Effect::Scheme(s) => {
                    self.schemes.insert(s.id.clone(), s.clone());
                }
                Effect::Holder(h) => {
                    self.holders.insert(h.uscc.clone(), h.clone());
                }
                Effect::Award { award, .. } => self.awards.insert(award),
            }
        }
    }
}

impl View for MemoryState {
    fn authority(&self, id: &str) -> Result<Option<Authority>, ViewError> {
        Ok(self.authorities.get(id).cloned())
    }
    fn authority_of_key(&self, did: &str) -> Result<Option<String>, ViewError> {
        Ok(self.key_owner.get(did).cloned())
    }
    fn scheme(&self, id: &str) -> Result<Option<Scheme>, ViewError> {
        Ok(self.schemes.get(id).cloned())
    }
    fn holder(&self, uscc: &str) -> Result<Option<Holder>, ViewError> {
        Ok(self.holders.get(uscc).cloned())
    }
    fn award(&self, id: &str) -> Result<Option<Award>, ViewError> {
        Ok(self.awards.get(id))
    }
    fn awards_of_holder(&self, uscc: &str) -> Result<Vec<Award>, ViewError> {
        Ok(self.awards.of_holder(uscc))
    }
    fn status_index_owner(&self, authority: &str, index: u32) -> Result<Option<String>, ViewError> {
        Ok(self
            .awards
            .status_owner(authority, index)
            .map(str::to_string))
    }
}

/// Pending effects layered over a base state: reads see the pending changes first. Base reads
/// of authorities, keys, schemes and holders are cached for the life of the overlay (one
/// batch), since nearly every statement of a batch asks for the same few.
pub struct Overlay<'a, V: View> {
    pub base: &'a V,
    pub pending: MemoryState,
    cache: std::cell::RefCell<BaseCache>,
}

#[derive(Default)]
struct BaseCache {
    authorities: HashMap<String, Option<Authority>>,
    key_owner: HashMap<String, Option<String>>,
    schemes: HashMap<String, Option<Scheme>>,
    holders: HashMap<String, Option<Holder>>,
}

impl<'a, V: View> Overlay<'a, V> {
    pub fn new(base: &'a V) -> Self {
        Overlay {
            base,
            pending: MemoryState::default(),
            cache: Default::default(),
        }
    }
}

/// Reads `key` from the base through a cache map.
fn cached<T: Clone>(
    map: impl Fn(&mut BaseCache) -> &mut HashMap<String, Option<T>>,
    cache: &std::cell::RefCell<BaseCache>,
    key: &str,
    read: impl FnOnce() -> Result<Option<T>, ViewError>,
) -> Result<Option<T>, ViewError> {
    if let Some(hit) = map(&mut cache.borrow_mut()).get(key) {
        return Ok(hit.clone());
    }
    let value = read()?;
    map(&mut cache.borrow_mut()).insert(key.to_string(), value.clone());
    Ok(value)
}

impl<V: View> View for Overlay<'_, V> {
    fn authority(&self, id: &str) -> Result<Option<Authority>, ViewError> {
        match self.pending.authorities.get(id) {
            Some(a) => Ok(Some(a.clone())),
            None => cached(
                |c| &mut c.authorities,
                &self.cache,
                id,
                || self.base.authority(id),
            ),
        }
    }
    fn authority_of_key(&self, did: &str) -> Result<Option<String>, ViewError> {
        match self.pending.key_owner.get(did) {
            Some(a) => Ok(Some(a.clone())),
            None => cached(
                |c| &mut c.key_owner,
                &self.cache,
                did,
                || self.base.authority_of_key(did),
            ),
        }
    }
    fn scheme(&self, id: &str) -> Result<Option<Scheme>, ViewError> {
        match self.pending.schemes.get(id) {
            Some(s) => Ok(Some(s.clone())),
            None => cached(|c| &mut c.schemes, &self.cache, id, || self.base.scheme(id)),
        }
    }
    fn holder(&self, uscc: &str) -> Result<Option<Holder>, ViewError> {
        match self.pending.holders.get(uscc) {
            Some(h) => Ok(Some(h.clone())),
            None => cached(
                |c| &mut c.holders,
                &self.cache,
                uscc,
                || self.base.holder(uscc),
            ),
        }
    }
    fn award(&self, id: &str) -> Result<Option<Award>, ViewError> {
        match self.pending.awards.get(id) {
            Some(a) => Ok(Some(a)),
            None => self.base.award(id),
        }
    }
    fn awards_of_holder(&self, uscc: &str) -> Result<Vec<Award>, ViewError> {
        let mut out: BTreeMap<String, Award> = self
            .base
            .awards_of_holder(uscc)?
            .into_iter()
            .map(|a| (a.id.clone(), a))
            .collect();
        for a in self.pending.awards_of_holder(uscc)? {
            out.insert(a.id.clone(), a);
        }
        Ok(out.into_values().collect())
    }
    fn status_index_owner(&self, authority: &str, index: u32) -> Result<Option<String>, ViewError> {
        match self.pending.status_index_owner(authority, index)? {
            Some(id) => Ok(Some(id)),
            None => self.base.status_index_owner(authority, index),
        }
    }
}
