namespace TerritoryAtlas.Web.Indicators;

/// <summary>
/// How a figure moved between the first and the last year of a series that has one: the change, the change in
/// per cent, and the average annual growth rate (TCAM, taux de croissance annuel moyen).
/// </summary>
public sealed record Evolution(int FirstYear, double FirstValue, int LastYear, double LastValue, double Change, double? ChangePercent, double? AnnualGrowthRate)
{
    /// <summary>Years between the two figures (not observations: a series with a gap still spans its calendar years).</summary>
    public int Years => LastYear - FirstYear;
}

/// <summary>Evolution and TCAM of a series, pure arithmetic so it can be checked against hand-computed values.</summary>
public static class Growth
{
    /// <summary>
    /// The evolution from the first to the last year that has a value. Null when fewer than two years have one.
    /// TCAM = (last / first)^(1 / (lastYear − firstYear)) − 1: the exponent counts calendar years, so a missing year in
    /// between does not make the growth look faster. It is undefined (null) when either value is zero or negative.
    /// </summary>
    public static Evolution? Of(IEnumerable<(int Year, double? Value)> points)
    {
        var known = points.Where(p => p.Value is { } v && double.IsFinite(v)).OrderBy(p => p.Year).ToList();
        if (known.Count < 2 || known[0].Year == known[^1].Year)
        {
            return null;
        }

        var (firstYear, first) = (known[0].Year, known[0].Value!.Value);
        var (lastYear, last) = (known[^1].Year, known[^1].Value!.Value);
        return new Evolution(firstYear, first, lastYear, last, last - first, ChangePercent(first, last), AnnualGrowthRate(first, firstYear, last, lastYear));
    }

    /// <summary>(last − first) / first, in per cent; null when the first value is zero (no base to compare with).</summary>
    public static double? ChangePercent(double first, double last) => first == 0 ? null : 100 * (last - first) / Math.Abs(first);

    /// <summary>The average annual growth rate between two years, in per cent (1.5 means +1.5 % a year).</summary>
    public static double? AnnualGrowthRate(double first, int firstYear, double last, int lastYear)
    {
        var years = lastYear - firstYear;
        if (years <= 0 || first <= 0 || last <= 0)
        {
            return null;
        }

        return 100 * (Math.Pow(last / first, 1.0 / years) - 1);
    }
}
