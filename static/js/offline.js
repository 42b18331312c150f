// Registers the offline-ticket service worker and tells it which tickets to keep:
// data-tickets (a JSON list: keep exactly these), data-ticket (add one), data-forget (signed out).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("serviceWorker" in navigator)) { return; }
  var sw = navigator.serviceWorker;
  if (script.hasAttribute("data-forget")) {
    sw.getRegistration("/").then(function (reg) {
      if (reg && reg.active) { reg.active.postMessage({ type: "forget" }); }
    });
    return;
  }
  var message = null;
  if (script.hasAttribute("data-tickets")) {
    message = { type: "tickets", urls: JSON.parse(script.getAttribute("data-tickets")) };
  } else if (script.hasAttribute("data-ticket")) {
    message = { type: "add", urls: [script.getAttribute("data-ticket")] };
  }
  sw.register("/sw.js", { scope: "/" }).then(function () { return sw.ready; }).then(function (reg) {
    if (message && reg.active) { reg.active.postMessage(message); }
  }).catch(function () { /* no offline ticket in this browser: the pages still work */ });
})();
