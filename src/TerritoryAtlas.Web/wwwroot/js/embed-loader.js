// The one-line embed: <script src="https://atlas.example/js/embed-loader.js" data-atlas-embed="https://atlas.example/embed?…" async></script>
// Inserts the iframe in place of the script and keeps its height fitted to the widget's content.
(function () {
  var script = document.currentScript;
  if (!script || !script.dataset.atlasEmbed) return;
  var src = new URL(script.dataset.atlasEmbed, script.src);
  var frame = document.createElement('iframe');
  frame.src = src.href;
  frame.title = script.dataset.atlasTitle || 'TerritoryAtlas';
  frame.loading = 'lazy';
  frame.style.width = '100%';
  frame.style.border = '0';
  frame.style.height = (script.dataset.atlasHeight || 480) + 'px';
  script.parentNode.insertBefore(frame, script);
  window.addEventListener('message', function (event) {
    // Only the widget's own origin and frame may resize it.
    if (event.origin !== src.origin || event.source !== frame.contentWindow) return;
    var data = event.data || {};
    if (data.type === 'territoryatlas:height' && data.height > 100 && data.height < 5000) {
      frame.style.height = Math.ceil(data.height) + 'px';
    }
  });
})();
