// The cluster map: one row group per master (its slot ranges across 0-16383 and its metrics), its
// replicas beneath it, failing nodes and open slots marked in words as well as colour.
//
// Scale: rows are HTML strings built in one pass. A poll that changes only metrics rewrites just the
// cells that changed; a structural change replaces that master's row group; rows off screen are skipped
// by the browser (content-visibility). A 1,000-node map redraws after a poll in a few tens of ms.

import {$} from './ui.js';
import {bytes, colorOf, compareText, DASH, esc, num, pct, plural, rangesText, shortId, time} from './format.js';
import {keyspaceBar, slotBar} from './slotbar.js';
import {perf, state, timed} from './state.js';

const HEALTH_WORDS = {fail: 'FAIL', pfail: 'PFAIL', unreachable: 'UNREACHABLE', loading: 'LOADING', handshake: 'HANDSHAKE'};
const HEALTH_RANK = {fail: 0, unreachable: 1, pfail: 2, loading: 3, handshake: 4, ok: 5};

const view = {filter: '', sort: 'slots', problemsOnly: false, replicas: true};
const rendered = {keys: [], byKey: new Map()};
let keyspaceHtml = '';

export function initMap() {
  let pending = 0;
  // In JS, not an inline onsubmit: the Content-Security-Policy runs no inline script.
  $('map-tools').addEventListener('submit', e => e.preventDefault());
  $('map-filter').addEventListener('input', e => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      view.filter = e.target.value.trim().toLowerCase();
      timed('filterMs', renderMap);
    }, 60);
  });
  $('map-sort').addEventListener('change', e => {
    view.sort = e.target.value;
    renderMap();
  });
  $('map-problems').addEventListener('change', e => {
    view.problemsOnly = e.target.checked;
    renderMap();
  });
  $('map-replicas').addEventListener('change', e => {
    view.replicas = e.target.checked;
    renderMap();
  });
}

/** Masters, each with its replicas; replicas whose master is not a known master are "orphans". */
export function shardsOf(cluster) {
  const nodes = cluster ? cluster.nodes || [] : [];
  const masters = nodes.filter(n => n.role === 'master');
  const masterIds = new Set(masters.map(m => m.id));
  const replicasOf = new Map(masters.map(m => [m.id, []]));
  const orphans = [];
  for (const n of nodes) {
    if (n.role === 'master') continue;
    if (n.masterId && masterIds.has(n.masterId)) {
      replicasOf.get(n.masterId).push(n);
    } else {
      orphans.push(n);
    }
  }
  for (const list of replicasOf.values()) list.sort(byAddress);
  return {masters, replicasOf, orphans};
}

function byAddress(a, b) {
  return compareText(a.address ?? a.id, b.address ?? b.id);
}

function openSlots(n) {
  return [...Object.keys(n.migrating || {}), ...Object.keys(n.importing || {})].map(Number);
}

function nodeProblem(n) {
  return (n.health && n.health !== 'ok') || !!n.error || openSlots(n).length > 0;
}

const SORTS = {
  slots: (a, b) => (a.slotCount === 0) - (b.slotCount === 0) || firstSlot(a) - firstSlot(b) || byAddress(a, b),
  address: byAddress,
  keys: (a, b) => (b.keys ?? -1) - (a.keys ?? -1) || byAddress(a, b),
  memory: (a, b) => (b.usedMemoryBytes ?? -1) - (a.usedMemoryBytes ?? -1) || byAddress(a, b),
  ops: (a, b) => (b.opsPerSec ?? -1) - (a.opsPerSec ?? -1) || byAddress(a, b),
};

/** Worst first: failed, unreachable, suspected, loading, joining, then open slots or an error, then fine. */
function rank(n) {
  if (n.health && n.health !== 'ok') return HEALTH_RANK[n.health] ?? 4;
  return nodeProblem(n) ? 4.5 : 5;
}

