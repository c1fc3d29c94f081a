/*
 * The carte champ (fields/widgets/carte.html): a Leaflet map with the Geoman drawing tools.
 * The geometries live in the champ's textarea as a GeoJSON FeatureCollection; every change
 * rewrites it and fires « change », which autosaves the form. The server checks the value and
 * sends back the list of geometries with their area or length.
 * Without JavaScript (or if the map cannot load) the textarea stays, for pasted GeoJSON.
 * Leaflet, Geoman and togeojson are loaded once, whatever the number of carte champs.
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

  if (window.demarchesCarte) {
    return;
  }
  window.demarchesCarte = { ready: false };

  var PARCEL_MIN_ZOOM = 16;
  var USER = "selection_utilisateur";
  var styles = {
    dessin: { color: "#000091", weight: 3, fillOpacity: 0.2 },
    parcelle: { color: "#b34000", weight: 1, fillOpacity: 0.05 },
    parcelleChoisie: { color: "#000091", weight: 2, fillOpacity: 0.35 }
  };

  function loadCss(href) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function fieldsStatic(vendor) {
    return vendor.replace(/vendor\/$/, "");
  }

  function setStatus(container, text) {
    var status = container.querySelector("[data-carte-statut]");
    if (status) {
      status.textContent = text;
    }
  }

  // Geometries ------------------------------------------------------------------------------
  var ALLOWED = ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"];

  function flatten(features) {
    var result = [];
    features.forEach(function (feature) {
      var geometry = feature && feature.geometry;
      if (!geometry) {
        return;
      }
      if (geometry.type === "GeometryCollection") {
        (geometry.geometries || []).forEach(function (part) {
          result.push({ type: "Feature", geometry: part, properties: feature.properties || {} });
        });
      } else if (ALLOWED.indexOf(geometry.type) >= 0) {
        result.push(feature);
      }
    });
    return result;
  }

  function init(container) {
    if (container.getAttribute("data-carte-pret")) {
      return;
    }
    container.setAttribute("data-carte-pret", "true");
    var L = window.L;
    var textarea = document.getElementById(container.getAttribute("data-champ"));
    var group = textarea.closest(".champ-carte");
    var max = parseInt(container.getAttribute("data-max") || "50", 10);
    var mapElement = container.querySelector(".carte__map");
    container.hidden = false;
    group.classList.add("carte--active");  // the live map replaces the static preview
    textarea.hidden = true;
    textarea.style.display = "none";  // .fr-input sets display: block
    var noJsHint = group.querySelector("[data-carte-aide-sans-js]");
    if (noJsHint) {
      noJsHint.hidden = true;
      noJsHint.style.display = "none";
    }

    var map = L.map(mapElement, { center: [46.6, 2.4], zoom: 5, zoomSnap: 1 });
    var tiles = container.getAttribute("data-tuiles-url");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: container.getAttribute("data-tuiles-attribution") || "" }).addTo(map);
    }
    var drawn = L.featureGroup().addTo(map);
    var parcels = L.geoJSON(null, { style: styles.parcelle }).addTo(map);
    map.pm.setLang(document.documentElement.lang === "en" ? "en" : "fr");
    map.pm.setGlobalOptions({ layerGroup: drawn, pathOptions: styles.dessin, continueDrawing: false });
    map.pm.addControls({
      position: "topleft",
      drawCircle: false,
      drawCircleMarker: false,
      drawText: false,
      drawRectangle: false,
      cutPolygon: false,
      rotateMode: false
    });
    // Geoman's buttons are links around an icon: give them their tooltip as accessible name.
    mapElement.querySelectorAll(".button-container").forEach(function (item) {
      var button = item.querySelector(".leaflet-buttons-control-button");
      if (button && item.title) {
        button.setAttribute("aria-label", item.title);
      }
    });

    function feature(layer) {
      var geojson = layer.toGeoJSON();
      var known = layer.feature || {};
      geojson.properties = known.properties || { source: USER };
      if (known.id) {
        geojson.id = known.id;
      }
      return geojson;
    }

    function features() {
      var result = [];
      drawn.eachLayer(function (layer) {
        result.push(feature(layer));
      });
      return result;
    }

    function cadastreIds() {
      var ids = {};
      features().forEach(function (f) {
        if (f.properties && f.properties.source === "cadastre" && f.properties.cid) {
          ids[f.properties.cid] = true;
        }
      });
      return ids;
    }

    function sync(message) {
      var list = features();
      textarea.value = list.length ? JSON.stringify({ type: "FeatureCollection", features: list }) : "";
      textarea.dispatchEvent(new Event("change", { bubbles: true }));
      var text = message ? message + " " : "";
      text += list.length ? interpolate(ngettext("%(nombre)s géométrie sur la carte.", "%(nombre)s géométries sur la carte.", list.length), { nombre: list.length }, true) : gettext("Aucune géométrie sur la carte.");
      if (list.length > max) {
        text += " " + interpolate(gettext("Attention : %(max)s géométries au maximum sont acceptées."), { max: max }, true);
      }
      setStatus(container, text);
      restyleParcels();
    }

    function watch(layer) {
      layer.on("pm:edit pm:dragend", function () { sync(); });
    }

    function addFeatures(list) {
      var added = 0;
      L.geoJSON({ type: "FeatureCollection", features: list }, {
        style: function (f) {
          return f.properties && f.properties.source === "cadastre" ? styles.parcelleChoisie : styles.dessin;
        },
        onEachFeature: function (f, layer) {
          layer.feature = { type: "Feature", id: f.id, properties: f.properties || { source: USER } };
          drawn.addLayer(layer);
          watch(layer);
          added += 1;
        }
      });
      return added;
    }

    // The value already saved.
    if (textarea.value.trim()) {
      try {
        var saved = JSON.parse(textarea.value);
        addFeatures(flatten(saved.type === "FeatureCollection" ? saved.features || [] : [saved]));
      } catch (error) {
        setStatus(container, gettext("Le tracé enregistré est illisible : dessinez à nouveau vos géométries."));
      }
    }
    if (drawn.getLayers().length) {
      map.fitBounds(drawn.getBounds(), { maxZoom: 18, padding: [20, 20] });
    }

    map.on("pm:create", function (event) {
      event.layer.feature = { type: "Feature", properties: { source: USER } };
      watch(event.layer);
      sync(gettext("Géométrie ajoutée."));
    });
    map.on("pm:remove", function () {
      sync(gettext("Géométrie retirée."));
    });

    // Address search ---------------------------------------------------------------------
    var search = container.querySelector("[data-carte-recherche]");
    var searchButton = container.querySelector("[data-carte-rechercher]");
    var adresseUrl = container.getAttribute("data-adresse-url");
    if (search && adresseUrl) {
      search.setAttribute("data-suggestions-url", adresseUrl);
      search.setAttribute("data-suggestions-min", "3");
    }

    function centrer() {
      var query = (search.value || "").trim();
      if (query.length < 3 || !adresseUrl) {
        setStatus(container, gettext("Saisissez au moins trois caractères de l'adresse à rechercher."));
        return;
      }
      fetch(adresseUrl + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [], indisponible: true }; })
        .then(function (payload) {
          var found = (payload.results || []).filter(function (r) { return r.latitude !== null && r.longitude !== null; })[0];
          if (found) {
            map.setView([found.latitude, found.longitude], 18);
            setStatus(container, interpolate(gettext("Carte centrée sur « %(adresse)s »."), { adresse: found.label }, true));
          } else if (payload.indisponible) {
            setStatus(container, gettext("La recherche d'adresses ne répond pas pour le moment : déplacez la carte à la main."));
          } else {
            setStatus(container, interpolate(gettext("Aucune adresse trouvée pour « %(recherche)s »."), { recherche: query }, true));
          }
        })
        .catch(function () {
          setStatus(container, gettext("La recherche d'adresses ne répond pas pour le moment : déplacez la carte à la main."));
        });
    }

    if (search && searchButton) {
      searchButton.addEventListener("click", centrer);
      search.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();  // not a submission of the dossier form
          centrer();
        }
      });
    }

    // GPX / KML import ---------------------------------------------------------------------
    var importInput = container.querySelector("[data-carte-import]");
    if (importInput) {
      importInput.addEventListener("change", function (event) {
        event.stopPropagation();
        var file = importInput.files && importInput.files[0];
        if (!file) {
          return;
        }
        file.text().then(function (text) {
          var xml = new DOMParser().parseFromString(text, "text/xml");
          var root = xml.documentElement ? xml.documentElement.nodeName.toLowerCase() : "";
          var collection = null;
          if (root === "gpx") {
            collection = window.toGeoJSON.gpx(xml);
          } else if (root === "kml") {
            collection = window.toGeoJSON.kml(xml);
          }
          if (!collection || xml.getElementsByTagName("parsererror").length) {
            setStatus(container, interpolate(gettext("Le fichier « %(nom)s » n'a pas pu être lu : ce n'est pas un fichier GPX ou KML valide."), { nom: file.name }, true));
            return;
          }
          var list = flatten(collection.features || []).map(function (f) {
            var name = f.properties && (f.properties.name || f.properties.description);
            var properties = { source: USER };
            if (name) {
              properties.description = String(name).slice(0, 200);
            }
            return { type: "Feature", geometry: f.geometry, properties: properties };
          });
          if (!list.length) {
            setStatus(container, interpolate(gettext("Le fichier « %(nom)s » ne contient ni point, ni ligne, ni polygone."), { nom: file.name }, true));
            return;
          }
          addFeatures(list);
          map.fitBounds(drawn.getBounds(), { maxZoom: 18, padding: [20, 20] });
          sync(interpolate(ngettext("Fichier « %(nom)s » importé : %(nombre)s géométrie ajoutée.", "Fichier « %(nom)s » importé : %(nombre)s géométries ajoutées.", list.length), { nom: file.name, nombre: list.length }, true));
        }).finally(function () {
          importInput.value = "";
        });
      });
    }

    // Cadastre parcels ---------------------------------------------------------------------
    var cadastreUrl = container.getAttribute("data-cadastre-url");
    var cadastreToggle = container.querySelector("[data-carte-cadastre]");
    var parcelList = container.querySelector("[data-carte-parcelles]");
    var shown = [];
    var shownKey = "";
    var request = null;
    // Counts the parcels picked or removed, and remembers when, so that a late cadastre answer
    // (the map may still be moving) does not cover the announcement of what the usager just did.
    var parcelActions = 0;
    var lastParcelActionAt = 0;
    var ACTION_MESSAGE_MS = 4000;

    function restyleParcels() {
      var chosen = cadastreIds();
      parcels.eachLayer(function (layer) {
        layer.setStyle(chosen[layer.feature.properties.cid] ? styles.parcelleChoisie : styles.parcelle);
      });
      if (parcelList) {
        parcelList.querySelectorAll("button[data-cid]").forEach(function (button) {
          var on = !!chosen[button.getAttribute("data-cid")];
          button.setAttribute("aria-pressed", on ? "true" : "false");
        });
      }
    }

    function toggleParcel(parcel) {
      var cid = parcel.properties.cid;
      var removed = false;
      parcelActions += 1;
      lastParcelActionAt = Date.now();
      drawn.eachLayer(function (layer) {
        var known = layer.feature && layer.feature.properties;
        if (known && known.source === "cadastre" && known.cid === cid) {
          drawn.removeLayer(layer);
          removed = true;
        }
      });
      if (!removed) {
        addFeatures([parcel]);
      }
      sync(interpolate(removed ? gettext("Parcelle retirée : %(parcelle)s.") : gettext("Parcelle ajoutée : %(parcelle)s."), { parcelle: parcel.properties.description }, true));
    }

    function renderParcelList() {
      if (!parcelList) {
        return;
      }
      var key = shown.map(function (parcel) { return parcel.properties.cid; }).join(",");
      if (key === shownKey) {
        restyleParcels();
        return;
      }
      shownKey = key;
      var list = parcelList.querySelector("ul");
      list.replaceChildren();
      shown.slice(0, 60).forEach(function (parcel) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "fr-btn fr-btn--sm fr-btn--tertiary fr-mb-1v";
        button.setAttribute("data-cid", parcel.properties.cid);
        button.textContent = parcel.properties.description;
        button.addEventListener("click", function () { toggleParcel(parcel); });
        item.appendChild(button);
        list.appendChild(item);
      });
      parcelList.hidden = !shown.length;
      restyleParcels();
    }

    function loadParcels() {
      parcels.clearLayers();
      shown = [];
      if (!cadastreToggle || !cadastreToggle.checked) {
        renderParcelList();
        return;
      }
      if (map.getZoom() < PARCEL_MIN_ZOOM) {
        renderParcelList();
        setStatus(container, gettext("Zoomez davantage sur la carte pour afficher les parcelles cadastrales."));
        return;
      }
      var b = map.getBounds();
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(",");
      if (request) {
        request.abort();
      }
      request = new AbortController();
      var actionsAtRequest = parcelActions;
      fetch(cadastreUrl + "?bbox=" + bbox, { headers: { Accept: "application/json" }, signal: request.signal })
        .then(function (response) { return response.json(); })
        .then(function (payload) {
          shown = payload.features || [];
          parcels.addData(shown);
          parcels.eachLayer(function (layer) {
            layer.on("click", function () { toggleParcel(layer.feature); });
          });
          renderParcelList();
          if (parcelActions !== actionsAtRequest || Date.now() - lastParcelActionAt < ACTION_MESSAGE_MS) {
            return;
          }
          if (payload.message) {
            setStatus(container, payload.message);
          } else {
            setStatus(container, shown.length ? interpolate(ngettext("%(nombre)s parcelle affichée : cliquez sur une parcelle, ou choisissez-la dans la liste sous la carte, pour l'ajouter.", "%(nombre)s parcelles affichées : cliquez sur une parcelle, ou choisissez-la dans la liste sous la carte, pour l'ajouter.", shown.length), { nombre: shown.length }, true) : gettext("Aucune parcelle cadastrale connue dans cette zone."));
          }
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") {
            return;
          }
          setStatus(container, gettext("Le cadastre ne répond pas pour le moment : vous pouvez dessiner la zone à la main."));
        });
    }

    if (cadastreToggle && cadastreUrl) {
      cadastreToggle.addEventListener("change", function (event) {
        event.stopPropagation();
        loadParcels();
      });
      map.on("moveend", loadParcels);
    }

    // The GeoJSON text, for keyboard users and for copying a tracé: shown on demand, read back on change.
    var geojsonToggle = container.querySelector("[data-carte-geojson]");
    if (geojsonToggle) {
      geojsonToggle.addEventListener("click", function () {
        var show = textarea.hidden;
        textarea.hidden = !show;
        textarea.style.display = show ? "" : "none";
        geojsonToggle.setAttribute("aria-expanded", show ? "true" : "false");
        if (show) {
          textarea.focus();
        }
      });
      textarea.addEventListener("change", function (event) {
        if (!event.isTrusted) {
          return;  // our own sync()
        }
        drawn.clearLayers();
        try {
          var typed = textarea.value.trim() ? JSON.parse(textarea.value) : { type: "FeatureCollection", features: [] };
          addFeatures(flatten(typed.type === "FeatureCollection" ? typed.features || [] : [typed]));
          if (drawn.getLayers().length) {
            map.fitBounds(drawn.getBounds(), { maxZoom: 18, padding: [20, 20] });
          }
          setStatus(container, interpolate(ngettext("%(nombre)s géométrie sur la carte.", "%(nombre)s géométries sur la carte.", drawn.getLayers().length), { nombre: drawn.getLayers().length }, true));
        } catch (error) {
          setStatus(container, gettext("Le texte saisi n'est pas du GeoJSON valide : il sera vérifié à l'enregistrement."));
        }
        restyleParcels();
      });
    }

    restyleParcels();
    if (!tiles && !drawn.getLayers().length) {
      setStatus(container, gettext("La carte n'a pas de fond de plan : recherchez une adresse pour la centrer, puis dessinez."));
    }
    container.carte = { map: map, drawn: drawn, sync: sync };
  }

  function initAll() {
    document.querySelectorAll("[data-carte]").forEach(init);
  }

  function start() {
    var first = document.querySelector("[data-carte]");
    if (!first) {
      return;
    }
    var vendor = first.getAttribute("data-vendor");
    loadCss(vendor + "leaflet/leaflet.css");
    loadCss(vendor + "leaflet-geoman/leaflet-geoman.css");
    loadCss(fieldsStatic(vendor) + "carte.css");
    loadScript(vendor + "leaflet/leaflet.js")
      .then(function () {
        window.L.Icon.Default.imagePath = vendor + "leaflet/images/";
        return loadScript(vendor + "leaflet-geoman/leaflet-geoman.min.js");
      })
      .then(function () { return loadScript(vendor + "togeojson/togeojson.umd.js"); })
      .then(function () {
        window.demarchesCarte.ready = true;
        initAll();
        document.body.addEventListener("htmx:afterSettle", initAll);
      })
      .catch(function () {
        /* The map could not load: the textarea stays, for pasted GeoJSON. */
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
