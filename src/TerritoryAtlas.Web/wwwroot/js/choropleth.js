// The choropleth map: territory outlines come as vector tiles (geometry only, cached for a data version);
// the figures of one indicator and year come as a compact JSON array and are applied as feature-state, so
// changing the year or the indicator re-colours the map without reloading a single polygon.
import * as maplibregl from '../lib/maplibre-gl/maplibre-gl.mjs';

const SOURCE = 'territories';
const SOURCE_LAYER = 'territories';

function hatchImage() {
  const size = 8;
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const on = (x + y) % size < 2;
      const i = (y * size + x) * 4;
      data.set(on ? [110, 110, 110, 255] : [235, 235, 235, 255], i);
    }
  }
  return { width: size, height: size, data };
}

function formatNumber(value, decimals, lang) {
  return value.toLocaleString(lang === 'en' ? 'en-GB' : 'fr-FR', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function create(element, options) {
  const map = new maplibregl.Map({
    container: element,
    style: {
      version: 8,
      sources: {},
      layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f6f8' } }],
    },
    bounds: [[-5.5, 41.2], [9.8, 51.2]],
    fitBoundsOptions: { padding: 16 },
    attributionControl: { compact: true, customAttribution: 'IGN ADMIN EXPRESS, INSEE, DREES — Licence Ouverte' },
    // Kept so the canvas can be read back (PNG export, tests); MapLibre 5+ takes it here.
    canvasContextAttributes: { preserveDrawingBuffer: true },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  const handle = { map, level: null, dataVersion: null, values: null, lang: options?.lang ?? 'fr', ready: null, painted: 0 };
  handle.ready = new Promise(resolve => map.on('load', () => {
    map.addImage('hatch', hatchImage());
    resolve();
  }));

  const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false });
  map.on('mousemove', 'territory-fill', e => {
    const feature = e.features?.[0];
    if (!feature) return;
    map.getCanvas().style.cursor = 'pointer';
    const state = map.getFeatureState({ source: SOURCE, sourceLayer: SOURCE_LAYER, id: feature.id });
    const v = handle.values;
    let text;
    if (state.status === 'suppressed') text = handle.lang === 'en' ? 'statistical secrecy' : 'secret statistique';
    else if (state.value === undefined || state.value === null) text = handle.lang === 'en' ? 'no data' : 'donnée non disponible';
    else text = `${formatNumber(state.value, v.decimals, handle.lang)} ${v.unit}`;
    const node = document.createElement('div');
    const title = document.createElement('strong');
    title.textContent = `${feature.properties.name} (${feature.id})`;
    const body = document.createElement('div');
    body.textContent = text;
    node.append(title, body);
    popup.setLngLat(e.lngLat).setDOMContent(node).addTo(map);
  });
  map.on('mouseleave', 'territory-fill', () => { map.getCanvas().style.cursor = ''; popup.remove(); });

  window.atlasMaps = window.atlasMaps || [];
  window.atlasMaps.push(handle);
  return handle;
}

function ensureLevel(handle, level, dataVersion) {
  const map = handle.map;
  if (handle.level === level && handle.dataVersion === dataVersion) return;
  for (const id of ['territory-line', 'territory-suppressed', 'territory-fill']) {
    if (map.getLayer(id)) map.removeLayer(id);
  }
  if (map.getSource(SOURCE)) map.removeSource(SOURCE);
  map.addSource(SOURCE, {
    type: 'vector',
    tiles: [`${location.origin}/tiles/${level}/{z}/{x}/{y}.mvt?v=${dataVersion}`],
    minzoom: 0,
    maxzoom: 12,
    // INSEE codes are not integers (2A, 2B, 97411): the code property becomes the feature id.
    promoteId: 'code',
  });
  map.addLayer({ id: 'territory-fill', type: 'fill', source: SOURCE, 'source-layer': SOURCE_LAYER, paint: { 'fill-color': '#d9d9d9' } });
  map.addLayer({
    id: 'territory-suppressed', type: 'fill', source: SOURCE, 'source-layer': SOURCE_LAYER,
    paint: { 'fill-pattern': 'hatch', 'fill-opacity': ['case', ['==', ['feature-state', 'status'], 'suppressed'], 1, 0] },
  });
  map.addLayer({
    id: 'territory-line', type: 'line', source: SOURCE, 'source-layer': SOURCE_LAYER,
    paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 3, 0.3, 8, 1.2] },
  });
  handle.level = level;
  handle.dataVersion = dataVersion;
}

// Colours the map with the figures of one (level, indicator, year). Returns a short summary for the caller.
export async function show(handle, request) {
  await handle.ready;
  const params = new URLSearchParams({ classification: request.classification ?? 'quantile', classes: String(request.classes ?? 5) });
  const response = await fetch(`/api/maps/${encodeURIComponent(request.level)}/${encodeURIComponent(request.indicator)}/${request.year}?${params}`);
  if (!response.ok) {
    const problem = await response.json().catch(() => ({ detail: response.statusText }));
    throw new Error(problem.detail ?? problem.title ?? 'map values unavailable');
  }
  const values = await response.json();
  const map = handle.map;
  ensureLevel(handle, values.level, values.dataVersion);
  const c = values.classification;
  map.removeFeatureState({ source: SOURCE, sourceLayer: SOURCE_LAYER });
  for (let i = 0; i < values.codes.length; i++) {
    map.setFeatureState({ source: SOURCE, sourceLayer: SOURCE_LAYER, id: values.codes[i] },
      { value: values.values[i], status: values.statuses[i], cls: values.classes[i] });
  }
  let paintError = null;
  const onError = e => { paintError = e.error; };
  map.on('error', onError);
  map.setPaintProperty('territory-fill', 'fill-color', [
    'case',
    ['==', ['feature-state', 'status'], 'suppressed'], c.suppressedColour,
    // MapLibre 6 wants colours, not strings, out of 'at': to-color converts.
    ['!=', ['feature-state', 'cls'], null], ['to-color', ['at', ['to-number', ['feature-state', 'cls']], ['literal', c.colours.length ? c.colours : [c.noDataColour]]]],
    c.noDataColour,
  ]);
  map.off('error', onError);
  // MapLibre reports a rejected style through its error event, not an exception: surface it to the caller.
  if (paintError) throw paintError;
  handle.values = values;
  handle.painted++;
  return { codes: values.codes.length, classes: c.classes };
}

// For tests and the page: the rendered territories with their colour state.
export function renderedTerritories(handle) {
  return handle.map.queryRenderedFeatures({ layers: ['territory-fill'] }).map(f => ({
    code: f.id, cls: handle.map.getFeatureState({ source: SOURCE, sourceLayer: SOURCE_LAYER, id: f.id }).cls,
  }));
}

export function dispose(handle) {
  handle.map.remove();
  window.atlasMaps = (window.atlasMaps || []).filter(h => h !== handle);
}
