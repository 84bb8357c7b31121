// Enhancements only: every page works without this script.
(function () {
  "use strict";
  // Results as you type: fetch the same page's results fragment and swap it
  // in, keeping the URL shareable.
  var form = document.getElementById("search");
  var results = document.getElementById("results");
  if (!form || !results || !window.fetch) return;
  var timer = 0, seq = 0;
  function refresh() {
    var params = new URLSearchParams(new FormData(form));
    Array.from(params.keys()).forEach(function (k) { if (!params.get(k)) params.delete(k); });
    var query = params.toString();
    var url = form.getAttribute("action") + (query ? "?" + query : "");
    params.set("fragment", "results");
    var mine = ++seq;
    fetch(form.getAttribute("action") + "?" + params.toString(), { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.ok || r.status === 400 ? r.text() : null; })
      .then(function (html) {
        if (html === null || mine !== seq) return;
        results.innerHTML = html;
        history.replaceState(null, "", url);
      })
      .catch(function () {});
  }
  form.addEventListener("input", function (e) {
    if (e.target.name !== "q") return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  form.addEventListener("change", function (e) {
    if (e.target.tagName === "SELECT") refresh();
  });
})();
