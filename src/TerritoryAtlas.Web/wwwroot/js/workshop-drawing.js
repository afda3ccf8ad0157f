// The workshop's map: the choropleth of choropleth.js showing the workshop's view, the annotations drawn over it
// (MapLibre layers; labels as HTML markers whose text is set with textContent; a popup on click), and the drawing of a
// new one: the tool's draft, each point placed by a click, or by Enter or a button at the map's centre.
import * as maplibregl from '../lib/maplibre-gl/maplibre-gl.mjs';
import * as choropleth from './choropleth.js';
import { el, kindLabel } from './workshop-text.js';
import { canWrite, shareView, visibleAnnotations } from './workshop-hub.js';

const ANNOTATIONS = 'workshop-annotations';
const DRAFT = 'workshop-draft';

export function createMap(ws, mapElement, lang, legendWords) {
  ws.mapHandle = choropleth.create(mapElement, { lang, legendWords });
  ws.map = ws.mapHandle.map;
  ws.map.on('load', () => setUpLayers(ws));
}

export function disposeMap(ws) {
  choropleth.dispose(ws.mapHandle);
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
  map.on('movestart', e => { if (e.originalEvent && ws.mode === 'participant' && ws.following) { ws.following = false; ws.ui.follow(); } });
  map.on('moveend', () => shareView(ws));
  ws.layersReady = true;
  renderAnnotations(ws);
}

export function renderAnnotations(ws) {
  if (!ws.layersReady) return;
  const shown = visibleAnnotations(ws);
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

// Places a point of the tool's drawing: a point or a label is then ready for its note (ws.pending), a line or an area
// takes one more vertex.
export function placeAt(ws, lngLat) {
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
  ws.ui.tools();
}

// Ends a line or an area: ready for its note (ws.pending) when it has enough vertices.
export function finishDraft(ws) {
  const points = ws.draft;
  if (ws.tool === 'line' && points.length >= 2) {
    ws.pending = { kind: 'line', geometry: { type: 'LineString', coordinates: points } };
  } else if (ws.tool === 'polygon' && points.length >= 3) {
    ws.pending = { kind: 'polygon', geometry: { type: 'Polygon', coordinates: [[...points, points[0]]] } };
  } else {
    ws.ui.error(ws.tool === 'line' ? 'Une ligne demande au moins deux points.' : 'Une zone demande au moins trois points.');
    return;
  }
  ws.tool = null;
  ws.ui.tools();
}

export function drawDraft(ws) {
  if (!ws.layersReady) return;
  const features = ws.draft.map(c => ({ type: 'Feature', geometry: { type: 'Point', coordinates: c }, properties: {} }));
  if (ws.draft.length >= 2) features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: ws.draft }, properties: {} });
  ws.map.getSource(DRAFT).setData({ type: 'FeatureCollection', features });
}

export function flyTo(ws, a) {
  const coords = a.geometry.type === 'Point' ? [a.geometry.coordinates] : a.geometry.type === 'LineString' ? a.geometry.coordinates : a.geometry.coordinates[0];
  if (coords.length === 1) {
    ws.map.flyTo({ center: coords[0], zoom: Math.max(ws.map.getZoom(), 11) });
  } else {
    const bounds = coords.reduce((b, c) => b.extend(c), new maplibregl.LngLatBounds(coords[0], coords[0]));
    ws.map.fitBounds(bounds, { padding: 60, maxZoom: 14 });
  }
}

// Shows a view: moves the map, and re-colours it when the indicator, year or level changed.
export function followView(ws, view, immediate) {
  if (!view) return;
  const camera = { center: [view.lon, view.lat], zoom: view.zoom };
  if (immediate) ws.map.jumpTo(camera); else ws.map.easeTo({ ...camera, duration: 400 });
  const key = `${view.level}/${view.indicator}/${view.year}`;
  if (view.level && view.indicator && view.year && key !== ws.shownKey) {
    ws.shownKey = key;
    choropleth.show(ws.mapHandle, { level: view.level, indicator: view.indicator, year: view.year })
      .then(() => { raiseAnnotations(ws); ws.ui.legend(); })
      .catch(e => ws.ui.error(e));
  }
}

// The choropleth adds its layers when the level changes: annotations stay on top of them.
function raiseAnnotations(ws) {
  for (const id of ['annotation-fill', 'annotation-line', 'annotation-point', 'draft-line', 'draft-point']) {
    if (ws.map.getLayer(id)) ws.map.moveLayer(id);
  }
}
