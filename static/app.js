// prefer's own browser code: keyboard shortcuts on the annotation screen,
// the upload progress bar, and showing errors of htmx requests. Everything
// works without it, only slower.
(function () {
  "use strict";

  function task() { return document.getElementById("task"); }
  function form() { return document.getElementById("verdict"); }

  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "TEXTAREA" || t.tagName === "INPUT" && t.type !== "radio" ||
      t.tagName === "SELECT" || t.isContentEditable);
  }

  function pick(name, key) {
    var f = form();
    if (!f) return false;
    var input = f.querySelector('input[name="' + name + '"][data-key="' + key + '"]');
    if (!input || input.matches(":disabled")) return false;
    input.checked = true;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  // submit clicks the submit or skip button, unless a request is in flight
  // (the buttons' fieldset is disabled then).
  function submit(skip) {
    var f = form();
    if (!f) return;
    var button = f.querySelector(skip ? '[data-testid="skip"]' : '[data-testid="submit"]');
    if (button && !button.matches(":disabled")) button.click();
  }

  function toggleHelp() {
    var d = document.getElementById("keys");
    if (!d) return;
    if (d.open) d.close(); else d.showModal();
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing || e.repeat) return;
    // With the key list open, only "?" (or Escape, the dialog's own) works.
    if (document.querySelector("dialog[open]")) {
      if (e.key === "?") { toggleHelp(); e.preventDefault(); }
      return;
    }
    if (typing(e)) {
      if (e.key === "Escape") e.target.blur();
      if (e.key === "Enter" && e.target.tagName === "TEXTAREA" && !e.shiftKey) {
        e.preventDefault();
        submit(false);
      }
      return;
    }
    if (!task()) return;
    // Enter on a link, button or summary does what that element does.
    if (e.key === "Enter" && e.target.closest && e.target.closest("a,button,summary,select")) {
      return;
    }

    var k = e.key;
    var handled = true;
    if (k === "a" || k === "b" || k === "t" || k === "x") {
      pick("choice", k);
    } else if (k === "1" || k === "2" || k === "3") {
      handled = pick("strength", k);
    } else if (k === "Enter") {
      submit(false);
    } else if (k === "s") {
      submit(true);
    } else if (k === "r") {
      var box = form() && form().querySelector("textarea");
      if (box) box.focus(); else handled = false;
    } else if (k === "?") {
      toggleHelp();
    } else {
      handled = false;
    }
    if (handled) e.preventDefault();
  });

  // Strength only means something after A or B: disable it for tie and both bad.
  document.addEventListener("change", function (e) {
    if (!e.target || e.target.name !== "choice") return;
    var row = form() && form().querySelector(".strengths");
    if (!row) return;
    var decisive = e.target.value === "left" || e.target.value === "right";
    row.disabled = !decisive;
    if (!decisive) row.querySelectorAll("input").forEach(function (i) { i.checked = false; });
  });

  // Upload progress for forms that name a <progress> in data-progress.
  document.addEventListener("htmx:xhr:progress", function (e) {
    var f = e.target.closest && e.target.closest("form[data-progress]");
    if (!f || !e.detail.lengthComputable) return;
    var bar = document.getElementById(f.dataset.progress);
    if (bar) bar.value = Math.round(e.detail.loaded * 100 / e.detail.total);
  });

  // A failed htmx request leaves the page as it was: say why, in an alert
  // at the top of the page. The server's message is plain text, set as text.
  document.addEventListener("htmx:responseError", function (e) {
    var xhr = e.detail.xhr;
    var msg = (xhr && xhr.responseText || "").trim();
    if (!msg || msg.charAt(0) === "<") msg = "The request failed (" + (xhr ? xhr.status : "?") + ").";
    if (xhr && xhr.status === 401) msg = "Your session has ended: log in again.";
    var box = document.getElementById("request-error");
    if (!box) {
      box = document.createElement("p");
      box.id = "request-error";
      box.className = "error";
      box.setAttribute("role", "alert");
      box.setAttribute("data-testid", "request-error");
      var main = document.querySelector("main");
      if (main) main.insertBefore(box, main.firstChild);
    }
    box.textContent = msg;
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var box = document.getElementById("request-error");
    if (box && e.detail.successful) box.remove();
  });
})();
