using System.Globalization;
using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.Web.Embed;

/// <summary>The embed URL of a map view and the two snippets a partner pastes into its site.</summary>
public sealed record EmbedSnippet(string Url, string Iframe, string Script);

public static class EmbedSnippets
{
    public static EmbedSnippet For(Uri atlasBase, MapRequest view, string title, string lang, int height = 480)
    {
        var query = new List<(string, string?)>
        {
            ("indicator", view.Indicator), ("level", view.Level), ("year", view.Year.ToString(CultureInfo.InvariantCulture)),
            ("within", view.Within), ("classification", view.Classification == "quantile" ? null : view.Classification),
            ("classes", view.Classes == 5 ? null : view.Classes.ToString(CultureInfo.InvariantCulture)),
            ("breaks", view.Breaks is { Count: > 0 } b ? string.Join(',', b.Select(x => x.ToString(CultureInfo.InvariantCulture))) : null),
            ("palette", view.Palette == "auto" ? null : view.Palette), ("lang", lang == "en" ? "en" : null),
        };
        var url = new Uri(atlasBase, "/embed?" + string.Join('&', query.Where(p => p.Item2 is not null)
            .Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"))).ToString();
        var e = EmbedEndpoints.Encode;
        var iframe = $"""<iframe src="{e(url)}" title="{e(title)}" width="100%" height="{height}" style="border:0" loading="lazy"></iframe>""";
        var script = $"""<script src="{e(new Uri(atlasBase, "/js/embed-loader.js").ToString())}" data-atlas-embed="{e(url)}" data-atlas-title="{e(title)}" async></script>""";
        return new EmbedSnippet(url, iframe, script);
    }
}
