using System.Globalization;
using Dapper;
using Microsoft.Playwright;
using Npgsql;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.BrowserTests;

/// <summary>
/// A member makes a study area from pasted codes on the page, or on the map (lasso, EPCI click), opens its portrait,
/// and a bad list is explained.
/// </summary>
[Collection(AtlasCollection.Name)]
public sealed class StudyAreaTests(AtlasApp app) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() =>
        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR" });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    private async Task<IPage> SignedInAsync(string returnUrl)
    {
        var (email, password, _) = await app.AccountAsync(AtlasRoles.Member);
        return await _context.SignInAsync(app, email, password, returnUrl);
    }

    // The map opens centred on Saint-Denis at zoom 11, so a pixel offset from the map's centre is a known longitude
    // and latitude (Web Mercator, 512-pixel world at zoom 0, as MapLibre draws it).
    private const double Lon = 2.36, Lat = 48.93, Zoom = 11;

    private static (double Lon, double Lat) At(double dx, double dy)
    {
        var world = 512 * Math.Pow(2, Zoom);
        var y = (1 - Math.Log(Math.Tan(Math.PI / 4 + Lat * Math.PI / 360)) / Math.PI) / 2 * world + dy;
        return (Lon + dx / world * 360, Math.Atan(Math.Sinh(Math.PI * (1 - 2 * y / world))) * 180 / Math.PI);
    }

    private async Task<IPage> OpenEditorAsync()
    {
        var page = await SignedInAsync(FormattableString.Invariant($"/zones-etude/carte?at={Lon},{Lat},{Zoom}"));
        await Assertions.Expect(page.GetByTestId("area-editor")).ToHaveAttributeAsync("data-live", "true");
        await Assertions.Expect(page.GetByTestId("area-map")).ToHaveAttributeAsync("data-ready", "true");
        return page;
    }

    [Fact]
    public async Task A_member_lassoes_communes_on_the_map_names_the_area_and_opens_its_portrait()
    {
        var page = await OpenEditorAsync();
        await page.GetByTestId("tool-lasso").CheckAsync();
        var box = (await page.GetByTestId("area-map").BoundingBoxAsync())!;
        var (cx, cy) = (box.X + box.Width / 2, box.Y + box.Height / 2);
        const double half = 120;
        await page.Mouse.MoveAsync((float)(cx - half), (float)(cy - half));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((float)(cx + half), (float)(cy - half), new() { Steps = 8 });
        await page.Mouse.MoveAsync((float)(cx + half), (float)(cy + half), new() { Steps = 8 });
        await page.Mouse.MoveAsync((float)(cx - half), (float)(cy + half), new() { Steps = 8 });
        await page.Mouse.MoveAsync((float)(cx - half), (float)(cy - half) + 2, new() { Steps = 8 });
        await page.Mouse.UpAsync();

        // What the lasso holds: the communes whose point on surface is inside the square, as PostGIS says.
        var (west, north) = At(-half, -half);
        var (east, south) = At(half, half);
        string[] expected;
        await using (var db = NpgsqlDataSource.Create(Environment.GetEnvironmentVariable("ATLAS_TEST_DB")!))
        await using (var connection = await db.OpenConnectionAsync())
        {
            expected = (await connection.QueryAsync<string>("""
                select code from territory
                where level = 'commune' and ST_Intersects(label_point, ST_MakeEnvelope(@west, @south, @east, @north, 4326))
                order by code
                """, new { west, south, east, north })).ToArray();
        }

        Assert.InRange(expected.Length, 5, 200);
        Assert.Contains("93066", expected); // Saint-Denis, at the centre
        await Assertions.Expect(page.GetByTestId("area-count")).ToHaveTextAsync(expected.Length.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(page.GetByTestId("area-list")).ToContainTextAsync("Saint-Denis");

        await page.GetByTestId("area-name").FillAsync("Lasso autour de Saint-Denis");
        await page.GetByTestId("area-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("study-area-name")).ToHaveTextAsync("Lasso autour de Saint-Denis");
        await Assertions.Expect(page.GetByTestId("study-area-communes")).ToHaveTextAsync(expected.Length.ToString(CultureInfo.InvariantCulture));

        // Saved as exactly those communes.
        var id = long.Parse(new Uri(page.Url).AbsolutePath.Split('/')[^1], CultureInfo.InvariantCulture);
        await using (var db = NpgsqlDataSource.Create(Environment.GetEnvironmentVariable("ATLAS_TEST_DB")!))
        await using (var connection = await db.OpenConnectionAsync())
        {
            var saved = await connection.ExecuteScalarAsync<string[]>("select communes from study_area where id = @id", new { id });
            Assert.Equal(expected, saved!.Order(StringComparer.Ordinal).ToArray());
        }
    }

    [Fact]
    public async Task A_click_with_the_EPCI_tool_takes_every_commune_of_the_EPCI_and_a_second_click_gives_them_back()
    {
        int epciCommunes;
        await using (var db = NpgsqlDataSource.Create(Environment.GetEnvironmentVariable("ATLAS_TEST_DB")!))
        await using (var connection = await db.OpenConnectionAsync())
        {
            epciCommunes = await connection.ExecuteScalarAsync<int>("""
                select count(*)::int from territory_parent p join territory m on m.id = p.territory_id and m.level = 'commune'
                where p.parent_level = 'epci' and p.parent_id = (
                    select e.parent_id from territory c join territory_parent e on e.territory_id = c.id and e.parent_level = 'epci'
                    where c.level = 'commune' and ST_Contains(c.geom, ST_SetSRID(ST_MakePoint(@Lon, @Lat), 4326)))
                """, new { Lon, Lat });
        }

        Assert.True(epciCommunes > 1);
        var page = await OpenEditorAsync();
        await page.GetByTestId("tool-epci").CheckAsync();
        await page.GetByTestId("area-map").ClickAsync();
        await Assertions.Expect(page.GetByTestId("area-count")).ToHaveTextAsync(epciCommunes.ToString(CultureInfo.InvariantCulture));
        // Drawn: the map says how many communes it fills.
        await Assertions.Expect(page.GetByTestId("area-map")).ToHaveAttributeAsync("data-chosen", epciCommunes.ToString(CultureInfo.InvariantCulture));
        await page.GetByTestId("area-map").ClickAsync();
        await Assertions.Expect(page.GetByTestId("area-count")).ToHaveTextAsync("0");
    }

    [Fact]
    public async Task A_member_uploads_a_GeoPackage_perimeter_then_compares_a_commune_portrait_with_the_area()
    {
        string[] expected;
        byte[] geoPackage;
        await using (var db = NpgsqlDataSource.Create(Environment.GetEnvironmentVariable("ATLAS_TEST_DB")!))
        await using (var connection = await db.OpenConnectionAsync())
        {
            const string Envelope = "ST_Transform(ST_MakeEnvelope(2.33, 48.90, 2.40, 48.95, 4326), 2154)";
            geoPackage = await TerritoryAtlas.Testing.GeoPackageFile.PolygonAsync(
                new NetTopologySuite.IO.WKBReader().Read(await connection.ExecuteScalarAsync<byte[]>($"select ST_AsBinary({Envelope})")), 2154);
            expected = (await connection.QueryAsync<string>(
                $"select code from territory where level = 'commune' and ST_Intersects(label_point, ST_Transform({Envelope}, 4326)) order by code")).ToArray();
        }

        var page = await SignedInAsync("/zones-etude");
        await page.Locator("#area-file-name").FillAsync("Autour de Saint-Denis (GeoPackage)");
        await page.Locator("#area-file").SetInputFilesAsync(new FilePayload { Name = "perimetre.gpkg", MimeType = "application/geopackage+sqlite3", Buffer = geoPackage });
        await page.GetByTestId("study-area-upload").ClickAsync();
        await Assertions.Expect(page.GetByTestId("study-area-name")).ToHaveTextAsync("Autour de Saint-Denis (GeoPackage)");
        await Assertions.Expect(page.GetByTestId("study-area-communes")).ToHaveTextAsync(expected.Length.ToString(CultureInfo.InvariantCulture));
        var id = new Uri(page.Url).AbsolutePath.Split('/')[^1];

        // Saint-Denis's portrait compared with the area: picked by name, a column headed with it.
        await page.GotoAsync(new Uri(app.BaseAddress, "/territoire/commune/93066").ToString());
        var input = page.Locator("input[data-testid=compare-input], [data-testid=compare-input] input").First;
        await Assertions.Expect(page.Locator("[data-testid=portrait-series]")).ToBeVisibleAsync();
        // The first HTML is prerendered: type again until the circuit answers with the area among the choices.
        var option = page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Autour de Saint-Denis (GeoPackage) (zone d'étude)" });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await option.CountAsync() == 0 && DateTime.UtcNow < deadline)
        {
            await input.FillAsync("");
            await input.PressSequentiallyAsync("GeoPackage");
            try
            {
                await option.First.WaitForAsync(new() { Timeout = 2000 });
            }
            catch (TimeoutException)
            {
            }
        }

        await option.First.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"comparer=area%3A{id}|comparer=area:{id}"));
        await Assertions.Expect(page.GetByTestId("portrait-reference-name").First).ToHaveTextAsync("Autour de Saint-Denis (GeoPackage)");
        var population = page.Locator("tr[data-indicator=population_municipale] [data-testid=portrait-reference]");
        await Assertions.Expect(population).Not.ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^\\s*$"));
    }

    [Fact]
    public async Task A_member_pastes_codes_names_the_area_and_reads_its_portrait()
    {
        string[] codes = ["93001", "93005", "93006", "93007"];
        double population;
        await using (var db = NpgsqlDataSource.Create(Environment.GetEnvironmentVariable("ATLAS_TEST_DB")!))
        await using (var connection = await db.OpenConnectionAsync())
        {
            population = await connection.ExecuteScalarAsync<double>("""
                select sum(o.value) from published_observation o join territory c on c.id = o.territory_id
                where c.level = 'commune' and c.code = any(@codes) and o.indicator_code = 'population_municipale' and o.year = 2023
                """, new { codes });
        }

        var page = await SignedInAsync("/zones-etude");

        // A bad list first: the page says which code is wrong.
        await page.Locator("#area-name").FillAsync("Nord-Ouest du 93");
        await page.Locator("#area-codes").FillAsync("93001 99999");
        await page.GetByTestId("study-area-create").ClickAsync();
        await Assertions.Expect(page.GetByTestId("study-area-error")).ToContainTextAsync("99999");
        // In the reader's language (the API says it in English).
        await Assertions.Expect(page.GetByTestId("study-area-error")).ToContainTextAsync("ne sont pas des communes de l'atlas");

        await page.Locator("#area-name").FillAsync("Nord-Ouest du 93");
        await page.Locator("#area-codes").FillAsync(string.Join("\n", codes));
        await page.GetByTestId("study-area-create").ClickAsync();
        await Assertions.Expect(page.GetByTestId("study-area-name")).ToHaveTextAsync("Nord-Ouest du 93");
        await Assertions.Expect(page.GetByTestId("study-area-communes")).ToHaveTextAsync("4");
        var row = page.Locator("tr[data-indicator=population_municipale] [data-testid=study-area-value]");
        await Assertions.Expect(row).ToHaveTextAsync(population.ToString("N0", CultureInfo.GetCultureInfo("fr-FR")));

        // Listed among the member's areas.
        await page.GotoAsync(new Uri(app.BaseAddress, "/zones-etude").ToString());
        await Assertions.Expect(page.GetByTestId("study-area-list")).ToContainTextAsync("Nord-Ouest du 93");
    }
}
