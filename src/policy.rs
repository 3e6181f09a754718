//! Policy: may this signer make this statement at this point of the log?
//!
//! [`decide`] is a pure function of the registry state *before* the statement (seen through
//! the [`View`] trait), the trust roots, the statement's log position and integration time. It
//! returns the [`Effect`]s the statement has on that state, or a [`PolicyError`] that says
//! which right was missing. The registry calls it before appending; `honors audit` calls the
//! very same function while replaying the log, so the two can never disagree.

use crate::authority::{
    jurisdiction_within, valid_jurisdiction, Authority, Holder, HolderEnded, KeyEpoch, Scheme,
    LEVELS,
};
use crate::award::{Award, AwardState};
use crate::statement::{Kind, Relation, SignedStatement, StatusAction};
use crate::time::micros;
use crate::trust::TrustRoots;

/// Reading the state failed (a storage error, passed through as text).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct ViewError(pub String);

/// Read access to the registry state as of a point in the log.
pub trait View {
    fn authority(&self, id: &str) -> Result<Option<Authority>, ViewError>;
    /// The authority id that key `did` belongs (or belonged) to.
    fn authority_of_key(&self, did: &str) -> Result<Option<String>, ViewError>;
    fn scheme(&self, id: &str) -> Result<Option<Scheme>, ViewError>;
    fn holder(&self, uscc: &str) -> Result<Option<Holder>, ViewError>;
    fn award(&self, id: &str) -> Result<Option<Award>, ViewError>;
    fn awards_of_holder(&self, uscc: &str) -> Result<Vec<Award>, ViewError>;
    /// The award that authority `authority` placed at status-list index `index`, if any.
    fn status_index_owner(&self, authority: &str, index: u32) -> Result<Option<String>, ViewError>;
}

/// Where in the log a statement is being placed.
#[derive(Debug, Clone, Copy)]
pub struct Position {
    pub index: u64,
    pub time: jiff::Timestamp,
}

/// A change to the registry state.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Create or replace an authority record.
    Authority(Authority),
    /// Key `did` belongs to authority `authority` (never removed).
    KeyOwner {
        did: String,
        authority: String,
    },
    Scheme(Scheme),
    Holder(Holder),
    /// Create or replace an award record (`new` if it is the award's first appearance).
    Award {
        award: Award,
        new: bool,
    },
}

