// Behaviour shared by every page. No inline scripts: pages mark elements with data-* attributes.
(function () {
  "use strict";

  // Selects that submit their form when changed (workspace and language switchers).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) {
      event.target.form.requestSubmit();
    }
  });

  // Menus (<details data-menu>) close on a click elsewhere, on a choice, and on Escape.
  function closeMenus(except) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    var menu = event.target.closest("details[data-menu]");
    closeMenus(event.target.closest("details[data-menu] a") ? null : menu);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenus(null);
  });

  // Plain forms that ask before doing something destructive (htmx elements use hx-confirm).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // A 400 answer to an HTMX form is the form again, with its errors: swap it like a success.
  // htmx 2 swaps no 4xx by default, and in DEBUG django-htmx's helper would show it as an error
  // page, which it should only do for Django's own error pages (whole documents).
  function isFormWithErrors(xhr) {
    return xhr.status === 400 && !/^\s*<!doctype/i.test(xhr.responseText);
  }
  window.addEventListener("htmx:beforeOnLoad", function (event) {
    if (isFormWithErrors(event.detail.xhr)) event.stopPropagation();
  }, true);
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (isFormWithErrors(event.detail.xhr)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
