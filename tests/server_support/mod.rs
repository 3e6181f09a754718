//! Helpers for the HTTP tests: a demo registry, a running `honors serve`, an HTTP client, and
//! award statements signed in-process with the demo's keys.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use honors::keyfile::{read_key_file, Passphrase};
use honors::statement::{sign, Kind, Statement};
use serde_json::Value;

pub fn honors() -> Command {
    Command::new(env!("CARGO_BIN_EXE_honors"))
}

/// `honors demo --dir DIR --json [--scale N]`.
pub struct Demo {
    pub db: PathBuf,
    pub trust: PathBuf,
    pub keys: Vec<DemoKey>,
}

pub struct DemoKey {
    pub authority: String,
    pub id: String,
    pub key_file: PathBuf,
    pub passphrase_file: PathBuf,
}

pub fn demo(dir: &Path, scale: Option<u64>) -> Demo {
    let mut cmd = honors();
    cmd.args(["demo", "--json", "--quiet", "--dir"]).arg(dir);
    if let Some(n) = scale {
        cmd.args(["--scale", &n.to_string()]);
    }
    let out = cmd.output().expect("running honors demo");
    assert!(
        out.status.success(),
        "demo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("demo --json");
    let keys = v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| DemoKey {
            authority: k["authority"].as_str().unwrap().into(),
            id: k["id"].as_str().unwrap().into(),
            key_file: k["key_file"].as_str().unwrap().into(),
            passphrase_file: k["passphrase_file"].as_str().unwrap().into(),
        })
        .collect();
    Demo {
        db: v["db"].as_str().unwrap().into(),
        trust: v["trust_roots"].as_str().unwrap().into(),
        keys,
    }
}

