/* global document, window, history, location, setTimeout, clearTimeout */
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
  // The filter state lives in the URL's fragment (#f:sev=critical.high&ns=...&rule=...&q=...), so a
  // filtered view can be bookmarked or sent; other fragments (section links) are left alone.
  var PREFIX = '#f:';
  function writeState() {
    var off = chips.filter(function (chip) {
      return chip.getAttribute('aria-pressed') !== 'true';
    });
    var parts = [];
    if (off.length > 0)
      parts.push(
        'sev=' +
          chips
            .filter(function (chip) {
              return chip.getAttribute('aria-pressed') === 'true';
            })
            .map(function (chip) {
              return chip.getAttribute('data-sev');
            })
            .join('.'),
      );
    if (ns.value !== '*') parts.push('ns=' + encodeURIComponent(ns.value));
    if (rule.value !== '*') parts.push('rule=' + encodeURIComponent(rule.value));
    if (q.value.trim() !== '') parts.push('q=' + encodeURIComponent(q.value.trim()));
    var hash = parts.length > 0 ? PREFIX + parts.join('&') : '';
    if (hash === location.hash || (hash === '' && location.hash.indexOf(PREFIX) !== 0)) return;
    try {
      history.replaceState(null, '', hash === '' ? location.pathname + location.search : hash);
    } catch {
      // Some browsers refuse history changes on file:// pages: the filters still work.
    }
  }
  function readState() {
    if (location.hash.indexOf(PREFIX) !== 0) return;
    var state = {};
    location.hash
      .slice(PREFIX.length)
      .split('&')
      .forEach(function (pair) {
        var at = pair.indexOf('=');
        if (at > 0) state[pair.slice(0, at)] = decodeURIComponent(pair.slice(at + 1));
      });
    if (typeof state.sev === 'string') {
      var on = state.sev.split('.');
      chips.forEach(function (chip) {
        chip.setAttribute(
          'aria-pressed',
          on.indexOf(chip.getAttribute('data-sev')) !== -1 ? 'true' : 'false',
        );
      });
    }
    var pick = function (select, value) {
      if (typeof value !== 'string') return;
      for (var i = 0; i < select.options.length; i++)
        if (select.options[i].value === value) select.value = value;
    };
    pick(ns, state.ns);
    pick(rule, state.rule);
    if (typeof state.q === 'string') q.value = state.q;
  }
  function apply() {
    writeState();
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
  window.addEventListener('hashchange', function () {
    if (location.hash.indexOf(PREFIX) !== 0) return;
    readState();
    apply();
  });
  readState();
  form.hidden = false;
  apply();
})();
(function () {
  'use strict';
  // A copy button on each command (progressive: without JavaScript the command is plain selectable text).
  var blocks = Array.prototype.slice.call(document.querySelectorAll('pre[data-copy]'));
  blocks.forEach(function (pre) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.textContent = pre.getAttribute('data-copy');
    button.addEventListener('click', function () {
      var text = pre.querySelector('code').textContent;
      var done = function () {
        button.textContent = pre.getAttribute('data-copied');
        setTimeout(function () {
          button.textContent = pre.getAttribute('data-copy');
        }, 1500);
      };
      if (window.navigator.clipboard) window.navigator.clipboard.writeText(text).then(done, function () {});
    });
    pre.parentNode.insertBefore(button, pre.nextSibling);
  });
})();
