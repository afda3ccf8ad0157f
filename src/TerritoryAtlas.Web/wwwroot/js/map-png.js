// The current view of a choropleth as a PNG for slides and reports: the map, then a title, the legend (map-legend.js,
// as embeds and workshops draw it), the source and the date.
import { legendOf, drawLegend } from './map-legend.js';

const DRAWN = { fr: 'Carte TerritoryAtlas', en: 'Map: TerritoryAtlas' };

// meta: { title, subtitle, source, date, fileName }. Downloads the image; returns the length of its data URL.
export function exportPng(handle, meta) {
  const mapCanvas = handle.map.getCanvas();
  const ratio = mapCanvas.width / mapCanvas.clientWidth;
  const legend = legendOf(handle.values, handle.lang);
  const legendWidth = 300 * ratio;
  const header = 56 * ratio;
  const footer = 40 * ratio;
  const canvas = document.createElement('canvas');
  canvas.width = mapCanvas.width + legendWidth;
  canvas.height = Math.max(mapCanvas.height, (legend.rows.length * 24 + 40) * ratio) + header + footer;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(mapCanvas, 0, header);
  ctx.fillStyle = '#1f1f1f';
  ctx.font = `bold ${18 * ratio}px sans-serif`;
  ctx.fillText(meta.title, 12 * ratio, 24 * ratio);
  ctx.font = `${13 * ratio}px sans-serif`;
  ctx.fillText(meta.subtitle, 12 * ratio, 44 * ratio);
  drawLegend(ctx, legend, mapCanvas.width + 12 * ratio, header + 12 * ratio, ratio);
  ctx.font = `${11 * ratio}px sans-serif`;
  ctx.fillStyle = '#444';
  ctx.fillText(`${legend.sourceLabel} : ${meta.source}`.slice(0, 220), 12 * ratio, canvas.height - 22 * ratio);
  ctx.fillText(`${DRAWN[handle.lang]} — ${meta.date}`, 12 * ratio, canvas.height - 8 * ratio);
  const url = canvas.toDataURL('image/png');
  const link = document.createElement('a');
  link.href = url;
  link.download = meta.fileName;
  document.body.append(link);
  link.click();
  link.remove();
  return url.length;
}
