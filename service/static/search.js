// Autocomplete for every search box: suggestions from /api/suggest fill the shared datalist; choosing
// one opens its page. And the search page's facets, folded on a narrow screen.
(function () {
  "use strict";
  // The search page's facets: open beside the results on a wide screen, folded above them on a narrow one.
  const facets = document.querySelector("aside.facets details");
  if (facets && window.matchMedia("(max-width: 56rem)").matches) facets.open = false;
  const list = document.getElementById("search-suggestions");
  if (!list) return;
  const pages = new Map();
  let pending = null;
  for (const input of document.querySelectorAll('input[list="search-suggestions"]')) {
    input.addEventListener("input", () => {
      const q = input.value.trim();
      if (pages.has(input.value)) { window.location.href = pages.get(input.value); return; }
      if (q.length < 2) return;
      clearTimeout(pending);
      pending = setTimeout(async () => {
        const r = await fetch("/api/suggest?" + new URLSearchParams({ q }));
        if (!r.ok) return;
        list.replaceChildren();
        for (const s of await r.json()) {
          const option = document.createElement("option");
          option.value = s.label;
          pages.set(s.label, s.page);
          list.appendChild(option);
        }
      }, 120);
    });
  }
})();
