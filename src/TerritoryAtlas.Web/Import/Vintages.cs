using System.Globalization;
using System.Text.Json;

namespace TerritoryAtlas.Web.Import;

/// <summary>
/// The COG vintage (year of the Code officiel géographique) a dataset's figures were published in, from the
/// manifest's `cog`: a year for the whole file (`2022`), a rule on the figure's year (`"year+2"`: INSEE publishes
/// populations légales of year N on the communes of 1 January N+2), or an object whose most specific key wins —
/// `"flag:<flag>"`, `"<indicator>/<year>"`, `"<indicator>"`, then `"default"`. A file that mixes sources (the tidy
/// commune table: Filosofi on year+1, populations légales on year+2) needs the object. Without `cog`, or with no key
/// matching, the vintage is unknown (null) and the perimeter a figure describes is inferred.
/// </summary>
public sealed class Vintages
{
    private readonly Dictionary<string, string> _rules = new(StringComparer.Ordinal);

    private Vintages()
    {
    }

    public static Vintages Unknown { get; } = new();

    public static Vintages Of(IndicatorDataset dataset)
    {
        var vintages = new Vintages();
        switch (dataset.Cog)
        {
            case null:
            case { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }:
                break;
            case { ValueKind: JsonValueKind.Object } rules:
                foreach (var rule in rules.EnumerateObject())
                {
                    if (rule.Name.StartsWith('$'))
                    {
                        continue;
                    }

                    vintages._rules[rule.Name] = Rule(dataset, rule.Value, rule.Name);
                }

                break;
            case { } single:
                vintages._rules["default"] = Rule(dataset, single, "cog");
                break;
        }

        return vintages;
    }

    /// <summary>The COG year of one figure, or null when the manifest does not say.</summary>
    public short? Of(string indicator, int year, string? flag)
    {
        if (_rules.Count == 0)
        {
            return null;
        }

        string? rule = null;
        if (flag is not null)
        {
            foreach (var part in flag.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (_rules.TryGetValue("flag:" + part, out rule))
                {
                    break;
                }
            }
        }

        if (rule is null
            && !_rules.TryGetValue(indicator + "/" + year.ToString(CultureInfo.InvariantCulture), out rule)
            && !_rules.TryGetValue(indicator, out rule)
            && !_rules.TryGetValue("default", out rule))
        {
            return null;
        }

        return (short)(rule.StartsWith("year", StringComparison.Ordinal)
            ? year + (rule.Length > 4 ? int.Parse(rule.AsSpan(4), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0)
            : int.Parse(rule, CultureInfo.InvariantCulture));
    }

    private static string Rule(IndicatorDataset dataset, JsonElement value, string key)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var year) && year is >= 1943 and <= 2100)
        {
            return year.ToString(CultureInfo.InvariantCulture);
        }

        if (value.ValueKind == JsonValueKind.String && value.GetString() is { } text
            && (text == "year" || (text.StartsWith("year+", StringComparison.Ordinal) || text.StartsWith("year-", StringComparison.Ordinal))
                && int.TryParse(text.AsSpan(4), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            return text;
        }

        throw new ImportException("indicators/manifest.json", $"dataset {dataset.Name}, cog {key}",
            $"'{value}' is not a COG year (e.g. 2022) nor a rule on the figure's year (e.g. \"year+1\")");
    }
}
