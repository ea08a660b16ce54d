// Annotations on an entity page, through the Web Annotation Protocol at /annotations/: the list in the
// margin beside the text (style.css puts it there on a wide screen), its cards in the order of their
// passages (threads, filters by motivation and organisation named by their names), passages anchored in
// the abstract and the documents' text (TextQuoteSelector with prefix and suffix, TextPositionSelector as a
// hint), a highlight bringing its card into view and a card's quote its passage, select-to-annotate, an
// author's edit of their own annotation (PUT with If-Match: the version they opened), and a flag that stays
// given for the reader who gave it (`pic:flaggedByYou`). Errors in the page's language. User text is only
// ever set with textContent.
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

  // A refusal keeps its status: the form says what went wrong in the page's language (`trouble`).
  async function send(method, url, body, extra) {
    const headers = { "Content-Type": "application/ld+json", "X-CSRF-Token": csrf, ...(extra || {}) };
    const r = await fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined });
    if (!r.ok) throw Object.assign(new Error(r.statusText), { status: r.status });
    return r.status === 204 ? null : r.json();
  }

  function trouble(e) {
    if (e.ours) return e.message;  // already in the page's words (a name no entity has)
    if (e.status === 401) return T.sign_in;
    if (e.status === 403) return T.not_yours;
    if (e.status === 412 || e.status === 428) return T.stale;
    if (e.status >= 400 && e.status < 500) return T.refused;
    return T.failed;
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
  const orgIri = (a) => (a.creator || {})["pic:organisation"] || "";
  const orgOf = (a) => orgIri(a).split("/").pop();
  const keyOf = (a) => a.id.split("/").pop();

  // An entity's name as its page gives it in the page's language (an organisation's, a link's target).
  const names = new Map();
  function nameOf(iri) {
    if (!iri) return Promise.resolve("");
    if (!names.has(iri)) {
      const params = new URLSearchParams({ format: "json", lang: document.documentElement.lang });
      names.set(iri, fetch(`/id/${iri.split("/id/").pop()}?${params}`, { headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : {}))
        .then((d) => d.label || iri.split("/").pop())
        .catch(() => iri.split("/").pop()));
    }
    return names.get(iri);
  }

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
        // the source's first text that has the passage (an abstract is shown in each of its languages)
        let root = null, range = null;
        for (const r of document.querySelectorAll(`.annotatable[data-source="${CSS.escape(target.source)}"]`)) {
          const where = locate(r.textContent, asList(target.selector));
          range = where && rangeFor(r, where[0], where[1]);
          if (range) { root = r; break; }
        }
        if (!range) continue;
        for (const t of textNodes(root)) {  // wrap each text node the range covers
          if (!range.intersectsNode(t)) continue;
          const part = document.createRange();
          part.setStart(t, t === range.startContainer ? range.startOffset : 0);
          part.setEnd(t, t === range.endContainer ? range.endOffset : t.data.length);
          if (part.collapsed) continue;
          const mark = el("mark", { class: "anchored", "data-annotation": a.id, title: textOf(a), tabindex: "0" });
          part.surroundContents(mark);
          mark.addEventListener("click", () => focus(a.id));
          mark.addEventListener("keydown", (event) => {
            if (event.key === "Enter" || event.key === " ") { event.preventDefault(); focus(a.id); }
          });
        }
      }
    }
  }

  // A highlight brings its card into view in the margin, and takes the keyboard there.
  function focus(id) {
    const card = list.querySelector(`article[data-annotation="${CSS.escape(id)}"]`);
    if (!card) return;
    for (const old of list.querySelectorAll("article.focused")) old.classList.remove("focused");
    card.hidden = false;
    card.classList.add("focused");
    card.scrollIntoView({ block: "nearest" });
    card.focus({ preventScroll: true });
  }

  // A card's quote brings its passage into view, and marks it until another is shown.
  function show(id) {
    const marks = [...document.querySelectorAll(`mark.anchored[data-annotation="${CSS.escape(id)}"]`)];
    if (!marks.length) return;
    for (const old of document.querySelectorAll("mark.anchored.focused")) old.classList.remove("focused");
    const text = marks[0].closest("details");
    if (text) text.open = true;
    for (const m of marks) m.classList.add("focused");
    marks[0].scrollIntoView({ block: "center" });
    marks[0].focus({ preventScroll: true });
  }

  // Cards in the order of their passages in the page; those about the whole page after them.
  function inTextOrder(threads) {
    const first = (a) => document.querySelector(`mark.anchored[data-annotation="${CSS.escape(a.id)}"]`);
    const placed = threads.map(([a, replies]) => [a, replies, first(a)]);
    placed.sort(([, , x], [, , y]) => {
      if (x && y) return x === y ? 0 : x.compareDocumentPosition(y) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
      return x ? -1 : y ? 1 : 0;
    });
    return placed.map(([a, replies]) => [a, replies]);
  }

  // -- the margin ------------------------------------------------------------------------------------
  function card(a, replies) {
    const quote = asList(a.target).flatMap((t) => asList(t.selector)).find((s) => s.type === "TextQuoteSelector");
    const org = el("span", { class: "annotation-org" });
    nameOf(orgIri(a)).then((name) => { org.textContent = name; });
    const node = el("article", { class: "annotation", tabindex: "-1", "data-annotation": a.id,
                                 id: "annotation-" + a.id.split("/").pop(),
                                 "data-motivation": a.motivation, "data-org": orgOf(a) },
      el("p", { class: "annotation-meta" }, el("strong", {}, (a.creator || {}).name || ""), " · ", org, " · ",
         T.motivations[a.motivation] || a.motivation, ` · ${(a.created || "").slice(0, 10)}`,
         a["pic:visibility"] !== "public" ? ` · ${T[a["pic:visibility"]]}` : ""));
    if (quote && document.querySelector(`mark.anchored[data-annotation="${CSS.escape(a.id)}"]`)) {
      const passage = el("button", { type: "button", class: "passage-link", title: T.show_passage }, quote.exact);
      passage.addEventListener("click", () => show(a.id));
      node.append(el("blockquote", {}, passage));
    } else if (quote) node.append(el("blockquote", {}, quote.exact));  // in no text of this page
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
      // given once per reader, and shown as given after a reload: the server tells this reader only
      const given = a["pic:flaggedByYou"] === true;
      const flag = el("button", { type: "button", class: "flag", "aria-pressed": String(given) }, given ? T.flagged : T.flag);
      flag.disabled = given;
      flag.addEventListener("click", async () => {
        const r = await fetch(`/annotations/${keyOf(a)}/flag`, { method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify({ csrf }) });
        if (!r.ok) return;
        flag.disabled = true;
        flag.setAttribute("aria-pressed", "true");
        flag.textContent = T.flagged;
      });
      actions.append(reply, " ", flag);
      if ((a.creator || {}).name === me) {
        const edit = el("button", { type: "button", class: "edit" }, T.edit);
        edit.addEventListener("click", () => editing(node, a));
        const del = el("button", { type: "button", class: "delete" }, T.delete);
        del.addEventListener("click", async () => { await send("DELETE", `/annotations/${keyOf(a)}`); load(); });
        actions.append(" ", edit, " ", del);
      }
    }
    node.append(actions);
    if (replies.length) node.append(el("div", { class: "thread" }, ...replies.map((r) => card(r, []))));
    return node;
  }

  // The author's own annotation in the form, as they last read it: the save sends its entity tag, so that
  // a change made meanwhile elsewhere is not overwritten (412, said in the form).
  async function editing(node, a) {
    const r = await fetch(`/annotations/${keyOf(a)}`, { headers: { Accept: "application/ld+json" } });
    if (!r.ok) return;
    const current = await r.json();
    for (const old of node.querySelectorAll(":scope > .annotation-form")) old.remove();
    const f = form({ edit: current, etag: r.headers.get("ETag"), target: current.target,
                     motivation: current.motivation === "replying" ? "replying" : "" });
    node.append(f);
    f.querySelector("textarea").focus();
  }

  async function filters(annotations) {
    const box = panel.querySelector(".annotation-filters");
    const motivation = box.querySelector("select[name=motivation]");
    const org = box.querySelector("select[name=org]");
    const apply = () => {
      for (const c of list.querySelectorAll(":scope > article.annotation")) {
        c.hidden = (motivation.value && c.dataset.motivation !== motivation.value) || (org.value && c.dataset.org !== org.value);
      }
    };
    motivation.onchange = org.onchange = apply;
    apply();
    // the organisations by their names, sorted by them (the options come when the names are known)
    const iris = new Map(annotations.map((a) => [orgOf(a), orgIri(a)]));
    const byName = await Promise.all([...iris].map(async ([slug, iri]) => [slug, await nameOf(iri)]));
    byName.sort((x, y) => x[1].localeCompare(y[1], document.documentElement.lang));
    const chosen = org.value;
    org.replaceChildren(el("option", { value: "" }, T.all), ...byName.map(([slug, name]) => el("option", { value: slug }, name)));
    org.value = iris.has(chosen) ? chosen : "";
    apply();
  }

  async function load() {
    const annotations = (await Promise.all(sources.map(about))).flat()
      .filter((a) => a.motivation !== "replying" && a.motivation !== "moderating");
    const threads = await Promise.all(annotations.map(async (a) => [a, await about(a.id)]));
    anchor(annotations);
    list.replaceChildren(...inTextOrder(threads).map(([a, replies]) => card(a, replies.filter((r) => r.motivation === "replying"))));
    if (!annotations.length) list.append(el("p", { class: "note" }, T.none));
    panel.querySelector(".annotation-count").textContent = String(annotations.length);
    filters(annotations);
    opened();
  }

  // A link to one annotation (a search hit: `/id/study/x#annotation-<key>`) opens the page on its card,
  // and its passage marked.
  function opened() {
    const card = location.hash.startsWith("#annotation-") && document.getElementById(location.hash.slice(1));
    if (!card) return;
    show(card.dataset.annotation);
    focus(card.dataset.annotation);  // the keyboard on the card
  }

  // -- writing ---------------------------------------------------------------------------------------
  // spec: {source, quote, position} for a passage, {target} for the page or a reply ({motivation:
  // "replying"}), {edit, etag, target} for the author's own annotation as read.
  function form(spec) {
    const f = el("form", { class: "annotation-form" });
    const text = el("textarea", { name: "text", rows: "3", "aria-label": T.write, required: "" });
    const motivation = el("select", { name: "motivation", "aria-label": T.motivation },
      ...["commenting", "questioning", "assessing", "tagging", "linking"].map((m) => el("option", { value: m }, T.motivations[m])));
    const visibility = el("select", { name: "visibility", "aria-label": T.visibility },
      el("option", { value: "public" }, T.public), ...(groups.length ? [el("option", { value: "group" }, T.group)] : []),
      el("option", { value: "private" }, T.private));
    const linked = el("input", { name: "linked", placeholder: T.link_to, "aria-label": T.link_to, "data-pick": "", hidden: "" });
    const relation = el("select", { name: "relation", hidden: "", "aria-label": T.relation },
      ...["informs", "builds-on", "used-by"].map((r) => el("option", { value: r }, T.relations[r])));
    const linking = () => { linked.hidden = relation.hidden = motivation.value !== "linking"; };
    motivation.addEventListener("change", linking);
    // suggestions of the kind the relation links to (a study builds on a study, is used by an actor);
    // `informs` links to a project or an evaluation question: any kind
    const kindOf = () => { linked.dataset.pick = { "builds-on": "study", "used-by": "actor" }[relation.value] || ""; };
    relation.addEventListener("change", kindOf);
    const problem = el("p", { class: "problem", role: "alert" });
    const cancel = el("button", { type: "button" }, T.cancel);
    cancel.addEventListener("click", () => f.remove());
    const old = spec.edit;
    if (old) { prefill(old, { text, motivation, visibility, linked, relation }); linking(); }
    if (spec.quote) f.append(el("blockquote", {}, spec.quote.exact));
    f.append(text, spec.motivation ? "" : motivation, spec.motivation ? "" : visibility, linked, relation,
             el("button", { type: "submit" }, T.save), " ", cancel, problem);
    if (window.picPick) window.picPick.attach(linked);  // names suggested as the user types (static/pick.js)
    f.addEventListener("submit", async (event) => {
      event.preventDefault();
      problem.textContent = "";
      const target = spec.quote
        ? { source: spec.source, selector: [spec.quote, spec.position] }
        : spec.target;
      const chosen = spec.motivation || motivation.value;
      const language = old ? (asList(old.body).find((b) => b.type === "TextualBody") || {}).language : "";
      const body = [{ type: "TextualBody", value: text.value, language: language || document.documentElement.lang,
                      format: "text/plain" }];
      let source = "";
      try { if (chosen === "linking") source = await linkedIri(linked); } catch (e) { problem.textContent = trouble(e); return; }
      if (chosen === "linking") body.push({ type: "SpecificResource", source, purpose: "linking",
                                            "pic:relation": relation.value });
      const annotation = { "@context": [CONTEXT, { pic: "https://w3id.org/pic-euralens/ontology#" }],
                           type: "Annotation", motivation: chosen, body, target,
                           "pic:visibility": spec.motivation ? "public" : visibility.value };
      if (annotation["pic:visibility"] === "group") annotation["pic:group"] = (old && old["pic:group"]) || groups[0];
      try {
        if (old) await send("PUT", `/annotations/${keyOf(old)}`, { ...annotation, id: old.id }, { "If-Match": spec.etag });
        else await send("POST", "/annotations/", annotation);
        f.remove();
        load();
      } catch (e) { problem.textContent = trouble(e); }
    });
    return f;
  }

  // The form's fields as the annotation has them; its link's target shown by its name.
  async function prefill(a, fields) {
    fields.text.value = textOf(a);
    if (a.motivation !== "replying") fields.motivation.value = a.motivation;
    if (a["pic:visibility"] === "group" && !fields.visibility.querySelector("option[value=group]")) {
      fields.visibility.append(el("option", { value: "group" }, T.group));
    }
    fields.visibility.value = a["pic:visibility"] || "public";
    const link = asList(a.body).find((b) => b.type === "SpecificResource");
    if (link) {
      fields.relation.value = link["pic:relation"] || "informs";
      fields.linked.dataset.iri = link.source;
      fields.linked.value = fields.linked.dataset.shown = await nameOf(link.source);
    }
  }

  // A link shows the name of the entity it leads to, as its page gives it (not the end of its IRI).
  async function named(link) {
    const r = await fetch(link.getAttribute("href") + "?format=json", { headers: { Accept: "application/json" } });
    if (r.ok) { const d = await r.json(); if (d.label) link.textContent = d.label; }
  }

  // The entity a link annotation points at: the suggestion chosen, or the one entity with the name typed.
  async function linkedIri(input) {
    if (input.dataset.iri && input.value === input.dataset.shown) return input.dataset.iri;  // unchanged in an edit
    const given = (window.picPick ? window.picPick.identifier(input) : input.value).trim();
    if (/^https?:\/\//.test(given)) return given;
    const r = await fetch("/api/suggest?" + new URLSearchParams({ q: given }));
    const same = (s) => s.label.localeCompare(given, undefined, { sensitivity: "base" }) === 0;
    const found = r.ok ? (await r.json()).filter(same) : [];
    if (found.length === 1) return found[0].iri;
    throw Object.assign(new Error(T.no_such_name.replace("{name}", given)), { ours: true });
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
