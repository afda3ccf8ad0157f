using System.Text.RegularExpressions;
using ExcelDataReader;
using TerritoryAtlas.Web.Datasets;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Web.Zonings;

/// <summary>One commune → zone row of a correspondence table, with its line in the file.</summary>
public sealed record CorrespondenceRow(int Line, string Commune, string Zone, string? ZoneName);

/// <summary>A line the zoning refuses, and why.</summary>
public sealed record ZoningProblem(int? Line, string Problem);

/// <summary>
/// A correspondence table commune → zone as INSEE publishes it (the "table d'appartenance géographique" or a zoning's
/// "composition communale": an XLSX whose first rows are titles, then a row of variable names such as CODGEO, LIBGEO,
/// BV2022, LIBBV2022) or any CSV/XLSX whose columns are the commune code, the zone code and optionally the zone's name.
/// In a workbook, the first sheet with a commune code column is read (INSEE's zoning files put the list of zones first).
/// </summary>
public static partial class CorrespondenceTable
{
    public const long MaxBytes = 50L * 1024 * 1024;

    /// <summary>Variable names of a commune code column, in INSEE's files and in the usual hand-made ones.</summary>
    private static readonly string[] CommuneColumns = ["CODGEO", "COM", "DEPCOM", "CODE_COMMUNE", "CODE_INSEE", "INSEE_COM", "INSEE", "CODE_GEO"];

    public sealed record Table(string ZoneColumn, IReadOnlyList<CorrespondenceRow> Rows, IReadOnlyList<ZoningProblem> Problems);

