// The workshop map: the choropleth of choropleth.js, with the room's annotations drawn over it, kept live through
// the workshop hub (/hubs/workshop, protocol in the README). Every change the server accepts carries the room's
// sequence number; this module applies events idempotently (an annotation only takes a newer state), keeps the
// highest sequence up to which it has seen everything, and after a reconnection asks for what came after it.
// All user text is put in the page with textContent, never as HTML.
import * as maplibregl from '../lib/maplibre-gl/maplibre-gl.mjs';
import * as choropleth from './choropleth.js';
import { legendOf, renderLegend as renderMapLegend } from './map-legend.js';

const ANNOTATIONS = 'workshop-annotations';
const DRAFT = 'workshop-draft';
const VIEW_INTERVAL_MS = 250;

function loadSignalR() {
  if (window.signalR) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/lib/signalr/signalr.min.js';
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('signalr.min.js could not be loaded'));
    document.head.append(script);
  });
}

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes ?? {})) {
    if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? '' : value);
  }
  node.append(...children.filter(c => c !== null && c !== undefined));
  return node;
}

// The page's language (options.lang: 'fr' by default, 'en'): one workshop per page, so one module-wide setting.
let english = false;
const tr = (french, englishText) => (english ? englishText : french);
const kindLabel = kind => ({ point: 'Point', line: tr('Ligne', 'Line'), polygon: tr('Zone', 'Area'), label: tr('Étiquette', 'Label') })[kind] ?? kind;
let timeFormat = new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit' });

export async function start(mapElement, panel, options) {
  english = options.lang === 'en';
  timeFormat = new Intl.DateTimeFormat(english ? 'en-GB' : 'fr-FR', { hour: '2-digit', minute: '2-digit' });
  await loadSignalR();
  const ws = {
    code: options.code, mode: options.mode, hostToken: options.hostToken,
    session: null, annotations: new Map(), lastSeq: 0, seen: new Set(), present: [],
    locked: false, following: options.mode !== 'host', hostView: null, view: null,
    tool: null, draft: [], labels: new Map(), stopped: false, error: null, status: tr('connexion…', 'connecting…'), unsent: [],
  };
  window.atlasWorkshop = ws;
  ws.mapHandle = choropleth.create(mapElement, { lang: english ? 'en' : 'fr' });
  ws.map = ws.mapHandle.map;
  ws.map.on('load', () => setUpLayers(ws));
  ws.panel = panel;
  ws.panelParts = buildPanel(ws);

  ws.connection = new signalR.HubConnectionBuilder()
    .withUrl(`/hubs/workshop?lang=${english ? 'en' : 'fr'}`)
    // Keep trying for as long as the page is open: a restarted server comes back within seconds.
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => Math.min(5000, 500 * (ctx.previousRetryCount + 1)) })
    .build();
  ws.connection.on('Event', e => applyEvent(ws, e));
  ws.connection.on('Presence', list => { ws.present = list; renderPresence(ws); });
  ws.connection.on('ViewChanged', view => { ws.hostView = view; if (ws.following) followView(ws, view); renderFollow(ws); });
  ws.connection.on('Removed', () => { setStatus(ws, tr('L\'animation vous a retiré de cet atelier.', 'The host removed you from this workshop.')); ws.stopped = true; ws.connection.stop(); });
  ws.connection.onreconnecting(() => setStatus(ws, tr('connexion perdue, reconnexion…', 'connection lost, reconnecting…')));
  // A new connection has no room yet: enter again (the group is rejoined), then catch up from the last sequence.
  ws.connection.onreconnected(async () => { await enterAndSync(ws); await resend(ws); });
  ws.connection.onclose(() => { if (!ws.stopped) setTimeout(() => connect(ws), 2000); });
  await connect(ws);
  return ws;
}

export async function stop(ws) {
  ws.stopped = true;
  await ws.connection?.stop();
  choropleth.dispose(ws.mapHandle);
  if (window.atlasWorkshop === ws) window.atlasWorkshop = null;
}

async function connect(ws) {
  if (ws.stopped) return;
  try {
    await ws.connection.start();
    await enterAndSync(ws);
  } catch (e) {
    setStatus(ws, tr('serveur injoignable, nouvel essai…', 'server unreachable, trying again…'));
    setTimeout(() => connect(ws), 2000);
  }
}

