// The workshop's hub client (/hubs/workshop, protocol in the README): the connection, kept for as long as the page is
// open; entering the workshop (the host by its token, a participant by name then by the token this browser keeps, the
// projection as a watcher); the events, applied idempotently (an annotation only takes a newer state); the writes.
// Every change the server accepts carries the workshop's sequence number: this module keeps the highest sequence up to
// which it has seen everything, and after a reconnection (or a gap that lasts) asks for what came after it.
// It draws nothing: what changed is told to ws.ui (workshop.js wires it to the panel and the map).
import { tr } from './workshop-text.js';

const VIEW_INTERVAL_MS = 250;

export function loadSignalR() {
  if (window.signalR) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/lib/signalr/signalr.min.js';
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('signalr.min.js could not be loaded'));
    document.head.append(script);
  });
}

// Connects (lang: the language of the hub's refusals) and enters the workshop.
export async function connectHub(ws, lang) {
  ws.connection = new signalR.HubConnectionBuilder()
    .withUrl(`/hubs/workshop?lang=${lang}`)
    // Keep trying for as long as the page is open: a restarted server comes back within seconds.
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => Math.min(5000, 500 * (ctx.previousRetryCount + 1)) })
    .build();
  ws.connection.on('Event', e => applyEvent(ws, e));
  ws.connection.on('Presence', list => { ws.present = list; ws.ui.presence(); });
  ws.connection.on('ViewChanged', view => { ws.hostView = view; ws.ui.hostView(view); });
  ws.connection.on('Removed', () => { ws.ui.status(tr('L\'animation vous a retiré de cet atelier.', 'The host removed you from this workshop.')); ws.stopped = true; ws.connection.stop(); });
  ws.connection.onreconnecting(() => ws.ui.status(tr('connexion perdue, reconnexion…', 'connection lost, reconnecting…')));
  // A new connection has no room yet: enter again (the group is rejoined), then catch up from the last sequence.
  ws.connection.onreconnected(async () => { await enterAndSync(ws); await resend(ws); });
  ws.connection.onclose(() => { if (!ws.stopped) setTimeout(() => connect(ws), 2000); });
  await connect(ws);
}

export async function disconnect(ws) {
  ws.stopped = true;
  await ws.connection?.stop();
}

async function connect(ws) {
  if (ws.stopped) return;
  try {
    await ws.connection.start();
    await enterAndSync(ws);
  } catch (e) {
    ws.ui.status(tr('serveur injoignable, nouvel essai…', 'server unreachable, trying again…'));
    setTimeout(() => connect(ws), 2000);
  }
}

async function enterAndSync(ws) {
  try {
    ws.session = await enter(ws);
    if (!ws.session) return;
    ws.locked = ws.session.locked;
    ws.ui.status(null);
    ws.ui.header();
    if (!ws.view) {
      ws.view = ws.session.view;
      ws.ui.view(ws.session.view, true);
    }
    await sync(ws);
    ws.present = await ws.connection.invoke('Presence', ws.session.roomId);
    ws.ui.presence();
  } catch (e) {
    ws.ui.error(e);
  }
}

async function enter(ws) {
  if (ws.mode === 'projection') return ws.connection.invoke('Watch', ws.code);
  if (ws.mode === 'host') return ws.connection.invoke('Enter', ws.code, ws.hostToken);
  const key = `atlas.workshop.${ws.code}`;
  const token = localStorage.getItem(key);
  if (token) {
    try {
      return await ws.connection.invoke('Enter', ws.code, token);
    } catch (e) {
      localStorage.removeItem(key);
      if (String(e.message).includes('removed')) throw e;
    }
  }
  const name = await ws.ui.askName();
  const session = await ws.connection.invoke('Join', ws.code, name);
  localStorage.setItem(key, session.token);
  return session;
}

async function sync(ws) {
  // Pages of at most 1,000 events; ask again until a page comes back short.
  for (;;) {
    const events = await ws.connection.invoke('SyncSince', ws.session.roomId, ws.lastSeq);
    for (const e of events) applyEvent(ws, e);
    if (events.length < 1000) break;
  }
}

function noteSeq(ws, seq) {
  if (seq <= ws.lastSeq) return;
  ws.seen.add(seq);
  while (ws.seen.has(ws.lastSeq + 1)) {
    ws.seen.delete(ws.lastSeq + 1);
    ws.lastSeq++;
  }
  // A hole that lasts means a broadcast was missed: fetch it rather than wait for a reconnection.
  if (ws.seen.size > 0 && !ws.gapTimer) {
    ws.gapTimer = setTimeout(() => { ws.gapTimer = null; if (ws.seen.size > 0) sync(ws).catch(() => {}); }, 1500);
  }
}

