/*
 * Live password strength indicator.
 *
 * Mirrors demarches/accounts/password_strength.py `score()`; the thresholds, minimum score, minimum length and
 * labels come from data-* attributes written by the server, with the same defaults as the Python module.
 * Markup (see templates/account/partials/password_field.html):
 *   <input id="id_password1" data-password-strength="id_password1-strength" …>
 *   <div id="id_password1-strength" data-thresholds="28,40,60,80" data-min-score="3" data-min-length="12"
 *        data-labels="Très faible|Faible|Moyen|Fort|Très fort">
 *     <div class="password-strength__bar" aria-hidden="true"><span></span></div>
 *     <p class="password-strength__text" aria-live="polite"></p>
 *   </div>
 */
(function (root) {
  "use strict";

  // French is written here; the English comes from Django's JavaScript catalog (djangojs.po), loaded only in English.
  var gettext = root.gettext || function (text) { return text; };
  var ngettext = root.ngettext || function (singular, plural, count) { return count > 1 ? plural : singular; };
  var interpolate = root.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, key) { return String(values[key]); });
  };

  var DEFAULTS = {
    thresholds: [28, 40, 60, 80],
    minScore: 3,
    minLength: 12,
    labels: ["Très faible", "Faible", "Moyen", "Fort", "Très fort"]
  };
  var SEQUENCES = ["abcdefghijklmnopqrstuvwxyz", "0123456789", "azertyuiop", "qwertyuiop"];
  var BAR_COLOURS = [
    "var(--background-flat-error)",
    "var(--background-flat-error)",
    "var(--background-flat-warning)",
    "var(--background-flat-success)",
    "var(--background-flat-success)"
  ];

  function score(password, thresholds) {
    thresholds = thresholds || DEFAULTS.thresholds;
    if (!password) {
      return 0;
    }
    var pool = 0;
    pool += /[a-z]/.test(password) ? 26 : 0;
    pool += /[A-Z]/.test(password) ? 26 : 0;
    pool += /\p{Nd}/u.test(password) ? 10 : 0;
    pool += /[^a-zA-Z0-9]/.test(password) ? 33 : 0;
    var characters = Array.from(password);
    var distinct = new Set(characters).size;
    var effectiveLength = Math.min(characters.length, distinct * 2);
    var lower = password.toLowerCase();
    SEQUENCES.forEach(function (sequence) {
      for (var i = 0; i < sequence.length - 3; i++) {
        if (lower.indexOf(sequence.slice(i, i + 4)) !== -1) {
          effectiveLength -= 2;
        }
      }
    });
    var bits = Math.max(effectiveLength, 0) * Math.log2(Math.max(pool, 1));
    return thresholds.filter(function (t) { return bits >= t; }).length;
  }

  function readConfig(container) {
    var data = container.dataset;
    return {
      thresholds: data.thresholds ? data.thresholds.split(",").map(Number) : DEFAULTS.thresholds,
      minScore: data.minScore ? Number(data.minScore) : DEFAULTS.minScore,
      minLength: data.minLength ? Number(data.minLength) : DEFAULTS.minLength,
      labels: data.labels ? data.labels.split("|") : DEFAULTS.labels
    };
  }

  function describe(password, config) {
    var value = score(password, config.thresholds);
    var length = Array.from(password).length;
    var text = interpolate(gettext("Robustesse du mot de passe : %(niveau)s."), { niveau: config.labels[value] }, true);
    var ok = value >= config.minScore && length >= config.minLength;
    if (length < config.minLength) {
      var missing = config.minLength - length;
      text += " " + interpolate(ngettext("Encore %(nombre)s caractère au minimum.", "Encore %(nombre)s caractères au minimum.", missing), { nombre: missing }, true);
    } else if (value < config.minScore) {
      text += " " + gettext("Trop facile à deviner : allongez-le ou ajoutez des mots, des chiffres ou des caractères spéciaux.");
    } else {
      text += " " + gettext("Il est suffisamment solide.");
    }
    return { score: value, ok: ok, text: text };
  }

  function attach(input) {
    var container = document.getElementById(input.getAttribute("data-password-strength"));
    if (!container) {
      return;
    }
    var config = readConfig(container);
    var text = container.querySelector(".password-strength__text");
    var bar = container.querySelector(".password-strength__bar");
    var level = bar.querySelector("span");
    var timer = null;
    var lastText = "";

    function update() {
      var password = input.value;
      if (!password) {
        container.hidden = true;
        text.textContent = "";
        lastText = "";
        return;
      }
      var result = describe(password, config);
      container.hidden = false;
      bar.setAttribute("data-score", String(result.score));
      if (level) {
        level.style.width = ((result.score + 1) * 20) + "%";
        level.style.backgroundColor = BAR_COLOURS[result.score];
      }
      container.classList.toggle("password-strength--ok", result.ok);
      text.classList.toggle("fr-message--valid", result.ok);
      text.classList.toggle("fr-message--info", !result.ok);
      // Only rewrite the live region when the wording changes, so screen readers are not flooded.
      if (result.text !== lastText) {
        text.textContent = result.text;
        lastText = result.text;
      }
    }

    // Debounced on typing only: updating on "change" (blur) would move the submit button between the
    // mousedown and the mouseup of the click that blurs the field, and the click would be lost.
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 300);
    });
    update();
  }

  function init() {
    var inputs = document.querySelectorAll("[data-password-strength]");
    Array.prototype.forEach.call(inputs, attach);
  }

  var api = { score: score, describe: describe, DEFAULTS: DEFAULTS };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  } else {
    root.passwordStrength = api;
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", init);
    } else {
      init();
    }
  }
})(this);
