namespace TerritoryAtlas.Web.Maps;

/// <summary>
/// Where a territory stands against a reference (its parent, or France), as public-health indicator profiles
/// (Fingertips) do: for a rate, "similar" means that the 95% confidence interval of the territory's rate contains
/// the reference value; an indicator without numerator and denominator has no interval and is only lower or higher.
/// </summary>
public static class Comparison
{
    private const double Z95 = 1.959963984540054;

    /// <summary>
    /// 95% interval of multiplier × numerator / denominator: Wilson's score interval for a proportion (numerator ≤
    /// denominator), Byar's approximation for a count over a population otherwise.
    /// </summary>
    public static (double Low, double High) ConfidenceInterval(double numerator, double denominator, double multiplier)
    {
        if (denominator <= 0 || numerator < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(denominator), "a rate needs a positive denominator and a non-negative numerator");
        }

        if (numerator <= denominator)
        {
            var p = numerator / denominator;
            var z2 = Z95 * Z95;
            var centre = (p + z2 / (2 * denominator)) / (1 + z2 / denominator);
            var half = Z95 * Math.Sqrt(p * (1 - p) / denominator + z2 / (4 * denominator * denominator)) / (1 + z2 / denominator);
            return (multiplier * (centre - half), multiplier * (centre + half));
        }

        // Byar: Poisson limits of the count O, then divided by the denominator.
        var o = numerator;
        var low = o * Math.Pow(1 - 1 / (9 * o) - Z95 / (3 * Math.Sqrt(o)), 3);
        var high = (o + 1) * Math.Pow(1 - 1 / (9 * (o + 1)) + Z95 / (3 * Math.Sqrt(o + 1)), 3);
        return (multiplier * low / denominator, multiplier * high / denominator);
    }

    /// <summary>"better" / "similar" / "worse" with a polarity, else "lower" / "similar" / "higher".</summary>
    public static string Compare(double value, (double Low, double High)? interval, double reference, int polarity)
    {
        var position = interval is { } ci
            ? ci.High < reference ? -1 : ci.Low > reference ? 1 : 0
            : value.CompareTo(reference);
        return (position, polarity) switch
        {
            (0, _) => "similar",
            (_, 0) => position < 0 ? "lower" : "higher",
            _ => position * polarity > 0 ? "better" : "worse",
        };
    }
}
