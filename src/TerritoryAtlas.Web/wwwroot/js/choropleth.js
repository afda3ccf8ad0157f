// The choropleth map: territory outlines come as vector tiles (geometry only, cached for a data version);
// the figures of one indicator and year come as a compact JSON array and are applied as feature-state, so
// changing the year, the indicator or the classification re-colours the map without reloading a single polygon.
// Used by the app's map page (through Blazor) and, without Blazor, by embeds.
import * as maplibregl from '../lib/maplibre-gl/maplibre-gl.mjs';

const SOURCE = 'territories';
const SOURCE_LAYER = 'territories';
const FRANCE_BOUNDS = [[-5.5, 41.2], [9.8, 51.2]];

const TEXT = {
  fr: { secret: 'secret statistique', noData: 'donnée non disponible', rank: 'rang', of: 'sur', source: 'Source', drawn: 'Carte TerritoryAtlas',
        better: 'meilleur', similar: 'semblable', worse: 'moins bon', lower: 'inférieur', higher: 'supérieur', than: 'que' },
  en: { secret: 'statistical secrecy', noData: 'no data', rank: 'rank', of: 'of', source: 'Source', drawn: 'Map: TerritoryAtlas',
        better: 'better', similar: 'similar', worse: 'worse', lower: 'lower', higher: 'higher', than: 'than' },
};

function hatchImage() {
  const size = 8;
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const on = (x + y) % size < 2;
      data.set(on ? [110, 110, 110, 255] : [235, 235, 235, 255], (y * size + x) * 4);
    }
  }
  return { width: size, height: size, data };
}

export function formatNumber(value, decimals, lang) {
  return value.toLocaleString(lang === 'en' ? 'en-GB' : 'fr-FR', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

function emptyStyle() {
  return { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f6f8' } }] };
}

// options: { lang, basemapStyleUrl, view: [lon, lat, zoom], interactive }; callbacks: a .NET object reference or null
export function create(element, options = {}, callbacks = null) {
  const view = options.view;
  const map = new maplibregl.Map({
    container: element,
    style: options.basemapStyleUrl || emptyStyle(),
    ...(view ? { center: [view[0], view[1]], zoom: view[2] } : { bounds: FRANCE_BOUNDS, fitBoundsOptions: { padding: 16 } }),
    attributionControl: { compact: true, customAttribution: 'IGN ADMIN EXPRESS, INSEE, DREES — Licence Ouverte' },
    // Kept so the canvas can be read back (PNG export, tests); MapLibre 5+ takes it here.
    canvasContextAttributes: { preserveDrawingBuffer: true },
    keyboard: true,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  const handle = {
    map, level: null, dataVersion: null, values: null, index: new Map(), lang: options.lang === 'en' ? 'en' : 'fr',
    callbacks, selected: null, ready: null, painted: 0, tileRequests: 0,
  };
  handle.ready = new Promise(resolve => map.on('load', () => {
    map.addImage('hatch', hatchImage());
    resolve();
  }));
  map.on('dataloading', e => { if (e.sourceId === SOURCE && e.tile) handle.tileRequests++; });

  const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false, maxWidth: '320px' });
  map.on('mousemove', 'territory-fill', e => {
    const feature = e.features?.[0];
    if (!feature) return;
    map.getCanvas().style.cursor = 'pointer';
    popup.setLngLat(e.lngLat).setDOMContent(tooltip(handle, feature.id, null)).addTo(map);
  });
  map.on('mouseleave', 'territory-fill', () => { map.getCanvas().style.cursor = ''; popup.remove(); });
  map.on('click', 'territory-fill', e => {
    const feature = e.features?.[0];
    if (feature) select(handle, feature.id, true);
  });
  let moveTimer = null;
  map.on('moveend', () => {
    clearTimeout(moveTimer);
    moveTimer = setTimeout(() => {
      const c = map.getCenter();
      handle.callbacks?.invokeMethodAsync('OnViewChanged', round(c.lng, 5), round(c.lat, 5), round(map.getZoom(), 2));
    }, 250);
  });

  window.atlasMaps = window.atlasMaps || [];
  window.atlasMaps.push(handle);
  return handle;
}

function round(value, digits) { const f = 10 ** digits; return Math.round(value * f) / f; }

// The tooltip, built with textContent only: names and notes are data, never markup.
function tooltip(handle, code, name) {
  const t = TEXT[handle.lang];
  const v = handle.values;
  const node = document.createElement('div');
  node.className = 'atlas-tooltip';
  const title = document.createElement('strong');
  title.textContent = `${name ?? handle.names?.get(code) ?? code} (${code})`;
  node.append(title);
  const line = text => { const div = document.createElement('div'); div.textContent = text; node.append(div); };
  const i = handle.index.get(code);
  if (!v || i === undefined) { line(t.noData); return node; }
  if (v.statuses[i] === 'suppressed') line(t.secret);
  else if (v.values[i] === null || v.values[i] === undefined) line(t.noData);
  else {
    line(`${formatNumber(v.values[i], v.decimals, handle.lang)} ${v.unit}`);
    const ranked = v.values.filter(x => x !== null && x !== undefined).length;
    if (v.ranks[i]) line(`${t.rank} ${v.ranks[i]} ${t.of} ${ranked}`);
  }
  const parent = v.parentCodes?.[i];
  const parentValue = parent ? v.parentValues?.[parent] : null;
  if (parent && parentValue !== null && parentValue !== undefined) {
    line(`${v.parentLevel} ${parent} : ${formatNumber(parentValue, v.decimals, handle.lang)} ${v.unit}`);
  }
  if (v.categories?.[i]) line(`${t[v.categories[i]]} ${t.than} ${v.reference.kind === 'france' ? 'France' : v.parentLevel}`);
  return node;
}

export function select(handle, code, notify) {
  const map = handle.map;
  if (handle.selected && map.getSource(SOURCE)) {
    map.setFeatureState({ source: SOURCE, sourceLayer: SOURCE_LAYER, id: handle.selected }, { selected: false });
  }
  handle.selected = code || null;
  if (handle.selected && map.getSource(SOURCE)) {
    map.setFeatureState({ source: SOURCE, sourceLayer: SOURCE_LAYER, id: handle.selected }, { selected: true });
  }
  if (notify) handle.callbacks?.invokeMethodAsync('OnTerritorySelected', handle.selected);
}

function ensureLevel(handle, level, dataVersion) {
  const map = handle.map;
  if (handle.level === level && handle.dataVersion === dataVersion) return;
  for (const id of ['territory-selected', 'territory-line', 'territory-suppressed', 'territory-fill']) {
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
    paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 3, 0.2, 8, 1.2] },
  });
  map.addLayer({
    id: 'territory-selected', type: 'line', source: SOURCE, 'source-layer': SOURCE_LAYER,
    paint: { 'line-color': '#111111', 'line-width': ['case', ['boolean', ['feature-state', 'selected'], false], 2.5, 0] },
  });
  handle.level = level;
  handle.dataVersion = dataVersion;
  // Names stay out of the tiles (they would double a commune tile); fetched once per level, cached by the browser.
  handle.names = null;
  fetch(`/api/territories/${encodeURIComponent(level)}/names?v=${dataVersion}`)
    .then(r => (r.ok ? r.json() : null))
    .then(n => { if (n && handle.level === level) handle.names = new Map(n.codes.map((c, i) => [c, n.names[i]])); })
    .catch(() => {});
}