function sorter(name, replicasOf) {
  if (name !== 'health') return SORTS[name] || SORTS.slots;
  const worst = m => Math.min(rank(m), ...replicasOf.get(m.id).map(rank));
  return (a, b) => worst(a) - worst(b) || SORTS.slots(a, b);
}

function firstSlot(n) {
  return n.slots && n.slots.length ? n.slots[0][0] : 1e9;
}

function matches(n, f) {
  return !f || [n.address, n.id, n.hostname, n.endpoint].some(v => v && String(v).toLowerCase().includes(f));
}

function badges(n) {
  let s = '';
  if (n.health && n.health !== 'ok') {
    s += `<span class="badge bad" title="health: ${esc(n.health)}">${HEALTH_WORDS[n.health] || esc(n.health.toUpperCase())}</span>`;
  }
  const mig = Object.entries(n.migrating || {});
  const imp = Object.entries(n.importing || {});
  if (mig.length) {
    s += `<span class="badge warn" title="slots ${esc(mig.map(([k]) => k).slice(0, 20).join(', '))}">migrating ${mig.length} → ${esc(shortId(mig[0][1]))}</span>`;
  }
  if (imp.length) {
    s += `<span class="badge warn" title="slots ${esc(imp.map(([k]) => k).slice(0, 20).join(', '))}">importing ${imp.length} ← ${esc(shortId(imp[0][1]))}</span>`;
  }
  if (n.role === 'master' && n.slotCount === 0) s += '<span class="badge">empty</span>';
  if (n.linkState === 'disconnected') s += '<span class="badge bad">link down</span>';
  return s;
}

function memoryCell(n) {
  if (n.usedMemoryBytes == null) return DASH;
  const max = n.maxMemoryBytes;
  if (!max) return `${bytes(n.usedMemoryBytes)} <span class="muted">/ no limit</span>`;
  const ratio = n.usedMemoryBytes / max;
  const cls = ratio >= 0.95 ? 'bad' : ratio >= 0.8 ? 'warn' : '';
  return `${bytes(n.usedMemoryBytes)} <span class="muted">/ ${bytes(max)}</span>`
      + `<span class="meter ${cls}" title="${pct(ratio)} of maxmemory"><svg viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true"><rect width="${Math.min(100, ratio * 100).toFixed(1)}" height="1"/></svg></span>`;
}

const CELL_CLASSES = ['num', 'mem', 'num', 'num', 'num'];

/** The cells a poll changes: keys, memory, ops/s, clients, hit ratio (and a replica's lag). */
function metricValues(n) {
  return [num(n.keys), memoryCell(n), num(n.opsPerSec), num(n.connectedClients), pct(n.hitRatio)];
}

function removeCell(n) {
  return `<span role="cell" class="act"><button type="button" class="link danger" data-remove="${esc(n.id)}"`
      + ` aria-label="Remove ${esc(n.role)} ${esc(n.address ?? n.id)}">Remove</button></span>`;
}

function nodeName(n) {
  const host = n.hostname ? ` <span class="muted">${esc(n.hostname)}</span>` : '';
  return `<span class="addr">${esc(n.address ?? '(no address)')}</span>${host} <span class="nid" title="${esc(n.id)}">${esc(shortId(n.id))}</span>`;
}

function errorNote(n) {
  return n.error ? `<div class="row note" role="row"><span role="cell">${esc(n.address ?? n.id)}: ${esc(n.error)}</span></div>` : '';
}

/**
 * A row in three parts: head (structure: who, slots), metric cell values, tail (structure). A poll that
 * changes only metrics rewrites just those cells; anything else replaces the row group.
 */
