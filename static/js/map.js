// The journey map's behaviour. Edits answer with the pieces they changed, swapped out of band;
// htmx.onLoad runs for the page and for every piece swapped in.
(function () {
  "use strict";

  var boardKeys = window.truthmapBoard;  // board-keys.js, loaded first

  // Drag and drop of touchpoints within and between stages, saved at once through the same
  // move endpoint as the keyboard buttons.
  function enableSorting(root) {
    var lists = Array.prototype.slice.call(root.querySelectorAll("[data-sortable]"));
    if (root.matches("[data-sortable]")) lists.push(root);
    lists.forEach(function (list) {
      if (list.sortable) return;
      list.sortable = Sortable.create(list, {
        group: "touchpoints",
        animation: 150,
        filter: "button, a, input, select",
        preventOnFilter: false,
        onEnd: function (event) {
          if (event.from === event.to && event.oldIndex === event.newIndex) return;
          htmx.ajax("POST", event.item.querySelector("form.move").getAttribute("action"), {
            source: event.item,
            swap: "none",
            values: { stage: event.to.getAttribute("data-stage"), position: event.newIndex }
          });
        }
      });
    });
  }

  // A list swapped out takes its Sortable along: a stale one keeps listening to every drag.
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    if (event.target.sortable) event.target.sortable.destroy();
  });

  // The card whose panel is open stays highlighted, also after its card was swapped.
  function markSelected() {
    var panel = document.getElementById("panel");
    var selected = panel && panel.getAttribute("data-touchpoint");
    document.querySelectorAll(".touchpoint").forEach(function (card) {
      card.classList.toggle("selected", card.id === "tp-" + selected);
    });
  }

  // A form that adds something is emptied once its answer is in.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (event.detail.successful && form.matches && form.matches("form[data-reset-after]")) {
      form.reset();
    }
  });

  // The board (stages, cards and lanes) as a PNG: html-to-image draws a copy of it, the whole
  // width even where it scrolls, without the edit controls. The copy keeps every column's width,
  // so the picture ends where the last stage does rather than after the "add stage" column.
  var EDIT_CONTROLS = ".move, .stage-tools, .add-touchpoint, .add-stage, .lane-spacer";
  function boardWidth(board) {
    var stages = board.querySelectorAll(".stage:not(.add-stage)");
    if (!stages.length) return board.scrollWidth;
    var right = stages[stages.length - 1].getBoundingClientRect().right;
    return Math.ceil(right - board.getBoundingClientRect().left + board.scrollLeft);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-board-download]");
    var board = document.querySelector("#board .map-scroll");
    if (!button || !board || !window.htmlToImage) return;
    // Every card and lane text, not a screenful: the stages and cells that scroll unfold while
    // it is drawn (the copy takes their computed styles).
    board.classList.add("exporting");
    htmlToImage.toPng(board, {
      width: boardWidth(board), height: board.scrollHeight, style: { overflow: "visible" },
      backgroundColor: "#f6f7f9", pixelRatio: 2,
      filter: function (node) { return !(node.matches && node.matches(EDIT_CONTROLS)); }
    }).then(function (url) {
      var link = document.createElement("a");
      link.href = url;
      link.download = button.getAttribute("data-filename") + ".png";
      link.click();
    }).finally(function () { board.classList.remove("exporting"); });
  });

  // The board's view, per journey, kept across reloads and swaps: its folded stages and whether
  // it fits the screen. The board is as tall as the viewport below it, so its horizontal
  // scrollbar is in sight on the first screen.
  function viewKey(board) { return "truthmap.board." + board.getAttribute("data-journey"); }
  function loadView(board) {
    try { return JSON.parse(localStorage.getItem(viewKey(board))) || {}; } catch (error) { return {}; }
  }
  function saveView(board, view) {
    try { localStorage.setItem(viewKey(board), JSON.stringify(view)); } catch (error) { /* private mode */ }
  }
  function stageName(stage) {
    var name = stage.querySelector(".stage-name, .stage-head h2");
    return name ? (name.value || name.textContent).trim() : "";
  }

  function applyView() {
    var board = document.getElementById("board");
    var scroller = board && board.querySelector(".map-scroll");
    if (!scroller) return;
    var view = loadView(board), folded = view.folded || [];
    board.querySelectorAll(".map-grid > .stage:not(.add-stage)").forEach(function (stage, index) {
      var fold = folded.indexOf(stage.getAttribute("data-stage")) >= 0;
      stage.classList.toggle("folded", fold);
      stage.setAttribute("data-label", stageName(stage) + " · " + stage.querySelectorAll(".touchpoint").length);
      var button = stage.querySelector("[data-stage-fold]");
      if (button) button.setAttribute("aria-pressed", String(fold));
      // A lane's cells are one per stage, in the stages' order: a folded stage folds its cells.
      board.querySelectorAll(".lane-cells").forEach(function (cells) {
        if (cells.children[index]) cells.children[index].classList.toggle("folded", fold);
      });
    });
    var fit = board.querySelector("[data-board-fit]");
    if (fit) fit.setAttribute("aria-pressed", String(!!view.fit));
    board.classList.toggle("fit", !!view.fit);
    board.style.removeProperty("--zoom");
    if (view.fit) {
      board.style.setProperty("--zoom", Math.min(1, scroller.clientWidth / scroller.scrollWidth).toFixed(3));
    }
    board.style.setProperty("--board-top", Math.round(scroller.getBoundingClientRect().top + window.scrollY) + "px");
    boardKeys.refresh();  // a folded stage's card is no Tab stop; its lane cells neither scroll
  }

  document.addEventListener("click", function (event) {
    var board = document.getElementById("board");
    var fold = event.target.closest("[data-stage-fold]");
    var fit = event.target.closest("[data-board-fit]");
    if (!board || !(fold || fit)) return;
    var view = loadView(board), folded = view.folded || [];
    if (fold) {
      var stage = fold.closest(".stage").getAttribute("data-stage");
      view.folded = folded.indexOf(stage) >= 0
        ? folded.filter(function (id) { return id !== stage; }) : folded.concat([stage]);
    } else {
      view.fit = !view.fit;
    }
    saveView(board, view);
    applyView();
  });
  window.addEventListener("resize", applyView);

  // Keyboard, beside board-keys.js's: Alt with an arrow key moves the focused card, Esc closes
  // the panel.
  // The moved card is swapped in anew: focus goes back to it, or to the same button of it.
  var refocus = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt, card = form.closest && form.closest("#board .touchpoint");
    if (!card || !form.matches("form.move")) return;
    var focused = document.activeElement;
    refocus = { id: card.id, value: focused && focused.closest("form.move") === form ? focused.value : null };
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) refocus = null;
  });
  function restoreFocus() {
    var card = refocus && document.getElementById(refocus.id);
    if (!card) return;
    var value = refocus.value;
    refocus = null;
    boardKeys.focusCard(card, value && card.querySelector('form.move button[value="' + value + '"]'));
  }

  function isField(element) { return element.matches("input, textarea, select, [contenteditable]"); }
  document.addEventListener("keydown", function (event) {
    var card = event.target.closest && event.target.closest("#board .touchpoint");
    var direction = boardKeys.ARROWS[event.key];
    if (card && event.target === card && direction && event.altKey
        && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      var button = card.querySelector('form.move button[value="' + direction + '"]');
      if (button) button.click();
      event.preventDefault();
    } else if (event.key === "Escape" && !event.defaultPrevented && !isField(event.target)) {
      var close = document.querySelector("#panel .panel-close");
      if (close) close.click();
    }
  });

  // A form of the panel is answered with the panel anew, its focused control gone with the old
  // one: the focus goes to what the answer says, the conflict with someone else's change, else
  // the first field in error, else the saved status, else the panel's title.
  var PANEL_ANSWER = ["#panel-conflict", '#panel [aria-invalid="true"]', "#panel-saved", "#panel-title"];
  function focusPanelAnswer() {
    for (var i = 0; i < PANEL_ANSWER.length; i++) {
      var target = document.querySelector(PANEL_ANSWER[i]);
      if (target) return target.focus();
    }
  }

  // Closed, the panel gives the focus back to its card.
  var panelFor = null;
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "panel-slot") return;
    var panel = document.getElementById("panel");
    if (!panel && panelFor) {
      var card = document.getElementById("tp-" + panelFor);
      if (card) boardKeys.focusCard(card);
      markSelected();
      applyView();
    }
    panelFor = panel ? panel.getAttribute("data-touchpoint") : null;
  });
  // Opened from a card, the panel takes the focus; answering one of its forms, it gives the focus
  // to what the answer says. Once settled: before, htmx has not yet wired the new panel, and an
  // Esc that quick would follow the close link away from the page.
  document.addEventListener("htmx:afterSettle", function (event) {
    var panel = document.getElementById("panel");
    // Fired on each piece settled, the out-of-band ones too: once, on the panel's slot.
    if (event.target.id !== "panel-slot" || !panel) return;
    var opener = event.detail.requestConfig && event.detail.requestConfig.elt;
    var card = opener && opener.closest && opener.closest("#board .touchpoint");
    if (card) {
      // The board narrowed to make room: its card stays in sight beside the panel.
      card.scrollIntoView({ block: "nearest", inline: "nearest" });
      document.getElementById("panel-title").focus();
    } else if (opener && opener.matches && opener.matches("#panel form")) {
      focusPanelAnswer();
    }
  });

  htmx.onLoad(function (element) {
    if (window.Sortable) enableSorting(element);
    markSelected();
    applyView();
    restoreFocus();
    var panel = document.getElementById("panel");
    if (panel) panelFor = panel.getAttribute("data-touchpoint");
  });
})();
