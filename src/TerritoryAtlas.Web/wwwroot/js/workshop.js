// The workshop map (WorkshopPage.razor imports this module: start, stop): the choropleth of choropleth.js with the
// workshop's annotations drawn over it, kept live through the workshop hub. Three modules do the work, on one state
// object, and this one wires them:
//   workshop-hub.js      the hub client: connection, entering, events by sequence number and catch-up, writes
//   workshop-panel.js    the side panel: header, tools and note form, list, presence, host's controls, follow, legend
//   workshop-drawing.js  the map: annotation layers, labels, popups, the draft and the placing of points
// (workshop-text.js: the words in the page's language, and el). All user text is put in the page with textContent,
// never as HTML.
import { setLanguage, lang, tr } from './workshop-text.js';
import { loadSignalR, connectHub, disconnect } from './workshop-hub.js';
import { createMap, disposeMap, renderAnnotations, followView } from './workshop-drawing.js';
import * as panel from './workshop-panel.js';

export async function start(mapElement, panelElement, options) {
  setLanguage(options.lang);
  await loadSignalR();
  // The one state of the page (also window.atlasWorkshop, which tests read). Who writes what:
  //   the page (options)  code, mode ('host' | 'participant' | 'projection'), hostToken (and lang, legendWords: the
//                       legend's words, Maps/LegendWords)
  //   workshop-hub        connection, stopped, session, locked, lockSeq, annotations (id → newest state), lastSeq,
  //                       seen (sequences past a gap), gapTimer, present, hostView, unsent, resendTimer, lastShared,
  //                       shareTimer; view (the workshop's view: from the session, and the host's own)
  //   workshop-drawing    mapHandle, map, layersReady, labels (label markers by id), shownKey; the drawing in progress
  //                       with the panel: tool, draft (points placed), pending (awaiting its note)
  //   workshop-panel      panel, panelParts, status, error, errorTimer; view (the host's indicator and year);
  //                       following (with the drawing: moving the map stops following)
  //   here                ui (below), renderQueued
  const ws = {
    code: options.code, mode: options.mode, hostToken: options.hostToken,
    session: null, annotations: new Map(), lastSeq: 0, seen: new Set(), present: [],
    locked: false, following: options.mode !== 'host', hostView: null, view: null,
    tool: null, draft: [], labels: new Map(), stopped: false, error: null, status: tr('connexion…', 'connecting…'), unsent: [],
  };
  // What the hub client and the map tell the rest of the page: the modules below the panel call these, never the
  // panel itself.
  ws.ui = {
    status: text => panel.setStatus(ws, text),
    error: e => panel.showError(ws, e),
    askName: () => panel.askName(ws),
    header: () => panel.renderHeader(ws),
    presence: () => panel.renderPresence(ws),
    tools: () => panel.renderTools(ws),
    follow: () => panel.renderFollow(ws),
    legend: () => panel.renderLegend(ws),
    view: (view, immediate) => followView(ws, view, immediate),
    hostView: view => { if (ws.following) followView(ws, view); panel.renderFollow(ws); },
    annotations: () => scheduleRender(ws),
  };
  window.atlasWorkshop = ws;
  createMap(ws, mapElement, lang(), options.legendWords);
  ws.panel = panelElement;
  ws.panelParts = panel.buildPanel(ws);
  await connectHub(ws, lang());
  return ws;
}

export async function stop(ws) {
  await disconnect(ws);
  disposeMap(ws);
  if (window.atlasWorkshop === ws) window.atlasWorkshop = null;
}

// Annotations changed (an event, or a page of them on catch-up): the map and the list are drawn again once, at the
// next frame.
function scheduleRender(ws) {
  if (ws.renderQueued) return;
  ws.renderQueued = true;
  requestAnimationFrame(() => { ws.renderQueued = false; renderAnnotations(ws); panel.renderList(ws); });
}
