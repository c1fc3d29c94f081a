/*
 * Progressive enhancements of the form editor (everything works without this script):
 *  - options shown only for the chosen mode (e.g. regular expression fields in « Avancé » mode);
 *  - reordering by dragging a champ by its handle, or with the arrow keys on the handle, saved at once
 *    (the « Monter » / « Descendre » buttons remain);
 *  - buttons only useful without JavaScript are hidden.
 */
(function () {
  "use strict";

  // Options depending on another option ---------------------------------------------------------
  function syncVisibleSi(root) {
    root.querySelectorAll("[data-visible-si]").forEach(function (block) {
      var rule = block.getAttribute("data-visible-si").split(":");
      var form = block.closest("form");
      if (!form) {
        return;
      }
      var checked = form.querySelector('input[name="' + rule[0] + '"]:checked');
      var value = checked ? checked.value : "simple";
      block.hidden = value !== rule[1];
    });
  }

  // Reordering ------------------------------------------------------------------------------------
  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function items(list) {
    return Array.prototype.filter.call(list.children, function (child) {
      return child.matches("li[data-stable-id]");
    });
  }

  function order(list) {
    return items(list).map(function (item) { return item.getAttribute("data-stable-id"); });
  }

  function save(list, focusId) {
    var body = new URLSearchParams();
    order(list).forEach(function (id) { body.append("ordre", id); });
    body.append("private", list.getAttribute("data-private") || "0");
    if (list.getAttribute("data-parent")) {
      body.append("parent", list.getAttribute("data-parent"));
    }
    fetch(list.getAttribute("data-reordonner-url"), {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      body: body,
      credentials: "same-origin",
    })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var editor = document.getElementById("champs-editeur");
        if (!editor) {
          return;
        }
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        var fresh = template.content.firstElementChild;
        editor.replaceWith(fresh);
        if (window.htmx) {
          window.htmx.process(fresh);
        }
        if (focusId) {
          var handle = document.querySelector('li[data-stable-id="' + focusId + '"] [data-poignee]');
          if (handle) {
            handle.focus();
          }
        }
      });
  }

  var drag = null;

  document.addEventListener("pointerdown", function (event) {
    var handle = event.target.closest && event.target.closest("[data-poignee]");
    if (!handle || event.button !== 0) {
      return;
    }
    var item = handle.closest("li[data-stable-id]");
    var list = item && item.parentElement;
    if (!list || !list.hasAttribute("data-reordonner-url")) {
      return;
    }
    event.preventDefault();
    drag = { item: item, list: list, before: order(list).join(",") };
    item.classList.add("champ-en-deplacement");
  });

  document.addEventListener("pointermove", function (event) {
    if (!drag) {
      return;
    }
    event.preventDefault();
    var siblings = items(drag.list).filter(function (other) { return other !== drag.item; });
    var next = null;
    for (var i = 0; i < siblings.length; i++) {
      var box = siblings[i].getBoundingClientRect();
      if (event.clientY < box.top + box.height / 2) {
        next = siblings[i];
        break;
      }
    }
    if (next) {
      drag.list.insertBefore(drag.item, next);
    } else {
      drag.list.appendChild(drag.item);
    }
  });

  document.addEventListener("pointerup", function () {
    if (!drag) {
      return;
    }
    var current = drag;
    drag = null;
    current.item.classList.remove("champ-en-deplacement");
    if (order(current.list).join(",") !== current.before) {
      save(current.list, current.item.getAttribute("data-stable-id"));
    }
  });

  var keyTimer = null;
  document.addEventListener("keydown", function (event) {
    var handle = event.target.closest && event.target.closest("[data-poignee]");
    if (!handle || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) {
      return;
    }
    var item = handle.closest("li[data-stable-id]");
    var list = item && item.parentElement;
    if (!list || !list.hasAttribute("data-reordonner-url")) {
      return;
    }
    event.preventDefault();
    if (event.key === "ArrowUp" && item.previousElementSibling) {
      list.insertBefore(item, item.previousElementSibling);
    } else if (event.key === "ArrowDown" && item.nextElementSibling) {
      list.insertBefore(item.nextElementSibling, item);
    } else {
      return;
    }
    handle.focus();
    clearTimeout(keyTimer);
    keyTimer = setTimeout(function () { save(list, item.getAttribute("data-stable-id")); }, 500);
  });

  // Start ------------------------------------------------------------------------------------------
  function enhance(root) {
    syncVisibleSi(root);
    root.querySelectorAll("[data-sans-js]").forEach(function (element) {
      (element.closest("li") || element).remove();
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest("form")) {
      syncVisibleSi(event.target.closest("form"));
    }
  });
  document.addEventListener("htmx:afterSettle", function () { enhance(document); });
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
})();