function masterRow(m) {
  const color = colorOf(m.id);
  const open = openSlots(m);
  const label = `${m.address}: ${m.slotCount} slots (${rangesText(m.slots, 8)})${open.length ? `, ${open.length} open` : ''}`;
  return {
    head: `<div class="row master h-${esc(m.health)}" role="row">`
        + `<span role="cell" class="node"><svg class="swatch" viewBox="0 0 1 1" aria-hidden="true"><rect width="1" height="1" fill="${color}"/></svg>${nodeName(m)} ${badges(m)}</span>`
        + `<span role="cell" class="slots">${slotBar(m.slots || [], color, {open, label})}`
        + `<span class="slot-text"><b class="slot-count">${num(m.slotCount)}</b> slots <span class="ranges">${esc(rangesText(m.slots))}</span></span></span>`,
    first: 2,
    classes: CELL_CLASSES,
    values: metricValues(m),
    tail: removeCell(m) + '</div>' + errorNote(m),
  };
}

const REPLICA_CLASSES = ['slots muted', ...CELL_CLASSES];

function replicaRow(r) {
  const lag = 'replica · lag ' + (r.replicationLagBytes != null ? bytes(r.replicationLagBytes) : DASH);
  return {
    head: `<div class="row replica h-${esc(r.health)}" role="row" data-node-id="${esc(r.id)}" data-role="replica">`
        + `<span role="cell" class="node"><span class="indent" aria-hidden="true">↳</span><span class="sr">replica </span>${nodeName(r)} ${badges(r)}</span>`,
    first: 1,
    classes: REPLICA_CLASSES,
    values: [lag, ...metricValues(r)],
    tail: removeCell(r) + '</div>' + errorNote(r),
  };
}

// Labels a narrow screen shows above each value (the column headers are hidden there).
const LABELS = ['keys', 'memory', 'ops/s', 'clients', 'hit ratio'];

function rowHtml(row) {
  let s = row.head;
  const skip = row.values.length - LABELS.length;
  for (let i = 0; i < row.values.length; i++) {
    const label = i >= skip ? ` data-l="${LABELS[i - skip]}"` : '';
    s += `<span role="cell" class="${row.classes[i]}"${label}>${row.values[i]}</span>`;
  }
  return s + row.tail;
}

/** One row group: its structure signature, its rows' metric values, and its HTML. */
function group(key, open, rows) {
  const structure = open + rows.map(r => r.head + '|' + r.tail).join('');
  return {key, structure, rows, html: open + rows.map(rowHtml).join('') + '</div>'};
}

function shardItem(m, replicas, showReplicas) {
  const problem = nodeProblem(m) || replicas.some(nodeProblem);
  const open = `<div class="shard${problem ? ' problem' : ''}" role="rowgroup" data-node-id="${esc(m.id)}" data-role="master"`
      + ` data-address="${esc(m.address ?? '')}" data-slots="${m.slotCount}" data-health="${esc(m.health)}">`;
  return group(m.id, open, [masterRow(m), ...(showReplicas ? replicas.map(replicaRow) : [])]);
}

function orphanItem(orphans) {
  const open = '<div class="shard orphans problem" role="rowgroup" data-role="orphans">'
      + '<div class="row note" role="row"><span role="cell">Replicas whose master is not in the map</span></div>';
  return group('(orphans)', open, orphans.map(replicaRow));
}

/**
 * Brings the DOM in line with items: same groups in the same order with the same structure -> only the
 * metric cells that changed are rewritten; a changed structure -> that group is replaced; a different
 * set or order (or most groups changed) -> one innerHTML. Answers how many groups were touched.
 */
function patch(body, items) {
  const same = items.length === rendered.keys.length && items.every((it, i) => it.key === rendered.keys[i]);
  const restructured = same ? items.filter(it => rendered.byKey.get(it.key).structure !== it.structure).length : items.length;
  if (!same || restructured > 50 && restructured > items.length / 4) {
    body.innerHTML = items.map(it => it.html).join('');
    rendered.byKey = new Map();
    const children = body.children;
    items.forEach((it, i) => rendered.byKey.set(it.key, {...it, el: children[i]}));
    rendered.keys = items.map(it => it.key);
    return items.length;
  }
  const tpl = document.createElement('template');
  let touched = 0;
  for (const it of items) {
    const old = rendered.byKey.get(it.key);
    if (old.html === it.html) continue;
    touched++;
    if (old.structure !== it.structure) {
      tpl.innerHTML = it.html;
      const fresh = tpl.content.firstElementChild;
      old.el.replaceWith(fresh);
      rendered.byKey.set(it.key, {...it, el: fresh});
      continue;
    }
    const rowEls = old.el.querySelectorAll(':scope > .row:not(.note)');
    it.rows.forEach((row, r) => {
      const before = old.rows[r].values;
      for (let i = 0; i < row.values.length; i++) {
        if (row.values[i] !== before[i]) rowEls[r].children[row.first + i].innerHTML = row.values[i];
      }
    });
    rendered.byKey.set(it.key, {...it, el: old.el});
  }
  return touched;
}

