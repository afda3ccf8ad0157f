// Starts MapLibre's tile worker while the page's head is read, so that its 0.5 MB module compiles on another core
// while the page compiles MapLibre's own, instead of after it (a quarter of a second sooner on the commune map here).
// choropleth.js hands this worker to MapLibre. A classic script loaded async, not inline: embeds forbid inline scripts.
// It starts none when MapLibre has its worker already (choropleth.js ran first) or when it runs again (Blazor renders
// the map page's head again).
if (!window.atlasEarlyWorker) {
  const url = document.currentScript.dataset.worker;
  window.atlasEarlyWorker = { url, worker: new Worker(url, { type: 'module' }) };
}
