using System.Text.Json.Nodes;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Tests.Import;

public sealed class CatalogueRulesTests : IDisposable
{
    private static readonly string CataloguePath = RepositoryFiles.PathOf("indicators/catalogue.json");

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_repository_catalogue_is_valid()
    {
        var catalogue = ManifestFiles.Load<Catalogue>(CataloguePath);

        CatalogueRules.Validate(catalogue, CataloguePath);

        Assert.NotEmpty(catalogue.Themes);
        Assert.NotEmpty(catalogue.Indicators);
        Assert.Contains(catalogue.Indicators, i => i.Kind == "rate" && i.Numerator is not null && i.Denominator is not null);
    }

    [Fact]
    public void A_rate_without_a_denominator_is_rejected_naming_the_indicator()
    {
        var code = "";
        var path = Mutated(indicators =>
        {
            var rate = indicators.First(i => (string?)i!["kind"] == "rate")!;
            code = (string)rate["code"]!;
            rate["denominator"] = null;
        });

        var e = Assert.Throws<ImportException>(() => CatalogueRules.Validate(ManifestFiles.Load<Catalogue>(path), path));

        Assert.Equal($"indicator '{code}'", e.Place);
        Assert.Contains("denominator", e.Message, StringComparison.Ordinal);
        Assert.Equal(path, e.File);
    }

    [Fact]
    public void An_indicator_in_an_unknown_theme_is_rejected_naming_the_indicator_and_the_theme()
    {
        var code = "";
        var path = Mutated(indicators =>
        {
            var indicator = indicators.Last()!;
            code = (string)indicator["code"]!;
            indicator["theme"] = "astrologie";
        });

        var e = Assert.Throws<ImportException>(() => CatalogueRules.Validate(ManifestFiles.Load<Catalogue>(path), path));

        Assert.Equal($"indicator '{code}'", e.Place);
        Assert.Contains("'astrologie'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_indicator_listed_twice_is_rejected_naming_it()
    {
        var code = "";
        var path = Mutated(indicators =>
        {
            var first = indicators[0]!;
            code = (string)first["code"]!;
            indicators.Add(first.DeepClone());
        });

        var e = Assert.Throws<ImportException>(() => CatalogueRules.Validate(ManifestFiles.Load<Catalogue>(path), path));

        Assert.Equal($"indicator '{code}'", e.Place);
        Assert.Contains("twice", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rate_whose_numerator_is_not_in_the_catalogue_is_rejected()
    {
        var code = "";
        var path = Mutated(indicators =>
        {
            var rate = indicators.First(i => (string?)i!["kind"] == "rate")!;
            code = (string)rate["code"]!;
            rate["numerator"] = "allocataires_inconnus";
        });

        var e = Assert.Throws<ImportException>(() => CatalogueRules.Validate(ManifestFiles.Load<Catalogue>(path), path));

        Assert.Equal($"indicator '{code}'", e.Place);
        Assert.Contains("'allocataires_inconnus'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_count_with_a_denominator_is_rejected()
    {
        var code = "";
        var path = Mutated(indicators =>
        {
            var count = indicators.First(i => (string?)i!["kind"] == "count")!;
            code = (string)count["code"]!;
            count["numerator"] = code;
            count["denominator"] = code;
        });

        var e = Assert.Throws<ImportException>(() => CatalogueRules.Validate(ManifestFiles.Load<Catalogue>(path), path));

        Assert.Equal($"indicator '{code}'", e.Place);
    }

    [Fact]
    public void A_catalogue_that_is_not_JSON_is_reported_with_its_line()
    {
        var path = _dir.File("catalogue.json", "{\n  \"themes\": [\n    oops\n  ]\n}\n");

        var e = Assert.Throws<ImportException>(() => ManifestFiles.Load<Catalogue>(path));

        Assert.Equal("line 3", e.Place);
    }

    // The repository's catalogue with one change, written to a file of its own.
    private string Mutated(Action<JsonArray> change)
    {
        var root = JsonNode.Parse(File.ReadAllText(CataloguePath))!;
        change(root["indicators"]!.AsArray());
        return _dir.File("catalogue.json", root.ToJsonString());
    }
}
