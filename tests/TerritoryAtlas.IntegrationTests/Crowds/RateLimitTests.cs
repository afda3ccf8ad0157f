using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace TerritoryAtlas.IntegrationTests.Crowds;

/// <summary>
/// Many people behind one address (a venue's or an administration's NAT: here, the test server's one address), with
/// the default limits (computations stricter): what is served from memory is never refused, what makes the server
/// compute or export is.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class RateLimitTests(AtlasFixture atlas)
{
    // Four views a host leads a workshop through on the commune map: (lon, lat, zoom, indicator, year).
    private static readonly (double Lon, double Lat, int Z, string Indicator, int Year)[] Views =
    [
        (2.4, 48.9, 9, "population_municipale", 2019),
        (4.85, 45.75, 8, "population_municipale", 2021),
        (5.4, 43.3, 8, "mediane_niveau_vie", 2016),
        (1.44, 43.6, 7, "mediane_niveau_vie", 2015),
    ];

    // The default limits, except computations: 600 a minute instead of 3,000, so that the scraper below is stopped
    // sooner — and the crowds pass even so.
    private WebApplicationFactory<Program> AppWithDefaultLimits() =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("ATLAS_DB", atlas.ConnectionString)
            .UseSetting("RateLimits:ComputationsPerMinute", "600"));

    /// <summary>The requests of one screen (1280 × 800) on a view: its values, and the 512-pixel tiles it covers.</summary>
    private static IEnumerable<string> ScreenRequests((double Lon, double Lat, int Z, string Indicator, int Year) view)
    {
        yield return $"/api/maps/commune/{view.Indicator}/{view.Year}";
        var n = 1 << view.Z;
        var x = (int)((view.Lon + 180) / 360 * n);
        var lat = view.Lat * Math.PI / 180;
        var y = (int)((1 - (Math.Log(Math.Tan(lat) + (1 / Math.Cos(lat))) / Math.PI)) / 2 * n);
        for (var dx = -2; dx <= 2; dx++)
        {
            for (var dy = -1; dy <= 2; dy++)
            {
                yield return $"/tiles/commune/{view.Z}/{x + dx}/{y + dy}.mvt";
            }
        }
    }

    private static async Task<(int Sent, int Refused, List<HttpStatusCode> Others)> EveryoneAsync(HttpClient http, int people, IReadOnlyList<string> requests)
    {
        var statuses = await Task.WhenAll(Enumerable.Range(0, people).Select(async _ =>
        {
            var mine = new List<HttpStatusCode>();
            foreach (var path in requests)
            {
                using var response = await http.GetAsync(path);
                mine.Add(response.StatusCode);
            }

            return mine;
        }));
        var all = statuses.SelectMany(s => s).ToList();
        return (all.Count, all.Count(s => s == HttpStatusCode.TooManyRequests),
            all.Where(s => s is not (HttpStatusCode.OK or HttpStatusCode.TooManyRequests)).Distinct().ToList());
    }

    [Fact]
    public async Task A_workshop_of_100_and_an_office_of_300_behind_one_address_are_never_refused_while_a_client_hammering_the_export_is()
    {
        await using var app = AppWithDefaultLimits();
        using var http = app.CreateClient();

        // The workshop: a hundred participants follow the host through four views, at the same moment.
        var workshop = 0;
        foreach (var view in Views)
        {
            var (sent, refused, others) = await EveryoneAsync(http, 100, ScreenRequests(view).ToList());
            Assert.Empty(others);
            Assert.True(refused == 0, $"{refused} of {sent} workshop requests refused at {view}");
            workshop += sent;
        }

        // The office: three hundred people open the département map of the day (its values and the France-wide tiles).
        var office = new List<string> { "/api/maps/departement/taux_pauvrete_60/2019" };
        office.AddRange(from x in Enumerable.Range(15, 3) from y in Enumerable.Range(10, 3) select $"/tiles/departement/5/{x}/{y}.mvt");
        var day = await EveryoneAsync(http, 300, office);
        Assert.Empty(day.Others);
        Assert.True(day.Refused == 0, $"{day.Refused} of {day.Sent} office requests refused");
        Assert.True(workshop + day.Sent > 9_000, $"only {workshop + day.Sent} requests sent");

        // One client exporting in a loop is stopped, with a Retry-After.
        HttpResponseMessage? stopped = null;
        for (var i = 0; i < 100 && stopped is null; i++)
        {
            var response = await http.GetAsync("/api/export/region.csv?indicator=taux_pauvrete_60&year=2019");
            if (response.StatusCode == HttpStatusCode.TooManyRequests) stopped = response;
            else Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.NotNull(stopped);
        Assert.NotNull(stopped.Headers.RetryAfter);
        // And a client walking tiles nobody asked for (a scraper) is stopped too, while cached ones still come.
        var walked = 0;
        HttpStatusCode last = HttpStatusCode.OK;
        for (var x = 0; x < 1024 && last != HttpStatusCode.TooManyRequests; x++)
        {
            last = (await http.GetAsync($"/tiles/commune/12/{x}/1400.mvt")).StatusCode;
            walked++;
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, last);
        Assert.InRange(walked, 500, 700);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(office[1])).StatusCode);
    }
}
