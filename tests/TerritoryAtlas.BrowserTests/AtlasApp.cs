using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;
using TerritoryAtlas.Testing;

namespace TerritoryAtlas.BrowserTests;

[CollectionDefinition(Name)]
public sealed class AtlasCollection : ICollectionFixture<AtlasApp>
{
    public const string Name = "atlas app and browser";
}

/// <summary>
/// The app on a real loopback port (Kestrel, in-process) over the fully imported test database, and one headless
/// Debian Chromium shared by the tests of the collection.
/// </summary>
public sealed class AtlasApp : IAsyncLifetime
{
    private AtlasFactory? _factory;
    private IPlaywright? _playwright;

    public Uri BaseAddress { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The app's services (accounts for the sign-in tests).</summary>
    public IServiceProvider Services => _factory!.Services;

    public async Task InitializeAsync()
    {
        var connectionString = TestDatabase.ConnectionString;
        await TestDatabase.PrepareAsync(connectionString, CancellationToken.None);

        _factory = new AtlasFactory(connectionString);
        _factory.UseKestrel(0);
        _factory.StartServer();
        BaseAddress = _factory.ClientOptions.BaseAddress;
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            // Debian's Chromium: Playwright's own browsers cannot be downloaded here.
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Http?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }

    private sealed class AtlasFactory(string connectionString) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            // Production, as ./atlas run serves: Program.cs reads the static web assets manifest of the build output
            // (wwwroot, wwwroot/lib copied from npm, MudBlazor's _content) in every environment.
            builder.UseEnvironment("Production");
            builder.UseSetting("ATLAS_DB", connectionString);
            // The partner whose page the embed tests serve (Playwright fulfils that origin itself).
            builder.UseSetting("Embed:AllowedOrigins:0", EmbedTests.PartnerOrigin);
            // The workshop tests open rooms without signing in.
            builder.UseSetting("Workshops:AnonymousMayOpen", "true");
            // Open circuits check their account every 2 s here (60 s by default), so AccountTests waits seconds.
            builder.UseSetting("Accounts:RevalidationSeconds", "2");
        }
    }
}
