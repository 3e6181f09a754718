// The search page: lists a hospital's honors (GET /api/v1/search?q= or, for a 统一社会信用代码,
// /api/v1/holders/{uscc}/awards), each linking to /verify#CODE (the compact code from
// /api/v1/awards/{id}/proof?format=compact, percent-encoded). A text search asks for pages of
// PAGE awards and shows the total from X-Total-Count; "more" follows the Link: rel="next" URL.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const EN = {
    brand: "Hospital honors registry", nav_search: "Search", nav_verify: "Verify", title: "Search hospital honors",
    lead: "Enter a hospital's name, an honor's title (simplified or traditional characters) or an 18-character unified social credit code. Every honor can be verified independently in your browser.",
    placeholder: "e.g. 淄博市妇幼保健院, 三八红旗, 12370300…", search_btn: "Search", more: "Show more",
    col_holder: "Holder", col_title: "Honor", col_issuer: "Issuer", col_dates: "Validity", col_status: "Status",
    note: "The statuses in this list are the registry server's; press “Verify” to check one yourself, in your browser, from the signatures and the transparency log.",
    footer: "honors · verified locally; no request goes to any third party",
  };
  const WORDS = {
    zh: { valid: "有效", expired: "已过期", not_yet_valid: "尚未生效", suspended: "已暂停", revoked: "已撤销", superseded: "已被取代", invalid: "无效", verify: "验证", found: (n, t) => t && t.n > n ? `找到 ${t.atLeast ? "至少 " : ""}${t.n} 项荣誉，显示前 ${n} 项` : `找到 ${n} 项荣誉`, none: "没有找到", error: (m) => `查询失败：${m}`, open: "长期" },
    en: { valid: "valid", expired: "expired", not_yet_valid: "not yet valid", suspended: "suspended", revoked: "revoked", superseded: "superseded", invalid: "invalid", verify: "Verify", found: (n, t) => t && t.n > n ? `${t.atLeast ? "At least " : ""}${t.n} honors found, showing ${n}` : `${n} honors found`, none: "Nothing found", error: (m) => `Search failed: ${m}`, open: "open" },
  };
  const zh = {};
  document.querySelectorAll("[data-i18n]").forEach((el) => { zh[el.dataset.i18n] = el.textContent; });
  document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { zh[el.dataset.i18nPlaceholder] = el.placeholder; });
  let lang = localStorage.getItem("honors-lang") === "en" ? "en" : "zh";
  let rows = null, summary = null, next = null;
  const PAGE = 50;

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
    $("summary").textContent = summary ? (summary.error ? w.error(summary.error) : summary.n ? w.found(summary.n, summary.total) : w.none) : "";
    $("more").hidden = !next;
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

  // The total a search response states, and the next page's URL (RFC 8288 Link, rel="next").
  function pageInfo(r) {
    const exact = r.headers.get("X-Total-Count"), least = r.headers.get("X-Total-Count-At-Least");
    const total = exact ? { n: Number(exact), atLeast: false } : least ? { n: Number(least), atLeast: true } : null;
    const m = /<([^>]+)>;\s*rel="next"/.exec(r.headers.get("Link") || "");
    return { total, next: m ? m[1] : null };
  }

  async function load(url, append) {
    try {
      const r = await fetch(url);
      const body = await r.json();
      if (r.status === 404) { rows = []; summary = { n: 0 }; next = null; }
      else if (!r.ok) { rows = append ? rows : null; summary = { error: (body.error && body.error.message) || `HTTP ${r.status}` }; next = null; }
      else {
        const info = pageInfo(r);
        rows = append ? rows.concat(body) : body;
        next = info.next;
        summary = { n: rows.length, total: info.total || (append && summary ? summary.total : null) };
      }
    } catch (e) {
      rows = append ? rows : null;
      next = null;
      summary = { error: String(e.message || e) };
    }
    draw();
    if (rows && rows.length) fetchCodes(rows);
  }

  function search(q) {
    q = q.trim();
    if (!q) return;
    next = null;
    const url = /^[0-9A-HJ-NPQRTUWXY]{18}$/i.test(q) ? `/api/v1/holders/${encodeURIComponent(q.toUpperCase())}/awards` : `/api/v1/search?q=${encodeURIComponent(q)}&limit=${PAGE}`;
    return load(url, false);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("lang").addEventListener("click", () => { lang = lang === "zh" ? "en" : "zh"; localStorage.setItem("honors-lang", lang); applyLang(); });
    $("search-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const q = $("q").value;
      history.replaceState(null, "", "?q=" + encodeURIComponent(q.trim()));
      search(q);
    });
    $("more").addEventListener("click", () => { if (next) load(next, true); });
    applyLang();
    const q = new URLSearchParams(location.search).get("q");
    if (q) { $("q").value = q; search(q); }
  });
})();