    /// <summary>
    /// Reads and checks the table: each commune once, each with a zone. Codes are checked against the communes later,
    /// in the database. <paramref name="zoneColumn"/> names the zone column when the table has several (INSEE's table
    /// d'appartenance); otherwise the column named like the zoning's code (BV2022 for bv2022), else the second column.
    /// </summary>
    public static async Task<Table> ReadAsync(Stream upload, string displayName, string zoningCode, string? zoneColumn, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), $"atlas-zoning-{Guid.NewGuid():N}");
        try
        {
            await CopyAsync(upload, path, displayName, ct);
            var sheets = IsZip(path) ? ReadWorkbook(path, displayName) : [ReadCsv(path, displayName)];
            return Interpret(sheets, displayName, zoningCode, zoneColumn);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task CopyAsync(Stream upload, string path, string displayName, CancellationToken ct)
    {
        await using var copy = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await upload.ReadAsync(buffer, ct)) > 0)
        {
            total += read;
            if (total > MaxBytes)
            {
                throw new ImportException(displayName, "file", $"larger than the limit of {MaxBytes / (1024 * 1024)} MB");
            }

            await copy.WriteAsync(buffer.AsMemory(0, read), ct);
        }

        if (total == 0)
        {
            throw new ImportException(displayName, "file", "the file is empty");
        }
    }

    private static bool IsZip(string path)
    {
        var head = new byte[4];
        using var probe = File.OpenRead(path);
        probe.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        return head is [0x50, 0x4B, 0x03, 0x04];
    }

    private static List<List<CsvRecord>> ReadWorkbook(string path, string displayName)
    {
        // The same guards as contributions: bounded inflation, no formulas.
        ContributionFile.CheckXlsx(path, displayName);
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = ExcelReaderFactory.CreateOpenXmlReader(stream);
            var sheets = new List<List<CsvRecord>>();
            do
            {
                sheets.Add(ContributionFile.XlsxRows(reader).Where(r => r.Fields.Any(f => f.Length > 0)).ToList());
            }
            while (reader.NextResult());
            return sheets;
        }
        catch (Exception e) when (e is not ImportException)
        {
            throw new ImportException(displayName, "file", $"not a readable XLSX workbook ({e.GetType().Name})");
        }
    }

    private static List<CsvRecord> ReadCsv(string path, string displayName)
    {
        // The contributions' reader: comma or semicolon, UTF-8 or Windows-1252 (it deletes the file when disposed).
        using var file = ContributionFile.Open(path, displayName);
        return [new CsvRecord(1, file.Header), .. file.Records];
    }

    private static Table Interpret(List<List<CsvRecord>> sheets, string displayName, string zoningCode, string? zoneColumn)
    {
        // The header row: the first row (among a sheet's first 20) naming a commune code column.
        foreach (var sheet in sheets)
        {
            for (var i = 0; i < Math.Min(20, sheet.Count); i++)
            {
                var names = sheet[i].Fields.Select(f => f.Trim().ToUpperInvariant()).ToList();
                var commune = names.FindIndex(n => CommuneColumns.Contains(n) || n.StartsWith("CODGEO", StringComparison.Ordinal));
                if (commune >= 0)
                {
                    return Columns(sheet.Skip(i + 1).ToList(), names, commune, displayName, zoningCode, zoneColumn);
                }
            }
        }

        // No recognised header: a plain table whose first column is the commune, with or without a header row.
        var first = sheets.FirstOrDefault(s => s.Count > 0) ?? throw new ImportException(displayName, "file", "the file holds no rows");
        if (CommuneCode(first[0].Fields[0]) is not null)
        {
            var width = first[0].Fields.Count;
            return Columns(first, Enumerable.Range(1, width).Select(n => $"COLUMN{n}").ToList(), 0, displayName, zoningCode, zoneColumn ?? "COLUMN2");
        }

        return Columns(first.Skip(1).ToList(), first[0].Fields.Select(f => f.Trim().ToUpperInvariant()).ToList(), 0, displayName, zoningCode, zoneColumn);
    }

    private static Table Columns(List<CsvRecord> rows, List<string> names, int commune, string displayName, string zoningCode, string? zoneColumn)
    {
        var named = names.Select((n, i) => (Name: n, Index: i)).Where(c => c.Name.Length > 0 && c.Index != commune).ToList();
        int zone;
        if (zoneColumn is not null)
        {
            zone = names.IndexOf(zoneColumn.Trim().ToUpperInvariant());
            if (zone < 0)
            {
                throw new ImportException(displayName, "header", $"no column '{zoneColumn}' (columns: {string.Join(", ", names.Where(n => n.Length > 0))})");
            }
        }
        else if (names.IndexOf(zoningCode.ToUpperInvariant()) is >= 0 and var same)
        {
            zone = same;
        }
        else
        {
            // Commune, zone and perhaps the zone's name (in that order): unambiguous. More columns (LIBGEO, DEP, REG…): say which.
            var candidates = named.Where(c => !c.Name.StartsWith("LIB", StringComparison.Ordinal)).ToList();
            if (candidates.Count == 1)
            {
                zone = candidates[0].Index;
            }
            else if (named.Count is 1 or 2)
            {
                zone = named[0].Index;
            }
            else if (named.Count == 0)
            {
                throw new ImportException(displayName, "header", "a correspondence table needs a commune code column and a zone column");
            }
            else
            {
                throw new ImportException(displayName, "header",
                    $"several columns could hold the zones ({string.Join(", ", candidates.Select(c => c.Name))}): name one (--column, or the 'column' field)");
            }
        }

        // The zone's name: LIB + the zone column (LIBBV2022), else the column after the zone in a three-column table.
        var name = names.IndexOf("LIB" + names[zone]);
        if (name < 0 && names.Count(n => n.Length > 0) == 3 && zone + 1 < names.Count && zone + 1 != commune)
        {
            name = zone + 1;
        }

        var problems = new List<ZoningProblem>();
        var result = new List<CorrespondenceRow>();
        var seen = new Dictionary<string, CorrespondenceRow>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var rawCommune = Field(row, commune);
            var zoneCode = Field(row, zone);
            if (rawCommune.Length == 0 && zoneCode.Length == 0)
            {
                continue;
            }

            if (CommuneCode(rawCommune) is not { } code)
            {
                problems.Add(new ZoningProblem(row.Line, $"'{rawCommune}' is not a commune code (5 characters: 2 for the département, e.g. 01001, 2A004, 97411)"));
                continue;
            }

            if (zoneCode.Length == 0)
            {
                problems.Add(new ZoningProblem(row.Line, $"commune {code} has no zone (the {names[zone]} cell is empty)"));
                continue;
            }

            if (!ZoneCodePattern().IsMatch(zoneCode))
            {
                // The atlas's territory codes (URLs, series, exports): INSEE's zone codes (84001, 2401, 0101) fit.
                problems.Add(new ZoningProblem(row.Line, $"zone code '{(zoneCode.Length > 20 ? zoneCode[..20] + "…" : zoneCode)}' for commune {code}: use 1 to 12 letters or digits"));
                continue;
            }

            if (seen.TryGetValue(code, out var earlier))
            {
                problems.Add(new ZoningProblem(row.Line, earlier.Zone == zoneCode
                    ? $"commune {code} is listed twice (line {earlier.Line})"
                    : $"commune {code} is in two zones: {earlier.Zone} (line {earlier.Line}) and {zoneCode}"));
                continue;
            }

            var zoneName = name >= 0 ? Field(row, name) : null;
            var parsed = new CorrespondenceRow(row.Line, code, zoneCode, string.IsNullOrEmpty(zoneName) ? null : zoneName);
            seen[code] = parsed;
            result.Add(parsed);
        }

        if (result.Count == 0 && problems.Count == 0)
        {
            problems.Add(new ZoningProblem(null, "the file holds no commune → zone rows"));
        }

        return new Table(names[zone], result, problems);
    }

    private static string Field(CsvRecord row, int index) => index < row.Fields.Count ? row.Fields[index].Trim() : "";

    /// <summary>An INSEE commune code, upper case; spreadsheets drop the leading zero of 01001, so 4 digits are padded.</summary>
    public static string? CommuneCode(string raw)
    {
        var code = raw.Trim().ToUpperInvariant();
        if (code.Length == 4 && code.All(char.IsAsciiDigit))
        {
            code = "0" + code;
        }

        return CommuneCodePattern().IsMatch(code) ? code : null;
    }

    [GeneratedRegex("^([0-9]{2}|2A|2B)[0-9]{3}$")]
    private static partial Regex CommuneCodePattern();

    [GeneratedRegex("^[A-Za-z0-9]{1,12}$")]
    private static partial Regex ZoneCodePattern();
}
