// Annotations on an entity page, through the Web Annotation Protocol at /annotations/: the list in the
// margin (threads, filters by motivation and organisation), passages anchored in the abstract and the
// documents' text (TextQuoteSelector with prefix and suffix, TextPositionSelector as a hint), and
// select-to-annotate. User text is only ever set with textContent.
(function () {
  "use strict";
  const panel = document.getElementById("annotations");
  if (!panel) return;
  const T = JSON.parse(panel.dataset.strings);
  const me = panel.dataset.user || "";
  const csrf = panel.dataset.csrf || "";
  const groups = (panel.dataset.groups || "").split(" ").filter(Boolean);
  const sources = panel.dataset.sources.split(" ").filter(Boolean);
  const list = panel.querySelector(".annotation-list");
  const CONTEXT = "http://www.w3.org/ns/anno.jsonld";
  const FLANK = 32;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const c of children) node.append(c);
    return node;
  }

  async function send(method, url, body) {
    const headers = { "Content-Type": "application/ld+json", "X-CSRF-Token": csrf };
    const r = await fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined });
    if (!r.ok) {
      const e = await r.json().catch(() => ({ error: { message: r.statusText } }));
      throw new Error(e.error.message);
    }
    return r.status === 204 ? null : r.json();
  }

  async function about(target) {
    const r = await fetch("/annotations/?" + new URLSearchParams({ target }), {
      headers: { Prefer: 'return=representation;include="http://www.w3.org/ns/oa#PreferContainedDescriptions"' },
    });
    const container = await r.json();
    let page = container.first, items = [];
    while (page) {
      items = items.concat(page.items || []);
      page = page.next ? await (await fetch(page.next)).json() : null;
    }
    return items;
  }

  const asList = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const textOf = (a) => asList(a.body).filter((b) => b.type === "TextualBody").map((b) => b.value).join(" ");
  const sourceOf = (t) => (typeof t === "string" ? t : t.source);
  const orgOf = (a) => ((a.creator || {})["pic:organisation"] || "").split("/").pop();

  // -- offsets in an element's text, across its text nodes --------------------------------------------
  function textNodes(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    return nodes;
  }

  function offsetOf(root, node, offset) {
    let n = 0;
    for (const t of textNodes(root)) {
      if (t === node) return n + offset;
      n += t.data.length;
    }
    return n;
  }

  function rangeFor(root, start, end) {
    const range = document.createRange();
    let n = 0, started = false;
    for (const t of textNodes(root)) {
      const next = n + t.data.length;
      if (!started && start <= next) { range.setStart(t, start - n); started = true; }
      if (started && end <= next) { range.setEnd(t, end - n); return range; }
      n = next;
    }
    return null;
  }

  function locate(text, selectors) {
    const quote = selectors.find((s) => s.type === "TextQuoteSelector");
    const position = selectors.find((s) => s.type === "TextPositionSelector");
    if (!quote) return position && position.end <= text.length ? [position.start, position.end] : null;
    let best = null;
    for (let i = text.indexOf(quote.exact); i >= 0; i = text.indexOf(quote.exact, i + 1)) {
      let score = 0;
      if (quote.prefix && text.slice(0, i).endsWith(quote.prefix)) score += 2;
      if (quote.suffix && text.slice(i + quote.exact.length).startsWith(quote.suffix)) score += 2;
      if (position) score -= Math.abs(position.start - i) / 1e6;
      if (!best || score > best[0]) best = [score, i];
    }
    return best ? [best[1], best[1] + quote.exact.length] : null;
  }

  function anchor(annotations) {
    for (const mark of document.querySelectorAll("mark.anchored")) mark.replaceWith(...mark.childNodes);
    for (const a of annotations) {
      for (const target of asList(a.target)) {
        if (typeof target === "string" || !target.selector) continue;
        const root = document.querySelector(`.annotatable[data-source="${CSS.escape(target.source)}"]`);
        if (!root) continue;
        const where = locate(root.textContent, asList(target.selector));
        const range = where && rangeFor(root, where[0], where[1]);
        if (!range) continue;
        for (const t of textNodes(root)) {  // wrap each text node the range covers
          if (!range.intersectsNode(t)) continue;
          const part = document.createRange();
          part.setStart(t, t === range.startContainer ? range.startOffset : 0);
          part.setEnd(t, t === range.endContainer ? range.endOffset : t.data.length);
          if (part.collapsed) continue;
          const mark = el("mark", { class: "anchored", "data-annotation": a.id, title: textOf(a) });
          part.surroundContents(mark);
          mark.addEventListener("click", () => focus(a.id));
        }
      }
    }
  }

  function focus(id) {
    const card = list.querySelector(`[data-annotation="${CSS.escape(id)}"]`);
    if (card) { card.scrollIntoView({ block: "nearest" }); card.classList.add("focused"); }
  }

  // -- the margin ------------------------------------------------------------------------------------
  function card(a, replies) {
    const quote = asList(a.target).flatMap((t) => asList(t.selector)).find((s) => s.type === "TextQuoteSelector");
    const node = el("article", { class: "annotation", "data-annotation": a.id, "data-motivation": a.motivation,
                                 "data-org": orgOf(a) },
      el("p", { class: "annotation-meta" }, el("strong", {}, (a.creator || {}).name || ""), ` · ${orgOf(a)} · `,
         T.motivations[a.motivation] || a.motivation, ` · ${(a.created || "").slice(0, 10)}`,
         a["pic:visibility"] !== "public" ? ` · ${T[a["pic:visibility"]]}` : ""));
    if (quote) node.append(el("blockquote", {}, quote.exact));
    const text = textOf(a);
    if (text) node.append(el("p", { class: "annotation-text" }, text));
    for (const b of asList(a.body).filter((b) => b.type === "SpecificResource")) {
      const link = el("a", { href: "/id/" + b.source.split("/id/").pop() }, b.source.split("/").pop());
      node.append(el("p", { class: "annotation-link" }, `${T.relations[b["pic:relation"]] || b["pic:relation"] || b.purpose || ""} → `, link));
      named(link);
    }
    const actions = el("p", { class: "annotation-actions" });
    if (me) {
      const reply = el("button", { type: "button", class: "reply" }, T.reply);
      reply.addEventListener("click", () => node.append(form({ target: a.id, motivation: "replying" })));
      const flag = el("button", { type: "button", class: "flag" }, T.flag);
      flag.addEventListener("click", async () => {
        await fetch(`/annotations/${a.id.split("/").pop()}/flag`, { method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify({ csrf }) });
        flag.disabled = true;
      });
      actions.append(reply, " ", flag);
      if ((a.creator || {}).name === me) {
        const del = el("button", { type: "button", class: "delete" }, T.delete);
        del.addEventListener("click", async () => { await send("DELETE", `/annotations/${a.id.split("/").pop()}`); load(); });
        actions.append(" ", del);
      }
    }
    node.append(actions);
    if (replies.length) node.append(el("div", { class: "thread" }, ...replies.map((r) => card(r, []))));
    return node;
  }

  function filters(annotations) {
    const box = panel.querySelector(".annotation-filters");
    const motivation = box.querySelector("select[name=motivation]");
    const org = box.querySelector("select[name=org]");
    const orgs = [...new Set(annotations.map(orgOf))].sort();
    org.replaceChildren(el("option", { value: "" }, T.all), ...orgs.map((o) => el("option", { value: o }, o)));
    const apply = () => {
      for (const c of list.querySelectorAll(":scope > article.annotation")) {
        c.hidden = (motivation.value && c.dataset.motivation !== motivation.value) || (org.value && c.dataset.org !== org.value);
      }
    };
    motivation.onchange = org.onchange = apply;
  }

  async function load() {
    const annotations = (await Promise.all(sources.map(about))).flat()
      .filter((a) => a.motivation !== "replying" && a.motivation !== "moderating");
    const threads = await Promise.all(annotations.map(async (a) => [a, await about(a.id)]));
    list.replaceChildren(...threads.map(([a, replies]) => card(a, replies.filter((r) => r.motivation === "replying"))));
    if (!annotations.length) list.append(el("p", { class: "note" }, T.none));
    panel.querySelector(".annotation-count").textContent = String(annotations.length);
    anchor(annotations);
    filters(annotations);
  }

  // -- writing ---------------------------------------------------------------------------------------
  function form(spec) {
    const f = el("form", { class: "annotation-form" });
    const text = el("textarea", { name: "text", rows: "3", "aria-label": T.write, required: "" });
    const motivation = el("select", { name: "motivation", "aria-label": T.motivation },
      ...["commenting", "questioning", "assessing", "tagging", "linking"].map((m) => el("option", { value: m }, T.motivations[m])));
    const visibility = el("select", { name: "visibility", "aria-label": T.visibility },
      el("option", { value: "public" }, T.public), ...(groups.length ? [el("option", { value: "group" }, T.group)] : []),
      el("option", { value: "private" }, T.private));
    const linked = el("input", { name: "linked", placeholder: T.link_to, "aria-label": T.link_to, "data-pick": "", hidden: "" });
    const relation = el("select", { name: "relation", hidden: "" },
      ...["informs", "builds-on", "used-by"].map((r) => el("option", { value: r }, T.relations[r])));
    motivation.addEventListener("change", () => { linked.hidden = relation.hidden = motivation.value !== "linking"; });
    const problem = el("p", { class: "problem", role: "alert" });
    const cancel = el("button", { type: "button" }, T.cancel);
    cancel.addEventListener("click", () => f.remove());
    if (spec.quote) f.append(el("blockquote", {}, spec.quote.exact));
    f.append(text, spec.motivation ? "" : motivation, spec.motivation ? "" : visibility, linked, relation,
             el("button", { type: "submit" }, T.save), " ", cancel, problem);
    if (window.picPick) window.picPick.attach(linked);  // names suggested as the user types (static/pick.js)
    f.addEventListener("submit", async (event) => {
      event.preventDefault();
      const target = spec.quote
        ? { source: spec.source, selector: [spec.quote, spec.position] }
        : spec.target;
      const chosen = spec.motivation || motivation.value;
      const body = [{ type: "TextualBody", value: text.value, language: document.documentElement.lang, format: "text/plain" }];
      let source = "";
      try { if (chosen === "linking") source = await linkedIri(linked); } catch (e) { problem.textContent = e.message; return; }
      if (chosen === "linking") body.push({ type: "SpecificResource", source, purpose: "linking",
                                            "pic:relation": relation.value });
      const annotation = { "@context": [CONTEXT, { pic: "https://w3id.org/pic-euralens/ontology#" }],
                           type: "Annotation", motivation: chosen, body, target,
                           "pic:visibility": spec.motivation ? "public" : visibility.value };
      if (annotation["pic:visibility"] === "group") annotation["pic:group"] = groups[0];
      try {
        await send("POST", "/annotations/", annotation);
        f.remove();
        load();
      } catch (e) { problem.textContent = e.message; }
    });
    return f;
  }

  // A link shows the name of the entity it leads to, as its page gives it (not the end of its IRI).
  async function named(link) {
    const r = await fetch(link.getAttribute("href") + "?format=json", { headers: { Accept: "application/json" } });
    if (r.ok) { const d = await r.json(); if (d.label) link.textContent = d.label; }
  }

  // The entity a link annotation points at: the suggestion chosen, or the one entity with the name typed.
  async function linkedIri(input) {
    const given = (window.picPick ? window.picPick.identifier(input) : input.value).trim();
    if (/^https?:\/\//.test(given)) return given;
    const r = await fetch("/api/suggest?" + new URLSearchParams({ q: given }));
    const same = (s) => s.label.localeCompare(given, undefined, { sensitivity: "base" }) === 0;
    const found = r.ok ? (await r.json()).filter(same) : [];
    if (found.length === 1) return found[0].iri;
    throw new Error(T.no_such_name.replace("{name}", given));
  }

  for (const root of document.querySelectorAll(".annotatable")) {
    root.addEventListener("mouseup", () => {
      const selection = window.getSelection();
      if (!me || selection.isCollapsed || !root.contains(selection.anchorNode)) return;
      const range = selection.getRangeAt(0);
      const start = offsetOf(root, range.startContainer, range.startOffset);
      const end = offsetOf(root, range.endContainer, range.endOffset);
      const all = root.textContent;
      if (end <= start) return;
      const quote = { type: "TextQuoteSelector", exact: all.slice(start, end),
                      prefix: all.slice(Math.max(0, start - FLANK), start), suffix: all.slice(end, end + FLANK) };
      for (const old of panel.querySelectorAll(".annotation-form.passage")) old.remove();
      const f = form({ source: root.dataset.source, quote, position: { type: "TextPositionSelector", start, end } });
      f.classList.add("passage");
      panel.querySelector(".annotation-new").append(f);
      f.querySelector("textarea").focus();
    });
  }
  const whole = panel.querySelector("button.annotate-page");
  if (whole) whole.addEventListener("click", () => panel.querySelector(".annotation-new").append(form({ target: sources[0] })));
  load();
})();
