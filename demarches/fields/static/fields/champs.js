/*
 * Progressive enhancements of the champ widgets (dossier form). Everything works without this
 * script: the server resolves what was typed and the page is re-rendered on save.
 *  - suggestions: inputs with data-suggestions-url fill their <datalist> as the usager types;
 *  - two linked menus: the second menu only offers the choices of the first one's value;
 *  - « Autre »: the free-text input shows only when « Autre » is chosen;
 *  - conditions: after each autosave the server sends the list of hidden champs (#champs-visibilite);
 *  - after a row is added or removed in a repetition block, the focus goes to a sensible place.
 */
(function () {
  "use strict";

  // Suggestions -----------------------------------------------------------------------------
  var timers = new WeakMap();
  var controllers = new WeakMap();

  function fillDatalist(input, labels) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) {
      return;
    }
    list.replaceChildren();
    labels.forEach(function (label) {
      var option = document.createElement("option");
      option.value = label;
      list.appendChild(option);
    });
  }

  function suggest(input) {
    var query = input.value.trim();
    var min = parseInt(input.getAttribute("data-suggestions-min") || "2", 10);
    if (query.length < min) {
      return;
    }
    var previous = controllers.get(input);
    if (previous) {
      previous.abort();
    }
    var controller = new AbortController();
    controllers.set(input, controller);
    var url = input.getAttribute("data-suggestions-url") + "?q=" + encodeURIComponent(query);
    fetch(url, { headers: { Accept: "application/json" }, signal: controller.signal })
      .then(function (response) {
        return response.ok ? response.json() : { results: [] };
      })
      .then(function (payload) {
        fillDatalist(input, (payload.results || []).map(function (result) { return result.label; }));
      })
      .catch(function () { /* aborted or offline: the usager can still type the whole value */ });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-suggestions-url]")) {
      return;
    }
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () { suggest(input); }, 250));
  });

  // Two linked menus ------------------------------------------------------------------------
  function syncLinked(fieldset) {
    var primary = fieldset.querySelector("[data-menu-principal]");
    var secondary = fieldset.querySelector("[data-menu-secondaire]");
    if (!primary || !secondary) {
      return;
    }
    var hasChoices = false;
    secondary.querySelectorAll("optgroup").forEach(function (group) {
      var match = group.getAttribute("data-principal") === primary.value;
      group.hidden = !match;
      group.disabled = !match;
      hasChoices = hasChoices || match;
    });
    var selected = secondary.selectedOptions[0];
    if (selected && selected.parentElement.tagName === "OPTGROUP" && selected.parentElement.disabled) {
      secondary.value = "";
    }
    secondary.disabled = !hasChoices;
  }

  // « Autre » -------------------------------------------------------------------------------
  function syncOther(container) {
    var otherValue = container.getAttribute("data-choix-autre");
    var group = container.querySelector(".champ-autre");
    if (!group) {
      return;
    }
    var chosen = Array.prototype.some.call(
      container.querySelectorAll("input[type=radio]:checked, select"),
      function (input) { return input.value === otherValue; }
    );
    group.hidden = !chosen;
  }

  // Conditions ------------------------------------------------------------------------------
  function applyVisibility() {
    var state = document.getElementById("champs-visibilite");
    if (!state) {
      return;
    }
    var hidden = (state.getAttribute("data-masques") || "").split(" ").filter(Boolean);
    document.querySelectorAll("[data-champ-bloc]").forEach(function (bloc) {
      bloc.hidden = hidden.indexOf(bloc.getAttribute("data-champ-bloc")) !== -1;
    });
  }

  function focusAfterSwap() {
    var target = document.querySelector("[data-focus-apres-swap]");
    if (!target) {
      return;
    }
    target.removeAttribute("data-focus-apres-swap");
    var focusable = target.matches("input, select, textarea, button") ? target : target.querySelector("input:not([type=hidden]), select, textarea, button");
    if (focusable) {
      focusable.focus();
    }
  }

  function enhance(root) {
    root.querySelectorAll("[data-menus-lies]").forEach(syncLinked);
    root.querySelectorAll("[data-choix-autre]").forEach(syncOther);
  }

  document.addEventListener("change", function (event) {
    var linked = event.target.closest && event.target.closest("[data-menus-lies]");
    if (linked && event.target.matches("[data-menu-principal]")) {
      syncLinked(linked);
    }
    var other = event.target.closest && event.target.closest("[data-choix-autre]");
    if (other) {
      syncOther(other);
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    applyVisibility();
    enhance(document);
    focusAfterSwap();
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    applyVisibility();
  });
  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });
})();
