// Progress of the school's background work (letters, label sheets, imports): asks the server how far
// each job is once a second and reloads the page when one is finished, so the result shows. A file,
// not inline script: the content security policy forbids inline script.
(function () {
  var boxes = document.querySelectorAll("[data-job-status]");
  boxes.forEach(function (box) {
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-job-text]");
    var shown = -1;
    function poll() {
      fetch(box.getAttribute("data-job-status"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (state) {
          if (state.finished) {
            window.location.reload();
            return;
          }
          if (state.total > 0 && state.done !== shown) {
            shown = state.done;
            bar.max = state.total;
            bar.value = state.done;
            text.textContent = box.getAttribute("data-progress-text")
              .replace("{done}", state.done).replace("{total}", state.total);
          }
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 1000);
  });
})();
