namespace TerritoryAtlas.Web.Export;

/// <summary>The download URL of what a map shows: same level, indicator and year (and area, when one is chosen).</summary>
public static class ExportLinks
{
    public static string Download(string level, string indicator, int year, string format, string? within = null, bool semicolon = false, bool bom = false)
    {
        var query = new List<KeyValuePair<string, string?>> { new("indicator", indicator), new("year", year.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        if (within is not null)
        {
            query.Add(new("within", within));
        }

        if (format == "csv" && semicolon)
        {
            query.Add(new("sep", ";"));
        }

        if (format == "csv" && bom)
        {
            query.Add(new("bom", "true"));
        }

        return $"/api/export/{Uri.EscapeDataString(level)}.{format}{QueryString.Create(query)}";
    }

    /// <summary>The sidecar of a CSV download: where each indicator's figures come from.</summary>
    public static string Sources(string level, string indicator, int year, string? within = null, bool semicolon = false, bool bom = false)
    {
        var csv = Download(level, indicator, year, "csv", within, semicolon, bom);
        return csv.Replace($"{Uri.EscapeDataString(level)}.csv?", $"{Uri.EscapeDataString(level)}/sources.csv?", StringComparison.Ordinal);
    }
}
