// The board's read-only keyboard, for the map page and the shared map alike: the board is one Tab
// stop, its active card (with that card's own controls); the arrow keys go from card to card,
// Enter opens the card when it links somewhere, and the skip link lands on the active card.
// map.js adds what editing needs (moves, the panel) through window.truthmapBoard.
(function () {
  "use strict";

  var activeCard = null;
  function tabStop(card, tabIndex) {
    card.tabIndex = tabIndex;
    card.querySelectorAll("a, button").forEach(function (control) { control.tabIndex = tabIndex; });
  }
  function setActive(card) {  // only the two cards change: a key press touches no other
    var previous = document.getElementById(activeCard);
    if (previous) tabStop(previous, -1);
    if (card) tabStop(card, 0);
    activeCard = card ? card.id : null;
  }
  // After a swap: the active card stays so, unless it is gone or its stage folded, and a lane
  // cell that scrolls takes the focus, so that the keyboard scrolls it too.
  function refresh() {
    var card = document.getElementById(activeCard);
    if (!card || card.closest(".stage.folded")) {
      card = document.querySelector("#board .stage:not(.folded) .touchpoint");
    }
    document.querySelectorAll("#board .touchpoint").forEach(function (each) { tabStop(each, -1); });
    activeCard = null;
    setActive(card);
    document.querySelectorAll("#board .lane-cell").forEach(function (cell) {
      if (cell.scrollHeight > cell.clientHeight) cell.tabIndex = 0; else cell.removeAttribute("tabindex");
    });
  }
  document.addEventListener("focusin", function (event) {
    var card = event.target.closest("#board .touchpoint");
    if (card && card.id !== activeCard) setActive(card);
  });

  function cardsOf(list) { return Array.prototype.slice.call(list.querySelectorAll(".touchpoint")); }
  function neighbour(card, direction) {
    var list = card.parentElement, cards = cardsOf(list), index = cards.indexOf(card);
    if (direction === "up") return cards[index - 1];
    if (direction === "down") return cards[index + 1];
    var lists = Array.prototype.slice.call(document.querySelectorAll("#board .stage:not(.folded) .touchpoints"));
    var step = direction === "left" ? -1 : 1;
    for (var at = lists.indexOf(list) + step; at >= 0 && at < lists.length; at += step) {
      var there = cardsOf(lists[at]);
      if (there.length) return there[Math.min(index, there.length - 1)];
    }
    return null;
  }

  // Focus on a card, or on one of its controls, its stage unfolded first if need be.
  function focusCard(card, control) {
    var stage = card.closest(".stage.folded");
    if (stage) stage.querySelector("[data-stage-fold]").click();
    setActive(card);
    (control || card).focus();
  }

  var ARROWS = { ArrowUp: "up", ArrowDown: "down", ArrowLeft: "left", ArrowRight: "right" };
  document.addEventListener("keydown", function (event) {
    var card = event.target.closest && event.target.closest("#board .touchpoint");
    if (!card || event.target !== card || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var direction = ARROWS[event.key];
    if (direction) {
      var next = neighbour(card, direction);
      if (next) focusCard(next);
    } else if (event.key === "Enter") {
      var link = card.querySelector("a.name");
      if (!link) return;
      link.click();
    } else {
      return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest('a.skip-link[href="#board"]')) return;
    var card = document.getElementById(activeCard);
    if (card) {
      event.preventDefault();
      focusCard(card);
    }
  });

  htmx.onLoad(refresh);

  window.truthmapBoard = { ARROWS: ARROWS, focusCard: focusCard, refresh: refresh };
})();
