// Hoshin's only script besides htmx: toasts, a readable message when a request fails outright,
// confirmations, and the questionnaire's care for what the person has typed.
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

  // A form with `data-confirm` asks first, whether htmx sends it or the browser posts it: this listener
  // runs in the capture phase, before htmx's own, and a "no" stops both.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // The questionnaire. Each question's form remembers what was last saved, so that typed but unsaved
  // text is never lost without a warning; and a choice that needs a reason waits for the reason.
  function questionForm(el) {
    var form = el && el.closest ? el.closest("form") : null;
    // the evidence's accept and dismiss forms are plain htmx forms, not the answer's
    return form && form.closest("article.question") && !form.closest(".evidence") ? form : null;
  }
  function snapshot(form) {
    var data = new FormData(form);
    data.delete("csrf_token");
    data.delete("version");
    return new URLSearchParams(data).toString();
  }
  function remember(root) {
    root.querySelectorAll("article.question > form").forEach(function (form) {
      if (form.hoshinSaved === undefined) {
        form.hoshinSaved = form.hasAttribute("data-unsaved") ? null : snapshot(form); // null: never saved
      }
    });
  }
  function unsaved(form) {
    return form.hoshinSaved !== undefined && form.hoshinSaved !== snapshot(form);
  }
  function waitsForReason(form) {
    var choice = form.querySelector("input[name=choice]:checked");
    var reason = form.querySelector("input[name=na_reason]");
    return Boolean(choice && choice.hasAttribute("data-needs-reason") && reason && !reason.value.trim());
  }
  remember(document);
  document.body.addEventListener("htmx:load", function (event) { remember(event.detail.elt); });
  document.body.addEventListener("htmx:confirm", function (event) {
    var form = questionForm(event.detail.elt);
    if (form && waitsForReason(form) && !form.hoshinAsked) event.preventDefault(); // hold until a reason
  });
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var form = questionForm(event.detail.elt);
    if (form) form.hoshinSending = snapshot(form);
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = questionForm(event.detail.elt);
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (form && status >= 200 && status < 300) form.hoshinSaved = form.hoshinSending;
    if (form) form.hoshinAsked = false;
  });
  function send(form) {
    form.hoshinAsked = true; // the server's "say why" comes back: the person left without a reason
    window.htmx.trigger(form, "change");
  }
  // Leaving a question (focus moves elsewhere in the page, not to another window) with a held choice
  // sends it; so does pressing Enter in it, instead of a full page post.
  document.addEventListener("focusout", function (event) {
    var form = questionForm(event.target);
    if (!form || (event.relatedTarget && form.contains(event.relatedTarget))) return;
    setTimeout(function () {
      if (document.hasFocus() && !form.contains(document.activeElement) && form.isConnected
          && waitsForReason(form) && unsaved(form)) send(form);
    }, 0);
  });
  document.addEventListener("submit", function (event) {
    var form = questionForm(event.target);
    if (!form || !window.htmx || !form.hasAttribute("hx-post")) return;
    event.preventDefault();
    send(form);
  });
  window.addEventListener("beforeunload", function (event) {
    var forms = document.querySelectorAll("article.question > form");
    var pending = Array.prototype.some.call(forms, function (form) {
      return unsaved(form) || form.classList.contains("htmx-request");
    });
    if (pending) {
      event.preventDefault();
      event.returnValue = ""; // the browser shows its own "leave the page?" question
    }
  });
})();
