//! `honors demo`: a registry built from real seed honours, walking through every role.
//!
//! The seed data are 80 honours of five hospitals from public news reports (see `SEED.md`).
//! The demo creates the issuing authorities with accreditation chains (see [`plan`]), their
//! keys (encrypted, passphrases in files beside them so that every role can be tried), the
//! hospitals under **invented** 统一社会信用代码 (no report gives the real ones), the schemes
//! and the awards; then a few lifecycle events clearly marked as demonstrations; then it
//! proves and verifies one award. This is an edge module: it touches files and randomness.

pub mod plan;
mod scale;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::Serialize;

use crate::credential::didkey;
use crate::error::Error;
use crate::id::Uscc;
use crate::keyfile::{self, Passphrase};
use crate::registry::Registry;
use crate::statement::{self, Kind, Relation, Statement, StatusAction};
use crate::time::{parse_date_or_datetime, parse_end_of_day};
use crate::trust::RootEntry;
use crate::verify::Verdict;
use plan::{seed_awards, Plan, SeedAward};

const SEED: &str = include_str!("seed-honors.json");
const ORIGIN: &str = "demo.honors.example/registry";
/// The commission whose key the walkthrough uses.
pub const COMMISSION: &str = "河南省卫生健康委员会";

/// A demo key, so that every role can be tried.
#[derive(Debug, Clone, Serialize)]
pub struct DemoKey {
    /// The authority's name, as `award list` shows it in `issuer`.
    pub authority: String,
    pub id: String,
    pub key_file: PathBuf,
    pub passphrase_file: PathBuf,
}

/// A hospital the demo registered, with its invented code.
#[derive(Debug, Clone, Serialize)]
pub struct DemoHolder {
    pub name: String,
    pub uscc: String,
    pub province: String,
    pub city: String,
    pub awards: usize,
}

/// What the demo built and showed.
#[derive(Debug, Clone, Serialize)]
pub struct DemoReport {
    pub db: PathBuf,
    pub trust_roots: PathBuf,
    pub awards: usize,
    pub entries: u64,
    pub keys: Vec<DemoKey>,
    pub holders: Vec<DemoHolder>,
    pub lifecycle: Vec<String>,
    pub skipped: Vec<String>,
    pub sample_award: String,
    pub sample_holder: String,
    /// The authority that issued the sample award (its key is in `keys`).
    pub sample_issuer: String,
    pub sample_proof: PathBuf,
    pub verdict: Verdict,
    /// The sample award's proof bundle, and its verdict verified offline (trust roots only).
    pub sample_bundle: PathBuf,
    pub bundle_verdict: Verdict,
    pub audit: crate::audit::AuditReport,
}

struct Actor {
    id: String,
    key: SigningKey,
    key_file: PathBuf,
    pass_file: PathBuf,
}

struct Demo<'a> {
    dir: PathBuf,
    now: Timestamp,
    reg: Registry,
    plan: Plan,
    actors: BTreeMap<String, Actor>,
    status: &'a dyn Fn(&str),
    key_seq: usize,
    /// Status-list indexes given to awards not yet submitted, per issuing authority id.
    status_reserved: BTreeMap<String, std::collections::HashSet<u32>>,
}

/// Builds the demo registry in `dir` (which must not hold a registry yet).
/// `scale`: grow the registry to this many awards with generated data (for benchmarks).
pub fn build(
    dir: &Path,
    now: Timestamp,
    scale: Option<usize>,
    status: &dyn Fn(&str),
) -> Result<DemoReport, Error> {
    if dir.join("store").exists() || dir.join("registry.toml").exists() {
        return Err(Error::usage(
            format!("{} already holds a registry", dir.display()),
            "choose a new directory for the demo, or remove the old one",
        ));
    }
    let keys_dir = dir.join("keys");
    std::fs::create_dir_all(&keys_dir).map_err(|e| Error::file(&keys_dir, e))?;
    set_mode(&keys_dir, 0o700)?;
    let log_pass_file = keys_dir.join("log.pass");
    let log_pass = write_passphrase(&log_pass_file)?;
    let (reg, _) = Registry::init(dir, ORIGIN, &log_pass, Some(&log_pass_file))?;
    status(&format!(
        "registry created in {} (log {ORIGIN})",
        dir.display()
    ));

    let seeds = seed_awards(SEED).map_err(Error::internal)?;
    let mut plan = Plan::default();
    for s in &seeds {
        plan.ensure(&s.issuer, &s.level, &s.province, &s.city);
        for co in &s.co_issuers {
            plan.ensure(co, &s.level, &s.province, &s.city);
        }
    }
    let mut demo = Demo {
        dir: dir.into(),
        now,
        reg,
        plan,
        actors: BTreeMap::new(),
        status,
        key_seq: 0,
        status_reserved: BTreeMap::new(),
    };
    demo.authorities()?;
    let schemes = demo.schemes(&seeds)?;
    let holders = demo.holders(&seeds)?;
    let (award_ids, skipped) = demo.awards(&seeds, &schemes, &holders)?;
    let lifecycle = demo.lifecycle(&seeds, &award_ids)?;
    if let Some(target) = scale {
        let existing = award_ids.values().map(Vec::len).sum();
        demo.scale_to(target, existing)?;
    }
    demo.finish(holders, award_ids, lifecycle, skipped)
}

