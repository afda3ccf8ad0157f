using System.Globalization;
using System.Text.RegularExpressions;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Web.Datasets;

/// <summary>
/// One commune code becoming another between two COG vintages (itself when nothing happened to it): a step of INSEE's
/// table de passage between two year columns, or a row of the COG's mouvements des communes. The change is in force
/// from the COG of 1 January <see cref="FromVintage"/> at the earliest and certainly by <see cref="KnownBy"/>.
/// </summary>
public sealed record CommuneLink(int FromVintage, int KnownBy, string Step, string From, string To, int Line, string? ToName, string? Mod);

/// <summary>A perimeter change of a commune of the boundary layer, as perimeter_change holds it.</summary>
public sealed record CommuneChange(string Code, string Name, int FromYear, int KnownBy, string Kind, IReadOnlyList<string> Parts, string ReasonFr, string ReasonEn);

/// <summary>One change of an uploaded correspondence, compared with the changes in force: new, changed, dated or unchanged.</summary>
public sealed record GeographyChangeLine(
    string Code, string Name, string Kind, IReadOnlyList<string> Parts, int FromYear, int KnownBy, string Status,
    IReadOnlyList<string>? PreviousParts, string ReasonFr);

/// <summary>A commune absorbed by a merger the changes in force did not know (e.g. the data directory's "non-resolu").</summary>
public sealed record ResolvedCommune(string Code, string Name, string Into, string IntoName);

/// <summary>
/// A code of a later vintage that names exactly one commune of the boundary layer, its perimeter unchanged (a change
/// of code, of département): a partner's figure under it is carried to <see cref="BoundaryCode"/>.
/// </summary>
public sealed record CommuneRecode(string Code, string Name, string BoundaryCode);

/// <summary>A commune of the correspondence's last vintage the boundary layer has no polygon for, and why it cannot be placed.</summary>
public sealed record NotPlacedCommune(string Code, string Name, IReadOnlyList<string> Parts, string Reason);

/// <summary>What an uploaded correspondence says and what its publication would change in perimeter_change.</summary>
public sealed class GeographyReport
{
    public const int MaxListed = 2_000;

    /// <summary>The commune layer's COG vintage, from which changes are counted.</summary>
    public int BoundaryVintage { get; set; }
    public int LastVintage { get; set; }
    public int Merges { get; set; }
    public int Splits { get; set; }

    /// <summary>Communes whose code changed without their perimeter changing (a change of département, of chef-lieu).</summary>
    public int CodeChanges { get; set; }

    /// <summary>Changes perimeter_change does not hold yet.</summary>
    public int New { get; set; }

    /// <summary>Changes perimeter_change holds with other parts or another kind.</summary>
    public int Changed { get; set; }

    /// <summary>Changes perimeter_change holds with the same parts, now dated by the correspondence (different years).</summary>
    public int Dated { get; set; }

    public int Unchanged { get; set; }

    /// <summary>Changes in force that this correspondence does not describe: they stay (e.g. a later COG's).</summary>
    public int Kept { get; set; }

    public List<GeographyChangeLine> Changes { get; init; } = [];
    public List<ResolvedCommune> Resolved { get; init; } = [];
    public List<NotPlacedCommune> NotPlaced { get; init; } = [];

    /// <summary>
    /// Every later code that carries to one commune of the layer (not capped like the lists above: a few dozen a year,
    /// and all of them are stored with the version, in commune_code_link).
    /// </summary>
    public List<CommuneRecode> Recoded { get; init; } = [];
}

/// <summary>
/// INSEE's commune correspondences as downloaded, uploaded by an admin through the contribution path: the « table de
/// passage annuelle » (title rows, then NIVGEO, CODGEO_2003 … CODGEO_20yy, LIBGEO_20yy: one row per lineage of
/// communes) and the COG's « mouvements des communes » (v_mvt_commune_20yy.csv: MOD, DATE_EFF, TYPECOM_AV, COM_AV, …,
/// TYPECOM_AP, COM_AP, …, LIBELLE_AP). Both become the same thing: links between commune codes, step by step since
/// the boundary layer's vintage, followed to the last vintage (<see cref="Resolve"/>) to find which communes of the
/// layer merged (the commune nouvelle kept one of their codes: its figures can be harmonised by summing the former
/// communes), split, or only changed code.
/// </summary>
public static partial class GeographyChanges
{
    public const string TablePassage = "insee-table-passage";
    public const string Movements = "insee-mouvements-communes";

