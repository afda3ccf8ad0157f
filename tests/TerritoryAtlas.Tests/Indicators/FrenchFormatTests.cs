using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Tests.Indicators;

public sealed class FigureFormatTests
{
    [Theory]
    [InlineData(1, "1er")]
    [InlineData(2, "2e")]
    [InlineData(12, "12e")]
    [InlineData(101, "101e")]
    public void Ranks_are_French_ordinals(int rank, string expected) => Assert.Equal(expected, FigureFormat.Ordinal(rank));

    [Fact]
    public void A_rank_names_its_peers()
    {
        Assert.Equal("12e sur 101 départements", FigureFormat.Rank(12, 101, "departement"));
        Assert.Equal("1er sur 13 régions", FigureFormat.Rank(1, 13, "region"));
    }

    [Fact]
    public void A_suppressed_figure_reads_secret_statistique_whatever_its_value()
    {
        Assert.Equal("secret statistique", FigureFormat.Value(null, "suppressed", 1));
        Assert.Equal("n.d.", FigureFormat.Value(null, "missing", 1));
        Assert.Equal("1 234,5", FigureFormat.Value(1234.5, "ok", 1).Replace('\u202F', ' ').Replace('\u00A0', ' '));
    }

    [Fact]
    public void Search_keys_ignore_accents_and_case()
    {
        Assert.Equal("departement enfance ile-de-france", FigureFormat.SearchKey("Département Enfance Île-de-France"));
        Assert.Equal("age", FigureFormat.SearchKey("ÂGE"));
    }

    [Fact]
    public void Signed_percentages_use_a_true_minus_and_a_decimal_comma()
    {
        Assert.Equal("+1,2 %", FigureFormat.Percent(1.2).Replace('\u00A0', ' '));
        Assert.Equal("−0,40 %", FigureFormat.Percent(-0.4, 2).Replace('\u00A0', ' '));
        Assert.Equal("—", FigureFormat.Percent(null));
    }
}
