using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Tests.Indicators;

/// <summary>A small series response: a département with a suppressed year and a gap, its région and France.</summary>
internal static class SeriesTestData
{
    public const double Secret = 4321.987;

    public static SeriesResponse Series(double last = 12.5) => new(
        new SeriesIndicator("taux_test", "Taux de test", "%", "share", 1, "Source test", "INSEE", null),
        [new SeriesBreakInfo(2016, "Rupture de test", "Test break"), new SeriesBreakInfo(2030, "Hors période", "Out of range")],
        [
            new TerritorySeries("departement", "93", "Seine-Saint-Denis", "territory",
                [Point(2014, 10), Point(2015, null, "suppressed"), Point(2017, 11), Point(2019, last)], Growth.Of([(2014, 10), (2017, 11), (2019, last)])),
            new TerritorySeries("region", "11", "Île-de-France", "parent", [Point(2014, 8, published: false), Point(2019, 9)], null),
            new TerritorySeries("france", "FR", "France", "parent", [Point(2014, 7), Point(2019, 7.5)], null),
        ]);

    private static SeriesPoint Point(int year, double? value, string status = "ok", bool published = true) =>
        new(year, value, status, status == "suppressed" ? SeriesQueries.SecretLabel : null, null, published, null, null, null);
}
