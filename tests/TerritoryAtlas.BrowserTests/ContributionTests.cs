using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.Playwright;
using Npgsql;
using TerritoryAtlas.Testing;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.BrowserTests;

/// <summary>
/// A partner's producer brings a yearly file in the browser: a semicolon Windows-1252 file with decimal commas (as a
/// French spreadsheet saves it), the columns mapped on the page, validated into a draft with its report and preview,
/// published; next year's file is one upload and one click (the mapping remembered), shows its one revision, is
/// published, then rolled back.
/// </summary>
[Collection(AtlasCollection.Name)]
public sealed class ContributionTests(AtlasApp app) : IAsyncLifetime
{
    private static readonly string CommuneFile = Path.Combine(TestDatabase.DataDirectory, "indicators", "tidy", "indicators_commune_long.csv");

    private IBrowserContext _context = null!;

    public async Task InitializeAsync() =>
        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR", BypassCSP = true });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    /// <summary>
    /// Real figures (the 2019 median standard of living of the first communes of the data directory's file) as a
    /// partner sends them: their own column names, semicolons, decimal commas, Windows-1252 (accented names).
    /// </summary>
    private static (byte[] File, IReadOnlyList<(string Code, double Value)> Rows) PartnerFile(int count, Func<string, double, double>? revise = null)
    {
        var rows = File.ReadLines(CommuneFile).Skip(1)
            .Select(l => l.Split(','))
            .Where(f => f.Length >= 6 && f[0] == "commune" && f[3] == "mediane_niveau_vie" && f[4] == "2019" && f[5].Length > 0 && !f[2].Contains('"'))
            .Take(count)
            .Select(f => (Code: f[1], Name: f[2], Value: revise?.Invoke(f[1], double.Parse(f[5], CultureInfo.InvariantCulture)) ?? double.Parse(f[5], CultureInfo.InvariantCulture)))
            .ToList();
        var text = new StringBuilder("CODGEO;LIBGEO;ANNEE;MEDIANE_EUR\r\n");
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{row.Code};{row.Name};2019;{row.Value.ToString(CultureInfo.GetCultureInfo("fr-FR"))}\r\n");
        }

        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return (Encoding.GetEncoding(1252).GetBytes(text.ToString()), rows.Select(r => (r.Code, r.Value)).ToList());
    }

    private async Task<double?> PublishedAsync(string indicator, string code)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        return await connection.ExecuteScalarAsync<double?>("""
            select o.value from observation o join territory t on t.id = o.territory_id
            where o.indicator_code = @indicator and t.level = 'commune' and t.code = @code and o.year = 2019
            """, new { indicator, code });
    }

    [Fact]
    public async Task A_producer_uploads_maps_validates_publishes_updates_and_rolls_back_in_the_browser()
    {
        var indicator = $"test_{Guid.NewGuid():N}"[..20];
        var organisation = $"Partenaire {Guid.NewGuid():N}"[..24];
        var (email, password, _) = await app.AccountAsync(AtlasRoles.Producer, organisation);

        await using (var connection = new NpgsqlConnection(TestDatabase.ConnectionString))
        {
            // This partner's producers publish themselves (an admin's setting).
            await connection.ExecuteAsync("update organisation set producers_may_publish = true where name = @organisation", new { organisation });
        }

        try
        {
            var page = await _context.SignInAsync(app, email, password, "/contributions");
            await Assertions.Expect(page.GetByTestId("contributions")).ToHaveAttributeAsync("data-live", "true", new() { Timeout = 20_000 });
            await Assertions.Expect(page.GetByTestId("nav-contributions")).ToBeVisibleAsync();

            // The first year's file: not in the atlas's format, so the page asks which column holds what.
            var (first, rows) = PartnerFile(300);
            await page.Locator("input[type=file]").Last.SetInputFilesAsync(new FilePayload { Name = "medianes-2019.csv", MimeType = "text/csv", Buffer = first });
            await Assertions.Expect(page.GetByTestId("contribution-shape")).ToContainTextAsync("MEDIANE_EUR", new() { Timeout = 20_000 });
            await Assertions.Expect(page.GetByTestId("contribution-shape")).ToContainTextAsync("windows-1252");
            await Assertions.Expect(page.GetByTestId("mapping-panel")).ToBeVisibleAsync();
            Assert.Empty(await Axe.SeriousViolationsAsync(page));
            await page.GetByTestId("meta-code").FillAsync(indicator);
            await page.GetByText("Nouvel indicateur : sa description").ClickAsync();
            await page.GetByTestId("meta-label-fr").FillAsync("Médiane du niveau de vie (partenaire)");
            await page.GetByTestId("meta-unit").FillAsync("euros");
            await page.GetByTestId("meta-kind").SelectOptionAsync("amount");
            await page.GetByTestId("meta-source").FillAsync("INSEE Filosofi 2019, via le partenaire");
            await page.GetByTestId("meta-producer").FillAsync("INSEE");
            await page.GetByTestId("meta-licence").FillAsync("Licence Ouverte");
            await page.GetByTestId("meta-visibility").SelectOptionAsync("members");
            await page.GetByTestId("map-code").SelectOptionAsync("CODGEO");
            await page.GetByTestId("map-name").SelectOptionAsync("LIBGEO");
            await page.GetByTestId("map-year").SelectOptionAsync("ANNEE");
            await page.GetByTestId("map-value").SelectOptionAsync("MEDIANE_EUR");
            await page.GetByTestId("map-level").SelectOptionAsync("commune");
            await page.GetByTestId("contribution-validate").ClickAsync();

            // The draft, its report and its preview: every figure new; nothing on the map yet.
            var version = page.GetByTestId("dataset-version");
            await Assertions.Expect(version).ToHaveAttributeAsync("data-status", "draft", new() { Timeout = 30_000 });
            await Assertions.Expect(page.GetByTestId("report-read")).ToHaveAttributeAsync("data-value", "300");
            await Assertions.Expect(page.GetByTestId("report-accepted")).ToHaveAttributeAsync("data-value", rows.Count.ToString(CultureInfo.InvariantCulture));
            await Assertions.Expect(page.GetByTestId("preview-new")).ToHaveTextAsync(rows.Count.ToString(CultureInfo.InvariantCulture));
            var (code, value) = rows[0];
            await Assertions.Expect(version.Locator($"tr[data-code='{code}'] [data-testid=preview-draft]"))
                .ToHaveTextAsync(value.ToString(value == Math.Round(value) ? "N0" : "N2", CultureInfo.GetCultureInfo("fr-FR")));
            Assert.Null(await PublishedAsync(indicator, code));
            // The draft on its map: every accepted figure given a colour on the commune tiles, none revised yet.
            var map = page.GetByTestId("draft-map");
            await Assertions.Expect(map).ToHaveAttributeAsync("data-ready", "true", new() { Timeout = 20_000 });
            await Assertions.Expect(map).ToHaveAttributeAsync("data-filled", rows.Count.ToString(CultureInfo.InvariantCulture));
            await Assertions.Expect(map).ToHaveAttributeAsync("data-revised", "0");
            await Assertions.Expect(page.GetByTestId("draft-map-legend").Locator("li")).ToHaveCountAsync(6);
            Assert.Empty(await Axe.SeriousViolationsAsync(page));

            await page.GetByTestId("version-publish").ClickAsync();
            await Assertions.Expect(version).ToHaveAttributeAsync("data-status", "published", new() { Timeout = 120_000 });
            Assert.Equal(value, await PublishedAsync(indicator, code));

            // Next year's corrected file: same shape, so one upload and one click (the mapping and description are remembered).
            var (second, _) = PartnerFile(300, (c, v) => c == code ? v + 100 : v);
            await page.Locator("input[type=file]").Last.SetInputFilesAsync(new FilePayload { Name = "medianes-2019-corrige.csv", MimeType = "text/csv", Buffer = second });
            await Assertions.Expect(page.GetByTestId("contribution-shape")).ToContainTextAsync("medianes-2019-corrige.csv", new() { Timeout = 20_000 });
            await page.GetByTestId("contribution-validate").ClickAsync();
            await Assertions.Expect(version).ToHaveAttributeAsync("data-status", "draft", new() { Timeout = 30_000 });
            await Assertions.Expect(page.GetByTestId("preview-revised")).ToHaveTextAsync("1");
            await Assertions.Expect(version.Locator($"tr[data-code='{code}'].atlas-revised")).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByTestId("draft-map")).ToHaveAttributeAsync("data-revised", "1", new() { Timeout = 20_000 });

            await page.GetByTestId("version-publish").ClickAsync();
            await Assertions.Expect(version).ToHaveAttributeAsync("data-status", "published", new() { Timeout = 120_000 });
            Assert.Equal(value + 100, await PublishedAsync(indicator, code));

            // Roll back: the first version is current again, figure for figure.
            await page.GetByTestId("version-rollback").ClickAsync();
            await Assertions.Expect(version).ToHaveAttributeAsync("data-status", "rejected", new() { Timeout = 120_000 });
            Assert.Equal(value, await PublishedAsync(indicator, code));
            var list = page.GetByTestId("dataset-versions");
            await Assertions.Expect(list.Locator("[data-status=published]")).ToHaveCountAsync(1);
            await Assertions.Expect(list.Locator("[data-status=rejected]")).ToHaveCountAsync(1);
        }
        finally
        {
            await TestDatabase.RemoveContributedIndicatorAsync(indicator);
        }
    }
}
