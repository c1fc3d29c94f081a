/*
 * Autosave of the dossier form (htmx does the requests; see dossiers/brouillon.html).
 * After each save the server replaces the error message slots next to the champs; this script
 * only keeps the surrounding DSFR group in step (error class, aria-invalid), so that the inputs
 * the usager is typing in are never replaced. It also focuses the error summary after a failed deposit.
 */
(function () {
  "use strict";

  // French is written here; the English comes from Django's JavaScript catalog (locale/en/LC_MESSAGES/djangojs.po),
  // which templates/base.html loads only when the usager chose English.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (singular, plural, count) { return count > 1 ? plural : singular; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, key) { return String(values[key]); });
  };

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

  // Only the answer to the latest save may update the page. Saves of the form are queued one after the
  // other (hx-sync on the form), but a save may also come from an element with a sync of its own; an
  // older answer arriving last would put back the state from before the last save — e.g. an empty
  // établissement box for a SIRET typed right after another look-up champ. Each save is numbered;
  // an answer older than one already shown is not swapped in (its out-of-band parts neither).
  var sent = 0;
  var shown = 0;

  function isAutosave(detail) {
    var form = document.getElementById("formulaire-dossier");
    return !!(form && detail && detail.xhr && detail.elt && (detail.elt === form || detail.elt.closest("form") === form) &&
      detail.requestConfig && detail.requestConfig.verb === "post" && detail.requestConfig.path === form.getAttribute("hx-post"));
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (isAutosave(event.detail)) {
      sent += 1;
      event.detail.xhr.autosaveNumero = sent;
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var numero = event.detail.xhr && event.detail.xhr.autosaveNumero;
    if (!numero) {
      return;
    }
    if (numero < shown) {
      event.detail.shouldSwap = false;
      event.detail.xhr.autosavePerime = true;
    } else {
      shown = numero;
    }
  });

  document.addEventListener("htmx:afterSettle", syncAll);
  document.addEventListener("htmx:oobAfterSwap", syncAll);

  document.addEventListener("htmx:responseError", function () {
    setStatus(gettext("L'enregistrement automatique a échoué. Vos saisies sont toujours à l'écran : réessayez avec le bouton « Enregistrer »."));
  });
  document.addEventListener("htmx:sendError", function () {
    setStatus(gettext("Impossible de joindre le serveur : vérifiez votre connexion. Vos saisies sont toujours à l'écran."));
  });

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("erreurs-depot");
    if (summary) {
      summary.focus();
    }
  });
})();
