// Rebalance: preview a dry-run plan (no token needed), drawn per master as its slot map before and after,
// then run exactly that plan: the run sends the plan's snapshotVersion, so the agent refuses it (409)
// when the topology changed since the preview instead of running a different plan.

import {mutate, postRead} from './api.js';
import {$, act, setHtml} from './ui.js';
import {bytes, colorOf, compareText, esc, num, plural, rangesText, shortId} from './format.js';
import {slotBar, subtract} from './slotbar.js';
import {state} from './state.js';
import {trackJob} from './jobs.js';

const MOVES_SHOWN = 200;

let plan = null;     // the last preview
let request = null;  // the options it was made with
let ranAs = null;    // the job the plan was submitted as
let shownStale = false; // whether the plan on screen says it is stale
let planned = null;  // id -> slot ranges when the plan was previewed: the "before" it was made against

let refreshCluster = async () => {};

export function initRebalance(deps) {
  refreshCluster = deps.refreshCluster;
  $('rebalance-form').addEventListener('submit', e => {
    e.preventDefault();
    preview();
  });
  $('rb-run').addEventListener('click', run);
}

function options() {
  const body = {};
  const threshold = $('rb-threshold').value.trim();
  if (threshold !== '') body.thresholdPercent = Number(threshold);
  body.useEmptyMasters = $('rb-empty').checked;
  const balance = $('rb-balance').value;
  if (balance !== 'slots') body.balance = balance;
  const weights = parseWeights($('rb-weights').value);
  if (weights) body.weights = weights;
  return body;
}

/** "address=weight" or "id=weight" lines to {id: weight}; addresses resolve against the current map. */
export function parseWeights(text) {
  const lines = text.split(/[\n,]/).map(l => l.trim()).filter(Boolean);
  if (lines.length === 0) return null;
  const masters = (state.cluster ? state.cluster.nodes : []).filter(n => n.role === 'master');
  const weights = {};
  for (const line of lines) {
    const at = line.lastIndexOf('=');
    if (at < 1) throw new Error(`weights: "${line}" is not address=weight or id=weight`);
    const key = line.slice(0, at).trim();
    const value = Number(line.slice(at + 1).trim());
    if (!Number.isFinite(value)) throw new Error(`weights: "${line.slice(at + 1).trim()}" is not a number`);
    const m = masters.find(n => n.id === key || n.address === key || n.hostname === key);
    if (!m && !/^[0-9a-f]{40}$/i.test(key)) throw new Error(`weights: no master ${key} in the map`);
    weights[m ? m.id : key] = value;
  }
  return weights;
}

async function preview() {
  const box = $('rebalance-error');
  await act($('rb-preview'), box, async () => {
    const body = options();
    const p = await postRead('/api/v1/rebalance', {...body, dryRun: true});
    if (!state.cluster || state.cluster.version !== p.snapshotVersion) {
      await refreshCluster(); // draw "before" from the snapshot the plan was made on
    }
    plan = p;
    request = body;
    planned = new Map((state.cluster ? state.cluster.nodes : []).map(n => [n.id, n.slots || []]));
    ranAs = null;
    renderPlan();
  });
}

async function run() {
  if (!plan || !plan.needed) return;
  const body = {...request, dryRun: false, snapshotVersion: plan.snapshotVersion};
  if ($('rb-replace').checked) body.replace = true;
  const res = await act($('rb-run'), $('rebalance-error'),
      () => mutate('POST', '/api/v1/rebalance', body, `Run the rebalance: ${plural(plan.slotsToMove, 'slot')} in ${plural(plan.moves.length, 'move')}.`));
  if (res) {
    ranAs = res.body;
    renderPlan();
    trackJob(res.body);
  }
}

/** A node's ranges as the map showed them when the plan was previewed. */
function rangesOf(id) {
  return (planned && planned.get(id)) || [];
}

function nodeRow(n, moves) {
  const color = colorOf(n.id);
  const before = rangesOf(n.id);
  const leaving = moves.filter(m => m.from === n.id).flatMap(m => m.slots);
  const incoming = moves.filter(m => m.to === n.id).flatMap(m => m.slots);
  const kept = subtract(before, leaving);
  const after = [...kept, ...incoming];
  const delta = n.after - n.before;
  const deltaText = delta === 0 ? 'unchanged' : (delta > 0 ? '+' : '−') + num(Math.abs(delta));
  return `<div class="row plan-node" role="row" data-node-id="${esc(n.id)}" data-before="${n.before}" data-after="${n.after}" data-target="${n.target}">`
      + `<span role="cell" class="node"><svg class="swatch" viewBox="0 0 1 1" aria-hidden="true"><rect width="1" height="1" fill="${color}"/></svg>`
      + `<span class="addr">${esc(n.address ?? shortId(n.id))}</span></span>`
      + `<span role="cell">${slotBar(before, color, {label: `${n.address} before: ${n.before} slots (${rangesText(before)})`})}</span>`
      + `<span role="cell">${slotBar(after, color, {incoming, leaving,
          label: `${n.address} after: ${n.after} slots` + (incoming.length ? `, receives ${rangesText(incoming)}` : '')
              + (leaving.length ? `, gives ${rangesText(leaving)}` : '')})}</span>`
      + `<span role="cell" class="num counts"><span class="before">${num(n.before)}</span> → <b class="after">${num(n.after)}</b>`
      + `<span class="delta muted small">${deltaText}${n.target !== n.after ? ` · target ${num(n.target)}` : ''}</span>`
      + sizes(n) + '</span></div>';
}

