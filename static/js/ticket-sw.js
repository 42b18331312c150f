// The offline ticket: keeps the signed-in person's coming booking pages (code, QR, time, venue,
// address) and the two stylesheets they need, so a ticket opens at a gate with no signal.
// Nothing else is cached: every other page, places left included, always comes from the server.
"use strict";
var CACHE = "tickets-v1";
var SHELL = ["/static/css/site.css", "/static/css/phone.css"];
var TICKET = /^\/booking\/b\/[0-9A-Z]{8}$/;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function absolute(path) { return new URL(path, self.location.origin).href; }

function store(cache, url) {
  return fetch(url, { credentials: "same-origin", redirect: "follow" }).then(function (response) {
    // a redirect means the person is signed out or the booking is gone: keep nothing
    if (response.ok && !response.redirected) { return cache.put(url, response); }
    return cache.delete(url);
  }).catch(function () { return null; });
}

function keepOnly(paths) {
  var wanted = paths.concat(SHELL).map(absolute);
  return caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.filter(function (r) { return wanted.indexOf(r.url) < 0; })
        .map(function (r) { return cache.delete(r); }));
    }).then(function () { return Promise.all(wanted.map(function (u) { return store(cache, u); })); });
  });
}

function add(paths) {
  return caches.open(CACHE).then(function (cache) {
    return Promise.all(paths.concat(SHELL).map(absolute).map(function (u) { return store(cache, u); }));
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var paths = (data.urls || []).filter(function (p) { return TICKET.test(p); });
  if (data.type === "tickets") { event.waitUntil(keepOnly(paths)); }
  if (data.type === "add") { event.waitUntil(add(paths)); }
  if (data.type === "forget") { event.waitUntil(caches.delete(CACHE)); }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (!TICKET.test(url.pathname) && SHELL.indexOf(url.pathname) < 0) { return; }
  event.respondWith(caches.open(CACHE).then(function (cache) {
    return cache.match(url.href).then(function (kept) {
      return fetch(request).then(function (fresh) {
        // online: refresh a ticket we keep, so it is never older than the last visit
        if (kept && fresh.ok && !fresh.redirected && fresh.type === "basic") {
          cache.put(url.href, fresh.clone());
        }
        return fresh;
      }).catch(function (error) {
        if (kept) { return kept; }
        throw error;
      });
    });
  }));
});