export function valuesUrl(request) {
  const params = new URLSearchParams();
  for (const key of ['classification', 'classes', 'breaks', 'palette', 'mode', 'reference', 'within']) {
    if (request[key] !== undefined && request[key] !== null && request[key] !== '') params.set(key, String(request[key]));
  }
  return `/api/maps/${encodeURIComponent(request.level)}/${encodeURIComponent(request.indicator)}/${request.year}?${params}`;
}

// Colours the map with the figures of one (level, indicator, year). Returns a short summary for the caller.
export async function show(handle, request) {
  await handle.ready;
  const response = await fetch(valuesUrl(request));
  if (!response.ok) {
    const problem = await response.json().catch(() => ({ detail: response.statusText }));
    throw new Error(problem.detail ?? problem.title ?? 'map values unavailable');
  }
  const values = await response.json();
  const map = handle.map;
  const levelChanged = handle.level !== values.level || handle.dataVersion !== values.dataVersion;
  ensureLevel(handle, values.level, values.dataVersion);
  const c = values.classification;
  // Same territories as before (a year or classification change): overwrite their state in place; clearing it
  // first would make MapLibre re-process every tile twice.
  const sameTerritories = !levelChanged && handle.values && handle.values.codes.length === values.codes.length
    && handle.values.codes.every((code, i) => code === values.codes[i]);
  if (!sameTerritories) map.removeFeatureState({ source: SOURCE, sourceLayer: SOURCE_LAYER });
  handle.index = new Map(values.codes.map((code, i) => [code, i]));
  // Ranks among the territories shown (1 = highest; ties share a rank), computed here to keep the payload small.
  const sorted = values.values.filter(x => x !== null && x !== undefined).sort((a, b) => b - a);
  const rankOf = new Map();
  sorted.forEach((x, i) => { if (!rankOf.has(x)) rankOf.set(x, i + 1); });
  values.ranks = values.values.map(x => (x === null || x === undefined ? null : rankOf.get(x)));
  for (let i = 0; i < values.codes.length; i++) {
    map.setFeatureState({ source: SOURCE, sourceLayer: SOURCE_LAYER, id: values.codes[i] },
      { value: values.values[i], status: values.statuses[i], cls: values.classes[i], cat: values.categories?.[i] ?? null });
  }
  if (handle.selected) map.setFeatureState({ source: SOURCE, sourceLayer: SOURCE_LAYER, id: handle.selected }, { selected: true });

  const fill = values.mode === 'compare'
    ? ['match', ['coalesce', ['feature-state', 'cat'], ''], ...Object.entries(c.categoryColours).flat(), c.noDataColour]
    : ['case',
      ['==', ['feature-state', 'status'], 'suppressed'], c.suppressedColour,
      // MapLibre 6 wants colours, not strings, out of 'at': to-color converts.
      ['!=', ['feature-state', 'cls'], null], ['to-color', ['at', ['to-number', ['feature-state', 'cls']], ['literal', c.colours.length ? c.colours : [c.noDataColour]]]],
      c.noDataColour];
  let paintError = null;
  const onError = e => { paintError = e.error; };
  map.on('error', onError);
  map.setPaintProperty('territory-fill', 'fill-color', fill);
  // "Within" a parent: only its territories are drawn, the rest of the level stays as a faint outline.
  // Only when it changes: any setFilter call, even an identical one, makes MapLibre lay out every tile again.
  const filterKey = values.within ? `${values.within.level}:${values.within.code}` : null;
  if (filterKey !== handle.filterKey || levelChanged) {
    const filter = values.within ? ['in', ['get', 'code'], ['literal', values.codes]] : null;
    for (const id of ['territory-fill', 'territory-suppressed']) map.setFilter(id, filter);
    handle.filterKey = filterKey;
  }
  map.off('error', onError);
  // MapLibre reports a rejected style through its error event, not an exception: surface it to the caller.
  if (paintError) throw paintError;
  handle.values = values;
  handle.painted++;
  const withinKey = values.within ? `${values.within.level}:${values.within.code}` : null;
  if (withinKey && withinKey !== handle.fittedWithin) {
    const b = values.within.bbox;
    map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 24, duration: 0 });
  }
  handle.fittedWithin = withinKey;
  return { codes: values.codes.length, classes: c.classes, levelChanged };
}

