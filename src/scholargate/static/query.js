/* ScholarGate query page.
 *
 * Runs the query in the box with fetch() (POST to the endpoint, SPARQL JSON for SELECT
 * and ASK, Turtle for CONSTRUCT and DESCRIBE), shows the answer as a table with a label
 * next to every IRI (one more query fetches the labels, in the page language, then
 * English, then any), says how many rows came back and whether the server cut the answer
 * (header SPARQL-Results-Truncated), shows errors with their line and column, and offers
 * the answer for download in every format of its kind.
 *
 * Plain JavaScript, no build step, nothing loaded from elsewhere. Text from the server
 * is only ever put into the page as text (textContent), never as HTML.
 *
 * The URL fragment can preset the page: #example=<slug> picks an example,
 * #query=<text> fills the box, and &run=1 runs it at once.
 */
(function () {
  "use strict";

  var dataNode = document.getElementById("query-data");
  if (!dataNode) return;
  var data = JSON.parse(dataNode.textContent);
  var S = data.strings;

  var form = document.getElementById("query-form");
  var box = document.getElementById("query");
  var exampleSelect = document.getElementById("example");
  var exampleComment = document.getElementById("example-comment");
  var formatSelect = document.getElementById("format");
  var results = document.getElementById("results");
  var statusLine = document.getElementById("status");
  var truncatedNotice = document.getElementById("truncated");
  var errorBox = document.getElementById("error");
  var downloads = document.getElementById("downloads");
  var tableWrap = document.getElementById("table-wrap");
  var graphBox = document.getElementById("graph");

  var RESULTS_JSON = "application/sparql-results+json";
  var ACCEPT = RESULTS_JSON + ", text/turtle;q=0.9";
  var LABEL_PROPERTIES = [
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2008/05/skos-xl#literalForm",
    "http://xmlns.com/foaf/0.1/name",
    "http://purl.org/dc/terms/title",
    "http://www.w3.org/2000/01/rdf-schema#label"
  ];
  var MAX_LABELLED = 500; // IRIs per answer that get a label
  var SAFE_IRI = /^[^<>"{}|^`\\\s]+$/;
  var numbers = new Intl.NumberFormat(data.lang);
  var running = null; // the AbortController of the query in flight

  // Prefixes, longest namespace first, for showing IRIs as sg:Method.
  var prefixes = Object.keys(data.prefixes)
    .map(function (p) { return [p, data.prefixes[p]]; })
    .sort(function (a, b) { return b[1].length - a[1].length; });

  // ---- small helpers ---------------------------------------------------------------

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    if (attributes) {
      Object.keys(attributes).forEach(function (name) {
        if (attributes[name] !== null && attributes[name] !== undefined) {
          node.setAttribute(name, attributes[name]);
        }
      });
    }
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function compact(iri) {
    for (var i = 0; i < prefixes.length; i++) {
      var ns = prefixes[i][1];
      if (iri.indexOf(ns) === 0) {
        var local = iri.slice(ns.length);
        if (/^[\p{L}\p{N}_][\p{L}\p{N}_.-]*$/u.test(local) || local === "") {
          return prefixes[i][0] + ":" + local;
        }
      }
    }
    return "<" + iri + ">";
  }

  function show(node, visible) {
    node.hidden = !visible;
  }

  function reset() {
    statusLine.textContent = "";
    show(truncatedNotice, false);
    show(errorBox, false);
    show(downloads, false);
    show(tableWrap, false);
    show(graphBox, false);
    errorBox.replaceChildren();
    downloads.replaceChildren();
    tableWrap.replaceChildren();
    graphBox.textContent = "";
  }

  // ---- examples and the URL fragment -------------------------------------------------

  function pickExample(slug) {
    var example = data.examples[slug];
    if (!example) {
      exampleComment.textContent = "";
      return false;
    }
    exampleSelect.value = slug;
    box.value = example.query;
    exampleComment.textContent = example.comment;
    return true;
  }

  exampleSelect.addEventListener("change", function () {
    if (pickExample(exampleSelect.value)) {
      history.replaceState(null, "", "#example=" + encodeURIComponent(exampleSelect.value));
    }
  });

  function fromFragment() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    if (params.get("example")) pickExample(params.get("example"));
    if (params.get("query")) box.value = params.get("query");
    return params.get("run") === "1";
  }

  // ---- running a query ------------------------------------------------------------------

  function post(query, signal) {
    return fetch(data.endpoint, {
      method: "POST",
      headers: { Accept: ACCEPT },
      body: new URLSearchParams({ query: query }),
      signal: signal,
      credentials: "same-origin"
    });
  }

  function run() {
    var query = box.value;
    if (!query.trim()) {
      box.focus();
      return;
    }
    if (running) running.abort();
    var controller = new AbortController();
    running = controller;
    reset();
    results.setAttribute("aria-busy", "true");
    statusLine.textContent = S.running;
    var started = performance.now();

    post(query, controller.signal)
      .then(function (response) {
        var type = (response.headers.get("Content-Type") || "").split(";")[0].trim().toLowerCase();
        if (!response.ok) {
          return response.text().then(function (body) { showError(response.status, type, body); });
        }
        var truncated = (response.headers.get("SPARQL-Results-Truncated") || "").toLowerCase() === "true";
        if (type === RESULTS_JSON || type === "application/json") {
          return response.json().then(function (json) {
            var ms = performance.now() - started;
            if (typeof json.boolean === "boolean") {
              showBoolean(json.boolean, ms);
            } else {
              showTable(json, ms, truncated, controller.signal);
            }
            showDownloads(query, "results");
          });
        }
        return response.text().then(function (text) {
          showGraph(text, performance.now() - started, truncated);
          showDownloads(query, "graph");
        });
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") return;
        showError(0, "", "");
      })
      .then(function () {
        if (running === controller) {
          running = null;
          results.removeAttribute("aria-busy");
        }
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });

  box.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      run();
    }
  });

  // ---- answers ----------------------------------------------------------------------

  function timing(ms) {
    return fill(S.time, { ms: numbers.format(Math.round(ms)) });
  }

  function showTruncated(count, truncated) {
    if (!truncated) return;
    truncatedNotice.textContent = count === null
      ? S["truncated.graph"]
      : fill(S.truncated, { n: numbers.format(count) });
    show(truncatedNotice, true);
  }

  function showBoolean(value, ms) {
    statusLine.textContent = fill(S.boolean, { value: value ? S.true : S.false }) + " · " + timing(ms);
  }

  function showGraph(text, ms, truncated) {
    graphBox.textContent = text;
    show(graphBox, true);
    statusLine.textContent = S.graph + " · " + timing(ms);
    showTruncated(null, truncated);
  }

  function showTable(json, ms, truncated, signal) {
    var vars = (json.head && json.head.vars) || [];
    var rows = (json.results && json.results.bindings) || [];
    statusLine.textContent = fill(S.rows, { n: numbers.format(rows.length) }) + " · " + timing(ms);
    showTruncated(rows.length, truncated);
    if (!rows.length) {
      tableWrap.replaceChildren(el("p", { class: "muted" }, S.empty));
      show(tableWrap, true);
      return;
    }
    var table = el("table", { class: "answer" });
    var head = el("thead");
    var headRow = el("tr");
    vars.forEach(function (name) {
      headRow.appendChild(el("th", { scope: "col" }, "?" + name));
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var body = el("tbody");
    var iris = new Set();
    rows.forEach(function (binding) {
      var tr = el("tr");
      vars.forEach(function (name) {
        var td = el("td");
        var term = binding[name];
        if (term) td.appendChild(renderTerm(term, iris));
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    tableWrap.replaceChildren(table);
    show(tableWrap, true);
    fetchLabels(iris, signal);
  }

  function renderTerm(term, iris) {
    var span;
    if (term.type === "uri") {
      var wrap = el("span", { class: "term iri" });
      var code = el("code", { title: term.value }, compact(term.value));
      if (/^https?:\/\//i.test(term.value)) {
        var link = el("a", { href: term.value });
        link.appendChild(code);
        wrap.appendChild(link);
      } else {
        wrap.appendChild(code);
      }
      var label = el("span", { class: "label", dir: "auto" });
      label.dataset.iri = term.value;
      wrap.appendChild(label);
      iris.add(term.value);
      return wrap;
    }
    if (term.type === "literal" || term.type === "typed-literal") {
      span = el("span", { class: "term literal" });
      var lang = term["xml:lang"];
      span.appendChild(el("span", { class: "value", dir: "auto", lang: lang || null }, term.value));
      if (lang) {
        span.appendChild(el("small", { class: "tag" }, "@" + lang));
      } else if (term.datatype) {
        span.appendChild(el("small", { class: "tag", title: term.datatype }, "^^" + compact(term.datatype)));
      }
      return span;
    }
    if (term.type === "bnode") {
      return el("code", { class: "term bnode" }, "_:" + term.value);
    }
    if (term.type === "triple" && term.value) {
      span = el("span", { class: "term triple" }, "<< ");
      ["subject", "predicate", "object"].forEach(function (part) {
        if (term.value[part]) span.appendChild(renderTerm(term.value[part], iris));
        span.appendChild(document.createTextNode(" "));
      });
      span.appendChild(document.createTextNode(">>"));
      return span;
    }
    return el("span", { class: "term" }, String(term.value));
  }

  // ---- labels next to IRIs -----------------------------------------------------------

  function labelQuery(iris) {
    return (
      "SELECT ?s ?p ?l WHERE {\n" +
      "  VALUES ?s { " + iris.map(function (i) { return "<" + i + ">"; }).join(" ") + " }\n" +
      "  VALUES ?p { " + LABEL_PROPERTIES.map(function (p) { return "<" + p + ">"; }).join(" ") + " }\n" +
      "  ?s ?p ?l .\n" +
      "  FILTER(isLiteral(?l))\n" +
      "}"
    );
  }

  function rank(binding) {
    var lang = (binding.l["xml:lang"] || "").toLowerCase();
    var byLang = lang === data.lang ? 0 : lang === "en" ? 1 : lang === "" ? 2 : 3;
    return byLang * 10 + LABEL_PROPERTIES.indexOf(binding.p.value);
  }

  function fetchLabels(iris, signal) {
    var list = Array.from(iris).filter(function (i) { return SAFE_IRI.test(i); }).slice(0, MAX_LABELLED);
    if (!list.length) return;
    post(labelQuery(list), signal)
      .then(function (response) {
        if (!response.ok) throw new Error("labels: HTTP " + response.status);
        return response.json();
      })
      .then(function (json) {
        var best = {};
        ((json.results && json.results.bindings) || []).forEach(function (b) {
          if (!b.s || !b.l || !b.p) return;
          var score = rank(b);
          var seen = best[b.s.value];
          if (!seen || score < seen.score) best[b.s.value] = { score: score, term: b.l };
        });
        tableWrap.querySelectorAll("span.label").forEach(function (span) {
          var found = best[span.dataset.iri];
          if (!found) return;
          span.textContent = found.term.value;
          if (found.term["xml:lang"]) span.setAttribute("lang", found.term["xml:lang"]);
        });
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") return;
        statusLine.textContent += " · " + S["labels.failed"];
      });
  }

  // ---- errors -----------------------------------------------------------------------

  function showError(status, type, body) {
    statusLine.textContent = "";
    errorBox.replaceChildren();
    if (!status) {
      errorBox.appendChild(el("p", { class: "title" }, S["error.network"]));
      show(errorBox, true);
      return;
    }
    var message = body ? body.slice(0, 2000) : "HTTP " + status;
    var details = null;
    if (type === "application/json" || /^\s*\{/.test(body || "")) {
      try {
        var json = JSON.parse(body);
        if (json && json.message) message = json.message;
        details = json && json.details;
      } catch (ignored) { /* not JSON: show the text as it is */ }
    }
    errorBox.appendChild(el("p", { class: "title" }, fill(S.error, { status: status })));
    errorBox.appendChild(el("p", { class: "message", dir: "ltr" }, message));
    if (details && details.line) {
      var column = details.column || 1;
      errorBox.appendChild(el("p", { class: "position" },
        fill(S["error.position"], { line: numbers.format(details.line), column: numbers.format(column) })));
      placeCaret(details.line, column);
    }
    show(errorBox, true);
  }

  function placeCaret(line, column) {
    var lines = box.value.split("\n");
    var offset = 0;
    for (var i = 0; i < Math.min(line - 1, lines.length); i++) offset += lines[i].length + 1;
    offset += Math.max(0, column - 1);
    offset = Math.min(offset, box.value.length);
    box.setSelectionRange(offset, offset);
  }

  // ---- downloads --------------------------------------------------------------------

  function showDownloads(query, kind) {
    var formats = kind === "graph" ? data.formats.graph : data.formats.results;
    downloads.replaceChildren(el("span", { class: "title" }, S.download));
    var list = el("ul");
    formats.forEach(function (format) {
      var item = el("li");
      var url = data.endpoint + "?" + new URLSearchParams({ query: query, format: format.name });
      if ((location.origin + url).length <= data.maxUrl) {
        item.appendChild(el("a", { href: url, download: "scholargate-answer." + format.extension, type: format.mediaType }, format.label));
      } else {
        // Too long for a URL: the same request as a form POST.
        var post = el("form", { method: "post", action: data.endpoint, class: "inline" });
        post.appendChild(el("input", { type: "hidden", name: "query", value: query }));
        post.appendChild(el("input", { type: "hidden", name: "format", value: format.name }));
        post.appendChild(el("button", { type: "submit", class: "link", title: S["too.long"] }, format.label));
        item.appendChild(post);
      }
      list.appendChild(item);
    });
    downloads.appendChild(list);
    show(downloads, true);
  }

  // ---- start ------------------------------------------------------------------------

  // With the script running, answers show in the page; the format menu only serves
  // the plain form without JavaScript.
  if (formatSelect) {
    var formatLabel = document.querySelector('label[for="format"]');
    formatSelect.hidden = true;
    formatSelect.disabled = true;
    if (formatLabel) formatLabel.hidden = true;
  }
  if (fromFragment()) run();
})();
