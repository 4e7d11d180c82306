// Jobs: running and recent jobs with a live progress bar, keys/s, ETA and a cancel button.
//
// Polling: /jobs is read every POLL_MS only while a job is PENDING or RUNNING and stops when none is.
// Otherwise it is read once when the page starts, when the page starts a job, and when the topology
// stream reports a change (a job started elsewhere moves slots or adds a node, which the stream reports).

import {get, mutate} from './api.js';
import {$, act, clearProblem, showProblem} from './ui.js';
import {DASH, esc, num, seconds, timeEl} from './format.js';
import {emit, state} from './state.js';

const POLL_MS = 750;
const ACTIVE = new Set(['PENDING', 'RUNNING']);
const SHOWN = 8;

let timer = 0;
let inFlight = null;
let again = false;
let showAll = false;
const cards = new Map(); // id -> {body, actions, el}

export function initJobs() {
  $('jobs').addEventListener('click', e => {
    const cancel = e.target.closest('button[data-cancel]');
    if (cancel) {
      cancelJob(cancel, cancel.dataset.cancel);
      return;
    }
    if (e.target.closest('button[data-show-all]')) {
      showAll = !showAll;
      render();
    }
  });
}

export function isActive(job) {
  return ACTIVE.has(job.state);
}

/** Reads /jobs now (coalescing concurrent calls) and keeps polling while something runs. */
export function refreshJobs() {
  if (inFlight) {
    again = true;
    return inFlight;
  }
  clearTimeout(timer);
  inFlight = (async () => {
    try {
      const before = new Map(state.jobs.map(j => [j.id, j.state]));
      const jobs = await get('/api/v1/jobs');
      state.jobs = Array.isArray(jobs) ? jobs : [];
      clearProblem($('jobs-error'));
      render();
      for (const j of state.jobs) {
        const was = before.get(j.id);
        if (was && ACTIVE.has(was) && !ACTIVE.has(j.state)) {
          announce(`${j.type} job ${j.state.toLowerCase()}${j.error ? ': ' + j.error : ''}`);
          emit('job-finished', j);
        }
      }
    } catch (e) {
      showProblem($('jobs-error'), e);
    } finally {
      inFlight = null;
      schedule();
      if (again) {
        again = false;
        refreshJobs();
      }
    }
  })();
  return inFlight;
}

/** A job the page just started (the 202 body): shown at once, then followed by polling. */
export function trackJob(job) {
  if (job && job.id && !state.jobs.some(j => j.id === job.id)) {
    state.jobs = [job, ...state.jobs];
    render();
    announce(`${job.type} job started: ${job.description || ''}`);
  }
  refreshJobs();
}

function announce(text) {
  $('announce').textContent = text;
}

function schedule() {
  clearTimeout(timer);
  const active = state.jobs.some(isActive);
  state.jobsPolling = active;
  $('jobs-polling').textContent = active ? `following every ${POLL_MS} ms` : 'idle: not polling';
  if (active) timer = setTimeout(refreshJobs, POLL_MS);
}

async function cancelJob(button, id) {
  const job = state.jobs.find(j => j.id === id);
  const done = await act(button, $('jobs-error'),
      () => mutate('POST', `/api/v1/jobs/${encodeURIComponent(id)}/cancel`, undefined,
          `Cancel ${job ? job.description || job.type : 'the job'}.`));
  if (done) refreshJobs();
}

function progressOf(j) {
  const p = j.progress || {};
  if (p.slotsTotal > 0) {
    const ratio = Math.min(1, p.slotsDone / p.slotsTotal);
    return {value: p.slotsDone, max: p.slotsTotal, text: Math.floor(ratio * 100) + '%'};
  }
  if (j.state === 'SUCCEEDED') return {value: 1, max: 1, text: '100%'};
  if (ACTIVE.has(j.state)) return {value: null, max: 1, text: j.state === 'PENDING' ? 'waiting' : 'working'};
  return {value: 0, max: 1, text: DASH};
}

