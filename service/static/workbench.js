// The query workbench. No third-party code: this file, the page and this server are all it needs.
(function () {
  "use strict";
  const state = JSON.parse(document.getElementById("state").textContent);
  const S = state.strings;
  const $ = (id) => document.getElementById(id);
  const editor = $("query"), highlight = $("highlight");
  const lang = document.documentElement.lang;
  let saved = null;  // the saved query being run, or null for free text

  const KEYWORDS = /^(SELECT|CONSTRUCT|DESCRIBE|ASK|WHERE|FILTER|OPTIONAL|UNION|MINUS|GRAPH|SERVICE|BIND|VALUES|PREFIX|BASE|FROM|NAMED|GROUP|BY|ORDER|HAVING|LIMIT|OFFSET|DISTINCT|REDUCED|AS|NOT|EXISTS|IN|ASC|DESC|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT|SEPARATOR|a|true|false)$/i;
  const TOKEN = /("""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(#[^\n]*)|(<[^<>"{}|^`\\\s]*>)|([?$][\w]+)|([A-Za-z_][\w-]*)?(:[\w.-]*)|([A-Za-z_]\w*)|(\s+|.)/g;

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  // `error`: where the query went wrong, {line, at} (`at`: the offset in the text), marked in the editor
  function paint(error) {
    const lines = [];
    let html = "";
    editor.value.replace(TOKEN, (m, str, comment, iri, variable, prefix, local, word, other, offset) => {
      const e = escapeHtml(m);
      if (error && error.at >= offset && error.at < offset + m.length) html += `<span class="t-error-at">${e}</span>`;
      else if (str) html += `<span class="t-string">${e}</span>`;
      else if (comment) html += `<span class="t-comment">${e}</span>`;
      else if (iri) html += `<span class="t-iri">${e}</span>`;
      else if (variable) html += `<span class="t-var">${e}</span>`;
      else if (local !== undefined) html += `<span class="t-pname">${e}</span>`;
      else if (word && KEYWORDS.test(word)) html += `<span class="t-keyword">${e}</span>`;
      else html += e;
      return m;
    });
    if (error && error.at >= editor.value.length) html += '<span class="t-error-at t-error-end"> </span>';
    html.split("\n").forEach((line, i) => {
      lines.push(error && i + 1 === error.line ? `<span class="t-error-line">${line || " "}</span>` : line);
    });
    highlight.innerHTML = lines.join("\n") + "\n";
  }

  function sync() { highlight.parentElement.scrollTop = editor.scrollTop; highlight.parentElement.scrollLeft = editor.scrollLeft; }
  editor.addEventListener("input", () => { if (saved) { saved = null; renderSelection(); } paint(); });
  editor.addEventListener("scroll", sync);

  function withLang(url) { return lang === "en" ? url + (url.includes("?") ? "&" : "?") + "lang=en" : url; }

  function renderLibrary() {
    const list = $("library");
    state.library.forEach((q) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = q.title;
      button.title = q.description;
      button.dataset.name = q.name;
      button.addEventListener("click", () => select(q.name, {}));
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  function select(name, params) {
    saved = state.library.find((q) => q.name === name) || null;
    // the query without its `#+` header: the title, description and parameters are shown above it
    if (saved) { editor.value = saved.text.split("\n").filter((l) => !l.startsWith("#+")).join("\n"); saved.values = Object.assign({}, params); }
    renderSelection();
    paint();
  }

  function renderSelection() {
    const form = $("params"), current = $("current");
    form.innerHTML = "";
    if (!saved) { form.hidden = true; current.textContent = S.free; return; }
    current.textContent = saved.title;
    saved.parameters.forEach((p) => {
      const label = document.createElement("label");
      label.textContent = labelOf(p) + " ";
      let input;
      if (p.values.length) {
        input = document.createElement("select");
        ["", ...p.values].forEach((v) => { const o = document.createElement("option"); o.value = v; o.textContent = v || "—"; input.appendChild(o); });
      } else {
        input = document.createElement("input");
        input.type = ["integer", "year", "decimal"].includes(p.type) ? "number" : "text";
        input.size = p.type === "iri" ? 60 : 12;
      }
      input.name = p.name;
      input.value = saved.values[p.name] !== undefined ? saved.values[p.name] : p.default;
      label.appendChild(input);
      if (p.type === "iri" && window.picPick) {  // a name, chosen among suggestions (static/pick.js)
        input.dataset.pick = state.kinds.includes(p.name) ? p.name : "";
        window.picPick.attach(input);
        shownByName(input);
      }
      form.appendChild(label);
    });
    form.hidden = saved.parameters.length === 0;
  }

  // A parameter's label in the page's language: the saved query's header writes "Acteur / Actor".
  function labelOf(p) {
    const both = (p.label || p.name).split(" / ");
    return both.length === 2 && lang === "en" ? both[1] : both[0];
  }

  // An IRI given as a parameter's value (its default, a permalink's) shows as its entity's name.
  async function shownByName(input) {
    const iri = input.value.trim();
    if (!/^https?:\/\//.test(iri)) return;
    const r = await fetch("/api/labels?" + new URLSearchParams({ iri, lang: document.documentElement.lang }));
    const name = r.ok ? (await r.json())[iri] : null;
    if (name && input.value.trim() === iri) { window.picPick.know(name, iri); input.value = name; }
  }

  function paramsQuery(extra) {
    const search = new URLSearchParams();
    new FormData($("params")).forEach((v, k) => { if (v) search.set(k, v); });
    $("params").querySelectorAll("input[data-pick]").forEach((i) => { if (i.value) search.set(i.name, window.picPick.identifier(i)); });
    Object.entries(extra || {}).forEach(([k, v]) => search.set(k, v));
    return search;
  }

  function endpointUrl(format) {
    if (saved) return `/api/queries/${encodeURIComponent(saved.name)}?` + paramsQuery(format ? { format } : {});
    const search = new URLSearchParams({ query: editor.value });
    if (format) search.set("format", format);
    return "/sparql?" + search;
  }

  function permalink() {
    if (saved) return withLang("/workbench?" + paramsQuery({ saved: saved.name }));
    return withLang("/workbench?" + new URLSearchParams({ query: editor.value }));
  }

  function updateLinks() {
    ["csv", "json", "tsv"].forEach((f) => { $(f).href = endpointUrl(f); });
    $("permalink").href = permalink();
  }

  function describeLink(iri) {
    return withLang("/workbench?" + new URLSearchParams({ query: `DESCRIBE <${iri}>` }));
  }

  // An IRI of this instance opens its page here and shows its name (filled in by `nameLinks`); any
  // other IRI opens a DESCRIBE of it.
  const BASE = state.base;
  function iriLink(iri) {
    const a = document.createElement("a");
    a.href = iri.startsWith(BASE) ? withLang("/id/" + iri.slice(BASE.length)) : describeLink(iri);
    a.textContent = iri;
    a.title = iri;
    a.className = "iri";
    a.dataset.iri = iri;
    return a;
  }

  async function nameLinks(root) {
    const links = [...root.querySelectorAll("a.iri")].filter((a) => a.dataset.iri.startsWith(BASE));
    const iris = [...new Set(links.map((a) => a.dataset.iri))].slice(0, 100);
    if (!iris.length) return;
    const params = new URLSearchParams(iris.map((i) => ["iri", i]));
    params.set("lang", document.documentElement.lang);
    const r = await fetch("/api/labels?" + params);
    if (!r.ok) return;
    const names = await r.json();
    links.forEach((a) => { if (names[a.dataset.iri]) a.textContent = names[a.dataset.iri]; });
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      td.appendChild(iriLink(term.value));
    } else {
      td.textContent = shown(term);
      if (term["xml:lang"]) td.title = "@" + term["xml:lang"];
      else if (term.datatype) td.title = `${term.value} (${term.datatype})`;  // the value as the data holds it
    }
    return td;
  }

  // A number or a date as the page's language writes it (1 234,5; 1 janv. 2009); other values as they are.
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMBERS = ["decimal", "integer", "double", "float", "int", "long", "nonNegativeInteger", "positiveInteger"];
  function shown(term) {
    const type = (term.datatype || "").startsWith(XSD) ? term.datatype.slice(XSD.length) : "";
    if (NUMBERS.includes(type) && term.value.trim() !== "" && !Number.isNaN(Number(term.value))) {
      const n = Number(term.value);  // a year computed by YEAR() is an integer too: 2024, not 2 024
      return new Intl.NumberFormat(lang, { useGrouping: Math.abs(n) >= 10000, maximumFractionDigits: 6 }).format(n);
    }
    if ((type === "date" || type === "dateTime") && /^\d{4}-\d{2}-\d{2}/.test(term.value)) {
      const day = new Date(term.value.slice(0, 10) + "T00:00:00Z");
      const time = type === "dateTime" ? term.value.slice(11, 16) : "";
      const date = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" }).format(day);
      return time && time !== "00:00" ? `${date} ${time}` : date;
    }
    return term.value;
  }

  function showTable(data) {
    const results = $("results");
    if (data.boolean !== undefined) { results.textContent = data.boolean ? S.yes : S.no; return 1; }
    const vars = data.head.vars, rows = data.results.bindings;
    if (!rows.length) { results.textContent = S.noRows; return 0; }
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    vars.forEach((v) => { const th = document.createElement("th"); th.textContent = v; head.appendChild(th); });
    const body = table.createTBody();
    rows.forEach((row) => { const tr = body.insertRow(); vars.forEach((v) => tr.appendChild(cell(row[v]))); });
    results.innerHTML = "";
    results.appendChild(table);
    nameLinks(results);
    return rows.length;
  }

  const TRIPLE = /^(<[^>]*>|_:\S+) <([^>]*)> (.*) \.\s*$/;
  function showGraph(text) {
    const triples = text.split("\n").map((l) => l.match(TRIPLE)).filter(Boolean)
      .map((m) => ({ s: m[1], p: m[2], o: m[3] }));
    const results = $("results");
    results.innerHTML = "";
    const nodes = [...new Set(triples.flatMap((t) => t.o.startsWith("<") || t.o.startsWith("_:") ? [t.s, t.o] : [t.s]))];
    const size = 560, r = 180, c = size / 2;
    const pos = {};
    nodes.forEach((n, i) => { const a = (2 * Math.PI * i) / Math.max(nodes.length, 1); pos[n] = [c + r * Math.cos(a), c + r * Math.sin(a)]; });
    const short = (v) => v.replace(/^<|>$/g, "").split(/[#/]/).pop() || v;
    let svg = `<svg class="graph" viewBox="0 0 ${size} ${size}" role="img">`;
    triples.forEach((t) => {
      if (pos[t.o]) {
        const [x1, y1] = pos[t.s], [x2, y2] = pos[t.o];
        svg += `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}"><title>${escapeHtml(t.p)}</title></line>`;
      }
    });
    nodes.forEach((n) => {
      const [x, y] = pos[n];
      svg += `<g><circle cx="${x}" cy="${y}" r="6"><title>${escapeHtml(n)}</title></circle><text x="${x + 8}" y="${y + 4}">${escapeHtml(short(n))}</text></g>`;
    });
    results.insertAdjacentHTML("beforeend", svg + "</svg>");
    const table = document.createElement("table");
    triples.forEach((t) => {
      const tr = table.insertRow();
      [t.s, "<" + t.p + ">", t.o].forEach((v) => {
        const td = tr.insertCell();
        if (v.startsWith("<")) {
          td.appendChild(iriLink(v.slice(1, -1)));
        } else td.textContent = v;
      });
    });
    results.appendChild(table);
    nameLinks(results);
    return triples.length;
  }

  // -- errors: said in the page's words from the answer's `code` (or its status), where it went wrong
  // marked in the editor; the engine's own words kept, folded, as a detail --------------------------------
  const E = S.errors;
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (m, k) => (values[k] !== undefined ? values[k] : m));
  const BY_STATUS = { 401: "sign_in", 403: "forbidden", 404: "not_found", 413: "too_long", 429: "wait", 502: "engine", 503: "timeout" };

  // the offset in the editor's text of a 1-based line and column, moved past blanks onto what is there
  function offsetOf(line, column, pastBlanks = true) {
    const text = editor.value, lines = text.split("\n");
    let at = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(column - 1, 0);
    at = Math.min(at, text.length);
    while (pastBlanks && at < text.length && /\s/.test(text[at])) at += 1;
    return at;
  }

  function explain(status, detail) {
    const code = detail.code || BY_STATUS[status] || (status >= 500 ? "engine" : "other");
    if (code === "syntax" && detail.line) {
      const at = offsetOf(detail.line, detail.column || 1);
      const near = editor.value.slice(at, at + 30).split("\n")[0].trim();
      const what = near ? fill(E.near, { text: near }) : E.at_end;
      return { text: fill(E.syntax, { line: detail.line, column: detail.column || 1, near: what }), mark: { line: detail.line, at } };
    }
    if (code === "prefix" && detail.line) {  // the engine says where the prefixed name ends: its start
      const text = editor.value;
      let end = offsetOf(detail.line, detail.column || 1, false), at = end;
      while (at > 0 && /[\w:.\-]/.test(text[at - 1])) at -= 1;
      if (end === at) end = at + 1;
      const line = text.slice(0, at).split("\n").length, column = at - text.lastIndexOf("\n", at - 1);
      return { text: fill(E.prefix, { line, column, near: text.slice(at, end) }), mark: { line, at } };
    }
    if (code === "syntax" || code === "prefix") return { text: E.syntax_nowhere };
    if (status === 422 && detail.field && !detail.code) return { text: detail.message };  // a name: the server's words
    if (code === "parameter") {
      const p = saved && saved.parameters.find((q) => q.name === detail.field);
      return { text: fill(E.parameter, { field: p ? labelOf(p) : detail.field || "" }) };
    }
    return { text: fill(E[code] || E.other, { status }) };
  }

  function showError(status, detail) {
    const error = $("error"), said = explain(status, detail);
    const message = document.createElement("p");
    message.className = "error-message";
    message.textContent = said.text;
    error.replaceChildren(message);
    if (detail.message) {
      const more = document.createElement("details"), summary = document.createElement("summary"), words = document.createElement("code");
      summary.textContent = E.engine_detail;
      words.textContent = detail.message;
      more.append(summary, words);
      error.append(more);
    }
    error.hidden = false;
    $("results").innerHTML = "";
    $("status").textContent = "";
    paint(said.mark);
    if (said.mark) editor.setSelectionRange(said.mark.at, said.mark.at);
  }

  async function run() {
    $("error").hidden = true;
    $("status").textContent = S.running;
    paint();
    updateLinks();
    const started = performance.now();
    const accept = "application/sparql-results+json, application/n-triples;q=0.9";
    let response;
    try {
      // the answer's words in the page's language (a name no entity has, said by the server)
      if (saved) response = await fetch(endpointUrl(), { headers: { Accept: accept, "Accept-Language": document.documentElement.lang } });
      else response = await fetch("/sparql", { method: "POST", headers: { Accept: accept, "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ query: editor.value }) });
    } catch (e) {  // no answer at all: the server is down, or the connection
      showError(0, { code: "network" });
      return;
    }
    const elapsed = Math.round(performance.now() - started);
    if (!response.ok) {
      let detail = { message: response.statusText };
      try { detail = (await response.json()).error || detail; } catch (e) { /* not JSON */ }
      showError(response.status, detail);
      return;
    }
    const type = response.headers.get("content-type") || "";
    const count = type.includes("n-triples") ? showGraph(await response.text()) : showTable(await response.json());
    const truncated = response.headers.get("X-PIC-Truncated") === "true";
    $("status").textContent = `${count} ${S.rows} · ${elapsed} ${S.ms}` + (truncated ? ` · ${S.truncated}` : "");
    history.replaceState(null, "", permalink());
  }

  $("run").addEventListener("click", run);
  editor.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); } });
  renderLibrary();
  if (state.saved) select(state.saved, state.params);
  else { editor.value = state.query || state.defaultQuery; renderSelection(); paint(); }
  updateLinks();
  if (state.query || state.saved) run();
})();
