using System.Globalization;
using System.Text;
using TerritoryAtlas.Web.Components;
using TerritoryAtlas.Web.Territories;

namespace TerritoryAtlas.Web.Indicators;

/// <summary>
/// Numbers, ranks and names as the reader expects them in pages and tables: French by default (« 1 234,5 », « 12e
/// sur 101 départements »), English when the reader reads English (“1,234.5”, “12th of 101 départements”).
/// </summary>
public static class FigureFormat
{
    private static Language Of(Language? language) => language ?? Language.French;

    /// <summary>A figure with the indicator's decimals: « 1 234,5 ».</summary>
    public static string Number(double value, int decimals, Language? language = null) =>
        value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), Of(language).Culture);

    /// <summary>A figure, or what stands in its place: « secret statistique » or « n.d. ».</summary>
    public static string Value(double? value, string? status, int decimals, Language? language = null) => status switch
    {
        "suppressed" => Of(language).T(SeriesQueries.SecretLabel, "statistical secrecy"),
        "break" => Of(language).T("rupture de périmètre", "perimeter change"),
        _ when value is { } v => Number(v, decimals, language),
        _ => Of(language).T("n.d.", "n/a"),
    };

    /// <summary>A signed change in per cent: « +1,2 % », « −0,4 % ».</summary>
    public static string Percent(double? value, int decimals = 1, Language? language = null) => value is not { } v
        ? "—"
        : (v > 0 ? "+" : v < 0 ? "−" : "") + Math.Abs(v).ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), Of(language).Culture)
          + Of(language).T(" %", "%");

    /// <summary>A rank as the reader writes it: 1er, 2e, 12e; 1st, 2nd, 12th.</summary>
    public static string Ordinal(int rank, Language? language = null)
    {
        if (!Of(language).IsEnglish)
        {
            return rank == 1 ? "1er" : $"{rank}e";
        }

        var suffix = (rank % 100) is 11 or 12 or 13 ? "th" : (rank % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" };
        return $"{rank}{suffix}";
    }

    /// <summary>"12e sur 101 départements", "12th of 101 départements".</summary>
    public static string Rank(int rank, int peers, string level, Language? language = null) =>
        Of(language).IsEnglish
            ? $"{Ordinal(rank, language)} of {peers} {LevelPlural(level, peers, language)}"
            : $"{Ordinal(rank)} sur {peers} {LevelPlural(level, peers)}";

    public static string LevelPlural(string level, int count, Language? language = null) => Levels.Find(level) is not { } l
        ? level
        : Of(language).IsEnglish
            ? (count > 1 ? l.MenuEn : l.LabelEn).ToLower(CultureInfo.GetCultureInfo("en-GB")).Replace("epci", "EPCI", StringComparison.Ordinal).Replace("qpv", "QPV", StringComparison.Ordinal)
            : (count > 1 ? l.ManyFr : l.OneFr);

    public static string LevelLabel(string level, Language? language = null) =>
        Levels.Find(level) is { } l ? Of(language).T(l.NameFr, l.LabelEn) : level;

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
