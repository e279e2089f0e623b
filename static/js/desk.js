/* The lending desk: type-ahead across page loads, live borrower search, the damaged check-in.
   Everything works without it too (the server refuses a double submit on its own). */
(function () {
  "use strict";

  // --- Type-ahead: a USB scanner types the next tag (and Enter) while the page still loads. -----
  // From the moment a desk form is sent, keys are kept (sessionStorage) instead of reaching the old
  // page, where a second Enter would send the confirmation twice and the tag would be lost. The
  // next page plays them back into the field that has the focus, Enter included.
  var KEY = "desk-typeahead";
  var sending = false;

  function keep(text) {
    try { sessionStorage.setItem(KEY, (sessionStorage.getItem(KEY) || "") + text); } catch (e) { /* private mode */ }
  }

  function takeKept() {
    var text = "";
    try { text = sessionStorage.getItem(KEY) || ""; sessionStorage.removeItem(KEY); } catch (e) { /* private mode */ }
    return text;
  }

  function send(form, submitter) {
    if (sending) { return; }
    sending = true;
    if (submitter && submitter.name) {
      var carried = document.createElement("input");
      carried.type = "hidden";
      carried.name = submitter.name;
      carried.value = submitter.value;
      form.appendChild(carried);
    }
    form.submit();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("desk-scan")) { return; }
    if (sending) { event.preventDefault(); return; }
    sending = true;
  }, true);

  // Back to this page from the history: it is not being sent any more.
  window.addEventListener("pageshow", function (event) { if (event.persisted) { sending = false; } });

  window.addEventListener("keydown", function (event) {
    if (!sending || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Enter") { keep("\n"); } else if (event.key.length === 1) { keep(event.key); } else { return; }
    event.preventDefault();
    event.stopPropagation();
  }, true);

  function enter(element) {
    var press = new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true });
    if (!element.dispatchEvent(press)) { return; }  // a handler of this page took it (e.g. scan -> name)
    var form = element.form;
    if (!form) { return; }
    if (element.tagName === "BUTTON" || element.type === "submit") { send(form, element); return; }
    var button = form.querySelector("button[type=submit], input[type=submit]");
    send(form, button);
  }

  function playBack(text) {
    // An Enter kept before any character is the second press of a confirmation that was already on
    // its way (a double Enter): the server took the first one, so it is dropped, not sent again.
    text = text.replace(/^\n+/, "");
    for (var i = 0; i < text.length; i++) {
      if (sending) { keep(text.slice(i)); return; }
      var element = document.activeElement;
      if (!element || element === document.body) { keep(text.slice(i)); return; }
      if (text[i] === "\n") { enter(element); continue; }
      if (element.tagName === "INPUT" && /^(text|search)$/.test(element.type)) {
        element.value += text[i];
        element.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
  }

  // --- Focus and the scan field ---------------------------------------------------------------
  var scan = document.querySelector("[data-scan]");
  var autofocus = document.querySelector("[autofocus]");
  if (autofocus && document.activeElement !== autofocus) { autofocus.focus(); }
  // A new scan replaces the tag the server showed again (after an error) instead of being typed after
  // it; keys the scanner typed while this script loaded are left alone.
  if (scan && document.activeElement === scan && scan.value && scan.value === scan.defaultValue) { scan.select(); }

  // --- Live search: the server sends the radio list as an HTML fragment. ------------------------
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

  // --- Taking back a damaged device: the damage part opens right after the condition, with the
  // repair and the incident ticked (both can be unticked), so it takes Down, Down, Tab, the
  // description and Enter. --------------------------------------------------------------------
  var damage = document.getElementById("damage-fields");
  function showDamage() {
    var checked = document.querySelector("input[name=condition_in]:checked");
    var damaged = checked && checked.value === "damaged";
    if (damage) { damage.hidden = !damaged && !damage.dataset.keepOpen; }
    return damaged;
  }
  if (damage) {
    if (damage.querySelector(".is-invalid, .invalid-feedback")) { damage.dataset.keepOpen = "1"; }
    showDamage();
  }
  document.querySelectorAll("input[name=condition_in]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (!showDamage()) { return; }
      ["id_send_to_repair", "id_record_incident"].forEach(function (id) {
        var box = document.getElementById(id);
        if (box) { box.checked = true; }
      });
    });
  });

  // --- Camera button (static/js/scan-camera.js) fills the scan field and sends it. ---------------
  document.addEventListener("desk:scanned", function (event) {
    if (!scan) { return; }
    scan.value = event.detail;
    scan.focus();
    enter(scan);
  });

  var kept = takeKept();
  if (kept) { playBack(kept); }
})();
