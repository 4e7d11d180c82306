// Formatting helpers. Everything the API says reaches the page through esc(): addresses, node errors and
// problem details are text, never markup.

const ENTITIES = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};

export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, c => ENTITIES[c]);
}

export const DASH = '—';

const INTEGER = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0});

export function num(n) {
  return n == null || Number.isNaN(n) ? DASH : INTEGER.format(Math.round(n));
}

export function bytes(n) {
  if (n == null || n < 0) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return (i === 0 ? String(v) : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)) + ' ' + units[i];
}

/** A ratio 0..1 as a percentage. */
export function pct(ratio, digits = 1) {
  return ratio == null || Number.isNaN(ratio) ? DASH : (ratio * 100).toFixed(digits) + '%';
}

export function seconds(s) {
  if (s == null || s < 0) return DASH;
  if (s < 60) return Math.round(s) + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
  return Math.floor(s / 3600) + ' h ' + Math.round((s % 3600) / 60) + ' min';
}

/** Local wall-clock time; the date too when it is not today. */
export function time(iso) {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return esc(iso);
  const t = d.toLocaleTimeString('en-GB', {hour12: false});
  return d.toDateString() === new Date().toDateString() ? t : d.toISOString().slice(0, 10) + ' ' + t;
}

/** <time> element with the ISO instant as machine-readable value and tooltip. */
export function timeEl(iso) {
  return iso ? `<time datetime="${esc(iso)}" title="${esc(iso)}">${time(iso)}</time>` : DASH;
}

const COLLATOR = new Intl.Collator('en', {numeric: true});

/** Compares texts the way people sort addresses: 127.0.0.1:7002 before 127.0.0.1:7010. */
export function compareText(a, b) {
  return COLLATOR.compare(String(a ?? ''), String(b ?? ''));
}

export function shortId(id) {
  return id ? String(id).slice(0, 8) : '';
}

/** "0-5460, 10923-16383" with at most max ranges, then "+N more". */
export function rangesText(ranges, max = 4) {
  if (!ranges || ranges.length === 0) return 'no slots';
  const shown = ranges.slice(0, max).map(([s, e]) => (s === e ? String(s) : s + '-' + e)).join(', ');
  return ranges.length > max ? `${shown} +${ranges.length - max} more` : shown;
}

export function plural(n, one, many = one + 's') {
  return `${num(n)} ${n === 1 ? one : many}`;
}

// Colours stay with a node for the whole session: the first node seen gets the first hue, the next one a
// golden-angle step away, so a handful of masters are far apart and a thousand still differ.
const hues = new Map();

export function colorOf(id) {
  let h = hues.get(id);
  if (h === undefined) {
    h = (hues.size * 137.508 + 210) % 360;
    hues.set(id, h);
  }
  return `hsl(${h.toFixed(0)} 62% 46%)`;
}
