using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.Web.Embed;

/// <summary>The embed URL of a map view and the two snippets a partner pastes into its site.</summary>
public sealed record EmbedSnippet(string Url, string Iframe, string Script);

public static class EmbedSnippets
{
    public static EmbedSnippet For(Uri atlasBase, MapRequest view, string title, string lang, int height = 480)
    {
        // The view's own query (MapRequest.ToQuery: the options that differ from their defaults, comparison included).
        var query = view.ToQuery().Select(p => (p.Key, p.Value))
            .Concat(lang == "en" ? [("lang", "en")] : []);
        var url = new Uri(atlasBase, "/embed?" + string.Join('&', query.Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}"))).ToString();
        var e = EmbedEndpoints.Encode;
        var iframe = $"""<iframe src="{e(url)}" title="{e(title)}" width="100%" height="{height}" style="border:0" loading="lazy"></iframe>""";
        var script = $"""<script src="{e(new Uri(atlasBase, "/js/embed-loader.js").ToString())}" data-atlas-embed="{e(url)}" data-atlas-title="{e(title)}" async></script>""";
        return new EmbedSnippet(url, iframe, script);
    }
}
