// A small static map locating one territory: the outlines of its level from the vector tiles, the territory filled.
import * as maplibregl from '../lib/maplibre-gl/maplibre-gl.mjs';
import { mapLibreLocale, territorySource } from './choropleth.js';

export function create(element, options) {
  const [xmin, ymin, xmax, ymax] = options.bounds;
  // Widen the frame so neighbours show around the territory.
  const dx = Math.max((xmax - xmin) * 1.5, 0.2);
  const dy = Math.max((ymax - ymin) * 1.5, 0.15);
  const map = new maplibregl.Map({
    container: element,
    locale: mapLibreLocale(options.lang),
    style: {
      version: 8,
      sources: {
        territories: territorySource(options.level, options.dataVersion),
      },
      layers: [
        { id: 'background', type: 'background', paint: { 'background-color': '#f4f6f8' } },
        {
          id: 'territory-fill', type: 'fill', source: 'territories', 'source-layer': 'territories',
          paint: { 'fill-color': ['case', ['==', ['get', 'code'], options.code], '#1f4e79', '#dfe5ec'] },
        },
        { id: 'territory-line', type: 'line', source: 'territories', 'source-layer': 'territories', paint: { 'line-color': '#ffffff', 'line-width': 0.8 } },
      ],
    },
    bounds: [[xmin - dx, ymin - dy], [xmax + dx, ymax + dy]],
    interactive: false,
    attributionControl: { compact: true, customAttribution: 'IGN ADMIN EXPRESS' },
    // Kept so the map prints and can be read back.
    canvasContextAttributes: { preserveDrawingBuffer: true },
  });
  return map;
}

export function dispose(map) {
  map.remove();
}
