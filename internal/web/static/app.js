// Enhancements only: every page works without this script.
(function () {
  "use strict";
  // Results as you type: fetch the same page's results fragment and swap it
  // in, keeping the URL shareable.
  // A button that copies the embed snippet, where the clipboard is there.
  var copy = document.getElementById("embed-copy");
  var code = document.getElementById("embed-code");
  if (copy && code && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(code.value).then(function () {
        document.getElementById("embed-status").textContent = copy.getAttribute("data-done");
      }, function () { code.select(); });
    });
  }
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
