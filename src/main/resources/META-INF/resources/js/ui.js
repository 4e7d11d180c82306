// Small page utilities: problem boxes, the token dialog, confirmations.

import {ApiError, Cancelled, setTokenPrompt} from './api.js';
import {esc} from './format.js';

export const $ = id => document.getElementById(id);

/** Shows an error in a panel's alert box: the agent's detail verbatim, with its status and title. */
export function showProblem(box, err) {
  if (err instanceof Cancelled) {
    return;
  }
  let head;
  let detail;
  if (err instanceof ApiError) {
    head = err.status ? `${err.status} ${err.title}` : err.title;
    detail = err.detail;
  } else {
    head = 'Error';
    detail = err && err.message ? err.message : String(err);
  }
  box.innerHTML = `<strong class="problem-head">${esc(head)}</strong> <span class="problem-detail">${esc(detail)}</span>`;
  box.hidden = false;
}

const shown = new WeakMap();

/**
 * Replaces el's content when html differs from what it shows, keeping open every <details> that was open
 * (matched by its data-key), so a periodic refresh does not fold what the operator unfolded.
 */
export function setHtml(el, html) {
  if (shown.get(el) === html) return false;
  const open = new Set([...el.querySelectorAll('details[open][data-key]')].map(d => d.dataset.key));
  el.innerHTML = html;
  shown.set(el, html);
  for (const d of el.querySelectorAll('details[data-key]')) {
    if (open.has(d.dataset.key)) d.open = true;
  }
  return true;
}

export function clearProblem(box) {
  box.hidden = true;
  box.textContent = '';
}

/** Runs an action with its button disabled; its error lands in box. Answers the action's result or null. */
export async function act(button, box, action) {
  clearProblem(box);
  const was = button.disabled;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await action();
  } catch (e) {
    showProblem(box, e);
    return null;
  } finally {
    button.disabled = was;
    button.removeAttribute('aria-busy');
  }
}

export function installTokenDialog() {
  const dialog = $('token-dialog');
  const input = $('token-input');
  const why = $('token-why');
  const defaultWhy = why.innerHTML;
  setTokenPrompt(reason => new Promise((resolve, reject) => {
    input.value = '';
    why.innerHTML = (reason ? `<strong>${esc(reason)}</strong> ` : '') + defaultWhy;
    const done = () => {
      $('token-form').removeEventListener('submit', onOk);
      $('token-cancel').removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onCancel);
    };
    const onOk = e => {
      e.preventDefault();
      const token = input.value.trim();
      if (!token) {
        input.focus();
        return;
      }
      done();
      dialog.close();
      resolve(token);
    };
    const onCancel = e => {
      e.preventDefault();
      done();
      dialog.close();
      reject(new Cancelled('no token given'));
    };
    $('token-form').addEventListener('submit', onOk);
    $('token-cancel').addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    input.focus();
  }));
}

/** A modal yes/no question; resolves true when confirmed. */
export function confirmAction(html, okLabel = 'Confirm') {
  const dialog = $('confirm-dialog');
  $('confirm-text').innerHTML = html;
  $('confirm-ok').textContent = okLabel;
  return new Promise(resolve => {
    const finish = answer => {
      $('confirm-ok').removeEventListener('click', onOk);
      $('confirm-cancel').removeEventListener('click', onNo);
      dialog.removeEventListener('cancel', onNo);
      dialog.close();
      resolve(answer);
    };
    const onOk = e => {
      e.preventDefault();
      finish(true);
    };
    const onNo = e => {
      e.preventDefault();
      finish(false);
    };
    $('confirm-ok').addEventListener('click', onOk);
    $('confirm-cancel').addEventListener('click', onNo);
    dialog.addEventListener('cancel', onNo);
    dialog.showModal();
    $('confirm-cancel').focus();
  });
}
