// Node lifecycle from the page: add a node (master or replica), remove one from its map row, and repair
// open or uncovered slots. Each is a job; the Jobs panel follows it.

import {mutate} from './api.js';
import {$, act, clearProblem, confirmAction, showProblem} from './ui.js';
import {compareText, esc, num, plural, shortId} from './format.js';
import {state} from './state.js';
import {trackJob} from './jobs.js';

export function initNodes() {
  const form = $('add-form');
  form.addEventListener('change', syncRole);
  form.addEventListener('submit', e => {
    e.preventDefault();
    addNode();
  });
  $('map-body').addEventListener('click', e => {
    const b = e.target.closest('button[data-remove]');
    if (b) removeNode(b, b.dataset.remove);
  });
  $('check').addEventListener('click', e => {
    const b = e.target.closest('#fix-button');
    if (b) fix(b);
  });
  syncRole();
}

function role() {
  return $('add-form').querySelector('input[name=role]:checked').value;
}

function syncRole() {
  const replica = role() === 'replica';
  $('add-master-label').hidden = !replica;
  $('add-rebalance-label').hidden = replica;
}

/** Keeps the "replica of" choices in step with the map. */
export function onClusterChanged() {
  const select = $('add-master');
  const chosen = select.value;
  const masters = (state.cluster ? state.cluster.nodes : []).filter(n => n.role === 'master')
      .sort((a, b) => compareText(a.address, b.address));
  const html = '<option value="">the master with the fewest replicas</option>'
      + masters.map(m => `<option value="${esc(m.id)}">${esc(m.address ?? m.id)} (${esc(shortId(m.id))})</option>`).join('');
  if (select.dataset.html !== html) {
    select.innerHTML = html;
    select.dataset.html = html;
    select.value = masters.some(m => m.id === chosen) ? chosen : '';
  }
}

async function addNode() {
  const address = $('add-address').value.trim();
  const body = {address, role: role()};
  if (body.role === 'replica' && $('add-master').value) body.masterId = $('add-master').value;
  if (body.role === 'master' && $('add-rebalance').checked) body.rebalance = true;
  const res = await act($('add-submit'), $('nodes-error'),
      () => mutate('POST', '/api/v1/cluster/nodes', body, `Add ${address} as ${body.role}.`));
  if (res) {
    $('add-address').value = '';
    trackJob(res.body);
  }
}

async function removeNode(button, id) {
  const n = state.cluster && state.cluster.nodes.find(x => x.id === id);
  const name = n ? n.address ?? id : id;
  const what = !n ? '' : n.role === 'master'
      ? (n.slotCount > 0 ? ` Its ${plural(n.slotCount, 'slot')} (${num(n.keys)} keys) are first moved to the other masters;` : ' It holds no slots;')
        + ' its replicas are re-pointed to other masters, then every node forgets it.'
      : ' Every node forgets it; it stops replicating.';
  const ok = await confirmAction(`Remove <strong>${esc(name)}</strong> (${esc(shortId(id))}) from the cluster?${esc(what)}`, 'Remove');
  if (!ok) return;
  const box = $('map-error');
  const res = await act(button, box, () => mutate('DELETE', `/api/v1/cluster/nodes/${encodeURIComponent(id)}`, undefined,
      `Remove ${name}.`));
  if (res) trackJob(res.body);
}

async function fix(button) {
  const allowUnreachable = !!($('fix-unreachable') && $('fix-unreachable').checked);
  const ok = await confirmAction('Repair open and uncovered slots? An interrupted migration is finished; any other open '
      + 'slot is closed on the master that owns it (or holds most of its keys); an uncovered slot goes to the master '
      + 'holding its keys, else to the one with the fewest slots. Keys only move, none is deleted.'
      + (allowUnreachable ? ' <strong>Unreachable masters are left out.</strong>' : ''), 'Fix');
  if (!ok) return;
  const box = $('map-error');
  clearProblem(box);
  try {
    const res = await mutate('POST', '/api/v1/cluster/fix', allowUnreachable ? {allowUnreachable: true} : {},
        'Repair open and uncovered slots.');
    trackJob(res.body);
  } catch (e) {
    showProblem(box, e);
  }
}
