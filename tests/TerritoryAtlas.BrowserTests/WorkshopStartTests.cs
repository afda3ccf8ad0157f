using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace TerritoryAtlas.BrowserTests;

/// <summary>The workshop's front door, keyboard only: type, press Enter, no second click.</summary>
[Collection(AtlasCollection.Name)]
public sealed class WorkshopStartTests(AtlasApp app) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() =>
        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR" });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task A_host_creates_a_workshop_and_a_participant_joins_it_with_the_keyboard_alone()
    {
        var page = await _context.NewPageAsync();
        await page.GotoAsync(new Uri(app.BaseAddress, "/atelier").ToString());

        // The button is enabled as soon as something is typed, while the field still has the focus.
        await TypeUntilEnabledAsync(page, "room-title", "create-room", "Atelier clavier");
        await page.Keyboard.PressAsync("Enter");
        var code = await page.GetByTestId("created-code").InnerTextAsync(new() { Timeout = 20_000 });
        Assert.False(string.IsNullOrWhiteSpace(code));

        await JoinWithEnterAsync(page, code);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/atelier/{Regex.Escape(code)}$"), new() { Timeout = 20_000 });
        await Assertions.Expect(page.GetByTestId("display-name")).ToBeVisibleAsync(new() { Timeout = 20_000 });
    }

    private static async Task JoinWithEnterAsync(IPage page, string code)
    {
        var input = page.Locator("input[data-testid=join-code], [data-testid=join-code] input").First;
        await input.FocusAsync();
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync(code);
        // Whether the page is interactive yet or not, Enter submits the form: handled by the page, or sent as a GET.
        // The caller then polls the page's address and the room's own marker. Not WaitForURLAsync here: it compares
        // the address, then subscribes to the next navigation event, on another thread than the one that delivers
        // that event: a navigation landing in between is never seen (CI's failure: 20 s "waiting for navigation until
        // Commit", no navigation logged), and one landing before the call makes it wait for the room's load event
        // (map, scripts) instead of the commit asked for.
        await page.Keyboard.PressAsync("Enter");
    }

    /// <summary>
    /// Types into the field with the keyboard (the focus stays in it) until the button is enabled: the first HTML is
    /// prerendered, so keystrokes made before the circuit is up are simply made again.
    /// </summary>
    private static async Task TypeUntilEnabledAsync(IPage page, string field, string button, string text)
    {
        var input = page.Locator($"input[data-testid={field}], [data-testid={field}] input").First;
        for (var attempt = 0; ; attempt++)
        {
            await input.FocusAsync();
            await page.Keyboard.PressAsync("Control+A");
            await page.Keyboard.PressAsync("Backspace");
            await page.Keyboard.TypeAsync(text);
            try
            {
                await Assertions.Expect(page.GetByTestId(button)).ToBeEnabledAsync(new() { Timeout = 3_000 });
                Assert.True(await input.EvaluateAsync<bool>("e => e === document.activeElement"), "the field lost the focus");
                return;
            }
            catch (PlaywrightException) when (attempt < 10)
            {
            }
        }
    }
}
