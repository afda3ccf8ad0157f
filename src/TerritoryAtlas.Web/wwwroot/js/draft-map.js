// The contribution page's preview map: a draft's figures on the level's vector tiles, each territory filled with the
// colour the page computed (feature-state), the revised ones outlined, a tooltip with the draft and published figure.
// DraftMap.razor classifies and formats; this module only draws.
import * as maplibregl from '../lib/maplibre-gl/maplibre-gl.mjs';
import { mapLibreLocale, territorySource } from './choropleth.js';

const SOURCE = 'draft';
const FRANCE_BOUNDS = [[-5.2, 41.3], [9.6, 51.1]];
const EMPTY = '#e6e9ed';

// options: { lang, dataVersion }.
export function create(element, options) {
  const map = new maplibregl.Map({
    container: element,
    locale: mapLibreLocale(options.lang),
    style: { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f6f8' } }] },
    bounds: FRANCE_BOUNDS,
    fitBoundsOptions: { padding: 16 },
    attributionControl: { compact: true, customAttribution: 'IGN ADMIN EXPRESS' },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  const handle = { map, options, level: null, features: new Map(), loaded: new Promise(resolve => map.once('load', resolve)) };
  const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false, maxWidth: '280px' });
  map.on('mousemove', 'draft-fill', e => {
    const feature = e.features?.length ? handle.features.get(String(e.features[0].id)) : null;
    if (!feature) { popup.remove(); return; }
    const box = document.createElement('div');
    const title = document.createElement('strong');
    title.textContent = `${feature.name} (${feature.code})`;
    box.append(title, document.createElement('br'),
      `${handle.labels.draft} : ${feature.draft}`, document.createElement('br'),
      `${handle.labels.published} : ${feature.published}`);
    popup.setLngLat(e.lngLat).setDOMContent(box).addTo(map);
  });
  map.on('mouseleave', 'draft-fill', () => popup.remove());
  return {
    show: data => show(handle, data),
    dispose: () => { popup.remove(); map.remove(); },
  };
}

// data: { level, bounds: [xmin, ymin, xmax, ymax] | null, features: [{ code, name, colour, revised, draft, published }], labels }.
// Returns how many territories were given a state.
async function show(handle, data) {
  const { map } = handle;
  await handle.loaded;
  handle.labels = data.labels;
  if (handle.level !== data.level) {
    for (const id of ['draft-fill', 'draft-line', 'draft-revised']) if (map.getLayer(id)) map.removeLayer(id);
    if (map.getSource(SOURCE)) map.removeSource(SOURCE);
    handle.level = data.level;
    if (data.level) {
      map.addSource(SOURCE, territorySource(data.level, handle.options.dataVersion));
      map.addLayer({
        id: 'draft-fill', type: 'fill', source: SOURCE, 'source-layer': 'territories',
        paint: { 'fill-color': ['coalesce', ['feature-state', 'colour'], EMPTY] },
      });
      map.addLayer({
        id: 'draft-line', type: 'line', source: SOURCE, 'source-layer': 'territories',
        paint: { 'line-color': '#ffffff', 'line-width': 0.4 },
      });
      map.addLayer({
        id: 'draft-revised', type: 'line', source: SOURCE, 'source-layer': 'territories',
        paint: { 'line-color': '#e07b00', 'line-width': 2, 'line-opacity': ['case', ['boolean', ['feature-state', 'revised'], false], 1, 0] },
      });
    }
  } else if (map.getSource(SOURCE)) {
    map.removeFeatureState({ source: SOURCE, sourceLayer: 'territories' });
  }

  handle.features = new Map();
  if (!data.level) return 0;
  for (const feature of data.features) {
    handle.features.set(feature.code, feature);
    map.setFeatureState({ source: SOURCE, sourceLayer: 'territories', id: feature.code }, { colour: feature.colour, revised: feature.revised });
  }
  if (data.bounds) {
    map.fitBounds([[data.bounds[0], data.bounds[1]], [data.bounds[2], data.bounds[3]]], { padding: 24, maxZoom: 11, duration: 0 });
  }
  return data.features.length;
}
