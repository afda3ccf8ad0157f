// The choropleth map: territory outlines come as vector tiles (geometry only, cached for a data version);
// the figures of one indicator and year come as a compact JSON array and are applied as feature-state, so
// changing the year, the indicator or the classification re-colours the map without reloading a single polygon.
// Used by the app's map page (through Blazor) and, without Blazor, by embeds. This module creates, shows and updates
// the map; what the page started before it (worker, early map) is taken over in map-adoption.js, imported first so
// the worker is MapLibre's before any map asks for one; the tooltip is map-tooltip.js's, the PNG export map-png.js's.
import { adoptEarlyMap } from './map-adoption.js';
import * as maplibregl from '../lib/maplibre-gl/maplibre-gl.mjs';
import { fetchValues, prefetchNeighbours, indexOf } from './map-values.js';
import { valuesUrl } from './map-request.js';
import { formatNumber, useLegendWords } from './map-legend.js';
import { showTooltips } from './map-tooltip.js';

export { formatNumber };
export { exportPng } from './map-png.js';

const SOURCE = 'territories';
const SOURCE_LAYER = 'territories';
// The selected territory's outline comes from the same tiles through a source of its own, filtered to that one
// territory: a selection change then lays out that small layer only, and the big layers carry no state-dependent
// outline that every re-colouring would have to update.
const SELECTION_SOURCE = 'territory-selection';
// The colour of a territory no figure reaches (the API's noDataColour; also the colour before any figure).
const NO_DATA_COLOUR = [217, 217, 217, 1];
// The fill colour of every level, indicator, year and classification: each territory's colour travels in its
// feature-state as an [r, g, b, 1] array. The expression itself never changes, because MapLibre lays out every tile
// of a source again whenever a data-driven paint expression changes (a new palette, class count or mode would
// otherwise cost seconds on the commune map). It is evaluated for every feature of every tile (in the worker as the
// tile is parsed, then here with the states), so it is as short as it can be: an array, unlike a colour string,
// needs no CSS parsing, and unlike a packed number no arithmetic (a packed number made the commune map's first
// drawing about 0.1 s slower).
const FILL_COLOUR = ['to-color', ['feature-state', 'c'], ['literal', NO_DATA_COLOUR]];

const FRANCE_BOUNDS = [[-5.5, 41.2], [9.8, 51.2]];

// The pattern over the communes drawn on a perimeter their figure does not describe alone (a commune nouvelle and
// the communes it absorbed, see MapPerimeter): dark strokes across, on a transparent ground so the class colour shows.
function perimeterImage() {
  const size = 8;
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if ((x - y + size) % size < 1) data.set([40, 40, 40, 200], (y * size + x) * 4);
    }
  }
  return { width: size, height: size, data };
}

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

// The map's own style: the territories' outlines are the backdrop. Given the level and data version to show, its
// tiles are part of the style from the start, so they are asked for with the style's first frame instead of after
// the map's load (in software WebGL that first frame alone takes a few hundred milliseconds).
function ownStyle(level, dataVersion) {
  const background = { id: 'background', type: 'background', paint: { 'background-color': '#f4f6f8' } };
  if (!level || dataVersion === undefined || dataVersion === null) return { version: 8, sources: {}, layers: [background] };
  return { version: 8, sources: { [SOURCE]: territorySource(level, dataVersion) }, layers: [background, ...territoryLayers(level)] };
}

