// Names, not identifiers (issue 21, 1): every input that asks for an entity (`data-pick="actor"`, or
// "study", "territory", "" for any kind) suggests names as the user types, from the search index (only what
// the reader may read); the field keeps the name, and the form sends the chosen entity's identifier. A list
// field (`data-separator=";"`) takes several. A name typed without choosing is sent as typed: the server
// looks it up, and says in the page's language when no entity, or several, have it.
(function () {
  "use strict";
  const known = new Map(); // name shown → identifier, for every suggestion made on this page

  function parts(input) {
    const sep = input.dataset.separator;
    return sep ? input.value.split(sep).map((p) => p.trim()) : [input.value.trim()];
  }

  function attach(input, index) {
    const given = input.list; // a list the page gave (a map's actors): its options carry their identifiers
    if (given && given.querySelector("option[data-iri]")) {
      for (const option of given.options) known.set(option.value, option.dataset.iri);
      return;
    }
    const list = document.createElement("datalist");
    list.id = `pick-${index}`;
    input.after(list);
    input.setAttribute("list", list.id);
    input.setAttribute("autocomplete", "off");
    let pending = null;
    input.addEventListener("input", () => {
      const all = parts(input), last = all[all.length - 1];
      if (last.length < 2) return;
      clearTimeout(pending);
      pending = setTimeout(async () => {
        const params = new URLSearchParams({ q: last });
        if (input.dataset.pick) params.set("type", input.dataset.pick);
        const r = await fetch("/api/suggest?" + params);
        if (!r.ok) return;
        const before = all.slice(0, -1).filter(Boolean);
        const sep = input.dataset.separator ? input.dataset.separator + " " : "";
        list.replaceChildren();
        const found = await r.json();
        const twice = (label) => found.filter((s) => s.label === label).length > 1;
        for (const s of found) {
          // two entities of the same name are told apart by their identifier, never one for the other
          const shown = twice(s.label) ? `${s.label} (${s.iri.split("/id/").pop()})` : s.label;
          known.set(shown, s.iri);
          const option = document.createElement("option");
          option.value = before.length ? before.join(sep) + sep + shown : shown;
          list.appendChild(option);
        }
      }, 120);
    });
  }

  function identifier(input) {
    const sep = input.dataset.separator;
    let text = input.value;
    if (sep) {  // a suggestion whose name holds the separator is one entity: its identifier first, then split
      for (const [shown, iri] of known) if (shown.includes(sep)) text = text.split(shown).join(iri);
    }
    const sent = (sep ? text.split(sep) : [text]).map((p) => p.trim()).filter(Boolean).map((p) => known.get(p) || p);
    return sep ? sent.join(sep + " ") : sent[0] || "";
  }

  let attached = 0;
  // for fields a script adds later (the workbench's parameters): attach(input), then identifier(input)
  // know(name, iri): a name the page shows for an identifier it was given (the workbench's defaults)
  window.picPick = { attach: (input) => attach(input, attached++), identifier, know: (name, iri) => known.set(name, iri) };
  const inputs = [...document.querySelectorAll("input[data-pick]")];
  inputs.forEach((input) => attach(input, attached++));
  for (const form of new Set(inputs.map((i) => i.form).filter(Boolean))) {
    form.addEventListener("submit", () => {
      for (const input of form.querySelectorAll("input[data-pick]")) {
        if (!input.value.trim()) continue;
        const shown = input.value;
        input.value = identifier(input);
        // the page stays as the user left it if they come back to it (bfcache)
        window.addEventListener("pageshow", () => { input.value = shown; }, { once: true });
      }
    });
  }
})();