impl Demo<'_> {
    fn new_actor(&mut self, name: &str) -> Result<(), Error> {
        self.key_seq += 1;
        let stem = format!("authority-{:02}", self.key_seq);
        let keys = self.dir.join("keys");
        let pass_file = keys.join(format!("{stem}.pass"));
        let key_file = keys.join(format!("{stem}.key"));
        let pass = write_passphrase(&pass_file)?;
        let key = keyfile::generate_signing_key()?;
        keyfile::write_key_file(&key_file, &key, name, &pass, false)?;
        let id = format!("urn:uuid:{}", uuid::Uuid::now_v7());
        self.actors.insert(
            name.into(),
            Actor {
                id,
                key,
                key_file,
                pass_file,
            },
        );
        Ok(())
    }

    fn actor(&self, name: &str) -> Result<&Actor, Error> {
        self.actors
            .get(name)
            .ok_or_else(|| Error::internal(format!("demo: no key for {name}")))
    }

    fn statement(&self, signer: &str, kind: Kind) -> Result<Statement, Error> {
        Ok(Statement {
            id: format!("urn:uuid:{}", uuid::Uuid::now_v7()),
            issuer_did: didkey::did_for(&self.actor(signer)?.key.verifying_key()),
            issuer_name: signer.into(),
            valid_from: self.now,
            valid_until: None,
            kind,
        })
    }

    /// A random, unused status-list entry for a new award of authority `issuer` (by name);
    /// `None` once its lists are full.
    fn status_ref(&mut self, issuer: &str) -> Result<Option<crate::status::StatusRef>, Error> {
        let id = self.actor(issuer)?.id.clone();
        let reserved = self.status_reserved.entry(id.clone()).or_default();
        self.reg.new_status_ref(&id, reserved)
    }

    fn sign(&self, signer: &str, st: &Statement) -> Result<Vec<u8>, Error> {
        Ok(statement::sign(st, &self.actor(signer)?.key, self.now)?)
    }

    /// Submits a batch; any refusal is a bug in the demo.
    fn submit(
        &mut self,
        what: &str,
        batch: Vec<Vec<u8>>,
    ) -> Result<Vec<crate::registry::Accepted>, Error> {
        let n = batch.len();
        let results = self.reg.submit(batch, self.now)?;
        let accepted = results
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.context(format!("demo {what}")))?;
        if n < 100_000 {
            (self.status)(&format!(
                "  {n} {what} logged (log size {})",
                self.reg.size()?
            ));
        }
        Ok(accepted)
    }

    fn authorities(&mut self) -> Result<(), Error> {
        let planned = self.plan.authorities.clone();
        for a in &planned {
            self.new_actor(&a.name)?;
            if a.parent.is_none() {
                let actor = self.actor(&a.name)?;
                let root = RootEntry {
                    name: a.name.clone(),
                    id: actor.id.clone(),
                    did: didkey::did_for(&actor.key.verifying_key()),
                };
                self.reg.add_root(root)?;
            }
        }
        (self.status)(&format!(
            "  {} authorities, {} of them roots in trust-roots.toml",
            planned.len(),
            planned.iter().filter(|a| a.parent.is_none()).count()
        ));
        Ok(())
    }

    fn schemes(
        &mut self,
        seeds: &[SeedAward],
    ) -> Result<BTreeMap<(String, String), String>, Error> {
        // Hospital grades (三级甲等…) are national schemes of 国家卫生健康委员会, granted to provinces.
        let nhc = "国家卫生健康委员会";
        let mut owners: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
        let mut grants: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for s in seeds.iter().filter(|s| !s.pending) {
            let owner = if s.category == "grading"
                && self.plan.get(&s.issuer).and_then(|a| a.parent.as_deref()) == Some(nhc)
            {
                grants
                    .entry(s.issuer.clone())
                    .or_default()
                    .push((nhc.into(), s.title.clone()));
                nhc.to_string()
            } else {
                s.issuer.clone()
            };
            let level =
                if plan::validity_years(&s.category, &s.title).is_some() || s.level != "unknown" {
                    s.level.clone()
                } else {
                    "unknown".into()
                };
            owners
                .entry((owner, s.title.clone()))
                .or_insert((level, s.category.clone()));
        }
        let mut ids = BTreeMap::new();
        let mut root_batch = Vec::new();
        let mut other_batch = Vec::new();
        for ((owner, title), (level, category)) in &owners {
            let scheme = format!("urn:uuid:{}", uuid::Uuid::now_v7());
            let years = plan::validity_years(category, title).map(|y| y as u32);
            let st = self.statement(
                owner,
                Kind::Scheme {
                    scheme: scheme.clone(),
                    title: title.clone(),
                    level: level.clone(),
                    category: category.clone(),
                    validity_years: years,
                },
            )?;
            let bytes = self.sign(owner, &st)?;
            if self.plan.is_root(owner) {
                root_batch.push(bytes);
            } else {
                other_batch.push(bytes);
            }
            ids.insert((owner.clone(), title.clone()), scheme);
        }
        self.submit("schemes of root authorities", root_batch)?;
        // Accreditations, parents first, with the national schemes granted to them.
        let mut batch = Vec::new();
        for a in self.plan.authorities.clone() {
            let Some(parent) = &a.parent else { continue };
            let granted: Vec<String> = grants
                .get(&a.name)
                .map(|g| g.iter().filter_map(|k| ids.get(k).cloned()).collect())
                .unwrap_or_default();
            let child = self.actor(&a.name)?;
            let kind = Kind::Accreditation {
                child_did: didkey::did_for(&child.key.verifying_key()),
                authority: child.id.clone(),
                name: a.name.clone(),
                jurisdiction: a.jurisdiction.clone(),
                schemes: granted,
                may_accredit: true,
                may_define_schemes: true,
            };
            let st = self.statement(parent, kind)?;
            batch.push(self.sign(parent, &st)?);
        }
        self.submit("accreditations", batch)?;
        self.submit("schemes of accredited authorities", other_batch)?;
        Ok(ids)
    }

    fn holders(&mut self, seeds: &[SeedAward]) -> Result<BTreeMap<String, DemoHolder>, Error> {
        let mut holders: BTreeMap<String, DemoHolder> = BTreeMap::new();
        for s in seeds {
            let h = holders
                .entry(s.holder.clone())
                .or_insert_with(|| DemoHolder {
                    name: s.holder.clone(),
                    uscc: String::new(),
                    province: s.province.clone(),
                    city: s.city.clone(),
                    awards: 0,
                });
            h.awards += s.count as usize;
        }
        let mut batch = Vec::new();
        for (i, h) in holders.values_mut().enumerate() {
            h.uscc = invented_uscc(&h.city, i as u32)?.to_string();
            let registrar = format!("{}卫生健康委员会", h.province);
            let st = self.statement(
                &registrar,
                Kind::Holder {
                    uscc: h.uscc.parse()?,
                    name: h.name.clone(),
                    province: h.province.clone(),
                    city: h.city.clone(),
                },
            )?;
            batch.push(self.sign(&registrar, &st)?);
        }
        self.submit("hospitals (with invented 统一社会信用代码)", batch)?;
        Ok(holders)
    }

    fn awards(
        &mut self,
        seeds: &[SeedAward],
        schemes: &BTreeMap<(String, String), String>,
        holders: &BTreeMap<String, DemoHolder>,
    ) -> Result<(BTreeMap<String, Vec<String>>, Vec<String>), Error> {
        let mut batch = Vec::new();
        let mut ids: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut skipped = Vec::new();
        for s in seeds {
            if s.pending {
                skipped.push(format!(
                    "{} 「{}」: a nomination still pending, so no award is issued",
                    s.seed_id, s.title
                ));
                continue;
            }
            let scheme = schemes
                .get(&(s.issuer.clone(), s.title.clone()))
                .or_else(|| schemes.get(&("国家卫生健康委员会".to_string(), s.title.clone())))
                .ok_or_else(|| Error::internal(format!("demo: no scheme for {}", s.seed_id)))?;
            let holder = &holders[&s.holder];
            let from = match &s.date {
                Some(d) => parse_date_or_datetime(d)?,
                None => parse_date_or_datetime(&format!("{}-01-01", s.year))?,
            };
            let until = plan::validity_years(&s.category, &s.title)
                .map(|y| {
                    let start = crate::time::date_cst(from);
                    let end: jiff::civil::Date = start
                        .parse::<jiff::civil::Date>()
                        .map_err(|e| Error::internal(e.to_string()))?;
                    let end = end
                        .checked_add(y.years())
                        .and_then(|d| d.checked_sub(1.day()))
                        .map_err(|e| Error::internal(e.to_string()))?;
                    parse_end_of_day(&end.to_string()).map_err(Error::from)
                })
                .transpose()?;
            let mut reason = format!("据公开报道（{}）：「{}」", s.seed_id, s.evidence.trim());
            if !s.co_issuers.is_empty() {
                reason.push_str(&format!(" 联合授予：{}。", s.co_issuers.join("、")));
            }
            for _ in 0..s.count {
                let status = self.status_ref(&s.issuer)?;
                let mut st = self.statement(
                    &s.issuer,
                    Kind::Award {
                        uscc: holder.uscc.parse()?,
                        holder_name: holder.name.clone(),
                        sub_unit: s.sub_unit.clone(),
                        title: s.title.clone(),
                        scheme: scheme.clone(),
                        scheme_title: s.title.clone(),
                        batch_year: Some(s.year),
                        previous: None,
                        reason: Some(reason.clone()),
                        status,
                    },
                )?;
                st.valid_from = from;
                st.valid_until = until;
                ids.entry(s.seed_id.clone())
                    .or_default()
                    .push(st.id.clone());
                batch.push(self.sign(&s.issuer, &st)?);
            }
        }
        self.submit("awards", batch)?;
        Ok((ids, skipped))
    }

    fn lifecycle(
        &mut self,
        seeds: &[SeedAward],
        ids: &BTreeMap<String, Vec<String>>,
    ) -> Result<Vec<String>, Error> {
        let mut notes = Vec::new();
        let seed = |id: &str| seeds.iter().find(|s| s.seed_id == id);
        let mut batch = Vec::new();
        // Renewal after re-check (复查) of a 文明单位 title whose three-year term ran out.
        if let (Some(s), Some(prev)) = (seed("H000-04"), ids.get("H000-04").and_then(|v| v.first()))
        {
            let status = self.status_ref(&s.issuer)?;
            let mut st = self.statement(
                &s.issuer,
                Kind::Award {
                    uscc: self.holder_uscc(&s.holder)?,
                    holder_name: s.holder.clone(),
                    sub_unit: s.sub_unit.clone(),
                    title: s.title.clone(),
                    scheme: self.reg.award(prev)?.scheme,
                    scheme_title: s.title.clone(),
                    batch_year: Some(2024),
                    previous: Some((Relation::Renews, prev.clone())),
                    reason: Some("演示：复查合格，继续保留称号（非真实事件）".into()),
                    status,
                },
            )?;
            st.valid_from = parse_date_or_datetime("2024-01-01")?;
            st.valid_until = Some(parse_end_of_day("2026-12-31")?);
            batch.push(self.sign(&s.issuer, &st)?);
            notes.push(format!(
                "renewed 「{}」 of {} after re-check ({prev} → {})",
                s.title, s.holder, st.id
            ));
        }
        // A suspension (限期整改) and a revocation, both marked as demonstrations.
        for (seed_id, action, reason) in [
            (
                "H003-05",
                StatusAction::Suspend,
                "演示：年度考核限期整改（非真实事件）",
            ),
            (
                "H002-24",
                StatusAction::Revoke,
                "演示：批准范围调整，收回其中一项批准（非真实事件）",
            ),
        ] {
            if let (Some(s), Some(award)) =
                (seed(seed_id), ids.get(seed_id).and_then(|v| v.first()))
            {
                let mut st = self.statement(
                    &s.issuer,
                    Kind::Status {
                        award: award.clone(),
                        action,
                        reason: reason.into(),
                    },
                )?;
                st.valid_from = self.now - SignedDuration::from_hours(24);
                batch.push(self.sign(&s.issuer, &st)?);
                notes.push(format!(
                    "{} 「{}」 of {} ({award})",
                    action.as_str(),
                    s.title,
                    s.holder
                ));
            }
        }
        // Joint awards: the co-issuers named in the reports join the award.
        for s in seeds
            .iter()
            .filter(|s| !s.co_issuers.is_empty() && !s.pending)
        {
            for award in ids.get(&s.seed_id).into_iter().flatten().take(1) {
                for co in &s.co_issuers {
                    if self.actors.contains_key(co) {
                        let st = self.statement(
                            co,
                            Kind::CoIssue {
                                award: award.clone(),
                                reason: format!("据公开报道（{}）联合授予", s.seed_id),
                            },
                        )?;
                        batch.push(self.sign(co, &st)?);
                        notes.push(format!(
                            "{co} co-issued 「{}」 of {} (a joint award)",
                            s.title, s.holder
                        ));
                    }
                }
            }
        }
        self.submit("lifecycle statements", batch)?;
        // 潍坊医学院 became 山东第二医科大学 in 2023: the successor takes over, earlier awards stay valid.
        let (old, new) = ("潍坊医学院", "山东第二医科大学");
        if let Some(parent) = self.plan.get(old).and_then(|a| a.parent.clone()) {
            self.new_actor(new)?;
            let pred = self.actor(old)?.id.clone();
            let succ = self.actor(new)?;
            let kind = Kind::Succession {
                predecessor: pred,
                successor: succ.id.clone(),
                successor_did: didkey::did_for(&succ.key.verifying_key()),
                successor_name: new.into(),
                reason: "2023年经教育部批准更名".into(),
            };
            let st = self.statement(&parent, kind)?;
            let bytes = self.sign(&parent, &st)?;
            self.submit("succession", vec![bytes])?;
            notes.push(format!(
                "{new} succeeded {old}; awards signed by {old} stay valid"
            ));
        }
        // A scheduled key rotation: the old key can no longer sign, what it signed stays valid.
        let rotating = COMMISSION;
        if self.actors.contains_key(rotating) {
            let old = self.actor(rotating)?;
            let (old_id, key_file, pass_file) =
                (old.id.clone(), old.key_file.clone(), old.pass_file.clone());
            let old_did = didkey::did_for(&old.key.verifying_key());
            let new_key = keyfile::generate_signing_key()?;
            let new_did = didkey::did_for(&new_key.verifying_key());
            let st = self.statement(
                rotating,
                Kind::KeyRotation {
                    authority: old_id,
                    new_did: new_did.clone(),
                    old_did,
                    reason: "演示：定期轮换密钥".into(),
                },
            )?;
            let bytes = self.sign(rotating, &st)?;
            self.submit("key rotation", vec![bytes])?;
            let pass = Passphrase::from_file(&pass_file)?;
            keyfile::write_key_file(&key_file, &new_key, rotating, &pass, true)?;
            if let Some(a) = self.actors.get_mut(rotating) {
                a.key = new_key;
            }
            notes.push(format!(
                "{rotating} rotated its key to {new_did}; its key file now holds the new key"
            ));
        }
        Ok(notes)
    }

    fn holder_uscc(&self, name: &str) -> Result<Uscc, Error> {
        self.reg
            .holders()?
            .into_iter()
            .find(|h| h.name == name)
            .map(|h| h.uscc.parse())
            .transpose()?
            .ok_or_else(|| Error::internal(format!("demo: holder {name} missing")))
    }

    fn finish(
        self,
        mut holders: BTreeMap<String, DemoHolder>,
        ids: BTreeMap<String, Vec<String>>,
        lifecycle: Vec<String>,
        skipped: Vec<String>,
    ) -> Result<DemoReport, Error> {
        let awards = self.reg.list_awards(&Default::default(), self.now)?;
        for h in holders.values_mut() {
            h.awards = awards.iter().filter(|a| a.holder_uscc == h.uscc).count();
        }
        // Prove and verify one award that is valid today, preferring one of the commission whose
        // key the walkthrough suggests, so that its suspend command works as printed.
        let sample = awards
            .iter()
            .filter(|a| a.status == crate::award::Status::Valid)
            .find(|a| a.issuer == COMMISSION)
            .or_else(|| {
                awards
                    .iter()
                    .find(|a| a.status == crate::award::Status::Valid)
            })
            .ok_or_else(|| Error::internal("demo: no valid award to prove"))?
            .clone();
        let _ = ids;
        let proofs = self.dir.join("proofs");
        std::fs::create_dir_all(&proofs).map_err(|e| Error::file(&proofs, e))?;
        let proof_path = proofs.join("award.vc.json");
        let bytes = self.reg.award_credential(&sample.id)?;
        std::fs::write(&proof_path, &bytes).map_err(|e| Error::file(&proof_path, e))?;
        let trust_path = self.dir.join("trust-roots.toml");
        let trust = crate::registry::load_trust_roots(&trust_path)?;
        let verdict = self.reg.verify_credential(&bytes, &trust, self.now)?;
        let bundle_path = proofs.join("award.bundle.json");
        let bundle = self.reg.bundle(&sample.id)?.encode();
        std::fs::write(&bundle_path, &bundle).map_err(|e| Error::file(&bundle_path, e))?;
        let bundle_verdict = crate::verify::verify_bundle(&bundle, &trust, self.now, None);
        (self.status)("auditing: replaying the whole log against the trust roots …");
        let audit = self.reg.audit(Some(&trust), None, &|_, _| {})?;
        let keys = self
            .actors
            .iter()
            .map(|(name, a)| DemoKey {
                authority: name.clone(),
                id: a.id.clone(),
                key_file: a.key_file.clone(),
                passphrase_file: a.pass_file.clone(),
            })
            .collect();
        Ok(DemoReport {
            db: self.dir.clone(),
            trust_roots: trust_path,
            awards: awards.len(),
            entries: self.reg.size()?,
            keys,
            holders: holders.into_values().collect(),
            lifecycle,
            skipped,
            sample_award: sample.id.clone(),
            sample_holder: sample.holder_name.clone(),
            sample_issuer: sample.issuer.clone(),
            sample_proof: proof_path,
            verdict,
            sample_bundle: bundle_path,
            bundle_verdict,
            audit,
        })
    }
}

