using System.Globalization;
using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.Tests.Maps;

public sealed class PalettesTests
{
    public static TheoryData<string, int> PalettesAndClasses()
    {
        var data = new TheoryData<string, int>();
        foreach (var palette in new[] { "OrRd", "Blues", "Purples" })
        {
            for (var k = Classification.MinClasses; k <= Classification.MaxClasses; k++)
            {
                data.Add(palette, k);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PalettesAndClasses))]
    public void Each_class_count_from_three_to_nine_gets_as_many_distinct_colours(string palette, int classes)
    {
        var colours = Palettes.Colours(palette, classes);

        Assert.Equal(classes, colours.Length);
        Assert.Equal(classes, colours.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(colours, c => Assert.Matches("^#[0-9a-fA-F]{6}$", c));
    }

    [Theory]
    [MemberData(nameof(PalettesAndClasses))]
    public void Colours_darken_from_the_first_class_to_the_last(string palette, int classes)
    {
        var luminances = Palettes.Colours(palette, classes).Select(Luminance).ToArray();

        for (var i = 1; i < luminances.Length; i++)
        {
            Assert.True(luminances[i] < luminances[i - 1], $"class {i} ({luminances[i]:F3}) is not darker than class {i - 1} ({luminances[i - 1]:F3})");
        }
    }

    [Theory]
    [InlineData(-1, "OrRd")]
    [InlineData(1, "Blues")]
    [InlineData(0, "Purples")]
    public void The_palette_follows_the_polarity_so_that_red_only_means_worse(int polarity, string palette)
    {
        Assert.Equal(palette, Palettes.ForPolarity(polarity));
    }

    [Fact]
    public void Every_polarity_palette_is_a_known_palette()
    {
        Assert.All(new[] { -1, 0, 1 }, p => Assert.Contains(Palettes.ForPolarity(p), Palettes.Names));
    }

    [Fact]
    public void An_unknown_palette_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Palettes.Colours("Viridis", 5));

        Assert.Contains("Viridis", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_data_and_secrecy_colours_differ_from_each_other()
    {
        Assert.NotEqual(Palettes.NoData, Palettes.Suppressed, StringComparer.OrdinalIgnoreCase);
    }

    // Relative luminance (WCAG): sRGB channels linearised, weighted 0.2126 R + 0.7152 G + 0.0722 B.
    private static double Luminance(string hex)
    {
        double Channel(int offset)
        {
            var c = int.Parse(hex.AsSpan(offset, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) / 255.0;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }

        return 0.2126 * Channel(1) + 0.7152 * Channel(3) + 0.0722 * Channel(5);
    }
}
