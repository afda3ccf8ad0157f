namespace TerritoryAtlas.Web.Maps;

/// <summary>Class breaks: k classes are k+1 bounds, from the minimum to the maximum.</summary>
public sealed record ClassBreaks(string Method, double[] Bounds, int[] Counts)
{
    public int Classes => Math.Max(Bounds.Length - 1, 0);

    /// <summary>The class of a value: the first class whose upper bound holds it.</summary>
    public int ClassOf(double value)
    {
        for (var i = 1; i < Bounds.Length - 1; i++)
        {
            if (value <= Bounds[i])
            {
                return i - 1;
            }
        }

        return Bounds.Length - 2;
    }
}

/// <summary>
/// Classification runs on the server so that the map, its legend, exports and embeds agree on the same breaks.
/// </summary>
public static class Classification
{
    public static readonly IReadOnlyList<string> Methods = ["quantile", "equal"];

    public const int MinClasses = 3;
    public const int MaxClasses = 9;

    public static ClassBreaks Compute(string method, IReadOnlyList<double> values, int classes)
    {
        if (classes is < MinClasses or > MaxClasses)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), classes, $"between {MinClasses} and {MaxClasses} classes");
        }

        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0)
        {
            return new ClassBreaks(method, [], []);
        }

        var bounds = method switch
        {
            "quantile" => Quantiles(sorted, classes),
            "equal" => EqualIntervals(sorted, classes),
            _ => throw new ArgumentException($"unknown classification '{method}'", nameof(method)),
        };
        var breaks = new ClassBreaks(method, bounds, new int[bounds.Length - 1]);
        foreach (var value in sorted)
        {
            breaks.Counts[breaks.ClassOf(value)]++;
        }

        return breaks;
    }

    /// <summary>
    /// Each class holds about the same number of territories. Bounds are observed values (the value at rank
    /// ⌈n·i/k⌉), so a legend never shows a number no territory has; ties may leave a class empty, and duplicate
    /// bounds are then removed rather than drawn as empty classes.
    /// </summary>
    private static double[] Quantiles(double[] sorted, int classes)
    {
        var bounds = new List<double> { sorted[0] };
        for (var i = 1; i < classes; i++)
        {
            var rank = (int)Math.Ceiling(sorted.Length * (double)i / classes) - 1;
            var bound = sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
            // A first bound equal to the minimum is kept: many territories sharing the minimum (zero
            // recipients in small communes) make a true class of their own.
            if (bound > bounds[^1] || (bounds.Count == 1 && bound == bounds[0]))
            {
                bounds.Add(bound);
            }
        }

        if (sorted[^1] > bounds[^1] || bounds.Count == 1)
        {
            bounds.Add(sorted[^1]);
        }

        return bounds.ToArray();
    }

    private static double[] EqualIntervals(double[] sorted, int classes)
    {
        double min = sorted[0], max = sorted[^1];
        if (max <= min)
        {
            return [min, max];
        }

        return Enumerable.Range(0, classes + 1).Select(i => i == classes ? max : min + (max - min) * i / classes).ToArray();
    }
}
