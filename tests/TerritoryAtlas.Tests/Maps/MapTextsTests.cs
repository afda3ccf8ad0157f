using System.Reflection;
using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.Tests.Maps;

/// <summary>The map's words come from one resource file per language: both complete, both different, filled by name.</summary>
public sealed class MapTextsTests
{
    [Fact]
    public void Every_text_is_in_both_languages_and_each_language_has_its_own()
    {
        var texts = typeof(MapTexts).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.PropertyType == typeof(string)).ToList();
        Assert.True(texts.Count > 50, $"{texts.Count} texts");
        foreach (var text in texts)
        {
            Assert.False(string.IsNullOrWhiteSpace((string?)text.GetValue(MapTexts.French)), text.Name);
            Assert.False(string.IsNullOrWhiteSpace((string?)text.GetValue(MapTexts.English)), text.Name);
        }

        Assert.Equal("fr", MapTexts.French.Lang);
        Assert.Equal("en", MapTexts.English.Lang);
        Assert.Equal(MapTexts.French.Methods.Keys.Order(), MapTexts.English.Methods.Keys.Order());
        // Translated, not copied: most sentences differ between the files (a few words, such as Code, are the same).
        Assert.True(texts.Count(t => !Equals(t.GetValue(MapTexts.French), t.GetValue(MapTexts.English))) > texts.Count * 3 / 4);
    }

    [Fact]
    public void Sentences_are_filled_by_name_with_numbers_in_the_reader_s_language()
    {
        Assert.Equal("La France n'a pas de valeur en 2019 : 34 955 territoires ne peuvent pas lui être comparés.",
            MapTexts.French.ReferenceMissing("france", 2019, 34955).Replace('\u202F', ' ').Replace('\u00A0', ' '));
        Assert.Equal("The study area “Vallée” has no figure in 2020 (a commune without one, or secret): 1,234 territories cannot be compared with it.",
            MapTexts.English.ReferenceMissing("parent", 2020, 1234, "Vallée"));
        Assert.Equal("Comparer en 2021", MapTexts.French.CompareInYear(2021));
        var sables = new MapPerimeter("merged", "Les Sables-d'Olonne", "85194", "Les Sables-d'Olonne", 2019, 2019, ["85194", "85060", "85166"],
            ["Les Sables-d'Olonne", "Château-d'Olonne", "Olonne-sur-Mer"], "", "");
        Assert.Equal("3 communes drawn on their 2018 perimeter have merged since into a new commune: Les Sables-d'Olonne (with Château-d'Olonne, "
                     + "Olonne-sur-Mer). Its figure is drawn on all its former communes (hatched) and takes no rank.",
            MapTexts.English.PerimeterNotice([sables]));
        Assert.DoesNotContain("{", MapTexts.French.PerimeterNotice([sables, sables with { CommuneName = "B" }]), StringComparison.Ordinal);
    }
}
