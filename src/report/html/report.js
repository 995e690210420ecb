// Filtering, sorting and paging of the findings table. The page is complete without it.
(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var form = document.querySelector(".filters");
  var pages = document.querySelector(".pages");
  var shown = document.getElementById("f-shown");
  var PAGE = 200;
  var page = 0;
  var matching = rows;
  form.hidden = false;
  pages.hidden = false;
  function value(id) { return document.getElementById(id).value.trim().toLowerCase(); }
  function filter() {
    var sev = value("f-severity"), rule = value("f-rule"), path = value("f-file"), text = value("f-text");
    matching = rows.filter(function (r) {
      return (!sev || r.dataset.sev === sev) &&
        (!rule || r.cells[1].textContent.toLowerCase().indexOf(rule) >= 0) &&
        (!path || file(r).toLowerCase().indexOf(path) >= 0) &&
        (!text || r.cells[3].textContent.toLowerCase().indexOf(text) >= 0);
    });
    page = 0;
    show();
  }
  function show() {
    var from = page * PAGE, to = from + PAGE;
    var visible = new Set(matching.slice(from, to));
    rows.forEach(function (r) { r.classList.toggle("hidden", !visible.has(r)); });
    shown.textContent = matching.length + " of " + rows.length + " findings";
    pages.textContent = "";
    var count = Math.ceil(matching.length / PAGE);
    if (count < 2) { return; }
    for (var i = 0; i < count; i++) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = String(i + 1);
      if (i === page) { b.setAttribute("aria-current", "page"); }
      b.addEventListener("click", (function (n) { return function () { page = n; show(); }; })(i));
      pages.appendChild(b);
    }
  }
  // The location cell starts with "path:line:column".
  function file(r) { return r.cells[2].firstChild.textContent.replace(/:\d+:\d+$/, ""); }
  var keys = {
    sev: function (r) { return [Number(r.dataset.rank), file(r), Number(r.dataset.line)]; },
    rule: function (r) { return [r.cells[1].textContent, file(r), Number(r.dataset.line)]; },
    file: function (r) { return [file(r), Number(r.dataset.line), 0]; },
    text: function (r) { return [r.cells[3].textContent, file(r), 0]; }
  };
  function compare(a, b) {
    for (var i = 0; i < a.length; i++) {
      if (a[i] < b[i]) { return -1; }
      if (a[i] > b[i]) { return 1; }
    }
    return 0;
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    th.addEventListener("click", function () {
      var key = keys[th.dataset.sort];
      var descending = th.getAttribute("aria-sort") === "ascending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      rows.sort(function (a, b) { var c = compare(key(a), key(b)); return descending ? -c : c; });
      rows.forEach(function (r) { body.appendChild(r); });
      filter();
    });
  });
  ["f-severity", "f-rule", "f-file", "f-text"].forEach(function (id) {
    document.getElementById(id).addEventListener("input", filter);
  });
  var params = new URLSearchParams(location.hash.slice(1));
  if (params.get("severity")) { document.getElementById("f-severity").value = params.get("severity"); }
  filter();
})();
