//! `honors demo --dir DIR`: build the demo registry and show what each role does next.

use std::path::PathBuf;

use super::common::Ctx;
use crate::error::Error;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to build the demo registry (a new directory).
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
    /// Add generated awards until the registry holds N awards (for benchmarks).
    #[arg(long, value_name = "N")]
    pub scale: Option<u64>,
}

pub fn run(a: Args, ctx: &Ctx) -> Result<i32, Error> {
    let started = std::time::Instant::now();
    let out = ctx.out;
    let report = crate::demo::build(&a.dir, ctx.now, a.scale.map(|n| n as usize), &|m| {
        out.status(m)
    })?;
    let v = &report.verdict;
    ctx.out
        .status(format!("done in {:.1} s", started.elapsed().as_secs_f64()));
    ctx.out.result(&report, || {
        let db = report.db.display().to_string();
        let trust = report.trust_roots.display().to_string();
        let mut s = String::new();
        let a = &report.audit;
        s.push_str(&format!("Demo registry: {db}\n  {} awards to {} hospitals, {} log entries, trust roots in {trust}\n", report.awards, report.holders.len(), report.entries));
        s.push_str("  The hospitals' 统一社会信用代码 are INVENTED (valid checksums; no report gives the real ones):\n");
        for h in &report.holders {
            s.push_str(&format!("    {}  {}  ({} awards)\n", h.uscc, h.name, h.awards));
        }
        s.push_str("  Lifecycle events (marked as demonstrations in their reasons):\n");
        for l in &report.lifecycle {
            s.push_str(&format!("    - {l}\n"));
        }
        for k in &report.skipped {
            s.push_str(&format!("    - skipped {k}\n"));
        }
        s.push_str(&format!("\nProved award {} → {}\n", report.sample_award, report.sample_proof.display()));
        s.push_str(&format!("  verify: {} — {}\n", v.verdict, v.reason));
        for c in &v.checks {
            s.push_str(&format!("    {} {:<10} {}\n", if c.ok { "✓" } else { "✗" }, c.check, c.detail));
        }
        let bv = &report.bundle_verdict;
        s.push_str(&format!("  proof bundle → {}
  verified offline (trust roots only): {} — {}
", report.sample_bundle.display(), bv.verdict, bv.reason));
        let sample = report.holders.iter().find(|h| h.name == report.sample_holder);
        let hospital = sample.or(report.holders.first());
        let commission = report.keys.iter().find(|k| k.authority == report.sample_issuer);
        s.push_str(&format!(
            "  audit: {} entries replayed, {} checkpoints verified: {}\n",
            a.entries,
            a.checkpoints,
            if a.findings.is_empty() { "clean".to_string() } else { format!("{} finding(s)", a.findings.len()) }
        ));
        s.push_str("\nWhat each role does next (copy and paste):\n");
        if let Some(h) = hospital {
            s.push_str(&format!("  Hospital ({}):\n    honors --db {db} award list --holder {}\n    honors --db {db} prove {} --format vc -o award.json\n    honors --db {db} prove {} --format bundle -o award.bundle.json\n    honors --db {db} prove {} --format certificate-svg -o certificate.svg\n", h.name, h.uscc, report.sample_award, report.sample_award, report.sample_award));
        }
        if let Some(k) = commission {
            s.push_str(&format!(
                "  Commission ({}):\n    honors --db {db} scheme list\n    honors --db {db} award suspend {} --reason \"限期整改\" --key {} --passphrase-file {}\n",
                k.authority,
                report.sample_award,
                k.key_file.display(),
                k.passphrase_file.display()
            ));
        }
        s.push_str(&format!(
            "  Auditor / public:\n    honors verify {} --trust {trust}\n    honors --db {db} verify {} --trust {trust}\n    honors --db {db} search 全國三八紅旗集體\n    honors --db {db} audit\n    honors --db {db} log checkpoint\n",
            report.sample_bundle.display(),
            report.sample_proof.display()
        ));
        if let Some(k) = commission {
            s.push_str(&format!(
                "  Standard VC / Open Badges tools:\n    honors --db {db} prove {} --format openbadge -o award.ob3.json\n    honors --db {db} log status-list {} --purpose suspension\n",
                report.sample_award, k.id
            ));
        }
        s
    })?;
    let valid = v.verdict == crate::award::Status::Valid
        && report.bundle_verdict.verdict == crate::award::Status::Valid;
    Ok(if valid && report.audit.findings.is_empty() {
        0
    } else {
        1
    })
}