export function renderMap() {
  const cluster = state.cluster;
  if (!cluster) return;
  const t0 = performance.now();
  const {masters, replicasOf, orphans} = shardsOf(cluster);
  const f = view.filter;
  const shown = masters.filter(m => {
    const reps = replicasOf.get(m.id);
    if (view.problemsOnly && !nodeProblem(m) && !reps.some(nodeProblem)) return false;
    return matches(m, f) || reps.some(r => matches(r, f));
  });
  shown.sort(sorter(view.sort, replicasOf));
  const items = shown.map(m => shardItem(m, replicasOf.get(m.id), view.replicas));
  const shownOrphans = orphans.filter(o => matches(o, f));
  if (shownOrphans.length) items.push(orphanItem(shownOrphans));
  const body = $('map-body');
  const t1 = performance.now();
  perf.mapRowsChanged = patch(body, items);
  const t2 = performance.now();
  perf.mapLayoutHeight = body.offsetHeight; // forces layout, so the timing includes it
  const t3 = performance.now();
  perf.mapBuildMs = Math.round((t1 - t0) * 10) / 10;
  perf.mapDomMs = Math.round((t2 - t1) * 10) / 10;
  perf.mapLayoutMs = Math.round((t3 - t2) * 10) / 10;
  $('map').setAttribute('aria-busy', 'false');
  $('map-more').textContent = shown.length < masters.length
      ? `Showing ${num(shown.length)} of ${plural(masters.length, 'master')} (filter: “${view.filter || 'problems only'}”).` : '';
  renderSummary(cluster, masters, orphans);
  renderKeyspace(masters);
  perf.mapRenderMs = Math.round((performance.now() - t0) * 10) / 10;
  perf.mapNodes = cluster.nodes.length;
  state.renders++;
  requestAnimationFrame(() => setTimeout(() => {
    perf.mapFrameMs = Math.round((performance.now() - t0) * 10) / 10;
    showPerf();
  }, 0));
}

function renderSummary(cluster, masters, orphans) {
  const replicas = cluster.nodes.length - masters.length;
  const failing = cluster.nodes.filter(n => n.health && n.health !== 'ok').length;
  const empty = masters.filter(m => m.slotCount === 0).length;
  const s = $('summary');
  s.dataset.masters = masters.length;
  s.dataset.replicas = replicas;
  s.dataset.slots = cluster.slotsAssigned;
  s.dataset.state = cluster.state;
  s.innerHTML = `<span class="state ${cluster.state === 'ok' ? 'good' : 'bad'}">cluster ${esc(cluster.state)}</span>`
      + ` · <span>${plural(masters.length, 'master')}${empty ? ` (${empty} empty)` : ''}</span>`
      + ` · <span>${plural(replicas, 'replica')}</span>`
      + (failing ? ` · <span class="bad">${plural(failing, 'failing node')}</span>` : '')
      + (orphans.length ? ` · <span class="warn">${plural(orphans.length, 'orphan replica')}</span>` : '')
      + ` · <span class="${cluster.slotsAssigned === 16384 ? '' : 'bad'}">${num(cluster.slotsAssigned)} / 16,384 slots assigned</span>`
      + ` · <span class="muted">topology v${esc(cluster.version)}, read ${time(cluster.takenAt)} in ${num(cluster.pollMillis)} ms</span>`;
}

