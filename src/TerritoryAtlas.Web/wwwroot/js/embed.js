// The embed widget: the app's map module, fed from the page's data-config, with a legend drawn from the same
// values payload (so map and legend agree) and its height reported to the partner page (embed-loader.js).
import { create, show, formatNumber } from './choropleth.js';

const root = document.querySelector('main.embed');
const config = JSON.parse(root.dataset.config);
const T = config.lang === 'en'
  ? { secret: 'Statistical secrecy', noData: 'No data' }
  : { secret: 'Secret statistique', noData: 'Donnée non disponible' };

const handle = create(document.getElementById('embed-map'), { lang: config.lang, level: config.level, dataVersion: config.dataVersion });
show(handle, config).then(() => {
  if (config.legend !== false) drawLegend(handle.values);
  reportHeight();
}).catch(error => {
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.textContent = error.message;
  document.getElementById('embed-map').append(p);
});

// Built with textContent only: labels and units are data, never markup.
function drawLegend(v) {
  const c = v.classification;
  const table = document.createElement('table');
  const row = (colour, label, count, suppressed) => {
    const tr = table.insertRow();
    const swatch = document.createElement('span');
    swatch.className = suppressed ? 'swatch suppressed' : 'swatch';
    if (!suppressed) swatch.style.background = colour;
    tr.insertCell().append(swatch);
    tr.insertCell().textContent = label;
    const n = tr.insertCell();
    n.className = 'count';
    n.textContent = String(count);
  };
  const f = x => formatNumber(x, v.decimals, config.lang);
  for (let i = 0; i < c.classes; i++) {
    row(c.colours[i], `${i === 0 ? '' : '> '}${f(c.bounds[i])} – ${f(c.bounds[i + 1])}`, c.counts[i], false);
  }
  if (v.suppressed > 0) row(null, T.secret, v.suppressed, true);
  if (v.noData > 0) row(c.noDataColour, T.noData, v.noData, false);
  const unit = document.createElement('div');
  unit.textContent = v.unit;
  const legend = document.getElementById('embed-legend');
  legend.replaceChildren(unit, table);
}

function reportHeight() {
  if (window.parent !== window) {
    window.parent.postMessage({ type: 'territoryatlas:height', height: document.documentElement.scrollHeight }, '*');
  }
}
window.addEventListener('resize', reportHeight);
