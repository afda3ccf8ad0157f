using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.Tests.Maps;

public sealed class JenksAndComparisonTests
{
    [Fact]
    public void Jenks_finds_the_obvious_groups_of_a_worked_example()
    {
        // Three tight groups far apart: any other partition has a larger within-class sum of squares.
        double[] values = [1, 2, 3, 10, 11, 12, 20, 21, 22];
        var breaks = Classification.Compute("jenks", values, 3);
        Assert.Equal([1, 3, 12, 22], breaks.Bounds);
        Assert.Equal([3, 3, 3], breaks.Counts);
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 4)]
    [InlineData(3, 5)]
    [InlineData(4, 3)]
    public void Jenks_matches_an_exhaustive_search_of_every_partition(int seed, int classes)
    {
        var random = new Random(seed);
        var values = Enumerable.Range(0, 14).Select(_ => Math.Round(random.NextDouble() * 100, 1)).Order().ToArray();

        var breaks = Classification.Compute("jenks", values, classes);

        Assert.Equal(BestSumOfSquares(values, classes), SumOfSquares(values, breaks), 6);
    }

    [Fact]
    public void Manual_breaks_are_kept_between_the_minimum_and_the_maximum()
    {
        var breaks = Classification.Compute("manual", [5, 8, 12, 17, 30], 5, [10, 15, 99, -3]);
        Assert.Equal([5, 10, 15, 30], breaks.Bounds);
        Assert.Equal([2, 1, 2], breaks.Counts);
    }

    [Fact]
    public void The_wilson_interval_of_ten_in_a_hundred_matches_the_hand_computation()
    {
        // p = 0.1, z = 1.96: centre (0.1 + z²/200) / (1 + z²/100) = 0.11480, half-width 0.05957 → [5.52 %, 17.44 %].
        var (low, high) = Comparison.ConfidenceInterval(10, 100, 100);
        Assert.Equal(5.52, low, 2);
        Assert.Equal(17.44, high, 2);
    }

    [Theory]
    [InlineData(10, 100, 12.0, -1, "similar")] // 12 % lies inside [5.5 %, 17.4 %]
    [InlineData(10, 100, 20.0, -1, "better")] // below the reference and lower is better
    [InlineData(10, 100, 20.0, 1, "worse")] // below the reference and higher is better
    [InlineData(10, 100, 3.0, 0, "higher")] // neutral polarity: only the position
    [InlineData(1000, 10000, 12.0, -1, "better")] // the same 10 % on a larger population is no longer "similar" to 12 %
    public void A_rate_is_similar_only_when_its_interval_holds_the_reference(double numerator, double denominator, double reference, int polarity, string expected)
    {
        var interval = Comparison.ConfidenceInterval(numerator, denominator, 100);
        Assert.Equal(expected, Comparison.Compare(100 * numerator / denominator, interval, reference, polarity));
    }

    [Fact]
    public void Without_an_interval_a_value_is_only_lower_or_higher()
    {
        Assert.Equal("worse", Comparison.Compare(15, null, 14.9, -1));
        Assert.Equal("lower", Comparison.Compare(14, null, 14.9, 0));
    }

    [Fact]
    public void A_diverging_palette_puts_red_at_the_worse_end()
    {
        var (_, higherIsWorse) = Palettes.Resolve("RdYlBu", -1, 5);
        var (_, higherIsBetter) = Palettes.Resolve("RdYlBu", 1, 5);
        Assert.Equal("#d73027", higherIsWorse[^1]);
        Assert.Equal("#d73027", higherIsBetter[0]);
    }

    private static double SumOfSquares(double[] sorted, ClassBreaks breaks) =>
        sorted.GroupBy(breaks.ClassOf).Sum(g => g.Sum(v => (v - g.Average()) * (v - g.Average())));

    private static double BestSumOfSquares(double[] sorted, int classes)
    {
        // Every way to cut n sorted values into k contiguous non-empty classes.
        double best = double.MaxValue;
        void Search(int start, int left, double acc)
        {
            if (left == 1)
            {
                var last = sorted[start..];
                best = Math.Min(best, acc + last.Sum(v => (v - last.Average()) * (v - last.Average())));
                return;
            }

            for (var end = start + 1; end <= sorted.Length - left + 1; end++)
            {
                var part = sorted[start..end];
                Search(end, left - 1, acc + part.Sum(v => (v - part.Average()) * (v - part.Average())));
            }
        }

        Search(0, classes, 0);
        return best;
    }
}
