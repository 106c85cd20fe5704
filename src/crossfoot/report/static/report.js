/* crossfoot HTML report: links findings and grid cells both ways. No network, no deps. */
(function () {
  "use strict";
  var lastCell = null, lastFinding = null;

  function mark(el, cls, prev) {
    if (prev && prev !== el) { prev.classList.remove(cls); }
    if (el) {
      el.classList.remove(cls);
      void el.offsetWidth;            /* restart the highlight animation */
      el.classList.add(cls);
    }
    return el;
  }

  function showCell(cellId) {
    var cell = document.getElementById(cellId);
    if (!cell) { return null; }
    cell.scrollIntoView({ block: "center", inline: "center" });
    lastCell = mark(cell, "hl", lastCell);
    return cell;
  }

  function showFinding(findingId, scroll) {
    var item = document.getElementById(findingId);
    if (!item) { return null; }
    if (scroll) { item.scrollIntoView({ block: "nearest" }); }
    lastFinding = mark(item, "active", lastFinding);
    return item;
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    var go = target.closest("a.goto-cell");
    if (go) {
      event.preventDefault();
      var item = go.closest("li.finding");
      if (item) { showFinding(item.id, false); }
      if (showCell(go.getAttribute("data-cell")) && history.replaceState) {
        history.replaceState(null, "", "#" + go.getAttribute("data-cell"));
      }
      return;
    }
    var cell = target.closest("td.flag");
    if (cell) {
      event.preventDefault();
      var ids = (cell.getAttribute("data-findings") || "").split(" ").filter(Boolean);
      if (!ids.length) { return; }
      /* a cell flagged by several findings cycles through them on each click */
      var next = ids[0];
      if (lastFinding && ids.indexOf(lastFinding.id) >= 0 && cell === lastCell) {
        next = ids[(ids.indexOf(lastFinding.id) + 1) % ids.length];
      }
      lastCell = mark(cell, "hl", lastCell);
      showFinding(next, true);
      if (history.replaceState) { history.replaceState(null, "", "#" + next); }
    }
  });

  function fromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) { return; }
    var el = document.getElementById(id);
    if (!el) { return; }
    if (el.matches("li.finding")) {
      showFinding(id, true);
      var cellId = el.getAttribute("data-cell");
      if (cellId) {
        var cell = document.getElementById(cellId);
        if (cell) { lastCell = mark(cell, "hl", lastCell); }
      }
    } else if (el.matches("table.grid td")) {
      showCell(id);
    }
  }
  window.addEventListener("hashchange", fromHash);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fromHash);
  } else {
    fromHash();
  }
})();
