// Slot bars: the 16,384 hash slots as one SVG strip, drawn at any width (viewBox units are slots).
// A range narrower than MIN_UNITS is widened so that a single slot still shows as a sliver.

import {esc} from './format.js';

export const SLOTS = 16384;
const MIN_UNITS = 24;

function rect(start, end, attrs) {
  const w = Math.max(end - start + 1, MIN_UNITS);
  const x = Math.min(start, SLOTS - w);
  return `<rect x="${x}" width="${w}" y="0" height="10" ${attrs}/>`;
}

/**
 * @param ranges   [[start, end], ...] owned
 * @param color    fill of owned ranges
 * @param opts.incoming ranges owned after a plan that arrive (hatched over the fill)
 * @param opts.leaving  ranges that leave (drawn as ghosts)
 * @param opts.open     open slot numbers (migrating/importing), marked orange
 * @param opts.label    accessible description
 */
export function slotBar(ranges, color, {incoming = [], leaving = [], open = [], label = '', cls = ''} = {}) {
  let s = `<svg class="slotbar ${cls}" viewBox="0 0 ${SLOTS} 10" preserveAspectRatio="none" role="img" aria-label="${esc(label)}">`
      + `<rect class="track" x="0" y="0" width="${SLOTS}" height="10"/>`;
  for (const [a, b] of leaving) s += rect(a, b, 'class="leaving"');
  const fill = `fill="${color}"`;
  for (const [a, b] of ranges) s += rect(a, b, fill);
  for (const [a, b] of incoming) s += rect(a, b, 'fill="url(#hatch-in)"');
  for (const slot of open) s += rect(Math.max(0, slot - 48), slot + 48, 'class="open"');
  return s + '</svg>';
}

/** The whole keyspace: every master's ranges in its colour, uncovered ranges red, open slots marked. */
export function keyspaceBar(owners, uncovered, open, label) {
  let s = `<svg class="slotbar keyspace-bar" viewBox="0 0 ${SLOTS} 10" preserveAspectRatio="none" role="img" aria-label="${esc(label)}">`
      + `<rect class="track" x="0" y="0" width="${SLOTS}" height="10"/>`;
  for (const {ranges, color} of owners) {
    for (const [a, b] of ranges) s += rect(a, b, `fill="${color}"`);
  }
  for (const [a, b] of uncovered) s += rect(a, b, 'class="uncovered"');
  for (const slot of open) s += rect(Math.max(0, slot - 48), slot + 48, 'class="open"');
  return s + '</svg>';
}

/** Merges sorted or unsorted ranges into sorted, non-overlapping, non-adjacent ones. */
export function normalize(ranges) {
  const sorted = ranges.map(([a, b]) => [a, b]).sort((x, y) => x[0] - y[0]);
  const out = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) {
      last[1] = Math.max(last[1], r[1]);
    } else {
      out.push(r);
    }
  }
  return out;
}

/** ranges minus cut (both lists of [start, end]). */
export function subtract(ranges, cut) {
  let out = normalize(ranges);
  for (const [c0, c1] of normalize(cut)) {
    const next = [];
    for (const [a, b] of out) {
      if (c1 < a || c0 > b) {
        next.push([a, b]);
        continue;
      }
      if (a < c0) next.push([a, c0 - 1]);
      if (b > c1) next.push([c1 + 1, b]);
    }
    out = next;
  }
  return out;
}

export function count(ranges) {
  return ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
}
