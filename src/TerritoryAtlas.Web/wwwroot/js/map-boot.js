// Starts the map of a prerendered page at once, without waiting for the Blazor circuit: the values request, the
// MapLibre module and the tiles all start while the page loads. When the circuit renders the page again (Blazor
// replaces prerendered markup, it does not adopt it), the running map is moved into the new container before the
// browser paints, and ChoroplethMap adopts it (choropleth.js, create).
//
// Blazor starts here too (App.razor loads blazor.web.js with autostart="false"). On a page with a prerendered map it
// starts once the map is drawn, or as soon as the reader reaches for a control, or after 3 s at most: its start (the
// circuit's connection, the server rendering the page again, the swap of the page's markup) would otherwise share
// the machine with the tile worker during the map's first drawing. Any other page starts it at once.
// window.atlasBlazorStart says when and why (tests read it).
function startBlazor(reason) {
  if (window.atlasBlazorStart) return;
  window.atlasBlazorStart = { reason, at: performance.now() };
  window.Blazor.start();
}

// Links to the pages outside Blazor's interactive routing (sign-in, account: static forms, see App.razor) are marked
// data-full-load and load the whole page themselves. Left to Blazor, a click while its circuit starts (the press on
// the link itself starts it, below) goes to enhanced navigation and the circuit's first render can put the page the
// reader left back over the one they asked for.
document.addEventListener('click', e => {
  const link = e.target instanceof Element ? e.target.closest('a[data-full-load][href]') : null;
  if (!link || e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  location.assign(link.href);
}, { capture: true });

// Buttons marked data-print print the page (no inline onclick: the Content-Security-Policy forbids inline handlers).
document.addEventListener('click', e => {
  if (e.target instanceof Element && e.target.closest('[data-print]')) window.print();
});

const element = document.querySelector('[data-atlas-boot]');
if (!element) {
  startBlazor('no map');
} else {
  setTimeout(() => startBlazor('timeout'), 3000);
  for (const type of ['pointerdown', 'keydown', 'focusin']) document.addEventListener(type, () => startBlazor('input'), { once: true, capture: true });
  try {
    await startMap(element);
  } catch (e) {
    console.warn('map:', e.message);
    startBlazor('map failed');
  }
}

async function startMap(element) {
  const boot = JSON.parse(element.dataset.atlasBoot);
  const values = Promise.all([import('./map-values.js'), import('./map-request.js')]).then(([v, r]) => v.fetchValues(r.valuesUrl(boot.request)));
  values.catch(() => {});
  const { create, show } = await import('./choropleth.js');
  const inner = document.createElement('div');
  inner.className = 'atlas-map-inner';
  element.append(inner);
  const handle = create(inner, { ...boot.options, bootKey: boot.key, level: boot.request.level, dataVersion: boot.request.dataVersion });
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
  handle.drawn.then(() => startBlazor('drawn'));
  show(handle, boot.request).catch(e => { console.warn('map:', e.message); startBlazor('map failed'); });
}
