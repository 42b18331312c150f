// The door: read a booking's QR code with jsQR (static/vendor/jsqr) from the phone's camera
// (getUserMedia) or from a photo, put the code in the look-up form and submit it.
(function () {
  "use strict";
  var box = document.getElementById("door-scan");
  var form = document.querySelector("[data-lookup-form]");
  if (!box || !form || typeof window.jsQR !== "function") { return; }
  var input = form.querySelector("input[name=code]");
  var video = box.querySelector("[data-scan-video]");
  var start = box.querySelector("[data-scan-start]");
  var stop = box.querySelector("[data-scan-stop]");
  var file = box.querySelector("[data-scan-file]");
  var status = box.querySelector("[data-scan-status]");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;
  var MAX_SIDE = 1280;  // a phone photo is scaled down first: jsQR is slow on 12 MP

  function say(text) { status.textContent = text; }

  function decode(source, width, height) {
    var scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    var found = window.jsQR(pixels.data, pixels.width, pixels.height);
    return found && found.data ? found.data.trim().slice(0, 20) : null;
  }

  function submit(code) {
    stopCamera();
    input.value = code;
    say(box.getAttribute("data-found") || code);
    form.submit();
  }

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
  }

  function tick() {
    if (!stream) { return; }
    if (video.readyState >= 2 && video.videoWidth) {
      var code = decode(video, video.videoWidth, video.videoHeight);
      if (code) { submit(code); return; }
    }
    window.requestAnimationFrame(tick);
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (s) {
          stream = s;
          video.srcObject = s;
          video.hidden = false;
          stop.hidden = false;
          start.hidden = true;
          return video.play();
        })
        .then(function () { window.requestAnimationFrame(tick); })
        .catch(function () { stopCamera(); say(box.getAttribute("data-no-camera")); });
    });
    stop.addEventListener("click", stopCamera);
  } else {
    start.hidden = true;
  }

  file.addEventListener("change", function () {
    var picked = file.files && file.files[0];
    if (!picked) { return; }
    var url = URL.createObjectURL(picked);
    var image = new Image();
    image.onload = function () {
      var code = decode(image, image.naturalWidth, image.naturalHeight);
      URL.revokeObjectURL(url);
      if (code) { submit(code); } else { say(box.getAttribute("data-not-found")); }
    };
    image.onerror = function () { URL.revokeObjectURL(url); say(box.getAttribute("data-not-found")); };
    image.src = url;
  });
})();
