using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TerritoryAtlas.Web.Maps;

/// <summary>
/// The map page's words, one resource file per language (map-texts-fr.json, the default, and map-texts-en.json for
/// ?lang=en), embedded in the assembly: a sentence is changed or translated there, by name, not by its position in a
/// constructor. Every name is required in every file (a file missing one fails at start-up and in MapTextsTests).
/// Sentences with values name them in braces ({year}, {count}), filled by the methods below.
/// </summary>
public sealed class MapTexts
{
    public required string Lang { get; init; }

    public required string Title { get; init; }

    public required string Level { get; init; }

    public required string Indicator { get; init; }

    public required string Year { get; init; }

    public required string Play { get; init; }

    public required string Pause { get; init; }

    public required string Classification { get; init; }

    public required string Classes { get; init; }

    public required string ManualBreaks { get; init; }

    public required string Palette { get; init; }

    public required string Mode { get; init; }

    public required string ModeClasses { get; init; }

    public required string ModeCompare { get; init; }

    public required string Reference { get; init; }

    public required string ReferenceParent { get; init; }

    public required string ReferenceFrance { get; init; }

    public required string Within { get; init; }

    public required string WithinHint { get; init; }

    public required string Search { get; init; }

    public required string SearchHint { get; init; }

    public required string Table { get; init; }

    public required string Map { get; init; }

    public required string ExportPng { get; init; }

    public required string Permalink { get; init; }

    public required string Copied { get; init; }

    public required string Name { get; init; }

    public required string Code { get; init; }

    public required string Value { get; init; }

    public required string Rank { get; init; }

    public required string Class { get; init; }

    public required string Parent { get; init; }

    public required string NoData { get; init; }

    public required string Secret { get; init; }

    public required string SourceLabel { get; init; }

    public required string Portrait { get; init; }

    public required string Close { get; init; }

    public required string NoImport { get; init; }

    public required string Territories { get; init; }

    public required string Better { get; init; }

    public required string Similar { get; init; }

    public required string Worse { get; init; }

    public required string Lower { get; init; }

    public required string Higher { get; init; }

    public required string ComparedWithFrance { get; init; }

    public required string ComparedWithParent { get; init; }

    public required string ConfidenceNote { get; init; }

    public required string NoIntervalNote { get; init; }

    public required string ReferenceMissingArea { get; init; }

    public required string ReferenceMissingFrance { get; init; }

    public required string ReferenceMissingParent { get; init; }

    public required string ComparedWithArea { get; init; }

    public required string CompareIn { get; init; }

    public required string CompareWithFrance { get; init; }

    public required string CompareWithParent { get; init; }

    public required string PerimeterPart { get; init; }

    public required string PerimeterMore { get; init; }

    public required string PerimeterSeparator { get; init; }

    public required string PerimeterNoticeOne { get; init; }

    public required string PerimeterNoticeMany { get; init; }

    public required IReadOnlyDictionary<string, string> Methods { get; init; }

    public static readonly MapTexts French = Load("fr");

    public static readonly MapTexts English = Load("en");

    public static MapTexts For(string? lang) => lang == "en" ? English : French;

    private static MapTexts Load(string lang)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith($"map-texts-{lang}.json", StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        return JsonSerializer.Deserialize<MapTexts>(stream, new JsonSerializerOptions { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow })
               ?? throw new InvalidOperationException($"{name} is empty");
    }

    /// <summary>A sentence of the resource with its {placeholders} filled.</summary>
    private static string Fill(string template, params (string Name, string Value)[] values) =>
        values.Aggregate(template, (text, v) => text.Replace("{" + v.Name + "}", v.Value, StringComparison.Ordinal));

    private string Count(int count) => count.ToString("N0", Culture);

    /// <summary>A level as the map's menu names it ("Départements", "Municipalities").</summary>
    public string LevelMenu(string level) => TerritoryAtlas.Web.Territories.Levels.Find(level)?.Menu(Lang) ?? level;

    /// <summary>Why comparison mode shows territories without a position: their reference has no figure that year.</summary>
    public string ReferenceMissing(string kind, int year, int count, string? name = null) =>
        Fill(name is not null ? ReferenceMissingArea : kind == "france" ? ReferenceMissingFrance : ReferenceMissingParent,
            ("name", name ?? ""), ("year", year.ToString(CultureInfo.InvariantCulture)), ("count", Count(count)));

    /// <summary>The legend's subtitle in comparison mode with a study area.</summary>
    public string ComparedWithAreaNamed(string name) => Fill(ComparedWithArea, ("name", name));

    /// <summary>A classification method as the legend's subtitle names it ("seuils naturels (jenks)").</summary>
    public string MethodInLegend(string method) => Methods.GetValueOrDefault(method, method).ToLower(Culture);

    public string CompareInYear(int year) => Fill(CompareIn, ("year", year.ToString(CultureInfo.InvariantCulture)));

    public string CompareWith(string kind) => kind == "france" ? CompareWithFrance : CompareWithParent;

    /// <summary>
    /// The notice under the legend when communes nouvelles are drawn on the 2018 polygons of the communes that formed
    /// them: how many polygons, and the first few communes nouvelles with the communes they absorbed.
    /// </summary>
    public string PerimeterNotice(IEnumerable<MapPerimeter> perimeters)
    {
        var merged = perimeters.Where(p => p.Role == "merged").ToList();
        var shown = merged.Take(5).Select(p => Fill(PerimeterPart, ("commune", p.CommuneName), ("parts", string.Join(", ", p.PartNames.Skip(1)))));
        var more = merged.Count > 5 ? Fill(PerimeterMore, ("count", Count(merged.Count - 5))) : "";
        return Fill(merged.Count == 1 ? PerimeterNoticeOne : PerimeterNoticeMany,
            ("polygons", Count(merged.Sum(p => p.Parts.Count))), ("count", Count(merged.Count)),
            ("communes", string.Join(PerimeterSeparator, shown)), ("more", more));
    }

    public CultureInfo Culture => TerritoryAtlas.Web.Components.Language.Of(Lang).Culture;

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
