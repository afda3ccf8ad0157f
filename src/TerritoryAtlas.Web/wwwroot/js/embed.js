// The embed widget: the app's map module, fed from the page's data-config, with a legend drawn from the same
// values payload (so map and legend agree) and its height reported to the partner page (embed-loader.js).
import { create, show } from './choropleth.js';
import { legendOf, renderLegend } from './map-legend.js';

const root = document.querySelector('main.embed');
const config = JSON.parse(root.dataset.config);

const handle = create(document.getElementById('embed-map'), { lang: config.lang, level: config.level, dataVersion: config.dataVersion, legendWords: config.legendWords });
show(handle, config).then(() => {
  if (config.legend !== false) drawLegend(handle.values);
  reportHeight();
}).catch(error => {
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.textContent = error.message;
  document.getElementById('embed-map').append(p);
});

// The legend of the values the map shows, as the workshop and the PNG export draw it (map-legend.js): comparison
// mode included, with the page's counts.
function drawLegend(values) {
  renderLegend(document.getElementById('embed-legend'), legendOf(values, config.lang));
}

function reportHeight() {
  if (window.parent !== window) {
    window.parent.postMessage({ type: 'territoryatlas:height', height: document.documentElement.scrollHeight }, '*');
  }
}
window.addEventListener('resize', reportHeight);
