using System.Globalization;
using System.Text;
using System.Text.Json;
using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.Web.Embed;

/// <summary>The embed page's HTML. Every piece of text from a request or the data is HTML-encoded.</summary>
public static class EmbedPage
{
    public static string Render(MapValues values, MapRequest request, string title, bool legend, string lang, string fullView)
    {
        var e = EmbedEndpoints.Encode;
        var culture = TerritoryAtlas.Web.Components.Language.Of(lang).Culture;
        string Format(double v) => v.ToString("N" + values.Decimals, culture);

        // The text alternative: the highest and lowest territories and the source, for screen readers and no-JS readers.
        var ranked = values.Codes.Select((code, i) => (Code: code, Name: values.Names.ElementAtOrDefault(i) ?? code, Value: values.Values[i]))
            .Where(x => x.Value.HasValue).OrderByDescending(x => x.Value).ToList();
        var highest = string.Join(", ", ranked.Take(3).Select(x => $"{x.Name} ({Format(x.Value!.Value)})"));
        var lowest = string.Join(", ", ranked.TakeLast(3).Reverse().Select(x => $"{x.Name} ({Format(x.Value!.Value)})"));
        var summary = lang == "en"
            ? $"Highest: {highest}. Lowest: {lowest}. Unit: {values.Unit}. Source: {values.Source}."
            : $"Valeurs les plus élevées : {highest}. Les plus faibles : {lowest}. Unité : {values.Unit}. Source : {values.Source}.";

        // The request as the map module takes it (MapRequest.ToClient), with what the widget itself needs.
        var client = request.ToClient();
        // The tiles are asked for at once, side by side with the figures (choropleth.js, show).
        client["dataVersion"] = values.DataVersion;
        client["legend"] = legend;
        client["lang"] = lang;
        // The legend's words from the pages' resource, so the widget's legend and tooltips say what the map page's say.
        client["legendWords"] = LegendWords.For(lang);
        var config = JsonSerializer.Serialize(client, JsonSerializerOptions.Web);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html>
            <html lang="{lang}">
            <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>{e(title)}</title>
            <script>{MapWorkerScript.Code(MapWorkerScript.EmbedWorkerUrl)}</script>
            <link rel="stylesheet" href="/lib/maplibre-gl/maplibre-gl.css" />
            <link rel="stylesheet" href="/css/embed.css" />
            </head>
            <body>
            <main class="embed" data-config="{e(config)}">
              <h1 class="embed-title">{e(title)}</h1>
              <div class="embed-map" id="embed-map" role="region" tabindex="0" aria-label="{e(title)}" aria-describedby="embed-summary"></div>
              <div class="embed-legend" id="embed-legend" aria-hidden="true"></div>
              <p class="embed-summary" id="embed-summary">{e(summary)}</p>
              <p class="embed-source">{(lang == "en" ? "Source" : "Source")} : {e(values.Source)} · <a href="{e(fullView)}" target="_blank" rel="noopener">{(lang == "en" ? "Open in TerritoryAtlas" : "Voir dans TerritoryAtlas")}</a></p>
            </main>
            <script type="module" src="/js/embed.js"></script>
            </body>
            </html>
            """);
        return html.ToString();
    }

    public static string Error(string parameter, string message, string lang) => $"""
        <!DOCTYPE html>
        <html lang="{lang}"><head><meta charset="utf-8" /><title>TerritoryAtlas</title></head>
        <body><p role="alert">{(lang == "en" ? "This map cannot be shown" : "Cette carte ne peut pas être affichée")} ({EmbedEndpoints.Encode(parameter)}) : {EmbedEndpoints.Encode(message)}</p></body></html>
        """;
}
