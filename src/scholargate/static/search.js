// Search boxes that suggest names as you type: every <input data-suggest="/search/suggest">.
// The ARIA 1.2 combobox pattern (a text box that controls a listbox popup): arrows move
// through the suggestions, Enter takes one, Escape closes the list (or clears the box),
// Tab leaves; the input keeps focus and names the active option in
// aria-activedescendant; a polite live region tells screen readers how many there are.
//
// Options, as data attributes on the input:
//   data-lang    language of the labels shown (default: the page's <html lang>)
//   data-type    what to suggest: method, person, ... (default: everything)
//   data-limit   how many suggestions (default 8)
//   data-select  "go" (default): open the chosen resource's page;
//                "submit": put its slug in the box and submit the form (the compare page)
//                "fill": put its slug in the box and stay (a pick in the curators' form)
//   data-kind-names, data-count-text, data-none-text: words in the page's language
// Requests wait for a pause in typing (150 ms), the previous one is cancelled, and answers
// are kept per text, so going back over typed letters costs nothing.
(function () {
  "use strict";
  var script = document.currentScript;
  var counter = 0;

  function ensureStyles() {
    // pages other than /search load the popup's style from beside this script
    var present = Array.prototype.some.call(document.styleSheets, function (sheet) {
      return sheet.href && /\/search\.css(\?|$)/.test(sheet.href);
    });
    if (present || !script || !script.src) { return; }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = script.src.replace(/search\.js(\?.*)?$/, "search.css");
    document.head.appendChild(link);
  }

  function attach(input) {
    var endpoint = input.getAttribute("data-suggest");
    if (!endpoint) { return; }
    counter += 1;
    if (!input.id) { input.id = "search-box-" + counter; }
    var lang = input.getAttribute("data-lang") || document.documentElement.lang || "en";
    var type = input.getAttribute("data-type") || "";
    var limit = input.getAttribute("data-limit") || "8";
    var mode = input.getAttribute("data-select") || "go";
    var countText = input.getAttribute("data-count-text") || "{n}";
    var noneText = input.getAttribute("data-none-text") || "";
    var kindNames = {};
    try { kindNames = JSON.parse(input.getAttribute("data-kind-names") || "{}"); } catch (e) { /* none */ }

    var wrap = document.createElement("div");
    wrap.className = "suggest-wrap";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    var list = document.createElement("ul");
    list.id = input.id + "-listbox";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    var label = input.labels && input.labels[0];
    if (label) {
      if (!label.id) { label.id = input.id + "-label"; }
      list.setAttribute("aria-labelledby", label.id);
    }
    list.hidden = true;
    wrap.appendChild(list);
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    wrap.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");

    var items = [];
    var active = -1;
    var timer = null;
    var controller = null;
    var cache = {};
    var shownFor = null;

    function setExpanded(open) {
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) { setActive(-1); }
    }

    function setActive(index) {
      var options = list.querySelectorAll("[role=option]");
      if (active >= 0 && options[active]) { options[active].setAttribute("aria-selected", "false"); }
      active = index;
      if (index >= 0 && options[index]) {
        options[index].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(text, results) {
      items = results;
      shownFor = text;
      active = -1;
      input.removeAttribute("aria-activedescendant");
      while (list.firstChild) { list.removeChild(list.firstChild); }
      results.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = list.id + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-index", String(index));
        option.setAttribute("data-slug", item.slug);
        var name = document.createElement("span");
        name.className = "name";
        name.textContent = item.label;
        if (item.lang) { name.lang = item.lang; }
        name.dir = "auto";
        option.appendChild(name);
        if (item.matched) {
          var matched = document.createElement("bdi");
          matched.className = "matched";
          matched.textContent = item.matched;
          if (item.matched_lang) { matched.lang = item.matched_lang; }
          option.appendChild(matched);
        }
        if (!type || type.indexOf(",") >= 0) {  // one kind asked for: no need to say it
          var kind = document.createElement("span");
          kind.className = "kind";
          kind.textContent = kindNames[item.type] || item.type;
          option.appendChild(kind);
        }
        list.appendChild(option);
      });
      status.textContent = results.length
        ? countText.replace("{n}", String(results.length))
        : noneText;
      setExpanded(results.length > 0 && document.activeElement === input);
    }

    function request(text) {
      if (cache.hasOwnProperty(text)) { render(text, cache[text]); return; }
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      var params = new URLSearchParams({ q: text, lang: lang, limit: limit });
      if (type) { params.set("type", type); }
      fetch(endpoint + "?" + params.toString(), {
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (body) {
          cache[text] = body.results || [];
          if (input.value === text) { render(text, cache[text]); }
        })
        .catch(function () { /* aborted by a newer request, or offline: keep quiet */ });
    }

    function choose(index) {
      var item = items[index];
      if (!item) { return; }
      setExpanded(false);
      if (mode === "fill") {  // a form's pick: the slug goes in the box, nothing more
        input.value = item.slug;
        input.dispatchEvent(new Event("change", { bubbles: true }));
        return;
      }
      if (mode === "submit" && input.form) {
        input.value = item.slug;
        if (input.form.requestSubmit) { input.form.requestSubmit(); } else { input.form.submit(); }
        return;
      }
      window.location.href = item.url + "?lang=" + encodeURIComponent(lang);
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var text = input.value;
      if (!text.trim()) { items = []; setExpanded(false); status.textContent = ""; return; }
      timer = window.setTimeout(function () { request(text); }, 150);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "Down") {
        event.preventDefault();
        if (!items.length) { return; }
        if (!open) { setExpanded(true); }
        setActive(active + 1 >= items.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp" || event.key === "Up") {
        event.preventDefault();
        if (!items.length) { return; }
        if (!open) { setExpanded(true); }
        setActive(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (open && active >= 0) { event.preventDefault(); choose(active); }
      } else if (event.key === "Escape" || event.key === "Esc") {
        if (open) { event.preventDefault(); setExpanded(false); } else if (input.value) {
          event.preventDefault();
          input.value = "";
          items = [];
        }
      } else if (event.key === "Tab") {
        setExpanded(false);
      }
    });

    input.addEventListener("focus", function () {
      if (items.length && shownFor === input.value) { setExpanded(true); }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(function () { setExpanded(false); }, 120);
    });
    // mousedown, not click: it comes before the input's blur closes the list
    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest ? event.target.closest("[role=option]") : null;
      if (option) { event.preventDefault(); choose(Number(option.getAttribute("data-index"))); }
    });
    list.addEventListener("mousemove", function (event) {
      var option = event.target.closest ? event.target.closest("[role=option]") : null;
      if (option) {
        var index = Number(option.getAttribute("data-index"));
        if (index !== active) { setActive(index); }
      }
    });
  }

  var boxes = document.querySelectorAll("input[data-suggest]");
  if (boxes.length) { ensureStyles(); }
  Array.prototype.forEach.call(boxes, attach);
  window.ScholarGateSuggest = attach;  // for rows a form adds later (curate.js)
})();
