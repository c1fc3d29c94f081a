/*
 * The démarche's description with simple formatting. Progressive enhancement of the textarea marked
 * data-description-riche: without this script the administrateur types plain text (or HTML) in the
 * textarea. With it, a toolbar (« Gras », « Italique », « Souligné », « Titre », « Liste »,
 * « Liste numérotée », « Lien ») drives an editable zone whose HTML is copied into the textarea,
 * which stays the posted field. The server keeps only the allowed tags (description.py, nh3).
 */
(function () {
  "use strict";

  var BOUTONS = [
    {action: "bold", libelle: "Gras", icone: "fr-icon-bold", etat: true},
    {action: "italic", libelle: "Italique", icone: "fr-icon-italic", etat: true},
    {action: "underline", libelle: "Souligné", icone: "fr-icon-underline", etat: true},
    {action: "titre", libelle: "Titre", icone: "fr-icon-h-2", etat: true},
    {action: "insertUnorderedList", libelle: "Liste", icone: "fr-icon-list-unordered", etat: true},
    {action: "insertOrderedList", libelle: "Liste numérotée", icone: "fr-icon-list-ordered", etat: true},
    {action: "lien", libelle: "Lien", icone: "fr-icon-link", etat: false}
  ];
  var SCHEMAS = /^(https?:\/\/|mailto:)/i;

  function echapper(texte) {
    return texte.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  var BALISES = {P: "p", BR: "br", STRONG: "strong", B: "strong", EM: "em", I: "em", U: "u", H2: "h2", H3: "h3",
    H4: "h4", UL: "ul", OL: "ol", LI: "li", A: "a", DIV: "p", H1: "h2"};

  function copiePermise(source, cible) {
    // Rebuilds the allowed markup only: the value may come back from a form in error as typed, and
    // is parsed in an inert document (no script or event handler runs there).
    Array.prototype.forEach.call(source.childNodes, function (noeud) {
      if (noeud.nodeType === Node.TEXT_NODE) {
        cible.appendChild(document.createTextNode(noeud.textContent));
      } else if (noeud.nodeType === Node.ELEMENT_NODE && !/^(SCRIPT|STYLE|IFRAME|OBJECT|TEMPLATE)$/.test(noeud.tagName)) {
        var balise = BALISES[noeud.tagName];
        if (!balise) {
          copiePermise(noeud, cible);
          return;
        }
        var element = document.createElement(balise);
        var href = noeud.getAttribute("href");
        if (balise === "a" && href && SCHEMAS.test(href.trim())) {
          element.setAttribute("href", href.trim());
        }
        copiePermise(noeud, element);
        cible.appendChild(element);
      }
    });
    return cible;
  }

  function versHtml(texte) {
    if (/<\/?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?\/?>/.test(texte)) {
      var inerte = new DOMParser().parseFromString(texte, "text/html");
      return copiePermise(inerte.body, document.createElement("div")).innerHTML;
    }
    // Older descriptions are plain text: blank lines separate paragraphs.
    return texte.split(/\n\s*\n/).filter(function (bloc) { return bloc.trim(); }).map(function (bloc) {
      return "<p>" + echapper(bloc.trim()).replace(/\n/g, "<br>") + "</p>";
    }).join("");
  }

  function dansZone(zone) {
    var selection = window.getSelection();
    return selection.rangeCount > 0 && zone.contains(selection.getRangeAt(0).commonAncestorContainer);
  }

  function titreActif() {
    return String(document.queryCommandValue("formatBlock")).toLowerCase() === "h2";
  }

  function enrichir(textarea) {
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    var zone = document.createElement("div");
    var barre = document.createElement("div");
    zone.id = textarea.id + "-zone";
    zone.className = "fr-input description-riche__zone";
    zone.contentEditable = "true";
    zone.setAttribute("role", "textbox");
    zone.setAttribute("aria-multiline", "true");
    if (label) {
      label.id = label.id || textarea.id + "-label";
      zone.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", function () { zone.focus(); });
    }
    var decrit = [textarea.getAttribute("aria-describedby"), textarea.id + "_helptext"].filter(Boolean).join(" ").split(" ");
    zone.setAttribute("aria-describedby", decrit.filter(function (id, i) {
      return document.getElementById(id) && decrit.indexOf(id) === i;
    }).join(" "));
    if (textarea.getAttribute("aria-invalid")) {
      zone.setAttribute("aria-invalid", textarea.getAttribute("aria-invalid"));
    }
    zone.innerHTML = versHtml(textarea.value);

    barre.className = "description-riche__barre";
    barre.setAttribute("role", "toolbar");
    barre.setAttribute("aria-label", "Mise en forme de la description");
    barre.setAttribute("aria-controls", zone.id);
    BOUTONS.forEach(function (spec, index) {
      var bouton = document.createElement("button");
      bouton.type = "button";
      bouton.className = "fr-btn fr-btn--tertiary fr-btn--sm fr-btn--icon-left " + spec.icone;
      bouton.textContent = spec.libelle;
      bouton.setAttribute("data-action", spec.action);
      bouton.tabIndex = index === 0 ? 0 : -1;
      if (spec.etat) {
        bouton.setAttribute("aria-pressed", "false");
      }
      barre.appendChild(bouton);
    });

    textarea.hidden = true;
    textarea.style.display = "none";  // .fr-input sets a display that would win over [hidden]
    textarea.parentNode.insertBefore(barre, textarea);
    textarea.parentNode.insertBefore(zone, textarea);

    function synchroniser() {
      textarea.value = zone.innerHTML;
    }

    function etats() {
      if (!dansZone(zone)) {
        return;
      }
      barre.querySelectorAll("[aria-pressed]").forEach(function (bouton) {
        var action = bouton.getAttribute("data-action");
        var actif = action === "titre" ? titreActif() : document.queryCommandState(action);
        bouton.setAttribute("aria-pressed", actif ? "true" : "false");
      });
    }

    function lien() {
      var selection = window.getSelection();
      var plage = dansZone(zone) ? selection.getRangeAt(0).cloneRange() : null;
      var adresse = window.prompt("Adresse du lien (commençant par https://, http:// ou mailto:) :", "https://");
      if (!adresse || !SCHEMAS.test(adresse.trim()) || /^(https?:\/\/|mailto:)$/i.test(adresse.trim())) {
        zone.focus();
        return;
      }
      adresse = adresse.trim();
      zone.focus();
      if (plage) {
        selection.removeAllRanges();
        selection.addRange(plage);
      }
      if (plage && !plage.collapsed) {
        document.execCommand("createLink", false, adresse);
      } else {
        document.execCommand("insertHTML", false, '<a href="' + echapper(adresse) + '">' + echapper(adresse) + "</a>");
      }
    }

    function agir(action) {
      zone.focus();
      if (action === "lien") {
        lien();
      } else if (action === "titre") {
        document.execCommand("formatBlock", false, titreActif() ? "p" : "h2");
      } else {
        document.execCommand(action, false, null);
      }
      synchroniser();
      etats();
    }

    // Keep the selection in the zone while clicking a button.
    barre.addEventListener("mousedown", function (event) {
      if (event.target.closest("button")) {
        event.preventDefault();
      }
    });
    barre.addEventListener("click", function (event) {
      var bouton = event.target.closest("button");
      if (bouton) {
        agir(bouton.getAttribute("data-action"));
      }
    });
    // A toolbar is one tab stop: the arrow keys move between its buttons.
    barre.addEventListener("keydown", function (event) {
      var boutons = Array.prototype.slice.call(barre.querySelectorAll("button"));
      var courant = boutons.indexOf(document.activeElement);
      var suivant = {ArrowRight: courant + 1, ArrowLeft: courant - 1, Home: 0, End: boutons.length - 1}[event.key];
      if (courant === -1 || suivant === undefined) {
        return;
      }
      event.preventDefault();
      suivant = (suivant + boutons.length) % boutons.length;
      boutons.forEach(function (b, i) { b.tabIndex = i === suivant ? 0 : -1; });
      boutons[suivant].focus();
    });
    zone.addEventListener("focus", function () {
      document.execCommand("defaultParagraphSeparator", false, "p");
    });
    zone.addEventListener("input", synchroniser);
    zone.addEventListener("keyup", etats);
    zone.addEventListener("mouseup", etats);
    document.addEventListener("selectionchange", etats);
    textarea.form && textarea.form.addEventListener("submit", synchroniser);
  }

  function init() {
    document.querySelectorAll("textarea[data-description-riche]").forEach(enrichir);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
