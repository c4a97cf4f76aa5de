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

  htmx.onLoad(function (element) {
    if (window.Sortable) enableSorting(element);
    markSelected();
  });
})();