function renderKeyspace(masters) {
  const check = state.check;
  const uncovered = check ? check.uncoveredSlots || [] : [];
  const open = check ? (check.openSlots || []).map(o => o.slot) : [];
  const owners = masters.map(m => ({ranges: m.slots || [], color: colorOf(m.id)}));
  const label = `Whole keyspace: ${state.cluster.slotsAssigned} of 16384 slots assigned`
      + (uncovered.length ? `, uncovered ${rangesText(uncovered)}` : '') + (open.length ? `, ${open.length} open slots` : '');
  const html = `<span class="keyspace-label">Keyspace</span>${keyspaceBar(owners, uncovered, open, label)}`
      + `<span class="legend small"><i class="lg-uncovered"></i> uncovered <i class="lg-open"></i> open (migrating/importing)</span>`;
  if (keyspaceHtml !== html) {
    $('keyspace').innerHTML = html;
    keyspaceHtml = html;
  }
}

/** The consistency check: one line when all is well, every finding otherwise, and the Fix action. */
export function renderCheck() {
  const c = state.check;
  const box = $('check');
  if (!c) {
    setCheck(box, 'check-box', '');
    return;
  }
  if (c.error) {
    setCheck(box, 'check-box bad', `<strong>Check unavailable</strong> <span class="problem-detail">${esc(c.error.detail || c.error.message)}</span>`);
    return;
  }
  if (c.ok && c.agree) {
    setCheck(box, 'check-box good', '<span aria-hidden="true">✓</span> Check ok: every slot has one owner, all nodes agree, no open slots.');
    return;
  }
  const items = [];
  for (const p of c.problems || []) items.push(`<li>${esc(p)}</li>`);
  if (!c.problems || c.problems.length === 0) {
    for (const o of (c.openSlots || []).slice(0, 12)) {
      items.push(`<li>slot ${o.slot} ${esc(o.state)} on ${esc(shortId(o.node))}${o.peer ? ` (peer ${esc(shortId(o.peer))})` : ''}</li>`);
    }
    if ((c.uncoveredSlots || []).length) items.push(`<li>uncovered slots ${esc(rangesText(c.uncoveredSlots, 8))}</li>`);
    if ((c.multiOwnedSlots || []).length) items.push(`<li>slots claimed by several masters ${esc(rangesText(c.multiOwnedSlots, 8))}</li>`);
    if ((c.failedSlots || []).length) items.push(`<li>slots on failed masters ${esc(rangesText(c.failedSlots, 8))}</li>`);
    if ((c.unreachable || []).length) items.push(`<li>unreachable: ${esc(c.unreachable.join(', '))}</li>`);
    if (!c.agree) items.push('<li>the nodes do not agree on the slot map</li>');
  }
  const fixable = (c.openSlots || []).length + (c.uncoveredSlots || []).length + (c.failedSlots || []).length > 0;
  setCheck(box, 'check-box bad', `<strong>Check found problems</strong>`
      + (fixable ? ' <button type="button" id="fix-button" class="small-button">Fix open and uncovered slots</button>'
          + ((c.unreachable || []).length ? ' <label class="check small"><input type="checkbox" id="fix-unreachable"> without the unreachable masters</label>' : '') : '')
      + `<ul>${items.join('')}</ul>`);
}

/** Rewrites the check box only when its content changed, so a ticked option survives refreshes. */
function setCheck(box, cls, html) {
  if (box.dataset.html === html) return;
  box.className = cls;
  box.innerHTML = html;
  box.dataset.html = html;
}

export function showPerf() {
  const p = perf;
  if (p.mapRenderMs == null) return;
  $('perf').textContent = `map: ${num(p.mapNodes)} nodes rendered in ${p.mapRenderMs} ms`
      + (p.mapFrameMs != null ? ` (next frame at ${p.mapFrameMs} ms)` : '')
      + (p.clusterFetchMs != null ? `, fetched in ${p.clusterFetchMs} ms` : '');
}
