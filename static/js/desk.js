/* The lending desk: live borrower search and two small conveniences. Works without it too. */
(function () {
  "use strict";

  // A new scan replaces the old tag instead of being typed after it.
  var scan = document.querySelector("[data-scan]");
  if (scan && document.activeElement === scan) { scan.select(); }

  // Live search: the server sends the radio list as an HTML fragment.
  var form = document.getElementById("desk-checkout");
  var query = document.getElementById("id_q");
  var results = document.getElementById("borrower-results");
  if (form && query && results) {
    var searched = form.querySelector("input[name=searched]");
    var timer = null;
    // Enter after a scan moves on to the borrower while nobody is chosen yet.
    if (scan) {
      scan.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !query.value.trim() && !form.querySelector("input[name=borrower]")) {
          event.preventDefault();
          query.focus();
        }
      });
    }
    var sequence = 0;
    query.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var mine = ++sequence;
        var term = query.value.trim();
        if (term.length < 2) { return; }
        fetch(form.dataset.searchUrl + "?q=" + encodeURIComponent(term), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.text() : null; })
          .then(function (html) {
            if (html !== null && mine === sequence) { results.innerHTML = html; searched.value = term; }
          })
          .catch(function () { /* the form still works by submitting */ });
      }, 200);
    });
  }

  // Taking back a damaged device: suggest the repair and the incident (both can be unticked).
  document.querySelectorAll("input[name=condition_in]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (!radio.checked || radio.value !== "damaged") { return; }
      ["id_send_to_repair", "id_record_incident"].forEach(function (id) {
        var box = document.getElementById(id);
        if (box) { box.checked = true; }
      });
    });
  });
})();
