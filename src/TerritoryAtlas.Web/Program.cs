using Microsoft.AspNetCore.ResponseCompression;
using MudBlazor.Services;
using Npgsql;
using TerritoryAtlas.Web;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Administration;
using TerritoryAtlas.Web.Workshops;
using TerritoryAtlas.Web.Components;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Datasets;
using TerritoryAtlas.Web.Embed;
using TerritoryAtlas.Web.Export;
using TerritoryAtlas.Web.Import;
using TerritoryAtlas.Web.Indicators;
using TerritoryAtlas.Web.Maps;
using TerritoryAtlas.Web.Territories;
using TerritoryAtlas.Web.Portraits;
using TerritoryAtlas.Web.Zonings;

// Verbs: serve (default), migrate, import [--if-changed] [--data DIR], user add …, token create …, zoning add|remove|list ….
var verb = args.FirstOrDefault(a => !a.StartsWith('-')) ?? "serve";
var accountsVerb = verb is "user" or "token";
var zoningVerb = verb is "zoning";
// The accounts and zoning verbs' options (--role, --days, --name…) are theirs, not configuration.
var builder = WebApplication.CreateBuilder(accountsVerb || zoningVerb ? [] : args.Where(a => a != verb).ToArray());

switch (verb)
{
    case "migrate":
        AtlasDatabase.Migrate(AtlasDatabase.ConnectionString(builder.Configuration));
        return 0;
    case "import":
        return await ImportCommand.RunAsync(builder.Configuration, args, Console.Out, Console.Error);
    case "serve":
    case "user" or "token" or "zoning":
        break;
    default:
        await Console.Error.WriteLineAsync($"Unknown verb '{verb}'. Verbs: serve (default), migrate, import [--if-changed] [--data DIR], {AccountsCommand.Usage}, {ZoningCommand.Usage}.");
        return 2;
}

// Serve library assets (MudBlazor, blazor.web.js) from the build output in every environment, as ./atlas run does
// without publishing; a published app has them in wwwroot and this finds no manifest to read.
builder.WebHost.UseStaticWebAssets();
// Served from the build output (./atlas run, tests, benches), MapStaticAssets would otherwise check every asset's file
// against the build manifest on each request and, since the file's sub-second modification time never equals the
// manifest's whole second, take every asset for edited and "recompress" it without compression: MapLibre's 1.1 MB
// module went out as 1.1 MB of gzip instead of the 300 KB the build prepared. ReloadStaticAssetsAtRuntime=true
// brings that reloading back while editing wwwroot.
if (builder.Configuration["ReloadStaticAssetsAtRuntime"] is null)
{
    builder.Configuration["ReloadStaticAssetsAtRuntime"] = "false";
}

// Identity's EF Core store logs every SQL statement at Information: one per sign-in and token check is noise.
builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Warning);
builder.Services.AddAtlasDatabase(builder.Configuration);
builder.Services.AddAccounts(builder.Configuration);
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ServerErrors>();
// Each line of a request carries its TraceId (the X-Correlation-Id a reader can quote, and problem+json's traceId).
builder.Logging.AddSimpleConsole(options => options.IncludeScopes = true);
builder.Services.AddMudServices();
builder.Services.AddScoped<TerritoryAtlas.Web.Components.ReaderLanguage>();
builder.Services.AddTransient<MudBlazor.MudLocalizer, TerritoryAtlas.Web.Components.MudBlazorTexts>();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddResponseCompression(options =>
{
    options.EnableForHttps = true;
    // Vector tiles are compressed once when built (TileQueries), not here.
    options.MimeTypes = ResponseCompressionDefaults.MimeTypes.Concat(["application/geo+json", "text/csv"]);
});
// The default "fastest" level leaves a commune values payload at ~380 KB gzip; "optimal" brings it well under 300 KB
// for a few milliseconds more, and payloads are cached on the server anyway.
builder.Services.Configure<GzipCompressionProviderOptions>(options => options.Level = System.IO.Compression.CompressionLevel.Optimal);
builder.Services.Configure<BrotliCompressionProviderOptions>(options => options.Level = System.IO.Compression.CompressionLevel.Optimal);
builder.Services.AddIndicators();
builder.Services.AddMaps();
builder.Services.AddTerritories();
builder.Services.AddAtlasRateLimits(builder.Configuration);
builder.Services.AddAtlasForwardedHeaders(builder.Configuration);
builder.Services.AddEmbed(builder.Configuration);
builder.Services.AddPortraits();
builder.Services.AddExport();
builder.Services.AddOpenApi();
builder.Services.AddWorkshops(builder.Configuration);
builder.Services.AddDatasets(builder.Configuration);
builder.Services.AddZonings();
builder.Services.AddAdministration();