/// A statement was refused: the signer had no right to make it, or it contradicts the log.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PolicyError {
    #[error("the signing key {did} belongs to no authority in this registry: have a parent authority accredit it first (honors authority accredit)")]
    UnknownSigner { did: String },
    #[error("the key {did} of {authority} was retired at log entry {retired_at} and may no longer sign: use the authority's current key")]
    KeyRetired {
        did: String,
        authority: String,
        retired_at: u64,
    },
    #[error("the key {did} of {authority} was reported compromised: it may no longer sign")]
    KeyCompromised { did: String, authority: String },
    #[error(
        "{authority} was succeeded by {successor}: statements must now come from the successor"
    )]
    Succeeded {
        authority: String,
        successor: String,
    },
    #[error("{authority} may not {action}: {why}")]
    NotEntitled {
        authority: String,
        action: String,
        why: String,
    },
    #[error("issuer.name is '{claimed}' but the signing key belongs to '{actual}'")]
    IssuerName { claimed: String, actual: String },
    #[error("{what} {id} already exists in the registry (log entry {index})")]
    Exists {
        what: &'static str,
        id: String,
        index: u64,
    },
    #[error("{what} {id} is not in the registry: {hint}")]
    NotFound {
        what: &'static str,
        id: String,
        hint: &'static str,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("reading registry state: {0}")]
    View(#[from] ViewError),
}

/// Decides whether `st` may be appended at `pos`, and what it changes.
pub fn decide(
    view: &impl View,
    roots: &TrustRoots,
    pos: Position,
    st: &SignedStatement,
) -> Result<Vec<Effect>, PolicyError> {
    let s = &st.statement;
    let signer = signer(view, roots, &s.issuer_did, pos)?;
    if s.issuer_name != signer.name {
        return Err(PolicyError::IssuerName {
            claimed: s.issuer_name.clone(),
            actual: signer.name.clone(),
        });
    }
    let deny = |action: &str, why: String| PolicyError::NotEntitled {
        authority: signer.name.clone(),
        action: action.into(),
        why,
    };
    match &s.kind {
        Kind::Accreditation {
            child_did,
            authority,
            name,
            jurisdiction,
            schemes,
            may_accredit,
            may_define_schemes,
        } => {
            if !signer.may_accredit {
                return Err(deny(
                    "accredit authorities",
                    "its own accreditation does not allow accrediting others".into(),
                ));
            }
            if !valid_jurisdiction(jurisdiction) {
                return Err(PolicyError::Invalid(format!("jurisdiction '{jurisdiction}' must be 全国, a province (山东省) or province/city (山东省/淄博市)")));
            }
            if !jurisdiction_within(jurisdiction, &signer.jurisdiction) {
                return Err(deny(
                    "accredit",
                    format!(
                        "jurisdiction {jurisdiction} lies outside its own ({})",
                        signer.jurisdiction
                    ),
                ));
            }
            if *may_define_schemes && !signer.may_define_schemes {
                return Err(deny(
                    "grant the right to define schemes",
                    "it does not have that right itself".into(),
                ));
            }
            for scheme in schemes {
                let sc = view.scheme(scheme)?.ok_or(PolicyError::NotFound {
                    what: "scheme",
                    id: scheme.clone(),
                    hint: "define it first (honors scheme define)",
                })?;
                if !may_issue(view, &signer, &sc)? {
                    return Err(deny(
                        "grant",
                        format!(
                            "scheme 「{}」 ({scheme}) is neither its own nor granted to it",
                            sc.title
                        ),
                    ));
                }
            }
            if roots.root_by_id(authority).is_some() {
                return Err(PolicyError::Invalid(format!("{authority} is a root authority: roots are named in the trust roots, not accredited")));
            }
            let existing = view.authority(authority)?;
            let key_owner = view.authority_of_key(child_did)?;
            let mut record = match existing {
                Some(a) => {
                    if a.parent.as_deref() != Some(signer.id.as_str()) {
                        return Err(deny(
                            "re-accredit",
                            format!("{} was accredited by another authority", a.name),
                        ));
                    }
                    if a.key(child_did).is_none_or(|k| k.retired_at.is_some()) {
                        return Err(PolicyError::Invalid(format!("{child_did} is not a current key of {}; use honors authority rotate-key to change keys", a.name)));
                    }
                    a
                }
                None => {
                    if let Some(owner) = key_owner {
                        return Err(PolicyError::Invalid(format!("key {child_did} already belongs to authority {owner}: every authority needs its own key")));
                    }
                    if roots.root_by_did(child_did).is_some() {
                        return Err(PolicyError::Invalid(format!(
                            "key {child_did} is a root authority's key"
                        )));
                    }
                    Authority {
                        id: authority.clone(),
                        name: String::new(),
                        is_root: false,
                        parent: Some(signer.id.clone()),
                        jurisdiction: String::new(),
                        schemes: Vec::new(),
                        may_accredit: false,
                        may_define_schemes: false,
                        keys: vec![KeyEpoch {
                            did: child_did.clone(),
                            added_at: pos.index,
                            retired_at: None,
                            compromised_at_us: None,
                        }],
                        predecessor: None,
                        successor: None,
                        since: pos.index,
                        events: Vec::new(),
                    }
                }
            };
            record.name = name.clone();
            record.jurisdiction = jurisdiction.clone();
            record.schemes = schemes.clone();
            record.may_accredit = *may_accredit;
            record.may_define_schemes = *may_define_schemes;
            record.events.push(pos.index);
            Ok(vec![
                Effect::KeyOwner {
                    did: child_did.clone(),
                    authority: authority.clone(),
                },
                Effect::Authority(record),
            ])
        }
        Kind::Scheme {
            scheme,
            title,
            level,
            category,
            validity_years,
        } => {
            if !signer.may_define_schemes {
                return Err(deny(
                    "define schemes",
                    "its accreditation does not include defining schemes".into(),
                ));
            }
            if !LEVELS.contains(&level.as_str()) {
                return Err(PolicyError::Invalid(format!(
                    "scheme level '{level}' must be one of {}",
                    LEVELS.join(", ")
                )));
            }
            if let Some(existing) = view.scheme(scheme)? {
                return Err(PolicyError::Exists {
                    what: "scheme",
                    id: scheme.clone(),
                    index: existing.index,
                });
            }
            Ok(vec![Effect::Scheme(Scheme {
                id: scheme.clone(),
                title: title.clone(),
                level: level.clone(),
                category: category.clone(),
                validity_years: *validity_years,
                owner: signer.id.clone(),
                index: pos.index,
            })])
        }
        Kind::Holder {
            uscc,
            name,
            province,
            city,
        } => {
            if !signer.covers_holder(province, city) {
                return Err(deny(
                    "register this holder",
                    format!(
                        "{province}/{city} lies outside its jurisdiction {}",
                        signer.jurisdiction
                    ),
                ));
            }
            if let Some(h) = view.holder(uscc.as_str())? {
                return Err(PolicyError::Exists {
                    what: "holder",
                    id: format!("{uscc} ({})", h.name),
                    index: h.index,
                });
            }
            Ok(vec![Effect::Holder(Holder {
                uscc: uscc.to_string(),
                name: name.clone(),
                province: province.clone(),
                city: city.clone(),
                former_names: Vec::new(),
                index: pos.index,
                ended: None,
            })])
        }
        Kind::Award {
            uscc,
            holder_name,
            sub_unit,
            title,
            scheme,
            scheme_title,
            batch_year,
            previous,
            status,
            ..
        } => {
            if let Some(a) = view.award(&s.id)? {
                return Err(PolicyError::Exists {
                    what: "award",
                    id: s.id.clone(),
                    index: a.index,
                });
            }
            if let Some(status) = status {
                if !status.belongs_to(&signer.id) {
                    return Err(PolicyError::Invalid(format!(
                        "credentialStatus points at the status lists {}, which are not those of the issuer {} (expected https://<registry>{}{})",
                        status.base,
                        signer.name,
                        crate::status::API_PATH,
                        crate::status::authority_segment(&signer.id)
                    )));
                }
                if let Some(other) = view.status_index_owner(&signer.id, status.index)? {
                    return Err(PolicyError::Invalid(format!(
                        "status-list index {} of {} is already used by award {other}: every award of an authority needs its own index",
                        status.index, signer.name
                    )));
                }
            }
            let sc = view.scheme(scheme)?.ok_or(PolicyError::NotFound {
                what: "scheme",
                id: scheme.clone(),
                hint: "define it first (honors scheme define)",
            })?;
            if !may_issue(view, &signer, &sc)? {
                return Err(deny(
                    &format!("issue 「{}」", sc.title),
                    "the scheme is neither its own nor in its accreditation".into(),
                ));
            }
            if *scheme_title != sc.title {
                return Err(PolicyError::Invalid(format!(
                    "achievement name 「{scheme_title}」 differs from the scheme's title 「{}」",
                    sc.title
                )));
            }
            let holder = active_holder(view, uscc.as_str())?;
            if holder.name != *holder_name {
                return Err(PolicyError::Invalid(format!(
                    "holder {uscc} is registered as 「{}」, not 「{holder_name}」",
                    holder.name
                )));
            }
            if !signer.covers_holder(&holder.province, &holder.city) {
                return Err(deny(
                    &format!("issue 「{}」 to {}", sc.title, holder.name),
                    format!(
                        "{}/{} lies outside its jurisdiction {}",
                        holder.province, holder.city, signer.jurisdiction
                    ),
                ));
            }
            let mut effects = Vec::new();
            if let Some((relation, prev_id)) = previous {
                let mut prev = view.award(prev_id)?.ok_or(PolicyError::NotFound {
                    what: "award",
                    id: prev_id.clone(),
                    hint: "check the id with honors award list",
                })?;
                if prev.uscc != uscc.as_str() {
                    return Err(PolicyError::Invalid(format!(
                        "award {prev_id} belongs to another holder ({})",
                        prev.uscc
                    )));
                }
                if !may_manage(view, &signer, &prev.issuer)? {
                    return Err(deny(
                        &format!("{} award {prev_id}", relation.as_str()),
                        "it was issued by another authority".into(),
                    ));
                }
                match relation {
                    Relation::Renews => {
                        if prev.scheme != *scheme {
                            return Err(PolicyError::Invalid(format!(
                                "a renewal must be of the same scheme as award {prev_id}"
                            )));
                        }
                        if matches!(
                            prev.state,
                            AwardState::Revoked { .. } | AwardState::Superseded { .. }
                        ) {
                            return Err(PolicyError::Invalid(format!("award {prev_id} was revoked or superseded: issue a new award instead of renewing it")));
                        }
                        prev.renewed_by.push(s.id.clone());
                    }
                    Relation::Corrects | Relation::Downgrades => {
                        if matches!(
                            prev.state,
                            AwardState::Superseded { .. } | AwardState::Revoked { .. }
                        ) {
                            return Err(PolicyError::Invalid(format!(
                                "award {prev_id} is already revoked or superseded"
                            )));
                        }
                        prev.state = AwardState::Superseded {
                            by: s.id.clone(),
                            index: pos.index,
                        };
                    }
                }
                prev.events.push(pos.index);
                effects.push(Effect::Award {
                    award: prev,
                    new: false,
                });
            }
            effects.insert(
                0,
                Effect::Award {
                    award: Award {
                        id: s.id.clone(),
                        uscc: uscc.to_string(),
                        holder_name: holder_name.clone(),
                        sub_unit: sub_unit.clone(),
                        title: title.clone(),
                        scheme: scheme.clone(),
                        issuer: signer.id.clone(),
                        signer_did: s.issuer_did.clone(),
                        valid_from_us: micros(s.valid_from),
                        valid_until_us: s.valid_until.map(micros),
                        batch_year: *batch_year,
                        index: pos.index,
                        integrated_us: micros(pos.time),
                        state: AwardState::Active,
                        previous: previous.clone(),
                        renewed_by: Vec::new(),
                        co_issuers: Vec::new(),
                        events: Vec::new(),
                        status_index: status.as_ref().map(|r| r.index),
                    },
                    new: true,
                },
            );
            Ok(effects)
        }
        Kind::CoIssue { award, .. } => {
            let mut a = view.award(award)?.ok_or(PolicyError::NotFound {
                what: "award",
                id: award.clone(),
                hint: "check the id with honors award list",
            })?;
            if a.issuer == signer.id || a.co_issuers.contains(&signer.id) {
                return Err(PolicyError::Invalid(format!(
                    "{} is already an issuer of award {award}",
                    signer.name
                )));
            }
            if !matches!(a.state, AwardState::Active | AwardState::Suspended { .. }) {
                return Err(PolicyError::Invalid(format!(
                    "award {award} is {}: it can no longer be co-issued",
                    state_word(&a.state)
                )));
            }
            let holder = active_holder(view, &a.uscc)?;
            if !signer.covers_holder(&holder.province, &holder.city) {
                return Err(deny(
                    &format!("co-issue award {award}"),
                    format!(
                        "{}/{} lies outside its jurisdiction {}",
                        holder.province, holder.city, signer.jurisdiction
                    ),
                ));
            }
            a.co_issuers.push(signer.id.clone());
            a.events.push(pos.index);
            Ok(vec![Effect::Award {
                award: a,
                new: false,
            }])
        }
        Kind::Status {
            award,
            action,
            reason,
        } => {
            let mut a = view.award(award)?.ok_or(PolicyError::NotFound {
                what: "award",
                id: award.clone(),
                hint: "check the id with honors award list",
            })?;
            if !may_manage(view, &signer, &a.issuer)? {
                return Err(deny(
                    &format!("{} award {award}", action.as_str()),
                    "only its issuer, the issuer's successor or a higher authority may".into(),
                ));
            }
            let at = micros(s.valid_from);
            a.state = match (action, &a.state) {
                (StatusAction::Suspend, AwardState::Active) => AwardState::Suspended {
                    since_us: at,
                    index: pos.index,
                    reason: reason.clone(),
                },
                (StatusAction::Reinstate, AwardState::Suspended { .. }) => AwardState::Active,
                (StatusAction::Revoke, AwardState::Active | AwardState::Suspended { .. }) => {
                    AwardState::Revoked {
                        on_us: at,
                        index: pos.index,
                        reason: reason.clone(),
                    }
                }
                (_, state) => {
                    return Err(PolicyError::Invalid(format!(
                        "award {award} cannot be {}: it is {}",
                        past(*action),
                        state_word(state)
                    )))
                }
            };
            a.events.push(pos.index);
            Ok(vec![Effect::Award {
                award: a,
                new: false,
            }])
        }
        Kind::KeyRotation {
            authority,
            new_did,
            old_did,
            ..
        } => {
            if *authority != signer.id || *old_did != s.issuer_did {
                return Err(deny(
                    "rotate this key",
                    "a key rotation must be signed by the key it replaces".into(),
                ));
            }
            fresh_key(view, roots, new_did)?;
            let mut a = signer.clone();
            if let Some(k) = a.key_mut(old_did) {
                k.retired_at = Some(pos.index);
            }
            a.keys.push(KeyEpoch {
                did: new_did.clone(),
                added_at: pos.index,
                retired_at: None,
                compromised_at_us: None,
            });
            a.events.push(pos.index);
            Ok(vec![
                Effect::KeyOwner {
                    did: new_did.clone(),
                    authority: authority.clone(),
                },
                Effect::Authority(a),
            ])
        }
        Kind::KeyRevocation {
            authority,
            did,
            compromised_at,
            ..
        } => {
            let mut a = view.authority(authority)?.ok_or(PolicyError::NotFound {
                what: "authority",
                id: authority.clone(),
                hint: "check the id with honors authority list",
            })?;
            let by_parent = a.parent.as_deref() == Some(signer.id.as_str());
            let by_itself = a.id == signer.id && s.issuer_did != *did;
            if !(by_parent || by_itself) {
                return Err(deny(&format!("revoke a key of {}", a.name), "only the accrediting authority, or the authority itself with another current key, may".into()));
            }
            let key = a.key_mut(did).ok_or_else(|| {
                PolicyError::Invalid(format!("{did} is not a key of {}", authority))
            })?;
            if key.compromised_at_us.is_some() {
                return Err(PolicyError::Invalid(format!(
                    "key {did} was already revoked"
                )));
            }
            key.compromised_at_us = Some(micros(*compromised_at));
            key.retired_at = Some(key.retired_at.map_or(pos.index, |r| r.min(pos.index)));
            a.events.push(pos.index);
            Ok(vec![Effect::Authority(a)])
        }
        Kind::Succession {
            predecessor,
            successor,
            successor_did,
            successor_name,
            ..
        } => {
            let mut pred = view.authority(predecessor)?.ok_or(PolicyError::NotFound {
                what: "authority",
                id: predecessor.clone(),
                hint: "check the id with honors authority list",
            })?;
            if pred.parent.as_deref() != Some(signer.id.as_str()) {
                return Err(deny(
                    &format!("declare a successor of {}", pred.name),
                    "only its accrediting authority may".into(),
                ));
            }
            if let Some((succ, _)) = &pred.successor {
                return Err(PolicyError::Invalid(format!(
                    "{} was already succeeded by {succ}",
                    pred.name
                )));
            }
            if view.authority(successor)?.is_some() || roots.root_by_id(successor).is_some() {
                return Err(PolicyError::Exists {
                    what: "authority",
                    id: successor.clone(),
                    index: pos.index,
                });
            }
            fresh_key(view, roots, successor_did)?;
            let mut succ = pred.clone();
            succ.id = successor.clone();
            succ.name = successor_name.clone();
            succ.keys = vec![KeyEpoch {
                did: successor_did.clone(),
                added_at: pos.index,
                retired_at: None,
                compromised_at_us: None,
            }];
            succ.predecessor = Some(pred.id.clone());
            succ.since = pos.index;
            succ.events = vec![pos.index];
            pred.successor = Some((successor.clone(), pos.index));
            pred.events.push(pos.index);
            for k in pred.keys.iter_mut().filter(|k| k.retired_at.is_none()) {
                k.retired_at = Some(pos.index);
            }
            Ok(vec![
                Effect::Authority(pred),
                Effect::KeyOwner {
                    did: successor_did.clone(),
                    authority: successor.clone(),
                },
                Effect::Authority(succ),
            ])
        }
        Kind::HolderRename { uscc, name, .. } => {
            let mut h = active_holder(view, uscc.as_str())?;
            if !signer.covers_holder(&h.province, &h.city) {
                return Err(deny(
                    &format!("rename {}", h.name),
                    format!("it lies outside its jurisdiction {}", signer.jurisdiction),
                ));
            }
            let old = std::mem::replace(&mut h.name, name.clone());
            h.former_names.push((old, pos.index));
            Ok(vec![Effect::Holder(h)])
        }
        Kind::HolderEnd {
            uscc,
            kind,
            successors,
            reason,
        } => {
            let mut h = active_holder(view, uscc.as_str())?;
            if !signer.covers_holder(&h.province, &h.city) {
                return Err(deny(
                    &format!("end the registration of {}", h.name),
                    format!("it lies outside its jurisdiction {}", signer.jurisdiction),
                ));
            }
            let on_us = micros(s.valid_from);
            h.ended = Some(HolderEnded {
                kind: kind.as_str().into(),
                successors: successors.iter().map(|u| u.to_string()).collect(),
                index: pos.index,
                on_us,
            });
            let mut effects = vec![Effect::Holder(h)];
            for mut a in view.awards_of_holder(uscc.as_str())? {
                if matches!(a.state, AwardState::Active | AwardState::Suspended { .. }) {
                    a.state = AwardState::Ended {
                        on_us,
                        index: pos.index,
                        reason: format!("holder {}: {reason}", kind.as_str()),
                    };
                    a.events.push(pos.index);
                    effects.push(Effect::Award {
                        award: a,
                        new: false,
                    });
                }
            }
            Ok(effects)
        }
    }
}

/// The authority whose key `did` is, checked to be allowed to sign at `pos`.
pub fn signer(
    view: &impl View,
    roots: &TrustRoots,
    did: &str,
    pos: Position,
) -> Result<Authority, PolicyError> {
    if let Some(root) = roots.root_by_did(did) {
        // A root may have a record (e.g. to hold its successor); otherwise it is as the trust roots say.
        return Ok(view
            .authority(&root.id)?
            .unwrap_or_else(|| Authority::root(&root.id, &root.name, &root.did)));
    }
    let id = view
        .authority_of_key(did)?
        .ok_or_else(|| PolicyError::UnknownSigner { did: did.into() })?;
    let a = view
        .authority(&id)?
        .ok_or_else(|| PolicyError::UnknownSigner { did: did.into() })?;
    let key = a
        .key(did)
        .ok_or_else(|| PolicyError::UnknownSigner { did: did.into() })?;
    if let Some(c) = key.compromised_at_us {
        if micros(pos.time) >= c {
            return Err(PolicyError::KeyCompromised {
                did: did.into(),
                authority: a.name.clone(),
            });
        }
    }
    if let Some((succ, _)) = &a.successor {
        return Err(PolicyError::Succeeded {
            authority: a.name.clone(),
            successor: succ.clone(),
        });
    }
    if let Some(r) = key.retired_at {
        return Err(PolicyError::KeyRetired {
            did: did.into(),
            authority: a.name.clone(),
            retired_at: r,
        });
    }
    Ok(a)
}

/// Whether `a` may issue awards of `scheme`: it (or an authority it succeeded) owns it, or its
/// accreditation grants it.
pub fn may_issue(view: &impl View, a: &Authority, scheme: &Scheme) -> Result<bool, PolicyError> {
    if a.schemes.iter().any(|s| *s == scheme.id) {
        return Ok(true);
    }
    let mut cur = Some(a.id.clone());
    for _ in 0..64 {
        let Some(id) = cur else { break };
        if id == scheme.owner {
            return Ok(true);
        }
        cur = view.authority(&id)?.and_then(|x| x.predecessor);
    }
    Ok(false)
}

/// Whether `a` may change awards issued by authority `issuer`: it is the issuer, a successor
/// of it, or an authority above it.
pub fn may_manage(view: &impl View, a: &Authority, issuer: &str) -> Result<bool, PolicyError> {
    let mut cur = Some(issuer.to_string());
    let mut steps = 0;
    // Successor chain first: the successor takes over the predecessor's awards.
    while let Some(id) = cur {
        if id == a.id {
            return Ok(true);
        }
        steps += 1;
        if steps > 64 {
            break;
        }
        cur = view
            .authority(&id)?
            .and_then(|x| x.successor.map(|(s, _)| s));
    }
    // Then the accreditation chain upward from the issuer.
    let mut cur = view.authority(issuer)?.and_then(|x| x.parent);
    let mut steps = 0;
    while let Some(id) = cur {
        if id == a.id {
            return Ok(true);
        }
        steps += 1;
        if steps > 64 {
            break;
        }
        cur = view.authority(&id)?.and_then(|x| x.parent);
    }
    Ok(false)
}

fn active_holder(view: &impl View, uscc: &str) -> Result<Holder, PolicyError> {
    let h = view.holder(uscc)?.ok_or(PolicyError::NotFound {
        what: "holder",
        id: uscc.into(),
        hint: "register it first (honors holder register)",
    })?;
    if let Some(end) = &h.ended {
        return Err(PolicyError::Invalid(format!(
            "holder {uscc} ({}) was {} at log entry {}: it can receive no awards or changes",
            h.name, end.kind, end.index
        )));
    }
    Ok(h)
}

fn fresh_key(view: &impl View, roots: &TrustRoots, did: &str) -> Result<(), PolicyError> {
    if let Some(owner) = view.authority_of_key(did)? {
        return Err(PolicyError::Invalid(format!(
            "key {did} already belongs to authority {owner}: generate a new key"
        )));
    }
    if roots.root_by_did(did).is_some() {
        return Err(PolicyError::Invalid(format!(
            "key {did} is a root authority's key"
        )));
    }
    Ok(())
}

fn past(action: StatusAction) -> &'static str {
    match action {
        StatusAction::Suspend => "suspended",
        StatusAction::Reinstate => "reinstated",
        StatusAction::Revoke => "revoked",
    }
}

