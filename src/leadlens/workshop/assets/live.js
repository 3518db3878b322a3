// Progressive enhancement for the facilitator screen: counts update without a reload.
// The page works without it (reload to refresh). Text is set with textContent only.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.fetch) { return; }
  var since = live.getAttribute("data-since") || "0";
  function set(root, name, value) {
    var el = root.querySelector('[data-live="' + name + '"]');
    if (el && el.textContent !== String(value)) { el.textContent = String(value); }
  }
  function apply(data) {
    set(document, "joined", data.joined);
    set(document, "answering", data.answering);
    set(document, "still-answering", data.answering);
    set(document, "finished", data.finished);
    data.sections.forEach(function (count, i) { set(document, "section-" + i, count); });
    var reload = false;
    data.units.forEach(function (unit) {
      var row = document.querySelector('[data-unit="' + unit.id + '"]');
      if (!row) { return; }
      set(row, "answered", unit.answered);
      set(row, "waiting", unit.waiting);
      var button = row.querySelector("button");
      if (button && button.disabled && unit.can_reveal) { reload = true; }
    });
    if (reload && !document.querySelector("form.agree-form :focus")) { window.location.reload(); }
  }
  function poll() {
    fetch("/f/live?since=" + encodeURIComponent(since), {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) { since = String(data.changes); apply(data); setTimeout(poll, 250); })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
}());