export function fitTo(handle, bbox) {
  handle.map.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], { padding: 32, maxZoom: 11, duration: 300 });
}

export function setView(handle, lon, lat, zoom) {
  handle.map.jumpTo({ center: [lon, lat], zoom });
}

// For tests and the page: the rendered territories with their colour state.
export function renderedTerritories(handle) {
  return handle.map.queryRenderedFeatures({ layers: ['territory-fill'] }).map(f => ({
    code: f.id, cls: handle.map.getFeatureState({ source: SOURCE, sourceLayer: SOURCE_LAYER, id: f.id }).cls,
  }));
}

// The current view as a PNG for slides and reports: the map, then a title, the legend, the source and the date.
export function exportPng(handle, meta) {
  const mapCanvas = handle.map.getCanvas();
  const ratio = mapCanvas.width / mapCanvas.clientWidth;
  const legendWidth = 300 * ratio;
  const header = 56 * ratio;
  const footer = 40 * ratio;
  const canvas = document.createElement('canvas');
  canvas.width = mapCanvas.width + legendWidth;
  canvas.height = Math.max(mapCanvas.height, (meta.legend.length * 24 + 40) * ratio) + header + footer;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(mapCanvas, 0, header);
  ctx.fillStyle = '#1f1f1f';
  ctx.font = `bold ${18 * ratio}px sans-serif`;
  ctx.fillText(meta.title, 12 * ratio, 24 * ratio);
  ctx.font = `${13 * ratio}px sans-serif`;
  ctx.fillText(meta.subtitle, 12 * ratio, 44 * ratio);
  let y = header + 12 * ratio;
  for (const row of meta.legend) {
    ctx.fillStyle = row.colour;
    ctx.fillRect(mapCanvas.width + 12 * ratio, y, 18 * ratio, 14 * ratio);
    ctx.strokeStyle = '#888';
    ctx.strokeRect(mapCanvas.width + 12 * ratio, y, 18 * ratio, 14 * ratio);
    ctx.fillStyle = '#1f1f1f';
    ctx.fillText(row.label, mapCanvas.width + 38 * ratio, y + 12 * ratio);
    y += 24 * ratio;
  }
  ctx.font = `${11 * ratio}px sans-serif`;
  ctx.fillStyle = '#444';
  ctx.fillText(`${TEXT[handle.lang].source} : ${meta.source}`.slice(0, 220), 12 * ratio, canvas.height - 22 * ratio);
  ctx.fillText(`${TEXT[handle.lang].drawn} — ${meta.date}`, 12 * ratio, canvas.height - 8 * ratio);
  const url = canvas.toDataURL('image/png');
  const link = document.createElement('a');
  link.href = url;
  link.download = meta.fileName;
  document.body.append(link);
  link.click();
  link.remove();
  return url.length;
}

export function dispose(handle) {
  handle.map.remove();
  window.atlasMaps = (window.atlasMaps || []).filter(h => h !== handle);
}
