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
  // A frame the atlas refuses (this site is not in its allow-list) would show only the browser's grey icon: ask the
  // atlas, and if refused put a readable message in its place and tell the page with a 'territoryatlas:refused' event.
  fetch(new URL('/embed/allowed', src).href, { mode: 'cors', credentials: 'omit' })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (answer) {
      if (!answer || answer.allowed) return;
      var en = src.searchParams.get('lang') === 'en';
      var note = document.createElement('p');
      note.setAttribute('role', 'status');
      note.setAttribute('data-atlas-refused', '');
      note.style.cssText = 'border:1px solid #c62828;padding:12px;font:14px/1.4 sans-serif;color:#222';
      note.textContent = en
        ? 'This map cannot be shown here: ' + location.origin + ' is not among the sites allowed to embed ' + src.origin + '. Ask the atlas to add it (Embed:AllowedOrigins), or open the map: '
        : 'Cette carte ne peut pas s\u2019afficher ici : ' + location.origin + ' ne fait pas partie des sites autoris\u00e9s \u00e0 int\u00e9grer ' + src.origin + '. Demandez \u00e0 l\u2019atlas de l\u2019ajouter (Embed:AllowedOrigins), ou ouvrez la carte : ';
      var link = document.createElement('a');
      link.href = src.href;
      link.target = '_blank';
      link.rel = 'noopener';
      link.textContent = frame.title;
      note.appendChild(link);
      frame.replaceWith(note);
      if (window.console) console.warn('TerritoryAtlas: ' + location.origin + ' is not allowed to embed ' + src.origin + ' (Embed:AllowedOrigins).');
      script.dispatchEvent(new CustomEvent('territoryatlas:refused', { bubbles: true, detail: { origin: location.origin, atlas: src.origin } }));
    })
    .catch(function () { /* the atlas unreachable: the frame says so itself */ });
  window.addEventListener('message', function (event) {
    // Only the widget's own origin and frame may resize it.
    if (event.origin !== src.origin || event.source !== frame.contentWindow) return;
    var data = event.data || {};
    if (data.type === 'territoryatlas:height' && data.height > 100 && data.height < 5000) {
      frame.style.height = Math.ceil(data.height) + 'px';
    }
  });
})();