async function enterAndSync(ws) {
  try {
    ws.session = await enter(ws);
    if (!ws.session) return;
    ws.locked = ws.session.locked;
    setStatus(ws, null);
    renderHeader(ws);
    if (!ws.view) {
      ws.view = ws.session.view;
      followView(ws, ws.session.view, true);
    }
    await sync(ws);
    ws.present = await ws.connection.invoke('Presence', ws.session.roomId);
    renderPresence(ws);
  } catch (e) {
    showError(ws, e);
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
  const name = await askName(ws);
  const session = await ws.connection.invoke('Join', ws.code, name);
  localStorage.setItem(key, session.token);
  return session;
}

function askName(ws) {
  return new Promise(resolve => {
    const input = el('input', { type: 'text', maxlength: '60', placeholder: tr('Votre prénom ou pseudonyme', 'Your first name or a nickname'), 'data-testid': 'display-name', 'aria-label': tr('Nom affiché', 'Display name') });
    const form = el('form', {
      onsubmit: e => {
        e.preventDefault();
        if (!input.value.trim()) return;
        form.remove();
        resolve(input.value.trim());
      },
    }, el('h3', { text: tr('Rejoindre l\'atelier', 'Join the workshop') }), input, el('button', { type: 'submit', class: 'primary', 'data-testid': 'join', text: tr('Rejoindre', 'Join') }));
    ws.panelParts.join.replaceChildren(form);
    input.focus();
  });
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
    if (!ws.lockSeq || ws.lockSeq < e.seq) { ws.lockSeq = e.seq; ws.locked = e.type === 'locked'; renderHeader(ws); }
  }
  if (e.type === 'participantRemoved' && ws.session && e.participantId === ws.session.participantId) {
    ws.stopped = true;
    setStatus(ws, tr('L\'animation vous a retiré de cet atelier.', 'The host removed you from this workshop.'));
    ws.connection.stop();
  }
  scheduleRender(ws);
}

function visible(ws) {
  return [...ws.annotations.values()].filter(a => !a.deleted && (!a.hidden || ws.mode === 'host'));
}

function scheduleRender(ws) {
  if (ws.renderQueued) return;
  ws.renderQueued = true;
  requestAnimationFrame(() => { ws.renderQueued = false; renderAnnotations(ws); renderList(ws); });
}

