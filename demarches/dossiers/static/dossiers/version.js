/*
 * Two tabs (or two co-editors) on the same dossier: each autosave answer carries the time of the save
 * (X-Champs-Version); the form sends it back with the next save, so that the server can tell a champ
 * changed elsewhere since this page last saved from one this page is changing (services.champs_enregistrer).
 */
(function () {
  "use strict";
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail && event.detail.xhr;
    // An answer older than one already shown (static/js/autosave.js) does not set the version back.
    var version = xhr && !xhr.autosavePerime && xhr.getResponseHeader("X-Champs-Version");
    var input = document.getElementById("champs-version");
    if (version && input) {
      input.value = version;
    }
  });
})();
