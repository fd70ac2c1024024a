// The page's only script. It sorts the host table, finds and filters hosts, and opens a
// host's details. The table and the details are rendered by rdpsweep: this script never
// builds markup from data, it only reorders rows, hides and shows them, and sets attributes.
//
// The URL's fragment opens the page as it says, e.g.
// report.html#sort=days_left:desc&outcome=fails&level=high&finding=CERT_EXPIRED&subnet=10.1.2.0/24&q=rdp-05
// (every part optional); #host-12 opens host 12's details.
(function () {
  "use strict";
  var slice = function (list) {
    return Array.prototype.slice.call(list);
  };
  var details = {};
  slice(document.querySelectorAll("details.detail")).forEach(function (d) {
    details[d.getAttribute("data-rank")] = d;
  });

  // A link to #host-N opens that host's details.
  var openLinked = function () {
    var m = /^#host-(\d+)$/.exec(window.location.hash);
    var d = m && details[m[1]];
    if (d) {
      d.open = true;
      d.scrollIntoView();
    }
  };
  window.addEventListener("hashchange", openLinked);

  // The fragment's parts: sort=…&outcome=…, as an object of strings.
  var fragment = {};
  window.location.hash
    .replace(/^#/, "")
    .split("&")
    .forEach(function (part) {
      var eq = part.indexOf("=");
      if (eq > 0) {
        try {
          fragment[part.slice(0, eq)] = decodeURIComponent(part.slice(eq + 1));
        } catch (e) {
          // A malformed part is left out.
        }
      }
    });

  var table = document.getElementById("hosts");
  if (table && table.tBodies.length > 0) {
    var tbody = table.tBodies[0];
    var heads = slice(table.tHead.rows[0].cells);
    var column = function (name) {
      for (var i = 0; i < heads.length; i++) {
        if (heads[i].getAttribute("data-col") === name) return i;
      }
      return -1;
    };

    // Sorting. The sort key of a cell: its data-key if it has one, else its text; null when
    // empty.
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
      var keyed = slice(tbody.rows).map(function (row) {
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
    var sort = /^([a-z_]+):(asc|desc)$/.exec(fragment.sort || "");
    if (sort && column(sort[1]) >= 0) sortBy(column(sort[1]), sort[2]);

    // Finding and filtering: each host's facts, read once from its row.
    var form = document.getElementById("filters");
    if (form) {
      var text = function (row, col) {
        return col >= 0 && row.cells[col] ? row.cells[col].textContent.trim() : "";
      };
      var outcomeCol = column("client_outcome");
      var levelCol = column("risk_level");
      var findingsCol = column("findings");
      var hosts = slice(tbody.rows).map(function (row) {
        return {
          row: row,
          detail: details[row.getAttribute("data-rank")] || null,
          outcome: text(row, outcomeCol) || "none",
          level: text(row, levelCol),
          findings: text(row, findingsCol).split(/\s+/),
          subnet: row.getAttribute("data-subnet") || "",
          words: null
        };
      });
      var field = function (id) {
        return document.getElementById(id);
      };
      var controls = {
        q: field("f-q"),
        outcome: field("f-outcome"),
        level: field("f-level"),
        finding: field("f-finding"),
        subnet: field("f-subnet")
      };
      var count = field("f-count");
      var apply = function () {
        var want = {};
        Object.keys(controls).forEach(function (name) {
          want[name] = controls[name].value.trim();
        });
        var q = want.q.toLowerCase();
        var shown = 0;
        hosts.forEach(function (h) {
          var ok =
            (!want.outcome || h.outcome === want.outcome) &&
            (!want.level || h.level === want.level) &&
            (!want.finding || h.findings.indexOf(want.finding) >= 0) &&
            (!want.subnet || h.subnet === want.subnet);
          if (ok && q) {
            if (h.words === null) {
              h.words = (h.row.textContent + " " + (h.detail ? h.detail.textContent : "")).toLowerCase();
            }
            ok = h.words.indexOf(q) >= 0;
          }
          h.row.hidden = !ok;
          if (h.detail) h.detail.hidden = !ok;
          if (ok) shown += 1;
        });
        count.textContent =
          shown === hosts.length ? hosts.length + " hosts" : shown + " of " + hosts.length + " hosts shown";
        form.setAttribute("data-shown", String(shown));
        // The state in the URL, so the view can be linked to.
        var parts = [];
        if (fragment.sort) parts.push("sort=" + fragment.sort);
        Object.keys(want).forEach(function (name) {
          if (want[name]) parts.push(name + "=" + encodeURIComponent(want[name]));
        });
        if (window.history && window.history.replaceState && (parts.length || window.location.hash)) {
          if (!/^#host-/.test(window.location.hash)) {
            try {
              window.history.replaceState(null, "", parts.length ? "#" + parts.join("&") : "#");
            } catch (e) {
              // A page opened where the URL cannot change keeps working without it.
            }
          }
        }
      };
      var timer = null;
      form.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(apply, 150);
      });
      form.addEventListener("change", apply);
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        apply();
      });
      form.addEventListener("reset", function () {
        setTimeout(apply, 0);
      });
      Object.keys(controls).forEach(function (name) {
        if (fragment[name] !== undefined) controls[name].value = fragment[name];
      });
      form.hidden = false;
      apply();
    }
  }
  openLinked();
  document.body.dataset.ready = "1";
})();
