// Modèle d'export page: show the columns for spreadsheets, the names for .zip files.
// Without JavaScript both parts stay visible; the server keeps only what the format uses.
(function () {
  "use strict";
  var form = document.querySelector("[data-modele-export]");
  if (!form) return;
  var colonnes = document.getElementById("modele-colonnes");
  var noms = document.getElementById("modele-zip");
  function update() {
    var checked = form.querySelector("input[name=format]:checked");
    var zip = checked && checked.value === "zip";
    colonnes.hidden = zip;
    noms.hidden = !zip;
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "format") update();
  });
  update();
})();