// options: { lang, basemapStyleUrl, view: [lon, lat, zoom], interactive, bootKey, level, dataVersion, legendWords (the
// page's, for a legend drawn in the browser: map-legend.js) }; callbacks: a .NET object reference or null
export function create(element, options = {}, callbacks = null) {
  useLegendWords(options.legendWords);
  // The map map-boot.js started before the circuit, for this very view: take it over instead of starting again.
  const early = adoptEarlyMap(element, options, callbacks);
  if (early) return early;
  const view = options.view;
  const map = new maplibregl.Map({
    container: element,
    locale: mapLibreLocale(options.lang),
    style: options.basemapStyleUrl || ownStyle(options.level, options.dataVersion),
    ...(view ? { center: [view[0], view[1]], zoom: view[2] } : { bounds: FRANCE_BOUNDS, fitBoundsOptions: { padding: 16 } }),
    attributionControl: { compact: true, customAttribution: 'IGN ADMIN EXPRESS, INSEE, DREES — Licence Ouverte' },
    // Kept so the canvas can be read back (PNG export, tests); MapLibre 5+ takes it here.
    canvasContextAttributes: { preserveDrawingBuffer: true },
    keyboard: true,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  const handle = {
    map, level: null, dataVersion: null, values: null, lang: options.lang === 'en' ? 'en' : 'fr',
    // live: the map answers a Blazor circuit (clicks and moves reach the page); false in embeds and until a
    // map started from the prerendered page is taken over.
    callbacks, live: !!callbacks, selected: null, ready: null, painted: 0, tileRequests: 0, filterKey: null,
  };
  // Ready once the style is: not at 'load', which waits for every tile of the view, so the figures are applied while
  // tiles still arrive.
  handle.ready = new Promise(resolve => map.once('style.load', () => {
    map.addImage('hatch', hatchImage());
    map.addImage('perimeter', perimeterImage());
    if (map.getSource(SOURCE)) levelShown(handle, options.level, options.dataVersion);
    resolve();
  }));
  map.on('dataloading', e => { if (e.sourceId === SOURCE && e.tile) handle.tileRequests++; });
  // Resolved when the map first stands drawn with its figures (applied, every tile of the view in, MapLibre idle),
  // with handle.drawnAt: the page starts Blazor then (map-boot.js), and benches read it.
  handle.drawn = new Promise(resolve => {
    const firstDrawn = () => {
      if (handle.painted > 0 && map.areTilesLoaded()) {
        handle.drawnAt = performance.now();
        map.off('idle', firstDrawn);
        resolve();
      }
    };
    map.on('idle', firstDrawn);
  });

  showTooltips(handle, 'territory-fill');
  map.on('click', 'territory-fill', e => {
    const feature = e.features?.[0];
    if (feature) select(handle, feature.id, true);
  });
  // The page hears of a view only when it changed from the one it last heard of (or the one the map opened on): every
  // resize also ends in a moveend (the page's layout settling, the container taken over), with the same centre and
  // zoom; that must not write a view into the URL, nor close a dialog the reader just opened.
  const viewNow = () => { const c = map.getCenter(); return [round(c.lng, 5), round(c.lat, 5), round(map.getZoom(), 2)]; };
  let reported = viewNow().join(',');
  let moveTimer = null;
  map.on('moveend', () => {
    clearTimeout(moveTimer);
    moveTimer = setTimeout(() => {
      const view = viewNow();
      const key = view.join(',');
      if (!handle.callbacks || key === reported) return;
      reported = key;
      handle.callbacks.invokeMethodAsync('OnViewChanged', ...view);
    }, 250);
  });

  window.atlasMaps = window.atlasMaps || [];
  window.atlasMaps.push(handle);
  return handle;
}

function round(value, digits) { const f = 10 ** digits; return Math.round(value * f) / f; }

export function select(handle, code, notify) {
  handle.selected = code || null;
  showSelection(handle);
  if (notify) handle.callbacks?.invokeMethodAsync('OnTerritorySelected', handle.selected);
}

function showSelection(handle) {
  const map = handle.map;
  if (!handle.level || !map.getSource(SOURCE)) return;
  if (!map.getSource(SELECTION_SOURCE)) {
    // Added on the first selection only: until then no tile is fetched or parsed twice.
    if (!handle.selected) return;
    map.addSource(SELECTION_SOURCE, { type: 'vector', tiles: map.getSource(SOURCE).tiles, minzoom: 0, maxzoom: 12 });
    map.addLayer({
      id: 'territory-selected', type: 'line', source: SELECTION_SOURCE, 'source-layer': SOURCE_LAYER,
      filter: ['==', ['get', 'code'], handle.selected], paint: { 'line-color': '#111111', 'line-width': 2.5 },
    });
    return;
  }
  map.setFilter('territory-selected', ['==', ['get', 'code'], handle.selected ?? '']);
}

// The vector tiles of one level, for one data version: every map of the app draws territories from this source.
export function territorySource(level, dataVersion) {
  return {
    type: 'vector',
    tiles: [`${location.origin}/tiles/${encodeURIComponent(level)}/{z}/{x}/{y}.mvt?v=${dataVersion}`],
    minzoom: 0,
    maxzoom: 12,
    // INSEE codes are not integers (2A, 2B, 97411): the code property becomes the feature id.
    promoteId: 'code',
  };
}

function territoryLayers(level) {
  return [{
    id: 'territory-fill', type: 'fill', source: SOURCE, 'source-layer': SOURCE_LAYER,
    // Antialiasing draws a second, outline pass over every polygon; for communes a few pixels wide (below zoom 6)
    // it only costs a frame's time.
    // Transparent (and so not drawn at all) until the figures are applied and the view's tiles are in: see reveal.
    paint: {
      'fill-color': FILL_COLOUR, 'fill-opacity': 0, 'fill-opacity-transition': { duration: 0 },
      'fill-antialias': level === 'commune' ? ['step', ['zoom'], false, 6, true] : true,
    },
  }, {
    id: 'territory-line', type: 'line', source: SOURCE, 'source-layer': SOURCE_LAYER,
    // Communes are a few pixels wide below zoom 6: outlines there would only wash the colours out, and laying out
    // 35,000 of them is most of the work of a national map.
    minzoom: level === 'commune' ? 6 : 0,
    paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 3, 0.2, 8, 1.2] },
  }];
}

