// Comparison page: the "differences only" switch works without a reload and keeps the URL
// shareable; without JavaScript the <noscript> link does the same on the server.
(function () {
  "use strict";
  var box = document.getElementById("differences-only");
  var article = document.getElementById("comparison");
  if (!box || !article) { return; }
  box.addEventListener("change", function () {
    article.classList.toggle("differences-only", box.checked);
    var target = box.checked ? box.dataset.hrefOn : box.dataset.hrefOff;
    if (window.history && target) { window.history.replaceState(null, "", target); }
    document.querySelectorAll("a.remove, form.add").forEach(function (el) {
      if (el.tagName === "A") {
        var url = new URL(el.href, window.location.href);
        if (box.checked) { url.searchParams.set("diff", "1"); } else { url.searchParams.delete("diff"); }
        el.href = url.toString();
      } else {
        var hidden = el.querySelector("input[name=diff]");
        if (box.checked && !hidden) {
          hidden = document.createElement("input");
          hidden.type = "hidden"; hidden.name = "diff"; hidden.value = "1";
          el.appendChild(hidden);
        } else if (!box.checked && hidden) { hidden.remove(); }
      }
    });
  });
})();
