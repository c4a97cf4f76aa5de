// The journey map's behaviour. Edits answer with the pieces they changed, swapped out of band;
// htmx.onLoad runs for the page and for every piece swapped in.
(function () {
  "use strict";

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
          htmx.ajax("POST", event.item.getAttribute("data-move-url"), {
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
      card.classList.toggle("selected", card.getAttribute("data-touchpoint") === selected);
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
    htmlToImage.toPng(board, {
      width: boardWidth(board), height: board.scrollHeight, style: { overflow: "visible" },
      backgroundColor: "#f6f7f9", pixelRatio: 2,
      filter: function (node) { return !(node.matches && node.matches(EDIT_CONTROLS)); }
    }).then(function (url) {
      var link = document.createElement("a");
      link.href = url;
      link.download = button.getAttribute("data-filename") + ".png";
      link.click();
    });
  });

  htmx.onLoad(function (element) {
    if (window.Sortable) enableSorting(element);
    markSelected();
  });
})();
