// A map's legend in the browser, for the embed, the workshop and the PNG export: legendOf builds it from the values
// payload by the rules of the page's legend (Maps/Legend.cs: same rows, same counts, same words), renderLegend draws it
// as a table, drawLegend on a canvas. Built with textContent only: labels and units are data, never markup.

// The legend's words per language, from the pages' resource (Maps/map-texts-*.json, as Maps/LegendWords hands them):
// the page that draws a map gives them to create (choropleth.js), which keeps them here.
const WORDS = {};

export function useLegendWords(words) {
  if (words) WORDS[words.lang] = words;
}

/** The legend's words in lang (the tooltips say the figure's state and position with them too). */
export function legendWords(lang) {
  const words = WORDS[lang === 'en' ? 'en' : 'fr'];
  if (!words) throw new Error(`no legend words for '${lang}': the page hands them to the map (legendWords)`);
  return words;
}

export function formatNumber(value, decimals, lang) {
  return value.toLocaleString(lang === 'en' ? 'en-GB' : 'fr-FR', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** The positions against a reference, in the legend's order (Legend.Categories). */
function categories(polarity) {
  return polarity === 0 ? ['lower', 'similar', 'higher'] : ['better', 'similar', 'worse'];
}

/**
 * The territories drawn in the no-data colour: without a figure and, comparing, with a figure but no reference to
 * compare it with (Legend.NoDataCount).
 */
export function noDataCount(values) {
  return values.noData + (values.mode === 'compare' ? values.reference?.withoutReference ?? 0 : 0);
}

/**
 * { title, subtitle, rows: [{ kind: class|category|suppressed|nodata, colour, label, count, category }], source,
 *   territories (the counts' title), sourceLabel }
 */
export function legendOf(values, lang) {
  const t = legendWords(lang);
  const c = values.classification;
  const f = x => formatNumber(x, values.decimals, lang);
  const compare = values.mode === 'compare' && !!c.categoryColours;
  const rows = compare
    ? categories(values.polarity).map(category => ({
      kind: 'category', colour: c.categoryColours[category] ?? c.noDataColour, label: t.categories[category], count: c.categoryCounts?.[category] ?? 0, category,
    }))
    : c.colours.slice(0, c.classes).map((colour, i) => ({
      kind: 'class', colour, label: `${i === 0 ? '' : '> '}${f(c.bounds[i])} – ${f(c.bounds[i + 1])}`, count: c.counts[i], category: null,
    }));
  if (values.suppressed > 0) rows.push({ kind: 'suppressed', colour: c.suppressedColour, label: t.secret, count: values.suppressed, category: null });
  const noData = noDataCount(values);
  if (noData > 0) rows.push({ kind: 'nodata', colour: c.noDataColour, label: t.noData, count: noData, category: null });
  const how = values.mode === 'compare'
    ? (values.reference?.name ? t.area.replace('{name}', () => values.reference.name) : values.reference?.kind === 'france' ? t.france : t.parent)
    : t.methods[c.method] ?? c.method;
  return { title: values.label, subtitle: `${values.unit} · ${values.year} · ${how}`, rows, source: values.source, territories: t.territories, sourceLabel: t.source };
}

/** Draws a legend into element: an optional heading, the subtitle, then one table row per legend row. */
export function renderLegend(element, legend, heading) {
  const table = document.createElement('table');
  const body = table.createTBody();
  for (const row of legend.rows) {
    const tr = body.insertRow();
    tr.dataset.testid = `legend-${row.kind}`;
    const swatch = document.createElement('span');
    swatch.className = row.kind === 'suppressed' ? 'atlas-legend-swatch suppressed' : 'atlas-legend-swatch';
    if (row.kind !== 'suppressed') swatch.style.background = row.colour;
    tr.insertCell().append(swatch);
    tr.insertCell().textContent = row.label;
    const count = tr.insertCell();
    count.className = 'count';
    count.title = legend.territories;
    count.textContent = String(row.count);
  }
  const subtitle = document.createElement('div');
  subtitle.className = 'meta';
  subtitle.textContent = legend.subtitle;
  const head = heading ? [Object.assign(document.createElement('h3'), { textContent: heading })] : [];
  element.replaceChildren(...head, subtitle, table);
}

/**
 * Draws a legend's rows on a canvas from (x, y), one every 24 px (times ratio): swatch, label and count.
 * Returns the height drawn.
 */
export function drawLegend(ctx, legend, x, y, ratio) {
  let at = y;
  for (const row of legend.rows) {
    ctx.fillStyle = row.colour;
    ctx.fillRect(x, at, 18 * ratio, 14 * ratio);
    ctx.strokeStyle = '#888';
    ctx.strokeRect(x, at, 18 * ratio, 14 * ratio);
    ctx.fillStyle = '#1f1f1f';
    ctx.fillText(`${row.label} (${row.count})`, x + 26 * ratio, at + 12 * ratio);
    at += 24 * ratio;
  }
  return at - y;
}
