namespace TerritoryAtlas.Web.Maps;

/// <summary>The map page's words in French (default) and English (?lang=en).</summary>
public sealed record MapTexts(
    string Lang, string Title, string Level, string Indicator, string Year, string Play, string Pause, string Classification,
    string Classes, string ManualBreaks, string Palette, string Mode, string ModeClasses, string ModeCompare, string Reference,
    string ReferenceParent, string ReferenceFrance, string Within, string WithinHint, string Search, string SearchHint,
    string Table, string Map, string ExportPng, string Permalink, string Copied, string Name, string Code, string Value,
    string Rank, string Class, string Parent, string NoData, string Secret, string SourceLabel, string Portrait, string Close,
    string NoImport, string Territories, string Better, string Similar, string Worse, string Lower, string Higher,
    string ComparedWithFrance, string ComparedWithParent, string ConfidenceNote, string NoIntervalNote,
    IReadOnlyDictionary<string, string> Methods)
{
    public static readonly MapTexts French = new(
        "fr", "Carte des indicateurs", "Niveau", "Indicateur", "Année", "Lecture", "Pause", "Classification",
        "Classes", "Seuils manuels (ex. 10; 15; 20)", "Palette", "Mode", "Classes", "Comparaison", "Référence",
        "Territoire parent", "France", "Dans", "Limiter à un territoire (région, département, EPCI)", "Rechercher",
        "Nom ou code INSEE", "Tableau", "Carte", "Exporter en PNG", "Lien permanent", "Lien copié",
        "Territoire", "Code", "Valeur", "Rang", "Classe", "Parent", "Donnée non disponible", "Secret statistique", "Source",
        "Portrait du territoire", "Fermer", "Aucune donnée importée : lancez ./atlas run ou le verbe import.",
        "territoires", "Meilleur", "Semblable", "Moins bon", "Inférieur", "Supérieur",
        "comparé à la France", "comparé au territoire parent",
        "« Semblable » : l'intervalle de confiance à 95 % du taux contient la valeur de référence.",
        "Indicateur sans numérateur ni dénominateur : pas d'intervalle de confiance, seulement inférieur ou supérieur.",
        new Dictionary<string, string>
        {
            ["quantile"] = "Quantiles",
            ["jenks"] = "Seuils naturels (Jenks)",
            ["equal"] = "Intervalles égaux",
            ["manual"] = "Seuils manuels",
        });

    public static readonly MapTexts English = French with
    {
        Lang = "en",
        Title = "Indicator map",
        Level = "Level",
        Indicator = "Indicator",
        Year = "Year",
        Play = "Play",
        Pause = "Pause",
        Classification = "Classification",
        Classes = "Classes",
        ManualBreaks = "Manual breaks (e.g. 10; 15; 20)",
        Palette = "Palette",
        Mode = "Mode",
        ModeClasses = "Classes",
        ModeCompare = "Comparison",
        Reference = "Reference",
        ReferenceParent = "Parent territory",
        ReferenceFrance = "France",
        Within = "Within",
        WithinHint = "Limit to a territory (region, département, EPCI)",
        Search = "Search",
        SearchHint = "Name or INSEE code",
        Table = "Table",
        Map = "Map",
        ExportPng = "Export PNG",
        Permalink = "Permalink",
        Copied = "Link copied",
        Name = "Territory",
        Code = "Code",
        Value = "Value",
        Rank = "Rank",
        Class = "Class",
        Parent = "Parent",
        NoData = "No data",
        Secret = "Statistical secrecy",
        SourceLabel = "Source",
        Portrait = "Territory profile",
        Close = "Close",
        NoImport = "No data imported: run ./atlas run or the import verb.",
        Territories = "territories",
        Better = "Better",
        Similar = "Similar",
        Worse = "Worse",
        Lower = "Lower",
        Higher = "Higher",
        ComparedWithFrance = "compared with France",
        ComparedWithParent = "compared with the parent territory",
        ConfidenceNote = "\"Similar\": the rate's 95% confidence interval contains the reference value.",
        NoIntervalNote = "No numerator and denominator: no confidence interval, only lower or higher.",
        Methods = new Dictionary<string, string>
        {
            ["quantile"] = "Quantiles",
            ["jenks"] = "Natural breaks (Jenks)",
            ["equal"] = "Equal intervals",
            ["manual"] = "Manual breaks",
        },
    };

    public static MapTexts For(string? lang) => lang == "en" ? English : French;

    /// <summary>A level as the map's menu names it ("Départements", "Municipalities").</summary>
    public string LevelMenu(string level) => TerritoryAtlas.Web.Territories.Levels.Find(level)?.Menu(Lang) ?? level;

    /// <summary>Why comparison mode shows territories without a position: their reference has no figure that year.</summary>
    public string ReferenceMissing(string kind, int year, int count, string? name = null) => (Lang, kind) switch
    {
        ("en", _) when name is not null => $"The study area “{name}” has no figure in {year} (a commune without one, or secret): {count.ToString("N0", Culture)} territories cannot be compared with it.",
        (_, _) when name is not null => $"La zone d'étude « {name} » n'a pas de valeur en {year} (une commune sans valeur, ou au secret) : {count.ToString("N0", Culture)} territoires ne peuvent pas lui être comparés.",
        ("en", "france") => $"France has no figure in {year}: {count.ToString("N0", Culture)} territories cannot be compared with it.",
        ("en", _) => $"The parent territories have no figure in {year}: {count.ToString("N0", Culture)} territories cannot be compared with them.",
        (_, "france") => $"La France n'a pas de valeur en {year} : {count.ToString("N0", Culture)} territoires ne peuvent pas lui être comparés.",
        _ => $"Les territoires parents n'ont pas de valeur en {year} : {count.ToString("N0", Culture)} territoires ne peuvent pas leur être comparés.",
    };

    /// <summary>The legend's subtitle in comparison mode with a study area.</summary>
    public string ComparedWithArea(string name) => Lang == "en" ? $"compared with {name}" : $"comparé à « {name} »";

    public string CompareIn(int year) => Lang == "en" ? $"Compare in {year}" : $"Comparer en {year}";

    public string CompareWith(string kind) => (Lang, kind) switch
    {
        ("en", "france") => "Compare with France",
        ("en", _) => "Compare with the parent territory",
        (_, "france") => "Comparer à la France",
        _ => "Comparer au territoire parent",
    };

    /// <summary>
    /// The notice under the legend when communes nouvelles are drawn on the 2018 polygons of the communes that formed
    /// them: how many polygons, and the first few communes nouvelles with the communes they absorbed.
    /// </summary>
    public string PerimeterNotice(IEnumerable<MapPerimeter> perimeters)
    {
        var merged = perimeters.Where(p => p.Role == "merged").ToList();
        var shown = merged.Take(5).Select(p => $"{p.CommuneName} ({(Lang == "en" ? "with" : "avec")} {string.Join(", ", p.PartNames.Skip(1))})");
        var more = merged.Count > 5 ? (Lang == "en" ? $" and {merged.Count - 5} more" : $" et {merged.Count - 5} autres") : "";
        var polygons = merged.Sum(p => p.Parts.Count);
        return (Lang, merged.Count) switch
        {
            ("en", 1) => $"{polygons} communes drawn on their 2018 perimeter have merged since into a new commune: {shown.Single()}. Its figure is drawn on all its former communes (hatched) and takes no rank.",
            ("en", _) => $"{polygons} communes drawn on their 2018 perimeter have merged since into {merged.Count} new communes: {string.Join("; ", shown)}{more}. Each new commune's figure is drawn on all its former communes (hatched) and takes no rank.",
            (_, 1) => $"{polygons} communes dessinées sur leur périmètre 2018 ont fusionné depuis en une commune nouvelle : {shown.Single()}. Son chiffre est dessiné sur toutes ses anciennes communes (hachures) et ne prend pas de rang.",
            _ => $"{polygons} communes dessinées sur leur périmètre 2018 ont fusionné depuis en {merged.Count} communes nouvelles : {string.Join(" ; ", shown)}{more}. Le chiffre de chaque commune nouvelle est dessiné sur toutes ses anciennes communes (hachures) et ne prend pas de rang.",
        };
    }

    public System.Globalization.CultureInfo Culture => TerritoryAtlas.Web.Components.Language.Of(Lang).Culture;

    public string Category(string category) => category switch
    {
        "better" => Better,
        "similar" => Similar,
        "worse" => Worse,
        "lower" => Lower,
        "higher" => Higher,
        _ => category,
    };
}
