//! From seed records to a plan: which authorities exist, who accredits whom, which schemes.
//!
//! The seed data (`seed-honors.json`, from five public news reports) names issuers as the
//! reports do. The accreditation chains here are this demo's model of the real hierarchy:
//! national bodies and provincial Party committees/governments are roots; provincial health
//! commissions are accredited by 国家卫生健康委员会, city commissions by their province's, and so on.
//! Where a rule has nothing better, a body hangs under its province's government.

use std::collections::BTreeMap;

use serde_json::Value;

/// One seed honour, reduced to what the demo needs.
#[derive(Debug, Clone)]
pub struct SeedAward {
    pub seed_id: String,
    pub issuer: String,
    pub co_issuers: Vec<String>,
    pub level: String,
    pub province: String,
    pub city: String,
    pub holder: String,
    pub sub_unit: Option<String>,
    pub title: String,
    pub category: String,
    pub year: u32,
    pub date: Option<String>,
    pub count: u32,
    pub pending: bool,
    pub evidence: String,
}

/// An authority the demo creates.
#[derive(Debug, Clone)]
pub struct PlannedAuthority {
    pub name: String,
    pub parent: Option<String>,
    pub jurisdiction: String,
}

/// Reads the seed records.
pub fn seed_awards(json: &str) -> Result<Vec<SeedAward>, String> {
    let records: Vec<Value> = serde_json::from_str(json).map_err(|e| format!("seed data: {e}"))?;
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut out = Vec::new();
    for r in &records {
        let holder = &r["holder"];
        let names: Vec<String> = r["issuer_names"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let (issuer, co) = match names.split_first() {
            Some((first, rest)) => (first.clone(), rest.to_vec()),
            None => (candidate(&text(r, "issuer")), Vec::new()),
        };
        // A recommender named first (商丘市科学技术局 → 河南省科学技术厅): the last name is the issuer.
        let (issuer, co) = if text(r, "issuer").contains("recommender") {
            (
                names.last().cloned().unwrap_or(issuer),
                vec![names[0].clone()],
            )
        } else if text(r, "issuer").contains("renamed") {
            // One issuer under its old and new name (潍坊医学院 → 山东第二医科大学): not a joint award.
            (issuer, Vec::new())
        } else {
            (issuer, co)
        };
        let year = r["year"].as_u64().map(|y| y as u32).unwrap_or_else(|| {
            text(r, "source_date")
                .get(0..4)
                .and_then(|y| y.parse().ok())
                .unwrap_or(2020)
        });
        let sub_unit = if holder["is_sub_unit"].as_bool() == Some(true) {
            holder["sub_unit"]
                .as_str()
                .filter(|s| !s.starts_with("unnamed"))
                .map(str::to_string)
        } else {
            None
        };
        let title = r
            .get("title_reconstructed")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| text(r, "title"));
        out.push(SeedAward {
            seed_id: text(r, "id"),
            issuer,
            co_issuers: co,
            level: text(r, "level"),
            province: text(holder, "province"),
            city: text(holder, "city"),
            holder: text(holder, "institution"),
            sub_unit,
            title,
            category: text(r, "category"),
            year,
            date: r["date"].as_str().map(str::to_string),
            count: r["count"].as_u64().map(|c| c as u32).unwrap_or(1).max(1),
            pending: text(r, "status") == "nominated_pending",
            evidence: text(r, "evidence"),
        });
    }
    Ok(out)
}

/// "unknown (candidates: A; B)" → "A".
fn candidate(issuer: &str) -> String {
    let s = issuer
        .split_once("candidate")
        .map(|(_, rest)| rest)
        .unwrap_or(issuer);
    let s = s.trim_start_matches('s').trim_start_matches(':').trim();
    s.split([';', ')', ',', '（'])
        .next()
        .unwrap_or(s)
        .split(" / ")
        .next()
        .unwrap_or(s)
        .trim()
        .to_string()
}

/// National bodies that the demo's trust roots name.
const NATIONAL_ROOTS: &[&str] = &[
    "国家卫生健康委员会",
    "中华全国妇女联合会",
    "科学技术部",
    "工业和信息化部",
    "中国共产主义青年团中央委员会",
    "中央精神文明建设指导委员会",
    "中华全国总工会",
    "教育部",
];

/// The authority plan: every authority with its parent, in creation order (parents first).
#[derive(Debug, Default)]
pub struct Plan {
    pub authorities: Vec<PlannedAuthority>,
    index: BTreeMap<String, usize>,
}

impl Plan {
    pub fn get(&self, name: &str) -> Option<&PlannedAuthority> {
        self.index.get(name).map(|&i| &self.authorities[i])
    }

    pub fn is_root(&self, name: &str) -> bool {
        self.get(name).is_some_and(|a| a.parent.is_none())
    }

    fn add(&mut self, name: &str, parent: Option<&str>, jurisdiction: &str) {
        if self.index.contains_key(name) {
            return;
        }
        if let Some(p) = parent {
            debug_assert!(
                self.index.contains_key(p),
                "parent {p} planned before {name}"
            );
        }
        self.index.insert(name.to_string(), self.authorities.len());
        self.authorities.push(PlannedAuthority {
            name: name.into(),
            parent: parent.map(str::to_string),
            jurisdiction: jurisdiction.into(),
        });
    }

