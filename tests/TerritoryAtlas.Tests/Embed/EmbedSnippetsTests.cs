using TerritoryAtlas.Web.Embed;
using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.Tests.Embed;

public sealed class EmbedSnippetsTests
{
    private static readonly Uri Atlas = new("https://atlas.example.org/");

    [Fact]
    public void The_snippet_carries_the_current_view()
    {
        var view = new MapRequest("commune", "mediane_niveau_vie", 2019, "jenks", 7, null, "Blues", Within: "departement:93");
        var snippet = EmbedSnippets.For(Atlas, view, "Revenu médian", "fr");
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(snippet.Url).Query);
        Assert.StartsWith("https://atlas.example.org/embed?", snippet.Url, StringComparison.Ordinal);
        Assert.Equal("mediane_niveau_vie", query["indicator"]);
        Assert.Equal("commune", query["level"]);
        Assert.Equal("2019", query["year"]);
        Assert.Equal("departement:93", query["within"]);
        Assert.Equal("jenks", query["classification"]);
        Assert.Equal("7", query["classes"]);
        Assert.Equal("Blues", query["palette"]);
        Assert.Contains("src=\"https://atlas.example.org/embed?", snippet.Iframe, StringComparison.Ordinal);
        Assert.Contains("src=\"https://atlas.example.org/js/embed-loader.js\"", snippet.Script, StringComparison.Ordinal);
    }

    [Fact]
    public void A_title_with_markup_stays_text_in_both_snippets()
    {
        var snippet = EmbedSnippets.For(Atlas, new MapRequest("departement", "aah_allocataires", 2019), "\"><script>alert(1)</script>", "fr");
        Assert.DoesNotContain("<script>alert", snippet.Iframe, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", snippet.Script, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", snippet.Iframe, StringComparison.Ordinal);
    }
}
