/*
 * Pièces justificatives: checks before sending and a progress bar while sending.
 *
 * Progressive enhancement of the file inputs of the dossier form (dossiers/brouillon.html) and of the
 * annotations privées (instruction/dossier/annotations.html): forms with data-piece-max-size. Without
 * JavaScript the files go with « Enregistrer »; with htmx alone they go as soon as they are chosen.
 * This script adds, for each file input:
 * - a check of every chosen file against the size limit and the accepted formats: the files in error are
 *   listed at once (all of them, with the reason) and left out, the others are sent;
 * - an accessible <progress> bar with the percentage, announced to screen readers, during the upload.
 * Both live in a zone placed after the champ's block, which the server's answer replaces: they survive it.
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

  var MEGA = 1024 * 1024;

  function maxSize(input) {
    var f = input.closest("form[data-piece-max-size]");
    var value = f ? parseInt(f.getAttribute("data-piece-max-size"), 10) : NaN;
    return isNaN(value) ? null : value;
  }

  function readableSize(size) {
    if (size >= MEGA) {
      return (Math.round((size / MEGA) * 10) / 10).toString().replace(".", gettext(",")) + " " + gettext("Mo");
    }
    return Math.max(1, Math.round(size / 1024)) + " " + gettext("ko");
  }

  function zoneFor(input) {
    var id = input.id + "-televersement";
    var zone = document.getElementById(id);
    if (!zone) {
      var block = document.getElementById(input.id + "-pj") || input.parentNode;
      zone = document.createElement("div");
      zone.id = id;
      zone.className = "televersement fr-mb-3w";
      block.parentNode.insertBefore(zone, block.nextSibling);
    }
    return zone;
  }

  function extensionOf(name) {
    var dot = name.lastIndexOf(".");
    return dot >= 0 ? name.slice(dot).toLowerCase() : "";
  }

  function rejectReason(file, accept, limit) {
    if (limit !== null && file.size > limit) {
      return interpolate(gettext("fichier trop volumineux (%(taille)s, %(limite)s au maximum)"), { taille: readableSize(file.size), limite: readableSize(limit) }, true);
    }
    if (file.size === 0) {
      return gettext("fichier vide");
    }
    if (accept.length && accept.indexOf(extensionOf(file.name)) === -1) {
      return interpolate(gettext("format non accepté (%(extension)s)"), { extension: extensionOf(file.name) || gettext("sans extension") }, true);
    }
    return "";
  }

  function showRejects(input, rejects) {
    var zone = zoneFor(input);
    var old = zone.querySelector(".televersement-rejets");
    if (old) {
      old.remove();
    }
    if (!rejects.length) {
      return;
    }
    var box = document.createElement("div");
    box.className = "televersement-rejets fr-alert fr-alert--error fr-alert--sm fr-mt-1w";
    box.setAttribute("role", "alert");
    var title = document.createElement("p");
    title.textContent = interpolate(ngettext("Ce fichier n'a pas été envoyé :", "Ces %(nombre)s fichiers n'ont pas été envoyés :", rejects.length), { nombre: rejects.length }, true);
    box.appendChild(title);
    var list = document.createElement("ul");
    rejects.forEach(function (reject) {
      var item = document.createElement("li");
      item.textContent = interpolate(gettext("« %(nom)s » : %(raison)s"), { nom: reject.name, raison: reject.reason }, true);
      list.appendChild(item);
    });
    box.appendChild(list);
    zone.appendChild(box);
  }

  function isUploadInput(element) {
    return element && element.matches && element.matches("form[data-piece-max-size] input[type=file][hx-post]");
  }

  // Capture phase: runs before htmx's own « change » listener, so the files in error are left out first.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!isUploadInput(input) || !input.files) {
      return;
    }
    var accept = (input.getAttribute("accept") || "").split(",").map(function (ext) {
      return ext.trim().toLowerCase();
    }).filter(Boolean);
    var limit = maxSize(input);
    var kept = [];
    var rejects = [];
    Array.prototype.forEach.call(input.files, function (file) {
      var reason = rejectReason(file, accept, limit);
      if (reason) {
        rejects.push({ name: file.name, reason: reason });
      } else {
        kept.push(file);
      }
    });
    showRejects(input, rejects);
    if (rejects.length && typeof DataTransfer !== "undefined") {
      var transfer = new DataTransfer();
      kept.forEach(function (file) {
        transfer.items.add(file);
      });
      input.files = transfer.files;
    }
    if (!kept.length) {
      input.dataset.televersementVide = "1";
    } else {
      delete input.dataset.televersementVide;
    }
  }, true);

  // Nothing left to send: no request at all.
  document.addEventListener("htmx:confirm", function (event) {
    var input = event.target;
    if (isUploadInput(input) && input.dataset.televersementVide) {
      event.preventDefault();
      delete input.dataset.televersementVide;
    }
  });

  function progressFor(input, create) {
    var zone = zoneFor(input);
    var wrapper = zone.querySelector(".televersement-progression");
    if (!wrapper && create) {
      wrapper = document.createElement("div");
      wrapper.className = "televersement-progression fr-mt-1w";
      var label = document.createElement("label");
      label.className = "fr-label fr-text--sm";
      label.setAttribute("for", input.id + "-progression");
      var bar = document.createElement("progress");
      bar.id = input.id + "-progression";
      bar.max = 100;
      bar.value = 0;
      var status = document.createElement("p");
      status.className = "fr-sr-only";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      wrapper.appendChild(label);
      wrapper.appendChild(bar);
      wrapper.appendChild(status);
      zone.insertBefore(wrapper, zone.firstChild);
    }
    return wrapper;
  }

  function fileNames(input) {
    var names = Array.prototype.map.call(input.files || [], function (file) {
      return interpolate(gettext("« %(nom)s »"), { nom: file.name }, true);
    });
    return names.join(", ");
  }

  document.addEventListener("htmx:beforeSend", function (event) {
    var input = event.target;
    if (!isUploadInput(input)) {
      return;
    }
    var wrapper = progressFor(input, true);
    var count = (input.files || []).length;
    wrapper.querySelector("label").textContent = interpolate(ngettext("Envoi du fichier %(noms)s : %(pourcentage)s", "Envoi des fichiers %(noms)s : %(pourcentage)s", count), { noms: fileNames(input), pourcentage: "0 %" }, true);
    wrapper.querySelector("progress").value = 0;
    wrapper.querySelector("[role=status]").textContent = gettext("Envoi en cours");
    wrapper.dataset.announced = "0";
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var input = event.target;
    if (!isUploadInput(input) || !event.detail.lengthComputable || !event.detail.total) {
      return;
    }
    var wrapper = progressFor(input, false);
    if (!wrapper) {
      return;
    }
    var percent = Math.min(100, Math.round((event.detail.loaded / event.detail.total) * 100));
    var bar = wrapper.querySelector("progress");
    if (percent < bar.value) {
      return; // the download of the answer starts again from 0: the upload is what we show
    }
    bar.value = percent;
    var label = wrapper.querySelector("label");
    label.textContent = label.textContent.replace(/\d+ %$/, percent + " %");
    // Announce every quarter, not every event.
    var step = Math.floor(percent / 25);
    if (step > parseInt(wrapper.dataset.announced || "0", 10)) {
      wrapper.dataset.announced = String(step);
      wrapper.querySelector("[role=status]").textContent = interpolate(gettext("%(pourcentage)s envoyé"), { pourcentage: percent + " %" }, true);
    }
  });

  function finish(event) {
    var input = event.target;
    if (!isUploadInput(input)) {
      return;
    }
    var wrapper = progressFor(input, false);
    if (wrapper) {
      wrapper.remove();
    }
  }

  // After the server's answer replaced the champ's block, the input that sent is gone (a new one took its
  // place): drop the bars of the inputs no longer sending.
  function cleanup() {
    document.querySelectorAll(".televersement-progression progress").forEach(function (bar) {
      var input = document.getElementById(bar.id.replace(/-progression$/, ""));
      if (!input || !input.classList.contains("htmx-request")) {
        bar.parentNode.remove();
      }
    });
  }

  document.addEventListener("htmx:afterRequest", finish);
  document.addEventListener("htmx:sendError", finish);
  document.addEventListener("htmx:afterSettle", cleanup);
})();
