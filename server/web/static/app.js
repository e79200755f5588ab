// metiers — the reader's pages: search, guide, quiz and criterion list.
// Plain JavaScript, no framework; every text the reader sees is French.
"use strict";

(function () {
  const main = document.getElementById("main");
  const NBSP = "\u00a0";

  // --- helpers -----------------------------------------------------------
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }
  // Only <mark> survives from a highlight; everything else is escaped.
  function marked(s) {
    const tmp = document.createElement("textarea");
    tmp.innerHTML = s; // decode the entities of bleve's HTML fragment
    return esc(tmp.value).replace(/&lt;mark&gt;/g, "<mark>").replace(/&lt;\/mark&gt;/g, "</mark>");
  }
  function euros(n) {
    return n ? n.toLocaleString("fr-BE") + NBSP + "€" : "";
  }
  async function api(path, opts) {
    const res = await fetch(path, opts);
    let body = null;
    try { body = await res.json(); } catch (e) { /* not JSON */ }
    if (!res.ok) {
      const err = new Error((body && body.error) || "Erreur " + res.status);
      err.status = res.status;
      throw err;
    }
    return body;
  }
  function setTitle(t) { document.title = t + " — Métiers"; }
  function errorBox(e) {
    return `<p class="error" role="alert">Oups${NBSP}! ${esc(e.message || e)}</p>`;
  }
  function debounce(fn, ms) {
    let t;
    return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
  }

  // --- router ------------------------------------------------------------
  function route() {
    const p = location.pathname;
    let m;
    if (p === "/" || p === "") return searchPage();
    if (p === "/quiz") return quizPage();
    if ((m = p.match(/^\/metiers\/([^/]+)$/))) return metierPage(decodeURIComponent(m[1]));
    if ((m = p.match(/^\/criteres\/([^/]+)$/))) return criterionPage(decodeURIComponent(m[1]));
    main.innerHTML = `<h1>Page introuvable</h1><p><a href="/">Retour à la recherche</a></p>`;
  }

  // --- search page ---------------------------------------------------------
  const facetNames = { area: "Zone d’emploi", salary: "Salaire possible", study: "Durée des études", criteria: "Critères" };
  let criteriaLabels = {};

  async function loadCriteriaLabels() {
    if (Object.keys(criteriaLabels).length) return;
    try {
      const r = await api("/api/criteria");
      r.criteria.forEach((c) => { criteriaLabels[c.id] = c.label; });
    } catch (e) { /* labels are a nicety */ }
  }

  function searchPage() {
    setTitle("Rechercher un métier");
    const params = new URLSearchParams(location.search);
    main.innerHTML = `
      <section class="hero">
        <h1>Quel métier vous ressemble${NBSP}?</h1>
        <p class="lead">Cherchez parmi les fiches métiers de Belgique, avec ou sans accents, au masculin ou au féminin.</p>
        <form class="searchbox" role="search" id="searchform">
          <label for="q">Rechercher un métier, une mission, un outil…</label>
          <input id="q" name="q" type="search" autocomplete="off" spellcheck="false"
                 role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="suggestions"
                 placeholder="ex. codeuse, médecin conseil, mutuelle, INAMI" value="${esc(params.get("q") || "")}">
          <ul id="suggestions" class="suggestions" role="listbox" aria-label="Suggestions" hidden></ul>
        </form>
      </section>
      <div class="layout">
        <aside class="facets" id="facets" aria-label="Filtres"></aside>
        <section aria-live="polite" aria-busy="false" id="results">
          <p class="status">Tapez quelques lettres pour commencer, ou <a href="/quiz">faites le quiz</a>.</p>
        </section>
      </div>`;
    const input = document.getElementById("q");
    const list = document.getElementById("suggestions");
    let active = -1, items = [];

    function closeList() { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1; }
    function paint() {
      list.innerHTML = items.map((s, i) => `<li id="sug-${i}" role="option" aria-selected="${i === active}" data-id="${esc(s.id)}">${esc(s.title)}${s.title_feminine ? `<small>${esc(s.title_feminine)}</small>` : ""}</li>`).join("");
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", String(items.length > 0));
      if (active >= 0) input.setAttribute("aria-activedescendant", "sug-" + active); else input.removeAttribute("aria-activedescendant");
    }
    const suggest = debounce(async () => {
      const q = input.value.trim();
      if (q.length < 2) { items = []; paint(); return; }
      try {
        const r = await api("/api/suggest?size=8&q=" + encodeURIComponent(q));
        if (input.value.trim() !== q) return;
        items = r.suggestions; active = -1; paint();
      } catch (e) { items = []; paint(); }
    }, 120);
    const search = debounce(() => runSearch(1), 250);

    input.addEventListener("input", () => { suggest(); search(); });
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "ArrowDown" && items.length) { active = (active + 1) % items.length; paint(); ev.preventDefault(); }
      else if (ev.key === "ArrowUp" && items.length) { active = (active - 1 + items.length) % items.length; paint(); ev.preventDefault(); }
      else if (ev.key === "Escape") { closeList(); }
      else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); go("/metiers/" + encodeURIComponent(items[active].id)); }
    });
    input.addEventListener("blur", () => setTimeout(closeList, 150));
    list.addEventListener("mousedown", (ev) => {
      const li = ev.target.closest("li");
      if (li) { ev.preventDefault(); go("/metiers/" + encodeURIComponent(li.dataset.id)); }
    });
    document.getElementById("searchform").addEventListener("submit", (ev) => { ev.preventDefault(); closeList(); runSearch(1); });

    loadCriteriaLabels().then(() => { if (input.value.trim()) runSearch(Number(params.get("page")) || 1); });
    input.focus();
  }

  // Filters live in the URL, so a result page can be shared.
  function currentFilters() {
    const p = new URLSearchParams(location.search);
    const f = new URLSearchParams();
    ["area", "criteria", "salary_min", "salary_max", "study_max"].forEach((k) => p.getAll(k).forEach((v) => f.append(k, v)));
    return f;
  }

  async function runSearch(page) {
    const input = document.getElementById("q");
    const results = document.getElementById("results");
    const facets = document.getElementById("facets");
    if (!input || !results) return;
    const q = input.value.trim();
    const f = currentFilters();
    const url = new URLSearchParams(f);
    if (q) url.set("q", q);
    if (page > 1) url.set("page", page);
    history.replaceState(null, "", "/" + (url.toString() ? "?" + url : ""));
    if (!q) { results.innerHTML = `<p class="status">Tapez quelques lettres pour commencer.</p>`; facets.innerHTML = ""; return; }
    results.setAttribute("aria-busy", "true");
    try {
      const params = new URLSearchParams(f);
      params.set("q", q); params.set("size", "10"); params.set("page", page);
      const r = await api("/api/search?" + params);
      if (input.value.trim() !== q) return;
      renderResults(r, q, page);
      renderFacets(r.facets || {}, f);
    } catch (e) {
      results.innerHTML = errorBox(e);
    } finally {
      results.setAttribute("aria-busy", "false");
    }
  }

  function renderResults(r, q, page) {
    const results = document.getElementById("results");
    if (!r.hits.length) {
      results.innerHTML = `<p class="status">Aucun métier ne correspond à «${NBSP}${esc(q)}${NBSP}». Essayez un autre mot, retirez un filtre, ou <a href="/quiz">faites le quiz</a>.</p>`;
      return;
    }
    const pages = Math.ceil(r.total / r.size);
    results.innerHTML = `
      <p class="status">${r.total} métier${r.total > 1 ? "s" : ""} pour «${NBSP}${esc(q)}${NBSP}»</p>
      <ol class="hits">${r.hits.map((h) => {
        const hl = h.highlights || {};
        const snip = (hl.text || hl.missions || hl.tagline || []).find((s) => s.indexOf("<mark>") >= 0);
        return `<li class="card hit">
          <h3><a href="/metiers/${encodeURIComponent(h.id)}">${esc(h.title)}</a>${h.title_feminine ? ` <span class="fem">/ ${esc(h.title_feminine)}</span>` : ""}</h3>
          <p>${esc(h.tagline)}</p>
          ${snip ? `<p class="snippet">${marked(snip)}</p>` : ""}
        </li>`;
      }).join("")}</ol>
      ${pages > 1 ? `<nav class="pager" aria-label="Pages">
        <button class="secondary" data-page="${page - 1}" ${page <= 1 ? "disabled" : ""}>Précédent</button>
        <span>Page ${page} sur ${pages}</span>
        <button class="secondary" data-page="${page + 1}" ${page >= pages ? "disabled" : ""}>Suivant</button></nav>` : ""}`;
    results.querySelectorAll("[data-page]").forEach((b) => b.addEventListener("click", () => runSearch(Number(b.dataset.page))));
  }

  function renderFacets(facets, current) {
    const box = document.getElementById("facets");
    // The filters are cumulative ("au moins 4 000 €", "au plus 3 ans"),
    // so the buckets' counts are added up to match what a click keeps.
    const cum = (vals, order, label) => {
      const by = {};
      (vals || []).forEach((v) => { by[v.value] = v.count; });
      let acc = 0;
      return order.map(([bucket, key, val, text]) => { acc += by[bucket] || 0; return { value: text, count: acc, key, val }; }).filter((v) => v.count > 0);
    };
    facets = Object.assign({}, facets, {
      salary: cum(facets.salary, [
        ["plus de 6 000 €", "salary_min", "6000", "au moins 6 000 €"],
        ["4 000 à 6 000 €", "salary_min", "4000", "au moins 4 000 €"],
        ["3 000 à 4 000 €", "salary_min", "3000", "au moins 3 000 €"],
      ]),
      study: cum(facets.study, [
        ["moins de 2 ans", "study_max", "1.9", "moins de 2 ans d’études"],
        ["2 à 3 ans", "study_max", "3.9", "3 ans d’études au plus"],
        ["4 à 5 ans", "study_max", "5.9", "5 ans d’études au plus"],
      ]),
    });
    let html = "";
    ["area", "salary", "study", "criteria"].forEach((name) => {
      const vals = (facets[name] || []).filter((v) => v.count > 0);
      if (!vals.length) return;
      html += `<fieldset><legend>${facetNames[name]}</legend>`;
      vals.forEach((v, i) => {
        let key, val, label = v.value;
        if (name === "area" || name === "criteria") { key = name; val = v.value; if (name === "criteria") label = criteriaLabels[v.value] || v.value; }
        else if (v.key) { key = v.key; val = v.val; }
        else return;
        const checked = current.getAll(key).includes(val);
        html += `<label><input type="checkbox" data-key="${key}" data-val="${esc(val)}" ${checked ? "checked" : ""}> ${esc(label)} <span class="count">${v.count}</span></label>`;
      });
      html += `</fieldset>`;
    });
    box.innerHTML = html;
    box.querySelectorAll("input").forEach((cb) => cb.addEventListener("change", () => {
      const p = new URLSearchParams(location.search);
      const k = cb.dataset.key, v = cb.dataset.val;
      if (cb.checked) {
        if (k === "area" || k === "criteria") p.append(k, v); else p.set(k, v);
      } else {
        const keep = p.getAll(k).filter((x) => x !== v);
        p.delete(k); keep.forEach((x) => p.append(k, x));
      }
      p.delete("page");
      history.replaceState(null, "", "/?" + p);
      runSearch(1);
    }));
  }

  // --- guide page ----------------------------------------------------------
  function list(items, cls) {
    return items && items.length ? `<ul${cls ? ` class="${cls}"` : ""}>${items.map((i) => `<li>${esc(i)}</li>`).join("")}</ul>` : "";
  }
  function section(title, body) { return body ? `<section><h2>${title}</h2>${body}</section>` : ""; }

  function salaryBlock(s) {
    if (!s || !s.max) return "";
    const lo = Math.min(s.min || s.junior_min || s.max, s.junior_min || s.min), hi = s.max;
    const span = Math.max(hi - lo, 1);
    const pos = (a, b) => `left:${((a - lo) / span) * 100}%;width:${Math.max(((b - a) / span) * 100, 2)}%`;
    return `<div class="card"><h3>Salaire brut mensuel</h3>
      <div class="big">${euros(s.min)} – ${euros(s.max)}</div>
      <div class="salarybar" role="img" aria-label="Débutant ${euros(s.junior_min)} à ${euros(s.junior_max)}, expérimenté ${euros(s.senior_min)} à ${euros(s.senior_max)}">
        ${s.junior_max ? `<span class="junior" style="${pos(s.junior_min, s.junior_max)}"></span>` : ""}
        ${s.senior_max ? `<span class="senior" style="${pos(s.senior_min, s.senior_max)}"></span>` : ""}
      </div>
      <div class="legend"><span>Débutant${NBSP}: ${euros(s.junior_min)}–${euros(s.junior_max)}</span><span>Expérimenté${NBSP}: ${euros(s.senior_min)}–${euros(s.senior_max)}</span></div>
      ${s.benefits ? `<p class="snippet">+ ${esc(s.benefits)}</p>` : ""}</div>`;
  }

  function figuresBlock(m) {
    const f = m.figures || {};
    const rows = [
      ["Durée de formation", f.training_duration], ["Professionnels actifs", f.professionals], ["Croissance", f.growth],
      ["Taux d’insertion", f.insertion_rate], ["Âge moyen", f.average_age_text], ["Proportion de femmes", f.women_text],
    ].filter((r) => r[1]);
    const years = m.study_years ? `<div class="card"><h3>Études</h3><div class="big">${m.study_years >= 9 ? "9 ans et plus" : m.study_years.toLocaleString("fr-BE", { maximumFractionDigits: 1 }) + NBSP + "an" + (m.study_years >= 2 ? "s" : "")}</div><p class="snippet">après le secondaire</p></div>` : "";
    return `<div class="glance">${salaryBlock(m.salary)}${years}${rows.map((r) => `<div class="card"><h3>${r[0]}</h3><div class="big">${esc(r[1])}</div></div>`).join("")}</div>`;
  }

  async function metierPage(id) {
    main.innerHTML = `<p class="loading">Chargement…</p>`;
    let m;
    try { m = await api("/api/metiers/" + encodeURIComponent(id)); }
    catch (e) {
      main.innerHTML = e.status === 404 ? `<h1>Fiche introuvable</h1><p>Ce métier n’existe pas ou plus. <a href="/">Retour à la recherche</a></p>` : errorBox(e);
      return;
    }
    setTitle(m.title);
    main.innerHTML = `
      <p><a href="/">← Recherche</a></p>
      <h1>${esc(m.title)}${m.title_feminine ? ` <span class="fem">/ ${esc(m.title_feminine)}</span>` : ""}</h1>
      ${m.acronyms && m.acronyms.length ? `<p>${m.acronyms.map((a) => `<span class="tag">${esc(a)}</span>`).join(" ")}</p>` : ""}
      <p class="lead">${esc(m.tagline)}</p>
      <ul class="tags" id="tags" aria-label="Critères du métier"></ul>
      ${figuresBlock(m)}
      ${section("Études", m.studies ? `<p>${esc(m.studies)}</p>` : "")}
      ${section("Qualités clés", m.qualities && m.qualities.length ? `<ul class="tags">${m.qualities.map((q) => `<li class="tag">${esc(q)}</li>`).join("")}</ul>` : "")}
      ${section("Conditions de travail", m.conditions ? `<p>${esc(m.conditions)}</p>` : "")}
      ${section("Le métier", m.introduction ? m.introduction.split("\n").map((p) => `<p>${esc(p)}</p>`).join("") : "")}
      ${section("Missions quotidiennes", list(m.missions))}
      ${section("Outils et équipements", list(m.tools))}
      ${section("Journée type", m.day && m.day.length ? `<ol class="timeline">${m.day.map((d) => `<li><time>${esc(d.from)} – ${esc(d.to)}</time>${esc(d.text)}</li>`).join("")}</ol>` : "")}
      ${section("Faits marquants", m.facts && m.facts.length ? m.facts.map((f) => `<p><strong>${esc(f.title)}${f.title ? NBSP + ":" : ""}</strong> ${esc(f.text)}</p>`).join("") : "")}
      ${section("Témoignage", m.testimony ? `<blockquote><p>«${NBSP}${esc(m.testimony.quote)}${NBSP}»</p><footer>${esc(m.testimony.author)}${m.testimony.role ? ", " + esc(m.testimony.role) : ""}</footer></blockquote>` : "")}
      ${section("Se former", list(m.training_steps))}
      ${section("Lieux de travail", list(m.workplaces))}
      ${(m.pros && m.pros.length) || (m.cons && m.cons.length) ? `<section><h2>Avantages et inconvénients</h2><div class="cols"><div class="card"><h3>Points forts</h3>${list(m.pros, "pros")}</div><div class="card"><h3>Points faibles</h3>${list(m.cons, "cons")}</div></div></section>` : ""}
      ${section("Conseils", list(m.tips))}
      <section id="compat"></section>
      ${section("Questions fréquentes", m.faq && m.faq.length ? m.faq.map((q) => `<details><summary>${esc(q.question)}</summary><p>${esc(q.answer)}</p></details>`).join("") : "")}
      ${section("Où se former", list(m.schools))}
      ${section("Zones d’emploi", list(m.employment_areas))}
      <section><h2>Métiers similaires</h2><div id="similar"><p class="loading">Chargement…</p></div></section>`;
    api(`/api/metiers/${encodeURIComponent(id)}/criteria`).then((c) => {
      document.getElementById("tags").innerHTML = c.tags.slice(0, 8).map((t) => `<li><a href="/criteres/${encodeURIComponent(t.id)}" title="Voir d’autres métiers avec ce critère">${esc(t.label)}</a></li>`).join("");
    }).catch(() => {});
    api(`/api/metiers/${encodeURIComponent(id)}/similar?size=5`).then((r) => {
      document.getElementById("similar").innerHTML = r.similar.length ? `<ol class="similar">${r.similar.map((s) => `<li><a href="/metiers/${encodeURIComponent(s.id)}"><strong>${esc(s.title)}</strong></a><ul class="reasons">${s.reasons.map((x) => `<li>${esc(x)}</li>`).join("")}</ul></li>`).join("")}</ol>` : `<p class="status">Aucun métier similaire pour l’instant.</p>`;
    }).catch((e) => { document.getElementById("similar").innerHTML = errorBox(e); });
    metierQuiz(id);
  }

  async function metierQuiz(id) {
    const box = document.getElementById("compat");
    let q;
    try { q = await api(`/api/metiers/${encodeURIComponent(id)}/quiz`); } catch (e) { return; }
    if (!q.questions.length) return;
    box.innerHTML = `<h2>Êtes-vous fait pour ce métier${NBSP}?</h2>
      <form class="card" id="compatform">
        ${q.questions.map((qu) => `<fieldset class="likert"><legend class="question" style="font-size:1rem">${esc(qu.text)}</legend>
          <div style="display:flex;flex-wrap:wrap;gap:.4rem">${q.scale.map((o) => `<label style="flex:1 1 110px"><input type="radio" name="${esc(qu.id)}" value="${o.value}" ${o.value === 3 ? "" : ""}> <span>${esc(o.label)}</span></label>`).join("")}</div></fieldset>`).join("<br>")}
        <div class="quiznav"><span></span><button type="submit">Voir ma compatibilité</button></div>
        <div id="compatresult" aria-live="polite"></div>
      </form>`;
    document.getElementById("compatform").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const answers = {};
      new FormData(ev.target).forEach((v, k) => { answers[k] = Number(v); });
      const out = document.getElementById("compatresult");
      try {
        const r = await api(`/api/metiers/${encodeURIComponent(id)}/quiz`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ answers }) });
        out.innerHTML = `<p class="pct" style="text-align:left">${r.compatibility}${NBSP}% de compatibilité</p>
          ${r.answered < q.questions.length ? `<p class="status">Réponses données${NBSP}: ${r.answered} sur ${q.questions.length} (les autres comptent comme neutres).</p>` : ""}
          ${r.helped.length ? `<h3>Ce qui vous rapproche du métier</h3><ul class="helped">${r.helped.map((h) => `<li>${esc(h.text)}</li>`).join("")}</ul>` : ""}
          ${r.hurt.length ? `<h3>Ce qui vous en éloigne</h3><ul class="hurt">${r.hurt.map((h) => `<li>${esc(h.text)}</li>`).join("")}</ul>` : ""}`;
      } catch (e) { out.innerHTML = errorBox(e); }
    });
  }

  // --- criterion page ------------------------------------------------------
  async function criterionPage(id) {
    try {
      const r = await api(`/api/criteria/${encodeURIComponent(id)}/metiers?size=100`);
      setTitle(r.criterion.label);
      main.innerHTML = `<p><a href="/">← Recherche</a></p><h1>${esc(r.criterion.label)}</h1><p class="lead">${esc(r.criterion.description)}</p>
        ${r.metiers.length ? `<ol class="similar">${r.metiers.map((m) => `<li><a href="/metiers/${encodeURIComponent(m.id)}"><strong>${esc(m.title)}</strong></a></li>`).join("")}</ol>` : `<p class="status">Aucun métier pour ce critère.</p>`}`;
    } catch (e) {
      main.innerHTML = e.status === 404 ? `<h1>Critère introuvable</h1><p><a href="/">Retour à la recherche</a></p>` : errorBox(e);
    }
  }

  // --- general quiz ----------------------------------------------------------
  async function quizPage() {
    setTitle("Quiz d’orientation");
    let quiz;
    try { quiz = await api("/api/quiz"); } catch (e) { main.innerHTML = errorBox(e); return; }
    const answers = {};
    let i = 0;
    const total = quiz.questions.length;

    function step() {
      if (i >= total) return extras();
      const q = quiz.questions[i];
      main.innerHTML = `<h1>${esc(quiz.title)}</h1>
        <p class="status">Question ${i + 1} sur ${total}</p>
        <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="${total}" aria-valuenow="${i}"><span style="width:${(i / total) * 100}%"></span></div>
        <form id="qform">
          <fieldset class="likert"><legend class="question">${esc(q.text)}</legend>
          ${quiz.scale.map((o) => `<label><input type="radio" name="a" value="${o.value}" ${answers[q.id] === o.value ? "checked" : ""}> <span>${esc(o.label)}</span></label>`).join("")}
          </fieldset>
          <div class="quiznav">
            <button type="button" class="secondary" id="back" ${i === 0 ? "disabled" : ""}>Précédent</button>
            <button type="button" class="secondary" id="skip">Passer</button>
            <button type="submit" id="next">Suivant</button>
          </div>
        </form>`;
      const form = document.getElementById("qform");
      const first = form.querySelector("input:checked") || form.querySelector("input");
      first.focus();
      form.querySelectorAll("input").forEach((r) => r.addEventListener("change", () => { answers[q.id] = Number(r.value); setTimeout(() => { i++; step(); }, 120); }));
      form.addEventListener("submit", (ev) => { ev.preventDefault(); const c = form.querySelector("input:checked"); if (c) answers[q.id] = Number(c.value); i++; step(); });
      document.getElementById("back").addEventListener("click", () => { i--; step(); });
      document.getElementById("skip").addEventListener("click", () => { delete answers[q.id]; i++; step(); });
    }

    function extras() {
      main.innerHTML = `<h1>Presque fini${NBSP}!</h1>
        <div class="progress"><span style="width:100%"></span></div>
        <form id="xform" class="card">
          <div class="field"><label for="text">Décrivez en quelques mots ce qui vous attire (facultatif)</label>
            <textarea id="text" rows="3" maxlength="1000" placeholder="ex. j’aime les chiffres, la santé, aider les gens…"></textarea></div>
          <div class="field"><label for="maxy">Durée d’études maximale (années, facultatif)</label><input id="maxy" type="number" min="0" max="15" step="1"></div>
          <div class="field"><label for="minsal">Salaire brut mensuel minimum (€, facultatif)</label><input id="minsal" type="number" min="0" step="100"></div>
          <div class="field"><label for="area">Zone d’emploi (facultatif)</label><input id="area" type="text" placeholder="ex. Liège, Bruxelles"></div>
          <div class="quiznav"><button type="button" class="secondary" id="back">Précédent</button><button type="submit">Voir mes métiers</button></div>
        </form>`;
      document.getElementById("text").focus();
      document.getElementById("back").addEventListener("click", () => { i = total - 1; step(); });
      document.getElementById("xform").addEventListener("submit", (ev) => { ev.preventDefault(); results(); });
    }

    async function results() {
      const body = {
        answers, size: 10,
        text: document.getElementById("text").value,
        constraints: {
          max_study_years: Number(document.getElementById("maxy").value) || 0,
          min_salary: Number(document.getElementById("minsal").value) || 0,
          area: document.getElementById("area").value.trim(),
        },
      };
      main.innerHTML = `<p class="loading">Calcul de vos résultats…</p>`;
      try {
        const r = await api("/api/quiz/match", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
        main.innerHTML = `<h1>Vos métiers compatibles</h1>
          <p class="lead">Classés selon vos ${Object.keys(answers).length} réponse${Object.keys(answers).length > 1 ? "s" : ""}.</p>
          ${r.matches.length ? `<ol class="matches">${r.matches.map((m) => `<li class="card match"><div class="pct">${m.compatibility}${NBSP}%</div>
            <div><a href="/metiers/${encodeURIComponent(m.id)}"><strong>${esc(m.title)}</strong></a>
            <div class="meter" aria-hidden="true"><span style="width:${m.compatibility}%"></span></div>
            <ul class="reasons snippet">${m.reasons.map((x) => `<li>${esc(x)}</li>`).join("")}</ul></div></li>`).join("")}</ol>`
          : `<p class="status">Aucun métier ne respecte vos contraintes. Essayez de les assouplir.</p>`}
          <p><a class="button secondary" href="/quiz">Recommencer le quiz</a></p>`;
        main.focus();
      } catch (e) { main.innerHTML = errorBox(e); }
    }
    step();
  }

  // --- navigation without reloads ---------------------------------------------
  function go(path) { history.pushState(null, "", path); route(); window.scrollTo(0, 0); }
  document.addEventListener("click", (ev) => {
    const a = ev.target.closest("a");
    if (!a || a.target || a.origin !== location.origin || ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
    if (/^\/(metiers\/|quiz$|criteres\/|$)/.test(a.pathname) && !a.search) { ev.preventDefault(); go(a.pathname); }
  });
  window.addEventListener("popstate", route);
  route();
})();