function ensureLevel(handle, level, dataVersion) {
  const map = handle.map;
  if (handle.level === level && handle.dataVersion === dataVersion) return;
  for (const id of ['territory-selected', 'territory-line', 'territory-perimeter', 'territory-suppressed', 'territory-fill']) {
    if (map.getLayer(id)) map.removeLayer(id);
  }
  for (const id of [SELECTION_SOURCE, SOURCE]) if (map.getSource(id)) map.removeSource(id);
  // The states of the old level went with its source: the next values are compared with none.
  handle.values = null;
  handle.filterKey = null;
  map.addSource(SOURCE, territorySource(level, dataVersion));
  for (const layer of territoryLayers(level)) map.addLayer(layer);
  levelShown(handle, level, dataVersion);
}

// What follows the geometry of a level being put on the map: the selection outline and the names for tooltips.
function levelShown(handle, level, dataVersion) {
  const map = handle.map;
  handle.level = level;
  handle.dataVersion = dataVersion;
  showSelection(handle);
  // Names stay out of the tiles (they would double a commune tile); fetched once per level, cached by the browser,
  // once the map is drawn: only tooltips need them.
  handle.names = null;
  map.once('idle', () => fetch(`/api/territories/${encodeURIComponent(level)}/names?v=${dataVersion}`)
    .then(r => (r.ok ? r.json() : null))
    .then(n => { if (n && handle.level === level) handle.names = new Map(n.codes.map((c, i) => [c, n.names[i]])); })
    .catch(() => {}));
}


