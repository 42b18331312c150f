// The venue-edit map: one draggable marker at the venue; where it is dropped becomes the
// venue's WGS-84 latitude and longitude in the form (GCJ-02 tiles are shifted back).
(function (window, document) {
  "use strict";
  var box = document.getElementById("position-map");
  var latField = document.getElementById("lat");
  var lngField = document.getElementById("lng");
  if (!box || !latField || !lngField || !window.L) { return; }
  var options = JSON.parse(box.getAttribute("data-options"));
  var toGcj = window.ShanxiMap && window.ShanxiMap.wgs84ToGcj02;
  var shifted = options.gcj02 && toGcj;

  function drawn(lat, lng) { return shifted ? toGcj(lat, lng) : [lat, lng]; }

  // GCJ-02 has no closed inverse: step back by the shift until it is under a centimetre.
  function wgs84(lat, lng) {
    if (!shifted) { return [lat, lng]; }
    var guess = [lat, lng];
    for (var i = 0; i < 8; i++) {
      var there = toGcj(guess[0], guess[1]);
      guess = [guess[0] + lat - there[0], guess[1] + lng - there[1]];
    }
    return guess;
  }

  var start = [parseFloat(box.getAttribute("data-lat")), parseFloat(box.getAttribute("data-lng"))];
  if (latField.value && lngField.value) {
    start = [parseFloat(latField.value), parseFloat(lngField.value)];
  }
  var map = L.map(box, { scrollWheelZoom: false }).setView(drawn(start[0], start[1]), 15);
  if (options.url) {  // MAP_TILE_PROVIDER=none: no background
    L.tileLayer(options.url, {
      attribution: options.attribution,
      subdomains: options.subdomains,
      maxZoom: 18
    }).addTo(map);
  }
  var marker = L.marker(drawn(start[0], start[1]), {
    draggable: true,
    autoPan: true,
    title: box.getAttribute("data-marker-title"),
    alt: box.getAttribute("data-marker-title"),
    keyboard: true
  }).addTo(map);
  marker.on("dragend", function () {
    var at = marker.getLatLng();
    var point = wgs84(at.lat, at.lng);
    latField.value = point[0].toFixed(6);
    lngField.value = point[1].toFixed(6);
  });
})(window, document);
