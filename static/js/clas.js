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

// The budget step: its totals follow the entries as they are typed (like the simulator); the
// server recomputes them, and the PS, when the draft is saved.
function parseAmount(text) {
  var clean = (text || "").replace(/[\s\u00a0\u202f€]/g, "").replace(",", ".");
  var value = parseFloat(clean);
  return isNaN(value) ? 0 : value;
}
var euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
function paintBudget(form) {
  var charges = 0, products = 0;
  form.querySelectorAll("input[name^='charge_']").forEach(function (input) {
    charges += parseAmount(input.value);
  });
  form.querySelectorAll("input[name^='subsidy_'], input[name^='product_']").forEach(function (input) {
    products += parseAmount(input.value);
  });
  var totals = { charges: charges, products: products, gap: charges - products };
  document.querySelectorAll("[data-budget-total]").forEach(function (cell) {
    cell.textContent = euros.format(totals[cell.dataset.budgetTotal]);
  });
}
document.addEventListener("input", function (event) {
  var form = event.target.closest && event.target.closest("form[data-budget-form]");
  if (form) paintBudget(form);
});
