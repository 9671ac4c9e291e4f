// The method form: "Add another" copies a repeatable field's last row, emptied, so any
// number of values can be typed (the server also always gives one empty row); after a
// refusal the first field with a message has the focus.
(function () {
  "use strict";
  // a refused form: the first field with a message gets the focus (and is scrolled to)
  var invalid = document.querySelector(".curate-form [aria-invalid=true]");
  if (invalid) {
    invalid.focus({ preventScroll: true });
    invalid.closest("fieldset").scrollIntoView({ block: "center" });  // its message in view
  }
  document.querySelectorAll("fieldset[data-many] .add-value").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var fieldset = button.closest("fieldset");
      var rows = fieldset.querySelectorAll(".value-row");
      var last = rows[rows.length - 1];
      var copy = last.cloneNode(true);
      var wrap = copy.querySelector(".suggest-wrap");
      if (wrap) {  // a pick: keep only the input, search.js wraps it again
        var input = wrap.querySelector("input");
        wrap.parentNode.replaceChild(input, wrap);
      }
      copy.querySelectorAll(".pick-label, ul, [role=status]").forEach(function (n) { n.remove(); });
      copy.querySelectorAll("input, textarea, select").forEach(function (el) {
        if (el.id) { el.id = el.id.replace(/-(\d+)(-lang)?$/, function (m, n, l) { return "-" + rows.length + (l || ""); }); }
        if (el.tagName !== "SELECT") { el.value = ""; }
        el.removeAttribute("aria-invalid");
        el.removeAttribute("aria-expanded");
        el.removeAttribute("aria-activedescendant");
      });
      last.parentNode.insertBefore(copy, last.nextSibling);
      if (window.ScholarGateSuggest) { copy.querySelectorAll("[data-suggest]").forEach(window.ScholarGateSuggest); }
      var first = copy.querySelector("input, textarea");
      if (first) { first.focus(); }
    });
  });
}());