var app = builder.Build();

if (accountsVerb)
{
    return await AccountsCommand.RunAsync(app.Services, args, Console.Out, Console.Error);
}

if (zoningVerb)
{
    AtlasDatabase.Migrate(AtlasDatabase.ConnectionString(builder.Configuration));
    return await ZoningCommand.RunAsync(app.Services, args, Console.Out, Console.Error);
}

app.UseForwardedHeaders();
app.UseSecurityHeaders();
app.UseContentSecurityPolicy(app.Configuration);
app.UseQueryGuard();
app.UseLanguagePreference();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler();
}

// Inside the exception handler, which would otherwise answer an outage as any failure (500).
app.UseDatabaseOutages();

// An error status without a body: a browser asking for a page gets the not-found page in the app's layout and the
// reader's language (re-executed, so the status stays 404); APIs and tiles get problem+json.
app.UseWhen(IsPageRequest, page =>
{
    page.UseStatusCodePagesWithReExecute("/introuvable", createScopeForStatusCodePages: true);
    // The re-executed page renders under a 200 (Blazor renders nothing for a request already at 404) and gets the
    // original status back as its headers leave.
    page.Use((context, next) =>
    {
        if (context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is not null)
        {
            var original = context.Response.StatusCode;
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.OnStarting(() =>
            {
                context.Response.StatusCode = original;
                return Task.CompletedTask;
            });
        }

        return next(context);
    });
});
app.UseWhen(context => !IsPageRequest(context), api => api.UseStatusCodePages());
// Routing after the status-code pages, so a re-executed request is routed again (to the not-found page).
app.UseRouting();
app.UseResponseCompression();
app.UseAccounts();
app.UseRateLimiter();
app.UseAntiforgery();
app.UseLevels();
// The npm libraries under /lib are pinned by package-lock.json and change only with a deploy: let browsers keep the
// unfingerprinted URLs embeds use for a day instead of revalidating each one on every embed view (fingerprinted ones
// are immutable already; ETag revalidation stays for our own /js and /css).
app.Use((context, next) =>
{
    if (context.Request.Path.StartsWithSegments("/lib"))
    {
        context.Response.OnStarting(() =>
        {
            if (context.Response.StatusCode == StatusCodes.Status200OK && context.Response.Headers.CacheControl == "no-cache")
            {
                context.Response.Headers.CacheControl = "public, max-age=86400";
            }

            return Task.CompletedTask;
        });
    }

    return next(context);
});
app.MapStaticAssets();
app.UseStaticFiles();

app.MapGet("/health", async (NpgsqlDataSource db, CancellationToken ct) =>
{
    try
    {
        await using var command = db.CreateCommand("select postgis_lib_version()");
        var postgis = await command.ExecuteScalarAsync(ct);
        return Results.Ok(new { status = "ok", postgis });
    }
    catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
    {
        return Results.Json(new { status = "unavailable", problem = "the database does not answer" }, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
});
app.MapAccountEndpoints();
app.MapIndicatorEndpoints();
app.MapMapEndpoints();
app.MapTerritoryEndpoints();
app.MapEmbedEndpoints();
app.MapPortraitEndpoints();
app.MapExportEndpoints();
app.MapOgcEndpoints();
app.MapOpenApi();
app.MapWorkshopEndpoints(app.Configuration);
app.MapDatasetEndpoints();
app.MapZoningEndpoints();
app.MapStudyAreaEndpoints();
app.MapAdminEndpoints();

// Circuits without WebSocket compression: each connection's deflate state cost ~0.5 MB of native memory, more than an
// open map page's whole managed state (40 map pages in headless Chromium: ~1.6 MB RSS per page with it, ~1.0 MB without),
// while render batches after the first are a few KB. Blazor adds its frame-ancestors 'self' CSP only with compression
// (it guards a compression side channel); antiforgery's X-Frame-Options: SAMEORIGIN still keeps other sites from
// framing the page (EmbedTests).
app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.DisableWebSocketCompression = true);

app.Run();
return 0;

static bool IsPageRequest(HttpContext context) =>
    !MachineEndpoints.Serve(context.Request) && context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.Ordinal);
