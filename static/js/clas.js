// Small behaviours, no inline script (CSP): a form marked js-submit-once cannot be sent twice.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.classList || !form.classList.contains("js-submit-once")) return;
  if (form.dataset.sent === "1") { event.preventDefault(); return; }
  form.dataset.sent = "1";
  form.querySelectorAll("button[type=submit]").forEach(function (button) {
    button.disabled = true;
    button.textContent = "Envoi en cours…";
  });
});

// Progress bars carry their value in data-progress (no inline style under our CSP).
function paintProgress(root) {
  (root || document).querySelectorAll("[data-progress]").forEach(function (bar) {
    bar.style.width = bar.dataset.progress + "%";
  });
}
document.addEventListener("DOMContentLoaded", function () { paintProgress(); });
document.addEventListener("htmx:afterSwap", function (event) { paintProgress(event.target); });
