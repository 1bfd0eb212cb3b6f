/* global document, setTimeout, clearTimeout */
(function () {
  'use strict';
  // Filters for the findings. Only reads attributes and toggles `hidden`: it never builds HTML.
  var form = document.getElementById('filters');
  if (!form) return;
  var chips = Array.prototype.slice.call(form.querySelectorAll('button[data-sev]'));
  var ns = document.getElementById('f-ns');
  var rule = document.getElementById('f-rule');
  var q = document.getElementById('f-q');
  var count = document.getElementById('f-count');
  var none = document.getElementById('f-none');
  var total = form.getAttribute('data-total');
  var showing = form.getAttribute('data-showing') || '';
  var groups = Array.prototype.slice.call(document.querySelectorAll('[data-group]'));
  // Severity and rule sit on the row, or once on its rule group.
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr[data-n]')).map(function (row) {
    var group = row.closest('[data-group]');
    return {
      el: row,
      ns: row.getAttribute('data-n'),
      sev: row.closest('[data-s]').getAttribute('data-s'),
      rule: row.closest('[data-r]').getAttribute('data-r'),
      group: group ? groups.indexOf(group) : -1,
      active: row.closest('article') !== null,
      text: null,
    };
  });
  function apply() {
    var sevs = {};
    chips.forEach(function (chip) {
      sevs[chip.getAttribute('data-sev')] = chip.getAttribute('aria-pressed') === 'true';
    });
    var nsValue = ns.value;
    var ruleValue = rule.value;
    var needle = q.value.trim().toLowerCase();
    var visible = groups.map(function () {
      return 0;
    });
    var shown = 0;
    rows.forEach(function (row) {
      var ok =
        sevs[row.sev] === true &&
        (nsValue === '*' || row.ns === nsValue) &&
        (ruleValue === '*' || row.rule === ruleValue);
      if (ok && needle !== '') {
        if (row.text === null) row.text = row.el.textContent.toLowerCase();
        ok = row.text.indexOf(needle) !== -1;
      }
      if (row.el.hidden === ok) row.el.hidden = !ok;
      if (ok && row.group !== -1) visible[row.group]++;
      if (ok && row.active) shown++;
    });
    groups.forEach(function (group, i) {
      group.hidden = visible[i] === 0;
    });
    count.textContent = showing.replace('{{shown}}', String(shown)).replace('{{total}}', String(total));
    none.hidden = shown !== 0 || total === '0';
  }
  chips.forEach(function (chip) {
    chip.addEventListener('click', function () {
      chip.setAttribute('aria-pressed', chip.getAttribute('aria-pressed') === 'true' ? 'false' : 'true');
      apply();
    });
  });
  ns.addEventListener('change', apply);
  rule.addEventListener('change', apply);
  var timer = 0;
  q.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(apply, 150);
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
  });
  form.addEventListener('reset', function () {
    chips.forEach(function (chip) {
      chip.setAttribute('aria-pressed', 'true');
    });
    setTimeout(apply, 0);
  });
  form.hidden = false;
  apply();
})();
