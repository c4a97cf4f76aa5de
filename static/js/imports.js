// Import page: the server previews the form as it stands, posted by htmx on every change
// (hx-post on the form). Only the file's first megabyte is sent, with the whole file's size;
// choosing a file or a profile asks for the mapping to be suggested again.
(function () {
  "use strict";

  var PREVIEW_BYTES = 1024 * 1024;

  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches("[data-import-form]")) {
      return;
    }
    var input = form.querySelector("[data-import-file]");
    var file = input && input.files && input.files[0];
    if (!file) {
      event.preventDefault(); // nothing to preview yet
      return;
    }
    var data = event.detail.formData;
    data.set("file", file.slice(0, PREVIEW_BYTES), file.name);
    data.set("file_size", String(file.size));
    var changed = event.detail.triggeringEvent && event.detail.triggeringEvent.target;
    if (changed && changed.matches("[data-import-file], [data-import-profile]")) {
      data.set("suggest", "on");
    }
  });
})();
