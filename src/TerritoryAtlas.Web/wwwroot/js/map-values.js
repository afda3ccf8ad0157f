// The figures a map is coloured by, fetched from /api/maps and kept for the few views around the current one: the
// year slider and its animation step to a neighbouring year, fetched in advance (prefetchNeighbours), so that a
// step only re-colours. Shared by the map (choropleth.js) and the early start of a prerendered page (map-boot.js).
import { valuesUrl } from './map-request.js';

const cache = new Map();
const KEPT = 12;

export function fetchValues(url) {
  let pending = cache.get(url);
  if (!pending) {
    pending = fetch(url).then(async response => {
      if (!response.ok) {
        const problem = await response.json().catch(() => ({ detail: response.statusText }));
        throw new Error(problem.detail ?? problem.title ?? 'map values unavailable');
      }
      return response.json();
    });
    // A failed fetch is not kept: the next attempt asks again.
    pending.catch(() => cache.delete(url));
    cache.set(url, pending);
    while (cache.size > KEPT) cache.delete(cache.keys().next().value);
  }
  return pending;
}

export function prefetchNeighbours(request, years) {
  if (!years?.length) return;
  const i = years.indexOf(request.year);
  for (const year of [years[i + 1] ?? years[0], years[i - 1]]) {
    // The index is built as soon as the figures arrive, so that the step itself only compares and re-colours.
    if (year !== undefined && year !== request.year) fetchValues(valuesUrl({ ...request, year })).then(indexOf).catch(() => {});
  }
}

/** code → position in the values' parallel arrays; built once per values and kept with them. */
export function indexOf(values) {
  if (!values.index) values.index = new Map(values.codes.map((code, i) => [code, i]));
  return values.index;
}
