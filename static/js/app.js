// Hoshin's only script besides htmx: toasts, and a readable message when a request fails outright.
(function () {
  "use strict";
  function toast(message, kind) {
    var box = document.getElementById("toasts");
    if (!box || !message) return;
    var item = document.createElement("div");
    item.className = "alert " + (kind || "info");
    item.setAttribute("role", kind === "error" ? "alert" : "status");
    item.textContent = message; // text, never HTML
    box.appendChild(item);
    setTimeout(function () { item.remove(); }, 6000);
  }
  document.body.addEventListener("hoshin:toast", function (event) {
    toast(event.detail.message, event.detail.kind);
  });
  document.body.addEventListener("htmx:responseError", function () {
    toast(document.body.dataset.errorMessage, "error");
  });
  document.body.addEventListener("htmx:sendError", function () {
    toast(document.body.dataset.offlineMessage, "error");
  });
  // Toasts rendered with the page (a fragment swapped into #toasts) fade out too.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "toasts") {
      var items = event.detail.target.querySelectorAll(".alert");
      items.forEach(function (el) { setTimeout(function () { el.remove(); }, 6000); });
    }
  });
})();
