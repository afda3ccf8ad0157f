// The map request on the browser's side: what the values API is asked for. The server writes the request
// (MapRequest.ToClient: level, indicator, year and the options that differ from their defaults) and this module
// writes it into the values API's URL, so the defaults live in one place (MapRequest) and every caller (the app's
// map, its early start, embeds, workshops) asks for the same URL for the same view.

/** The query parameters of a request besides level, indicator and year (MapRequest.OptionNames). */
export const OPTIONS = ['classification', 'classes', 'breaks', 'palette', 'mode', 'reference', 'within'];

/** The options of a request as a query; an option that is missing, null or empty takes the server's default. */
export function optionsQuery(request) {
  const params = new URLSearchParams();
  for (const key of OPTIONS) {
    if (request[key] !== undefined && request[key] !== null && request[key] !== '') params.set(key, String(request[key]));
  }
  return params;
}

/** `GET /api/maps/{level}/{indicator}/{year}?options`: the figures of a request. */
export function valuesUrl(request) {
  return `/api/maps/${encodeURIComponent(request.level)}/${encodeURIComponent(request.indicator)}/${request.year}?${optionsQuery(request)}`;
}