function statsOf(j) {
  const p = j.progress || {};
  const parts = [];
  if (p.slotsTotal > 0) parts.push(`${num(p.slotsDone)} / ${num(p.slotsTotal)} slots`);
  if (p.keysMoved > 0 || p.keysTotalEstimate > 0) {
    parts.push(`${num(p.keysMoved)}${p.keysTotalEstimate >= 0 ? ' / ~' + num(p.keysTotalEstimate) : ''} keys`);
  }
  if (p.keysPerSecond > 0) parts.push(`<span class="kps">${num(p.keysPerSecond)} keys/s</span>`);
  if (ACTIVE.has(j.state)) {
    parts.push(`ETA <span class="eta">${p.etaSeconds >= 0 ? seconds(p.etaSeconds) : DASH}</span>`);
  } else if (j.startedAt && j.finishedAt) {
    parts.push(`took ${seconds((Date.parse(j.finishedAt) - Date.parse(j.startedAt)) / 1000)}`);
  }
  return parts.join(' · ');
}

function bodyHtml(j) {
  const pr = progressOf(j);
  const valueAttr = pr.value == null ? '' : ` value="${pr.value}"`;
  const when = j.finishedAt ? `ended ${timeEl(j.finishedAt)}` : j.startedAt ? `started ${timeEl(j.startedAt)}` : `queued ${timeEl(j.createdAt)}`;
  return `<div class="job-head"><strong class="job-type">${esc(j.type)}</strong>`
      + ` <span class="job-state s-${esc(j.state)}">${esc(j.state)}${j.cancelRequested && ACTIVE.has(j.state) ? ' (cancel requested)' : ''}</span>`
      + ` <span class="muted small">${when}</span></div>`
      + (j.description ? `<p class="job-desc">${esc(j.description)}</p>` : '')
      + `<div class="job-progress"><progress max="${pr.max}"${valueAttr} aria-label="Progress of ${esc(j.type)} job">`
      + `</progress><span class="pct">${pr.text}</span></div>`
      + `<p class="job-stats small">${statsOf(j)}</p>`
      + (j.error ? `<p class="job-error" role="alert">${esc(j.error)}</p>` : '');
}

function actionsHtml(j) {
  if (!ACTIVE.has(j.state)) return '';
  if (j.cancelRequested) return '<span class="muted small">stopping after the slots in flight…</span>';
  return `<button type="button" class="danger" data-cancel="${esc(j.id)}">Cancel</button>`;
}

function cardHtml(j) {
  return `<article class="job" data-job-id="${esc(j.id)}" data-state="${esc(j.state)}" data-type="${esc(j.type)}">`
      + `<div class="job-body">${bodyHtml(j)}</div><div class="job-actions">${actionsHtml(j)}</div></article>`;
}

/** Updates cards in place (a focused Cancel button stays focused while its progress bar moves). */
function render() {
  const box = $('jobs');
  const jobs = state.jobs;
  if (jobs.length === 0) {
    box.innerHTML = '<p class="muted empty">No jobs yet. Rebalances, node additions and removals, and repairs run as jobs.</p>';
    cards.clear();
    return;
  }
  const shown = showAll ? jobs : jobs.slice(0, SHOWN);
  const ids = shown.map(j => j.id);
  const order = [...box.querySelectorAll(':scope > article.job')].map(a => a.dataset.jobId);
  if (ids.join() !== order.join()) {
    box.innerHTML = shown.map(cardHtml).join('') + moreHtml(jobs.length);
    cards.clear();
    box.querySelectorAll(':scope > article.job').forEach((el, i) => {
      cards.set(ids[i], {el, body: bodyHtml(shown[i]), actions: actionsHtml(shown[i])});
    });
    return;
  }
  shown.forEach(j => {
    const c = cards.get(j.id);
    const body = bodyHtml(j);
    const actions = actionsHtml(j);
    c.el.dataset.state = j.state;
    if (c.body !== body) {
      c.el.querySelector('.job-body').innerHTML = body;
      c.body = body;
    }
    if (c.actions !== actions) {
      c.el.querySelector('.job-actions').innerHTML = actions;
      c.actions = actions;
    }
  });
  const more = box.querySelector('.jobs-more');
  if (more) more.outerHTML = moreHtml(jobs.length);
}

function moreHtml(total) {
  if (total <= SHOWN) return '';
  return `<p class="jobs-more"><button type="button" class="link" data-show-all>${showAll ? 'Show the latest ' + SHOWN : 'Show all ' + total + ' jobs'}</button></p>`;
}
