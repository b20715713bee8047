/**
 * The script the HTML report runs in the browser, as text (it is inlined and allowed by its hash).
 * It reads the chart data from the `<script type="application/json" id="rampart-data">` block and draws
 * four uPlot charts over time — throughput (requests/s, arrivals started/s, planned arrivals/s),
 * latency p50/p95/p99 (ms) beside the generator's own longest stall, errors/s (in all and per error class) and dropped arrivals/s, VUs — with
 * the phases shaded and named.
 * It only ever writes text (textContent) and canvas pixels, never markup.
 */
export const CLIENT_SCRIPT = `(function () {
  'use strict';
  var block = document.getElementById('rampart-data');
  if (!block || typeof uPlot !== 'function') return;
  var data = JSON.parse(block.textContent || '{}');
  var tl = Array.isArray(data.timeline) ? data.timeline : [];
  var phases = Array.isArray(data.phases) ? data.phases : [];
  var classes = Array.isArray(data.errorClasses) ? data.errorClasses : [];
  var palette = ['#ea580c', '#0d9488', '#9333ea', '#ca8a04', '#db2777', '#4b5563', '#65a30d', '#0284c7'];
  // Phases of load blocks run at the same time: a phase's label goes one line below every earlier
  // phase it overlaps, so the names never print over each other.
  var rows = phases.map(function (ph, i) {
    var row = 0;
    for (var j = 0; j < i; j++) {
      var o = phases[j];
      if (o.startOffsetMs < ph.endOffsetMs && ph.startOffsetMs < o.endOffsetMs) row++;
    }
    return row;
  });
  var pick = function (k) { return tl.map(function (p) { return typeof p[k] === 'number' ? p[k] : null; }); };
  // A class absent from a point had no errors in that second.
  var pickClass = function (k) { return tl.map(function (p) { return typeof p[k] === 'number' ? p[k] : 0; }); };
  var t = pick('t');
  var shade = {
    drawClear: [function (u) {
      var ctx = u.ctx;
      ctx.save();
      phases.forEach(function (ph, i) {
        var x0 = u.valToPos(ph.startOffsetMs / 1000, 'x', true);
        var x1 = u.valToPos(ph.endOffsetMs / 1000, 'x', true);
        var left = Math.max(u.bbox.left, Math.min(x0, x1));
        var right = Math.min(u.bbox.left + u.bbox.width, Math.max(x0, x1));
        if (!(right > left)) return;
        ctx.fillStyle = i % 2 === 0 ? 'rgba(37, 99, 235, 0.07)' : 'rgba(100, 116, 139, 0.10)';
        ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
        ctx.fillStyle = '#475569';
        ctx.font = Math.round(11 * (window.devicePixelRatio || 1)) + 'px sans-serif';
        ctx.fillText(String(ph.name), left + 4, u.bbox.top + (14 + 13 * rows[i]) * (window.devicePixelRatio || 1), Math.max(0, right - left - 8));
      });
      ctx.restore();
    }]
  };
  var charts = [
    { id: 'chart-rps', title: 'Throughput (per second)', series: [
      { label: 'requests/s', key: 'requests', stroke: '#2563eb' },
      { label: 'arrivals started/s', key: 'started', stroke: '#16a34a' },
      { label: 'planned arrivals/s', key: 'planned', stroke: '#94a3b8', dash: [6, 4], optional: true } ] },
    { id: 'chart-latency', title: 'Latency (ms)', series: [
      { label: 'p50', key: 'p50', stroke: '#16a34a' },
      { label: 'p95', key: 'p95', stroke: '#d97706' },
      { label: 'p99', key: 'p99', stroke: '#dc2626' },
      { label: 'generator stall (longest event-loop delay)', key: 'lagMaxMs', stroke: '#64748b', dash: [2, 3], optional: true } ] },
    { id: 'chart-errors', title: 'Errors (per second)', series: [
      { label: 'errors/s', key: 'errors', stroke: '#dc2626' } ].concat(classes.map(function (c, i) {
        return { label: String(c), key: 'error:' + c, stroke: palette[i % palette.length], dash: [4, 3], zero: true };
      }), [
      { label: 'dropped arrivals/s', key: 'dropped', stroke: '#7c3aed' } ]) },
    { id: 'chart-vus', title: 'Virtual users', series: [
      { label: 'VUs', key: 'vus', stroke: '#0891b2' } ] }
  ];
  var plots = [];
  charts.forEach(function (c) {
    var el = document.getElementById(c.id);
    if (!el) return;
    if (tl.length === 0) { el.textContent = 'No timeline: the run ended before its first second.'; return; }
    // A series the report may lack (planned arrivals, the generator's stalls) is drawn only when it has it.
    var series = c.series.filter(function (s) { return !s.optional || tl.some(function (p) { return typeof p[s.key] === 'number'; }); });
    var opts = {
      title: c.title,
      width: Math.max(300, el.clientWidth || 800),
      height: 240,
      scales: { x: { time: false } },
      axes: [{ label: 'seconds since start' }, {}],
      hooks: shade,
      series: [{ label: 's' }].concat(series.map(function (s) {
        var o = { label: s.label, stroke: s.stroke, width: 1.5, points: { show: false } };
        if (s.dash) o.dash = s.dash;
        return o;
      }))
    };
    var cols = [t].concat(series.map(function (s) { return s.zero ? pickClass(s.key) : pick(s.key); }));
    plots.push({ plot: new uPlot(opts, cols, el), el: el });
    el.setAttribute('data-rendered', 'true');
  });
  var resize = function () { plots.forEach(function (p) { p.plot.setSize({ width: Math.max(300, p.el.clientWidth || 800), height: 240 }); }); };
  window.addEventListener('resize', resize);
})();
`;