// Colours the map with the figures of one (level, indicator, year). Returns a short summary for the caller.
// request.years (optional): the years of the slider, whose neighbours of request.year are fetched in advance.
// request.dataVersion (optional): the data version the page was rendered with; with it the tiles are asked for as
// soon as the map is ready, side by side with the figures, instead of after them.
export async function show(handle, request) {
  const seq = handle.requests = (handle.requests ?? 0) + 1;
  // Asked for before the map is ready: the request and MapLibre's start run side by side.
  const pending = fetchValues(valuesUrl(request));
  await handle.ready;
  if (request.dataVersion !== undefined && request.dataVersion !== null && seq === handle.requests
      && (handle.level !== request.level || handle.dataVersion !== request.dataVersion)) {
    ensureLevel(handle, request.level, request.dataVersion);
    // Let MapLibre ask for the tiles before the states are set: setting 35,000 feature-states takes a few hundred
    // milliseconds of this thread, and the worker can parse tiles meanwhile.
    await tilesRequested(handle.map);
  }
  const values = await pending;
  // A later request overtook this one (a quick run along the slider): the later one paints.
  if (seq !== handle.requests) return { superseded: true };
  const map = handle.map;
  const levelChanged = handle.level !== values.level || handle.dataVersion !== values.dataVersion;
  ensureLevel(handle, values.level, values.dataVersion);
  const c = values.classification;
  applyStates(handle, values);
  // From here on, the values whose states the map holds (and that tooltips read), and the request they answer.
  handle.values = values;
  handle.request = request;

  let paintError = null;
  const onError = e => { paintError = e.error; };
  map.on('error', onError);
  reveal(handle);
  // "Within" a parent: only its territories are drawn, the rest of the level stays as a faint outline.
  // Only when it changes: any setFilter call, even an identical one, makes MapLibre lay out every tile again.
  const filterKey = values.within ? `${values.within.level}:${values.within.code}` : null;
  if (filterKey !== handle.filterKey) {
    const filter = values.within ? ['in', ['get', 'code'], ['literal', values.codes.concat(absorbedCodes(values))]] : null;
    for (const id of ['territory-fill', 'territory-suppressed', 'territory-perimeter']) if (map.getLayer(id)) map.setFilter(id, filter);
    handle.filterKey = filterKey;
  }
  // The hatching of "secret statistique" only while some territory is suppressed: it draws every polygon a second
  // time, and adding or removing it lays the tiles out again, so it comes and goes with suppressed figures only.
  const hatched = values.suppressed > 0;
  if (hatched && !map.getLayer('territory-suppressed')) {
    map.addLayer({
      id: 'territory-suppressed', type: 'fill', source: SOURCE, 'source-layer': SOURCE_LAYER,
      ...(map.getFilter('territory-fill') ? { filter: map.getFilter('territory-fill') } : {}),
      paint: { 'fill-pattern': 'hatch', 'fill-opacity': ['case', ['==', ['feature-state', 'status'], 'suppressed'], 1, 0] },
    }, 'territory-line');
  } else if (!hatched && map.getLayer('territory-suppressed')) {
    map.removeLayer('territory-suppressed');
  }
  // The strokes over communes drawn on a perimeter their figure does not describe alone, likewise only while some are.
  const perimeters = !!values.perimeters && Object.keys(values.perimeters).length > 0;
  if (perimeters && !map.getLayer('territory-perimeter')) {
    map.addLayer({
      id: 'territory-perimeter', type: 'fill', source: SOURCE, 'source-layer': SOURCE_LAYER,
      ...(map.getFilter('territory-fill') ? { filter: map.getFilter('territory-fill') } : {}),
      paint: { 'fill-pattern': 'perimeter', 'fill-opacity': ['case', ['==', ['feature-state', 'p'], 1], 1, 0] },
    }, 'territory-line');
  } else if (!perimeters && map.getLayer('territory-perimeter')) {
    map.removeLayer('territory-perimeter');
  }
  map.off('error', onError);
  // MapLibre reports a rejected style through its error event, not an exception: surface it to the caller.
  if (paintError) throw paintError;
  handle.painted++;
  // The neighbouring years once this one is drawn, so that their download and parsing do not compete with it.
  map.once('idle', () => prefetchNeighbours(request, request.years));
  if (filterKey && filterKey !== handle.fittedWithin) {
    const b = values.within.bbox;
    map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 24, duration: 0 });
  }
  handle.fittedWithin = filterKey;
  return { codes: values.codes.length, classes: c.classes, levelChanged };
}

