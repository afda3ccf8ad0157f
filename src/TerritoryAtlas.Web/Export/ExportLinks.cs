namespace TerritoryAtlas.Web.Export;

/// <summary>The download URL of what a map shows: same level, indicator and year (and area, when one is chosen).</summary>
public static class ExportLinks
{
    public static string Download(string level, string indicator, int year, string format, string? within = null, bool semicolon = false, bool bom = false) =>
        $"/api/export/{Uri.EscapeDataString(level)}.{format}{Query(indicator, year, within, format == "csv" && semicolon, format == "csv" && bom)}";

    /// <summary>The sidecar of a CSV download (same parameters): where each indicator's figures come from.</summary>
    public static string Sources(string level, string indicator, int year, string? within = null, bool semicolon = false, bool bom = false) =>
        $"/api/export/{Uri.EscapeDataString(level)}/sources.csv{Query(indicator, year, within, semicolon, bom)}";

    private static QueryString Query(string indicator, int year, string? within, bool semicolon, bool bom)
    {
        var query = new List<KeyValuePair<string, string?>> { new("indicator", indicator), new("year", year.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        if (within is not null)
        {
            query.Add(new("within", within));
        }

        if (semicolon)
        {
            query.Add(new("sep", ";"));
        }

        if (bom)
        {
            query.Add(new("bom", "true"));
        }

        return QueryString.Create(query);
    }
}
