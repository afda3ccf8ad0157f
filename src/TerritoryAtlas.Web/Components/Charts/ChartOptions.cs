using System.Text.Json.Serialization;

namespace TerritoryAtlas.Web.Components.Charts;

// The part of apexcharts' options the atlas uses, typed; property names serialise in camelCase as apexcharts expects.
// Nulls are left out so apexcharts keeps its own defaults.

/// <summary>apexcharts options for a line chart with years on a numeric x axis (gaps between years keep their width).</summary>
public sealed record ApexOptions(
    ApexChartSettings Chart,
    IReadOnlyList<ApexSeries> Series,
    ApexXAxis Xaxis,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ApexAnnotations? Annotations = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Colors = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ApexStroke? Stroke = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ApexMarkers? Markers = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ApexTitle? Title = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ApexLegend? Legend = null);

public sealed record ApexChartSettings(
    string Type = "line",
    int Height = 320,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FontFamily = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ApexToolbar? Toolbar = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ApexAnimations? Animations = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ApexZoom? Zoom = null);

public sealed record ApexToolbar(bool Show);

public sealed record ApexAnimations(bool Enabled);

public sealed record ApexZoom(bool Enabled);

/// <summary>A line: x is the year, y the value or null (suppressed or missing: the line breaks there).</summary>
public sealed record ApexSeries(string Name, IReadOnlyList<ApexPoint> Data);

public sealed record ApexPoint(int X, double? Y);

public sealed record ApexXAxis(
    string Type = "numeric",
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Min = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Max = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? TickAmount = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ApexAxisTitle? Title = null);

public sealed record ApexAxisTitle(string Text);

public sealed record ApexAnnotations(IReadOnlyList<ApexXAxisAnnotation> Xaxis);

/// <summary>A vertical line at a year: the catalogue's series breaks.</summary>
public sealed record ApexXAxisAnnotation(int X, string BorderColor, string StrokeDashArray, ApexAnnotationLabel Label);

public sealed record ApexAnnotationLabel(string Text, string Orientation = "horizontal", [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ApexLabelStyle? Style = null);

public sealed record ApexLabelStyle(string Color, string Background);

public sealed record ApexStroke(double Width, string Curve = "straight");

public sealed record ApexMarkers(double Size);

public sealed record ApexTitle(string Text);

public sealed record ApexLegend(string Position = "bottom");

/// <summary>
/// How the browser writes numbers (functions cannot cross JSON): decimals, unit, locale, and for each series the years
/// whose figure is suppressed, so a tooltip reads "secret statistique" rather than "no data" — both words given by the
/// server in the reader's language (the tables' and the map legend's own), never written in the browser.
/// </summary>
public sealed record ChartNumberFormat(int Decimals, string Unit, string Secret, string NoData, string Locale = "fr-FR",
    IReadOnlyDictionary<int, IReadOnlyList<int>>? Suppressed = null);
