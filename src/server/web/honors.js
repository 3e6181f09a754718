// honors.js: the in-browser verifier of the `honors` registry. Written for this project (no
// third-party code): base45 (RFC 9285), raw inflate with a preset dictionary (RFC 1951),
// base58btc / did:key, JCS (RFC 8785), eddsa-jcs-2022, C2SP signed notes and checkpoints,
// RFC 6962 / RFC 9162 inclusion proofs, and the status rules of src/award.rs.
// It mirrors a subset of src/verify/bundle.rs; what it does not check is listed in
// docs/SECURITY.md ("What the verification page checks").
// Needs: crypto.subtle with Ed25519 (a secure context: https:// or http://127.0.0.1).
"use strict";

(function (global) {
  const enc = new TextEncoder();
  const dec = new TextDecoder("utf-8", { fatal: true });
  const MAX_STATEMENT_BYTES = 60000;

  class VerifyError extends Error {
    // check: which step failed; zh/en: the reason in both languages.
    constructor(check, en, zh) {
      super(en);
      this.check = check;
      this.en = en;
      this.zh = zh || en;
    }
  }
  const fail = (check, en, zh) => { throw new VerifyError(check, en, zh); };

  // ---- base45 (RFC 9285) ----
  const B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  function base45Decode(text) {
    const v = [];
    for (let i = 0; i < text.length; i++) {
      const k = B45.indexOf(text[i]);
      if (k < 0) fail("code", `base45: character ${JSON.stringify(text[i])} at position ${i} is not in the base45 alphabet`, `base45：第 ${i} 个字符 ${JSON.stringify(text[i])} 不在 base45 字母表中`);
      v.push(k);
    }
    const out = [];
    for (let i = 0; i < v.length; i += 3) {
      const g = v.slice(i, i + 3);
      if (g.length === 3) {
        const n = g[0] + g[1] * 45 + g[2] * 2025;
        if (n > 0xffff) fail("code", "base45: a group of three characters encodes more than 16 bits", "base45：三个字符的分组超过 16 位");
        out.push(n >> 8, n & 0xff);
      } else if (g.length === 2) {
        const n = g[0] + g[1] * 45;
        if (n > 0xff) fail("code", "base45: a final pair of characters encodes more than 8 bits", "base45：末尾两个字符超过 8 位");
        out.push(n);
      } else {
        fail("code", "base45: the length leaves a single character over", "base45：长度多出一个字符");
      }
    }
    return new Uint8Array(out);
  }

  // ---- raw inflate (RFC 1951) with a preset dictionary ----
  // The dictionary pre-fills the window: back-references may reach into it; the output is what
  // follows it. Refuses output above MAX_STATEMENT_BYTES and bytes after the final block.
  const LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
  const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
  const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
  const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
  const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

  // A canonical Huffman code as (counts per length, symbols sorted by code).
  function huffman(lengths) {
    const counts = new Uint16Array(16), offs = new Uint16Array(16);
    for (const l of lengths) counts[l]++;
    counts[0] = 0;
    for (let i = 1; i < 16; i++) offs[i] = offs[i - 1] + counts[i - 1];
    const symbols = new Uint16Array(lengths.length);
    lengths.forEach((l, s) => { if (l) symbols[offs[l]++] = s; });
    return { counts, symbols };
  }

  function inflate(data, dict, limit) {
    const bad = (why) => fail("code", `the compressed credential does not inflate: ${why}`, `压缩的凭证无法解压：${why}`);
    let pos = 0, bit = 0, bitcnt = 0;
    const out = Array.from(dict);
    const start = dict.length;
    const bits = (n) => {
      let v = bit;
      while (bitcnt < n) {
        if (pos >= data.length) bad("the stream is truncated");
        v |= data[pos++] << bitcnt;
        bitcnt += 8;
      }
      bit = v >>> n;
      bitcnt -= n;
      return v & ((1 << n) - 1);
    };
    const decodeSym = (h) => {
      let code = 0, first = 0, index = 0;
      for (let len = 1; len < 16; len++) {
        code |= bits(1);
        const count = h.counts[len];
        if (code - count < first) return h.symbols[index + (code - first)];
        index += count;
        first += count;
        first <<= 1;
        code <<= 1;
      }
      bad("an invalid Huffman code");
    };
    const fixedLit = huffman(Array.from({ length: 288 }, (_, i) => (i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8)));
    const fixedDist = huffman(new Array(30).fill(5));
    let final = 0;
    do {
      final = bits(1);
      const type = bits(2);
      if (type === 0) {
        bit = 0; bitcnt = 0; // to a byte boundary
        if (pos + 4 > data.length) bad("the stream is truncated");
        const len = data[pos] | (data[pos + 1] << 8), nlen = data[pos + 2] | (data[pos + 3] << 8);
        pos += 4;
        if (len !== (~nlen & 0xffff)) bad("a stored block's length does not match its complement");
        if (pos + len > data.length) bad("the stream is truncated");
        for (let i = 0; i < len; i++) out.push(data[pos++]);
      } else if (type === 1 || type === 2) {
        let lit = fixedLit, dist = fixedDist;
        if (type === 2) {
          const hlit = bits(5) + 257, hdist = bits(5) + 1, hclen = bits(4) + 4;
          const cl = new Array(19).fill(0);
          for (let i = 0; i < hclen; i++) cl[CL_ORDER[i]] = bits(3);
          const clh = huffman(cl);
          const lens = [];
          while (lens.length < hlit + hdist) {
            const sym = decodeSym(clh);
            if (sym < 16) lens.push(sym);
            else if (sym === 16) {
              if (!lens.length) bad("a repeat with no previous length");
              const prev = lens[lens.length - 1];
              for (let r = 3 + bits(2); r > 0; r--) lens.push(prev);
            } else if (sym === 17) for (let r = 3 + bits(3); r > 0; r--) lens.push(0);
            else for (let r = 11 + bits(7); r > 0; r--) lens.push(0);
          }
          if (lens.length > hlit + hdist) bad("code lengths overrun");
          lit = huffman(lens.slice(0, hlit));
          dist = huffman(lens.slice(hlit));
        }
        for (;;) {
          const sym = decodeSym(lit);
          if (sym < 256) out.push(sym);
          else if (sym === 256) break;
          else {
            const li = sym - 257;
            if (li >= 29) bad("an invalid length symbol");
            const len = LEN_BASE[li] + bits(LEN_EXTRA[li]);
            const di = decodeSym(dist);
            if (di >= 30) bad("an invalid distance symbol");
            const d = DIST_BASE[di] + bits(DIST_EXTRA[di]);
            if (d > out.length || d > 32768) bad("a distance reaches before the window");
            for (let i = 0; i < len; i++) out.push(out[out.length - d]);
          }
          if (out.length - start > limit) bad(`it inflates to more than ${limit} bytes`);
        }
      } else bad("an invalid block type");
      if (out.length - start > limit) bad(`it inflates to more than ${limit} bytes`);
    } while (!final);
    if (pos !== data.length) bad(`${data.length - pos} bytes follow the end of the stream`);
    return new Uint8Array(out.slice(start));
  }

  const PREFIX = "HONORS1:";
  // The credential bytes inside a compact code (whitespace around it ignored, prefix in any case).
  function decodeCompact(code) {
    code = code.replace(/^[\s\ufeff]+|[\s\ufeff]+$/g, "");
    if (code.slice(0, PREFIX.length).toUpperCase() !== PREFIX) fail("code", "a compact code starts with HONORS1:", "紧凑码应以 HONORS1: 开头");
    if (!global.HONORS1_DICTIONARY) fail("code", "the compact-code dictionary did not load", "紧凑码字典未加载");
    return inflate(base45Decode(code.slice(PREFIX.length)), enc.encode(global.HONORS1_DICTIONARY), MAX_STATEMENT_BYTES);
  }

  // ---- base58btc, base64 ----
  const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  function base58Decode(s) {
    const bytes = [];
    for (const c of s) {
      let carry = B58.indexOf(c);
      if (carry < 0) throw new Error(`${JSON.stringify(c)} is not a base58 character`);
      for (let j = 0; j < bytes.length; j++) {
        carry += bytes[j] * 58;
        bytes[j] = carry & 0xff;
        carry >>= 8;
      }
      while (carry > 0) { bytes.push(carry & 0xff); carry >>= 8; }
    }
    for (let i = 0; i < s.length && s[i] === "1"; i++) bytes.push(0);
    return new Uint8Array(bytes.reverse());
  }
  function base64Decode(s) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw new Error(`${JSON.stringify(s.slice(0, 20))} is not standard base64`);
    const bin = atob(s);
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }
  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  };
  const equalBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const sha256 = async (b) => new Uint8Array(await crypto.subtle.digest("SHA-256", b));

  // ---- did:key (Ed25519: multibase z + base58btc(0xed 0x01 ‖ key)) ----
  function keyForDid(did) {
    if (!did.startsWith("did:key:z")) throw new Error(`${did} is not an Ed25519 did:key (did:key:z…)`);
    const raw = base58Decode(did.slice("did:key:z".length));
    if (raw.length !== 34 || raw[0] !== 0xed || raw[1] !== 0x01) throw new Error(`${did} is not an Ed25519 did:key (multicodec 0xed01, 32 bytes)`);
    return raw.slice(2);
  }
  async function ed25519Verify(key, sig, msg) {
    let k;
    try {
      k = await crypto.subtle.importKey("raw", key, { name: "Ed25519" }, false, ["verify"]);
    } catch (e) {
      return false;
    }
    return crypto.subtle.verify({ name: "Ed25519" }, k, sig, msg);
  }

  // ---- JCS (RFC 8785) ----
  // Keys sorted by UTF-16 code units (JS string order), strings and numbers as ECMAScript's
  // JSON.stringify writes them (which is what RFC 8785 specifies).
  function jcs(v) {
    if (v === null || typeof v === "boolean") return JSON.stringify(v);
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new Error("JCS: a number that is not finite");
      return JSON.stringify(v);
    }
    if (typeof v === "string") {
      if (/[\ud800-\udbff](?![\udc00-\udfff])|(^|[^\ud800-\udbff])[\udc00-\udfff]/.test(v)) throw new Error("JCS: a lone surrogate");
      return JSON.stringify(v);
    }
    if (Array.isArray(v)) return "[" + v.map(jcs).join(",") + "]";
    const keys = Object.keys(v).sort();
    return "{" + keys.map((k) => jcs(k) + ":" + jcs(v[k])).join(",") + "}";
  }

  // ---- eddsa-jcs-2022 (mirrors src/credential/proof.rs) ----
  // Returns the signer's did:key; throws VerifyError("signatures") when the proof does not hold.
  async function verifyCredential(doc, what) {
    const no = (en, zh) => fail("signatures", `${what.en}: ${en}`, `${what.zh}：${zh}`);
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) no("not a JSON object", "不是 JSON 对象");
    let proof = doc.proof;
    if (Array.isArray(proof)) {
      if (proof.length !== 1) no(`expected exactly one proof, found ${proof.length}`, `应有且只有一个证明，实际 ${proof.length} 个`);
      proof = proof[0];
    }
    if (!proof || typeof proof !== "object") no("no proof", "没有证明");
    const str = (f) => { if (typeof proof[f] !== "string") no(`the proof has no "${f}"`, `证明缺少 "${f}"`); return proof[f]; };
    if (str("type") !== "DataIntegrityProof") no("proof type is not DataIntegrityProof", "证明类型不是 DataIntegrityProof");
    if (str("cryptosuite") !== "eddsa-jcs-2022") no("cryptosuite is not eddsa-jcs-2022", "密码套件不是 eddsa-jcs-2022");
    if (str("proofPurpose") !== "assertionMethod") no("proof purpose is not assertionMethod", "证明用途不是 assertionMethod");
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(str("created"))) no("proof created is not a date-time", "证明的 created 不是日期时间");
    const vm = str("verificationMethod");
    const [did, frag] = vm.split("#");
    if (!frag || "did:key:" + frag !== did) no(`verification method ${vm} is not did:key:X#X`, `验证方法 ${vm} 不是 did:key:X#X 形式`);
    let key, sig;
    try { key = keyForDid(did); } catch (e) { no(e.message, e.message); }
    const pv = str("proofValue");
    try {
      if (!pv.startsWith("z")) throw new Error("proofValue is not multibase base58btc");
      sig = base58Decode(pv.slice(1));
    } catch (e) { no(e.message, e.message); }
    if (sig.length !== 64) no(`proofValue decodes to ${sig.length} bytes, not 64`, `proofValue 解码为 ${sig.length} 字节，应为 64`);
    const unsecured = Object.assign({}, doc);
    delete unsecured.proof;
    const config = Object.assign({}, proof);
    delete config.proofValue;
    if ("@context" in config) {
      const dc = unsecured["@context"], pc = config["@context"];
      const prefix = Array.isArray(dc) && Array.isArray(pc) ? pc.every((c, i) => jcs(c) === jcs(dc[i])) : jcs(dc) === jcs(pc);
      if (!prefix) no("the document's @context does not start with the proof's", "文档的 @context 与证明的 @context 不符");
      unsecured["@context"] = pc;
    }
    let message;
    try {
      message = concat(await sha256(enc.encode(jcs(config))), await sha256(enc.encode(jcs(unsecured))));
    } catch (e) { no(e.message, e.message); }
    if (!(await ed25519Verify(key, sig, message))) no(`the signature does not verify under ${did}`, `签名在 ${did} 下验证失败`);
    const issuer = typeof doc.issuer === "string" ? doc.issuer : doc.issuer && doc.issuer.id;
    if (issuer !== did) no(`issuer ${issuer} is not the signing key ${did}`, `签发者 ${issuer} 不是签名密钥 ${did}`);
    return did;
  }

  // ---- C2SP signed notes and checkpoints ----
  // A verifier key: name+hex(key id)+base64(0x01 ‖ Ed25519 key). Key id = SHA-256(name ‖ "\n" ‖ 0x01 ‖ key)[:4].
  async function parseVkey(vkey) {
    const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey);
    if (!m) throw new Error(`log key ${vkey} is not name+hash+key`);
    const raw = base64Decode(m[3]);
    if (raw.length !== 33 || raw[0] !== 0x01) throw new Error(`log key ${vkey} is not an Ed25519 note key`);
    const id = (await sha256(concat(enc.encode(m[1] + "\n"), raw))).slice(0, 4);
    if (hex(id) !== m[2]) throw new Error(`log key ${vkey}: its key id does not match the key`);
    return { name: m[1], id: hex(id), key: raw.slice(1) };
  }

  async function openCheckpoint(note, vkeys) {
    const no = (en, zh) => fail("checkpoint", en, zh);
    const cut = note.lastIndexOf("\n\n");
    if (cut < 0 || !note.endsWith("\n")) no("the checkpoint is not a signed note", "检查点不是签名注记");
    const text = note.slice(0, cut + 1);
    const lines = text.split("\n");
    const origin = lines[0];
    if (!/^\d+$/.test(lines[1] || "")) no("the checkpoint has no tree size", "检查点缺少树大小");
    let root;
    try { root = base64Decode(lines[2] || ""); } catch (e) { no(e.message, e.message); }
    if (root.length !== 32) no("the checkpoint's root hash is not 32 bytes", "检查点的根哈希不是 32 字节");
    const size = BigInt(lines[1]);
    const keys = [];
    for (const v of vkeys) {
      try { keys.push(await parseVkey(v)); } catch (e) { no(e.message, e.message); }
    }
    if (!keys.length) no("the trust roots name no log key", "信任根中没有日志密钥");
    let signedBy = null;
    for (const line of note.slice(cut + 2).split("\n")) {
      if (!line) continue;
      const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
      if (!m) no(`malformed signature line ${JSON.stringify(line)}`, `签名行格式错误 ${JSON.stringify(line)}`);
      let raw;
      try { raw = base64Decode(m[2]); } catch (e) { no(e.message, e.message); }
      if (raw.length < 5) no("a signature line is too short", "签名行过短");
      const k = keys.find((k) => k.name === m[1] && k.id === hex(raw.slice(0, 4)));
      if (!k) continue; // e.g. a witness cosignature: not checked
      if (raw.length !== 68 || !(await ed25519Verify(k.key, raw.slice(4), enc.encode(text)))) no(`the checkpoint signature of ${k.name} does not verify`, `${k.name} 的检查点签名验证失败`);
      if (k.name === origin) signedBy = k;
    }
    if (!signedBy) no(`the checkpoint of log ${origin} is not signed by a log key of the trust roots`, `日志 ${origin} 的检查点未由信任根中的日志密钥签名`);
    return { origin, size, root, key: signedBy };
  }

  // ---- RFC 6962 hashing, RFC 9162 §2.1.3.2 inclusion verification ----
  const leafHash = (entry) => sha256(concat(new Uint8Array([0]), entry));
  const nodeHash = (l, r) => sha256(concat(new Uint8Array([1]), l, r));
  async function inclusionOk(index, size, leaf, proof, root) {
    if (index >= size) return false;
    let fn = index, sn = size - 1n, r = leaf;
    for (const p of proof) {
      if (sn === 0n) return false;
      if ((fn & 1n) === 1n || fn === sn) {
        r = await nodeHash(p, r);
        if ((fn & 1n) === 0n) while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      } else r = await nodeHash(r, p);
      fn >>= 1n;
      sn >>= 1n;
    }
    return sn === 0n && equalBytes(r, root);
  }

  // ---- log entries: honors-entry/v1, index N, time T, blank line, the statement ----
  function parseEntry(text, index) {
    const m = /^honors-entry\/v1\nindex (0|[1-9]\d*)\ntime (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)\n\n/.exec(text);
    if (!m) fail("bundle", `entry ${index} is not an honors-entry/v1 entry`, `条目 ${index} 不是 honors-entry/v1 条目`);
    if (BigInt(m[1]) !== BigInt(index)) fail("bundle", `entry ${index} says index ${m[1]} in its text`, `条目 ${index} 的正文写的是 ${m[1]}`);
    const statementText = text.slice(m[0].length);
    let statement;
    try { statement = JSON.parse(statementText); } catch (e) { fail("bundle", `entry ${index}: the statement is not JSON`, `条目 ${index}：声明不是 JSON`); }
    return { index: BigInt(index), time: m[2], timeUs: micros(m[2]), statementText, statement };
  }

  // Microseconds since the epoch of an RFC 3339 date-time (BigInt, exact to the microsecond).
  function micros(s) {
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(s || "");
    if (!m) return null;
    const ms = Date.parse(m[1] + m[3]);
    if (Number.isNaN(ms)) return null;
    return BigInt(ms) * 1000n + BigInt(((m[2] || "") + "000000").slice(0, 6));
  }
  // The date in China time (UTC+8), YYYY-MM-DD.
  function dateCst(us) {
    return new Date(Number(us / 1000n) + 8 * 3600 * 1000).toISOString().slice(0, 10);
  }

  // ---- trust roots: the API's JSON ({"root": [...], "log": [...]}) or trust-roots.toml ----
  function parseTrustRoots(text) {
    const t = text.replace(/^\ufeff/, "").trim();
    let v;
    if (t.startsWith("{")) v = JSON.parse(t);
    else {
      v = { root: [], log: [] };
      let cur = null;
      t.split(/\r?\n/).forEach((raw, n) => {
        const line = raw.trim();
        if (!line || line.startsWith("#")) return;
        const table = /^\[\[\s*(root|log)\s*\]\]\s*(#.*)?$/.exec(line);
        if (table) { cur = {}; v[table[1]].push(cur); return; }
        const kv = /^([A-Za-z_]+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(line);
        if (!kv || !cur) throw new Error(`trust roots line ${n + 1} is not understood: ${line}`);
        cur[kv[1]] = JSON.parse('"' + kv[2] + '"');
      });
    }
    const roots = (v.root || []).filter((r) => r && r.did && r.id);
    const logs = (v.log || []).filter((l) => l && l.vkey).map((l) => l.vkey);
    if (!logs.length) throw new Error("the trust roots name no log key ([[log]] vkey = …)");
    return { roots, logs };
  }

  const types = (s) => (Array.isArray(s.type) ? s.type : [s.type]);
  const kindOf = (s) => types(s)[1];

  // ---- the verification: a bundle (and, from a code, the credential it must hold) ----
  // Returns {verdict, reason:{en,zh}, checks:[{check,ok,en,zh}], award info…}. Never throws.
  async function verifyBundle(bundleText, trust, opts) {
    const checks = [];
    const pass = (check, en, zh) => checks.push({ check, ok: true, en, zh });
    const out = { verdict: "invalid", checks };
    try {
      const now = opts.nowUs != null ? opts.nowUs : BigInt(Date.now()) * 1000n;
      let b;
      try { b = JSON.parse(bundleText); } catch (e) { fail("bundle", "the bundle is not JSON", "证明包不是 JSON"); }
      if (!b || b.format !== "honors-bundle/v1") fail("bundle", "not an honors-bundle/v1 document", "不是 honors-bundle/v1 证明包");
      const known = ["format", "award", "checkpoint", "entries", "consistency"];
      for (const k of Object.keys(b)) if (!known.includes(k)) fail("bundle", `unknown field ${k}`, `未知字段 ${k}`);
      if (typeof b.award !== "string" || !/^urn:uuid:[0-9a-f-]{36}$/.test(b.award)) fail("bundle", "the bundle names no award id", "证明包未指明荣誉编号");
      if (!Array.isArray(b.entries) || !b.entries.length) fail("bundle", "the bundle holds no entries", "证明包没有日志条目");
      out.award = b.award;
      const entries = [];
      let prev = -1n;
      for (const e of b.entries) {
        if (!Number.isSafeInteger(e.index) || BigInt(e.index) <= prev) fail("bundle", "entries are not in strictly increasing log order", "条目未按日志顺序严格递增");
        prev = BigInt(e.index);
        const parsed = parseEntry(String(e.entry), e.index);
        let proof;
        try { proof = (e.proof || []).map(base64Decode); } catch (err) { fail("bundle", `entry ${e.index}: ${err.message}`, `条目 ${e.index}：${err.message}`); }
        if (proof.some((h) => h.length !== 32) || proof.length > 64) fail("bundle", `entry ${e.index}: a proof hash is not 32 bytes`, `条目 ${e.index}：证明哈希不是 32 字节`);
        parsed.bytes = enc.encode(String(e.entry));
        parsed.proof = proof;
        entries.push(parsed);
      }
      pass("bundle", `honors-bundle/v1 of award ${b.award}: ${entries.length} log entries`, `荣誉 ${b.award} 的证明包：${entries.length} 个日志条目`);

      // Checkpoint.
      const cp = await openCheckpoint(String(b.checkpoint || ""), trust.logs);
      out.asOf = Number(cp.size);
      pass("checkpoint", `checkpoint ${cp.size} of log ${cp.origin}, signed by log key ${cp.key.name}+${cp.key.id} of the trust roots`, `日志 ${cp.origin} 的检查点 ${cp.size}，由信任根中的日志密钥 ${cp.key.name}+${cp.key.id} 签名`);

      // Inclusion.
      for (const e of entries) {
        if (!(await inclusionOk(e.index, cp.size, await leafHash(e.bytes), e.proof, cp.root))) {
          fail("inclusion", `entry ${e.index} is not included in the checkpoint of ${cp.size} entries`, `条目 ${e.index} 不在 ${cp.size} 个条目的检查点中`);
        }
      }
      pass("inclusion", `all ${entries.length} entries are in the log (RFC 6962 inclusion proofs to the checkpoint root)`, `全部 ${entries.length} 个条目都在日志中（RFC 6962 包含证明，指向检查点根哈希）`);

      // Signatures and integration times.
      for (const e of entries) {
        if (enc.encode(e.statementText).length > MAX_STATEMENT_BYTES) fail("signatures", `entry ${e.index} is too large`, `条目 ${e.index} 过大`);
        e.signer = await verifyCredential(e.statement, { en: `entry ${e.index}`, zh: `条目 ${e.index}` });
      }
      for (let i = 1; i < entries.length; i++) {
        if (entries[i].timeUs < entries[i - 1].timeUs) fail("signatures", `entry ${entries[i].index} has an earlier integration time than entry ${entries[i - 1].index}`, `条目 ${entries[i].index} 的入账时间早于条目 ${entries[i - 1].index}`);
      }
      pass("signatures", `all ${entries.length} statements carry a valid eddsa-jcs-2022 signature of their issuer's did:key`, `全部 ${entries.length} 条声明的 eddsa-jcs-2022 签名均有效`);

      // The award.
      const pos = entries.findIndex((e) => e.statement.id === b.award);
      if (pos < 0) fail("award", `the bundle does not hold award ${b.award}`, `证明包中没有荣誉 ${b.award}`);
      const ae = entries[pos], a = ae.statement;
      if (kindOf(a) !== "OpenBadgeCredential") fail("award", `${b.award} is not an award`, `${b.award} 不是荣誉`);
      if (opts.credential && !equalBytes(enc.encode(ae.statementText), opts.credential)) {
        fail("award", "the scanned credential is not, byte for byte, the one in the log", "扫描得到的凭证与日志中的记录不一致");
      }
      const subject = a.credentialSubject || {};
      const ident = (subject.identifier || []).find((i) => i.identityType === "ext:USCC") || {};
      const honors = a.honors || {};
      Object.assign(out, {
        title: a.name,
        holder: honors.holderName,
        subUnit: honors.subUnit,
        uscc: ident.identityHash,
        issuerName: a.issuer && a.issuer.name,
        validFrom: a.validFrom,
        validUntil: a.validUntil,
        logIndex: Number(ae.index),
        logged: ae.time,
      });
      pass("award", `award ${b.award} 「${a.name}」, logged at entry ${ae.index}${opts.credential ? "; the code's credential is exactly the logged statement" : ""}`, `荣誉 ${b.award}「${a.name}」，记录于日志条目 ${ae.index}${opts.credential ? "；二维码中的凭证与日志记录逐字节一致" : ""}`);

      // The issuer's chain, from the accreditation entries, up to a trust root.
      const authOfDid = new Map(), parentOf = new Map(), nameOf = new Map();
      for (const r of trust.roots) { authOfDid.set(r.did, r.id); nameOf.set(r.id, r.name); }
      const rootIds = new Set(trust.roots.map((r) => r.id));
      for (const e of entries) {
        const s = e.statement, cs = s.credentialSubject || {};
        switch (kindOf(s)) {
          case "HonorsAccreditation":
            authOfDid.set(cs.id, cs.authority);
            nameOf.set(cs.authority, cs.name);
            if (!rootIds.has(cs.authority)) parentOf.set(cs.authority, e.signer);
            break;
          case "HonorsKeyRotation":
            authOfDid.set(cs.id, cs.authority);
            break;
          case "HonorsAuthoritySuccession":
            if (cs.successor) {
              authOfDid.set(cs.successor.id, cs.successor.authority);
              nameOf.set(cs.successor.authority, cs.successor.name);
              parentOf.set(cs.successor.authority, e.signer);
            }
            break;
        }
      }
      const chain = [];
      let auth = authOfDid.get(ae.signer), reached = false;
      for (let i = 0; i < 64 && auth; i++) {
        chain.push(nameOf.get(auth) || auth);
        if (rootIds.has(auth)) { reached = true; break; }
        const p = parentOf.get(auth);
        auth = p && authOfDid.get(p);
      }
      out.chain = chain;
      if (!reached) fail("chain", "the issuer's accreditation chain in the bundle does not reach a root of the trust roots", "证明包中签发机构的授权链未到达信任根");
      pass("chain", `issued by ${chain.join(" ← ")} (root in the trust roots)`, `签发链：${chain.join(" ← ")}（信任根）`);

      // Status, as src/award.rs status_at: the later statements about the award, in log order.
      let state = { s: "active" }, compromisedUs = null;
      for (const e of entries) {
        const s = e.statement, cs = s.credentialSubject || {};
        const kind = kindOf(s);
        if (kind === "HonorsKeyRevocation" && cs.id === ae.signer) {
          const c = micros(cs.compromisedAt);
          if (c != null && (compromisedUs == null || c < compromisedUs)) compromisedUs = c;
        }
        if (e.index <= ae.index) continue;
        const at = micros(s.validFrom);
        if (kind === "HonorsStatusChange" && cs.id === b.award) {
          const live = state.s === "active" || state.s === "suspended";
          if (cs.action === "suspend" && state.s === "active") state = { s: "suspended", at, reason: cs.reason };
          else if (cs.action === "reinstate" && state.s === "suspended") state = { s: "active" };
          else if (cs.action === "revoke" && live) state = { s: "revoked", at, reason: cs.reason };
          else fail("status", `entry ${e.index}: a ${cs.action} of a ${state.s} award`, `条目 ${e.index}：对${state.s}状态的荣誉执行 ${cs.action}`);
        } else if (kind === "OpenBadgeCredential" && s.honors && (s.honors.corrects === b.award || s.honors.downgrades === b.award)) {
          if (state.s === "active" || state.s === "suspended") state = { s: "superseded", by: s.id };
        } else if (kind === "HonorsHolderEnd" && cs.uscc === ident.identityHash) {
          if (state.s === "active" || state.s === "suspended") state = { s: "ended", at, reason: `${cs.end}: ${cs.reason}` };
        }
      }
      const day = (us) => dateCst(us);
      let v, en, zh;
      const from = micros(a.validFrom), until = a.validUntil ? micros(a.validUntil) : null;
      if (compromisedUs != null && ae.timeUs >= compromisedUs) {
        [v, en, zh] = ["invalid", `signed with a key reported compromised since ${day(compromisedUs)}, and logged after that`, `签名密钥自 ${day(compromisedUs)} 起已报告泄露，且本荣誉在此之后才记录`];
      } else if (state.s === "revoked" && state.at <= now) {
        [v, en, zh] = ["revoked", `revoked on ${day(state.at)} (${state.reason})`, `已于 ${day(state.at)} 撤销（${state.reason}）`];
      } else if (state.s === "superseded") {
        [v, en, zh] = ["superseded", `superseded by ${state.by}`, `已被 ${state.by} 取代`];
      } else if (state.s === "ended" && state.at <= now) {
        [v, en, zh] = ["expired", `ended on ${day(state.at)} (holder ${state.reason})`, `已于 ${day(state.at)} 终止（持有单位 ${state.reason}）`];
      } else if (state.s === "suspended" && state.at <= now) {
        [v, en, zh] = ["suspended", `suspended since ${day(state.at)} (${state.reason})`, `自 ${day(state.at)} 起暂停（${state.reason}）`];
      } else if (from == null || now < from) {
        [v, en, zh] = ["not_yet_valid", `not valid before ${from == null ? "?" : day(from)}`, `${from == null ? "?" : day(from)} 之前无效`];
      } else if (until != null && until < now) {
        [v, en, zh] = ["expired", `expired on ${day(until)}`, `已于 ${day(until)} 过期`];
      } else if (until != null) {
        [v, en, zh] = ["valid", `valid until ${day(until)}`, `有效期至 ${day(until)}`];
      } else {
        [v, en, zh] = ["valid", "valid, with no end date", "有效，无截止日期"];
      }
      if (v === "invalid") fail("status", en, zh);
      const WORD_ZH = { valid: "有效", expired: "已过期", not_yet_valid: "尚未生效", suspended: "已暂停", revoked: "已撤销", superseded: "已被取代" };
      checks.push({ check: "status", ok: true, en: `${v}: ${en} (as of checkpoint ${cp.size})`, zh: `${WORD_ZH[v]}：${zh}（截至检查点 ${cp.size}）` });
      out.verdict = v;
      out.reason = { en, zh };
      out.validFromDay = from != null ? day(from) : null;
      out.validUntilDay = until != null ? day(until) : null;
    } catch (e) {
      const ve = e instanceof VerifyError ? e : new VerifyError("internal", String(e && e.message || e), String(e && e.message || e));
      checks.push({ check: ve.check, ok: false, en: ve.en, zh: ve.zh });
      out.verdict = "invalid";
      out.reason = { en: ve.en, zh: ve.zh };
    }
    return out;
  }

  global.Honors = { VerifyError, base45Decode, inflate, decodeCompact, base58Decode, base64Decode, keyForDid, jcs, verifyCredential, parseVkey, openCheckpoint, inclusionOk, leafHash, parseEntry, micros, dateCst, parseTrustRoots, verifyBundle, PREFIX };
})(self);
