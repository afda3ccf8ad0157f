using System.Globalization;
using TerritoryAtlas.Web.Datasets;

namespace TerritoryAtlas.Web.Import;

/// <summary>
/// One figure as a source file gives it, before its code is placed on a territory: the row every reader yields and
/// <see cref="ObservationPipeline"/> validates, whoever brings the file (the `import` verb or a contribution).
/// A rate may come as its numerator and denominator (the value is then their ratio times the indicator's multiplier).
/// A reader that cannot read a row yields it with <see cref="Rejection"/> set rather than stopping, so the report
/// lists every bad line; the `import` verb turns the first one into a failure.
/// </summary>
public sealed record SourceObservation(
    int Line, string Level, string Code, string Name, string Indicator, int Year, double? Value, string Status, string? Flag)
{
    public double? Numerator { get; init; }
    public double? Denominator { get; init; }

    /// <summary>Why this row cannot be used (column and reason), or null.</summary>
    public RowProblem? Rejection { get; init; }

    /// <summary>The COG year whose codes the figure uses (<see cref="Vintages"/>; a contribution's metadata), or null.</summary>
    public short? Cog { get; init; }
}

/// <summary>A rejected row: its line, the column at fault (or empty) and the reason, as the report shows it.</summary>
public sealed record RowProblem(int Line, string Column, string Reason);

/// <summary>Readers for the indicator file formats the manifest names.</summary>
public static class ObservationFile
{
    /// <summary>The codes that are not territories of a boundary layer but groupings of them.</summary>
    private static readonly Dictionary<string, string> GroupingLevels = new(StringComparer.Ordinal)
    {
        ["FR"] = "france",
        ["FRM"] = "zone",
        ["DOM"] = "zone",
    };

    public static List<SourceObservation> Read(CsvFile csv, IndicatorDataset dataset) => dataset.Format switch
    {
        "tidy" => ReadTidy(csv, dataset),
        "insee-population-age" => ReadPopulationByAge(csv, dataset),
        "caf-iris" => ReadCafIris(csv, dataset),
        _ => throw new ImportException(dataset.Path, "manifest", $"unknown format '{dataset.Format}' (known: tidy, insee-population-age, caf-iris)"),
    };

    /// <summary>geo_level,geo_code,geo_name,indicator,year,value,unit,flag — one row per territory, indicator and year.</summary>
    private static List<SourceObservation> ReadTidy(CsvFile csv, IndicatorDataset dataset)
    {
        int level = csv.Column("geo_level"), code = csv.Column("geo_code"), name = csv.Column("geo_name"),
            indicator = csv.Column("indicator"), year = csv.Column("year"), value = csv.Column("value"), flag = csv.Column("flag");
        var result = new List<SourceObservation>(csv.Records.Count);
        foreach (var record in csv.Records)
        {
            var (parsed, status) = ParseValue(csv, record, value);
            result.Add(new SourceObservation(record.Line, Level(csv, record, dataset, record[level], record[code]), record[code].Trim(),
                record[name], Required(csv, record, indicator, "indicator"), ParseYear(csv, record, year), parsed, status,
                record[flag] is { Length: > 0 } f ? f : null));
        }

        return result;
    }

    /// <summary>
    /// INSEE « Estimation de population au 1er janvier par département, sexe et âge quinquennal »: one row per year
    /// and territory with a column per five-year age group. The manifest says which groups sum to which indicator.
    /// </summary>
    private static List<SourceObservation> ReadPopulationByAge(CsvFile csv, IndicatorDataset dataset)
    {
        if (dataset.Produces is null || dataset.Produces.Count == 0)
        {
            throw new ImportException(dataset.Path, "manifest", "the insee-population-age format needs 'produces'");
        }

        int year = csv.Column("annee"), level = csv.Column("geo_level"), code = csv.Column("geo_code"), name = csv.Column("geo_name");
        var status = csv.Header.Contains("statut") ? csv.Column("statut") : -1;
        var groups = dataset.Produces.ToDictionary(p => p.Key, p => p.Value.Select(csv.Column).ToArray());
        var result = new List<SourceObservation>();
        foreach (var record in csv.Records)
        {
            var atlasLevel = Level(csv, record, dataset, record[level], record[code]);
            var parsedYear = ParseYear(csv, record, year);
            var flag = status >= 0 && record[status] == "provisoire" ? "provisoire" : null;
            foreach (var (indicator, columns) in groups)
            {
                double total = 0;
                var complete = true;
                foreach (var column in columns)
                {
                    var (value, valueStatus) = ParseValue(csv, record, column);
                    if (value is null || valueStatus != "ok")
                    {
                        complete = false;
                        break;
                    }

                    total += value.Value;
                }

                result.Add(new SourceObservation(record.Line, atlasLevel, record[code].Trim(), record[name], indicator, parsedYear,
                    complete ? total : null, complete ? "ok" : "missing", flag));
            }
        }

        return result;
    }

