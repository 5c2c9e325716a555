import { api, liveEvents, onKeyRefused, session } from './api.js';
import { $ } from './dom.js';
import { adminView } from './admin.js';
import { managerView } from './manager.js';
import { queueView, tickCountdowns } from './queue.js';
import { initTicketDialog, ticketOnEvent } from './ticket.js';

const ROLES = ['agent', 'manager', 'admin'];
const VIEWS = { queue: 'agent', manager: 'manager', admin: 'admin' };
const LIVE_LABELS = { live: '● Live', reconnecting: '○ Reconnecting…', off: '○ Not live' };

let me = null;
let views = null;
let stopEvents = null;
let shown = null;

const allows = (role, needed) => ROLES.indexOf(role) >= ROLES.indexOf(needed);

function showSignIn(message = '') {
  stopEvents?.();
  stopEvents = null;
  shown?.hide();
  shown = null;
  me = null;
  for (const id of ['#nav', '#session', '#view-queue', '#view-manager', '#view-admin']) $(id).hidden = true;
  $('#sign-in').hidden = false;
  $('#sign-in-error').textContent = message;
  $('#api-key').focus();
}

async function signIn(key) {
  try {
    me = await api('/apikeys/me', { key });
  } catch (error) {
    const refused = error.status === 401 || error.status === 403;
    showSignIn(
      refused ? `This key was not accepted: ${error.message}` : `Cannot sign in now: ${error.message}`,
    );
    return false;
  }
  session.set(key);
  $('#sign-in').hidden = true;
  $('#nav').hidden = false;
  $('#session').hidden = false;
  $('#who').textContent = `${me.name} (${me.role})`;
  for (const link of document.querySelectorAll('#nav a'))
    link.hidden = !allows(me.role, link.dataset.role ?? 'agent');
  views ??= { queue: queueView(), manager: managerView(), admin: adminView() };
  stopEvents = liveEvents({
    onEvent: (type, data) => {
      shown?.onEvent(type, data);
      ticketOnEvent(type, data);
    },
    onState: (state) => ($('#live-state').textContent = LIVE_LABELS[state]),
  });
  route();
  return true;
}

function route() {
  if (!me) return;
  let name = location.hash.slice(1);
  if (!VIEWS[name] || !allows(me.role, VIEWS[name])) name = 'queue';
  for (const view of Object.keys(VIEWS)) $(`#view-${view}`).hidden = view !== name;
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.view === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const next = views[name];
  if (next !== shown) {
    shown?.hide();
    shown = next;
    shown.show();
  }
}

function start() {
  initTicketDialog();
  setInterval(tickCountdowns, 1000);
  $('#sign-in-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = $('#api-key').value.trim();
    if (!key) {
      $('#sign-in-error').textContent = 'Enter an API key.';
      return;
    }
    if (await signIn(key)) $('#api-key').value = '';
  });
  $('#sign-out').addEventListener('click', () => {
    session.clear();
    showSignIn();
  });
  onKeyRefused((error) => {
    session.clear();
    showSignIn(`Signed out: ${error.message}`);
  });
  window.addEventListener('hashchange', route);
  if (session.key) void signIn(session.key);
  else showSignIn();
}

start();
