// The contribution page's map of a boundary layer before it is published: the level's outlines in force (its own
// tiles, grey; a territory the layer lacks, red) beneath the layer's outlines (/api/datasets/{id}/boundaries tiles)
// coloured by what publishing would do: new (green), reshaped (orange), unchanged (blue outline, from zoom 7 for
// communes). A tooltip names the feature. BoundaryDraftMap.razor gives the texts and the codes; this module draws.
import * as maplibregl from '../lib/maplibre-gl/maplibre-gl.mjs';
import { mapLibreLocale, territorySource } from './choropleth.js';

const STATUS_COLOURS = { new: '#2e7d32', reshaped: '#e07b00', unchanged: '#1f5fa8' };

// options: { lang, level, versionId, dataVersion, bounds: [w, s, e, n] | null, missing: [code], labels: { new, reshaped, unchanged } }.
export function create(element, options) {
  const map = new maplibregl.Map({
    container: element,
    locale: mapLibreLocale(options.lang),
    style: { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f6f8' } }] },
    bounds: options.bounds?.length === 4 ? [[options.bounds[0], options.bounds[1]], [options.bounds[2], options.bounds[3]]] : [[-5.2, 41.3], [9.6, 51.1]],
    fitBoundsOptions: { padding: 16 },
    attributionControl: { compact: true, customAttribution: 'IGN ADMIN EXPRESS' },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.on('load', () => {
    map.addSource('in-force', territorySource(options.level, options.dataVersion));
    map.addLayer({
      id: 'in-force-missing', type: 'fill', source: 'in-force', 'source-layer': 'territories',
      paint: { 'fill-color': '#c62828', 'fill-opacity': ['case', ['boolean', ['feature-state', 'missing'], false], 0.45, 0] },
    });
    map.addLayer({
      id: 'in-force-line', type: 'line', source: 'in-force', 'source-layer': 'territories',
      paint: { 'line-color': '#8a96a3', 'line-width': 0.5 },
    });
    map.addSource('draft', {
      type: 'vector', minzoom: 0, maxzoom: 12, promoteId: 'code',
      tiles: [`${location.origin}/api/datasets/${options.versionId}/boundaries/{z}/{x}/{y}.mvt`],
    });
    const colour = ['match', ['get', 'status'], 'new', STATUS_COLOURS.new, 'reshaped', STATUS_COLOURS.reshaped, STATUS_COLOURS.unchanged];
    map.addLayer({
      id: 'draft-fill', type: 'fill', source: 'draft', 'source-layer': 'draft',
      paint: { 'fill-color': colour, 'fill-opacity': ['match', ['get', 'status'], 'unchanged', 0.04, 0.35] },
    });
    map.addLayer({ id: 'draft-line', type: 'line', source: 'draft', 'source-layer': 'draft', paint: { 'line-color': colour, 'line-width': 1.2 } });
    // The missing territories' state is set when their tiles arrive (feature-state needs the feature's source loaded).
    map.on('sourcedata', e => {
      if (e.sourceId !== 'in-force' || !e.isSourceLoaded) return;
      for (const code of options.missing) map.setFeatureState({ source: 'in-force', sourceLayer: 'territories', id: code }, { missing: true });
    });
  });
  // What a test (or a curious reader) can check: how many of the layer's outlines are drawn, once the map is idle.
  map.on('idle', () => {
    if (!map.getLayer('draft-fill')) return;
    element.dataset.drawn = String(new Set(map.queryRenderedFeatures({ layers: ['draft-fill'] }).map(f => f.id)).size);
    element.dataset.ready = 'true';
  });
  const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false, maxWidth: '280px' });
  map.on('mousemove', 'draft-fill', e => {
    const feature = e.features?.[0];
    if (!feature) { popup.remove(); return; }
    const box = document.createElement('div');
    const title = document.createElement('strong');
    title.textContent = `${feature.properties.name} (${feature.properties.code})`;
    box.append(title, document.createElement('br'), options.labels[feature.properties.status] ?? feature.properties.status);
    popup.setLngLat(e.lngLat).setDOMContent(box).addTo(map);
  });
  map.on('mouseleave', 'draft-fill', () => popup.remove());
  return { dispose: () => { popup.remove(); map.remove(); } };
}
