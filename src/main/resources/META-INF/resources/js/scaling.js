// Scaling: the API replica supervisor: current and desired replicas, trigger readings against their
// thresholds, and the decision history with reasons. "disabled" is a state, shown with its reason.
// Below it the Redis shard autoscaler (the answer's `redis`): masters, node source, triggers, decisions.

import {get} from './api.js';
import {$, clearProblem, setHtml, showProblem} from './ui.js';
import {DASH, esc, num, timeEl} from './format.js';

let inFlight = null;

export function refreshScaling() {
  if (inFlight) return inFlight;
  inFlight = (async () => {
    try {
      render(await get('/api/v1/scaling'));
      clearProblem($('scaling-error'));
    } catch (e) {
      setHtml($('scaling'), '');
      $('scaling-at').textContent = '';
      showProblem($('scaling-error'), e);
    } finally {
      inFlight = null;
    }
  })();
  return inFlight;
}

function reading(t) {
  if (t.reading == null) return `<span class="muted">no reading</span>`;
  const digits = Math.abs(t.reading) < 10 ? 1 : 0;
  return `${esc(t.reading.toFixed(digits))}${esc(t.unit ?? '')}`;
}

function triggerRow(t) {
  const breaching = t.reading != null && t.reading > t.threshold;
  return `<tr class="${breaching ? 'breach' : ''}" data-trigger="${esc(t.name)}"><th scope="row">${esc(t.name)}</th>`
      + `<td class="num">${reading(t)}</td><td class="num">${esc(t.threshold)}${esc(t.unit ?? '')}</td>`
      + `<td>${esc(t.state ?? '')}${t.missing && !(t.state || '').includes(t.missing) ? ` <span class="muted">${esc(t.missing)}</span>` : ''}</td></tr>`;
}

function decisionRow(d) {
  const change = d.from === d.to ? `${num(d.from)}` : `${num(d.from)} → ${num(d.to)}`;
  return `<li class="decision k-${esc(d.kind)}"><div>${timeEl(d.at)} <span class="badge">${esc(d.kind)}</span> <b>${change}</b>`
      + ` <span class="muted small">${esc(d.mode)}${d.applied ? ', applied' : ', not applied'}</span></div>`
      + `<div class="reason">${esc(d.reason)}</div>`
      + (d.failure ? `<div class="problem-detail">${esc(d.failure)}</div>` : '') + '</li>';
}

const REDIS_UNITS = {memory: '%', ops: ' ops/s', latency: 'ms'};

function redisSection(r) {
  if (!r) return '';
  let html = `<section class="redis-scaling" data-redis-scaling><h3 class="sub-h">Redis shards</h3>`
      + `<p class="mode"><span class="badge mode-${esc(r.mode)}">${esc(r.mode)}</span> ${esc(r.modeReason ?? '')}</p>`
      + `<dl class="facts small"><dt>Masters</dt><dd data-redis-masters>${r.masters == null ? DASH : num(r.masters)}`
      + ` <span class="muted">(${num(r.minMasters)}–${num(r.maxMasters)})</span></dd>`
      + `<dt>Nodes from</dt><dd data-redis-source>${r.nodeSource ? `<span class="badge">${esc(r.nodeSource)}</span> ` : ''}${esc(r.source ?? DASH)}</dd>`
      + `<dt>Phase</dt><dd>${esc(r.phase ?? DASH)}</dd></dl>`;
  if (r.error) html += `<p class="problem-inline"><span class="problem-detail">${esc(r.error)}</span></p>`;
  const triggers = (r.triggers || []).map(t => ({...t, unit: REDIS_UNITS[t.name] ?? ''}));
  if (triggers.length) {
    html += `<table class="small triggers"><caption>Redis triggers</caption><thead><tr><th scope="col">Trigger</th><th scope="col" class="num">Reading</th>`
        + `<th scope="col" class="num">Threshold</th><th scope="col">State</th></tr></thead><tbody>${triggers.map(triggerRow).join('')}</tbody></table>`;
  }
  const decisions = (r.decisions || []).map(d => ({...d, failure: d.outcome}));
  html += decisions.length
      ? `<ol class="plain decisions">${decisions.map(decisionRow).join('')}</ol>`
      : '<p class="muted small">No shard decisions yet.</p>';
  return html + '</section>';
}

function render(s) {
  $('scaling-at').innerHTML = s.evaluatedAt ? `evaluated ${timeEl(s.evaluatedAt)}` : '';
  const target = [s.namespace, s.deployment].filter(Boolean).join('/');
  const current = s.currentReplicas == null ? DASH : num(s.currentReplicas);
  const desired = s.desiredReplicas == null ? DASH : num(s.desiredReplicas);
  let html = `<p class="mode"><span class="badge mode-${esc(s.mode)}">${esc(s.mode)}</span> ${esc(s.modeReason ?? '')}</p>`
      + '<div class="replicas-now">'
      + `<div class="big"><span class="label">current</span><span class="value" data-current>${current}</span></div>`
      + `<div class="big"><span class="label">desired</span><span class="value" data-desired>${desired}</span></div>`
      + `<dl class="facts small"><dt>Deployment</dt><dd>${esc(target || DASH)}</dd>`
      + `<dt>Bounds</dt><dd>${num(s.minReplicas)}–${num(s.maxReplicas)}, step ${num(s.step)}</dd>`
      + `<dt>Phase</dt><dd>${esc(s.phase ?? DASH)}</dd>`
      + (s.leaseHolder ? `<dt>Lease</dt><dd>${esc(s.leaseHolder)}${s.identity === s.leaseHolder ? ' (this agent)' : ''}</dd>` : '')
      + '</dl></div>';
  if (s.error) html += `<p class="problem-inline"><span class="problem-detail">${esc(s.error)}</span></p>`;
  const triggers = s.triggers || [];
  html += triggers.length
      ? `<table class="small triggers"><caption>Triggers</caption><thead><tr><th scope="col">Trigger</th><th scope="col" class="num">Reading</th>`
          + `<th scope="col" class="num">Threshold</th><th scope="col">State</th></tr></thead><tbody>${triggers.map(triggerRow).join('')}</tbody></table>`
      : '';
  if ((s.redisEvidence || []).length) {
    html += `<h3 class="sub-h">Redis evidence</h3><ul class="plain small">${s.redisEvidence.map(e => `<li>${esc(e)}</li>`).join('')}</ul>`;
  }
  const decisions = s.decisions || [];
  html += `<h3 class="sub-h">Decisions</h3>` + (decisions.length
      ? `<ol class="plain decisions">${decisions.map(decisionRow).join('')}</ol>`
      : '<p class="muted small">No decisions yet.</p>');
  html += redisSection(s.redis);
  setHtml($('scaling'), html);
}
