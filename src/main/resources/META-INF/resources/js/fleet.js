// Fleet: the agent sidecars of this deployment, which one leads (and so does every fleet-wide duty) and since when,
// and which one answered this console.

import {get} from './api.js';
import {$, clearProblem, setHtml, showProblem} from './ui.js';
import {esc, timeEl} from './format.js';

let inFlight = null;

export function refreshFleet() {
  if (inFlight) return inFlight;
  inFlight = (async () => {
    try {
      render(await get('/api/v1/agents'));
      clearProblem($('fleet-error'));
    } catch (e) {
      setHtml($('fleet'), '');
      showProblem($('fleet-error'), e);
    } finally {
      inFlight = null;
    }
  })();
  return inFlight;
}

function row(m, self) {
  const marks = (m.leader ? ' <span class="badge">leader</span>' : '') + (m.id === self ? ' <span class="muted small">(answering)</span>' : '');
  return `<tr data-member="${esc(m.id)}"><th scope="row">${esc(m.host)}${marks}</th><td>${esc(m.version)}</td>`
      + `<td>${timeEl(m.startedAt)}</td><td>${timeEl(m.lastHeartbeat)}</td></tr>`;
}

function render(f) {
  const leader = f.leader
      ? `<p>Leader: <b>${esc(f.leader.id)}</b>${f.leader.since ? ` since ${timeEl(f.leader.since)}` : ''}</p>`
      : '<p class="problem-detail">No leader: pushes, the policy audit and crash recovery wait for one.</p>';
  const alone = f.shared ? '' : '<p class="muted small">A fleet of one: no Redis configured to share with other sidecars.</p>';
  setHtml($('fleet'), leader + alone
      + '<table class="fleet"><thead><tr><th scope="col">sidecar</th><th scope="col">version</th><th scope="col">started</th>'
      + '<th scope="col">last heartbeat</th></tr></thead><tbody>'
      + f.members.map(m => row(m, f.self)).join('') + '</tbody></table>');
}