/// A running `honors serve --addr 127.0.0.1:0`; killed on drop unless stopped.
pub struct Server {
    child: Option<Child>,
    pub url: String,
    pub stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    pub fn start(db: &Path, extra: &[&str]) -> Server {
        let mut child = honors()
            .arg("--db")
            .arg(db)
            .args(["--json", "serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting honors serve");
        // stdout holds one (pretty-printed) JSON value once the socket is listening.
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut text = String::new();
        let v: Value = loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 {
                let mut err = String::new();
                let _ = child.stderr.take().unwrap().read_to_string(&mut err);
                panic!("honors serve ended before listening: {err}");
            }
            text.push_str(&line);
            if let Ok(v) = serde_json::from_str(&text) {
                break v;
            }
        };
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let mut e = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = e.read_to_string(&mut s);
            sink.lock().unwrap().push_str(&s);
        });
        Server {
            child: Some(child),
            url: v["url"].as_str().unwrap().trim_end_matches('/').to_string(),
            stderr,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// Sends SIGTERM and waits (at most 30 s) for the exit status.
    pub fn stop(mut self) -> ExitStatus {
        let mut child = self.child.take().unwrap();
        let ok = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        let start = Instant::now();
        loop {
            if let Some(s) = child.try_wait().unwrap() {
                return s;
            }
            if start.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                panic!("honors serve did not stop within 30 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// A response: status, headers we look at, body.
pub struct Resp {
    pub status: u16,
    pub content_type: String,
    pub cache_control: String,
    pub cors: String,
    /// `X-Total-Count`, if sent.
    pub total_count: String,
    /// `Link` (the next page of a search), if sent.
    pub link: String,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

fn resp(mut r: ureq::http::Response<ureq::Body>) -> Resp {
    let h = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (content_type, cache_control, cors, total_count, link) = (
        h("content-type"),
        h("cache-control"),
        h("access-control-allow-origin"),
        h("x-total-count"),
        h("link"),
    );
    let body = r
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .unwrap();
    Resp {
        status: r.status().as_u16(),
        content_type,
        cache_control,
        cors,
        total_count,
        link,
        body,
    }
}

pub fn get(agent: &ureq::Agent, url: &str) -> Resp {
    resp(
        agent
            .get(url)
            .call()
            .unwrap_or_else(|e| panic!("GET {url}: {e}")),
    )
}

pub fn post(agent: &ureq::Agent, url: &str, body: &[u8]) -> Resp {
    resp(
        agent
            .post(url)
            .header("content-type", "application/json")
            .send(body)
            .unwrap_or_else(|e| panic!("POST {url}: {e}")),
    )
}

/// POST that tolerates transport errors (the server may be going away).
pub fn try_post(agent: &ureq::Agent, url: &str, body: &[u8]) -> Result<Resp, String> {
    agent
        .post(url)
        .header("content-type", "application/json")
        .send(body)
        .map(resp)
        .map_err(|e| e.to_string())
}

/// An authority of the demo that may issue a scheme to a holder: everything needed to sign
/// more awards.
#[derive(Clone)]
pub struct Issuer {
    pub key: SigningKey,
    pub did: String,
    pub name: String,
    pub uscc: String,
    pub holder_name: String,
    pub scheme: String,
    pub scheme_title: String,
    pub title: String,
}

impl Issuer {
    /// A fresh award statement (new id each call), signed.
    pub fn award(&self) -> (String, Vec<u8>) {
        self.award_signed_by(&self.key)
    }

    /// The same award statement signed with another key (policy must refuse it).
    pub fn award_signed_by(&self, key: &SigningKey) -> (String, Vec<u8>) {
        let id = format!("urn:uuid:{}", uuid::Uuid::now_v7());
        let now = jiff::Timestamp::now();
        let st = Statement {
            id: id.clone(),
            issuer_did: honors::credential::didkey::did_for(&key.verifying_key()),
            issuer_name: self.name.clone(),
            valid_from: now,
            valid_until: None,
            kind: Kind::Award {
                uscc: self.uscc.parse().unwrap(),
                holder_name: self.holder_name.clone(),
                sub_unit: None,
                title: self.title.clone(),
                scheme: self.scheme.clone(),
                scheme_title: self.scheme_title.clone(),
                batch_year: Some(2026),
                previous: None,
                reason: Some("server test".into()),
                status: None,
            },
        };
        (id, sign(&st, key, now).unwrap())
    }
}

/// Finds a demo authority whose key can issue another award like one it issued: tries the
/// valid awards in the registry until one such statement is accepted (201).
pub fn find_issuer(agent: &ureq::Agent, url: &str, demo: &Demo) -> Issuer {
    let awards = get(agent, &format!("{url}/api/v1/awards?status=valid")).json();
    for a in awards.as_array().unwrap() {
        let Some(k) = demo.keys.iter().find(|k| a["issuer_id"] == k.id.as_str()) else {
            continue;
        };
        let pass = Passphrase::from_file(&k.passphrase_file).unwrap();
        let Ok((key, _)) = read_key_file(&k.key_file, &pass) else {
            continue;
        };
        let issuer = Issuer {
            did: honors::credential::didkey::did_for(&key.verifying_key()),
            key,
            name: a["issuer"].as_str().unwrap().into(),
            uscc: a["holder_uscc"].as_str().unwrap().into(),
            holder_name: a["holder_name"].as_str().unwrap().into(),
            scheme: a["scheme_id"].as_str().unwrap().into(),
            scheme_title: a["scheme"].as_str().unwrap().into(),
            title: a["scheme"].as_str().unwrap().into(),
        };
        let (_, bytes) = issuer.award();
        if post(agent, &format!("{url}/api/v1/statements"), &bytes).status == 201 {
            return issuer;
        }
    }
    panic!("no demo authority could issue another award");
}

/// An existing registry made by `honors demo` (e.g. `--scale 1000000`) as a [`Demo`]: its
/// authorities' key files under `DIR/keys`, matched to their ids by the key's label.
#[allow(dead_code)]
pub fn existing_demo(dir: &Path) -> Demo {
    let out = honors()
        .args([
            "--db",
            dir.to_str().unwrap(),
            "authority",
            "list",
            "--json",
            "-q",
        ])
        .output()
        .expect("running honors authority list");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let authorities: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut keys = Vec::new();
    for e in std::fs::read_dir(dir.join("keys")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "key") {
            continue;
        }
        let file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let label = file["label"].as_str().unwrap_or_default();
        for a in authorities.as_array().unwrap() {
            if a["name"] == label {
                keys.push(DemoKey {
                    authority: label.into(),
                    id: a["id"].as_str().unwrap().into(),
                    key_file: path.clone(),
                    passphrase_file: path.with_extension("pass"),
                });
            }
        }
    }
    Demo {
        db: dir.into(),
        trust: dir.join("trust-roots.toml"),
        keys,
    }
}

/// The latest checkpoint's tree size, via the API.
pub fn tree_size(agent: &ureq::Agent, url: &str) -> u64 {
    get(agent, &format!("{url}/api/v1/checkpoint")).json()["tree_size"]
        .as_u64()
        .unwrap()
}

/// The log's verifier key, via the API.
pub fn log_vkey(agent: &ureq::Agent, url: &str) -> String {
    get(agent, &format!("{url}/api/v1/log/key")).json()["vkey"]
        .as_str()
        .unwrap()
        .into()
}

pub fn b64d(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

pub fn hash32(s: &str) -> [u8; 32] {
    b64d(s).try_into().unwrap()
}