    /// <summary>The dataset every uploaded commune correspondence is a version of: the newest published one is in force.</summary>
    public const string DatasetName = "geography:communes";

    private static readonly string[] MovementColumns = ["MOD", "DATE_EFF", "TYPECOM_AV", "COM_AV", "TYPECOM_AP", "COM_AP"];

    [GeneratedRegex("^CODGEO_([0-9]{4})$")]
    private static partial Regex YearColumn();

    [GeneratedRegex("^LIBGEO_([0-9]{4})$")]
    private static partial Regex NameColumn();

    /// <summary>A commune code: two digits (or 2A, 2B) and three, overseas 97x and three.</summary>
    [GeneratedRegex("^(?:[0-9]{2}|2[AB])[0-9]{3}$")]
    private static partial Regex CommuneCode();

    public static bool IsGeography(string datasetName) => datasetName == DatasetName;

    /// <summary>Which of INSEE's correspondence layouts the header is, or null.</summary>
    public static string? Recognise(IReadOnlyList<string> header)
    {
        var names = header.Select(h => h.Trim().ToUpperInvariant()).ToList();
        if (names.Count(n => YearColumn().IsMatch(n)) >= 2)
        {
            return TablePassage;
        }

        return MovementColumns.All(names.Contains) ? Movements : null;
    }

    /// <summary>
    /// The links of the file from the boundary vintage on. Malformed rows are recorded in <paramref name="report"/>
    /// (line, column, reason); a file that cannot be read as the layout says throws <see cref="ImportException"/>.
    /// </summary>
    public static List<CommuneLink> ReadLinks(string layout, string fileName, IReadOnlyList<string> header, IEnumerable<CsvRecord> records,
        int boundaryVintage, ValidationReport report) =>
        layout == TablePassage
            ? ReadTablePassage(fileName, header, records, boundaryVintage, report)
            : ReadMovements(fileName, header, records, boundaryVintage, report);

