// The operator console: wires the panels together and keeps them current.
//
// Live updates:
//  1. The topology stream (EventSource on /api/v1/topology/stream) announces every topology change; the page
//     then re-reads /cluster and /cluster/check (coalesced: one read in flight, at most one queued), /jobs,
//     and /sentinel when the Sentinel part of the view changed.
//  2. Metrics (keys, memory, ops/s) change without a topology change: /cluster is re-read every few seconds
//     while the tab is visible, less often when a read and redraw get expensive (huge clusters).
//  3. /jobs is polled only while a job runs (jobs.js).
//  4. Without the stream (endpoint missing, proxy that buffers), the periodic read is all there is and the
//     header says so; the stream is retried now and then.

import {get, forgetToken, hasToken, readTokenNeeded, tokenEvents} from './api.js';
import {$, clearProblem, installTokenDialog, showProblem} from './ui.js';
import {time} from './format.js';
import {initMap, renderCheck, renderMap, showPerf} from './map.js';
import {initJobs, refreshJobs} from './jobs.js';
import {initRebalance, onClusterChanged as rebalanceOnCluster} from './rebalance.js';
import {initNodes, onClusterChanged as nodesOnCluster} from './nodes.js';
import {refreshSentinel} from './sentinel.js';
import {refreshScaling} from './scaling.js';
import {refreshHistory} from './history.js';
import {refreshFleet} from './fleet.js';
import {on, perf, state} from './state.js';

const METRICS_MS = 5000;
const SENTINEL_MS = 10000;
const SCALING_MS = 15000;
const HISTORY_MS = 10000;
const STREAM_RETRY_MS = 30000;

let clusterInFlight = null;
let clusterAgain = false;

/** Reads /cluster and /cluster/check and redraws; concurrent calls coalesce into one follow-up read. */
export function refreshCluster() {
  if (clusterInFlight) {
    clusterAgain = true;
    return clusterInFlight;
  }
  clusterInFlight = (async () => {
    try {
      const t0 = performance.now();
      const [cluster, check] = await Promise.all([
        get('/api/v1/cluster'),
        get('/api/v1/cluster/check').catch(e => ({error: e})),
      ]);
      perf.clusterFetchMs = Math.round(performance.now() - t0);
      state.cluster = cluster;
      state.check = check;
      clearProblem($('map-error'));
      renderCheck();
      renderMap();
      if (perf.firstMapMs == null) perf.firstMapMs = Math.round(performance.now());
      nodesOnCluster();
      rebalanceOnCluster();
    } catch (e) {
      showProblem($('map-error'), e);
      $('map').setAttribute('aria-busy', 'false');
      if (!state.cluster) $('summary').textContent = 'Cluster unavailable (see the map panel).';
    } finally {
      clusterInFlight = null;
      if (clusterAgain) {
        clusterAgain = false;
        refreshCluster();
      }
    }
  })();
  return clusterInFlight;
}

/** Re-reads metrics periodically while visible; backs off to 10x the cost of one read and redraw. */
function metricsLoop() {
  const cost = (perf.clusterFetchMs || 0) + (perf.mapRenderMs || 0);
  const wait = Math.max(METRICS_MS, cost * 10);
  setTimeout(async () => {
    if (document.visibilityState === 'visible') await refreshCluster();
    metricsLoop();
  }, wait);
}

function every(ms, fn) {
  setInterval(() => {
    if (document.visibilityState === 'visible') fn();
  }, ms);
}

function setLive(mode, text, title = '') {
  state.live = mode;
  const el = $('live');
  el.dataset.state = mode;
  el.textContent = text;
  el.title = title;
}

let lastSentinel = null;
let changeTimer = 0;

function onTopology(view) {
  state.topology = view;
  setLive('live', `live · ${view.cause || 'change'} ${time(view.at)}`, `topology version ${view.version}`);
  const sentinel = JSON.stringify(view.sentinel ?? null);
  const sentinelChanged = lastSentinel !== null && sentinel !== lastSentinel;
  lastSentinel = sentinel;
  clearTimeout(changeTimer);
  changeTimer = setTimeout(() => {
    refreshCluster();
    refreshJobs();
    if (sentinelChanged) refreshSentinel();
  }, 100);
}

function connectStream() {
  if (!('EventSource' in window)) {
    setLive('polling', `refreshing every ${METRICS_MS / 1000} s`, 'this browser has no EventSource');
    return;
  }
  if (readTokenNeeded()) {
    // EventSource cannot send an Authorization header; a token in the URL would end up in access logs.
    setLive('polling', `refreshing every ${METRICS_MS / 1000} s`, 'reads need a token, which the event stream cannot carry');
    return;
  }
  const es = new EventSource('/api/v1/topology/stream');
  es.onopen = () => setLive('live', 'live', 'connected to the topology stream');
  es.onmessage = e => {
    try {
      onTopology(JSON.parse(e.data));
    } catch {
      // a malformed event is skipped; the next one or the periodic read catches up
    }
  };
  es.onerror = async () => {
    if (es.readyState !== EventSource.CLOSED) {
      setLive('reconnecting', 'reconnecting…', 'the topology stream dropped; the browser reconnects by itself');
      return;
    }
    // The server refused the stream (an error answer, not an event stream): say why, poll, retry later.
    es.close();
    let why = 'the topology stream is unavailable';
    try {
      await get('/api/v1/topology');
    } catch (err) {
      why = err.detail || err.message || why;
    }
    setLive('polling', `no live stream: refreshing every ${METRICS_MS / 1000} s`, why);
    setTimeout(connectStream, STREAM_RETRY_MS);
  };
}

function showToken(detail) {
  const set = hasToken();
  const refused = detail && detail.reason === 'refused';
  $('token-state').innerHTML = set ? 'Admin token: set for this tab'
      : refused ? '<span class="bad">Admin token refused and forgotten</span>' : 'Admin token: not set';
  $('token-forget').hidden = !set;
}

function init() {
  installTokenDialog();
  tokenEvents.addEventListener('change', e => showToken(e.detail));
  $('token-forget').addEventListener('click', () => forgetToken());
  showToken();
  initMap();
  initJobs();
  initRebalance({refreshCluster});
  initNodes();
  on('job-finished', () => refreshCluster());
  refreshCluster();
  refreshJobs();
  refreshSentinel();
  refreshScaling();
  refreshHistory();
  refreshFleet();
  connectStream();
  metricsLoop();
  every(SENTINEL_MS, refreshSentinel);
  every(SCALING_MS, refreshScaling);
  every(HISTORY_MS, refreshHistory);
  every(SCALING_MS, refreshFleet);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') {
      refreshCluster();
      refreshJobs();
    }
  });
  window.cahootsConsole.refresh = () => Promise.all([refreshCluster(), refreshJobs(), refreshSentinel(), refreshScaling(), refreshFleet(), refreshHistory()]);
  window.cahootsConsole.showPerf = showPerf;
}

init();
