using System.Text.RegularExpressions;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Web.Datasets;

/// <summary>
/// A producer's file as a layout reader gets it: its name (which often says the level or the year), its header and
/// records, the year and level the contributor or the import manifest gave (null when they gave none), and the
/// report to count what the layout itself refuses (series with no catalogue indicator).
/// </summary>
public sealed record LayoutFile(string FileName, IReadOnlyList<string> Header, IEnumerable<CsvRecord> Records, int? Year = null, string? Level = null)
{
    public ValidationReport? Report { get; init; }

    /// <summary>The index of a column (exact name, case ignored), or -1.</summary>
    public int Column(string name)
    {
        for (var i = 0; i < Header.Count; i++)
        {
            if (string.Equals(Header[i].Trim(), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    public bool Has(params string[] names) => names.All(n => Column(n) >= 0);
}

/// <summary>
/// One official layout the atlas recognises by its header: a producer's file uploaded as downloaded needs no mapping.
/// <see cref="Read"/> checks what the whole file must say (its year, its level) at once, throwing an
/// <see cref="ImportException"/> naming the file, then yields its rows lazily (a bad cell is a rejected row).
/// </summary>
public sealed class OfficialLayout(
    string name, string description, Func<LayoutFile, bool> recognises, Func<LayoutFile, IEnumerable<SourceObservation>> read, bool iris = false)
{
    /// <summary>The layout's name, as the validation report shows it (report.layout).</summary>
    public string Name { get; } = name;

    public string Description { get; } = description;

    /// <summary>Its figures are IRIS figures: their IRIS are registered under their commune before validation.</summary>
    public bool Iris { get; } = iris;

    public bool Recognises(LayoutFile file) => recognises(file);

    public IEnumerable<SourceObservation> Read(LayoutFile file) => read(file);
}

/// <summary>
/// The registry of producers' official layouts, first match wins. Each says how it is recognised (its header), where
/// the level and year come from, and which column feeds which catalogue indicator (indicators/catalogue.json). The
/// `import` verb reads the CAF files through the same reader (manifest format `caf-iris`).
/// </summary>
public static partial class OfficialLayouts
{
    public static readonly OfficialLayout FilosofiDisp = new("insee-filosofi-disp",
        "INSEE Filosofi, « Indicateurs de structure et de distribution des revenus » (FILO20yy_DISP_COM/DEP/EPCI/REG/METROPOLE)",
        f => Filosofi.Recognises(f, "Q2"), Filosofi.Read);

    public static readonly OfficialLayout FilosofiComparateur = new("insee-filosofi-comparateur",
        "INSEE Filosofi, base comparateur de territoires (cc_filosofi_20yy_*, filosofi_com_20yy, filosofi_epci_20yy)",
        f => Filosofi.Recognises(f, "MED"), Filosofi.Read);

    public static readonly OfficialLayout FilosofiPauvrete = new("insee-filosofi-pauvres",
        "INSEE Filosofi, « Indicateurs de pauvreté » (FILO20yy_DISP_PAUVRES_*)",
        f => Filosofi.Recognises(f, "TP60"), Filosofi.Read);

    public static readonly OfficialLayout DreesMinimaSociaux = new("drees-minima-sociaux",
        "DREES, « Minima sociaux : données départementales par dispositif », long format (tableau, dispositif, mesure, geo_level, …, year, value, status)",
        DreesMinima.Recognises, DreesMinima.Read);

    public static readonly OfficialLayout PopulationsLegales = new("insee-populations-legales",
        "INSEE, « Populations légales » by commune (donnees_communes: REG, DEP, COM, Commune, PMUN, PCAP, PTOT); the year from the metadata or the file name",
        PopulationLegales.Recognises, PopulationLegales.Read);

    public static readonly OfficialLayout CafIris = new("caf-iris",
        "CNAF, données allocataires par IRIS (data_CAF_{year}_IRIS.csv); the year from the metadata or the file name",
        CafIrisFile.Recognises, f => CafIrisFile.Read(f, null), iris: true);

    public static readonly IReadOnlyList<OfficialLayout> All =
        [FilosofiDisp, FilosofiComparateur, FilosofiPauvrete, DreesMinimaSociaux, PopulationsLegales, CafIris];

    public static OfficialLayout? Recognise(LayoutFile file) => All.FirstOrDefault(l => l.Recognises(file));

    /// <summary>The year a file's name gives (a single four-digit year between 1990 and 2099), or null.</summary>
    public static int? YearInName(string fileName)
    {
        var years = YearPattern().Matches(Path.GetFileNameWithoutExtension(fileName)).Select(m => int.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture))
            .Distinct().ToList();
        return years.Count == 1 ? years[0] : null;
    }

    [GeneratedRegex(@"(?<!\d)(19[9]\d|20\d\d)(?!\d)")]
    private static partial Regex YearPattern();

    private static SourceObservation Rejected(int line, string column, string reason) =>
        new(line, "", "", "", "", 0, null, "missing", null) { Rejection = new RowProblem(line, column, reason) };

    /// <summary>
    /// Filosofi files, DISP, comparateur and pauvreté alike: CODGEO (LIBGEO) then one column per indicator whose
    /// name ends with the year's two digits (Q219 = median 2019). INSEE leaves a cell empty (DISP) or writes `s`
    /// (comparateur) where a figure is secret, `nd` where it is not available: those become statuses, never zeros.
    /// </summary>
    private static partial class Filosofi
    {
        // Column prefix (before the year's two digits) → catalogue indicator. Longest prefixes first.
        private static readonly (string Prefix, string Indicator)[] Columns =
        [
            ("NBPERSMENFISC", "nb_personnes_menages_fiscaux"),
            ("NBMENFISC", "nb_menages_fiscaux"),
            ("NBPERS", "nb_personnes_menages_fiscaux"),
            ("NBMEN", "nb_menages_fiscaux"),
            ("TP60IP", "intensite_pauvrete"),
            ("PPMINI", "part_minima_sociaux_revenu_pct"),
            ("PPLOGT", "part_prestations_logement_revenu_pct"),
            ("PPSOC", "part_prestations_sociales_revenu_pct"),
            ("PPFAM", "part_prestations_familiales_revenu_pct"),
            ("TP60", "taux_pauvrete_60"),
            ("PCHO", "part_indemnites_chomage_revenu_pct"),
            ("MED", "mediane_niveau_vie"),
            ("Q2", "mediane_niveau_vie"),
            ("D1", "d1_niveau_vie"),
            ("D9", "d9_niveau_vie"),
            ("GI", "indice_gini"),
            ("RD", "rapport_interdecile_d9_d1"),
        ];

        private static readonly Dictionary<string, string> LevelTokens = new(StringComparer.OrdinalIgnoreCase)
        {
            ["COM"] = "commune",
            ["DEP"] = "departement",
            ["EPCI"] = "epci",
            ["REG"] = "region",
            ["METRO"] = "zone",
            ["METROPOLE"] = "zone",
        };

        public static bool Recognises(LayoutFile file, string headline) =>
            file.Column("CODGEO") >= 0 && Indicators(file.Header).Any(c => c.Prefix == headline)
            // The DISP files carry Q2yy; a comparateur MEDyy; a pauvreté file TP60yy and neither of the others.
            && (headline != "TP60" || !Indicators(file.Header).Any(c => c.Prefix is "Q2" or "MED"));

        private static IEnumerable<(int Index, string Prefix, string Indicator, int? Year)> Indicators(IReadOnlyList<string> header)
        {
            for (var i = 0; i < header.Count; i++)
            {
                var column = header[i].Trim().ToUpperInvariant();
                foreach (var (prefix, indicator) in Columns)
                {
                    if (column == prefix && prefix == "RD")
                    {
                        // The DISP files write the interdecile ratio without the year (RD).
                        yield return (i, prefix, indicator, null);
                        break;
                    }

                    if (column.Length == prefix.Length + 2 && column.StartsWith(prefix, StringComparison.Ordinal)
                        && char.IsAsciiDigit(column[^2]) && char.IsAsciiDigit(column[^1]))
                    {
                        yield return (i, prefix, indicator, 2000 + int.Parse(column[^2..], System.Globalization.CultureInfo.InvariantCulture));
                        break;
                    }
                }
            }
        }

        public static IEnumerable<SourceObservation> Read(LayoutFile file)
        {
            var columns = Indicators(file.Header).ToList();
            var years = columns.Where(c => c.Year is not null).Select(c => c.Year!.Value).Distinct().ToList();
            if (years.Count > 1)
            {
                throw new ImportException(file.FileName, "line 1",
                    $"the Filosofi columns name several years ({string.Join(", ", years)}): upload one year's file at a time");
            }

            var year = years.Count == 1 ? years[0] : file.Year ?? YearInName(file.FileName)
                ?? throw new ImportException(file.FileName, "line 1", "no column says the year (Q219, MED19…): give metadata year");
            if (file.Year is { } given && given != year)
            {
                throw new ImportException(file.FileName, "metadata", $"the columns are those of {year} (Q2{year % 100:00}…), not of {given}");
            }

            var duplicated = columns.GroupBy(c => c.Indicator).FirstOrDefault(g => g.Count() > 1);
            if (duplicated is not null)
            {
                throw new ImportException(file.FileName, "line 1",
                    $"columns {string.Join(" and ", duplicated.Select(c => file.Header[c.Index]))} both give {duplicated.Key}");
            }

            if (file.Level is { } asked && !LevelTokens.ContainsValue(asked))
            {
                throw new ImportException(file.FileName, "metadata", $"level '{asked}' is not one of {string.Join(", ", LevelTokens.Values.Distinct())}");
            }

            var fileLevel = file.Level ?? LevelInName(file.FileName);
            return Rows(file, columns, year, fileLevel);
        }

        private static IEnumerable<SourceObservation> Rows(
            LayoutFile file, List<(int Index, string Prefix, string Indicator, int? Year)> columns, int year, string? fileLevel)
        {
            int code = file.Column("CODGEO"), name = file.Column("LIBGEO");
            foreach (var record in file.Records)
            {
                var codeText = record[code].Trim();
                var level = fileLevel ?? LevelOfCode(codeText);
                if (level is null)
                {
                    yield return Rejected(record.Line, file.Header[code],
                        $"'{codeText}' may be a département or a région: name the file as INSEE does (…_DEP, …_REG) or give metadata level");
                    continue;
                }

                // The metropolitan file's only row has code 1: France métropolitaine.
                if (level == "zone" && codeText == "1")
                {
                    codeText = "FRM";
                }

                var nameText = name >= 0 ? record[name] : "";
                foreach (var (index, _, indicator, _) in columns)
                {
                    var cell = record[index];
                    if (!ObservationFile.TryParseValue(cell, out var value, out var status))
                    {
                        yield return Rejected(record.Line, file.Header[index], $"'{cell.Trim()}' is not a number");
                        continue;
                    }

                    // An empty cell is INSEE's secret in these files (« s » in the comparateur ones); « nd » stays missing.
                    if (cell.Trim().Length == 0)
                    {
                        status = "suppressed";
                    }

                    yield return new SourceObservation(record.Line, level, codeText, nameText, indicator, year, value, status, null);
                }
            }
        }

        private static string? LevelInName(string fileName)
        {
            foreach (var token in Path.GetFileNameWithoutExtension(fileName).Split(['_', '-', '.', ' ']))
            {
                if (LevelTokens.TryGetValue(token, out var level))
                {
                    return level;
                }
            }

            return null;
        }

        /// <summary>When the file name does not say: a commune has five characters, an EPCI a nine-digit SIREN; two
        /// characters could be a département or a région, so those are refused rather than guessed.</summary>
        private static string? LevelOfCode(string code) => code.Length switch
        {
            9 when code.All(char.IsAsciiDigit) => "epci",
            5 => "commune",
            3 when code.StartsWith("97", StringComparison.Ordinal) => "departement",
            _ => null,
        };
    }

    /// <summary>
    /// DREES « Minima sociaux : données départementales par dispositif », in long format: one row per table, territory
    /// and year column. A (dispositif, mesure) pair feeds one catalogue indicator; a pair with none is refused, row by
    /// row, with the reason, and counted in the report. Where DREES gives a year twice (2016 and « 2016 (1) »: the old
    /// and the new CNAF series), the footnoted new series is kept, as in the atlas's own series.
    /// </summary>
    private static class DreesMinima
    {
        private const string Proportion = " - proportion (%)";

        private static readonly Dictionary<(string Dispositif, string Mesure), string> Indicators = new()
        {
            [("AAH", "allocataires")] = "aah_allocataires",
            [("AER-R/ATS-R", "allocataires")] = "aer_ats_allocataires",
            [("AI-ATA", "allocataires")] = "ai_ata_allocataires",
            [("ADA", "allocataires")] = "ada_allocataires",
            [("API", "allocataires")] = "api_allocataires",
            [("ASS", "allocataires")] = "ass_allocataires",
            [("ASV-ASPA (minimum vieillesse)", "allocataires")] = "minimum_vieillesse_asv_aspa_allocataires",
            [("ASI", "allocataires")] = "asi_allocataires",
            [("AV (allocation veuvage)", "allocataires")] = "allocation_veuvage_allocataires",
            [("RMI", "allocataires")] = "rmi_allocataires",
            [("RMI", "population couverte")] = "rmi_population_couverte",
            [("RMI", "population couverte" + Proportion)] = "rmi_population_couverte_pct_pop",
            [("RSO", "allocataires")] = "rso_allocataires",
            [("Ensemble des minima sociaux", "allocataires")] = "minima_sociaux_total_allocataires",
            [("RSA (socle jusqu a 2015)", "allocataires")] = "rsa_allocataires",
            [("RSA (socle jusqu a 2015)", "allocataires" + Proportion)] = "rsa_allocataires_pct_pop_15_69",
            [("RSA (socle jusqu a 2015)", "population couverte")] = "rsa_population_couverte",
            [("RSA (socle jusqu a 2015)", "population couverte" + Proportion)] = "rsa_population_couverte_pct_pop",
            [("RSA (socle jusqu a 2015)", "beneficiaires adultes (allocataires+conjoints)")] = "rsa_beneficiaires_adultes",
            [("RSA (socle jusqu a 2015)", "beneficiaires adultes (allocataires+conjoints)" + Proportion)] = "rsa_beneficiaires_adultes_pct_pop_15_69",
            [("RSA total (socle+activite)", "allocataires")] = "rsa_socle_et_activite_allocataires",
            [("RSA total (socle+activite)", "allocataires" + Proportion)] = "rsa_socle_et_activite_allocataires_pct_pop_15_64",
            [("RSA total (socle+activite)", "population couverte")] = "rsa_socle_et_activite_population_couverte",
            [("RSA total (socle+activite)", "population couverte" + Proportion)] = "rsa_socle_et_activite_population_couverte_pct_pop",
            [("RSA total (socle+activite)", "beneficiaires adultes (allocataires+conjoints)")] = "rsa_socle_et_activite_beneficiaires_adultes",
            // Not mapped on purpose: the RSA total's adult beneficiaries « - proportion (%) » (table 18), whose header says
            // « pour 100 habitants » while its footnote describes a share of the 15–64 population.
        };

        private static readonly Dictionary<string, string> Levels = new(StringComparer.Ordinal)
        {
            ["departement"] = "departement",
            ["france"] = "france",
            ["france_metro"] = "zone",
            ["dom"] = "zone",
        };

        public static bool Recognises(LayoutFile file) =>
            file.Has("dispositif", "mesure", "geo_level", "geo_code", "year_label", "year", "value", "status");

        public static IEnumerable<SourceObservation> Read(LayoutFile file)
        {
            int table = file.Column("tableau"), dispositif = file.Column("dispositif"), mesure = file.Column("mesure"),
                level = file.Column("geo_level"), code = file.Column("geo_code"), name = file.Column("geo_name"),
                label = file.Column("year_label"), year = file.Column("year"), value = file.Column("value"), status = file.Column("status");
            var unmapped = new Dictionary<string, long>(StringComparer.Ordinal);
            // A territory's row of one DREES table comes as consecutive records (one per year column): each group is
            // read whole (a few dozen records) so a year given twice is settled before any of it is yielded.
            var group = new List<CsvRecord>();
            string? key = null;
            foreach (var record in file.Records)
            {
                var recordKey = string.Join('\u001f', record[dispositif], record[mesure], record[level], record[code], table >= 0 ? record[table] : "");
                if (key is not null && recordKey != key)
                {
                    foreach (var row in Group(group))
                    {
                        yield return row;
                    }

                    group.Clear();
                }

                key = recordKey;
                group.Add(record);
            }

            foreach (var row in Group(group))
            {
                yield return row;
            }

            if (file.Report is { } report)
            {
                report.Unmapped.AddRange(unmapped.Select(u => new UnmappedSeries(u.Key, u.Value, "no indicator of the catalogue holds it")));
            }

            IEnumerable<SourceObservation> Group(List<CsvRecord> records)
            {
                var twice = records.GroupBy(r => r[year].Trim()).Where(g => g.Count() > 1)
                    .ToDictionary(g => g.Key, g => g.Where(r => r[label].Trim() != g.Key).ToList());
                foreach (var r in records)
                {
                    var series = (r[dispositif].Trim(), r[mesure].Trim());
                    if (!Indicators.TryGetValue(series, out var indicator))
                    {
                        var described = $"{series.Item1} — {series.Item2}";
                        unmapped[described] = unmapped.GetValueOrDefault(described) + 1;
                        yield return Rejected(r.Line, "mesure", $"DREES series '{described}' has no indicator in the catalogue: not read");
                        continue;
                    }

                    var yearText = r[year].Trim();
                    var yearLabel = r[label].Trim();
                    string? flag = null;
                    if (twice.TryGetValue(yearText, out var footnoted) && footnoted.Count == 1)
                    {
                        if (!ReferenceEquals(footnoted[0], r))
                        {
                            yield return Rejected(r.Line, "year_label",
                                $"{yearText} is given twice by DREES; the new series (« {footnoted[0][label].Trim()} », line {footnoted[0].Line}) is kept, not the old one");
                            continue;
                        }

                        flag = $"rupture_{yearText}_nouvelle_serie";
                    }
                    else if (yearLabel != yearText && !series.Item2.EndsWith(Proportion, StringComparison.Ordinal))
                    {
                        flag = $"note_drees:{yearLabel}";
                    }

                    if (!Levels.TryGetValue(r[level].Trim(), out var atlasLevel))
                    {
                        yield return Rejected(r.Line, "geo_level", $"geo_level '{r[level].Trim()}' is not one of {string.Join(", ", Levels.Keys)}");
                        continue;
                    }

                    if (!int.TryParse(yearText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var y))
                    {
                        yield return Rejected(r.Line, "year", $"'{yearText}' is not a year");
                        continue;
                    }

                    // DREES's status column says why a cell is empty: ok, ns (not significant), nd (not available), - (not
                    // applicable), vide (empty). Only an « ok » cell is read as a number.
                    var statusText = r[status].Trim();
                    double? parsed = null;
                    string rowStatus;
                    if (statusText == "ok")
                    {
                        if (!ObservationFile.TryParseValue(r[value], out parsed, out rowStatus) || parsed is null)
                        {
                            yield return Rejected(r.Line, "value", $"'{r[value].Trim()}' is not a number");
                            continue;
                        }
                    }
                    else
                    {
                        ObservationFile.TryParseValue(statusText, out _, out rowStatus);
                    }

                    yield return new SourceObservation(r.Line, atlasLevel, r[code].Trim(), name >= 0 ? r[name] : "", indicator, y, parsed, rowStatus, flag);
                }
            }
        }
    }

    /// <summary>
    /// INSEE « Populations légales », by commune (donnees_communes): PMUN and PTOT for each commune. The file does not
    /// say its year: it comes from the metadata (`year`) or the file name, or the file is refused. The commune code is
    /// COM (or CODGEO), else the département's code and CODCOM (older files give the commune's name in COM).
    /// </summary>
    private static partial class PopulationLegales
    {
        public static bool Recognises(LayoutFile file) =>
            file.Has("PMUN", "PTOT") && (file.Has("COM") || file.Has("CODGEO") || file.Has("CODCOM"));

        public static IEnumerable<SourceObservation> Read(LayoutFile file)
        {
            var year = file.Year ?? YearInName(file.FileName)
                ?? throw new ImportException(file.FileName, "metadata",
                    "INSEE's populations légales file does not say its year: give it in the metadata (\"year\": 2021) or keep the year in the file name (…_2021_….csv)");
            int com = file.Column("COM"), codgeo = file.Column("CODGEO"), codcom = file.Column("CODCOM"),
                dep = file.Column("DEP") is >= 0 and var d ? d : file.Column("CODDEP"), commune = file.Column("Commune"),
                pmun = file.Column("PMUN"), ptot = file.Column("PTOT");
            if (codgeo < 0 && (codcom < 0 || dep < 0) && com < 0)
            {
                throw new ImportException(file.FileName, "line 1", "no commune code column (COM, CODGEO, or DEP and CODCOM)");
            }

            return Rows();

            IEnumerable<SourceObservation> Rows()
            {
                foreach (var r in file.Records)
                {
                    string code;
                    var name = commune >= 0 ? r[commune] : "";
                    if (codgeo >= 0)
                    {
                        code = r[codgeo].Trim();
                    }
                    else if (com >= 0 && CommuneCode().IsMatch(r[com].Trim()))
                    {
                        code = r[com].Trim();
                    }
                    else if (dep >= 0 && codcom >= 0)
                    {
                        // Overseas départements have three characters and their communes' CODCOM three digits: 971 + 101 → 97101.
                        var department = r[dep].Trim();
                        code = (department.Length == 3 ? department[..2] : department) + r[codcom].Trim();
                        if (com >= 0 && name.Length == 0)
                        {
                            name = r[com];
                        }
                    }
                    else
                    {
                        yield return Rejected(r.Line, "COM", $"'{r[com].Trim()}' is not a commune code");
                        continue;
                    }

                    foreach (var (column, indicator) in new[] { (pmun, "population_municipale"), (ptot, "population_totale") })
                    {
                        if (!ObservationFile.TryParseValue(r[column], out var value, out var status))
                        {
                            yield return Rejected(r.Line, file.Header[column], $"'{r[column].Trim()}' is not a number");
                            continue;
                        }

                        yield return new SourceObservation(r.Line, "commune", code, name, indicator, year, value, status, null);
                    }
                }
            }
        }

        [GeneratedRegex("^[0-9][0-9AB][0-9]{3}$")]
        private static partial Regex CommuneCode();
    }

    /// <summary>
    /// CNAF « données allocataires par IRIS » (data_CAF_{year}_IRIS.csv): one row per IRIS, a column per count (A,
    /// ARSAS, AAAH, AAL, APPA…). An empty cell is CNAF's secret (small counts, or fewer than 100 allocataires in the
    /// IRIS), so it becomes status `suppressed` without a value. The IRIS code's first five characters are its
    /// commune, in the file's own COG vintage. Shared by the `import` verb (manifest format `caf-iris`).
    /// </summary>
    public static class CafIrisFile
    {
        /// <summary>Which column feeds which catalogue indicator.</summary>
        public static readonly IReadOnlyDictionary<string, string> Produces = new Dictionary<string, string>
        {
            ["caf_allocataires"] = "A",
            ["caf_rsa_allocataires"] = "ARSAS",
            ["caf_aah_allocataires"] = "AAAH",
            ["caf_aides_logement_allocataires"] = "AAL",
            ["caf_prime_activite_allocataires"] = "APPA",
        };

        public static bool Recognises(LayoutFile file) => file.Has("CODGEO") && file.Has([.. Produces.Values]);

        /// <param name="produces">indicator → column, when the import manifest names other columns; else <see cref="Produces"/>.</param>
        public static IEnumerable<SourceObservation> Read(LayoutFile file, IReadOnlyDictionary<string, string>? produces)
        {
            var year = file.Year ?? YearInName(file.FileName)
                ?? throw new ImportException(file.FileName, "metadata", "the CAF file does not say its year: give it in the metadata (\"year\": 2020) or keep CNAF's file name (data_CAF_2020_IRIS.csv)");
            var code = file.Column("CODGEO") is >= 0 and var c ? c : throw new ImportException(file.FileName, "line 1", "missing column 'CODGEO'");
            var name = file.Column("LIBGEO");
            var columns = (produces ?? Produces).Select(p => (Indicator: p.Key, Index: file.Column(p.Value) is >= 0 and var i
                ? i
                : throw new ImportException(file.FileName, "line 1", $"missing column '{p.Value}' (columns: {string.Join(", ", file.Header)})"))).ToList();
            return Rows();

            IEnumerable<SourceObservation> Rows()
            {
                foreach (var record in file.Records)
                {
                    var iris = record[code].Trim();
                    if (iris.Length != 9)
                    {
                        yield return Rejected(record.Line, "CODGEO", $"CODGEO '{iris}' is not a 9-character IRIS code");
                        continue;
                    }

                    var irisName = name >= 0 && record[name].Length > 0 ? record[name] : $"IRIS {iris}";
                    foreach (var (indicator, column) in columns)
                    {
                        if (!ObservationFile.TryParseValue(record[column], out var value, out var status))
                        {
                            yield return Rejected(record.Line, file.Header[column], $"'{record[column].Trim()}' is not a number");
                            continue;
                        }

                        // CNAF writes nothing where it suppresses; "missing" here would read as "not collected".
                        yield return new SourceObservation(record.Line, "iris", iris, irisName, indicator, year, value,
                            status == "missing" ? "suppressed" : status, null);
                    }
                }
            }
        }
    }
}
