// The study area editor's map: the communes from the vector tiles, those chosen filled (feature-state), département
// outlines for orientation. A click hands the commune under the pointer to the page (which adds it, or its whole
// EPCI); with the lasso, a drag draws a perimeter the page resolves to the communes whose point on surface is inside.
// The page (StudyAreaEditorPage) keeps the list; this module only draws it.
import * as maplibregl from '../lib/maplibre-gl/maplibre-gl.mjs';
import { mapLibreLocale, territorySource } from './choropleth.js';

const COMMUNES = 'communes';
const LASSO = 'lasso';
const FRANCE_BOUNDS = [[-5.2, 41.3], [9.6, 51.1]];

// options: { lang, dataVersion, view: [lon, lat, zoom] or bounds: [xmin, ymin, xmax, ymax] (else France), tool }; page: a .NET reference
// with Picked(code) and Lassoed(ring).
export function create(element, options, page) {
  const map = new maplibregl.Map({
    container: element,
    locale: mapLibreLocale(options.lang),
    style: {
      version: 8,
      sources: {
        [COMMUNES]: territorySource('commune', options.dataVersion),
        departements: territorySource('departement', options.dataVersion),
        [LASSO]: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
      },
      layers: [
        { id: 'background', type: 'background', paint: { 'background-color': '#f4f6f8' } },
        {
          id: 'commune-fill', type: 'fill', source: COMMUNES, 'source-layer': 'territories',
          paint: { 'fill-color': ['case', ['boolean', ['feature-state', 'chosen'], false], '#1f4e79', '#dfe5ec'] },
        },
        {
          id: 'commune-line', type: 'line', source: COMMUNES, 'source-layer': 'territories', minzoom: 7,
          paint: { 'line-color': '#ffffff', 'line-width': 0.6 },
        },
        {
          id: 'departement-line', type: 'line', source: 'departements', 'source-layer': 'territories',
          paint: { 'line-color': '#55606e', 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 0.5, 10, 2] },
        },
        { id: 'lasso-fill', type: 'fill', source: LASSO, paint: { 'fill-color': '#e07b00', 'fill-opacity': 0.15 } },
        { id: 'lasso-line', type: 'line', source: LASSO, paint: { 'line-color': '#e07b00', 'line-width': 2 } },
      ],
    },
    ...(options.view
      ? { center: [options.view[0], options.view[1]], zoom: options.view[2] }
      : options.bounds
      ? { bounds: [[options.bounds[0], options.bounds[1]], [options.bounds[2], options.bounds[3]]], fitBoundsOptions: { padding: 40, maxZoom: 11 } }
      : { bounds: FRANCE_BOUNDS, fitBoundsOptions: { padding: 16 } }),
    attributionControl: { compact: true, customAttribution: 'IGN ADMIN EXPRESS' },
    canvasContextAttributes: { preserveDrawingBuffer: true },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  const handle = { map, page, chosen: new Set(), tool: null, ring: null };
  setTool(handle, options.tool || 'commune');

  map.on('click', 'commune-fill', e => {
    if (handle.tool === 'lasso' || !e.features?.length) return;
    page.invokeMethodAsync('Picked', String(e.features[0].id));
  });
  map.on('mouseenter', 'commune-fill', () => { if (handle.tool !== 'lasso') map.getCanvas().style.cursor = 'pointer'; });
  map.on('mouseleave', 'commune-fill', () => { if (handle.tool !== 'lasso') map.getCanvas().style.cursor = ''; });

  // The lasso: press, drag around the communes, release. The ring goes to the page in longitude, latitude.
  map.on('mousedown', e => {
    if (handle.tool !== 'lasso' || e.originalEvent.button !== 0) return;
    e.preventDefault();
    handle.ring = [[e.lngLat.lng, e.lngLat.lat]];
  });
  map.on('mousemove', e => {
    if (!handle.ring) return;
    const last = map.project(handle.ring[handle.ring.length - 1]);
    if (Math.hypot(last.x - e.point.x, last.y - e.point.y) < 3) return;
    handle.ring.push([e.lngLat.lng, e.lngLat.lat]);
    drawRing(handle);
  });
  const release = () => {
    const ring = handle.ring;
    handle.ring = null;
    if (!ring) return;
    map.getSource(LASSO).setData({ type: 'FeatureCollection', features: [] });
    if (ring.length >= 3) page.invokeMethodAsync('Lassoed', [...ring, ring[0]]);
  };
  map.on('mouseup', release);
  element.addEventListener('mouseleave', release);

  map.once('idle', () => { element.dataset.ready = 'true'; });
  return handle;
}

function drawRing(handle) {
  const ring = handle.ring;
  const geometry = ring.length >= 3
    ? { type: 'Polygon', coordinates: [[...ring, ring[0]]] }
    : { type: 'LineString', coordinates: ring };
  handle.map.getSource(LASSO).setData({ type: 'Feature', properties: {}, geometry });
}

// The lasso takes the map's drag; the click tools leave it to panning.
export function setTool(handle, tool) {
  handle.tool = tool;
  if (tool === 'lasso') {
    handle.map.dragPan.disable();
    handle.map.getCanvas().style.cursor = 'crosshair';
  } else {
    handle.map.dragPan.enable();
    handle.map.getCanvas().style.cursor = '';
  }
}

// The communes chosen now: only the difference with what is drawn is sent to MapLibre.
export function setChosen(handle, codes) {
  const now = new Set(codes);
  const target = id => ({ source: COMMUNES, sourceLayer: 'territories', id });
  for (const code of handle.chosen) if (!now.has(code)) handle.map.setFeatureState(target(code), { chosen: false });
  for (const code of now) if (!handle.chosen.has(code)) handle.map.setFeatureState(target(code), { chosen: true });
  handle.chosen = now;
  handle.map.getContainer().dataset.chosen = String(now.size);
}

export function dispose(handle) {
  handle.map.remove();
}
