// metiers — enhances the pages the server renders: suggestions and live
// results while typing, filters and pages without reloading, the quiz and
// a guide's own quiz step by step. Every page works without this script;
// it asks the server for a page's parts (header X-Partial) and never
// builds HTML from strings: the server's templates escape, and the few
// elements made here get their text through textContent.
"use strict";

(function () {
  const page = document.body.dataset.page;

  // fetchPart asks for the part `name` of the page at url; a newer call
  // with the same key aborts the one under way.
  const pending = {};
  async function fetchPart(url, name, key) {
    if (pending[key]) pending[key].abort();
    const ctl = new AbortController();
    pending[key] = ctl;
    const res = await fetch(url, { headers: { "X-Partial": name }, signal: ctl.signal });
    if (pending[key] === ctl) delete pending[key];
    if (!res.ok && res.status !== 400) throw new Error("HTTP " + res.status);
    return res.text();
  }

  // formURL is the address a GET form would load, with its submitter.
  function formURL(form, submitter) {
    const data = submitter ? new FormData(form, submitter) : new FormData(form);
    const action = (submitter && submitter.hasAttribute("formaction")) ? submitter.formAction : form.action;
    const u = new URL(action, location.href);
    u.hash = "";
    u.search = new URLSearchParams(data).toString();
    return u;
  }

  const narrow = window.matchMedia("(max-width: 720px)");

  // --- search page ---------------------------------------------------------
  function searchPage() {
    const form = document.getElementById("searchform");
    const input = document.getElementById("q");
    const found = document.getElementById("found");
    const count = document.getElementById("count");
    if (!form || !input || !found) return;
    let filtersOpen = null; // the reader's choice, once made

    // Filters: on a phone they start folded, under a « Filtres » summary
    // at the top of the results.
    function fitFilters() {
      const d = found.querySelector("details.filters");
      if (!d) return;
      d.open = filtersOpen !== null ? filtersOpen : !narrow.matches;
      d.addEventListener("toggle", () => { filtersOpen = d.open; });
    }
    fitFilters();

    // Results: the server renders them; only their count is announced.
    let shown = location.pathname + location.search;
    function remember(url) {
      try { sessionStorage.setItem("metiers.search", url); } catch (e) { /* private mode */ }
    }
    if (input.value.trim()) remember(shown);

    async function show(url, how, focus) {
      const rel = url.pathname + url.search;
      let html;
      try {
        html = await fetchPart(rel, "found", "found");
      } catch (e) {
        if (e.name === "AbortError") return;
        location.assign(rel); // let the server say what went wrong
        return;
      }
      found.innerHTML = html;
      fitFilters();
      const title = found.querySelector("#results-title");
      const text = title ? title.dataset.count : "";
      if (count) count.textContent = text;
      document.title = (input.value.trim() ? "« " + input.value.trim() + " » : recherche de métiers" : "Trouver son métier : fiches métiers, métiers similaires et quiz") + " — Métiers.be";
      if (rel !== shown) {
        if (how === "push") history.pushState({ search: true }, "", rel); else history.replaceState({ search: true }, "", rel);
        shown = rel;
      }
      remember(rel);
      if (focus) focus();
      // For the browser tests: when the results are drawn (next frame).
      const q = input.value;
      requestAnimationFrame(() => performance.mark("metiers:results", { detail: { q } }));
    }

    function typed() {
      const u = formURL(form);
      if (!input.value.trim()) u.searchParams.delete("q");
      return u;
    }

    // Suggestions: a combobox over the box, the feminine form after a
    // separator a screen reader says too.
    const list = document.createElement("ul");
    list.id = "suggestions";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    input.closest(".row").after(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", "suggestions");
    let items = [], active = -1;

    function paint() {
      list.replaceChildren();
      items.forEach((s, i) => {
        const li = document.createElement("li");
        li.id = "sug-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", String(i === active));
        li.dataset.id = s.id;
        li.append(document.createTextNode(display(s.title)));
        if (s.title_feminine && s.title_feminine !== s.title) {
          const fem = document.createElement("span");
          fem.className = "fem";
          fem.textContent = ", " + s.title_feminine;
          li.append(fem);
        }
        list.append(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", String(items.length > 0));
      if (active >= 0) input.setAttribute("aria-activedescendant", "sug-" + active); else input.removeAttribute("aria-activedescendant");
    }
    function close() { items = []; active = -1; paint(); }

    let sugCtl = null;
    async function suggest() {
      const q = input.value.trim();
      if (sugCtl) sugCtl.abort();
      if (q.length < 2) { close(); return; }
      sugCtl = new AbortController();
      try {
        const res = await fetch("/api/suggest?size=8&q=" + encodeURIComponent(q), { signal: sugCtl.signal });
        if (!res.ok) { close(); return; }
        const r = await res.json();
        if (input.value.trim() !== q || document.activeElement !== input) return;
        items = r.suggestions || []; active = -1; paint();
      } catch (e) { if (e.name !== "AbortError") close(); }
    }

    input.addEventListener("input", () => { suggest(); show(typed(), "replace"); });
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "ArrowDown" && items.length) { active = (active + 1) % items.length; paint(); ev.preventDefault(); }
      else if (ev.key === "ArrowUp" && items.length) { active = (active - 1 + items.length) % items.length; paint(); ev.preventDefault(); }
      else if (ev.key === "Escape") { ev.preventDefault(); close(); } // closes the list, keeps the query
      else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); location.assign("/metiers/" + encodeURIComponent(items[active].id)); }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
    list.addEventListener("mousedown", (ev) => {
      const li = ev.target.closest("li");
      if (li) { ev.preventDefault(); location.assign("/metiers/" + encodeURIComponent(li.dataset.id)); }
    });
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      close();
      show(typed(), "push", () => { const t = found.querySelector("#results-title"); if (t) t.focus(); });
    });

    // Filters, active filters and pages: the same addresses, without a
    // reload; focus stays on the filter just used.
    found.addEventListener("click", (ev) => {
      const a = ev.target.closest("a");
      if (!a || a.origin !== location.origin || a.pathname !== "/" || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
      ev.preventDefault();
      const u = new URL(a.href);
      input.value = u.searchParams.get("q") || "";
      const key = a.dataset.key, value = a.dataset.value, paging = a.closest(".pager");
      show(u, "push", () => {
        if (paging) {
          const t = found.querySelector("#results-title");
          if (t) { t.scrollIntoView(); t.focus(); }
          return;
        }
        const same = key && [...found.querySelectorAll("a[data-key]")].find((x) => x.dataset.key === key && x.dataset.value === value);
        (same || found.querySelector("#results-title") || input).focus();
      });
    });
    window.addEventListener("popstate", () => {
      if (location.pathname + location.search === shown) return; // a fragment (the skip link)
      const u = new URL(location.href);
      input.value = u.searchParams.get("q") || "";
      show(u, "replace");
    });
  }

  // display capitalises a title as the pages do (ONISEP writes them in
  // lower case).
  function display(s) { return s ? s.charAt(0).toLocaleUpperCase("fr") + s.slice(1) : s; }

  // --- guide page ------------------------------------------------------------
  function guidePage() {
    // « ← Recherche » goes back to the reader's search, with its query.
    const back = document.getElementById("back-to-search");
    let last = null;
    try { last = sessionStorage.getItem("metiers.search"); } catch (e) { /* private mode */ }
    if (back && last && last.startsWith("/?")) back.href = last;

    const form = document.getElementById("compat-form");
    const out = document.getElementById("compat-result");
    if (!form || !out) return;
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const u = formURL(form, ev.submitter);
      try {
        out.innerHTML = await fetchPart(u.pathname + u.search, "compat", "compat");
      } catch (e) {
        if (e.name !== "AbortError") location.assign(u.pathname + u.search + "#resultat");
        return;
      }
      const r = document.getElementById("resultat");
      if (r) r.focus();
    });
  }

  // --- quiz --------------------------------------------------------------------
  // Each step is the server's: the script only loads it in place, keeps
  // the address (back and forward step through the questions) and moves
  // focus to the new question. Nothing moves on by itself: arrows move
  // between the answers, Space picks one, Enter or « Suivant » goes on.
  function quizPage() {
    const box = document.getElementById("quiz");
    if (!box) return;
    let at = location.pathname + location.search;
    async function load(url, how) {
      let html;
      try {
        html = await fetchPart(url, "quiz", "quiz");
      } catch (e) {
        if (e.name !== "AbortError") location.assign(url);
        return;
      }
      box.innerHTML = html;
      const f = box.querySelector("#quiz-form");
      const clean = (f && f.dataset.url) || url;
      // The same step again (« Suivant » without an answer) is no new step.
      if (how === "push" && clean === location.pathname + location.search) how = "replace";
      if (how === "push") history.pushState({ quiz: true }, "", clean);
      else if (how === "replace") history.replaceState({ quiz: true }, "", clean);
      at = location.pathname + location.search;
      window.scrollTo(0, 0);
      const h = box.querySelector("#question");
      if (h) h.focus();
      const st = box.querySelector("#quiz-status");
      document.title = (st ? "Quiz d’orientation · " + st.textContent.trim() : "Quiz d’orientation") + " — Métiers.be";
    }
    box.addEventListener("submit", (ev) => {
      const form = ev.target.closest("form");
      if (!form || form.dataset.partial !== "quiz") return;
      ev.preventDefault();
      const u = formURL(form, ev.submitter);
      load(u.pathname + u.search, "push");
    });
    box.addEventListener("click", (ev) => {
      const a = ev.target.closest("a[data-partial='quiz']");
      if (!a || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
      ev.preventDefault();
      const u = new URL(a.href);
      load(u.pathname + u.search, "push");
    });
    // A fragment (the skip link) fires popstate too: only a step changes
    // the address's path or query.
    window.addEventListener("popstate", () => {
      if (location.pathname + location.search !== at) load(location.pathname + location.search, null);
    });
  }

  // « Aller au contenu » is a plain link to #main: the browser follows
  // it; focus follows too, where a browser would leave it behind.
  const skip = document.querySelector("a.skip");
  const main = document.getElementById("main");
  if (skip && main) skip.addEventListener("click", () => setTimeout(() => main.focus(), 0));

  // A reader opening a listed guide tells the server, for the editors'
  // insights (GET /admin/insights: the queries after which nothing was
  // opened): which guide, and the search or the guide whose « Métiers
  // similaires » listed it. Nothing about the reader is sent.
  document.addEventListener("click", (ev) => {
    const a = ev.target.closest && ev.target.closest("a[href]");
    if (!a || a.origin !== location.origin || !a.pathname.startsWith("/metiers/") || !navigator.sendBeacon) return;
    const id = decodeURIComponent(a.pathname.slice("/metiers/".length));
    let open = null;
    if (a.closest(".hits")) {
      const q = (document.getElementById("q") || {}).value || new URLSearchParams(location.search).get("q") || "";
      if (q.trim()) open = { type: "open", id: id, from: "search", query: q.trim() };
    } else if (a.closest("#similar") && location.pathname.startsWith("/metiers/")) {
      open = { type: "open", id: id, from: "similar", source: decodeURIComponent(location.pathname.slice("/metiers/".length)) };
    }
    if (open) navigator.sendBeacon("/api/events", JSON.stringify(open));
  }, true);

  if (page === "search") searchPage();
  else if (page === "guide") guidePage();
  else if (page === "quiz") quizPage();
})();
