// Behaviour shared by every page. No inline scripts: pages mark elements with data-* attributes.
(function () {
  "use strict";

  // Selects that submit their form when changed (workspace and language switchers).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) {
      event.target.form.requestSubmit();
    }
  });

  // Print buttons (the print view's).
  document.addEventListener("click", function (event) {
    if (event.target.closest("button[data-print]")) window.print();
  });

  // Menus (<details data-menu>) close on a click elsewhere, on a choice, and on Escape; an
  // Escape that closed a menu is spent (the map's panel stays open).
  function closeMenus(except) {
    var open = document.querySelectorAll("details[data-menu][open]");
    open.forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
    return open.length > 0;
  }
  document.addEventListener("click", function (event) {
    var menu = event.target.closest("details[data-menu]");
    closeMenus(event.target.closest("details[data-menu] :is(a, button)") ? null : menu);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && closeMenus(null)) event.preventDefault();
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
  // A 409 is the form again too, with the change it would overwrite.
  function isFormWithErrors(xhr) {
    return (xhr.status === 400 || xhr.status === 409) && !/^\s*<!doctype/i.test(xhr.responseText);
  }
  // 403 and 404 (a stale tab) are said in place even with DEBUG on; a 500 keeps the debug page.
  window.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    if (isFormWithErrors(xhr) || xhr.status === 403 || xhr.status === 404) event.stopPropagation();
  }, true);
  // Any other error of an HTMX request: a message in place, and the page left as it was.
  function showRequestError(status) {
    var box = document.getElementById("request-error");
    if (!box) return;
    box.querySelector("p").textContent =
      box.getAttribute("data-" + status) || box.getAttribute("data-other");
    box.hidden = false;
  }
  document.addEventListener("htmx:responseError", function (event) {
    if (!isFormWithErrors(event.detail.xhr)) showRequestError(event.detail.xhr.status);
  });
  document.addEventListener("htmx:sendError", function () { showRequestError(0); });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("request-error");
    if (box) box.hidden = true;
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (isFormWithErrors(event.detail.xhr)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
