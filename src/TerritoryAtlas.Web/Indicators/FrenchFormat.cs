using System.Globalization;
using System.Text;
using TerritoryAtlas.Web.Territories;

namespace TerritoryAtlas.Web.Indicators;

/// <summary>Numbers, ranks and names as a French reader expects them in pages and tables.</summary>
public static class FrenchFormat
{
    public static readonly CultureInfo Culture = CultureInfo.GetCultureInfo("fr-FR");

    /// <summary>A figure with the indicator's decimals: « 1 234,5 ».</summary>
    public static string Number(double value, int decimals) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), Culture);

    /// <summary>A figure, or what stands in its place: « secret statistique » or « n.d. ».</summary>
    public static string Value(double? value, string? status, int decimals) => status switch
    {
        "suppressed" => SeriesQueries.SecretLabel,
        "break" => "rupture de périmètre",
        _ when value is { } v => Number(v, decimals),
        _ => "n.d.",
    };

    /// <summary>A signed change in per cent: « +1,2 % », « −0,4 % ».</summary>
    public static string Percent(double? value, int decimals = 1) => value is not { } v
        ? "—"
        : (v > 0 ? "+" : v < 0 ? "−" : "") + Math.Abs(v).ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), Culture) + " %";

    /// <summary>A rank as French writes it: 1er, 2e, 12e.</summary>
    public static string Ordinal(int rank) => rank == 1 ? "1er" : $"{rank}e";

    /// <summary>"12e sur 101 départements".</summary>
    public static string Rank(int rank, int peers, string level) => $"{Ordinal(rank)} sur {peers} {LevelPlural(level, peers)}";

    public static string LevelPlural(string level, int count) =>
        Levels.Find(level) is { } l ? (count > 1 ? l.ManyFr : l.OneFr) : level;

    public static string LevelLabel(string level) => Levels.Find(level)?.NameFr ?? level;

    /// <summary>Lower case without accents, so « Enfance » finds « enfance » and « departement » finds « département ».</summary>
    public static string SearchKey(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var key = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                key.Append(char.ToLowerInvariant(c));
            }
        }

        return key.ToString().Normalize(NormalizationForm.FormC);
    }
}
