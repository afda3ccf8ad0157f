using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace TerritoryAtlas.BrowserTests;

/// <summary>
/// The main journeys with the keyboard only: every control is reached with Tab (never focused by the test) and
/// worked with the keys a keyboard user has — typing, arrows, Enter. The mouse is never used.
/// </summary>
[Collection(AtlasCollection.Name)]
public sealed class KeyboardJourneyTests(AtlasApp app) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() =>
        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR" });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task The_map_journey_indicator_level_year_table_and_portrait_works_with_the_keyboard_alone()
    {
        var map = new MapPage(await _context.NewPageAsync());
        var page = map.Page;
        await map.OpenAsync(new Uri(app.BaseAddress, "/?level=departement&indicator=taux_pauvrete_60&year=2019"));

        // Indicator: type in the picker, arrow to the first match, Enter.
        await TabToAsync(page, "[data-testid=indicator-picker]");
        // A label the catalogue holds whatever datasets the other tests publish meanwhile (RSA, by département or IRIS:
        // both have several levels to step through below).
        await page.Keyboard.TypeAsync("Foyers allocataires du RSA", new() { Delay = 30 });
        // The list filters on the circuit as the keys arrive: wait for it to show the typed label's matches, and for the
        // arrow's highlight, before Enter (on a loaded machine Enter otherwise lands on a list still being refiltered).
        var firstItem = page.Locator(".mud-popover-open .mud-list-item").First;
        try
        {
            await Assertions.Expect(firstItem).ToContainTextAsync("RSA", new() { Timeout = 10_000 });
        }
        catch (PlaywrightException)
        {
            // Seen once in CI with the whole list still shown, the typed text gone from the field: a person types it
            // again. So does the test, by keyboard (select all, retype), saying what the field held.
            var held = await page.EvaluateAsync<string>("() => { const e = document.activeElement; return e.tagName + ': ' + (e.value ?? ''); }");
            // Back to the picker's field if the focus is on its adornment button.
            for (var i = 0; i < 3 && !await page.EvaluateAsync<bool>(
                     "() => document.activeElement.tagName === 'INPUT' && !!document.activeElement.closest('[data-testid=indicator-picker]')"); i++)
            {
                await page.Keyboard.PressAsync("Shift+Tab");
            }

            await page.Keyboard.PressAsync("Control+A");
            await page.Keyboard.TypeAsync("Foyers allocataires du RSA", new() { Delay = 30 });
            await Assertions.Expect(firstItem).ToContainTextAsync("RSA", new() { Timeout = 10_000 });
            Console.WriteLine($"KeyboardJourneyTests: the picker's list was not filtered after typing; the field held « {held} »; typed again.");
        }

        await page.Keyboard.PressAsync("ArrowDown");
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-selected-item")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await page.Keyboard.PressAsync("Enter");
        await QueryChangedAsync(page, "indicator", "taux_pauvrete_60");

        // Level: the native select takes the arrow keys.
        await TabToAsync(page, "[data-testid=level-select]");
        var level = await page.Locator("[data-testid=level-select]").InputValueAsync();
        var first = await page.EvaluateAsync<bool>("() => document.activeElement.selectedIndex === 0");
        await page.Keyboard.PressAsync(first ? "ArrowDown" : "ArrowUp");
        await QueryChangedAsync(page, "level", level);

        // Year: the slider takes the arrow keys.
        var year = await page.GetByTestId("year-value").InnerTextAsync();
        await TabToAsync(page, "[data-testid=year-slider]");
        var atFirst = await page.EvaluateAsync<bool>("() => document.activeElement.value === document.activeElement.min");
        await page.Keyboard.PressAsync(atFirst ? "End" : "Home");
        await Assertions.Expect(page.GetByTestId("year-value")).Not.ToHaveTextAsync(year, new() { Timeout = 20_000 });

        // The table alternative, then the first territory, then its portrait.
        await TabToAsync(page, "[data-testid=toggle-table]");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("map-table")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await TabToAsync(page, "[data-testid=table-territory]");
        var name = await page.EvaluateAsync<string>("() => document.activeElement.textContent.trim()");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("selection-panel")).ToContainTextAsync(name, new() { Timeout = 20_000 });
        await TabToAsync(page, "[data-testid=selection-panel] a[href^='/territoire/']");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/territoire/"), new() { Timeout = 20_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(name, new() { Timeout = 20_000 });
    }

    [Fact]
    public async Task A_participant_joins_and_adds_a_point_with_a_note_with_the_keyboard_alone()
    {
        var response = await app.Http.PostAsJsonAsync("/api/workshops", new { title = "Atelier au clavier" });
        var code = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("joinCode").GetString()!;
        var page = await _context.NewPageAsync();
        await page.GotoAsync(new Uri(app.BaseAddress, $"/atelier/{code}").ToString());

        // The name form takes the focus when it appears: type, Enter.
        await Assertions.Expect(page.GetByTestId("display-name")).ToBeFocusedAsync(new() { Timeout = 20_000 });
        await page.Keyboard.TypeAsync("Clara");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("() => window.atlasWorkshop && window.atlasWorkshop.layersReady && window.atlasWorkshop.session", null, new() { Timeout = 20_000 });

        // The point tool, then the map: pan it with the arrows and place the point at its centre with Enter.
        await TabToAsync(page, "[data-testid=tool-point]");
        await page.Keyboard.PressAsync("Enter");
        await TabToAsync(page, "[data-testid=workshop-map] canvas");
        // France fitted at the page's size first: at a world zoom an arrow key pans by tens of degrees, out of France.
        await page.WaitForFunctionAsync("() => window.atlasWorkshop.map.getZoom() > 4 && !window.atlasWorkshop.map.isMoving()", null, new() { Timeout = 20_000 });
        // Zoom in one step first (+): at the room's default zoom (4.6) two arrow presses move the centre about 6° east,
        // from 2.5° to Switzerland on a narrow map — the server then rightly refuses a point outside France.
        var zoom = await page.EvaluateAsync<double>("() => window.atlasWorkshop.map.getZoom()");
        await page.Keyboard.PressAsync("+");
        await page.WaitForFunctionAsync("z => window.atlasWorkshop.map.getZoom() > z + 0.5 && !window.atlasWorkshop.map.isMoving()", zoom, new() { Timeout = 10_000 });
        var before = await page.EvaluateAsync<double[]>("() => { const c = window.atlasWorkshop.map.getCenter(); return [c.lng, c.lat]; }");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.WaitForFunctionAsync("x => window.atlasWorkshop.map.getCenter().lng > x && !window.atlasWorkshop.map.isMoving()", before[0], new() { Timeout = 10_000 });
        var centre = await page.EvaluateAsync<double[]>("() => { const c = window.atlasWorkshop.map.getCenter(); return [c.lng, c.lat]; }");
        await page.Keyboard.PressAsync("Enter");

        // The note takes the focus; Tab to « Enregistrer », Enter.
        await Assertions.Expect(page.GetByTestId("note")).ToBeFocusedAsync(new() { Timeout = 10_000 });
        await page.Keyboard.TypeAsync("Une permanence ici, au clavier");
        await TabToAsync(page, "[data-testid=save-note]", 3);
        await page.Keyboard.PressAsync("Enter");

        // The annotation, or the refusal said in words (cleared after a few seconds: read it as soon as it comes).
        await page.Locator("[data-testid=annotation-note], [data-testid=workshop-error]:not(:empty)").First.WaitForAsync(new() { Timeout = 20_000 });
        Assert.Equal("", await page.GetByTestId("workshop-error").InnerTextAsync());
        await Assertions.Expect(page.GetByTestId("annotation-note")).ToHaveTextAsync("Une permanence ici, au clavier", new() { Timeout = 20_000 });
        var stored = await page.EvaluateAsync<double[]>("() => [...window.atlasWorkshop.annotations.values()][0].geometry.coordinates");
        Assert.Equal(centre[0], stored[0], 4);
        Assert.Equal(centre[1], stored[1], 4);
    }

    /// <summary>Presses Tab until the focus is on (or inside) what <paramref name="selector"/> finds; fails when it never gets there.</summary>
    internal static async Task TabToAsync(IPage page, string selector, int maxPresses = 120)
    {
        var trail = new List<string>();
        for (var i = 0; i < maxPresses; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            trail.Add(await page.EvaluateAsync<string>("() => { const e = document.activeElement; return e.tagName + (e.id ? '#' + e.id : '') + '[' + (e.getAttribute('data-testid') ?? e.getAttribute('aria-label') ?? e.textContent.trim().slice(0, 20)) + ']'; }"));
            if (await page.EvaluateAsync<bool>("s => [...document.querySelectorAll(s)].some(e => e === document.activeElement || e.contains(document.activeElement))", selector))
            {
                return;
            }
        }

        Assert.Fail($"Tab never reached {selector} in {maxPresses} presses; the focus went through {string.Join(" → ", trail.Distinct())}");
    }

    /// <summary>
    /// Waits until the URL's parameter holds another value than <paramref name="was"/>, polled: Blazor writes the URL
    /// with history.replaceState, which is no navigation to wait for.
    /// </summary>
    private static Task QueryChangedAsync(IPage page, string name, string was) =>
        page.WaitForFunctionAsync("([name, was]) => { const v = new URL(location.href).searchParams.get(name); return v && v !== was; }",
            new[] { name, was }, new() { Timeout = 20_000 });
}
