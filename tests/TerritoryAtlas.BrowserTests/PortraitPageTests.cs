using System.Diagnostics;
using Microsoft.Playwright;

namespace TerritoryAtlas.BrowserTests;

[Collection(AtlasCollection.Name)]
public sealed class PortraitPageTests(AtlasApp app) : IAsyncLifetime
{
    private const int TimeoutMs = 30_000;

    private IBrowserContext _context = null!;

    public async Task InitializeAsync() =>
        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR", AcceptDownloads = true });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    private async Task<IPage> OpenPortraitAsync(string indicator)
    {
        var page = await _context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors) errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => { lock (errors) errors.Add(error); };
        await page.GotoAsync(new Uri(app.BaseAddress, $"/territoire/departement/93?indicateur={indicator}").ToString());
        await Assertions.Expect(page.GetByTestId("portrait-name")).ToHaveTextAsync("Seine-Saint-Denis");
        try
        {
            // Drawn by apexcharts: one path per line in the series groups.
            await page.Locator("[data-testid=chart] svg .apexcharts-series path").First.WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = TimeoutMs });
        }
        catch (TimeoutException e)
        {
            await page.ScreenshotAsync(new() { Path = "/tmp/atlas-portrait.png", FullPage = true });
            lock (errors) throw new TimeoutException($"no chart drawn; browser errors: {string.Join(" | ", errors)}", e);
        }

        return page;
    }

    [Fact]
    public async Task The_portrait_draws_the_series_of_the_territory_and_its_parents_with_the_series_break()
    {
        var page = await OpenPortraitAsync("aah_pour_100_20_64");
        try
        {
            // Seine-Saint-Denis, Île-de-France, France: three lines, each with a drawn path.
            await Assertions.Expect(page.Locator("[data-testid=chart] svg .apexcharts-series[seriesName]")).ToHaveCountAsync(3);
            var paths = await page.Locator("[data-testid=chart] svg .apexcharts-series path.apexcharts-line").EvaluateAllAsync<string[]>("ps => ps.map(p => p.getAttribute('d'))");
            Assert.Equal(3, paths.Length);
            Assert.All(paths, d => Assert.True(d?.Length > 20, $"empty line path: {d}"));
            // The catalogue's 2016 break (new CNAF series) is drawn as an x-axis annotation.
            await Assertions.Expect(page.Locator("[data-testid=chart] .apexcharts-xaxis-annotations")).ToContainTextAsync("Rupture 2016");
            await Assertions.Expect(page.Locator("[data-testid=chart] .apexcharts-legend")).ToContainTextAsync("Seine-Saint-Denis");
            // Choosing another indicator in the portrait's table redraws the chart and table with its series (poverty rates
            // reach 2021, AAH stops in 2019).
            await page.Locator("[data-testid=portrait-indicator][data-indicator=taux_pauvrete_60] a").ClickAsync();
            await Assertions.Expect(page.GetByTestId("series-panel").GetByRole(AriaRole.Heading)).ToContainTextAsync("Taux de pauvreté");
            await Assertions.Expect(page.Locator("[data-testid=series-table] tbody tr[data-year='2021']")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator("[data-testid=chart] svg .apexcharts-series path.apexcharts-line").First).ToBeAttachedAsync();

            // The locator map has its canvas.
            await page.Locator("[data-testid=locator-map] canvas").WaitForAsync(new() { Timeout = TimeoutMs });
        }
        finally
        {
            await page.ScreenshotAsync(new() { Path = "/tmp/atlas-portrait.png", FullPage = true });
        }
    }

    [Fact]
    public async Task The_chart_exports_as_png_and_svg()
    {
        var page = await OpenPortraitAsync("taux_pauvrete_60");

        var png = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-png").ClickAsync());
        Assert.Equal("serie_taux_pauvrete_60_departement_93.png", png.SuggestedFilename);
        var pngBytes = await File.ReadAllBytesAsync(await png.PathAsync());
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, pngBytes.Take(4));

        var svg = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-svg").ClickAsync());
        Assert.Equal("serie_taux_pauvrete_60_departement_93.svg", svg.SuggestedFilename);
        var svgText = await File.ReadAllTextAsync(await svg.PathAsync());
        Assert.StartsWith("<svg", svgText, StringComparison.Ordinal);
        Assert.Contains("http://www.w3.org/2000/svg", svgText, StringComparison.Ordinal);
        Assert.Contains("apexcharts-series", svgText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Printing_hides_the_application_chrome_and_the_controls()
    {
        var page = await OpenPortraitAsync("taux_pauvrete_60");
        await page.EmulateMediaAsync(new() { Media = Media.Print });

        await Assertions.Expect(page.Locator(".mud-appbar")).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByTestId("export-png")).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByTestId("portrait-name")).ToBeVisibleAsync();
        var pdf = await page.PdfAsync(new() { Format = "A4", PrintBackground = true });
        Assert.True(pdf.Length > 10_000, $"PDF of {pdf.Length} bytes");
    }

    [Fact]
    public async Task The_catalogue_loads_fast_and_filters_as_one_types()
    {
        var page = await _context.NewPageAsync();
        var watch = Stopwatch.StartNew();
        await page.GotoAsync(new Uri(app.BaseAddress, "/indicateurs").ToString());
        await page.GetByTestId("catalogue-item").First.WaitForAsync(new() { Timeout = TimeoutMs });
        watch.Stop();
        Assert.True(watch.ElapsedMilliseconds < 5000, $"the catalogue took {watch.ElapsedMilliseconds} ms to show");

        // Typing filters only once the circuit is up (the first HTML is prerendered): type again until it answers.
        var search = page.Locator("input[data-testid=catalogue-search], [data-testid=catalogue-search] input").First;
        var filtered = page.Locator("[data-testid=catalogue-item][data-indicator=aah_allocataires]");
        var deadline = DateTime.UtcNow.AddMilliseconds(TimeoutMs);
        while (await filtered.CountAsync() > 0 && DateTime.UtcNow < deadline)
        {
            await search.FillAsync("");
            await search.PressSequentiallyAsync("pauvrete");
            try
            {
                // Gone as soon as the circuit answers; if it was not up yet, type again.
                await filtered.First.WaitForAsync(new() { State = WaitForSelectorState.Detached, Timeout = 1000 });
            }
            catch (TimeoutException)
            {
            }
        }

        await Assertions.Expect(filtered).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=catalogue-item][data-indicator=taux_pauvrete_60]")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_synthesis_of_region_84_sorts_its_rows_by_a_column()
    {
        var page = await _context.NewPageAsync();
        await page.GotoAsync(new Uri(app.BaseAddress, "/synthese/84?indicateurs=taux_pauvrete_60,aah_pour_100_20_64").ToString());
        var rows = page.Locator("[data-testid=synthesis-table] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(14);

        // Sorting needs the circuit: click the header until the lowest poverty rate (Haute-Savoie) comes first among
        // the rows that have one (France has no 2019 figure: n.d. sorts below every value).
        var header = page.Locator("[data-testid=synthesis-table] thead th").Nth(1).Locator(".mud-table-sort-label");
        await Assertions.Expect(page.Locator("[data-testid=synthesis-table][data-interactive=true]")).ToHaveCountAsync(1, new() { Timeout = TimeoutMs });
        // The circuit's first render shows a progress bar while it loads again: wait for the 14 rows each time.
        async Task<string> FirstWithValueAsync()
        {
            await Assertions.Expect(rows).ToHaveCountAsync(14, new() { Timeout = TimeoutMs });
            return (await rows.AllInnerTextsAsync()).FirstOrDefault(r => !r.Contains("n.d.", StringComparison.Ordinal)) ?? "";
        }

        // Each click waits for the table to re-render before the next, so no click toggles the order twice; a click
        // that changes nothing came before the circuit was up and is simply made again.
        const string RowsText = "() => [...document.querySelectorAll('[data-testid=synthesis-table] tbody tr')].map(r => r.innerText).join('|')";
        var deadline = DateTime.UtcNow.AddMilliseconds(TimeoutMs);
        while (!(await FirstWithValueAsync()).Contains("Haute-Savoie", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            var before = await page.EvaluateAsync<string>(RowsText);
            await header.ClickAsync();
            try
            {
                await page.WaitForFunctionAsync($"before => ({RowsText})() !== before", before, new() { Timeout = 3000 });
            }
            catch (TimeoutException)
            {
                // Not interactive yet: click again.
            }
        }

        Assert.Contains("Haute-Savoie", await FirstWithValueAsync(), StringComparison.Ordinal);
        var values = await page.Locator("[data-testid=synthesis-table] tbody tr td:nth-child(2)").AllInnerTextsAsync();
        var numbers = values.Where(v => v.Trim() != "n.d.").Select(v => double.Parse(v.Trim(), System.Globalization.CultureInfo.GetCultureInfo("fr-FR"))).ToList();
        Assert.Equal(numbers.Order(), numbers);

        // The closed indicator select (the data-testid lands on its input) names its choices as the menu does, never by code.
        var shown = await page.GetByTestId("indicators-select").EvaluateAsync<string>(
            "e => (e.value ?? '') + ' ' + e.innerText");
        Assert.Contains("pauvreté", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("taux_pauvrete_60", shown, StringComparison.Ordinal);
    }
}
