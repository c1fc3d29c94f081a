/*
 * Autosave of the dossier form (htmx does the requests; see dossiers/brouillon.html).
 * After each save the server replaces the error message slots next to the champs; this script
 * only keeps the surrounding DSFR group in step (error class, aria-invalid), so that the inputs
 * the usager is typing in are never replaced. It also focuses the error summary after a failed deposit.
 */
(function () {
  "use strict";

  function syncErrorState(messages) {
    var group = messages.closest("[data-error-class]");
    if (!group) {
      return;
    }
    var hasError = messages.querySelector(".fr-error-text") !== null;
    group.classList.toggle(group.getAttribute("data-error-class"), hasError);
    group.querySelectorAll("input:not([type=hidden]), textarea, select").forEach(function (input) {
      if (hasError) {
        input.setAttribute("aria-invalid", "true");
      } else {
        input.removeAttribute("aria-invalid");
      }
    });
  }

  function syncAll() {
    document.querySelectorAll("[data-champ-messages]").forEach(syncErrorState);
  }

  function setStatus(text) {
    var status = document.getElementById("autosave-status");
    if (status) {
      status.textContent = text;
    }
  }

  // A file input uploads on its own (its hx-post); its events must not also trigger the form's autosave.
  function isolateFileInputs(root) {
    root.querySelectorAll("form[hx-post] input[type=file]").forEach(function (input) {
      if (input.dataset.autosaveIsolated) {
        return;
      }
      input.dataset.autosaveIsolated = "1";
      ["change", "input"].forEach(function (type) {
        input.addEventListener(type, function (event) {
          event.stopPropagation();
        });
      });
    });
  }

  if (window.htmx) {
    window.htmx.onLoad(function (element) {
      isolateFileInputs(element.closest ? (element.closest("form") || element) : document);
    });
  }

  document.addEventListener("htmx:afterSettle", syncAll);
  document.addEventListener("htmx:oobAfterSwap", syncAll);

  document.addEventListener("htmx:responseError", function () {
    setStatus("L'enregistrement automatique a échoué. Vos saisies sont toujours à l'écran : réessayez avec le bouton « Enregistrer ».");
  });
  document.addEventListener("htmx:sendError", function () {
    setStatus("Impossible de joindre le serveur : vérifiez votre connexion. Vos saisies sont toujours à l'écran.");
  });

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("erreurs-depot");
    if (summary) {
      summary.focus();
    }
  });
})();
