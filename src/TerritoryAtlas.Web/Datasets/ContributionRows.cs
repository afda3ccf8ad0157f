using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Web.Datasets;

/// <summary>
/// What comes with a contributed file (the `metadata` JSON part, field names as in the catalogue): the indicator it
/// feeds (an existing code, or a new indicator's full description), its visibility, the organisation it is
/// contributed for (admins), the column mapping when the file is neither in the tidy long format nor in a producer's
/// official layout (Datasets/OfficialLayouts), and the year and level of an official file that does not say them
/// (populations légales have no year; a Filosofi file renamed loses its level),
/// and the COG year whose codes the file uses (`cog`; without it each figure is taken to be on the COG of 1 January
/// of its own year, populations légales recognised by their layout on year+2).
/// </summary>
public sealed record ContributionMetadata(
    string? Code = null, string? Theme = null, string? LabelFr = null, string? LabelEn = null, string? UnitFr = null,
    string? UnitEn = null, string? Kind = null, int? Decimals = null, string? DefinitionFr = null, string? DefinitionEn = null,
    string? Source = null, string? Producer = null, string? Licence = null, int? Polarity = null, bool? Additive = null,
    string? Numerator = null, string? Denominator = null, double? Multiplier = null, SecrecyRule? Secrecy = null,
    string? Visibility = null, int? OrganisationId = null, ColumnMapping? Mapping = null, int? Year = null, string? Level = null, int? Cog = null,
    int? Vintage = null, int? Srid = null);

/// <summary>
/// Which columns hold what. <c>Level</c> fixes the level for the whole file, else <c>LevelColumn</c> holds it;
/// <c>Indicator</c> (or metadata <c>code</c>) fixes the indicator, else <c>IndicatorColumn</c> holds it. A value
/// comes from <c>Value</c>, or from <c>Numerator</c> and <c>Denominator</c> (a rate recomputed, never averaged).
/// </summary>
public sealed record ColumnMapping(
    string Code, string Year, string? Value = null, string? Numerator = null, string? Denominator = null,
    string? Level = null, string? LevelColumn = null, string? Indicator = null, string? IndicatorColumn = null,
    string? Name = null, string? Flag = null);

/// <summary>A contributed table's rows as the pipeline's <see cref="SourceObservation"/>, each bad cell a rejection.</summary>
public static class ContributionRows
{
    /// <summary>The tidy long format of the import (geo_level, geo_code, indicator, year, value): no mapping needed.</summary>
    public static readonly ColumnMapping Tidy = new(Code: "geo_code", Year: "year", Value: "value", LevelColumn: "geo_level",
        IndicatorColumn: "indicator", Name: "geo_name", Flag: "flag");

