using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Tests.Indicators;

public sealed class GrowthTests
{
    [Fact]
    public void Tcam_counts_calendar_years_across_a_missing_year()
    {
        // 2015: 100, 2016 missing, 2017: 121, 2018: 133.1. By hand: 133.1 / 100 = 1.331 = 1.1³ over 3 years → +10 % a year.
        // Counting observations instead of years would give 1.331^(1/2) − 1 = +15.4 % a year: wrong.
        var evolution = Growth.Of([(2015, 100), (2016, null), (2017, 121), (2018, 133.1)])!;

        Assert.Equal(2015, evolution.FirstYear);
        Assert.Equal(2018, evolution.LastYear);
        Assert.Equal(3, evolution.Years);
        Assert.Equal(33.1, evolution.Change, 9);
        Assert.Equal(33.1, evolution.ChangePercent!.Value, 9);
        Assert.Equal(10.0, evolution.AnnualGrowthRate!.Value, 9);
    }

    [Fact]
    public void Tcam_of_a_halving_over_ten_years_is_minus_6_697_percent_a_year()
    {
        // By hand: 0.5^(1/10) = 0.933033 → −6.6967 % a year; the change is −50 %.
        var evolution = Growth.Of([(2010, 200), (2020, 100)])!;

        Assert.Equal(-100, evolution.Change, 9);
        Assert.Equal(-50, evolution.ChangePercent!.Value, 9);
        Assert.Equal(-6.6967008, evolution.AnnualGrowthRate!.Value, 6);
    }

    [Fact]
    public void Tcam_over_two_points_with_a_gap_uses_the_years_between_them()
    {
        // 2015: 100, 2018: 121 (2016 and 2017 absent): 1.21^(1/3) − 1 = +6.5602 % a year, not +21 % nor +10 %.
        var evolution = Growth.Of([(2018, 121), (2015, 100)])!;

        Assert.Equal(6.5602237, evolution.AnnualGrowthRate!.Value, 6);
    }

    [Fact]
    public void Suppressed_first_and_last_years_are_skipped_to_the_nearest_published_figures()
    {
        var evolution = Growth.Of([(2014, null), (2015, 50), (2016, 60), (2019, 80), (2020, null)])!;

        Assert.Equal((2015, 2019), (evolution.FirstYear, evolution.LastYear));
        Assert.Equal(60, evolution.ChangePercent!.Value, 9);
        // 1.6^(1/4) − 1 = 0.124683 → +12.4683 %.
        Assert.Equal(12.4683, evolution.AnnualGrowthRate!.Value, 4);
    }

    [Fact]
    public void A_single_figure_has_no_evolution()
    {
        Assert.Null(Growth.Of([(2019, 12.5)]));
        Assert.Null(Growth.Of([(2019, 12.5), (2020, null)]));
        Assert.Null(Growth.Of([]));
    }

    [Fact]
    public void Growth_from_zero_or_to_a_negative_value_has_no_rate()
    {
        var fromZero = Growth.Of([(2015, 0), (2019, 40)])!;
        Assert.Equal(40, fromZero.Change);
        Assert.Null(fromZero.ChangePercent);
        Assert.Null(fromZero.AnnualGrowthRate);

        var toNegative = Growth.Of([(2015, 10), (2019, -5)])!;
        Assert.Equal(-150, toNegative.ChangePercent!.Value, 9);
        Assert.Null(toNegative.AnnualGrowthRate);
    }
}
