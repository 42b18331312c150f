// Filters: narrow the county list to the chosen city, and fill "near" from the browser's position.
(function () {
  "use strict";
  var city = document.getElementById("city");
  var county = document.getElementById("county");
  if (city && county) {
    city.addEventListener("change", function () {
      var chosen = city.value;
      Array.prototype.forEach.call(county.options, function (option) {
        if (!option.value) { return; }
        var belongs = !chosen || option.getAttribute("data-city") === chosen;
        option.hidden = !belongs;
        option.disabled = !belongs;
        if (!belongs && option.selected) { county.value = ""; }
      });
    });
  }
  var button = document.getElementById("locate");
  var near = document.getElementById("near");
  var status = document.getElementById("locate-status");
  var nearCounty = document.getElementById("near_county");
  if (!button || !near) { return; }
  if (!("geolocation" in navigator)) {
    button.disabled = true;
    status.textContent = button.getAttribute("data-denied");
    return;
  }
  button.addEventListener("click", function () {
    status.textContent = button.getAttribute("data-locating");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        near.value = position.coords.latitude.toFixed(5) + "," + position.coords.longitude.toFixed(5);
        if (nearCounty) { nearCounty.value = ""; }
        status.textContent = button.getAttribute("data-found");
        button.form.submit();
      },
      function () {
        status.textContent = button.getAttribute("data-denied");
        if (nearCounty) { nearCounty.focus(); }
      },
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 }
    );
  });
  if (nearCounty) {
    nearCounty.addEventListener("change", function () { if (nearCounty.value) { near.value = ""; } });
  }
})();
// A quick-filter select applies itself: the chip bar has no separate search button.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("select[data-autosubmit]"), function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
