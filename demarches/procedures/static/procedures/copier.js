// "Copier" buttons next to the e-mail tags: put the tag in the clipboard and say so.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copier]");
  if (!button || !navigator.clipboard) return;
  navigator.clipboard.writeText(button.dataset.copier).then(function () {
    var status = document.getElementById("copie-statut");
    if (status) status.textContent = "Balise " + button.dataset.copier + " copiée.";
  });
});
