//! `honors demo --scale N`: grow the demo registry to N awards with realistic generated data,
//! for benchmarks. Hospitals get invented names and codes in real cities of the three demo
//! provinces; awards use the provincial commissions' own schemes with department sub-units.
//! Statements are signed in parallel and submitted in large batches (group commit).

use jiff::Timestamp;
use rayon::prelude::*;

use super::{invented_uscc_in, Demo};
use crate::credential::didkey;
use crate::error::Error;
use crate::statement::{Kind, Statement};

const CITIES: &[(&str, &str, &str)] = &[
    ("山东省", "济南市", "370100"),
    ("山东省", "青岛市", "370200"),
    ("山东省", "淄博市", "370300"),
    ("山东省", "烟台市", "370600"),
    ("山东省", "潍坊市", "370700"),
    ("山东省", "济宁市", "370800"),
    ("山东省", "临沂市", "371300"),
    ("河南省", "郑州市", "410100"),
    ("河南省", "开封市", "410200"),
    ("河南省", "洛阳市", "410300"),
    ("河南省", "新乡市", "410700"),
    ("河南省", "焦作市", "410800"),
    ("河南省", "南阳市", "411300"),
    ("河南省", "商丘市", "411400"),
    ("四川省", "成都市", "510100"),
    ("四川省", "绵阳市", "510700"),
    ("四川省", "宜宾市", "511500"),
];

const KINDS: &[&str] = &[
    "人民医院",
    "中医院",
    "妇幼保健院",
    "儿童医院",
    "中心医院",
    "第二人民医院",
    "骨科医院",
    "肿瘤医院",
];
const UNITS: &[&str] = &[
    "心血管内科",
    "神经内科",
    "儿科",
    "产科",
    "普外科",
    "骨科",
    "眼科",
    "急诊科",
    "重症医学科",
    "护理部",
    "检验科",
    "药剂科",
];

const BATCH: usize = 5_000;

impl Demo<'_> {
    /// Adds holders and awards until the registry holds `target` awards.
    pub(super) fn scale_to(&mut self, target: usize, existing: usize) -> Result<(), Error> {
        if target <= existing {
            return Ok(());
        }
        let needed = target - existing;
        let hospitals = (needed / 25).clamp(17, 37_000);
        let issuers: Vec<String> = [
            "山东省卫生健康委员会",
            "河南省卫生健康委员会",
            "四川省卫生健康委员会",
        ]
        .iter()
        .filter(|n| self.actors.contains_key(**n))
        .map(|n| n.to_string())
        .collect();
        let schemes = self.reg.schemes()?;
        // Holders, registered by their province's commission.
        let mut holders = Vec::with_capacity(hospitals);
        for i in 0..hospitals {
            let (province, city, region) = CITIES[i % CITIES.len()];
            let name = format!(
                "{}{}{}",
                city.trim_end_matches('市'),
                if i / CITIES.len() == 0 {
                    String::new()
                } else {
                    format!("第{}", i / CITIES.len() + 1)
                },
                KINDS[i % KINDS.len()]
            );
            let uscc = invented_uscc_in(region, 100 + i as u32)?;
            holders.push((province, city, name, uscc));
        }
        let mut statements = Vec::new();
        for (province, city, name, uscc) in &holders {
            let registrar = format!("{province}卫生健康委员会");
            let st = self.statement(
                &registrar,
                Kind::Holder {
                    uscc: uscc.clone(),
                    name: name.clone(),
                    province: province.to_string(),
                    city: city.to_string(),
                },
            )?;
            statements.push((registrar, st));
        }
        self.submit_signed("generated hospitals", statements)?;
        // Awards: each holder gets awards from its province's commission, under that commission's schemes.
        let mut made = 0usize;
        let mut n = 0usize;
        while made < needed {
            let mut statements = Vec::with_capacity(BATCH);
            while statements.len() < BATCH && made + statements.len() < needed {
                let (province, _, name, uscc) = &holders[n % holders.len()];
                let issuer = format!("{province}卫生健康委员会");
                n += 1;
                if !issuers.contains(&issuer) {
                    continue;
                }
                let owner = &self.actor(&issuer)?.id;
                let own: Vec<_> = schemes.iter().filter(|s| &s.owner == owner).collect();
                if own.is_empty() {
                    continue;
                }
                let scheme = own[n % own.len()];
                let year = 2015 + (n % 11) as i16;
                // Generated awards carry status entries too, while the issuer's lists have room.
                let status = self.status_ref(&issuer)?;
                let from = crate::time::parse_date_or_datetime(&format!("{year}-01-01"))?;
                let until = crate::time::parse_end_of_day(&format!("{}-12-31", year + 4))?;
                let mut st = self.statement(
                    &issuer,
                    Kind::Award {
                        uscc: uscc.clone(),
                        holder_name: name.clone(),
                        sub_unit: Some(UNITS[n % UNITS.len()].to_string()),
                        title: scheme.title.clone(),
                        scheme: scheme.id.clone(),
                        scheme_title: scheme.title.clone(),
                        batch_year: Some(year as u32),
                        previous: None,
                        reason: Some("规模测试生成数据（非真实）".into()),
                        status,
                    },
                )?;
                st.valid_from = from;
                st.valid_until = Some(until);
                statements.push((issuer, st));
            }
            made += statements.len();
            self.submit_signed(&format!("generated awards ({made}/{needed})"), statements)?;
        }
        Ok(())
    }

    /// Signs statements in parallel (each by its named authority) and submits them as one batch.
    fn submit_signed(
        &mut self,
        what: &str,
        statements: Vec<(String, Statement)>,
    ) -> Result<(), Error> {
        let now: Timestamp = self.now;
        let keys: std::collections::HashMap<&str, &ed25519_dalek::SigningKey> = self
            .actors
            .iter()
            .map(|(n, a)| (n.as_str(), &a.key))
            .collect();
        let bytes: Vec<Vec<u8>> = statements
            .par_iter()
            .map(|(signer, st)| {
                let key = keys
                    .get(signer.as_str())
                    .ok_or_else(|| Error::internal(format!("demo: no key for {signer}")))?;
                debug_assert_eq!(st.issuer_did, didkey::did_for(&key.verifying_key()));
                crate::statement::sign(st, key, now).map_err(Error::from)
            })
            .collect::<Result<_, _>>()?;
        self.submit(what, bytes)?;
        Ok(())
    }
}
