// Optional finger signature: draws on a canvas and puts a PNG data URL in the hidden field.
(function () {
  "use strict";
  var canvas = document.getElementById("signature-pad");
  var form = document.getElementById("sign-form");
  if (!canvas || !form) { return; }
  var field = form.querySelector("input[name=signature]");
  var ctx = canvas.getContext("2d");
  var drawing = false, drawn = false;
  ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.strokeStyle = "#111";

  function point(event) {
    var rect = canvas.getBoundingClientRect();
    return { x: (event.clientX - rect.left) * canvas.width / rect.width,
             y: (event.clientY - rect.top) * canvas.height / rect.height };
  }
  canvas.addEventListener("pointerdown", function (event) {
    drawing = true; canvas.setPointerCapture(event.pointerId);
    var p = point(event); ctx.beginPath(); ctx.moveTo(p.x, p.y); event.preventDefault();
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) { return; }
    var p = point(event); ctx.lineTo(p.x, p.y); ctx.stroke(); drawn = true; event.preventDefault();
  });
  function stop() { drawing = false; }
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  document.getElementById("signature-clear").addEventListener("click", function () {
    ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false; if (field) { field.value = ""; }
  });
  form.addEventListener("submit", function () {
    if (field) { field.value = drawn ? canvas.toDataURL("image/png") : ""; }
  });
}());
