//! Benchmarks: every figure next to the raw primitive it is made of, measured in the same run.
//!
//! `cargo bench --bench honors` (all), or `cargo bench --bench honors -- audit` (one group).
//! The 100,000-entry registry is built once per run with `honors demo --scale` logic
//! (set HONORS_BENCH_SIZE to change it), or HONORS_BENCH_DB=DIR measures an existing `honors demo`
//! registry, such as the million-award one of benches/million.sh, with the read-only groups
//! (`primitives|credential|registry|verify|audit`). Results and ratios: docs/PERFORMANCE.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ed25519_dalek::{Signer, SigningKey};
use sha2::{Digest, Sha256};

use honors::registry::Registry;

/// The allocator of the `honors` binary (src/main.rs), so that in-process figures are those of
/// `honors serve`, `verify` and `audit`, not of glibc's malloc.
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

/// A demo registry scaled to `n` awards, built once per process; or, with HONORS_BENCH_DB=DIR,
/// an existing `honors demo` registry (e.g. the million-award one of benches/million.sh), which
/// the read-only groups (`registry`, `verify`, `audit`) then measure as it is.
fn registry(n: usize) -> &'static (Option<tempfile::TempDir>, std::path::PathBuf) {
    static REG: std::sync::OnceLock<(Option<tempfile::TempDir>, std::path::PathBuf)> =
        std::sync::OnceLock::new();
    REG.get_or_init(|| {
        if let Some(dir) = std::env::var_os("HONORS_BENCH_DB") {
            return (None, dir.into());
        }
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("reg");
        let t = std::time::Instant::now();
        honors::demo::build(&dir, now(), Some(n), &|_| {}).unwrap();
        eprintln!(
            "built a registry of {n} awards in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        (Some(tmp), dir)
    })
}

/// One of the own schemes of a demo commission (by name), and a hospital of 河南省.
fn commission_fixture(
    reg: &Registry,
    commission: &str,
) -> (honors::authority::Scheme, honors::authority::Holder) {
    let authority = reg
        .authorities()
        .unwrap()
        .into_iter()
        .find(|a| a.name == commission)
        .unwrap();
    let scheme = reg
        .schemes()
        .unwrap()
        .into_iter()
        .find(|s| s.owner == authority.id)
        .unwrap();
    let holder = reg
        .holders()
        .unwrap()
        .into_iter()
        .find(|h| h.province == "河南省")
        .unwrap();
    (scheme, holder)
}

