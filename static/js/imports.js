// Import page: preview the chosen file before it is uploaded, and help map its columns.
// Only the first 20 KB are read, in the browser; the server reads the whole file.
(function () {
  "use strict";

  var PREVIEW_BYTES = 20 * 1024;
  var PREVIEW_ROWS = 5;

  var fileInput = document.querySelector("[data-import-file]");
  var formatSelect = document.querySelector("[data-import-format]");
  var preview = document.querySelector("[data-import-preview]");
  var datalist = document.getElementById("import-columns");
  if (!fileInput || !preview) {
    return;
  }
  var columns = null; // null until a file has been read

  function text(name) {
    return preview.getAttribute("data-text-" + name) || "";
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (content !== undefined) {
      node.textContent = content;
    }
    return node;
  }

  function formatOf(file) {
    if (formatSelect && formatSelect.value) {
      return formatSelect.value;
    }
    var name = file.name.toLowerCase();
    if (/\.csv$/.test(name)) {
      return "csv";
    }
    if (/\.(jsonl|ndjson)$/.test(name)) {
      return "jsonl";
    }
    // TSV, a JSON array, other names: the server finds how to read them; no preview here.
    return "";
  }

  // RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.
  // Stops after `limit` records; a record cut by the end of a truncated slice is dropped.
  function parseCsv(source, limit, truncated) {
    var records = [];
    var record = [];
    var field = "";
    var quoted = false;
    var i = 0;
    while (i < source.length && records.length < limit) {
      var c = source[i];
      if (quoted) {
        if (c === '"' && source[i + 1] === '"') {
          field += '"';
          i += 1;
        } else if (c === '"') {
          quoted = false;
        } else {
          field += c;
        }
      } else if (c === '"') {
        quoted = true;
      } else if (c === ",") {
        record.push(field);
        field = "";
      } else if (c === "\n" || c === "\r") {
        if (c === "\r" && source[i + 1] === "\n") {
          i += 1;
        }
        record.push(field);
        records.push(record);
        record = [];
        field = "";
      } else {
        field += c;
      }
      i += 1;
    }
    if (records.length < limit && !truncated && (field !== "" || record.length)) {
      record.push(field);
      records.push(record);
    }
    return records.filter(function (row) {
      return row.some(function (value) { return value !== ""; });
    });
  }

  function csvPreview(source, truncated) {
    var records = parseCsv(source, PREVIEW_ROWS + 3, truncated);
    var header = (records.shift() || []).map(function (name) { return name.trim(); });
    var notes = [];
    // A Qualtrics export has two extra header rows: question texts, then {"ImportId": ...}.
    if (records.length >= 2 && (records[1][0] || "").trim().indexOf('{"ImportId"') === 0) {
      records.splice(0, 2);
      notes.push(text("qualtrics"));
    }
    return { columns: header, rows: records.slice(0, PREVIEW_ROWS), notes: notes };
  }

  function jsonlPreview(source, truncated) {
    var lines = source.split(/\r?\n/);
    if (truncated) {
      lines.pop();
    }
    var found = [];
    var rows = [];
    lines.forEach(function (line) {
      if (!line.trim() || rows.length >= PREVIEW_ROWS) {
        return;
      }
      var item;
      try {
        item = JSON.parse(line);
      } catch (error) {
        item = null;
      }
      if (item && typeof item === "object" && !Array.isArray(item)) {
        Object.keys(item).forEach(function (key) {
          if (found.indexOf(key) < 0) {
            found.push(key);
          }
        });
      }
      rows.push(item && typeof item === "object" && !Array.isArray(item) ? item : line);
    });
    var table = rows.map(function (item) {
      if (typeof item === "string") {
        return [item]; // not a JSON object: the job will reject this line
      }
      return found.map(function (key) {
        var value = item[key];
        if (value === undefined || value === null) {
          return "";
        }
        return typeof value === "object" ? JSON.stringify(value) : String(value);
      });
    });
    return { columns: found, rows: table, notes: [] };
  }

  function renderTable(result) {
    var wrapper = element("div", "table-scroll");
    var table = element("table", "preview-table");
    var head = table.createTHead().insertRow();
    result.columns.forEach(function (name) {
      head.appendChild(element("th", "", name));
    });
    var body = table.createTBody();
    result.rows.forEach(function (row) {
      var tr = body.insertRow();
      result.columns.forEach(function (_name, index) {
        var value = row[index] === undefined ? "" : row[index];
        var cell = tr.insertCell();
        cell.textContent = value.length > 80 ? value.slice(0, 79) + "…" : value;
        cell.title = value;
      });
    });
    wrapper.appendChild(table);
    return wrapper;
  }

  function render(file, format, result) {
    preview.replaceChildren();
    preview.hidden = false;
    var head = element("p", "preview-head small");
    head.appendChild(element("strong", "", file.name));
    head.appendChild(document.createTextNode(" · " + text("detected") + ": " + format.toUpperCase()));
    preview.appendChild(head);
    result.notes.forEach(function (note) {
      preview.appendChild(element("p", "muted small", note));
    });
    preview.appendChild(element("h3", "", text("columns") + " (" + result.columns.length + ")"));
    var chips = element("div", "column-chips");
    result.columns.forEach(function (name) {
      chips.appendChild(element("code", "outline-chip", name));
    });
    preview.appendChild(chips);
    preview.appendChild(element("h3", "", text("rows")));
    if (result.rows.length) {
      preview.appendChild(renderTable(result));
    } else {
      preview.appendChild(element("p", "muted small", text("no-rows")));
    }
  }

  function message(content) {
    preview.replaceChildren(element("p", "muted small", content));
    preview.hidden = false;
  }

  function fillDatalist() {
    if (!datalist) {
      return;
    }
    datalist.replaceChildren();
    (columns || []).forEach(function (name) {
      var option = document.createElement("option");
      option.value = name;
      datalist.appendChild(option);
    });
  }

  // Beside each field: which column it will read, and whether the file has it.
  function updateStatus() {
    document.querySelectorAll("[data-map-field]").forEach(function (input) {
      var field = input.getAttribute("data-map-field");
      var status = document.querySelector('[data-map-status="' + field + '"]');
      if (!status) {
        return;
      }
      var column = input.value.trim() || field;
      var found = columns !== null && columns.indexOf(column) >= 0;
      status.className = "map-status";
      status.textContent = "";
      if (columns === null) {
        return;
      }
      if (found) {
        status.classList.add("found");
        status.textContent = "✓ " + status.getAttribute("data-text-found");
      } else if (input.value.trim()) {
        status.classList.add("missing");
        status.textContent = "✗ " + status.getAttribute("data-text-missing");
      } else {
        status.textContent = status.getAttribute("data-text-absent");
      }
    });
  }

  function readPreview() {
    var file = fileInput.files && fileInput.files[0];
    columns = null;
    if (!file) {
      preview.hidden = true;
      preview.replaceChildren();
      fillDatalist();
      updateStatus();
      return;
    }
    var format = formatOf(file);
    if (format !== "csv" && format !== "jsonl") {
      preview.hidden = true;
      preview.replaceChildren();
      fillDatalist();
      updateStatus();
      return;
    }
    var truncated = file.size > PREVIEW_BYTES;
    var reader = new FileReader();
    reader.onload = function () {
      var source = String(reader.result).replace(/^\uFEFF/, "");
      var result = format === "csv" ? csvPreview(source, truncated) : jsonlPreview(source, truncated);
      columns = result.columns;
      render(file, format, result);
      fillDatalist();
      updateStatus();
    };
    reader.onerror = function () {
      message(text("unreadable"));
    };
    reader.readAsText(file.slice(0, PREVIEW_BYTES), "utf-8");
  }

  fileInput.addEventListener("change", readPreview);
  if (formatSelect) {
    formatSelect.addEventListener("change", readPreview);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches("[data-map-field]")) {
      updateStatus();
    }
  });
  // A form sent back with errors keeps no file; a browser may still restore one on reload.
  readPreview();
})();
