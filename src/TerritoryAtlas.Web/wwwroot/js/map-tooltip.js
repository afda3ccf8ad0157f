// The choropleth's tooltip: a territory's name, figure, rank among the level, its parent's figure and, comparing,
// its position against the reference, from the values the map shows (handle.values). Built with textContent only:
// names and notes are data, never markup.
import * as maplibregl from '../lib/maplibre-gl/maplibre-gl.mjs';
import { indexOf } from './map-values.js';
import { formatNumber, legendWords } from './map-legend.js';

// The tooltip's own words. A figure's state (secret, no data) and its position against the reference are said in the
// legend's words (legendWords), in lower case.
const TEXT = {
  fr: { rank: 'rang', of: 'sur', than: 'que' },
  en: { rank: 'rank', of: 'of', than: 'than' },
};

// The tooltip follows the pointer over the territories of the fill layer (layerId).
export function showTooltips(handle, layerId) {
  const map = handle.map;
  const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false, maxWidth: '320px' });
  map.on('mousemove', layerId, e => {
    const feature = e.features?.[0];
    if (!feature) return;
    map.getCanvas().style.cursor = 'pointer';
    popup.setLngLat(e.lngLat).setDOMContent(tooltip(handle, feature.id, null)).addTo(map);
  });
  map.on('mouseleave', layerId, () => { map.getCanvas().style.cursor = ''; popup.remove(); });
}

function tooltip(handle, code, name) {
  const t = TEXT[handle.lang];
  const words = legendWords(handle.lang);
  const lower = text => text.toLocaleLowerCase(handle.lang);
  const v = handle.values;
  const node = document.createElement('div');
  node.className = 'atlas-tooltip';
  const title = document.createElement('strong');
  title.textContent = `${name ?? handle.names?.get(code) ?? code} (${code})`;
  node.append(title);
  const line = text => { const div = document.createElement('div'); div.textContent = text; node.append(div); };
  const perimeter = v?.perimeters?.[code];
  // A commune absorbed by a commune nouvelle has no figure of its own: it shows the commune nouvelle's, and says so.
  const i = v ? indexOf(v).get(perimeter?.role === 'absorbed' ? perimeter.commune : code) : undefined;
  if (perimeter) {
    const note = document.createElement('div');
    note.className = 'atlas-tooltip-perimeter';
    note.textContent = `⚠ ${handle.lang === 'en' ? perimeter.noteEn : perimeter.noteFr}`;
    node.append(note);
  }
  if (!v || i === undefined) { line(lower(words.noData)); return node; }
  if (v.statuses[i] === 'suppressed') line(lower(words.secret));
  else if (v.values[i] === null || v.values[i] === undefined) line(lower(words.noData));
  else {
    line(`${formatNumber(v.values[i], v.decimals, handle.lang)} ${v.unit}`);
    const { of: ranks, ranked } = ranksOf(v);
    if (ranks[i]) line(`${t.rank} ${ranks[i]} ${t.of} ${ranked}`);
  }
  const parent = v.parentCodes?.[i];
  const parentValue = parent ? v.parentValues?.[parent] : null;
  if (parent && parentValue !== null && parentValue !== undefined) {
    line(`${v.parentNames?.[parent] ?? parent} : ${formatNumber(parentValue, v.decimals, handle.lang)} ${v.unit}`);
  }
  // Compared with a name people read: France, or this territory's parent (« moins bon que Seine-Saint-Denis »).
  if (v.categories?.[i]) line(`${lower(words.categories[v.categories[i]])} ${t.than} ${v.reference.name ?? (v.reference.kind === 'france' ? 'France' : v.parentNames?.[parent] ?? parent)}`);
  return node;
}

// The ranks among the territories shown (1 = highest; ties share a rank): only tooltips need them, so they are
// computed on the first one and kept with the (cached) values, not on every re-colouring.
// A commune nouvelle's figure drawn on a former commune's polygon takes no rank (as on its portrait).
function ranksOf(values) {
  if (!values.ranks) {
    const ranked = (x, i) => x !== null && x !== undefined && !values.perimeters?.[values.codes[i]];
    const sorted = values.values.filter(ranked).sort((a, b) => b - a);
    const rankOf = new Map();
    sorted.forEach((x, i) => { if (!rankOf.has(x)) rankOf.set(x, i + 1); });
    values.ranks = { of: values.values.map((x, i) => (ranked(x, i) ? rankOf.get(x) : null)), ranked: sorted.length };
  }
  return values.ranks;
}