    private static List<CommuneLink> ReadTablePassage(string fileName, IReadOnlyList<string> header, IEnumerable<CsvRecord> records,
        int boundaryVintage, ValidationReport report)
    {
        var names = header.Select(h => h.Trim().ToUpperInvariant()).ToList();
        var years = names.Select((n, i) => (Match: YearColumn().Match(n), Index: i)).Where(c => c.Match.Success)
            .Select(c => (Year: int.Parse(c.Match.Groups[1].Value, CultureInfo.InvariantCulture), c.Index)).OrderBy(c => c.Year).ToList();
        if (years.Select(y => y.Year).Distinct().Count() != years.Count)
        {
            throw new ImportException(fileName, "header", "a CODGEO_ year column appears twice");
        }

        if (years[0].Year > boundaryVintage)
        {
            throw new ImportException(fileName, "header",
                $"the table starts with CODGEO_{years[0].Year}, after the commune layer's vintage (COG {boundaryVintage}): it cannot say what became of the layer's communes; download INSEE's table covering {boundaryVintage} onwards");
        }

        var used = years.Where(y => y.Year >= boundaryVintage).ToList();
        if (used[0].Year != boundaryVintage)
        {
            throw new ImportException(fileName, "header", $"the table has no CODGEO_{boundaryVintage} column (the commune layer's vintage): it cannot say what became of the layer's communes");
        }

        if (used.Count < 2)
        {
            throw new ImportException(fileName, "header", $"the table has no vintage after the commune layer's (COG {boundaryVintage})");
        }

        var last = used[^1];
        var nameColumn = names.FindIndex(n => NameColumn().Match(n) is { Success: true } m && m.Groups[1].Value == last.Year.ToString(CultureInfo.InvariantCulture));
        var level = names.IndexOf("NIVGEO");
        // The table repeats a lineage for every commune of 2003 it came from: each link once, with its first line.
        var links = new Dictionary<(int, string, string), CommuneLink>();
        foreach (var record in records)
        {
            // The workbook's COM sheet holds communes; a NIVGEO other than COM (municipal arrondissements) is not one.
            if (level >= 0 && record[level].Trim().Length > 0 && !record[level].Trim().Equals("COM", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            report.Read++;
            var codes = new string[used.Count];
            var valid = true;
            for (var i = 0; i < used.Count; i++)
            {
                codes[i] = Code(record[used[i].Index]);
                if (!CommuneCode().IsMatch(codes[i]))
                {
                    report.Reject(new RowProblem(record.Line, header[used[i].Index],
                        codes[i].Length == 0 ? "no commune code" : $"'{codes[i]}' is not a commune code (five characters: 2 digits or 2A/2B, then 3 digits)"));
                    valid = false;
                }
            }

            if (!valid)
            {
                continue;
            }

            var name = nameColumn >= 0 ? record[nameColumn].Trim() : null;
            for (var i = 1; i < used.Count; i++)
            {
                // A change between two columns took effect at the earliest on 1 January after the first, at the latest on
                // the second's: INSEE's table is yearly, so both are the same year unless a column is missing.
                links.TryAdd((used[i].Year, codes[i - 1], codes[i]), new CommuneLink(used[i - 1].Year + 1, used[i].Year, $"COG {used[i].Year}",
                    codes[i - 1], codes[i], record.Line, i == used.Count - 1 ? name : null, null));
            }
        }

        return links.Values.ToList();

        static string Code(string cell)
        {
            var code = cell.Trim().ToUpperInvariant();
            // A spreadsheet that took codes for numbers drops the leading zero (1001 for 01001).
            return code.Length == 4 && code.All(char.IsAsciiDigit) ? "0" + code : code;
        }
    }

    private static List<CommuneLink> ReadMovements(string fileName, IReadOnlyList<string> header, IEnumerable<CsvRecord> records,
        int boundaryVintage, ValidationReport report)
    {
        var names = header.Select(h => h.Trim().ToUpperInvariant()).ToList();
        int mod = names.IndexOf("MOD"), date = names.IndexOf("DATE_EFF"), typeBefore = names.IndexOf("TYPECOM_AV"),
            before = names.IndexOf("COM_AV"), typeAfter = names.IndexOf("TYPECOM_AP"), after = names.IndexOf("COM_AP"),
            nameAfter = names.IndexOf("LIBELLE_AP");
        var links = new List<CommuneLink>();
        foreach (var record in records)
        {
            report.Read++;
            // Only communes: communes déléguées and associées (COMD, COMA) and municipal arrondissements (ARM) are parts
            // of a commune, not perimeters of their own.
            if (!record[typeBefore].Trim().Equals("COM", StringComparison.OrdinalIgnoreCase)
                || !record[typeAfter].Trim().Equals("COM", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var text = record[date].Trim();
            if (!DateOnly.TryParseExact(text, ["yyyy-MM-dd", "dd/MM/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var effective))
            {
                report.Reject(new RowProblem(record.Line, header[date], $"'{text}' is not a date (AAAA-MM-JJ)"));
                continue;
            }

            // The COG of 1 January of the boundary vintage already holds what took effect that day.
            if (effective <= new DateOnly(boundaryVintage, 1, 1))
            {
                continue;
            }

            string from = record[before].Trim().ToUpperInvariant(), to = record[after].Trim().ToUpperInvariant();
            var valid = true;
            foreach (var (code, column) in new[] { (from, before), (to, after) })
            {
                if (!CommuneCode().IsMatch(code))
                {
                    report.Reject(new RowProblem(record.Line, header[column],
                        code.Length == 0 ? "no commune code" : $"'{code}' is not a commune code (five characters: 2 digits or 2A/2B, then 3 digits)"));
                    valid = false;
                }
            }

            if (!valid)
            {
                continue;
            }

            // A change on 1 January is in that year's COG; one during the year first in the next year's.
            var vintage = effective is { Month: 1, Day: 1 } ? effective.Year : effective.Year + 1;
            links.Add(new CommuneLink(vintage, vintage, effective.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), from, to, record.Line,
                nameAfter >= 0 ? record[nameAfter].Trim() : null, record[mod].Trim()));
        }

        return links;
    }

    /// <summary>A lineage: the boundary-vintage communes a current commune is made of, and how it came to be.</summary>
    private sealed class Lineage
    {
        public SortedSet<string> Parts { get; init; } = new(StringComparer.Ordinal);
        public bool Split { get; set; }
        public int? MergedFrom { get; set; }
        public int? MergedBy { get; set; }
        public int? SplitFrom { get; set; }
        public int? SplitBy { get; set; }
        public string? Name { get; set; }
        public SortedSet<string> Mods { get; init; } = new(StringComparer.Ordinal);

        public Lineage Copy() => new()
        {
            Parts = new SortedSet<string>(Parts, StringComparer.Ordinal),
            Split = Split,
            MergedFrom = MergedFrom,
            MergedBy = MergedBy,
            SplitFrom = SplitFrom,
            SplitBy = SplitBy,
            Name = Name,
            Mods = new SortedSet<string>(Mods, StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// Follows every commune of the boundary vintage (<paramref name="startCodes"/>) through the links, step by step,
    /// to the last vintage, and says what became of the layer's communes: merges into a commune that kept a code of the
    /// layer (harmonisable), splits, mergers under a new code (not placed: the layer has no polygon for them), code
    /// changes. A cycle (two codes becoming each other in one step) is a problem of the file, recorded in the report.
    /// </summary>
    /// <param name="layerCodes">the commune codes of the boundary layer, with their names.</param>
    public static List<CommuneChange> Resolve(IReadOnlyCollection<string> startCodes, IReadOnlyDictionary<string, string> layerCodes,
        IReadOnlyList<CommuneLink> links, ValidationReport report, GeographyReport geography)
    {
        var current = startCodes.Distinct().ToDictionary(c => c, c => new Lineage { Parts = { c } }, StringComparer.Ordinal);
        var unknown = new Dictionary<string, int>(StringComparer.Ordinal);
        // Later codes → the one commune of the layer each named, at any step (a code reused for another commune later
        // names two, and carries to neither).
        var claims = new Dictionary<string, List<(string Part, string Name)>>(StringComparer.Ordinal);
        foreach (var step in links.GroupBy(l => (l.KnownBy, l.Step)).OrderBy(s => s.Key.KnownBy).ThenBy(s => s.Key.Step, StringComparer.Ordinal))
        {
            var moves = step.Where(l => l.From != l.To).ToList();
            var renamed = moves.Select(l => (l.From, l.To)).ToHashSet();
            foreach (var cycle in moves.Where(l => renamed.Contains((l.To, l.From)) && string.CompareOrdinal(l.From, l.To) < 0))
            {
                report.Reject(new RowProblem(cycle.Line, "COM_AV/COM_AP",
                    $"cycle: {cycle.From} becomes {cycle.To} and {cycle.To} becomes {cycle.From} in the same step ({step.Key.Step})"));
            }

            var targets = step.GroupBy(l => l.From, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            var next = current.Where(c => !targets.ContainsKey(c.Key)).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
            var incoming = new Dictionary<string, List<(Lineage Lineage, CommuneLink Link, bool Split)>>(StringComparer.Ordinal);
            foreach (var (from, outgoing) in targets)
            {
                if (!current.TryGetValue(from, out var lineage))
                {
                    // A code of no commune at that step: not a commune of the layer, nor one a previous step made.
                    unknown[from] = unknown.GetValueOrDefault(from) + 1;
                    continue;
                }

                var split = outgoing.Select(l => l.To).Distinct().Count() > 1;
                foreach (var link in outgoing.DistinctBy(l => l.To))
                {
                    (incoming.TryGetValue(link.To, out var list) ? list : incoming[link.To] = []).Add((lineage, link, split));
                }
            }

            foreach (var (to, parts) in incoming)
            {
                var contributors = parts.Select(p => (p.Lineage, p.Link, p.Split)).ToList();
                if (next.TryGetValue(to, out var staying))
                {
                    // A commune absorbing others without a row of its own in this step keeps its lineage and gains theirs.
                    contributors.Add((staying, parts[0].Link, false));
                }

                if (contributors.Count == 1 && !parts[0].Split)
                {
                    // Nothing happened to it but perhaps its code or name: the same lineage goes on.
                    var same = contributors[0].Lineage;
                    same.Name = parts[0].Link.ToName is { Length: > 0 } newName ? newName : same.Name;
                    next[to] = same;
                    if (same.Parts.Count == 1 && !same.Split && same.Parts.Min != to)
                    {
                        // One commune of the layer under another code from this step on (perhaps only until a later
                        // merger): a figure published under that code in those years is that commune's.
                        (claims.TryGetValue(to, out var claimed) ? claimed : claims[to] = []).Add((same.Parts.Min!, same.Name ?? layerCodes.GetValueOrDefault(same.Parts.Min!, to)));
                    }

                    continue;
                }

                var merged = contributors[0].Lineage.Copy();
                foreach (var (lineage, _, _) in contributors.Skip(1))
                {
                    merged.Parts.UnionWith(lineage.Parts);
                    merged.Split |= lineage.Split;
                    merged.MergedFrom = Min(merged.MergedFrom, lineage.MergedFrom);
                    merged.MergedBy = Max(merged.MergedBy, lineage.MergedBy);
                    merged.SplitFrom = Min(merged.SplitFrom, lineage.SplitFrom);
                    merged.SplitBy = Max(merged.SplitBy, lineage.SplitBy);
                    merged.Mods.UnionWith(lineage.Mods);
                }

                var link = parts[0].Link;
                if (contributors.Select(c => c.Lineage).Distinct().Count() > 1)
                {
                    merged.MergedFrom = Min(merged.MergedFrom, link.FromVintage);
                    merged.MergedBy = Max(merged.MergedBy, link.KnownBy);
                }

                if (parts.Any(p => p.Split))
                {
                    merged.Split = true;
                    merged.SplitFrom = Min(merged.SplitFrom, link.FromVintage);
                    merged.SplitBy = Max(merged.SplitBy, link.KnownBy);
                }

                merged.Name = parts.Select(p => p.Link.ToName).FirstOrDefault(n => !string.IsNullOrEmpty(n)) ?? merged.Name;
                merged.Mods.UnionWith(parts.Select(p => p.Link.Mod).OfType<string>().Where(m => m.Length > 0));
                next[to] = merged;
            }

            current = next;
        }

        foreach (var (code, claimed) in claims.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (!layerCodes.ContainsKey(code) && claimed.Select(c => c.Part).Distinct().Count() == 1)
            {
                geography.Recoded.Add(new CommuneRecode(code, claimed[^1].Name, claimed[0].Part));
            }
        }

        foreach (var (code, rows) in unknown.OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            report.UnknownCodes.Add(new UnmatchedCode("commune", code, "code de commune inconnu à cette date", rows));
        }

        // Which current communes hold each former one: a split commune's parts are all the communes it became.
        var holders = current.SelectMany(c => c.Value.Parts.Select(p => (Part: p, Holder: c.Key)))
            .GroupBy(h => h.Part, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(h => h.Holder).ToList(), StringComparer.Ordinal);
        var changes = new List<CommuneChange>();
        foreach (var (code, lineage) in current.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var name = !string.IsNullOrEmpty(lineage.Name) ? lineage.Name : layerCodes.GetValueOrDefault(code, code);
            var merged = lineage.Parts.Count > 1;
            if (!merged && !lineage.Split)
            {
                if (lineage.Parts.Single() != code)
                {
                    geography.CodeChanges++;
                }

                continue;
            }

            var parts = lineage.Parts.Where(p => p != code).Prepend(code).ToList();
            var partNames = string.Join(", ", parts);
            if (!layerCodes.ContainsKey(code))
            {
                // Its figures are under a code the 2018 layer has no polygon for: they are reported as unmatched codes
                // (as at import), and its former communes keep their own polygons and earlier figures.
                if (geography.NotPlaced.Count < GeographyReport.MaxListed)
                {
                    geography.NotPlaced.Add(new NotPlacedCommune(code, name, lineage.Parts.ToList(), lineage.Split
                        ? "rétablie ou créée d'une commune scindée : la couche communale n'a pas son contour"
                        : "commune nouvelle sous un code nouveau : la couche communale n'a pas son contour"));
                }

                if (merged && !lineage.Split)
                {
                    geography.Merges++;
                }

                continue;
            }

            if (lineage.Split)
            {
                geography.Splits++;
                parts = parts.Concat(lineage.Parts.SelectMany(p => holders[p])).Distinct().ToList();
                partNames = string.Join(", ", parts);
                int from = lineage.SplitFrom ?? lineage.MergedFrom ?? 0, by = Max(lineage.SplitBy, lineage.MergedBy) ?? from;
                changes.Add(new CommuneChange(code, name, from, by, merged || !lineage.Parts.Contains(code) ? "unknown" : "split", parts,
                    $"commune scindée : {name} ({partNames}), {When(from, by, "fr")}",
                    $"split commune: {name} ({partNames}), {When(from, by, "en")}"));
                continue;
            }

            geography.Merges++;
            if (!lineage.Parts.Contains(code))
            {
                changes.Add(new CommuneChange(code, name, lineage.MergedFrom!.Value, lineage.MergedBy!.Value, "unknown", parts,
                    $"code repris par une autre commune : {name} ({partNames}), {When(lineage.MergedFrom!.Value, lineage.MergedBy!.Value, "fr")}",
                    $"code taken over by another commune: {name} ({partNames}), {When(lineage.MergedFrom!.Value, lineage.MergedBy!.Value, "en")}"));
                continue;
            }

            // MOD 31 and 33 are mergers into an existing commune; 32, and a table de passage (which does not say), a
            // commune nouvelle.
            var simple = lineage.Mods.Count > 0 && lineage.Mods.All(m => m is "31" or "33" or "34");
            changes.Add(new CommuneChange(code, name, lineage.MergedFrom!.Value, lineage.MergedBy!.Value, "merged", parts,
                $"{(simple ? "fusion" : "commune nouvelle")} {name} ({partNames}), {When(lineage.MergedFrom!.Value, lineage.MergedBy!.Value, "fr")}",
                $"{(simple ? "merger" : "new commune")} {name} ({partNames}), {When(lineage.MergedFrom!.Value, lineage.MergedBy!.Value, "en")}"));
        }

        return changes;
    }

    private static string When(int from, int by, string language) => (from == by, language) switch
    {
        (true, "fr") => $"au 1er janvier {from}",
        (true, _) => $"on 1 January {from}",
        (false, "fr") => $"entre le COG {from} et le COG {by}",
        _ => $"between COG {from} and COG {by}",
    };

    private static int? Min(int? a, int? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static int? Max(int? a, int? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    /// <summary>
    /// Compares the changes with those in force (by commune code) and fills the report: new, changed, dated,
    /// unchanged, kept, and the absorbed communes no change in force knew of (resolved).
    /// </summary>
    public static void Compare(IReadOnlyList<CommuneChange> changes, IReadOnlyList<CommuneChange> inForce,
        IReadOnlyDictionary<string, string> layerCodes, GeographyReport geography)
    {
        var byCode = inForce.GroupBy(c => c.Code, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var known = inForce.SelectMany(c => c.Parts).ToHashSet(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            string status;
            IReadOnlyList<string>? previous = null;
            if (!byCode.TryGetValue(change.Code, out var existing))
            {
                status = "new";
                geography.New++;
            }
            else if (existing.Kind != change.Kind || !existing.Parts.Order(StringComparer.Ordinal).SequenceEqual(change.Parts.Order(StringComparer.Ordinal)))
            {
                status = "changed";
                previous = existing.Parts;
                geography.Changed++;
            }
            else if (existing.FromYear != change.FromYear || existing.KnownBy != change.KnownBy)
            {
                status = "dated";
                geography.Dated++;
            }
            else
            {
                status = "unchanged";
                geography.Unchanged++;
            }

            if (geography.Changes.Count < GeographyReport.MaxListed)
            {
                geography.Changes.Add(new GeographyChangeLine(change.Code, change.Name, change.Kind, change.Parts, change.FromYear, change.KnownBy,
                    status, previous, change.ReasonFr));
            }

            if (change.Kind == "merged")
            {
                foreach (var part in change.Parts.Skip(1).Where(p => !known.Contains(p) && !byCode.ContainsKey(p)))
                {
                    if (geography.Resolved.Count < GeographyReport.MaxListed)
                    {
                        geography.Resolved.Add(new ResolvedCommune(part, layerCodes.GetValueOrDefault(part, part), change.Code, change.Name));
                    }
                }
            }
        }

        var described = changes.Select(c => c.Code).ToHashSet(StringComparer.Ordinal);
        geography.Kept = byCode.Keys.Count(c => !described.Contains(c));
    }
}
