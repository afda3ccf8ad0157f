using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.Tests.Maps;

public sealed class ClassificationTests
{
    private static readonly double[] OneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

    [Fact]
    public void Quantile_breaks_split_ten_values_into_five_equal_groups()
    {
        var breaks = Classification.Compute("quantile", OneToTen, 5);

        // Bound i is the value at rank ⌈10·i/5⌉ = 2i (1-based): ranks 2, 4, 6, 8 → values 2, 4, 6, 8,
        // framed by the minimum 1 and the maximum 10. Each class then holds two values.
        Assert.Equal([1, 2, 4, 6, 8, 10], breaks.Bounds);
        Assert.Equal([2, 2, 2, 2, 2], breaks.Counts);
        Assert.Equal(5, breaks.Classes);
    }

    [Fact]
    public void Quantile_breaks_into_three_classes_round_the_rank_up()
    {
        var breaks = Classification.Compute("quantile", OneToTen, 3);

        // Ranks ⌈10/3⌉ = ⌈3.33⌉ = 4 and ⌈20/3⌉ = ⌈6.67⌉ = 7 → values 4 and 7.
        // Classes: 1..4 (4 values), 5..7 (3), 8..10 (3).
        Assert.Equal([1, 4, 7, 10], breaks.Bounds);
        Assert.Equal([4, 3, 3], breaks.Counts);
    }

    [Fact]
    public void Equal_interval_breaks_split_the_range_into_classes_of_the_same_width()
    {
        var breaks = Classification.Compute("equal", OneToTen, 5);

        // Range 10 − 1 = 9, width 9 / 5 = 1.8: bounds 1, 2.8, 4.6, 6.4, 8.2, 10.
        // Classes: {1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}.
        double[] expected = [1, 2.8, 4.6, 6.4, 8.2, 10];
        Assert.Equal(expected.Length, breaks.Bounds.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], breaks.Bounds[i], 1e-9);
        }

        Assert.Equal([2, 2, 2, 2, 2], breaks.Counts);
    }

    [Fact]
    public void Equal_interval_breaks_keep_empty_classes_when_values_cluster()
    {
        var breaks = Classification.Compute("equal", [0, 1, 2, 3, 10], 5);

        // Range 10, width 2: bounds 0, 2, 4, 6, 8, 10. {0, 1, 2} ≤ 2; {3} ≤ 4; nothing in (4, 6] nor (6, 8]; {10}.
        Assert.Equal([0, 2, 4, 6, 8, 10], breaks.Bounds);
        Assert.Equal([3, 1, 0, 0, 1], breaks.Counts);
    }

    [Theory]
    [InlineData("quantile")]
    [InlineData("equal")]
    public void Counts_per_class_sum_to_the_number_of_values(string method)
    {
        // 37 uneven values (squares, so the upper classes are wide), with one NaN and one infinity that are not figures.
        var values = Enumerable.Range(0, 37).Select(i => (double)i * i).Append(double.NaN).Append(double.PositiveInfinity).ToArray();
        for (var classes = Classification.MinClasses; classes <= Classification.MaxClasses; classes++)
        {
            var breaks = Classification.Compute(method, values, classes);

            Assert.Equal(37, breaks.Counts.Sum());
            Assert.Equal(breaks.Classes, breaks.Counts.Length);
            Assert.Equal(0, breaks.Bounds[0]);
            Assert.Equal(36 * 36, breaks.Bounds[^1]);
        }
    }

    [Fact]
    public void A_value_equal_to_an_upper_bound_belongs_to_that_class()
    {
        var breaks = new ClassBreaks("quantile", [1, 2, 4, 6, 8, 10], [2, 2, 2, 2, 2]);

        Assert.Equal(0, breaks.ClassOf(1));
        Assert.Equal(0, breaks.ClassOf(2));
        Assert.Equal(1, breaks.ClassOf(2.000001));
        Assert.Equal(1, breaks.ClassOf(4));
        Assert.Equal(2, breaks.ClassOf(6));
        Assert.Equal(3, breaks.ClassOf(8));
        Assert.Equal(4, breaks.ClassOf(8.5));
        Assert.Equal(4, breaks.ClassOf(10));
    }

    [Fact]
    public void Values_outside_the_bounds_fall_into_the_first_or_last_class()
    {
        var breaks = new ClassBreaks("equal", [0, 10, 20, 30], [1, 1, 1]);

        Assert.Equal(0, breaks.ClassOf(-5));
        Assert.Equal(2, breaks.ClassOf(31));
    }

    [Fact]
    public void Tied_values_share_one_class_and_duplicate_quantile_bounds_are_dropped()
    {
        double[] values = [1, 2, 3, 3, 3, 3, 3, 3, 9, 10];

        var breaks = Classification.Compute("quantile", values, 5);

        // Ranks 2, 4, 6, 8 → values 2, 3, 3, 3: the repeated 3s would draw empty classes, so they are dropped.
        // Bounds 1, 2, 3, 10 → classes {1, 2}, the six 3s, {9, 10}.
        Assert.Equal([1, 2, 3, 10], breaks.Bounds);
        Assert.Equal([2, 6, 2], breaks.Counts);
        Assert.True(breaks.Bounds.Zip(breaks.Bounds.Skip(1)).All(pair => pair.First < pair.Second), "bounds strictly increase");
    }

    [Theory]
    [InlineData("quantile")]
    [InlineData("equal")]
    public void Identical_values_make_a_single_class(string method)
    {
        var breaks = Classification.Compute(method, [5, 5, 5, 5], 5);

        // Nothing to split: one class from 5 to 5 holding the four values.
        Assert.Equal([5, 5], breaks.Bounds);
        Assert.Equal([4], breaks.Counts);
        Assert.Equal(0, breaks.ClassOf(5));
    }

    [Fact]
    public void No_values_make_no_classes()
    {
        var breaks = Classification.Compute("quantile", [], 5);

        Assert.Equal(0, breaks.Classes);
        Assert.Empty(breaks.Counts);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(10)]
    public void Class_counts_outside_three_to_nine_are_rejected(int classes)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Classification.Compute("quantile", OneToTen, classes));

        Assert.Equal("classes", e.ParamName);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(9)]
    public void Three_and_nine_classes_are_accepted(int classes)
    {
        var breaks = Classification.Compute("equal", OneToTen, classes);

        Assert.Equal(classes, breaks.Classes);
    }

    [Fact]
    public void An_unknown_method_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Classification.Compute("jenks-ish", OneToTen, 5));

        Assert.Contains("jenks-ish", e.Message, StringComparison.Ordinal);
    }
}
