// Dossier list: "check all" for the bulk actions, and the count of checked dossiers.
(function () {
  "use strict";
  function boxes() { return Array.prototype.slice.call(document.querySelectorAll("[data-liste-selection]")); }
  function update() {
    var count = boxes().filter(function (b) { return b.checked; }).length;
    var out = document.querySelector("[data-liste-compte]");
    if (out) { out.textContent = count ? count + (count > 1 ? " dossiers cochés" : " dossier coché") : ""; }
    var all = document.querySelector("[data-liste-tout-cocher]");
    if (all) { all.checked = count > 0 && count === boxes().length; }
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-liste-tout-cocher]")) {
      boxes().forEach(function (b) { b.checked = target.checked; });
      update();
    } else if (target.matches("[data-liste-selection]")) {
      update();
    }
  });
  document.addEventListener("DOMContentLoaded", update);
})();