function setUpLayers(ws) {
  const map = ws.map;
  map.addSource(ANNOTATIONS, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addSource(DRAFT, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  const opacity = ['case', ['get', 'hidden'], 0.35, 1];
  map.addLayer({ id: 'annotation-fill', type: 'fill', source: ANNOTATIONS, filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': ['get', 'colour'], 'fill-opacity': ['*', 0.25, opacity] } });
  map.addLayer({ id: 'annotation-line', type: 'line', source: ANNOTATIONS, filter: ['!=', ['geometry-type'], 'Point'], paint: { 'line-color': ['get', 'colour'], 'line-width': 3, 'line-opacity': opacity } });
  map.addLayer({ id: 'annotation-point', type: 'circle', source: ANNOTATIONS, filter: ['all', ['==', ['geometry-type'], 'Point'], ['!=', ['get', 'kind'], 'label']], paint: { 'circle-color': ['get', 'colour'], 'circle-radius': 7, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2, 'circle-opacity': opacity } });
  map.addLayer({ id: 'draft-line', type: 'line', source: DRAFT, paint: { 'line-color': '#333', 'line-width': 2, 'line-dasharray': [2, 1] } });
  map.addLayer({ id: 'draft-point', type: 'circle', source: DRAFT, filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-color': '#333', 'circle-radius': 4 } });
  map.on('click', e => onMapClick(ws, e));
  map.getCanvas().addEventListener('keydown', e => onMapKey(ws, e));
  map.on('click', 'annotation-point', e => { if (!ws.tool && !e.originalEvent.workshopDrawing) showPopup(ws, e.features[0].id, e.lngLat); });
  map.on('click', 'annotation-fill', e => { if (!ws.tool && !e.originalEvent.workshopDrawing) showPopup(ws, e.features[0].id, e.lngLat); });
  map.on('click', 'annotation-line', e => { if (!ws.tool && !e.originalEvent.workshopDrawing) showPopup(ws, e.features[0].id, e.lngLat); });
  // A participant who moves the map explores on their own until they choose to follow again.
  map.on('movestart', e => { if (e.originalEvent && ws.mode === 'participant' && ws.following) { ws.following = false; renderFollow(ws); } });
  map.on('moveend', () => shareView(ws));
  ws.layersReady = true;
  renderAnnotations(ws);
}

function renderAnnotations(ws) {
  if (!ws.layersReady) return;
  const shown = visible(ws);
  ws.map.getSource(ANNOTATIONS).setData({
    type: 'FeatureCollection',
    features: shown.map(a => ({ type: 'Feature', id: a.id, geometry: a.geometry, properties: { id: a.id, kind: a.kind, colour: a.colour, hidden: a.hidden } })),
  });
  // Labels are HTML markers whose text is set with textContent (no glyph server needed, no markup possible).
  const wanted = new Set(shown.filter(a => a.kind === 'label').map(a => a.id));
  for (const [id, marker] of ws.labels) {
    if (!wanted.has(id)) { marker.remove(); ws.labels.delete(id); }
  }
  for (const a of shown.filter(a => a.kind === 'label')) {
    let marker = ws.labels.get(a.id);
    if (!marker) {
      marker = new maplibregl.Marker({ element: el('div', { class: 'atlas-workshop-label' }) });
      ws.labels.set(a.id, marker);
      marker.setLngLat(a.geometry.coordinates).addTo(ws.map);
    }
    const node = marker.getElement();
    node.textContent = a.note;
    node.style.borderColor = a.colour;
    node.style.opacity = a.hidden ? '0.4' : '1';
    marker.setLngLat(a.geometry.coordinates);
  }
}

function showPopup(ws, id, lngLat) {
  const a = ws.annotations.get(id);
  if (!a) return;
  const node = el('div', {}, el('strong', { text: a.authorName }), el('div', { class: 'note', text: a.note || kindLabel(a.kind) }));
  new maplibregl.Popup({ closeButton: true }).setLngLat(lngLat).setDOMContent(node).addTo(ws.map);
}

function canWrite(ws) {
  return ws.session && ws.mode !== 'projection' && (!ws.locked || ws.mode === 'host');
}

function buildPanel(ws) {
  const parts = {
    header: el('div'), status: el('div', { class: 'status', 'data-testid': 'workshop-status', 'aria-live': 'polite' }),
    error: el('div', { class: 'error', role: 'alert', 'data-testid': 'workshop-error' }), join: el('div'),
    tools: el('div'), follow: el('div'), host: el('div'), presence: el('div'), legend: el('div', { class: 'atlas-workshop-legend' }),
    list: el('ul', { 'data-testid': 'annotation-list' }),
  };
  ws.panel.replaceChildren(parts.header, parts.status, parts.error, parts.join, parts.tools, parts.follow, parts.host,
    parts.legend, parts.presence, el('h3', { text: 'Annotations' }), parts.list);
  setStatus(ws, ws.status);
  return parts;
}

function setStatus(ws, text) {
  ws.status = text;
  if (ws.panelParts) ws.panelParts.status.textContent = text ?? '';
}

function showError(ws, e) {
  // Server refusals come as "HubException: <message>"; only the message is for people.
  const message = String(e?.message ?? e).replace(/^.*HubException: /, '');
  ws.error = message;
  ws.panelParts.error.textContent = message;
  clearTimeout(ws.errorTimer);
  ws.errorTimer = setTimeout(() => { ws.panelParts.error.textContent = ''; }, 8000);
}

function renderHeader(ws) {
  const s = ws.session;
  if (!s) return;
  const role = ws.mode === 'host' ? tr('animation', 'host') : ws.mode === 'projection' ? 'projection' : s.displayName;
  ws.panelParts.header.replaceChildren(
    el('h2', { text: s.title }),
    el('div', { class: 'meta' }, el('span', { text: `${tr('Code : ', 'Code: ')}${s.joinCode}` }), el('span', { text: ` · ${role}` }),
      ws.locked ? el('strong', { 'data-testid': 'locked', text: tr(' · verrouillé', ' · locked') }) : null),
  );
  renderTools(ws);
  renderHost(ws);
  renderFollow(ws);
  renderLegend(ws);
}

function renderTools(ws) {
  const parts = ws.panelParts;
  if (ws.mode === 'projection' || !ws.session) { parts.tools.replaceChildren(); return; }
  if (!canWrite(ws)) { parts.tools.replaceChildren(el('div', { class: 'status', text: tr('L\'atelier est verrouillé : lecture seule.', 'The workshop is locked: read only.') })); return; }
  const button = (tool, label) => el('button', {
    type: 'button', class: ws.tool === tool ? 'active' : null, 'data-testid': `tool-${tool}`,
    onclick: () => { ws.tool = ws.tool === tool ? null : tool; ws.draft = []; drawDraft(ws); renderTools(ws); },
    text: label,
  });
  const children = [el('h3', { text: tr('Dessiner', 'Draw') }), button('point', kindLabel('point')), button('line', kindLabel('line')), button('polygon', kindLabel('polygon')), button('label', kindLabel('label'))];
  // Without a mouse: the map pans with the arrow keys (its canvas takes the focus), and the centre, marked by a
  // cross while a tool is on, is placed by this button or by Enter on the map.
  const placeCentre = () => el('button', { type: 'button', 'data-testid': 'place-centre', onclick: () => placeAt(ws, ws.map.getCenter()), text: tr('Placer au centre de la carte', 'Place at the map\'s centre') });
  if (ws.tool === 'line' || ws.tool === 'polygon') {
    children.push(el('div', { class: 'status', text: tr(`Cliquez les sommets (${ws.draft.length}), puis « Terminer ».`, `Click the vertices (${ws.draft.length}), then “Finish”.`) }), placeCentre(),
      el('button', { type: 'button', class: 'primary', 'data-testid': 'finish', onclick: () => finishDraft(ws), text: tr('Terminer', 'Finish') }));
  } else if (ws.tool) {
    children.push(el('div', { class: 'status', text: tr('Cliquez sur la carte (ou déplacez-la avec les flèches, puis Entrée).', 'Click the map (or move it with the arrow keys, then Enter).') }), placeCentre());
  }
  ws.map.getContainer().classList.toggle('atlas-drawing', !!ws.tool);
  if (ws.pending) children.push(noteForm(ws));
  parts.tools.replaceChildren(...children);
}

function noteForm(ws) {
  const textarea = el('textarea', { rows: '3', maxlength: '2000', placeholder: ws.pending.kind === 'label' ? tr('Texte de l\'étiquette', 'Label text') : tr('Note (facultative)', 'Note (optional)'), 'data-testid': 'note', 'aria-label': 'Note' });
  textarea.value = ws.pending.note ?? '';
  const form = el('form', {
    onsubmit: async e => {
      e.preventDefault();
      const pending = ws.pending;
      ws.pending = null;
      // A new annotation carries an id made here, so sending it again (below) can never draw it twice.
      const input = { kind: pending.kind, geometry: pending.geometry, note: textarea.value, colour: null, clientId: pending.id ? null : newId() };
      await save(ws, pending.id, input);
      renderTools(ws);
    },
  }, textarea,
  el('button', { type: 'submit', class: 'primary', 'data-testid': 'save-note', text: tr('Enregistrer', 'Save') }),
  el('button', { type: 'button', onclick: () => { ws.pending = null; ws.draft = []; drawDraft(ws); renderTools(ws); }, text: tr('Annuler', 'Cancel') }));
  setTimeout(() => textarea.focus(), 0);
  return form;
}

// Saves an annotation. When the server cannot (its database is restarting, the connection is down) it is kept and
// sent again every few seconds and on reconnection until acknowledged, with the status saying so: a drawing made
// during an outage is not lost. Refusals (locked, removed, invalid) are shown and not retried.
async function save(ws, id, input) {
  try {
    const ack = id
      ? await ws.connection.invoke('EditAnnotation', ws.session.roomId, id, input)
      : await ws.connection.invoke('AddAnnotation', ws.session.roomId, input);
    ws.unsent = ws.unsent.filter(u => u.input !== input);
    if (!ws.unsent.length) setStatus(ws, null);
    applyEvent(ws, ack);
  } catch (err) {
    const message = String(err?.message ?? err);
    const transient = ws.connection.state !== 'Connected' || message.includes('indisponible') || message.includes('unavailable') || message.includes('connection');
    if (!transient) { ws.unsent = ws.unsent.filter(u => u.input !== input); showError(ws, err); return; }
    if (!ws.unsent.some(u => u.input === input)) ws.unsent.push({ id, input });
    setStatus(ws, tr(`${ws.unsent.length} modification(s) en attente : le service est momentanément indisponible, nouvel essai dans quelques secondes…`,
      `${ws.unsent.length} change(s) waiting: the service is briefly unavailable, trying again in a few seconds…`));
    clearTimeout(ws.resendTimer);
    ws.resendTimer = setTimeout(() => resend(ws), 3000);
  }
}

async function resend(ws) {
  if (ws.connection.state !== 'Connected' || !ws.session) return; // onreconnected calls again
  for (const u of [...ws.unsent]) await save(ws, u.id, u.input);
}

function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // Outside a secure context (plain http on a venue's network) randomUUID is missing; getRandomValues is not.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map(x => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function round(c) {
  return [Math.round(c.lng * 1e6) / 1e6, Math.round(c.lat * 1e6) / 1e6];
}

function onMapClick(ws, e) {
  if (!ws.tool || !canWrite(ws)) return;
  // This click draws: the annotation under it must not open its popup too.
  e.originalEvent.workshopDrawing = true;
  placeAt(ws, e.lngLat);
}

function onMapKey(ws, e) {
  if (e.key !== 'Enter' || !ws.tool || !canWrite(ws)) return;
  e.preventDefault();
  placeAt(ws, ws.map.getCenter());
}

function placeAt(ws, lngLat) {
  if (!ws.tool || !canWrite(ws)) return;
  const at = round(lngLat);
  if (ws.tool === 'point' || ws.tool === 'label') {
    ws.pending = { kind: ws.tool, geometry: { type: 'Point', coordinates: at } };
    ws.tool = null;
    ws.draft = [at];
  } else {
    ws.draft.push(at);
  }
  drawDraft(ws);
  renderTools(ws);
}

function finishDraft(ws) {
  const points = ws.draft;
  if (ws.tool === 'line' && points.length >= 2) {
    ws.pending = { kind: 'line', geometry: { type: 'LineString', coordinates: points } };
  } else if (ws.tool === 'polygon' && points.length >= 3) {
    ws.pending = { kind: 'polygon', geometry: { type: 'Polygon', coordinates: [[...points, points[0]]] } };
  } else {
    showError(ws, ws.tool === 'line' ? 'Une ligne demande au moins deux points.' : 'Une zone demande au moins trois points.');
    return;
  }
  ws.tool = null;
  renderTools(ws);
}

function drawDraft(ws) {
  if (!ws.layersReady) return;
  const features = ws.draft.map(c => ({ type: 'Feature', geometry: { type: 'Point', coordinates: c }, properties: {} }));
  if (ws.draft.length >= 2) features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: ws.draft }, properties: {} });
  ws.map.getSource(DRAFT).setData({ type: 'FeatureCollection', features });
}

function renderList(ws) {
  const list = ws.panelParts.list;
  const items = visible(ws).sort((a, b) => b.id - a.id);
  const mine = id => ws.session && (ws.mode === 'host' || id === ws.session.participantId);
  list.replaceChildren(...items.map(a => {
    const actions = [];
    if (ws.mode !== 'projection' && mine(a.authorId) && canWrite(ws)) {
      actions.push(el('button', { type: 'button', text: tr('Modifier', 'Edit'), onclick: e => { e.stopPropagation(); ws.pending = { id: a.id, kind: a.kind, geometry: a.geometry, note: a.note }; renderTools(ws); } }));
      actions.push(el('button', { type: 'button', text: tr('Supprimer', 'Delete'), 'data-testid': 'delete', onclick: e => { e.stopPropagation(); invokeWrite(ws, 'DeleteAnnotation', a.id); } }));
    }
    if (ws.mode === 'host') {
      actions.push(el('button', { type: 'button', text: a.hidden ? tr('Montrer', 'Show') : tr('Masquer', 'Hide'), onclick: e => { e.stopPropagation(); invokeWrite(ws, 'SetHidden', a.id, !a.hidden); } }));
    }
    return el('li', { class: `annotation${a.hidden ? ' hidden' : ''}`, 'data-testid': 'annotation', 'data-id': String(a.id), onclick: () => flyTo(ws, a) },
      el('div', { class: 'meta' }, el('span', { class: 'atlas-dot', style: `background:${a.colour}` }),
        el('span', { text: `${kindLabel(a.kind)} · ${a.authorName} · ${timeFormat.format(new Date(a.createdAt))}` })),
      el('div', { class: 'note', 'data-testid': 'annotation-note', text: a.note }),
      actions.length ? el('div', {}, ...actions) : null);
  }));
}

async function invokeWrite(ws, method, ...args) {
  try {
    applyEvent(ws, await ws.connection.invoke(method, ws.session.roomId, ...args));
  } catch (e) {
    showError(ws, e);
  }
}

function flyTo(ws, a) {
  const coords = a.geometry.type === 'Point' ? [a.geometry.coordinates] : a.geometry.type === 'LineString' ? a.geometry.coordinates : a.geometry.coordinates[0];
  if (coords.length === 1) {
    ws.map.flyTo({ center: coords[0], zoom: Math.max(ws.map.getZoom(), 11) });
  } else {
    const bounds = coords.reduce((b, c) => b.extend(c), new maplibregl.LngLatBounds(coords[0], coords[0]));
    ws.map.fitBounds(bounds, { padding: 60, maxZoom: 14 });
  }
}

function renderPresence(ws) {
  const parts = ws.panelParts;
  parts.presence.replaceChildren(el('h3', { text: `${tr('Présents', 'Present')} (${ws.present.length})` }),
    el('ul', { 'data-testid': 'presence' }, ...ws.present.map(p => el('li', {},
      el('span', { class: 'atlas-dot', style: `background:${p.colour}` }),
      el('span', { text: p.isHost ? `${p.displayName} (${tr('animation', 'host')})` : p.displayName }),
      ws.mode === 'host' && !p.isHost
        ? el('button', { type: 'button', text: tr('Retirer', 'Remove'), onclick: () => { if (confirm(tr(`Retirer ${p.displayName} de l'atelier ?`, `Remove ${p.displayName} from the workshop?`))) invokeWrite(ws, 'RemoveParticipant', p.participantId); } })
        : null))));
}

function renderHost(ws) {
  const parts = ws.panelParts;
  if (ws.mode !== 'host' || !ws.session) { parts.host.replaceChildren(); return; }
  const roomId = ws.session.roomId;
  const token = encodeURIComponent(ws.hostToken);
  parts.host.replaceChildren(el('h3', { text: tr('Animation', 'Hosting') }),
    el('button', { type: 'button', 'data-testid': 'lock', text: ws.locked ? tr('Déverrouiller', 'Unlock') : tr('Verrouiller', 'Lock'), onclick: () => invokeWrite(ws, 'SetLocked', !ws.locked) }),
    el('button', { type: 'button', text: tr('Tout effacer', 'Clear all'), onclick: () => { if (confirm(tr('Effacer toutes les annotations ?', 'Clear every annotation?'))) invokeWrite(ws, 'ClearAnnotations'); } }),
    el('div', {}, el('a', { href: `/api/workshops/${roomId}/annotations.geojson?host=${token}`, download: 'atelier.geojson', text: tr('Exporter en GeoJSON', 'Export as GeoJSON') }),
      el('span', { text: ' · ' }), el('a', { href: `/api/workshops/${roomId}/summary.csv?host=${token}`, text: tr('Synthèse CSV', 'CSV summary') })),
    el('div', { class: 'meta', text: tr(`Participants : ${location.origin}/atelier/${ws.session.joinCode} · projection : /atelier/${ws.session.joinCode}/projection`,
      `Participants: ${location.origin}/atelier/${ws.session.joinCode}?lang=en · projection: /atelier/${ws.session.joinCode}/projection?lang=en`) }),
    indicatorPicker(ws));
}

function indicatorPicker(ws) {
  const wrapper = el('div');
  fetch('/api/indicators').then(r => r.json()).then(catalogue => {
    const level = ws.view?.level ?? 'departement';
    const usable = catalogue.filter(i => i.levels.includes(level));
    const indicator = el('select', { 'aria-label': tr('Indicateur', 'Indicator'), onchange: () => { pickYear(); } },
      ...usable.map(i => el('option', { value: i.code, text: english ? `${i.themeLabelEn} — ${i.labelEn}` : `${i.themeLabel} — ${i.label}`, selected: i.code === ws.view?.indicator })));
    const year = el('select', { 'aria-label': tr('Année', 'Year'), onchange: () => applyPick() });
    const pickYear = () => {
      const chosen = usable.find(i => i.code === indicator.value);
      const years = [...(chosen?.yearsByLevel?.[level] ?? [])].reverse();
      year.replaceChildren(...years.map(y => el('option', { value: String(y), text: String(y), selected: y === ws.view?.year })));
      applyPick();
    };
    const applyPick = () => {
      ws.view = { ...ws.view, level, indicator: indicator.value, year: Number(year.value) };
      followView(ws, ws.view);
      shareView(ws, true);
    };
    wrapper.replaceChildren(el('h3', { text: tr('Carte projetée', 'Projected map') }), indicator, year);
    const chosen = usable.find(i => i.code === indicator.value);
    year.replaceChildren(...[...(chosen?.yearsByLevel?.[level] ?? [])].reverse().map(y => el('option', { value: String(y), text: String(y), selected: y === ws.view?.year })));
  }).catch(() => {});
  return wrapper;
}

function renderFollow(ws) {
  const parts = ws.panelParts;
  if (ws.mode !== 'participant' || !ws.session) { parts.follow.replaceChildren(); return; }
  parts.follow.replaceChildren(ws.following
    ? el('div', { class: 'status', 'data-testid': 'following', text: tr('Vous suivez la vue de l\'animation (déplacez la carte pour explorer).', 'You follow the host\'s view (move the map to explore).') })
    : el('button', { type: 'button', 'data-testid': 'follow', text: tr('Suivre à nouveau l\'animation', 'Follow the host again'), onclick: () => { ws.following = true; if (ws.hostView) followView(ws, ws.hostView); renderFollow(ws); } }));
}

// Shows a view: moves the map, and re-colours it when the indicator, year or level changed.
function followView(ws, view, immediate) {
  if (!view) return;
  const camera = { center: [view.lon, view.lat], zoom: view.zoom };
  if (immediate) ws.map.jumpTo(camera); else ws.map.easeTo({ ...camera, duration: 400 });
  const key = `${view.level}/${view.indicator}/${view.year}`;
  if (view.level && view.indicator && view.year && key !== ws.shownKey) {
    ws.shownKey = key;
    choropleth.show(ws.mapHandle, { level: view.level, indicator: view.indicator, year: view.year })
      .then(() => { raiseAnnotations(ws); renderLegend(ws); })
      .catch(e => showError(ws, e));
  }
}

// The choropleth adds its layers when the level changes: annotations stay on top of them.
function raiseAnnotations(ws) {
  for (const id of ['annotation-fill', 'annotation-line', 'annotation-point', 'draft-line', 'draft-point']) {
    if (ws.map.getLayer(id)) ws.map.moveLayer(id);
  }
}

// The host leads: its view goes to the room at most every VIEW_INTERVAL_MS (the server drops faster ones too).
function shareView(ws, force) {
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
  ws.connection.invoke('ShareView', ws.session.roomId, ws.view).catch(e => showError(ws, e));
}

function renderLegend(ws) {
  const v = ws.mapHandle.values;
  const legend = ws.panelParts.legend;
  if (!v) { legend.replaceChildren(); return; }
  renderMapLegend(legend, legendOf(v, english ? 'en' : 'fr'), `${v.label} (${v.year})`);
}
