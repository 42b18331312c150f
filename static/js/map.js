// The directory map: fetch compact venue points, cluster them in the browser, colour them by
// category, and load a venue's details only when its popup opens.
// points.json?bbox=west,south,east,north&zoom=z answers the viewport, either
//   {categories: [code, …], points: [[id, lat×1e5, lng×1e5, category index], …]} or, when
//   crowded, {clusters: [[lat×1e5, lng×1e5, venues, id], …], total: venues}; no answer holds
//   every venue. The map asks again after every move.
(function (window, document) {
  "use strict";

  var GCJ_A = 6378245.0;
  var GCJ_EE = 0.00669342162296594323;

  function outOfChina(lat, lng) {
    return !(lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
  }

  function transformLat(x, y) {
    var ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    ret += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    ret += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
    ret += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    return ret;
  }

  function transformLng(x, y) {
    var ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    ret += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    ret += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
    ret += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    return ret;
  }

  // Same as wgs84_to_gcj02 in webapp/services/catalogue/maps.py: [lat, lng] as drawn on GCJ-02 tiles.
  function wgs84ToGcj02(lat, lng) {
    if (outOfChina(lat, lng)) { return [lat, lng]; }
    var dLat = transformLat(lng - 105.0, lat - 35.0);
    var dLng = transformLng(lng - 105.0, lat - 35.0);
    var radLat = lat / 180.0 * Math.PI;
    var magic = 1 - GCJ_EE * Math.sin(radLat) * Math.sin(radLat);
    var sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((GCJ_A * (1 - GCJ_EE)) / (magic * sqrtMagic) * Math.PI);
    dLng = (dLng * 180.0) / (GCJ_A / sqrtMagic * Math.cos(radLat) * Math.PI);
    return [lat + dLat, lng + dLng];
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function fill(template, n) { return template.replace("{n}", String(n)); }

  function setStatus(options, message) {
    var status = document.getElementById(options.statusId);
    if (status) { status.textContent = message; }
  }

  function drawLegend(options, categories, used) {
    var legend = document.getElementById(options.legendId);
    if (!legend) { return; }
    legend.textContent = "";
    categories.forEach(function (code, index) {
      if (!used[index]) { return; }
      var item = el("li");
      var swatch = el("span", "venue-swatch venue-pin-" + code);
      swatch.setAttribute("aria-hidden", "true");
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(options.labels[code] || code));
      legend.appendChild(item);
    });
  }

  function popupContent(options, venue) {
    var p = venue.properties;
    var box = el("div", "venue-popup");
    var name = options.lang === "en" && p.name_en ? p.name_en : p.name;
    if (p.photo_url) {
      var photo = el("img", "venue-popup-photo");
      photo.src = p.photo_url;
      photo.alt = p.photo_alt || name;
      photo.width = 240;
      photo.height = 135;
      box.appendChild(photo);
    }
    box.appendChild(el("strong", "venue-popup-name", name));
    var categories = (p.categories || []).map(function (c) { return options.labels[c] || c; });
    box.appendChild(el("p", "venue-popup-categories", categories.join(" · ")));
    var where = [p.city, p.county].filter(Boolean).join(" · ");
    if (where) { box.appendChild(el("p", "venue-popup-where", where)); }
    if (p.address) { box.appendChild(el("p", "venue-popup-address", p.address)); }
    var link = el("a", "venue-popup-link", options.text.open);
    link.href = options.venuePage + p.id;
    box.appendChild(link);
    return box;
  }

  function makeIcons(categories) {
    return categories.map(function (code) {
      return L.divIcon({
        className: "venue-pin venue-pin-" + code,
        iconSize: [16, 16],
        iconAnchor: [8, 8],
        popupAnchor: [0, -8]
      });
    });
  }

  // A divIcon whose element carries an accessible name (clusters are keyboard buttons).
  var LabelledIcon = L.DivIcon.extend({
    createIcon: function (oldIcon) {
      var div = L.DivIcon.prototype.createIcon.call(this, oldIcon);
      div.setAttribute("aria-label", this.options.label);
      return div;
    }
  });

  function clusterIcon(options) {
    return function (cluster) {
      var n = cluster.getChildCount();
      var size = n < 10 ? "small" : n < 100 ? "medium" : "large";
      return new LabelledIcon({
        html: "<div><span>" + n + "</span></div>",
        className: "marker-cluster marker-cluster-" + size,
        iconSize: new L.Point(40, 40),
        label: fill(options.text.cluster, n)
      });
    };
  }

  // The request for what the map shows now: the viewport clamped to the province (the whole
  // province the first time, so the map can fit what matches), and the zoom.
  function viewUrl(map, options, whole) {
    var b = map.getBounds();
    var p = options.bounds;  // [west, south, east, north]
    var west = Math.max(p[0], b.getWest()), south = Math.max(p[1], b.getSouth());
    var east = Math.min(p[2], b.getEast()), north = Math.min(p[3], b.getNorth());
    if (whole || west >= east || south >= north) {
      west = p[0]; south = p[1]; east = p[2]; north = p[3];
    }
    var zoom = Math.min(options.maxZoom, Math.max(options.minZoom, Math.round(map.getZoom())));
    var box = [west, south, east, north].map(function (x) { return x.toFixed(4); }).join(",");
    var sep = options.pointsUrl.indexOf("?") >= 0 ? "&" : "?";
    return options.pointsUrl + sep + "bbox=" + box + "&zoom=" + zoom;
  }

  function place(options, lat, lng) {
    return options.gcj02 ? wgs84ToGcj02(lat, lng) : [lat, lng];
  }

  // A crowded viewport comes as grid clusters counted by the server: [lat, lng, n, id].
  function drawServerClusters(map, options, layer, clusters) {
    var size = function (n) { return n < 10 ? "small" : n < 100 ? "medium" : "large"; };
    clusters.forEach(function (row) {
      var at = place(options, row[0] / 1e5, row[1] / 1e5);
      var marker = L.marker(at, {
        icon: new LabelledIcon({
          html: "<div><span>" + row[2] + "</span></div>",
          className: "marker-cluster marker-cluster-" + size(row[2]),
          iconSize: new L.Point(40, 40),
          label: fill(options.text.cluster, row[2])
        }),
        keyboard: true
      });
      marker.on("click", function () { map.setView(at, Math.min(map.getZoom() + 2, options.maxZoom)); });
      layer.addLayer(marker);
    });
  }

  function showVenues(map, options) {
    var cache = {};
    var clusters = L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      iconCreateFunction: clusterIcon(options)
    });
    var serverClusters = L.layerGroup();
    map.addLayer(clusters);
    map.addLayer(serverClusters);
    setStatus(options, options.text.loading);
    var asked = 0, fitted = false, timer = null;

    function openPopup(event) {
      var marker = event.target;
      var id = marker.venueId;
      if (cache[id]) { marker.setPopupContent(popupContent(options, cache[id])); return; }
      window.fetch(options.venueApi + id, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        })
        .then(function (venue) {
          cache[id] = venue;
          marker.setPopupContent(popupContent(options, venue));
        })
        .catch(function () { marker.setPopupContent(el("p", null, options.text.failed)); });
    }

    function drawPoints(data) {
      var categories = data.categories || [];
      var icons = makeIcons(categories);
      var used = {};
      var markers = new Array(data.points.length);
      for (var i = 0; i < data.points.length; i++) {
        var row = data.points[i];
        var code = categories[row[3]];
        used[row[3]] = true;
        var marker = L.marker(place(options, row[1] / 1e5, row[2] / 1e5), {
          icon: icons[row[3]],
          title: (options.labels[code] || options.text.venue) + " #" + row[0]
        });
        marker.venueId = row[0];
        marker.bindPopup(options.text.loading, { maxWidth: 260 });
        marker.on("popupopen", openPopup);
        markers[i] = marker;
      }
      clusters.addLayers(markers);
      drawLegend(options, categories, used);
      return markers.length;
    }

    // The browser revalidates with the ETag: an unchanged catalogue answers 304, no body.
    function load() {
      var mine = ++asked;
      window.fetch(viewUrl(map, options, !fitted), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        })
        .then(function (data) {
          if (mine !== asked) { return; }  // the map moved on meanwhile
          clusters.clearLayers();
          serverClusters.clearLayers();
          var shown;
          if (data.clusters) {
            drawServerClusters(map, options, serverClusters, data.clusters);
            shown = data.total;
          } else {
            shown = drawPoints(data);
            if (shown && !fitted) {
              fitted = true;
              var bounds = clusters.getBounds();
              if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 }); }
            }
          }
          fitted = true;
          setStatus(options, shown ? fill(options.text.count, shown) : options.text.none);
        })
        .catch(function () { if (mine === asked) { setStatus(options, options.text.failed); } });
    }

    // Opening a popup pans the map to fit it; reloading then would redraw the markers and close
    // the popup just opened. While one is open the points stay; closing it catches up.
    var popupOpen = false;
    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(load, 250);
    }
    map.on("popupopen", function () { popupOpen = true; });
    map.on("popupclose", function () { popupOpen = false; later(); });
    map.on("moveend", function () { if (!popupOpen) { later(); } });
    load();
  }

  window.ShanxiMap = { showVenues: showVenues, wgs84ToGcj02: wgs84ToGcj02 };
})(window, document);
