// Enhancements only: every page works without this script.
(function () {
  "use strict";
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

  // Results as you type come from the JSON API, drawn with the same markup
  // as the server's list (the "results" component of list.templ). The page
  // asks for them only for anonymous visitors (data-live="json"): the API
  // takes keys, never the session cookie, so a signed-in partner would get
  // the anonymous list; partners search with the form, whose page the
  // server renders with what they may see.
  var form = document.getElementById("search");
  var results = document.getElementById("results");
  if (!form || !results || form.getAttribute("data-live") !== "json" || !window.fetch) return;
  var lang = document.documentElement.lang === "en" ? "en" : "ru";
  var prefix = lang === "en" ? "/en" : "";
  var text = results.dataset;
  var plural = new Intl.PluralRules(lang);
  var summaryLength = 220; // summaryRunes in pages.go

  // focusLabels are the focus areas' labels by slug, from their filter.
  var focusLabels = {};
  Array.prototype.forEach.call(document.getElementById("focus_area").options, function (o) {
    if (o.value) focusLabels[o.value] = o.textContent;
  });

  // el makes an element with attributes and children (strings become text).
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (attrs[k] !== undefined) e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { if (c !== null) e.append(c); });
    return e;
  }
  function format(template) {
    var args = Array.prototype.slice.call(arguments, 1);
    return template.replace(/%d|%s/g, function () { return String(args.shift()); });
  }
  function found(n) {
    var form = plural.select(n);
    var t = form === "one" ? text.foundOne : form === "few" ? text.foundFew : text.foundMany;
    return format(t, n);
  }
  // truncate shortens s to n characters at a word boundary, as truncate in
  // pages.go does.
  function truncate(s, n) {
    var chars = Array.from(s);
    if (chars.length <= n) return s;
    var out = chars.slice(0, n).join("");
    var cut = out.lastIndexOf(" ");
    if (cut > 0 && Array.from(out.slice(0, cut)).length > n / 2) out = out.slice(0, cut);
    return out.replace(/[ ,.;:—-]+$/, "") + "…";
  }
  // scriptLang and partLang are those of page.go: a text with no language
  // of its own is marked by its script when that is not the page's.
  function scriptLang(s) {
    var cyrillic = /\p{Script=Cyrillic}/u.test(s), latin = /\p{Script=Latin}/u.test(s);
    return cyrillic && !latin ? "ru" : latin && !cyrillic ? "en" : "";
  }
  function partLang(l) { return l && l !== lang ? l : undefined; }
  function place(o) {
    var parts = [];
    if (o.region_name && o.region_name !== o.city) parts.push(o.region_name);
    if (o.country_name) parts.push(o.country_name);
    var rest = parts.join(", ");
    if (!o.city) return el("p", { "class": "place" }, [rest]);
    return el("p", { "class": "place" }, [el("span", { lang: partLang(scriptLang(o.city)) }, [o.city]), rest ? ", " + rest : ""]);
  }
  function item(o) {
    var own = o.translations && o.translations[lang] && o.translations[lang].name;
    var used = own ? lang : o.original_language;
    var descLang = o.translations && o.translations[used] && o.translations[used].description ? used : o.original_language;
    var heading = el("h3", {}, [el("a", { href: prefix + "/org/" + encodeURIComponent(o.slug), lang: partLang(used) }, [o.name])]);
    if (o.acronym) heading.append(" ", el("span", { "class": "acronym", lang: partLang(scriptLang(o.acronym)) }, ["(" + o.acronym + ")"]));
    var li = el("li", { "class": "org" }, [heading, place(o)]);
    if (o.description) li.append(el("p", { "class": "summary", lang: partLang(descLang) }, [truncate(o.description, summaryLength)]));
    if (o.focus_areas && o.focus_areas.length) {
      li.append(el("ul", { "class": "tags" }, o.focus_areas.map(function (f) { return el("li", {}, [focusLabels[f] || f]); })));
    }
    return li;
  }
  function draw(list, params) {
    var section = el("section", { "aria-labelledby": "results-heading", "class": "results" }, [
      el("h2", { id: "results-heading" }, [results.querySelector("#results-heading").textContent]),
    ]);
    var total = found(list.total_items);
    if (list.total_pages > 1) total += " · " + format(text.page, 1, list.total_pages);
    section.append(el("p", { "class": "total", id: "total", role: "status" }, [total]));
    if (list.items.length) {
      section.append(el("ol", { "class": "orgs" }, list.items.map(item)));
    } else {
      section.append(el("p", {}, [text.none]));
    }
    if (list.total_pages > 1) {
      params.set("page", "2");
      params.sort(); // as the server orders a link's query (withQuery)
      section.append(el("nav", { "aria-label": text.paging, "class": "paging" }, [
        el("a", { href: form.getAttribute("action") + "?" + params.toString() + "#results", rel: "next" }, [text.next + " →"]),
      ]));
    }
    results.replaceChildren(section);
  }

  var timer = 0, seq = 0;
  function refresh() {
    var params = new URLSearchParams(new FormData(form));
    Array.from(params.keys()).forEach(function (k) { if (!params.get(k)) params.delete(k); });
    var query = params.toString();
    var url = form.getAttribute("action") + (query ? "?" + query : "");
    var api = new URLSearchParams(params);
    api.set("per_page", "20"); // perPage in pages.go
    api.set("lang", lang);
    var mine = ++seq;
    fetch("/api/v1/organizations?" + api.toString(), { headers: { Accept: "application/json" }, credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (list) {
        // A refused query (the API's 400) keeps the list as it is; the form
        // still submits it for the server's page to explain.
        if (list === null || mine !== seq) return;
        draw(list, params);
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