/** Keys (counted) and memory (a memory balance's sampled estimate) before → after, when the plan has them. */
function sizes(n) {
  let out = '';
  if (n.keysBefore != null) {
    out += `<span class="keys muted small" data-keys-before="${n.keysBefore}" data-keys-after="${n.keysAfter}">keys ${num(n.keysBefore)} → ${num(n.keysAfter)}</span>`;
  }
  if (n.bytesBefore != null) {
    out += `<span class="bytes muted small" data-bytes-before="${n.bytesBefore}" data-bytes-after="${n.bytesAfter}">memory ${bytes(n.bytesBefore)} → <b>${bytes(n.bytesAfter)}</b></span>`;
  }
  return out;
}

function renderPlan() {
  const box = $('plan');
  const run = $('rb-run');
  if (!plan) {
    setHtml(box, '');
    run.disabled = true;
    return;
  }
  const current = state.cluster ? state.cluster.version : plan.snapshotVersion;
  const stale = current !== plan.snapshotVersion;
  run.disabled = !plan.needed || !!ranAs;
  const summary = plan.needed
      ? `<strong>${plural(plan.slotsToMove, 'slot')}</strong> and ~${plural(plan.keysToMove, 'key')} in ${plural(plan.moves.length, 'move')}.`
      : '<strong>Nothing to move.</strong>';
  let html = `<div class="plan-summary" data-needed="${plan.needed}" data-slots="${plan.slotsToMove}" data-version="${plan.snapshotVersion}">`
      + `<p>${summary} <span class="muted">${esc(plan.reason)}. Planned on topology v${esc(plan.snapshotVersion)}.</span></p>`;
  if (ranAs) {
    html += `<p class="note-good">Submitted as job <code>${esc(shortId(ranAs.id))}</code>: follow it under Jobs. Preview again for a new plan.</p>`;
  } else if (stale && plan.needed) {
    html += `<p class="warn">The topology changed since this plan (v${esc(plan.snapshotVersion)} → v${esc(current)}): the agent will refuse to run it. Preview again.</p>`;
  }
  html += '</div>';
  const moves = plan.moves || [];
  const nodes = [...(plan.nodes || [])].sort((a, b) => (b.after - b.before) - (a.after - a.before)
      || compareText(a.address, b.address));
  html += '<div class="plan-nodes" role="table" aria-label="Slots per master before and after the plan">'
      + '<div class="row head" role="row"><span role="columnheader">Master</span><span role="columnheader">Before</span>'
      + '<span role="columnheader">After <span class="legend small"><i class="lg-in"></i> arrives <i class="lg-leave"></i> leaves</span></span>'
      + '<span role="columnheader" class="num">Slots</span></div>'
      + nodes.map(n => nodeRow(n, moves)).join('') + '</div>';
  if (moves.length) {
    html += `<details class="moves" data-key="moves"><summary>${plural(moves.length, 'move')}</summary><table class="small"><thead><tr>`
        + '<th scope="col">From</th><th scope="col">To</th><th scope="col">Slots</th><th scope="col" class="num">Count</th><th scope="col" class="num">Keys (est.)</th>'
        + '</tr></thead><tbody>'
        + moves.slice(0, MOVES_SHOWN).map(m => `<tr><td>${esc(m.fromAddress ?? shortId(m.from))}</td><td>${esc(m.toAddress ?? shortId(m.to))}</td>`
            + `<td>${esc(rangesText(m.slots, 3))}</td><td class="num">${num(m.slotCount)}</td><td class="num">${num(m.keys)}</td></tr>`).join('')
        + '</tbody></table>'
        + (moves.length > MOVES_SHOWN ? `<p class="muted small">and ${num(moves.length - MOVES_SHOWN)} more moves</p>` : '')
        + '</details>';
  }
  setHtml(box, html);
  shownStale = stale;
}

/** The map changed: the plan's bars are redrawn against it and a stale plan says so. */
export function onClusterChanged() {
  if (plan && !ranAs && (state.cluster && state.cluster.version !== plan.snapshotVersion) !== shownStale) renderPlan();
}
