namespace TerritoryAtlas.Web.Datasets;

// What the contributions page's fields hold before they become the service's ContributionMetadata: strings as typed,
// blanks meaning "not given". Shared by the page and its panels (NewIndicatorPanel, ColumnMappingPanel).

/// <summary>The description of the indicator a file holds, as typed in the page's fields.</summary>
public sealed class ContributionMetadataForm
{
    public string? Code { get; set; }
    public string? LabelFr { get; set; }
    public string? LabelEn { get; set; }
    public string? UnitFr { get; set; }
    public string? Kind { get; set; }
    public string? Source { get; set; }
    public string? Producer { get; set; }
    public string? Licence { get; set; }
    public string? Visibility { get; set; } = "public";
    public string? DefinitionFr { get; set; }

    public ContributionMetadata ToMetadata(int? organisation, ColumnMapping? mapping) => new(
        Code: FormText.Blank(Code), LabelFr: FormText.Blank(LabelFr), LabelEn: FormText.Blank(LabelEn), UnitFr: FormText.Blank(UnitFr), Kind: FormText.Blank(Kind),
        DefinitionFr: FormText.Blank(DefinitionFr), Source: FormText.Blank(Source), Producer: FormText.Blank(Producer), Licence: FormText.Blank(Licence),
        Visibility: FormText.Blank(Visibility), OrganisationId: organisation, Mapping: mapping);
}

/// <summary>Which of the file's columns hold what, as chosen in the page's fields.</summary>
public sealed class ColumnMappingForm
{
    public string? Code { get; set; }
    public string? Year { get; set; }
    public string? Value { get; set; }
    public string? Numerator { get; set; }
    public string? Denominator { get; set; }
    public string? Name { get; set; }
    public string? Level { get; set; }
    public string? LevelColumn { get; set; }
    public string? IndicatorColumn { get; set; }
    public string? Flag { get; set; }

    /// <summary>Null when nothing is mapped: the service then uses a recognised or remembered mapping, or says what is missing.</summary>
    public ColumnMapping? ToMapping() => Code is null && Year is null && Value is null && Numerator is null
        ? null
        : new ColumnMapping(Code ?? "", Year ?? "", Value, Numerator, Denominator, Level, LevelColumn, null, IndicatorColumn, Name, Flag);
}

internal static class FormText
{
    /// <summary>A field's text trimmed, or null when nothing was typed.</summary>
    public static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