function applyEvent(ws, e) {
  noteSeq(ws, e.seq);
  const a = e.annotation;
  if (a) {
    const known = ws.annotations.get(a.id);
    if (!known || known.seq < a.seq) ws.annotations.set(a.id, a);
  }
  if (e.type === 'cleared') {
    for (const id of e.annotationIds ?? []) {
      const known = ws.annotations.get(id);
      if (known && known.seq < e.seq) ws.annotations.set(id, { ...known, deleted: true, seq: e.seq });
    }
  }
  if (e.type === 'locked' || e.type === 'unlocked') {
    if (!ws.lockSeq || ws.lockSeq < e.seq) { ws.lockSeq = e.seq; ws.locked = e.type === 'locked'; ws.ui.header(); }
  }
  if (e.type === 'participantRemoved' && ws.session && e.participantId === ws.session.participantId) {
    ws.stopped = true;
    ws.ui.status(tr('L\'animation vous a retiré de cet atelier.', 'The host removed you from this workshop.'));
    ws.connection.stop();
  }
  ws.ui.annotations();
}

/** The annotations to show: not deleted, and not hidden by the host unless this is the host. */
export function visibleAnnotations(ws) {
  return [...ws.annotations.values()].filter(a => !a.deleted && (!a.hidden || ws.mode === 'host'));
}

export function canWrite(ws) {
  return ws.session && ws.mode !== 'projection' && (!ws.locked || ws.mode === 'host');
}

// Saves an annotation. When the server cannot (its database is restarting, the connection is down) it is kept and
// sent again every few seconds and on reconnection until acknowledged, with the status saying so: a drawing made
// during an outage is not lost. Refusals (locked, removed, invalid) are shown and not retried.
export async function save(ws, id, input) {
  try {
    const ack = id
      ? await ws.connection.invoke('EditAnnotation', ws.session.roomId, id, input)
      : await ws.connection.invoke('AddAnnotation', ws.session.roomId, input);
    ws.unsent = ws.unsent.filter(u => u.input !== input);
    if (!ws.unsent.length) ws.ui.status(null);
    applyEvent(ws, ack);
  } catch (err) {
    const message = String(err?.message ?? err);
    const transient = ws.connection.state !== 'Connected' || message.includes('indisponible') || message.includes('unavailable') || message.includes('connection');
    if (!transient) { ws.unsent = ws.unsent.filter(u => u.input !== input); ws.ui.error(err); return; }
    if (!ws.unsent.some(u => u.input === input)) ws.unsent.push({ id, input });
    ws.ui.status(tr(`${ws.unsent.length} modification(s) en attente : le service est momentanément indisponible, nouvel essai dans quelques secondes…`,
      `${ws.unsent.length} change(s) waiting: the service is briefly unavailable, trying again in a few seconds…`));
    clearTimeout(ws.resendTimer);
    ws.resendTimer = setTimeout(() => resend(ws), 3000);
  }
}

async function resend(ws) {
  if (ws.connection.state !== 'Connected' || !ws.session) return; // onreconnected calls again
  for (const u of [...ws.unsent]) await save(ws, u.id, u.input);
}

// A new annotation's client id (a UUID): the server writes an annotation once per client id.
export function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // Outside a secure context (plain http on a venue's network) randomUUID is missing; getRandomValues is not.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map(x => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// The other writes (delete; the host's hide, lock, clear, remove a participant): applied once acknowledged.
export async function invokeWrite(ws, method, ...args) {
  try {
    applyEvent(ws, await ws.connection.invoke(method, ws.session.roomId, ...args));
  } catch (e) {
    ws.ui.error(e);
  }
}

// The host leads: its view goes to the room at most every VIEW_INTERVAL_MS (the server drops faster ones too).
export function shareView(ws, force) {
  if (ws.mode !== 'host' || !ws.session || ws.connection.state !== 'Connected') return;
  const now = Date.now();
  if (!force && ws.lastShared && now - ws.lastShared < VIEW_INTERVAL_MS) {
    clearTimeout(ws.shareTimer);
    ws.shareTimer = setTimeout(() => shareView(ws, true), VIEW_INTERVAL_MS);
    return;
  }
  ws.lastShared = now;
  const c = ws.map.getCenter();
  ws.view = { ...(ws.view ?? {}), lon: Math.round(c.lng * 1e5) / 1e5, lat: Math.round(c.lat * 1e5) / 1e5, zoom: Math.round(ws.map.getZoom() * 100) / 100 };
  ws.connection.invoke('ShareView', ws.session.roomId, ws.view).catch(e => ws.ui.error(e));
}