/// An invented, checksum-valid 统一社会信用代码 for a demo hospital: 12 (public institution),
/// the city's region code, an organisation code with a valid GB 11714 check digit, and the
/// GB 32100 check character. Invented: no report gives the hospitals' real codes.
fn invented_uscc(city: &str, n: u32) -> Result<Uscc, Error> {
    invented_uscc_in(city_region(city), n)
}

fn city_region(city: &str) -> &'static str {
    match city {
        "淄博市" => "370300",
        "潍坊市" => "370700",
        "焦作市" => "410800",
        "商丘市" => "411400",
        "绵阳市" => "510700",
        _ => "110000",
    }
}

/// An invented code in region `region` (6 digits), number `n`.
fn invented_uscc_in(region: &str, n: u32) -> Result<Uscc, Error> {
    let body = format!("4{:07}", (5_310_000 + u64::from(n) * 7_919) % 10_000_000);
    let weights = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(weights)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let check = match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).unwrap_or('0'),
    };
    Ok(Uscc::from_first17(&format!("12{region}{body}{check}"))?)
}

fn write_passphrase(path: &Path) -> Result<Passphrase, Error> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut raw = [0u8; 18];
    getrandom::fill(&mut raw).map_err(|e| Error::internal(format!("randomness: {e}")))?;
    let text: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| Error::file(path, e))?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::file(path, e))?;
    Ok(Passphrase::new(text.into_bytes())?)
}

fn set_mode(path: &Path, mode: u32) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| Error::file(path, e))
}

#[cfg(test)]
mod tests {
    #[test]
    fn invented_codes_are_valid_and_consistent() {
        for (i, city) in ["淄博市", "潍坊市", "焦作市", "商丘市", "绵阳市"]
            .iter()
            .enumerate()
        {
            let u = super::invented_uscc(city, i as u32).unwrap();
            assert!(u.organization_code_is_consistent(), "{u}");
        }
    }
}
