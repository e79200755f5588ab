// metiers « Métiers similaires » widget.
//   <script src="https://HOST/widget.js" data-metier="ID" data-size="5"></script>
// renders the list right after the script tag, from the script's own
// origin. Class names start with metiers-widget so a host page can style
// them; nothing leaks into the page's globals.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var id = script.getAttribute("data-metier");
  var size = parseInt(script.getAttribute("data-size") || "5", 10);
  if (!(size >= 1 && size <= 20)) size = 5;
  var origin = new URL(script.src, location.href).origin;
  var box = document.createElement("div");
  box.className = "metiers-widget";
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", "Métiers similaires");
  script.parentNode.insertBefore(box, script.nextSibling);

  if (!document.getElementById("metiers-widget-style")) {
    var st = document.createElement("style");
    st.id = "metiers-widget-style";
    st.textContent =
      ".metiers-widget{font:inherit;border:1px solid #d9dee5;border-radius:10px;padding:.8rem 1rem;max-width:32rem}" +
      ".metiers-widget__title{font-weight:700;margin:0 0 .5rem}" +
      ".metiers-widget__list{list-style:none;margin:0;padding:0}" +
      ".metiers-widget__item{padding:.35rem 0;border-top:1px solid #eef1f4}" +
      ".metiers-widget__item:first-child{border-top:0}" +
      ".metiers-widget__link{font-weight:600;color:#0b5cad;text-decoration:none}" +
      ".metiers-widget__reason{display:block;color:#4f5b6b;font-size:.85em}";
    document.head.appendChild(st);
  }
  function text(tag, cls, s) {
    var el = document.createElement(tag);
    el.className = cls;
    el.textContent = s;
    return el;
  }
  if (!id) {
    box.appendChild(text("p", "metiers-widget__error", "Widget métiers\u00a0: attribut data-metier manquant."));
    return;
  }
  box.appendChild(text("p", "metiers-widget__title", "Métiers similaires"));
  // The server says why it refuses: an origin it does not serve (403) or
  // a guide it does not know (404); a network failure is the only
  // « indisponibles pour le moment ».
  fetch(origin + "/api/widget/" + encodeURIComponent(id) + "?size=" + size)
    .then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (r.ok) return body;
        var err = new Error(body.error || String(r.status));
        err.reason = body.reason || (r.status === 404 ? "unknown_guide" : "");
        throw err;
      });
    })
    .then(function (data) {
      var ul = document.createElement("ul");
      ul.className = "metiers-widget__list";
      data.similar.forEach(function (s) {
        var li = document.createElement("li");
        li.className = "metiers-widget__item";
        var a = text("a", "metiers-widget__link", s.title);
        // From the script's own origin, the one the reader's browser
        // reached (s.url is the server's idea of its address).
        a.href = origin + "/metiers/" + encodeURIComponent(s.id);
        // Tell the server a similar guide was opened (the editors'
        // insights); sent as text/plain, so no CORS preflight.
        a.addEventListener("click", function () {
          if (navigator.sendBeacon) navigator.sendBeacon(origin + "/api/events", JSON.stringify({ type: "open", id: s.id, from: "similar", source: id }));
        });
        li.appendChild(a);
        if (s.reason) li.appendChild(text("span", "metiers-widget__reason", s.reason));
        ul.appendChild(li);
      });
      box.appendChild(ul);
    })
    .catch(function (e) {
      var msg = "Les métiers similaires sont indisponibles pour le moment.";
      if (e.reason === "origin") msg = "Widget métiers\u00a0: ce site (" + location.origin + ") n’est pas autorisé à l’afficher\u00a0; son origine doit être ajoutée à cors_origins.";
      else if (e.reason === "unknown_guide") msg = "Widget métiers\u00a0: aucune fiche «\u00a0" + id + "\u00a0» (vérifiez l’attribut data-metier).";
      if (window.console && e.reason) console.warn("metiers widget: " + e.message);
      box.appendChild(text("p", "metiers-widget__error", msg));
    });
})();
