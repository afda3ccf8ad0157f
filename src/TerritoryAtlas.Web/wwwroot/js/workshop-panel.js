// The workshop's side panel: the header (title, code, role, lock), the status and errors, the name form, the drawing
// tools and the note form, following the host, the host's controls (lock, clear, exports, links, the projected map's
// indicator and year), the legend, who is present and the list of annotations. Text from people goes in with
// textContent only (el).
import { el, tr, kindLabel, formatTime, lang } from './workshop-text.js';
import { legendOf, renderLegend as renderMapLegend } from './map-legend.js';
import { canWrite, save, invokeWrite, shareView, visibleAnnotations, newClientId } from './workshop-hub.js';
import { drawDraft, placeAt, finishDraft, flyTo, followView } from './workshop-drawing.js';

export function buildPanel(ws) {
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

export function setStatus(ws, text) {
  ws.status = text;
  if (ws.panelParts) ws.panelParts.status.textContent = text ?? '';
}

export function showError(ws, e) {
  // Server refusals come as "HubException: <message>"; only the message is for people.
  const message = String(e?.message ?? e).replace(/^.*HubException: /, '');
  ws.error = message;
  ws.panelParts.error.textContent = message;
  clearTimeout(ws.errorTimer);
  ws.errorTimer = setTimeout(() => { ws.panelParts.error.textContent = ''; }, 8000);
}

export function askName(ws) {
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

export function renderHeader(ws) {
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

export function renderTools(ws) {
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
      // A new annotation carries an id made here, so sending it again (workshop-hub.js, save) can never draw it twice.
      const input = { kind: pending.kind, geometry: pending.geometry, note: textarea.value, colour: null, clientId: pending.id ? null : newClientId() };
      await save(ws, pending.id, input);
      renderTools(ws);
    },
  }, textarea,
  el('button', { type: 'submit', class: 'primary', 'data-testid': 'save-note', text: tr('Enregistrer', 'Save') }),
  el('button', { type: 'button', onclick: () => { ws.pending = null; ws.draft = []; drawDraft(ws); renderTools(ws); }, text: tr('Annuler', 'Cancel') }));
  setTimeout(() => textarea.focus(), 0);
  return form;
}

export function renderList(ws) {
  const list = ws.panelParts.list;
  const items = visibleAnnotations(ws).sort((a, b) => b.id - a.id);
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
        el('span', { text: `${kindLabel(a.kind)} · ${a.authorName} · ${formatTime(new Date(a.createdAt))}` })),
      el('div', { class: 'note', 'data-testid': 'annotation-note', text: a.note }),
      actions.length ? el('div', {}, ...actions) : null);
  }));
}

export function renderPresence(ws) {
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
      ...usable.map(i => el('option', { value: i.code, text: lang() === 'en' ? `${i.themeLabelEn} — ${i.labelEn}` : `${i.themeLabel} — ${i.label}`, selected: i.code === ws.view?.indicator })));
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

export function renderFollow(ws) {
  const parts = ws.panelParts;
  if (ws.mode !== 'participant' || !ws.session) { parts.follow.replaceChildren(); return; }
  parts.follow.replaceChildren(ws.following
    ? el('div', { class: 'status', 'data-testid': 'following', text: tr('Vous suivez la vue de l\'animation (déplacez la carte pour explorer).', 'You follow the host\'s view (move the map to explore).') })
    : el('button', { type: 'button', 'data-testid': 'follow', text: tr('Suivre à nouveau l\'animation', 'Follow the host again'), onclick: () => { ws.following = true; if (ws.hostView) followView(ws, ws.hostView); renderFollow(ws); } }));
}

export function renderLegend(ws) {
  const v = ws.mapHandle.values;
  const legend = ws.panelParts.legend;
  if (!v) { legend.replaceChildren(); return; }
  renderMapLegend(legend, legendOf(v, lang()), `${v.label} (${v.year})`);
}
