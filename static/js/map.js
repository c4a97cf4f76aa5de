// Drag and drop of touchpoints within and between stages, saved at once through the same
// move endpoint as the keyboard buttons; the server answers with the refreshed board.
(function () {
  "use strict";

  function enableSorting(root) {
    root.querySelectorAll("[data-sortable]").forEach(function (list) {
      if (list.sortable) return;
      list.sortable = Sortable.create(list, {
        group: "touchpoints",
        animation: 150,
        filter: "button, a, input, select",
        preventOnFilter: false,
        onEnd: function (event) {
          if (event.from === event.to && event.oldIndex === event.newIndex) return;
          htmx.ajax("POST", event.item.getAttribute("data-move-url"), {
            target: "#board",
            swap: "outerHTML",
            values: { stage: event.to.getAttribute("data-stage"), position: event.newIndex }
          });
        }
      });
    });
  }

  // The card whose panel is open stays highlighted.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".touchpoint a.name");
    if (!link) return;
    document.querySelectorAll(".touchpoint.selected").forEach(function (card) {
      card.classList.remove("selected");
    });
    link.closest(".touchpoint").classList.add("selected");
  });

  document.addEventListener("DOMContentLoaded", function () { enableSorting(document); });
  document.addEventListener("htmx:afterSettle", function () { enableSorting(document); });
})();