// Makes a level's fill visible once its figures are applied and the tiles of the view are all in, or after 1.5 s
// (a slow network then sees the tiles arrive). Before that the fill is transparent, which MapLibre does not draw: in
// software WebGL each frame drawn while tiles arrive one by one costs as much as the finished map (and the browser
// reads it back on the main thread), which made the first drawing of the communes of France several times longer.
function reveal(handle) {
  const map = handle.map;
  if (map.getPaintProperty('territory-fill', 'fill-opacity') === 1) return;
  const seq = handle.requests;
  let timer = null;
  const done = () => {
    clearTimeout(timer);
    map.off('sourcedata', check);
    // Not when a later request has changed the level since: that one reveals its own fill.
    if (seq === handle.requests && map.getLayer('territory-fill')) map.setPaintProperty('territory-fill', 'fill-opacity', 1);
  };
  const loaded = () => !!map.getSource(SOURCE) && map.isSourceLoaded(SOURCE);
  function check(e) { if (e.sourceId === SOURCE && loaded()) done(); }
  if (loaded()) { done(); return; }
  timer = setTimeout(done, 1500);
  map.on('sourcedata', check);
}

// Resolves once the map has asked for a tile of the territories (or after 200 ms, when it needs none).
function tilesRequested(map) {
  return new Promise(resolve => {
    const done = () => { clearTimeout(timer); map.off('dataloading', onLoading); resolve(); };
    const onLoading = e => { if (e.sourceId === SOURCE && e.tile) done(); };
    const timer = setTimeout(done, 200);
    map.on('dataloading', onLoading);
  });
}

// The state FILL_COLOUR reads for a CSS colour '#rrggbb': one shared [r, g, b, 1] array per colour, so that two
// colours also compare by identity.
const colourArrays = new Map();
function colourArray(css) {
  let array = colourArrays.get(css);
  if (!array) colourArrays.set(css, array = [1, 3, 5].map(i => parseInt(css.slice(i, i + 2), 16)).concat(1));
  return array;
}

// The communes absorbed by a commune nouvelle, drawn with its figure (they are not among the values' codes).
function absorbedCodes(values) {
  return Object.entries(values.perimeters ?? {}).filter(([, p]) => p.role === 'absorbed').map(([code]) => code);
}

// The colour of each territory of these values, kept with the (cached) values.
function coloursOf(values) {
  if (!values.colourArrays) {
    const c = values.classification;
    const suppressed = colourArray(c.suppressedColour);
    const noData = colourArray(c.noDataColour);
    const classColours = c.colours.map(colourArray);
    const categoryColours = Object.fromEntries(Object.entries(c.categoryColours ?? {}).map(([k, v]) => [k, colourArray(v)]));
    const compare = values.mode === 'compare';
    values.colourArrays = values.codes.map((_, i) => {
      if (values.statuses[i] === 'suppressed') return suppressed;
      if (compare) return categoryColours[values.categories?.[i]] ?? noData;
      const cls = values.classes[i];
      return cls === null || cls === undefined ? noData : classColours[cls] ?? noData;
    });
  }
  return values.colourArrays;
}

