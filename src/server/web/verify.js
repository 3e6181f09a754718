// The verification page: reads a compact code from the URL fragment (/verify#CODE, the code
// percent-encoded), a pasted code or an uploaded bundle, verifies it in the browser with
// honors.js, and shows the verdict in #verdict[data-verdict].
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const dec = new TextDecoder("utf-8", { fatal: true });

  const T = {
    zh: {
      waiting: "等待输入", checking: "正在验证…",
      valid: "有效", expired: "已过期", not_yet_valid: "尚未生效", suspended: "已暂停", revoked: "已撤销", superseded: "已被取代", invalid: "无效",
      trust_server: "本服务器提供的信任根（仅与本服务器同样可信）", trust_own: "您提供的信任根", as_of: (n) => `截至日志检查点 ${n}（树大小 ${n}）`,
      entry: (i, t) => `日志条目 ${i}，${t}`, until: "至", open_end: "长期有效",
      fetch_failed: (what, why) => `无法从登记簿获取${what}：${why}`, bundle_word: "证明包", trust_word: "信任根",
      not_logged: "登记簿的日志中没有这项荣誉", code_check: "紧凑码解码并解压成功，得到一份签名凭证",
      cred_check: "凭证本身的签名有效", bad_json: "紧凑码中的内容不是 JSON 凭证", trust_bad: (m) => `信任根文件无法读取：${m}`,
      no_crypto: "此浏览器不支持所需的 WebCrypto（Ed25519、SHA-256），或页面不是通过 HTTPS 打开的",
    },
    en: {
      brand: "Hospital honors registry", nav_search: "Search", nav_verify: "Verify", title: "Verify an honor",
      lead: "Scan the QR code on the certificate, paste a compact code (HONORS1:…) or upload a proof bundle. Verification happens in your browser: the server only supplies the proof bundle and the trust roots and decides nothing.",
      waiting: "Waiting for input", checking: "Verifying…",
      holder: "Holder", award: "Honor", issuer: "Issuer and accreditation chain", dates: "Validity", logged: "Log entry", asof: "As of", awardid: "Award id",
      checks_title: "Checks done in this browser", input_title: "Input", code_label: "Compact code", verify_btn: "Verify",
      bundle_label: "or upload a proof bundle (honors prove --format bundle)",
      trust_title: "Trust roots",
      trust_text: "The verdict rests on the trust roots: the root authorities and the log's public keys. By default the page uses the trust roots this server provides (/api/v1/trust-roots), which are only as trustworthy as this server: a tampered server can tamper with them too. Get the trust roots from a channel you trust (e.g. the trust-roots.toml published by the authorities) and upload them here; the page then verifies against yours only.",
      trust_using: "Using: ", trust_upload: "Upload a trust-roots file (trust-roots.toml or JSON)", trust_reset: "Use the server's trust roots",
      trust_paste: "or paste a trust-roots file here, then press “Use”", trust_use: "Use",
      scope_title: "What this page checks, and what it does not",
      scope_1: "Checks: the credential's eddsa-jcs-2022 signature (did:key); the signature of every statement in the proof bundle; the checkpoint's signature by a log key of the trust roots (C2SP signed note); every entry's RFC 6962 inclusion proof; that the credential in the code is byte for byte the logged statement; that the accreditation chain reaches a trust root; suspension, reinstatement, revocation, correction, the end of the holder, key compromise and the validity dates.",
      scope_2: "Does not check: that every statement in the bundle obeys the registry's rules (scope of accreditation, jurisdiction, scheme rights, key validity: the full policy replay). The log operator checked them when logging; anyone can re-check with honors verify (full offline replay) or honors audit.",
      scope_3: "The verdict is “as of checkpoint N”: a later revocation shows only in a newer checkpoint.",
      footer: "honors · verified locally; no request goes to any third party",
      valid: "Valid", expired: "Expired", not_yet_valid: "Not yet valid", suspended: "Suspended", revoked: "Revoked", superseded: "Superseded", invalid: "Invalid",
      trust_server: "the trust roots of this server (only as trustworthy as this server)", trust_own: "your own trust roots", as_of: (n) => `as of log checkpoint ${n} (tree size ${n})`,
      entry: (i, t) => `log entry ${i}, ${t}`, until: "to", open_end: "no end date",
      fetch_failed: (what, why) => `could not get the ${what} from the registry: ${why}`, bundle_word: "proof bundle", trust_word: "trust roots",
      not_logged: "this award is not in the registry's log", code_check: "the compact code decodes and inflates to a signed credential",
      cred_check: "the credential's own signature holds", bad_json: "the compact code does not hold a JSON credential", trust_bad: (m) => `the trust-roots file cannot be read: ${m}`,
      no_crypto: "this browser lacks the WebCrypto needed (Ed25519, SHA-256), or the page was not opened over HTTPS",
    },
  };
  const zhDefaults = {};
  document.querySelectorAll("[data-i18n]").forEach((el) => { zhDefaults[el.dataset.i18n] = el.textContent; });
  document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { zhDefaults[el.dataset.i18nPlaceholder] = el.placeholder; });

  let lang = localStorage.getItem("honors-lang") === "en" ? "en" : "zh";
  const t = (k) => (T[lang][k] !== undefined ? T[lang][k] : lang === "zh" ? zhDefaults[k] : T.zh[k]);
  let ownTrust = null; // {roots, logs} given by the visitor
  let last = null; // the last result, re-rendered on a language switch
  let run = 0;

  function applyLang() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = lang === "zh" ? "荣誉验证 · honors" : "Verify an honor · honors";
    document.querySelectorAll("[data-i18n]").forEach((el) => {
      if (el.id === "verdict") return;
      const v = lang === "zh" ? zhDefaults[el.dataset.i18n] : T.en[el.dataset.i18n];
      if (typeof v === "string") el.textContent = v;
    });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => {
      el.placeholder = lang === "zh" ? zhDefaults[el.dataset.i18nPlaceholder] : T.en[el.dataset.i18nPlaceholder];
    });
    $("lang").textContent = lang === "zh" ? "English" : "中文";
    $("trust-source").textContent = ownTrust ? t("trust_own") : t("trust_server");
    render(last);
  }

  function render(r) {
    const v = $("verdict");
    if (!r) {
      v.removeAttribute("data-verdict");
      v.className = "verdict pending";
      v.textContent = t(run ? "checking" : "waiting");
      $("reason").textContent = "";
      $("details").hidden = true;
      $("checks").textContent = "";
      return;
    }
    v.className = "verdict " + r.verdict;
    v.textContent = t(r.verdict);
    v.setAttribute("data-verdict", r.verdict);
    $("reason").textContent = r.reason ? r.reason[lang] : "";
    const checks = $("checks");
    checks.textContent = "";
    for (const c of r.checks) {
      const li = document.createElement("li");
      li.className = c.ok ? "ok" : "fail";
      const tag = document.createElement("code");
      tag.textContent = c.check;
      li.append(c.ok ? "✓ " : "✗ ", tag, " ", c[lang]);
      checks.append(li);
    }
    const has = r.title || r.holder;
    $("details").hidden = !has;
    if (has) {
      $("d-holder").textContent = [r.holder, r.subUnit].filter(Boolean).join(" · ") + (r.uscc ? `（${r.uscc}）` : "");
      $("d-award").textContent = r.title || "";
      $("d-chain").textContent = r.chain && r.chain.length ? r.chain.join(" ← ") : r.issuerName || "";
      $("d-dates").textContent = r.validFromDay ? `${r.validFromDay} ${t("until")} ${r.validUntilDay || t("open_end")}` : r.validFrom || "";
      $("d-log").textContent = r.logIndex != null ? t("entry")(r.logIndex, r.logged) : "";
      $("d-asof").textContent = r.asOf != null ? t("as_of")(r.asOf) : "";
      $("d-id").textContent = r.award || "";
    }
  }

  const invalid = (en, zh, checks) => ({ verdict: "invalid", reason: { en, zh }, checks: (checks || []).concat([{ check: "input", ok: false, en, zh }]) });
  const both = (key, ...args) => {
    const f = (l) => (typeof T[l][key] === "function" ? T[l][key](...args) : T[l][key]);
    return [f("en"), f("zh")];
  };

  async function get(url, what) {
    let r;
    try {
      r = await fetch(url, { cache: "no-store", credentials: "omit" });
    } catch (e) {
      return { error: both("fetch_failed", what, String(e.message || e)) };
    }
    const text = await r.text();
    if (!r.ok) return { status: r.status, error: both("fetch_failed", what, `HTTP ${r.status}`) };
    return { text };
  }

  async function trustRoots() {
    if (ownTrust) return { trust: ownTrust };
    const r = await get("/api/v1/trust-roots", "trust roots");
    if (r.error) return r;
    try {
      return { trust: Honors.parseTrustRoots(r.text) };
    } catch (e) {
      return { error: both("trust_bad", e.message) };
    }
  }

  // input: {code} or {bundle}
  async function verify(input) {
    const mine = ++run;
    last = null;
    render(null);
    let result;
    try {
      result = await verifyInner(input);
    } catch (e) {
      result = invalid(String(e.message || e), String(e.message || e));
    }
    if (mine !== run) return; // a newer input took over
    last = result;
    render(result);
  }

  async function verifyInner(input) {
    if (!self.crypto || !crypto.subtle) return invalid(...both("no_crypto"));
    const tr = await trustRoots();
    if (tr.error) return invalid(...tr.error);
    if (input.bundle !== undefined) return Honors.verifyBundle(input.bundle, tr.trust, {});
    const pre = [];
    let credential, doc;
    try {
      try {
        credential = Honors.decodeCompact(input.code);
      } catch (e) {
        // A raw code pasted into a URL: its base45 '%' may have been read as an escape.
        if (!input.raw || input.raw === input.code) throw e;
        credential = Honors.decodeCompact(input.raw);
      }
      doc = JSON.parse(dec.decode(credential));
    } catch (e) {
      if (e instanceof Honors.VerifyError) return { verdict: "invalid", reason: { en: e.en, zh: e.zh }, checks: [{ check: "code", ok: false, en: e.en, zh: e.zh }] };
      return invalid(...both("bad_json"));
    }
    pre.push({ check: "code", ok: true, en: T.en.code_check, zh: T.zh.code_check });
    try {
      await Honors.verifyCredential(doc, { en: "the credential", zh: "凭证" });
    } catch (e) {
      return { verdict: "invalid", reason: { en: e.en || e.message, zh: e.zh || e.message }, checks: pre.concat([{ check: "signatures", ok: false, en: e.en || e.message, zh: e.zh || e.message }]), title: doc.name, holder: doc.honors && doc.honors.holderName, award: doc.id };
    }
    pre.push({ check: "credential", ok: true, en: T.en.cred_check, zh: T.zh.cred_check });
    if (typeof doc.id !== "string") return invalid(...both("bad_json"), pre);
    const b = await get(`/api/v1/awards/${encodeURIComponent(doc.id)}/proof?format=bundle`, "proof bundle");
    if (b.error) {
      const [en, zh] = b.status === 404 ? both("not_logged") : b.error;
      return { verdict: "invalid", reason: { en, zh }, checks: pre.concat([{ check: "bundle", ok: false, en, zh }]), title: doc.name, holder: doc.honors && doc.honors.holderName, award: doc.id };
    }
    const r = await Honors.verifyBundle(b.text, tr.trust, { credential });
    r.checks = pre.concat(r.checks);
    if (r.award && r.award !== doc.id) return invalid("the bundle is about another award", "证明包对应的是另一项荣誉", r.checks);
    return r;
  }

  // The code in the fragment, percent-decoded; `raw`: as written (only %20 read as a space), for
  // a code put into a URL without escaping its base45 '%'.
  function fromFragment() {
    const frag = location.hash.replace(/^#/, "");
    if (!frag) return null;
    const raw = frag.replace(/%20/g, " ");
    let code = raw;
    try {
      code = decodeURIComponent(frag);
    } catch (e) { /* not percent-encoded */ }
    return { code, raw };
  }

  function onHash() {
    const input = fromFragment();
    if (input) {
      $("code").value = input.code;
      lastInput = input;
      verify(input);
    }
  }

  function readFile(input, then) {
    const f = input.files && input.files[0];
    if (!f) return;
    const rd = new FileReader();
    rd.onload = () => then(String(rd.result));
    rd.readAsText(f);
    input.value = "";
  }

  function useTrust(text) {
    try {
      ownTrust = Honors.parseTrustRoots(text);
    } catch (e) {
      ownTrust = null;
      last = invalid(...both("trust_bad", e.message));
      render(last);
      return;
    }
    applyLang();
    rerun();
  }

  let lastInput = null;
  function rerun() {
    if (lastInput) verify(lastInput);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("lang").addEventListener("click", () => {
      lang = lang === "zh" ? "en" : "zh";
      localStorage.setItem("honors-lang", lang);
      applyLang();
    });
    $("go").addEventListener("click", () => {
      const code = $("code").value.trim();
      if (!code) return;
      const frag = "#" + encodeURIComponent(code);
      if (location.hash === frag) onHash();
      else location.hash = frag;
    });
    $("bundle-file").addEventListener("change", (ev) =>
      readFile(ev.target, (text) => {
        if (/^\s*honors1:/i.test(text)) {
          location.hash = "#" + encodeURIComponent(text.trim());
          return;
        }
        history.replaceState(null, "", location.pathname);
        lastInput = { bundle: text };
        verify(lastInput);
      })
    );
    $("trust-file").addEventListener("change", (ev) => readFile(ev.target, useTrust));
    $("trust-use").addEventListener("click", () => useTrust($("trust-text").value));
    $("trust-reset").addEventListener("click", () => {
      ownTrust = null;
      applyLang();
      rerun();
    });
    window.addEventListener("hashchange", onHash);
    applyLang();
    onHash();
  });
})();
