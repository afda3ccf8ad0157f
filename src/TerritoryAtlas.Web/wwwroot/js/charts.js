// The one bridge to apexcharts (UMD global ApexCharts, loaded once on demand). Blazor passes plain apexcharts
// options built from typed C# records; functions (number formatters) cannot cross JSON, so they are added here from
// the format hint: French number formatting, unit, and the server's words for a suppressed or missing point.
const LIB = 'lib/apexcharts/apexcharts.min.js';
let loading = null;

function loadLibrary() {
  if (window.ApexCharts) return Promise.resolve(window.ApexCharts);
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = new URL(`../${LIB}`, import.meta.url).href;
    script.onload = () => resolve(window.ApexCharts);
    script.onerror = () => { loading = null; reject(new Error('apexcharts could not be loaded')); };
    document.head.appendChild(script);
  });
  return loading;
}

function withFormatters(options, format) {
  const locale = format?.locale ?? 'fr-FR';
  const decimals = format?.decimals ?? 0;
  const unit = format?.unit ? ` ${format.unit}` : '';
  const number = v => v.toLocaleString(locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  const suppressed = format?.suppressed ?? {};
  const result = structuredClone(options);
  result.yaxis = { ...(result.yaxis ?? {}), labels: { formatter: v => (v === null || v === undefined ? '' : number(v)) } };
  result.xaxis = { ...(result.xaxis ?? {}), labels: { ...(result.xaxis?.labels ?? {}), formatter: v => String(Math.round(v)) } };
  result.tooltip = {
    ...(result.tooltip ?? {}),
    x: { formatter: v => String(Math.round(v)) },
    y: {
      formatter: (v, { seriesIndex, dataPointIndex, w }) => {
        if (v !== null && v !== undefined) return number(v) + unit;
        const year = w?.config?.series?.[seriesIndex]?.data?.[dataPointIndex]?.x;
        return (suppressed[seriesIndex] ?? []).includes(year) ? format?.secret ?? '' : format?.noData ?? '';
      },
    },
  };
  return result;
}

export async function create(element, options, format) {
  const ApexCharts = await loadLibrary();
  destroy(element);
  const chart = new ApexCharts(element, withFormatters(options, format));
  element.atlasChart = chart;
  await chart.render();
}

export async function update(element, options, format) {
  const chart = element.atlasChart;
  if (!chart) return create(element, options, format);
  await chart.updateOptions(withFormatters(options, format), true, false);
}

export function destroy(element) {
  element.atlasChart?.destroy();
  element.atlasChart = undefined;
}

function download(href, fileName) {
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

// PNG through apexcharts' own rasteriser (chart.dataURI), at twice the screen size for print.
export async function exportPng(element, fileName) {
  const result = await element.atlasChart.dataURI({ scale: 2 });
  download(result.imgURI ?? URL.createObjectURL(result.blob), fileName);
}

// SVG: the chart's own SVG element, serialised with its namespace so other tools open it.
export function exportSvg(element, fileName) {
  const svg = element.querySelector('svg.apexcharts-svg') ?? element.querySelector('svg');
  const clone = svg.cloneNode(true);
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const text = new XMLSerializer().serializeToString(clone);
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  download(url, fileName);
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
