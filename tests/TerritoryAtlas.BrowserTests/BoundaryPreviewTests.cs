using Dapper;
using Microsoft.Playwright;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Npgsql;
using TerritoryAtlas.Testing;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.BrowserTests;

/// <summary>
/// An admin uploads a boundary layer in the browser and sees it on a map before publishing: Corsica as one
/// département (a new code, 20, covering 2A and 2B), the Var redrawn, the Bouches-du-Rhône as in force. The layer's
/// outlines are drawn over the level's, 2A and 2B (which would lose their outline) in red, and the legend counts them.
/// Nothing is published.
/// </summary>
[Collection(AtlasCollection.Name)]
public sealed class BoundaryPreviewTests(AtlasApp app) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() =>
        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR", BypassCSP = true }); // (the accessibility check injects axe)

    public async Task DisposeAsync() => await _context.DisposeAsync();

    /// <summary>The layer as a GeoPackage in WGS84, a table named as ADMIN EXPRESS names it, made by PostGIS from the outlines in force.</summary>
    private static async Task<byte[]> LayerAsync()
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        var rows = await connection.QueryAsync<(string Code, string Name, byte[] Wkb)>("""
            select '20', 'Corse', ST_AsBinary(ST_Multi(ST_Union(geom))) from territory where level = 'departement' and code in ('2A', '2B')
            union all select code, name, ST_AsBinary(ST_Multi(ST_Buffer(geom, -0.05))) from territory where level = 'departement' and code = '83'
            union all select code, name, ST_AsBinary(geom) from territory where level = 'departement' and code = '13'
            """);
        var reader = new WKBReader();
        return await GeoPackageFile.WriteAsync(4326, [new GeoPackageFile.Layer("departement", "MULTIPOLYGON", ["nom", "insee_dep"],
            rows.Select(r => (reader.Read(r.Wkb), new string?[] { r.Name, r.Code })))]);
    }

    [Fact]
    public async Task An_admin_sees_an_uploaded_layer_on_a_map_over_the_outlines_in_force_before_publishing()
    {
        var (email, password, _) = await app.AccountAsync(AtlasRoles.Admin);
        var page = await _context.SignInAsync(app, email, password, "/contributions");
        await Assertions.Expect(page.GetByTestId("contributions")).ToHaveAttributeAsync("data-live", "true", new() { Timeout = 20_000 });

        // The COG year in the name, as IGN names its deliveries; the level from the table's name.
        await page.Locator("input[type=file]").Last.SetInputFilesAsync(new FilePayload
        {
            Name = "ADE-COG_3-2_GPKG_WGS84_FR-ED2024-02-22.gpkg",
            MimeType = "application/geopackage+sqlite3",
            Buffer = await LayerAsync(),
        });
        await Assertions.Expect(page.GetByTestId("contribution-boundaries")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await page.GetByTestId("contribution-validate").ClickAsync();

        await Assertions.Expect(page.GetByTestId("dataset-version")).ToHaveAttributeAsync("data-status", "draft", new() { Timeout = 60_000 });
        var map = page.GetByTestId("boundary-map");
        // Drawn once the map is idle: the layer's outlines in view (framed on its extent), from the draft's own tiles.
        await Assertions.Expect(map).ToHaveAttributeAsync("data-ready", "true", new() { Timeout = 30_000 });
        var drawn = int.Parse(await map.GetAttributeAsync("data-drawn") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(3, drawn);
        var legend = page.GetByTestId("boundary-map-legend");
        await Assertions.Expect(legend).ToContainTextAsync("nouveau (1)");
        await Assertions.Expect(legend).ToContainTextAsync("perdrait son contour (2)");
        Assert.Empty(await Axe.SeriousViolationsAsync(page));
    }
}