fn bench_size() -> usize {
    std::env::var("HONORS_BENCH_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// A signed award credential from the registry (its exact logged bytes).
fn sample_credential(reg: &Registry) -> Vec<u8> {
    let awards = reg.list_awards(&Default::default(), now()).unwrap();
    reg.award_credential(&awards[awards.len() / 2].id).unwrap()
}

fn primitives(c: &mut Criterion) {
    let mut g = c.benchmark_group("primitives");
    let key = SigningKey::from_bytes(&[7; 32]);
    let msg = [42u8; 64];
    let sig = key.sign(&msg);
    let vk = key.verifying_key();
    let entry = vec![0x5au8; 1600];
    g.bench_function("ed25519_sign", |b| b.iter(|| key.sign(black_box(&msg))));
    g.bench_function("ed25519_verify_strict", |b| {
        b.iter(|| vk.verify_strict(black_box(&msg), &sig).unwrap())
    });
    g.throughput(Throughput::Bytes(entry.len() as u64));
    g.bench_function("sha256_1600B", |b| {
        b.iter(|| Sha256::digest(black_box(&entry)))
    });
    g.throughput(Throughput::Elements(1));
    let tmp = tempfile::tempdir().unwrap();
    let db = sled::Config::new()
        .path(tmp.path().join("s"))
        .cache_capacity(64 << 20)
        .open()
        .unwrap();
    let tree = db.open_tree("t").unwrap();
    let mut i = 0u64;
    g.bench_function("sled_insert_1600B", |b| {
        b.iter(|| {
            i += 1;
            tree.insert(i.to_be_bytes(), entry.as_slice()).unwrap()
        })
    });
    let data = tmp.path().join("s").join("db");
    g.bench_function("sled_insert_flush_fsync", |b| {
        b.iter(|| {
            i += 1;
            tree.insert(i.to_be_bytes(), entry.as_slice()).unwrap();
            db.flush().unwrap();
            std::fs::File::open(&data).unwrap().sync_all().unwrap();
        })
    });
    // The store's floor for a bulk import: one durable transaction holding the writes 1,000
    // awards need (entry, tree-hash group, award record, six index keys), with this build's
    // key and value sizes, and nothing else (no signing, parsing or policy).
    g.sample_size(10).throughput(Throughput::Elements(1000));
    let store = honors::store::Store::create(&tmp.path().join("floor")).unwrap();
    // A compressed award entry is about 260 bytes (docs/PERFORMANCE.md, disk).
    let packed: Vec<u8> = (0..260u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let mut next = 0u64;
    g.bench_function("sled_commit_1000_awards_writes_durable", |b| {
        b.iter_batched(
            || {
                let mut w = Vec::with_capacity(9_000);
                for _ in 0..1000 {
                    next += 1;
                    w.extend(award_shaped_writes(next, &packed));
                }
                w
            },
            |w| store.commit(&w).unwrap(),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

/// The writes of one award, sized as `Registry::submit` makes them.
fn award_shaped_writes(n: u64, packed_entry: &[u8]) -> Vec<honors::store::Write> {
    use honors::store::trees::{award_key, index_key, status_key, T};
    use honors::store::Write;
    let id = format!(
        "urn:uuid:{}",
        uuid::Uuid::from_u128((n as u128).wrapping_mul(0x9E3779B97F4A7C15F39CC0605CEDC835))
    );
    let pair_key = |prefix: &str, id: &str| index_key(prefix, id).expect("an award id");
    let key = award_key(&id).expect("an award id");
    let uscc = format!("12{:016}", n % 4000);
    let scheme = "urn:uuid:01a20876-8540-752a-8ebd-9a2d18cdbf44";
    vec![
        Write::put(T::Entries, n.to_be_bytes(), packed_entry.to_vec()),
        Write::put(T::Hashes, n.to_be_bytes(), vec![7u8; 64]),
        Write::put(T::Awards, key, vec![1u8; 344]),
        Write::put(T::ByHolder, pair_key(&uscc, &id), Vec::new()),
        Write::put(T::ByScheme, pair_key(scheme, &id), Vec::new()),
        Write::put(T::ByIssuer, pair_key(scheme, &id), Vec::new()),
        Write::put(
            T::ByTitle,
            pair_key("山东省临床重点专科 心血管内科", &id),
            Vec::new(),
        ),
        Write::put(T::ByYear, pair_key("2024", &id), Vec::new()),
        Write::put(T::ByStatus, status_key(scheme, n as u32), key.to_vec()),
    ]
}

fn credentials(c: &mut Criterion) {
    let (_, dir) = registry(bench_size());
    let reg = Registry::open(dir).unwrap();
    let bytes = sample_credential(&reg);
    let signed = honors::statement::verify_signed(&bytes).unwrap();
    let key = SigningKey::from_bytes(&[9; 32]);
    let mut st = signed.statement.clone();
    st.issuer_did = honors::credential::didkey::did_for(&key.verifying_key());
    let mut g = c.benchmark_group("credential");
    g.bench_function("issue_sign_award", |b| {
        b.iter(|| honors::statement::sign(black_box(&st), &key, now()).unwrap())
    });
    g.bench_function("verify_award", |b| {
        b.iter(|| honors::statement::verify_signed(black_box(&bytes)).unwrap())
    });
    let prepared: Vec<_> = (0..64)
        .map(|_| honors::statement::parse_signed(&bytes).unwrap().1)
        .collect();
    g.throughput(Throughput::Elements(64));
    g.bench_function("verify_batch_64", |b| {
        b.iter(|| honors::credential::verify_batch(black_box(&prepared)))
    });
    g.finish();
    drop(reg);
}

fn registry_ops(c: &mut Criterion) {
    let (_, dir) = registry(bench_size());
    let reg = Registry::open(dir).unwrap();
    let size = reg.size().unwrap();
    let mut g = c.benchmark_group("registry");
    let mut n = 0u64;
    g.bench_function("inclusion_proof", |b| {
        b.iter(|| {
            n = (n + 7919) % size;
            reg.inclusion_proof(black_box(n), size).unwrap()
        })
    });
    let id = reg
        .list_awards_limited(&Default::default(), now(), 1001)
        .unwrap()
        .0[1000]
        .id
        .clone();
    g.bench_function("prove_vc", |b| {
        b.iter(|| reg.award_credential(black_box(&id)).unwrap())
    });
    g.bench_function("search_traditional", |b| {
        b.iter(|| reg.search(black_box("全國三八紅旗集體"), now()).unwrap())
    });
    g.bench_function("prove_bundle", |b| {
        b.iter(|| reg.bundle(black_box(&id)).unwrap().encode())
    });
    g.finish();
    // Verifying a full bundle (award, issuer chain, inclusion proofs, checkpoint) on one core.
    let filter = honors::registry::AwardFilter {
        status: Some(honors::award::Status::Valid),
        ..Default::default()
    };
    // The first 2,000 valid awards in log order (a listing of all of a million is slow).
    let valid_views = reg.list_awards_limited(&filter, now(), 2000).unwrap().0;
    let valid = valid_views[0].id.clone();
    let bundle = reg.bundle(&valid).unwrap().encode();
    let trust = reg.trust_roots().clone();
    let at = now();
    let mut g = c.benchmark_group("verify");
    g.bench_function("verify_bundle_one_core", |b| {
        b.iter(|| {
            let v = honors::verify::verify_bundle(black_box(&bundle), &trust, at, None);
            assert_eq!(v.verdict, honors::award::Status::Valid);
        })
    });
    // The signature cost alone, for the bundle's own statements and checkpoint: its entries'
    // prepared proofs batch-verified (as `verify_bundle` does), and the checkpoint's
    // verify_strict (as `verify_bundle` does), measured in the same run.
    let checked = honors::bundle::parse(&bundle).unwrap();
    let prepared: Vec<_> = checked
        .entries
        .iter()
        .map(|e| {
            honors::statement::parse_signed(&e.entry.statement)
                .unwrap()
                .1
        })
        .collect();
    let n = prepared.len();
    g.bench_function(format!("signatures_only_batch_{n}"), |b| {
        b.iter(|| {
            let r = honors::credential::verify_batch(black_box(&prepared));
            assert!(r.iter().all(|x| x.is_ok()));
        })
    });
    let verifiers = trust.log_verifiers().unwrap();
    g.bench_function("signatures_only_checkpoint", |b| {
        b.iter(|| {
            honors::tlog::open_checkpoint(black_box(&checked.checkpoint), &verifiers).unwrap()
        })
    });
    let first = &prepared[0];
    g.bench_function("signatures_only_verify_strict_1", |b| {
        b.iter(|| {
            first
                .claims
                .key
                .verify_strict(black_box(&first.message), &first.signature)
                .unwrap()
        })
    });
    // With the opt-in cache of a verifier that checks many bundles of this registry: warmed on
    // the bundles of 200 other valid awards, then each measured call verifies a bundle of an
    // award it has not seen (a fresh copy of the warmed verifier per call, copied untimed), so
    // the award's own entries are parsed and signature-checked and the shared chain entries
    // and checkpoint come from the cache.
    let valid_ids: Vec<String> = valid_views.into_iter().map(|a| a.id).collect();
    let (warm_ids, pool_ids) = valid_ids.split_at(200.min(valid_ids.len() / 2));
    let mut warm = honors::verify::BundleVerifier::new(trust.clone());
    for id in warm_ids {
        let v = warm.verify(&reg.bundle(id).unwrap().encode(), at, None);
        assert_eq!(v.verdict, honors::award::Status::Valid);
    }
    let pool: Vec<Vec<u8>> = pool_ids
        .iter()
        .take(500)
        .map(|id| reg.bundle(id).unwrap().encode())
        .collect();
    let mut k = 0usize;
    g.bench_function("verify_bundle_warm_cache_new_award", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut v = warm.clone();
                let bundle = &pool[k % pool.len()];
                k += 1;
                let t = std::time::Instant::now();
                let r = v.verify(black_box(bundle), at, None);
                total += t.elapsed();
                assert_eq!(r.verdict, honors::award::Status::Valid);
            }
            total
        })
    });
    // The same verifier verifying bundles it has all seen (everything but the proofs, the
    // replay and the status from the cache): the ceiling of the cache.
    let mut seen = warm.clone();
    g.bench_function("verify_bundle_warm_cache_seen", |b| {
        let mut i = 0usize;
        b.iter(|| {
            i += 1;
            let r = seen.verify(black_box(&pool[i % 20]), at, None);
            assert_eq!(r.verdict, honors::award::Status::Valid);
        })
    });
    g.finish();
    drop(reg);
}

fn audit(c: &mut Criterion) {
    let (_, dir) = registry(bench_size());
    let reg = Registry::open(dir).unwrap();
    let size = reg.size().unwrap();
    // The raw cost of the same entries: SHA-256 of every entry and verify_strict of every signature.
    let mut entries = Vec::with_capacity(size as usize);
    let mut proofs = Vec::with_capacity(size as usize);
    for i in 0..size {
        let e = reg.entry(i).unwrap();
        let (_, p) = honors::statement::parse_signed(&e.statement).unwrap();
        proofs.push(p);
        entries.push(e.encode().unwrap());
    }
    let mut g = c.benchmark_group("audit");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(30))
        .throughput(Throughput::Elements(size));
    g.bench_function(format!("raw_verify_strict_sha256_{size}"), |b| {
        b.iter(|| {
            for (e, p) in entries.iter().zip(&proofs) {
                black_box(honors::tlog::leaf_hash(e));
                p.claims
                    .key
                    .verify_strict(&p.message, &p.signature)
                    .unwrap();
            }
        })
    });
    g.bench_function(format!("audit_live_{size}"), |b| {
        b.iter(|| {
            let r = reg.audit(None, None, &|_, _| {}).unwrap();
            assert!(r.findings.is_empty());
        })
    });
    g.finish();
}

fn writes(c: &mut Criterion) {
    // Its own registry (appending must not change what the other groups measure).
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("w");
    honors::demo::build(&dir, now(), Some(20_000), &|_| {}).unwrap();
    let reg = Registry::open(&dir).unwrap();
    reg.unlock_log(&honors::keyfile::Passphrase::from_file(&dir.join("keys/log.pass")).unwrap())
        .unwrap();
    let commission = "河南省卫生健康委员会";
    let (key, _) = std::fs::read_dir(dir.join("keys"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "key"))
        .find_map(|p| {
            let info = honors::keyfile::read_key_info(&p).ok()?;
            (info.label == commission).then(|| {
                let pass =
                    honors::keyfile::Passphrase::from_file(&p.with_extension("pass")).unwrap();
                honors::keyfile::read_key_file(&p, &pass).unwrap()
            })
        })
        .unwrap();
    let (scheme, holder) = commission_fixture(&reg, commission);
    let did = honors::credential::didkey::did_for(&key.verifying_key());
    let batch = |n: usize| -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| {
                let st = honors::statement::Statement {
                    id: format!("urn:uuid:{}", uuid::Uuid::now_v7()),
                    issuer_did: did.clone(),
                    issuer_name: commission.into(),
                    valid_from: now(),
                    valid_until: None,
                    kind: honors::statement::Kind::Award {
                        uscc: holder.uscc.parse().unwrap(),
                        holder_name: holder.name.clone(),
                        sub_unit: Some(format!("科室{i}")),
                        title: scheme.title.clone(),
                        scheme: scheme.id.clone(),
                        scheme_title: scheme.title.clone(),
                        batch_year: Some(2026),
                        previous: None,
                        reason: None,
                        status: None,
                    },
                };
                honors::statement::sign(&st, &key, now()).unwrap()
            })
            .collect()
    };
    let mut g = c.benchmark_group("write");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(1000));
    // 1,000 signed awards: verified, decided, logged, checkpointed and fsynced together.
    g.bench_function("submit_batch_1000_awards_durable", |b| {
        b.iter_batched(
            || batch(1000),
            |bytes| {
                let r = reg.submit(bytes, now()).unwrap();
                assert!(r.iter().all(|x| x.is_ok()));
            },
            BatchSize::PerIteration,
        )
    });
    // One statement per commit: the cost of a single durable write.
    g.throughput(Throughput::Elements(1));
    g.bench_function("submit_one_award_durable", |b| {
        b.iter_batched(
            || batch(1).pop().unwrap(),
            |bytes| reg.submit_one(bytes, now()).unwrap(),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

/// Whole CLI calls (process start, sled open, key unlock, work, fsync) next to the time sled
/// alone takes to open the same registry.
fn cli(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    let report = honors::demo::build(&dir, now(), Some(20_000), &|_| {}).unwrap();
    let exe = env!("CARGO_BIN_EXE_honors");
    let key = report
        .keys
        .iter()
        .find(|k| k.authority == "河南省卫生健康委员会")
        .unwrap();
    let reg = Registry::open(&dir).unwrap();
    let (scheme, holder) = commission_fixture(&reg, &key.authority);
    drop(reg);
    std::thread::sleep(Duration::from_millis(1500)); // sled's flusher lets go of the lock
    let mut g = c.benchmark_group("cli");
    g.sample_size(20).measurement_time(Duration::from_secs(15));
    let store = dir.join("store");
    g.bench_function("sled_open_only", |b| {
        b.iter(|| {
            let db = sled::Config::new()
                .path(&store)
                .cache_capacity(64 << 20)
                .flush_every_ms(None)
                .open()
                .unwrap();
            black_box(db.was_recovered());
        })
    });
    let run = |args: &[&str]| {
        let out = std::process::Command::new(exe)
            .arg("--db")
            .arg(&dir)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    let mut n = 0;
    g.bench_function("cli_award_issue_durable", |b| {
        b.iter(|| {
            n += 1;
            run(&[
                "-q",
                "award",
                "issue",
                "--holder",
                &holder.uscc,
                "--scheme",
                &scheme.id,
                "--sub-unit",
                &format!("科室{n}"),
                "--key",
                key.key_file.to_str().unwrap(),
                "--passphrase-file",
                key.passphrase_file.to_str().unwrap(),
            ])
        })
    });
    let id = report.sample_award.clone();
    g.bench_function("cli_prove_vc", |b| {
        b.iter(|| run(&["prove", &id, "--format", "vc"]))
    });
    g.bench_function("cli_prove_bundle", |b| {
        b.iter(|| run(&["prove", &id, "--format", "bundle"]))
    });
    let bundle = tmp.path().join("b.json");
    std::fs::write(&bundle, run(&["prove", &id, "--format", "bundle"]).stdout).unwrap();
    let trust = dir.join("trust-roots.toml");
    g.bench_function("cli_verify_bundle", |b| {
        b.iter(|| {
            let out = std::process::Command::new(exe)
                .arg("verify")
                .arg(&bundle)
                .arg("--trust")
                .arg(&trust)
                .output()
                .unwrap();
            assert!(out.status.success());
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    primitives,
    credentials,
    registry_ops,
    audit,
    writes,
    cli
);
criterion_main!(benches);