fn state_word(state: &AwardState) -> &'static str {
    match state {
        AwardState::Active => "active (not suspended)",
        AwardState::Suspended { .. } => "suspended",
        AwardState::Revoked { .. } => "revoked",
        AwardState::Superseded { .. } => "superseded",
        AwardState::Ended { .. } => "ended (its holder merged, split or dissolved)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authority::{Holder, Scheme};
    use crate::state::MemoryState;
    use crate::statement::Statement;
    use crate::status::StatusRef;
    use crate::trust::RootEntry;

    const ROOT: &str = "urn:uuid:0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a01";
    const SCHEME: &str = "urn:uuid:0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a02";
    const USCC: &str = "12430700446432465B";

    fn key() -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&[7; 32])
    }

    fn setup() -> (MemoryState, TrustRoots) {
        let did = crate::credential::did_for(&key().verifying_key());
        let roots = TrustRoots {
            roots: vec![RootEntry {
                name: "国家卫生健康委员会".into(),
                id: ROOT.into(),
                did,
            }],
            logs: vec![],
        };
        let mut state = MemoryState::default();
        state.apply(&[
            Effect::Scheme(Scheme {
                id: SCHEME.into(),
                title: "三级甲等医院".into(),
                level: "national".into(),
                category: "grading".into(),
                validity_years: None,
                owner: ROOT.into(),
                index: 0,
            }),
            Effect::Holder(Holder {
                uscc: USCC.into(),
                name: "常德市第二人民医院".into(),
                province: "湖南省".into(),
                city: "常德市".into(),
                former_names: vec![],
                index: 1,
                ended: None,
            }),
        ]);
        (state, roots)
    }

    fn award(status: Option<StatusRef>) -> SignedStatement {
        let st = Statement {
            id: format!("urn:uuid:{}", uuid::Uuid::now_v7()),
            issuer_did: crate::credential::did_for(&key().verifying_key()),
            issuer_name: "国家卫生健康委员会".into(),
            valid_from: jiff::Timestamp::UNIX_EPOCH,
            valid_until: None,
            kind: Kind::Award {
                uscc: USCC.parse().unwrap(),
                holder_name: "常德市第二人民医院".into(),
                sub_unit: None,
                title: "三级甲等医院".into(),
                scheme: SCHEME.into(),
                scheme_title: "三级甲等医院".into(),
                batch_year: None,
                previous: None,
                reason: None,
                status,
            },
        };
        let bytes = crate::statement::sign(&st, &key(), jiff::Timestamp::UNIX_EPOCH).unwrap();
        crate::statement::verify_signed(&bytes).unwrap()
    }

    fn pos(index: u64) -> Position {
        Position {
            index,
            time: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_status_index_is_used_once_per_authority() {
        let (mut state, roots) = setup();
        let first = decide(
            &state,
            &roots,
            pos(2),
            &award(Some(StatusRef::new("h.example", ROOT, 42))),
        )
        .unwrap();
        match &first[0] {
            Effect::Award { award, new: true } => assert_eq!(award.status_index, Some(42)),
            other => panic!("{other:?}"),
        }
        state.apply(&first);
        let err = decide(
            &state,
            &roots,
            pos(3),
            &award(Some(StatusRef::new("h.example", ROOT, 42))),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("index 42") && err.to_string().contains("already used"),
            "{err}"
        );
        decide(
            &state,
            &roots,
            pos(3),
            &award(Some(StatusRef::new("h.example", ROOT, 43))),
        )
        .expect("another index");
        decide(&state, &roots, pos(3), &award(None)).expect("credentialStatus is optional");
        // Lists that are not the issuer's are refused.
        let other = "urn:uuid:0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a09";
        let err = decide(
            &state,
            &roots,
            pos(3),
            &award(Some(StatusRef::new("h.example", other, 44))),
        )
        .unwrap_err();
        assert!(err.to_string().contains("not those of the issuer"), "{err}");
    }
}
