// What the page knows, in one place, and the timings it measures about itself. Both are exposed as
// window.cahootsConsole so an operator (or a test) can look at them from the browser's console.

export const state = {
  cluster: null,      // GET /api/v1/cluster
  check: null,        // GET /api/v1/cluster/check
  jobs: [],           // GET /api/v1/jobs, newest first
  topology: null,     // the last topology view from the stream
  live: 'connecting', // stream state: connecting, live, reconnecting, polling
  jobsPolling: false, // true while a job runs and /jobs is polled
  renders: 0,         // cluster map renders so far
};

export const perf = {};

export const events = new EventTarget();

export function emit(name, detail) {
  events.dispatchEvent(new CustomEvent(name, {detail}));
}

export function on(name, fn) {
  events.addEventListener(name, e => fn(e.detail));
}

/** Runs fn and records how long it took under perf[name] (milliseconds). */
export function timed(name, fn) {
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    perf[name] = Math.round((performance.now() - t0) * 10) / 10;
  }
}

window.cahootsConsole = {state, perf};
