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
    public static readonly IReadOnlyList<string> Methods = ["quantile", "jenks", "equal", "manual"];

    /// <summary>
    /// Jenks is O(k·n²): above this many values it runs on this many evenly spaced order statistics of the
    /// sorted values (as QGIS samples), which keeps 35,000 communes interactive and the breaks within a hair.
    /// </summary>
    public const int JenksSampleSize = 3000;

    public const int MinClasses = 3;
    public const int MaxClasses = 9;

    public static ClassBreaks Compute(string method, IReadOnlyList<double> values, int classes, IReadOnlyList<double>? manualBreaks = null)
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
            "jenks" => Jenks(sorted, classes),
            "manual" => Manual(sorted, manualBreaks ?? throw new ArgumentException("manual classification needs breaks", nameof(manualBreaks))),
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

    /// <summary>
    /// Breaks given by the user, between the minimum and the maximum (values outside fall into the end classes).
    /// </summary>
    private static double[] Manual(double[] sorted, IReadOnlyList<double> breaks)
    {
        var inner = breaks.Where(double.IsFinite).Distinct().Order().Where(b => b > sorted[0] && b < sorted[^1]).ToList();
        return [sorted[0], .. inner, sorted[^1]];
    }

    /// <summary>
    /// Jenks natural breaks (Fisher's exact optimisation): the partition of the sorted values into k contiguous
    /// classes that minimises the sum of squared deviations from the class means.
    /// </summary>
    private static double[] Jenks(double[] sorted, int classes)
    {
        var data = sorted.Length <= JenksSampleSize
            ? sorted
            : Enumerable.Range(0, JenksSampleSize).Select(i => sorted[(int)((long)i * (sorted.Length - 1) / (JenksSampleSize - 1))]).ToArray();
        var n = data.Length;
        var k = Math.Min(classes, data.Distinct().Count());
        if (k <= 1)
        {
            return [sorted[0], sorted[^1]];
        }

        // lowerClassLimits[i, j]: index (1-based) of the first value of the last class in the best partition of
        // the first i values into j classes; variance[i, j]: its sum of squared deviations.
        var lowerClassLimits = new int[n + 1, k + 1];
        var variance = new double[n + 1, k + 1];
        for (var j = 1; j <= k; j++)
        {
            lowerClassLimits[1, j] = 1;
            for (var i = 2; i <= n; i++)
            {
                variance[i, j] = double.PositiveInfinity;
            }
        }

        for (var l = 2; l <= n; l++)
        {
            double sum = 0, sumSquares = 0, w = 0, v = 0;
            for (var m = 1; m <= l; m++)
            {
                var lowerIndex = l - m + 1;
                var value = data[lowerIndex - 1];
                w++;
                sum += value;
                sumSquares += value * value;
                v = sumSquares - sum * sum / w;
                var i4 = lowerIndex - 1;
                if (i4 == 0)
                {
                    continue;
                }

                for (var j = 2; j <= k; j++)
                {
                    if (variance[l, j] >= v + variance[i4, j - 1])
                    {
                        lowerClassLimits[l, j] = lowerIndex;
                        variance[l, j] = v + variance[i4, j - 1];
                    }
                }
            }

            lowerClassLimits[l, 1] = 1;
            variance[l, 1] = v;
        }

        // Walk back from the last value: each class's upper bound is the value just before the next class starts.
        var bounds = new double[k + 1];
        bounds[k] = sorted[^1];
        bounds[0] = sorted[0];
        var index = n;
        for (var j = k; j >= 2; j--)
        {
            var start = lowerClassLimits[index, j] - 1;
            bounds[j - 1] = data[start - 1];
            index = start;
        }

        return bounds;
    }
}