// Sets the feature-state that colours each territory, for the territories whose colour changes only. MapLibre
// rewrites the paint buffers of every feature whose state is set, so from one year to the next (where about a
// quarter of the communes change class) this is a quarter of the work; territories no longer listed lose their state.
// The class and category stay in the state too: tests and tools read them (renderedTerritories).
function applyStates(handle, values) {
  const map = handle.map;
  const previous = handle.values;
  const before = previous ? indexOf(previous) : null;
  const previousColours = previous ? coloursOf(previous) : null;
  const colours = coloursOf(values);
  const { codes, statuses, classes } = values;
  const categories = values.mode === 'compare' ? values.categories : null;
  const previousCategories = previous?.mode === 'compare' ? previous.categories : null;
  const perimeters = values.perimeters ?? {};
  const previousPerimeters = previous?.perimeters ?? {};
  for (let i = 0; i < codes.length; i++) {
    const cls = classes[i] ?? null;
    const cat = categories?.[i] ?? null;
    const p = perimeters[codes[i]] ? 1 : 0;
    const j = before?.get(codes[i]);
    if (j === undefined || previousColours[j] !== colours[i] || previous.statuses[j] !== statuses[i]
        || (previous.classes[j] ?? null) !== cls || (previousCategories?.[j] ?? null) !== cat
        || (previousPerimeters[codes[i]] ? 1 : 0) !== p) {
      map.setFeatureState({ source: SOURCE, sourceLayer: SOURCE_LAYER, id: codes[i] }, { c: colours[i], status: statuses[i], cls, cat, p });
    }
  }
  // A commune a commune nouvelle absorbed is drawn with the commune nouvelle's colour: together their polygons are the
  // perimeter the figure describes. A few hundred at most, set every time.
  const now = indexOf(values);
  for (const code of absorbedCodes(values)) {
    const i = now.get(perimeters[code].commune);
    if (i === undefined) continue;
    map.setFeatureState({ source: SOURCE, sourceLayer: SOURCE_LAYER, id: code },
      { c: colours[i], status: 'absorbed', cls: classes[i] ?? null, cat: categories?.[i] ?? null, p: 1 });
  }
  if (previous) {
    for (const code of previous.codes.concat(absorbedCodes(previous))) {
      if (!now.has(code) && perimeters[code]?.role !== 'absorbed') {
        map.setFeatureState({ source: SOURCE, sourceLayer: SOURCE_LAYER, id: code }, { c: null, status: null, cls: null, cat: null, p: 0 });
      }
    }
  }
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

export function dispose(handle) {
  handle.map.remove();
  window.atlasMaps = (window.atlasMaps || []).filter(h => h !== handle);
}

// MapLibre's own texts (control titles and labels screen readers announce) in the reader's language; MapLibre's
// English defaults stand for 'en'.
const MAPLIBRE_FR = {
  'AttributionControl.ToggleAttribution': 'Afficher ou masquer les sources',
  'AttributionControl.MapFeedback': 'Signaler une erreur sur la carte',
  'FullscreenControl.Enter': 'Plein écran',
  'FullscreenControl.Exit': 'Quitter le plein écran',
  'GeolocateControl.FindMyLocation': 'Me localiser',
  'GeolocateControl.LocationNotAvailable': 'Position indisponible',
  'LogoControl.Title': 'Logo MapLibre',
  'Map.Title': 'Carte',
  'Marker.Title': 'Repère',
  'NavigationControl.ResetBearing': 'Faire glisser pour tourner la carte, cliquer pour revenir au nord',
  'NavigationControl.ZoomIn': 'Zoomer',
  'NavigationControl.ZoomOut': 'Dézoomer',
  'Popup.Close': 'Fermer',
  'GlobeControl.Enable': 'Afficher le globe',
  'GlobeControl.Disable': 'Afficher la carte à plat',
  'TerrainControl.Enable': 'Afficher le relief',
  'TerrainControl.Disable': 'Masquer le relief',
  'CooperativeGesturesHandler.WindowsHelpText': 'Ctrl + molette pour zoomer',
  'CooperativeGesturesHandler.MacHelpText': '⌘ + molette pour zoomer',
  'CooperativeGesturesHandler.MobileHelpText': 'Deux doigts pour déplacer la carte',
};

export function mapLibreLocale(lang) {
  return lang === 'en' ? {} : MAPLIBRE_FR;
}
