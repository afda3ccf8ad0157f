// What a map page started before the map module ran, taken over instead of started again: MapLibre's tile worker,
// which the page's head started (MapWorkerScript: the map page, embeds), and the map map-boot.js drew from the
// prerendered page before the circuit. choropleth.js imports this module first, so the worker is handed over before
// any map asks MapLibre for one.
import * as maplibregl from '../lib/maplibre-gl/maplibre-gl.mjs';

// The tile worker starts now, while the page loads, not when the first map asks for it. (One worker, MapLibre's
// default: a second one made the national commune map slower here, 2 cores shared with software WebGL.) A page whose
// head started it already hands that one to MapLibre: MapLibre creates its workers synchronously in prewarm, through
// the Worker constructor, which returns the running worker for its URL once.
const earlyWorker = window.atlasEarlyWorker;
// From here on MapLibre has a worker: the head's script, should it run only now, starts none.
window.atlasEarlyWorker ??= { adopted: false };
if (earlyWorker?.worker && !earlyWorker.adopted) {
  const url = new URL(earlyWorker.url, document.baseURI).href;
  maplibregl.setWorkerUrl(url);
  const NativeWorker = window.Worker;
  window.Worker = function (workerUrl, options) {
    if (!earlyWorker.adopted && String(workerUrl) === url) {
      earlyWorker.adopted = true;
      return earlyWorker.worker;
    }
    return new NativeWorker(workerUrl, options);
  };
  try { maplibregl.prewarm(); } finally { window.Worker = NativeWorker; }
} else {
  maplibregl.prewarm();
}

// The map map-boot.js started before the circuit (window.atlasEarlyMap), when it shows this very view (options.bootKey):
// moved into element and answering callbacks from now on. Null when there is none to take over.
export function adoptEarlyMap(element, options, callbacks) {
  const early = window.atlasEarlyMap;
  if (!early || early.adopted || !options.bootKey || options.bootKey !== early.key) return null;
  early.adopted = true;
  if (early.inner.parentElement !== element) element.append(early.inner);
  early.handle.callbacks = callbacks;
  early.handle.live = !!callbacks;
  // Its moveend keeps the centre and zoom, so the page hears of no view (choropleth.js, create).
  early.handle.map.resize();
  return early.handle;
}
