// Sentinel: per master its address, replicas, quorum and last failover, and the Sentinels themselves.
// When Sentinel features are off (or the endpoint is missing) the panel shows the agent's own words.

import {get} from './api.js';
import {$, clearProblem, setHtml, showProblem} from './ui.js';
import {bytes, DASH, esc, timeEl} from './format.js';

let inFlight = null;

export function refreshSentinel() {
  if (inFlight) return inFlight;
  inFlight = (async () => {
    try {
      render(await get('/api/v1/sentinel'));
      clearProblem($('sentinel-error'));
    } catch (e) {
      setHtml($('sentinel'), '');
      $('sentinel-at').textContent = '';
      showProblem($('sentinel-error'), e);
    } finally {
      inFlight = null;
    }
  })();
  return inFlight;
}

function yesNo(ok, yes, no) {
  return ok ? `<span class="good">${yes}</span>` : `<span class="bad">${no}</span>`;
}

function masterHtml(name, m) {
  const failover = m.lastFailover
      ? `${timeEl(m.lastFailover.at)}: <span class="addr">${esc(m.lastFailover.from)}</span> → <span class="addr">${esc(m.lastFailover.to)}</span>`
      : '<span class="muted">none seen since the agent started</span>';
  const replicas = (m.replicas || []).map(r => `<tr><td class="addr">${esc(r.address)}</td>`
      + `<td>${yesNo(r.online, 'online', 'offline')}</td><td>${esc(r.linkStatus ?? DASH)}</td>`
      + `<td class="num">${r.lagBytes == null ? DASH : bytes(r.lagBytes)}</td><td class="muted">${esc(r.flags ?? '')}</td></tr>`).join('');
  const peers = (m.sentinels || []).map(p => `<li><span class="addr">${esc(p.address)}</span> `
      + (p.reachable ? (p.agrees ? '<span class="good">agrees</span>' : `<span class="bad">names ${esc(p.names ?? DASH)}</span>`)
          : '<span class="bad">unreachable</span>') + '</li>').join('');
  return `<article class="sentinel-master" data-master="${esc(name)}">`
      + `<h3><span class="master-name">${esc(name)}</span> <span class="addr">${esc(m.address)}</span>`
      + (m.flags && m.flags !== 'master' ? ` <span class="badge bad">${esc(m.flags)}</span>` : '') + '</h3>'
      + '<dl class="facts">'
      + `<dt>Quorum</dt><dd class="quorum">${esc(m.quorum)} · ${yesNo(m.quorumReachable, 'reachable', 'NOT reachable')}`
      + (m.quorumDetail ? ` <span class="muted small">${esc(m.quorumDetail)}</span>` : '') + '</dd>'
      + `<dt>Sentinels agreeing</dt><dd>${esc(m.sentinelsAgreeing ?? DASH)}</dd>`
      + `<dt>Master since</dt><dd>${timeEl(m.since)} <span class="muted small">config epoch ${esc(m.configEpoch)}</span></dd>`
      + `<dt>Last failover</dt><dd class="last-failover">${failover}</dd>`
      + '</dl>'
      + (replicas ? `<table class="small"><caption>Replicas</caption><thead><tr><th scope="col">Address</th><th scope="col">State</th>`
          + `<th scope="col">Link</th><th scope="col" class="num">Lag</th><th scope="col">Flags</th></tr></thead><tbody>${replicas}</tbody></table>`
          : '<p class="bad small">No replicas: a failover has nowhere to go.</p>')
      + (peers ? `<details class="small" data-key="peers-${esc(name)}"><summary>Sentinels' view</summary><ul class="plain">${peers}</ul></details>` : '')
      + '</article>';
}

function render(s) {
  $('sentinel-at').innerHTML = s.at ? `read ${timeEl(s.at)}` : '';
  const masters = Object.entries(s.masters || {});
  const sentinels = (s.sentinels || []).map(x => `<li><span class="addr">${esc(x.address)}</span> `
      + yesNo(x.reachable, 'reachable', 'unreachable')
      + (x.reachable ? (x.subscribed ? ' · <span class="muted">subscribed</span>' : ' · <span class="warn">not subscribed</span>') : '')
      + (x.error ? ` <span class="problem-detail">${esc(x.error)}</span>` : '') + '</li>').join('');
  setHtml($('sentinel'), (masters.length ? masters.map(([n, m]) => masterHtml(n, m)).join('')
      : '<p class="muted">The Sentinels watch no master.</p>')
      + `<h3 class="sub-h">Sentinels</h3><ul class="plain sentinels">${sentinels || '<li class="muted">none</li>'}</ul>`);
}
