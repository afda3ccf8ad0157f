using System.Text.RegularExpressions;
using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.Tests.Maps;

/// <summary>
/// The legend's words are written once, in the map texts' resource: the page's legend (Legend) reads them there, and
/// the browser's (js/map-legend.js: embeds, workshops, the PNG export) gets them from the page (LegendWords).
/// </summary>
public sealed partial class LegendWordsTests
{
    private static MapValues Values(string mode, string method = "quantile", MapReference? reference = null, int polarity = -1) => new(
        Level: "departement", Indicator: "taux_pauvrete_60", Year: 2020, Label: "Taux de pauvreté", Unit: "%", Decimals: 1,
        Polarity: polarity, Source: "INSEE, Filosofi", DataVersion: 7, Mode: mode,
        Classification: new MapClassification(method, 2, [9.5, 12.2, 15], [3, 2], "OrRd", ["#fdd49e", "#d7301f"], "#d9d9d9", "#9e9e9e",
            mode == "compare" ? new Dictionary<string, int> { ["better"] = 1, ["similar"] = 2, ["worse"] = 2, ["lower"] = 1, ["higher"] = 1 } : null,
            mode == "compare" ? new Dictionary<string, string> { ["better"] = "#1", ["similar"] = "#2", ["worse"] = "#3", ["lower"] = "#4", ["higher"] = "#5" } : null),
        Territories: 7, NoData: 1, Suppressed: 1, Codes: [], Values: [], Statuses: [], Classes: [], Ranks: [], ParentLevel: null,
        ParentCodes: [], ParentValues: new Dictionary<string, double?>(), Reference: reference, Categories: null, Within: null);

    private static string How(Legend legend) => legend.Subtitle.Split(" · ")[^1];

    [Theory]
    [InlineData("fr")]
    [InlineData("en")]
    public void The_words_handed_to_the_browser_are_those_of_the_page_legend(string lang)
    {
        var texts = MapTexts.For(lang);
        var words = LegendWords.For(lang);
        Assert.Equal(lang, words.Lang);

        foreach (var method in words.Methods.Keys)
        {
            Assert.Equal(How(Legend.Of(Values("classes", method), texts)), words.Methods[method]);
        }

        var classes = Legend.Of(Values("classes"), texts);
        Assert.Equal(words.Secret, classes.Rows.Single(r => r.Kind == "suppressed").Label);
        Assert.Equal(words.NoData, classes.Rows.Single(r => r.Kind == "nodata").Label);
        foreach (var polarity in new[] { -1, 0 })
        {
            var compared = Legend.Of(Values("compare", reference: new MapReference("parent", "region", null, true), polarity: polarity), texts);
            Assert.All(compared.Rows.Where(r => r.Kind == "category"), r => Assert.Equal(words.Categories[r.Category!], r.Label));
            Assert.Equal(words.Parent, How(compared));
        }

        Assert.Equal(words.France, How(Legend.Of(Values("compare", reference: new MapReference("france", "france", 14.5, true)), texts)));
        Assert.Equal(words.Area.Replace("{name}", "Vallée", StringComparison.Ordinal),
            How(Legend.Of(Values("compare", reference: new MapReference("area:3", "zone", null, true, Name: "Vallée")), texts)));
        Assert.Equal(texts.Territories, words.Territories);
        Assert.Equal(texts.SourceLabel, words.Source);
    }

    [Fact]
    public void No_browser_module_writes_a_legend_word_of_its_own()
    {
        // A copy would drift from the resource: the modules take the words the page hands them.
        var words = new[] { LegendWords.French, LegendWords.English }
            .SelectMany(w => new[] { w.Secret, w.NoData, w.France, w.Parent }.Concat(w.Categories.Values).Concat(w.Methods.Values))
            // Long enough to mean something, and not a key the modules use ('similar', 'quantile').
            .Where(w => w.Length > 6 && !LegendWords.English.Categories.ContainsKey(w.ToLowerInvariant()) && !LegendWords.English.Methods.ContainsKey(w.ToLowerInvariant()))
            .ToList();
        // Any case: the tooltips say them in lower case. Every module, the series charts' included (their format hint
        // carries the words).
        var modules = Directory.GetFiles(RepositoryFiles.PathOf("src/TerritoryAtlas.Web/wwwroot/js"), "*.js").ToList();
        Assert.NotEmpty(modules);
        foreach (var module in modules)
        {
            // Strings only: comments may quote a word.
            var code = Comments().Replace(File.ReadAllText(module), "");
            var strings = Literals().Matches(code).Select(m => m.Value).ToList();
            foreach (var word in words)
            {
                Assert.False(strings.Any(s => s.Contains(word, StringComparison.OrdinalIgnoreCase)), $"{Path.GetFileName(module)} writes « {word} »");
            }
        }
    }

    [GeneratedRegex("""'[^'\n]*'|"[^"\n]*"|`[^`]*`""")]
    private static partial Regex Literals();

    [GeneratedRegex(@"/\*.*?\*/|(?<![:'""])//[^\n]*", RegexOptions.Singleline)]
    private static partial Regex Comments();
}
