/* "Scan with the camera", for a desk without a USB scanner. The browser's own BarcodeDetector where
   it has one, else the vendored ZXing decoder (static/vendor/zxing). The code found (Code 128 or QR:
   the label carries both) is handed to the page like a scanner's keystrokes: event "desk:scanned". */
(function () {
  "use strict";
  var button = document.querySelector("[data-camera-scan]");
  if (!button || !(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) { return; }
  var panel = document.getElementById(button.getAttribute("aria-controls"));
  var video = panel.querySelector("video");
  var status = panel.querySelector("[data-camera-status]");
  var stopButton = panel.querySelector("[data-camera-stop]");
  var stream = null;
  var zxing = null;
  var running = false;
  button.hidden = false;

  function stop() {
    running = false;
    if (zxing) { zxing.reset(); zxing = null; }
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); stream = null; }
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
  }

  function found(text) {
    stop();
    document.dispatchEvent(new CustomEvent("desk:scanned", { detail: text }));
  }

  function withBarcodeDetector() {
    var detector = new window.BarcodeDetector({ formats: ["code_128", "qr_code"] });
    function look() {
      if (!running) { return; }
      detector.detect(video).then(function (codes) {
        if (codes.length) { found(codes[0].rawValue); } else { window.setTimeout(look, 150); }
      }).catch(function () { window.setTimeout(look, 300); });
    }
    video.srcObject = stream;
    video.play().then(look);
  }

  function withZXing() {
    if (!window.ZXing) {  // fetched on first use: most desks have a USB scanner and never need it
      var script = document.createElement("script");
      script.src = button.dataset.decoder;
      script.onload = withZXing;
      script.onerror = function () { status.textContent = status.dataset.refused; };
      document.head.appendChild(script);
      return;
    }
    var hints = new Map();
    hints.set(ZXing.DecodeHintType.POSSIBLE_FORMATS, [ZXing.BarcodeFormat.CODE_128, ZXing.BarcodeFormat.QR_CODE]);
    hints.set(ZXing.DecodeHintType.TRY_HARDER, true);
    zxing = new ZXing.BrowserMultiFormatReader(hints, 150);
    zxing.decodeOnceFromStream(stream, video)
      .then(function (result) { if (running) { found(result.getText()); } })
      .catch(function () { /* stopped, or the stream ended */ });
  }

  button.addEventListener("click", function () {
    if (running) { stop(); return; }
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    status.textContent = status.dataset.starting;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        running = true;
        status.textContent = status.dataset.looking;
        if ("BarcodeDetector" in window) { withBarcodeDetector(); } else { withZXing(); }
      })
      .catch(function () {
        status.textContent = status.dataset.refused;
        running = false;
      });
  });
  stopButton.addEventListener("click", function () { stop(); button.focus(); });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape" && running) { stop(); button.focus(); } });
})();
