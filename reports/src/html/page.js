// Sorts the host table in place. The table is rendered by rdpsweep; this script never builds
// markup from data, it only reorders existing rows.
(function () {
  "use strict";
  var table = document.getElementById("hosts");
  if (table && table.tBodies.length > 0) {
    var tbody = table.tBodies[0];
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);

    // The sort key of a cell: its data-key if it has one, else its text; null when empty.
    var keyOf = function (row, col, numeric) {
      var cell = row.cells[col];
      if (!cell) return null;
      var raw = cell.hasAttribute("data-key") ? cell.getAttribute("data-key") : cell.textContent;
      raw = raw.trim();
      if (raw === "") return null;
      if (numeric) {
        var n = Number(raw);
        return isNaN(n) ? null : n;
      }
      return raw.toLowerCase();
    };
    var rankOf = function (row) {
      return Number(row.getAttribute("data-rank"));
    };

    var sortBy = function (col, dir) {
      var numeric = heads[col].getAttribute("data-type") === "num";
      var sign = dir === "desc" ? -1 : 1;
      var rows = Array.prototype.slice.call(tbody.rows);
      var keyed = rows.map(function (row) {
        return { row: row, key: keyOf(row, col, numeric), rank: rankOf(row) };
      });
      keyed.sort(function (a, b) {
        // Empty cells last in either direction; ties keep the ranking order.
        if (a.key === null || b.key === null) {
          if (a.key === b.key) return a.rank - b.rank;
          return a.key === null ? 1 : -1;
        }
        var c = 0;
        if (numeric) c = a.key - b.key;
        else if (a.key < b.key) c = -1;
        else if (a.key > b.key) c = 1;
        return c !== 0 ? sign * c : a.rank - b.rank;
      });
      keyed.forEach(function (k) {
        tbody.appendChild(k.row);
      });
      heads.forEach(function (th, i) {
        if (i === col) th.setAttribute("aria-sort", dir === "desc" ? "descending" : "ascending");
        else th.removeAttribute("aria-sort");
      });
    };

    heads.forEach(function (th, i) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "desc" : "asc";
        sortBy(i, dir);
      });
    });

    // A link to the page with #sort=<column>:<asc|desc> opens it sorted.
    var m = /^#sort=([a-z_]+):(asc|desc)$/.exec(window.location.hash);
    if (m) {
      heads.forEach(function (th, i) {
        if (th.getAttribute("data-col") === m[1]) sortBy(i, m[2]);
      });
    }
  }
  document.body.dataset.ready = "1";
})();