    private static readonly Dictionary<string, string> LevelNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["france"] = "france",
        ["fr"] = "france",
        ["pays"] = "france",
        ["zone"] = "zone",
        ["region"] = "region",
        ["région"] = "region",
        ["reg"] = "region",
        ["departement"] = "departement",
        ["département"] = "departement",
        ["dep"] = "departement",
        ["dept"] = "departement",
        ["arrondissement"] = "arrondissement",
        ["arr"] = "arrondissement",
        ["epci"] = "epci",
        ["commune"] = "commune",
        ["com"] = "commune",
        ["codgeo"] = "commune",
        ["qpv"] = "qpv",
    };

    /// <summary>The levels a contributed file may hold (the mapping's <c>level</c>).</summary>
    public static IReadOnlyList<string> LevelCodes { get; } = LevelNames.Values.Distinct().ToList();

    /// <summary>The tidy mapping, without the optional name and flag columns when the file lacks them.</summary>
    public static ColumnMapping TidyFor(IReadOnlyList<string> header) => Tidy with
    {
        Name = Index(header, "geo_name") >= 0 ? "geo_name" : null,
        Flag = Index(header, "flag") >= 0 ? "flag" : null,
    };

    public static bool IsTidy(IReadOnlyList<string> header) =>
        new[] { "geo_level", "geo_code", "indicator", "year", "value" }.All(c => header.Contains(c, StringComparer.OrdinalIgnoreCase));

    /// <summary>The file's shape: its column names, trimmed and lower-cased, hashed (a mapping is remembered by it).</summary>
    public static string HeaderSignature(IReadOnlyList<string> header) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join('\u001f', header.Select(h => h.Trim().ToLowerInvariant())))))[..32];

    /// <summary>Checks that every mapped column exists; the problem names the missing one.</summary>
    public static void CheckMapping(ColumnMapping mapping, IReadOnlyList<string> header, string file, string? indicator)
    {
        foreach (var (role, column) in Columns(mapping))
        {
            if (Index(header, column) < 0)
            {
                throw new ImportException(file, "line 1", $"the mapping's {role} column '{column}' is not in the file (columns: {string.Join(", ", header)})");
            }
        }

        if (mapping.Value is null && (mapping.Numerator is null || mapping.Denominator is null))
        {
            throw new ImportException(file, "mapping", "give a value column, or a numerator and a denominator column");
        }

        if (mapping.Level is null && mapping.LevelColumn is null)
        {
            throw new ImportException(file, "mapping", "give the level (e.g. commune) or the column holding it");
        }

        if (mapping.Level is { } level && !LevelNames.ContainsKey(level))
        {
            throw new ImportException(file, "mapping", $"level '{level}' is not one of {string.Join(", ", LevelNames.Values.Distinct())}");
        }

        if ((mapping.Indicator ?? indicator) is null && mapping.IndicatorColumn is null)
        {
            throw new ImportException(file, "mapping", "give the indicator code (metadata code) or the column holding it");
        }
    }

    public static IEnumerable<SourceObservation> Read(IEnumerable<CsvRecord> records, IReadOnlyList<string> header, ColumnMapping mapping,
        string? indicatorCode)
    {
        int code = Index(header, mapping.Code), year = Index(header, mapping.Year), value = Index(header, mapping.Value),
            numerator = Index(header, mapping.Numerator), denominator = Index(header, mapping.Denominator),
            levelColumn = Index(header, mapping.LevelColumn), indicatorColumn = Index(header, mapping.IndicatorColumn),
            name = Index(header, mapping.Name), flag = Index(header, mapping.Flag);
        var fixedIndicator = mapping.Indicator ?? indicatorCode;
        foreach (var r in records)
        {
            var levelText = levelColumn >= 0 ? r[levelColumn].Trim() : mapping.Level!;
            var codeText = r[code].Trim();
            // Spreadsheets turn codes into numbers and drop their leading zero (01001 → 1001, 01 → 1).
            if (codeText.Length > 0 && codeText.All(char.IsAsciiDigit))
            {
                var width = LevelNames.GetValueOrDefault(levelText) switch { "commune" => 5, "departement" => 2, "region" => 2, _ => 0 };
                codeText = codeText.PadLeft(width, '0');
            }

            var indicator = indicatorColumn >= 0 ? r[indicatorColumn].Trim() : fixedIndicator!;
            var nameText = name >= 0 ? r[name] : "";
            RowProblem? problem = null;
            string level = "";
            if (!LevelNames.TryGetValue(levelText, out var atlasLevel))
            {
                problem = new RowProblem(r.Line, header[Math.Max(levelColumn, 0)], $"level '{levelText}' is not a level of the atlas");
            }
            else
            {
                level = atlasLevel;
            }

            if (codeText.Length == 0)
            {
                problem ??= new RowProblem(r.Line, header[code], "the territory code is empty");
            }

            if (indicator.Length == 0)
            {
                problem ??= new RowProblem(r.Line, header[Math.Max(indicatorColumn, 0)], "the indicator is empty");
            }

            if (!int.TryParse(r[year].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var y) || y is < 1900 or > 2100)
            {
                problem ??= new RowProblem(r.Line, header[year], $"'{r[year]}' is not a year");
            }

            double? v = null, n = null, d = null;
            var status = "ok";
            if (value >= 0 && !ObservationFile.TryParseValue(r[value], out v, out status))
            {
                problem ??= new RowProblem(r.Line, header[value], $"'{r[value]}' is not a number");
            }

            if (value < 0)
            {
                if (!ObservationFile.TryParseValue(r[numerator], out n, out var ns))
                {
                    problem ??= new RowProblem(r.Line, header[numerator], $"'{r[numerator]}' is not a number");
                }

                if (!ObservationFile.TryParseValue(r[denominator], out d, out var ds))
                {
                    problem ??= new RowProblem(r.Line, header[denominator], $"'{r[denominator]}' is not a number");
                }

                status = ns == "suppressed" || ds == "suppressed" ? "suppressed" : ns == "ok" && ds == "ok" ? "ok" : "missing";
            }

            yield return new SourceObservation(r.Line, level, codeText, nameText, indicator, y, v, status,
                flag >= 0 && r[flag] is { Length: > 0 } f ? f : null)
            {
                Numerator = n,
                Denominator = d,
                Rejection = problem,
            };
        }
    }

    private static IEnumerable<(string Role, string Column)> Columns(ColumnMapping m)
    {
        yield return ("code", m.Code);
        yield return ("year", m.Year);
        foreach (var (role, column) in new[]
                 {
                     ("value", m.Value), ("numerator", m.Numerator), ("denominator", m.Denominator), ("level", m.LevelColumn),
                     ("indicator", m.IndicatorColumn), ("name", m.Name), ("flag", m.Flag),
                 })
        {
            if (column is not null)
            {
                yield return (role, column);
            }
        }
    }

    private static int Index(IReadOnlyList<string> header, string? column)
    {
        if (column is null)
        {
            return -1;
        }

        for (var i = 0; i < header.Count; i++)
        {
            if (string.Equals(header[i].Trim(), column.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
