// Starts the map of a prerendered page at once, without waiting for the Blazor circuit: the values request, the
// MapLibre module and the tiles all start while blazor.web.js connects. When the circuit renders the page again
// (Blazor replaces prerendered markup, it does not adopt it), the running map is moved into the new container
// before the browser paints, and ChoroplethMap adopts it (choropleth.js, create). A page without a prerendered
// map loads nothing more than this file.
const element = document.querySelector('[data-atlas-boot]');
if (element) {
  const boot = JSON.parse(element.dataset.atlasBoot);
  const values = import('./map-values.js').then(m => m.fetchValues(m.valuesUrl(boot.request)));
  values.catch(() => {});
  const { create, show } = await import('./choropleth.js');
  const inner = document.createElement('div');
  inner.className = 'atlas-map-inner';
  element.append(inner);
  const handle = create(inner, { ...boot.options, bootKey: boot.key });
  window.atlasEarlyMap = { key: boot.key, handle, inner, adopted: false };
  // Blazor's first interactive render swaps the prerendered container for a new one with the same key: move the
  // map into it in the same task (mutation observers run before rendering), so the map never blinks.
  const observer = new MutationObserver(() => {
    const early = window.atlasEarlyMap;
    if (early.adopted) { observer.disconnect(); return; }
    if (inner.isConnected) return;
    const next = [...document.querySelectorAll('[data-atlas-boot]')].find(e => JSON.parse(e.dataset.atlasBoot).key === boot.key);
    if (next) next.append(inner);
  });
  observer.observe(document.body, { childList: true, subtree: true });
  show(handle, boot.request).catch(e => console.warn('map:', e.message));
}
