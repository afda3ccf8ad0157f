using Microsoft.Playwright;

namespace TerritoryAtlas.BrowserTests;

/// <summary>
/// The application's pages under their Content-Security-Policy in Chromium: each page works with no violation
/// reported (the import map and the map's worker starter run by their nonce), and markup injected into a page cannot
/// run script (the policy has no 'unsafe-inline' for scripts).
/// </summary>
[Collection(AtlasCollection.Name)]
public sealed class ContentSecurityPolicyTests(AtlasApp app) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync()
    {
        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR" });
        // Violations are reported as events on the document: collected from the first script on.
        await _context.AddInitScriptAsync("""
            window.__cspViolations = [];
            document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
            """);
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Theory]
    [InlineData("/?level=departement&indicator=taux_pauvrete_60&year=2019")]
    [InlineData("/indicateurs")]
    [InlineData("/territoire/departement/93")]
    [InlineData("/synthese")]
    [InlineData("/atelier")]
    [InlineData("/compte/connexion")]
    public async Task A_page_works_under_its_policy_and_injected_markup_cannot_run_script(string path)
    {
        var page = await _context.NewPageAsync();
        var response = await page.GotoAsync(new Uri(app.BaseAddress, path).ToString());
        var policy = await response!.HeaderValueAsync("content-security-policy");
        Assert.NotNull(policy);
        var scripts = policy!.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src ", StringComparison.Ordinal));
        Assert.Contains("'nonce-", scripts, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", scripts, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'self'", policy, StringComparison.Ordinal);

        // The page came alive (Blazor started; on the map, the map drew with the worker the inline starter made).
        await page.WaitForFunctionAsync("() => !!window.atlasBlazorStart", null, new() { Timeout = 30_000 });
        if (path.StartsWith("/?", StringComparison.Ordinal))
        {
            await page.WaitForFunctionAsync("() => window.atlasMaps?.[0]?.painted > 0", null, new() { Timeout = 30_000 });
            Assert.True(await page.EvaluateAsync<bool>("() => !!window.atlasEarlyWorker"), "the nonce'd worker starter did not run");
        }

        await page.EvaluateAsync("""
            () => document.body.insertAdjacentHTML('beforeend', '<img src="/nowhere.png" onerror="window.__injected = 1"><div id="csp-probe"></div>')
            """);
        // The refusal of the probe's handler is reported when the image fails, the moment the handler would have run:
        // waited for, not guessed at with a sleep, so a slow machine cannot make "it did not run" pass by itself.
        await page.WaitForFunctionAsync("() => window.__cspViolations.some(v => v.startsWith('script-src-attr'))", null, new() { Timeout = 10_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__injected === undefined"), "an injected inline handler ran");
        var violations = await page.EvaluateAsync<string[]>("() => window.__cspViolations");
        // The one expected violation is the probe's own handler; nothing the page itself does is refused.
        Assert.All(violations, v => Assert.StartsWith("script-src-attr", v, StringComparison.Ordinal));
        Assert.NotEmpty(violations);
        await page.CloseAsync();
    }
}
