using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Administration;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.BrowserTests;

/// <summary>
/// The extranet as a partner's member lives it in a browser: an indicator shared with their organisation only, reached
/// by its link, asks them to sign in; signed in, the map shows it; signed out, it is gone again. And the observatory's
/// admin runs the administration page.
/// </summary>
[Collection(AtlasCollection.Name)]
public sealed class MembersOnlyTests(AtlasApp app) : IAsyncLifetime
{
    private const string Shared = "indice_gini";
    private const string MapUrl = "/?level=departement&indicator=" + Shared + "&year=2020";
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() =>
        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR" });

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        await app.Services.GetRequiredService<IndicatorQueries>().SetVisibilityAsync(Shared, "public", [], CancellationToken.None);
    }


    [Fact]
    public async Task A_member_signs_in_from_the_reserved_indicators_notice_sees_it_on_the_map_and_loses_it_on_signing_out()
    {
        var (email, password, organisation) = await app.AccountAsync(AtlasRoles.Member, $"CCAS {Guid.NewGuid():N}"[..12]);
        await app.Services.GetRequiredService<IndicatorQueries>().SetVisibilityAsync(Shared, "organisations", [organisation!.Value], CancellationToken.None);
        var page = await _context.NewPageAsync();
        var map = new MapPage(page);

        await page.GotoAsync(new Uri(app.BaseAddress, MapUrl).ToString());
        await Assertions.Expect(page.GetByTestId("reserved-indicator")).ToBeVisibleAsync();
        Assert.DoesNotContain(Shared, await page.GetByTestId("map-legend").InnerTextAsync(), StringComparison.Ordinal);

        await page.GetByTestId("sign-in-link").ClickAsync();
        await page.FillSignInAsync(email, password);

        // Back on the map it came from, now drawing the organisation's indicator.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("indicator=" + Shared), new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("map-legend")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.WaitForFunctionAsync("i => window.atlasMaps?.[0]?.values?.indicator === i", Shared, new() { Timeout = 30_000 });
        Assert.Equal((Shared, 2020), await map.ShownAsync());
        await Assertions.Expect(page.GetByTestId("reserved-indicator")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("nav-account")).ToHaveTextAsync(email);

        await page.GotoAsync(new Uri(app.BaseAddress, "/compte").ToString());
        await page.GetByTestId("sign-out").ClickAsync();
        await Assertions.Expect(page.GetByTestId("sign-in-submit")).ToBeVisibleAsync();

        await page.GotoAsync(new Uri(app.BaseAddress, MapUrl).ToString());
        await Assertions.Expect(page.GetByTestId("reserved-indicator")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("nav-sign-in")).ToBeVisibleAsync();
        // The notice repeats the code asked for (as for an unknown one), nothing of the indicator itself.
        Assert.DoesNotContain("Indice de Gini", await page.ContentAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A reader who clicks the notice's link before the map is drawn: the press on the link starts Blazor (map-boot.js
    /// starts it at the reader's first input), and the circuit's first render must not race the link's navigation
    /// back to the map. Tiles are held so the map never draws; the circuit's negotiation is held until the sign-in
    /// form shows, so the click always comes first.
    /// </summary>
    [Fact]
    public async Task The_sign_in_link_works_while_the_map_is_still_loading()
    {
        var page = await _context.NewPageAsync();
        var tiles = new TaskCompletionSource();
        var negotiation = new TaskCompletionSource();
        await page.RouteAsync("**/tiles/**", _ => tiles.Task);
        await page.RouteAsync("**/_blazor/negotiate**", async route =>
        {
            await negotiation.Task;
            try
            {
                await route.ContinueAsync();
            }
            catch (PlaywrightException)
            {
                // The page that asked is gone.
            }
        });
        try
        {
            await page.GotoAsync(new Uri(app.BaseAddress, "/?level=departement&indicator=reserve_inconnu&year=2020").ToString());
            await page.EvaluateAsync("() => { window.atlasTestMapDocument = true; }");
            await page.GetByTestId("sign-in-link").ClickAsync();
            await Assertions.Expect(page.GetByTestId("sign-in-email")).ToBeVisibleAsync();
            negotiation.TrySetResult();
            // The map's document is gone (the link loaded a whole page, not Blazor's enhanced navigation), and the
            // circuit that could render the map again went with it: nothing is left that could come back over the form.
            Assert.False(await page.EvaluateAsync<bool>("() => window.atlasTestMapDocument === true"), "the map's document is still the page's");
            await Assertions.Expect(page.GetByTestId("sign-in-email")).ToBeVisibleAsync(new() { Timeout = 1000 });
            Assert.Contains("/compte/connexion", page.Url, StringComparison.Ordinal);
        }
        finally
        {
            tiles.TrySetResult();
            negotiation.TrySetResult();
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task An_admin_creates_an_organisation_and_invites_a_member_on_the_administration_page_and_reads_it_in_the_log()
    {
        var (email, password, _) = await app.AccountAsync(AtlasRoles.Admin);
        var page = await _context.NewPageAsync();
        await page.GotoAsync(new Uri(app.BaseAddress, "/compte/connexion?ReturnUrl=%2Fadmin").ToString());
        await page.FillSignInAsync(email, password);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Administration" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("admin")).ToHaveAttributeAsync("data-live", "true", new() { Timeout = 30_000 });

        var organisation = $"UDCCAS {Guid.NewGuid():N}"[..14];
        await page.GetByRole(AriaRole.Tab, new() { Name = "Organisations" }).ClickAsync();
        await page.GetByTestId("organisation-name").FillAsync(organisation);
        await page.GetByTestId("organisation-create").ClickAsync();
        await Assertions.Expect(page.GetByTestId("organisations")).ToContainTextAsync(organisation);

        await page.GetByRole(AriaRole.Tab, new() { Name = "Comptes" }).ClickAsync();
        var invited = $"i{Guid.NewGuid():N}@example.org";
        await page.GetByTestId("invite-email").FillAsync(invited);
        await page.GetByTestId("invite-organisation").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = organisation }).ClickAsync();
        await page.GetByTestId("invite-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("invite-link")).ToContainTextAsync("/compte/reinitialiser?email=", new() { Timeout = 20_000 });
        await Assertions.Expect(page.GetByTestId("users")).ToContainTextAsync(invited);

        // The link works: the invited person chooses a password there and signs in.
        var link = await page.GetByTestId("invite-link").InnerTextAsync();
        var invitee = await app.Browser.NewContextAsync();
        try
        {
            var their = await invitee.NewPageAsync();
            await their.GotoAsync(link);
            await their.GetByTestId("reset-password").FillAsync("un mot de passe Solide 42");
            await their.GetByTestId("reset-password-submit").ClickAsync();
            await Assertions.Expect(their.GetByTestId("reset-done")).ToBeVisibleAsync();
        }
        finally
        {
            await invitee.DisposeAsync();
        }

        await page.GetByRole(AriaRole.Tab, new() { Name = "Journal" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("audit")).ToContainTextAsync("user.invite");
        await Assertions.Expect(page.GetByTestId("audit")).ToContainTextAsync(invited);
        await Assertions.Expect(page.GetByTestId("audit")).ToContainTextAsync("organisation.create");
    }
}