    fn root(&mut self, name: &str) {
        self.add(name, None, crate::authority::NATIONWIDE);
    }

    /// The province's government (a root for bodies with no better parent).
    fn province_root(&mut self, province: &str) -> String {
        let name = format!("{province}人民政府");
        self.root(&name);
        name
    }

    /// Plans `name` (and its parents) for an award at `level` to a holder in `province`/`city`.
    pub fn ensure(&mut self, name: &str, level: &str, province: &str, city: &str) {
        if self.index.contains_key(name) {
            return;
        }
        let local = format!("{province}/{city}");
        let nhc = "国家卫生健康委员会";
        if NATIONAL_ROOTS.contains(&name) || name == format!("中共{province}委") {
            return self.root(name);
        }
        if name.ends_with("人民政府") && name.starts_with(province) {
            return self.root(name);
        }
        match level {
            "national" | "association" => {
                self.root(nhc);
                self.add(name, Some(nhc), crate::authority::NATIONWIDE)
            }
            "academic" => {
                self.root("教育部");
                self.add(name, Some("教育部"), crate::authority::NATIONWIDE)
            }
            _ => {
                let hospital =
                    level == "internal" || name.contains("医院") || name.contains("党组");
                let provincial = !hospital && (level == "provincial" || name.starts_with(province));
                let parent = if name.contains("卫生健康委员会") && provincial {
                    self.root(nhc);
                    nhc.to_string()
                } else if name.contains("卫生健康委员会") {
                    let p = format!("{province}卫生健康委员会");
                    self.ensure(&p, "provincial", province, city);
                    p
                } else if name.contains("精神文明建设委员会") {
                    self.root("中央精神文明建设指导委员会");
                    "中央精神文明建设指导委员会".into()
                } else if name.contains("总工会") {
                    self.root("中华全国总工会");
                    "中华全国总工会".into()
                } else if name.contains("科学技术厅") {
                    self.root("科学技术部");
                    "科学技术部".into()
                } else if name.contains("科学技术局") {
                    let p = format!("{province}科学技术厅");
                    self.ensure(&p, "provincial", province, city);
                    p
                } else if name.starts_with("中共") {
                    let p = format!("中共{province}委");
                    self.root(&p);
                    p
                } else if hospital {
                    let p = format!("{city}卫生健康委员会");
                    self.ensure(&p, "municipal", province, city);
                    p
                } else {
                    self.province_root(province)
                };
                let jurisdiction = if provincial {
                    province.to_string()
                } else {
                    local
                };
                self.add(name, Some(&parent), &jurisdiction)
            }
        }
    }
}

/// How many years an award of this kind is valid in the demo (None: no end date).
/// Terms differ by programme and province; these are typical published terms.
pub fn validity_years(category: &str, title: &str) -> Option<i16> {
    if title.contains("文明单位") {
        return Some(3);
    }
    match category {
        "grading" => Some(4),
        "key_specialty" | "key_discipline" | "key_laboratory" | "engineering_center" => Some(5),
        "technical_licence" | "accreditation" => Some(3),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_read() {
        assert_eq!(
            candidate("unknown (candidate: 绵阳市卫生健康委员会)"),
            "绵阳市卫生健康委员会"
        );
        assert_eq!(
            candidate("unknown (candidates: 河南省卫生健康委员会; 河南省妇幼保健协会)"),
            "河南省卫生健康委员会"
        );
        assert_eq!(
            candidate("unknown (candidate: 四川省人民政府, provincial livelihood projects)"),
            "四川省人民政府"
        );
        assert_eq!(
            candidate("unknown (candidates: 山东中医药大学 / 马玉侠团队; 山东省中医药管理局)"),
            "山东中医药大学"
        );
    }

    #[test]
    fn every_seed_issuer_gets_a_chain_to_a_root() {
        let seeds = seed_awards(include_str!("seed-honors.json")).unwrap();
        assert_eq!(seeds.len(), 80);
        let mut plan = Plan::default();
        for s in &seeds {
            plan.ensure(&s.issuer, &s.level, &s.province, &s.city);
        }
        for a in &plan.authorities {
            let mut cur = a.clone();
            let mut steps = 0;
            while let Some(p) = &cur.parent {
                cur = plan.get(p).expect("parent planned").clone();
                steps += 1;
                assert!(steps < 6);
            }
            assert!(plan.is_root(&cur.name));
            if let Some(p) = &a.parent {
                let parent = plan.get(p).unwrap();
                assert!(
                    crate::authority::jurisdiction_within(&a.jurisdiction, &parent.jurisdiction),
                    "{} in {} under {} in {}",
                    a.name,
                    a.jurisdiction,
                    parent.name,
                    parent.jurisdiction
                );
            }
        }
        assert!(
            plan.get("河南省卫生健康委员会").unwrap().parent.as_deref()
                == Some("国家卫生健康委员会")
        );
        assert!(
            plan.get("商丘市卫生健康委员会").unwrap().parent.as_deref()
                == Some("河南省卫生健康委员会")
        );
    }
}
