(function () {
  "use strict";
  var bar = document.getElementById("filters");
  var items = document.querySelectorAll("details.alert");
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  if (!bar || items.length === 0) { return; }
  bar.hidden = false;
  var q = document.getElementById("q");
  var boxes = bar.querySelectorAll("input[type=checkbox]");
  var shown = document.getElementById("shown");
  function apply() {
    var text = q.value.trim().toLowerCase(), on = {}, n = 0;
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    items.forEach(function (d) {
      var ok = on[d.getAttribute("data-level")] === true &&
        (text === "" || d.textContent.toLowerCase().indexOf(text) !== -1);
      d.hidden = !ok;
      if (ok) { n++; }
    });
    shown.textContent = n + " of " + items.length + " shown";
  }
  q.addEventListener("input", apply);
  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  document.getElementById("expand").addEventListener("click", function () {
    items.forEach(function (d) { if (!d.hidden) { d.open = true; } });
  });
  document.getElementById("collapse").addEventListener("click", function () {
    items.forEach(function (d) { d.open = false; });
  });
  apply();
})();