    /// <summary>
    /// CNAF's files by IRIS, through the contribution path's reader (Datasets/OfficialLayouts): the manifest gives the
    /// year (else the file name does) and may name other columns in `produces`.
    /// </summary>
    private static List<SourceObservation> ReadCafIris(CsvFile csv, IndicatorDataset dataset)
    {
        var produces = dataset.Produces?.ToDictionary(p => p.Key, p => p.Value.Length == 1
            ? p.Value[0]
            : throw new ImportException(dataset.Path, "manifest", $"caf-iris: '{p.Key}' must name exactly one column"));
        return [.. OfficialLayouts.CafIrisFile.Read(new LayoutFile(csv.DisplayName, csv.Header, csv.Records, dataset.Year), produces)];
    }

    private static string Level(CsvFile csv, CsvRecord record, IndicatorDataset dataset, string sourceLevel, string code)
    {
        if (GroupingLevels.TryGetValue(code.Trim(), out var grouping))
        {
            return grouping;
        }

        return dataset.Levels.TryGetValue(sourceLevel, out var level)
            ? level
            : throw new ImportException(csv.DisplayName, $"line {record.Line}",
                $"geo_level '{sourceLevel}' is not declared for this dataset in indicators/manifest.json");
    }

    private static string Required(CsvFile csv, CsvRecord record, int column, string what) =>
        record[column] is { Length: > 0 } text
            ? text.Trim()
            : throw new ImportException(csv.DisplayName, $"line {record.Line}", $"{what} is empty");

    private static int ParseYear(CsvFile csv, CsvRecord record, int column) =>
        int.TryParse(record[column], NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year is >= 1900 and <= 2100
            ? year
            : throw new ImportException(csv.DisplayName, $"line {record.Line}", $"year '{record[column]}' is not a year");

    /// <summary>
    /// Numbers use a point or a decimal comma. Producers mark secret and missing values with letters (INSEE `s`,
    /// DREES `ns`, `nd`, `-`): those become a status, never a zero.
    /// </summary>
    private static (double? Value, string Status) ParseValue(CsvFile csv, CsvRecord record, int column) =>
        TryParseValue(record[column], out var value, out var status)
            ? (value, status)
            : throw new ImportException(csv.DisplayName, $"line {record.Line}", $"value '{record[column].Trim()}' in column '{csv.Header[column]}' is not a number");

    /// <summary>A figure as producers write it: a number (point or decimal comma, spaces as thousands separators) or a marker.</summary>
    public static bool TryParseValue(string raw, out double? value, out string status)
    {
        var text = raw.Trim();
        switch (text)
        {
            case "":
            case "nd":
            case "-":
            case "NA":
                (value, status) = (null, "missing");
                return true;
            case "s":
            case "ns":
            case "secret":
                (value, status) = (null, "suppressed");
                return true;
        }

        // Thousands separators: space, no-break space, narrow no-break space (what fr-FR formatting writes).
        var normalised = text.Replace(" ", "", StringComparison.Ordinal).Replace("\u00a0", "", StringComparison.Ordinal)
            .Replace("\u202f", "", StringComparison.Ordinal);
        if (!normalised.Contains('.', StringComparison.Ordinal))
        {
            normalised = normalised.Replace(',', '.');
        }

        if (double.TryParse(normalised, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed))
        {
            (value, status) = (parsed, "ok");
            return true;
        }

        (value, status) = (null, "missing");
        return false;
    }
}
