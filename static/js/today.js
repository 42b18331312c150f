// Today: refresh each session's booked / green used / checked-in figures every 30 s from
// the JSON API, without reloading the page (and so without losing a half-typed reason).
(function () {
  "use strict";
  var box = document.getElementById("today-figures");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-figures-url");
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        data.sessions.forEach(function (row) {
          var card = box.querySelector('[data-session-id="' + row.session_id + '"]');
          if (!card) { return; }
          ["booked", "green_used", "checked_in"].forEach(function (name) {
            var cell = card.querySelector('[data-figure="' + name + '"]');
            if (cell) { cell.textContent = String(row[name]); }
          });
        });
        var count = document.querySelector("[data-waiting-count]");
        if (count) { count.textContent = String(data.waiting); }
      })
      .catch(function () { /* offline for a moment: try again next time */ });
  }
  box.refreshFigures = refresh;
  window.setInterval(refresh, 30000);
})();
