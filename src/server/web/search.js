// The search page: lists a hospital's honors (GET /api/v1/search?q= or, for a 统一社会信用代码,
// /api/v1/holders/{uscc}/awards), each linking to /verify#CODE (the compact code from
// /api/v1/awards/{id}/proof?format=compact, percent-encoded).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const EN = {
    brand: "Hospital honors registry", nav_search: "Search", nav_verify: "Verify", title: "Search hospital honors",
    lead: "Enter a hospital's name, an honor's title (simplified or traditional characters) or an 18-character unified social credit code. Every honor can be verified independently in your browser.",
    placeholder: "e.g. 淄博市妇幼保健院, 三八红旗, 12370300…", search_btn: "Search",
    col_holder: "Holder", col_title: "Honor", col_issuer: "Issuer", col_dates: "Validity", col_status: "Status",
    note: "The statuses in this list are the registry server's; press “Verify” to check one yourself, in your browser, from the signatures and the transparency log.",
    footer: "honors · verified locally; no request goes to any third party",
  };
  const WORDS = {
    zh: { valid: "有效", expired: "已过期", not_yet_valid: "尚未生效", suspended: "已暂停", revoked: "已撤销", superseded: "已被取代", invalid: "无效", verify: "验证", found: (n) => `找到 ${n} 项荣誉`, none: "没有找到", error: (m) => `查询失败：${m}`, open: "长期" },
    en: { valid: "valid", expired: "expired", not_yet_valid: "not yet valid", suspended: "suspended", revoked: "revoked", superseded: "superseded", invalid: "invalid", verify: "Verify", found: (n) => `${n} honors found`, none: "Nothing found", error: (m) => `Search failed: ${m}`, open: "open" },
  };
  const zh = {};
  document.querySelectorAll("[data-i18n]").forEach((el) => { zh[el.dataset.i18n] = el.textContent; });
  document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { zh[el.dataset.i18nPlaceholder] = el.placeholder; });
  let lang = localStorage.getItem("honors-lang") === "en" ? "en" : "zh";
  let rows = null, summary = null;

  function applyLang() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = lang === "zh" ? zh[el.dataset.i18n] : EN[el.dataset.i18n]; });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = lang === "zh" ? zh[el.dataset.i18nPlaceholder] : EN[el.dataset.i18nPlaceholder]; });
    $("lang").textContent = lang === "zh" ? "English" : "中文";
    draw();
  }

  const codes = new Map(); // award id -> compact code
  function draw() {
    const w = WORDS[lang];
    $("summary").textContent = summary ? (summary.error ? w.error(summary.error) : summary.n ? w.found(summary.n) : w.none) : "";
    const tbody = $("results").querySelector("tbody");
    tbody.textContent = "";
    $("results").hidden = !rows || !rows.length;
    for (const a of rows || []) {
      const tr = document.createElement("tr");
      const cell = (text, cls) => { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; tr.append(td); return td; };
      cell(a.holder_name + (a.sub_unit ? " · " + a.sub_unit : "") + "\n" + a.holder_uscc, "holder");
      cell(a.title + (a.batch_year ? `（${a.batch_year}）` : ""));
      cell(a.issuer);
      cell(`${a.valid_from} – ${a.valid_until || w.open}`);
      const st = cell(w[a.status] || a.status, "status " + a.status);
      st.title = a.status_reason || "";
      const link = document.createElement("a");
      link.textContent = w.verify;
      link.className = "button";
      link.dataset.award = a.id;
      const code = codes.get(a.id);
      link.href = code ? "/verify#" + encodeURIComponent(code) : "/verify";
      if (!code) link.setAttribute("aria-disabled", "true");
      const td = document.createElement("td");
      td.append(link);
      tr.append(td);
      tbody.append(tr);
    }
  }

  async function fetchCodes(list) {
    const queue = list.filter((a) => !codes.has(a.id)).slice(0, 200);
    const worker = async () => {
      for (let a = queue.shift(); a; a = queue.shift()) {
        try {
          const r = await fetch(`/api/v1/awards/${encodeURIComponent(a.id)}/proof?format=compact`);
          if (r.ok) codes.set(a.id, (await r.text()).trim());
        } catch (e) { /* the link stays disabled */ }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    draw();
  }

  async function search(q) {
    q = q.trim();
    if (!q) return;
    const url = /^[0-9A-HJ-NPQRTUWXY]{18}$/i.test(q) ? `/api/v1/holders/${encodeURIComponent(q.toUpperCase())}/awards` : `/api/v1/search?q=${encodeURIComponent(q)}`;
    try {
      const r = await fetch(url);
      const body = await r.json();
      if (r.status === 404) { rows = []; summary = { n: 0 }; }
      else if (!r.ok) { rows = null; summary = { error: (body.error && body.error.message) || `HTTP ${r.status}` }; }
      else { rows = body; summary = { n: body.length }; }
    } catch (e) {
      rows = null;
      summary = { error: String(e.message || e) };
    }
    draw();
    if (rows && rows.length) fetchCodes(rows);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("lang").addEventListener("click", () => { lang = lang === "zh" ? "en" : "zh"; localStorage.setItem("honors-lang", lang); applyLang(); });
    $("search-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const q = $("q").value;
      history.replaceState(null, "", "?q=" + encodeURIComponent(q.trim()));
      search(q);
    });
    applyLang();
    const q = new URLSearchParams(location.search).get("q");
    if (q) { $("q").value = q; search(q); }
  });
})();
