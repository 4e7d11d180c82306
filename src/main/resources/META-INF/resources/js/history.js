// History: the last hour the agent keeps in memory (GET /api/v1/history, one point per step), drawn as plain SVG
// line charts: ops/s, memory against maxmemory, average command latency and hit ratio per master, and the API
// replicas with every scaling decision marked. No chart library: a polyline per series and a few labels.
//
// Each chart's <svg> says what it drew (data-series, data-points) so that a test, or an operator in the browser's
// console, can tell an empty chart from a flat one.

import {get} from './api.js';
import {$, clearProblem, setHtml, showProblem} from './ui.js';
import {bytes, esc, num, pct} from './format.js';

const W = 600;
const H = 140;
const PAD = {l: 56, r: 8, t: 8, b: 18};
// Distinct on light and dark backgrounds; masters beyond the palette reuse it (the legend names every line).
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

let inFlight = null;

export function refreshHistory() {
  if (inFlight) return inFlight;
  inFlight = (async () => {
    try {
      render(await get('/api/v1/history'));
      clearProblem($('history-error'));
    } catch (e) {
      showProblem($('history-error'), e);
    } finally {
      inFlight = null;
    }
  })();
  return inFlight;
}

function ms(v) {
  return v == null ? '—' : v < 0.001 ? (v * 1e6).toFixed(0) + ' µs' : (v * 1000).toFixed(v < 0.01 ? 2 : 1) + ' ms';
}

/** Draws lines: series = [{name, color, values, dashed}], values aligned with at (null = gap). */
function chart(id, title, at, series, format, marks = []) {
  const values = series.flatMap(s => s.values).filter(v => v != null && Number.isFinite(v));
  const t0 = at[0];
  const t1 = at[at.length - 1];
  const span = Math.max(t1 - t0, 1);
  const max = values.length ? Math.max(...values, 0) : 1;
  const top = max > 0 ? max * 1.1 : 1;
  const x = t => PAD.l + (W - PAD.l - PAD.r) * (t - t0) / span;
  const y = v => H - PAD.b - (H - PAD.t - PAD.b) * v / top;
  let drawn = 0;
  let points = 0;
  const paths = series.map(s => {
    const segments = [];
    let cur = [];
    s.values.forEach((v, i) => {
      if (v == null || !Number.isFinite(v)) {
        if (cur.length) segments.push(cur);
        cur = [];
      } else {
        cur.push(`${x(at[i]).toFixed(1)},${y(v).toFixed(1)}`);
        points++;
      }
    });
    if (cur.length) segments.push(cur);
    if (segments.length) drawn++;
    return segments.map(seg => `<polyline class="line" data-name="${esc(s.name)}" points="${seg.join(' ')}" fill="none"`
        + ` stroke="${s.color}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="4 3"' : ''}><title>${esc(s.name)}</title></polyline>`).join('');
  }).join('');
  const shown = marks.filter(m => m.at >= t0 && m.at <= t1);
  const markLines = shown.map(m =>
      `<line class="mark k-${esc(m.kind)}" x1="${x(m.at).toFixed(1)}" x2="${x(m.at).toFixed(1)}" y1="${PAD.t}" y2="${H - PAD.b}"`
      + ` stroke-width="1.5"><title>${esc(new Date(m.at).toLocaleTimeString('en-GB', {hour12: false}))} ${esc(m.kind)}`
      + ` ${m.from} → ${m.to}${m.applied ? '' : ' (not applied)'}: ${esc(m.reason)}</title></line>`).join('');
  const axis = `<line class="axis" x1="${PAD.l}" x2="${W - PAD.r}" y1="${H - PAD.b}" y2="${H - PAD.b}"></line>`
      + `<text class="tick" x="${PAD.l - 4}" y="${PAD.t + 8}" text-anchor="end">${esc(format(top))}</text>`
      + `<text class="tick" x="${PAD.l - 4}" y="${H - PAD.b}" text-anchor="end">${esc(format(0))}</text>`
      + `<text class="tick" x="${PAD.l}" y="${H - 4}">${esc(new Date(t0).toLocaleTimeString('en-GB', {hour12: false}))}</text>`
      + `<text class="tick" x="${W - PAD.r}" y="${H - 4}" text-anchor="end">${esc(new Date(t1).toLocaleTimeString('en-GB', {hour12: false}))}</text>`;
  const legend = series.filter(s => !s.hideInLegend).map(s =>
      // An SVG line as the key: the Content-Security-Policy allows no inline style.
      `<li><svg class="key" width="10" height="3" aria-hidden="true"><rect width="10" height="3" fill="${esc(s.color)}"/></svg>${esc(s.name)}</li>`).join('');
  return `<figure class="chart" id="${id}"><figcaption>${esc(title)}</figcaption>`
      + `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}"`
      + ` data-series="${drawn}" data-points="${points}" data-marks="${shown.length}">${axis}${markLines}${paths}</svg>`
      + (legend ? `<ul class="legend small">${legend}</ul>` : '') + '</figure>';
}

function render(h) {
  const at = h.at || [];
  if (at.length < 2) {
    setHtml($('history'), `<p class="muted small">Collecting: one point every ${h.stepSeconds} s, the first chart after two.</p>`);
    return;
  }
  const masters = h.masters || [];
  const color = i => COLORS[i % COLORS.length];
  const per = (key, name = m => m.address) => masters.map((m, i) => ({name: name(m), color: color(i), values: m[key]}));
  const memory = masters.flatMap((m, i) => [
    {name: m.address + ' used', color: color(i), values: m.usedMemoryBytes},
    {name: m.address + ' max', color: color(i), values: m.maxMemoryBytes.map(v => v > 0 ? v : null), dashed: true, hideInLegend: true},
  ]);
  const replicas = h.replicas || {current: [], desired: []};
  const hasReplicas = replicas.current.some(v => v != null);
  const minutes = Math.round((at[at.length - 1] - at[0]) / 60000);
  let html = `<p class="muted small">The last ${minutes < 1 ? 'minute' : minutes + ' min'} kept by the agent (up to`
      + ` ${Math.round(h.capacity * h.stepSeconds / 60)} min, one point every ${h.stepSeconds} s). Dashed: maxmemory, desired replicas.</p>`
      + '<div class="charts">'
      + chart('chart-ops', 'Operations per second, per master', at, per('opsPerSec'), num)
      + chart('chart-memory', 'Memory used against maxmemory, per master', at, memory, bytes)
      + chart('chart-latency', 'Average command latency, per master', at, per('latencySeconds'), ms)
      + chart('chart-hits', 'Hit ratio, per master', at, per('hitRatio'), v => pct(v, 0));
  html += hasReplicas
      ? chart('chart-replicas', 'API replicas, with scaling decisions', at, [
        {name: 'current', color: COLORS[0], values: replicas.current},
        {name: 'desired', color: COLORS[1], values: replicas.desired, dashed: true},
      ], num, h.decisions || [])
      : '<figure class="chart" id="chart-replicas"><figcaption>API replicas</figcaption>'
        + '<p class="muted small">No replicas recorded: scaling is off or has not read the Deployment yet.</p></figure>';
  html += '</div>';
  setHtml($('history'), html);
}
