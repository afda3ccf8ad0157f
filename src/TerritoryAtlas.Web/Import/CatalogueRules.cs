namespace TerritoryAtlas.Web.Import;

/// <summary>Checks the catalogue before anything is written, with messages that say which indicator is wrong.</summary>
public static class CatalogueRules
{
    private static readonly HashSet<string> Kinds = ["count", "rate", "amount", "index", "ratio", "share"];

    public static void Validate(Catalogue catalogue, string path)
    {
        var themes = catalogue.Themes.Select(t => t.Code).ToHashSet(StringComparer.Ordinal);
        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in catalogue.Indicators)
        {
            var place = $"indicator '{i.Code}'";
            void Fail(string problem) => throw new ImportException(path, place, problem);
            if (!codes.Add(i.Code))
            {
                Fail("listed twice");
            }

            if (!themes.Contains(i.Theme))
            {
                Fail($"theme '{i.Theme}' is not among the themes");
            }

            if (!Kinds.Contains(i.Kind))
            {
                Fail($"kind '{i.Kind}' is not one of {string.Join(", ", Kinds)}");
            }

            if (i.Polarity is < -1 or > 1)
            {
                Fail("polarity must be -1, 0 or 1");
            }

            if ((i.Kind == "rate") != (i.Numerator is not null && i.Denominator is not null))
            {
                Fail("a rate needs a numerator and a denominator, and only a rate has them");
            }

            if (i.Kind == "rate" && i.Multiplier is null or <= 0)
            {
                Fail("a rate needs a positive multiplier (100 for a percentage)");
            }

            if (i.Additive && i.Kind != "count")
            {
                Fail("only counts are additive");
            }

            if (i.Secrecy is { AppliesTo: not ("value" or "numerator") })
            {
                Fail("secrecy.applies_to must be 'value' or 'numerator'");
            }
        }

        foreach (var i in catalogue.Indicators.Where(i => i.Kind == "rate"))
        {
            foreach (var part in new[] { i.Numerator!, i.Denominator! }.Where(p => !codes.Contains(p)))
            {
                throw new ImportException(path, $"indicator '{i.Code}'", $"numerator or denominator '{part}' is not in the catalogue");
            }
        }
    }
}
