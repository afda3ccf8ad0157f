using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR;
using Npgsql;
using StackExchange.Redis;

namespace TerritoryAtlas.Web.Workshops;

public static class WorkshopEndpoints
{
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>Workshops:AnonymousMayOpen: whether someone without an account may open a workshop (default: no).</summary>
    public static bool AnonymousMayOpen(IConfiguration configuration) => configuration.GetValue("Workshops:AnonymousMayOpen", false);

    /// <summary>Workshops, their annotation log and catch-up reads, the hub (with the Redis backplane when Redis:Connection is set) and the exports.</summary>
    public static IServiceCollection AddWorkshops(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<FranceArea>();
        services.AddSingleton<WorkshopService>();
        services.AddSingleton<WorkshopQueries>();
        services.AddSingleton<AnnotationLog>();
        services.AddSingleton<PresenceTracker>();
        var signalR = services.AddSignalR(options =>
            {
                // A drawing of 2,000 vertices is about 80 KB of GeoJSON at full precision, 40 KB at the 6 decimals
                // the browser sends: 64 KB keeps abuse small while leaving room for a real one.
                options.MaximumReceiveMessageSize = MaxMessageBytes;
                options.EnableDetailedErrors = false;
                options.AddFilter<WorkshopErrors>();
            })
            .AddJsonProtocol(options => options.PayloadSerializerOptions.Converters.Add(new NetTopologySuite.IO.Converters.GeoJsonConverterFactory()));
        if (configuration["Redis:Connection"] is { Length: > 0 } redis)
        {
            // Several instances share workshops through Redis pub/sub; the prefix keeps our channels apart on a shared Redis.
            signalR.AddStackExchangeRedis(redis, options => options.Configuration.ChannelPrefix = RedisChannel.Literal("territoryatlas"));
        }

        return services;
    }

    public static IEndpointRouteBuilder MapWorkshopEndpoints(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        app.MapHub<WorkshopHub>("/hubs/workshop");
        if (configuration.GetValue<bool>("Bench:BareHub"))
        {
            app.MapHub<BareHub>("/hubs/bare");
        }

        var api = app.MapGroup("/api/workshops");
        var create = api.MapPost("", CreateAsync).RequireRateLimiting(RateLimits.WorkshopCreation);
        // Opening a workshop is for members unless the platform lets anyone facilitate (Workshops:AnonymousMayOpen);
        // joining with a code never needs an account.
        if (!AnonymousMayOpen(configuration))
        {
            create.RequireAuthorization();
        }
        // The join form as a plain HTML form: Enter works before the page is interactive (a slow machine, a lost
        // connection), and the interactive page handles the same form itself once it is.
        app.MapGet(WorkshopLinks.JoinForm, (string? code, string? lang) =>
        {
            var language = Components.Language.Of(lang);
            var normalised = WorkshopService.NormaliseCode(code);
            return Results.Redirect(language.Href(normalised.Length == 0 ? WorkshopLinks.Start : WorkshopLinks.Participant(normalised)));
        }).ExcludeFromDescription(); // a page's form, not an API
        api.MapGet("/{roomId:guid}/annotations.geojson", GeoJsonAsync);
        api.MapGet("/{roomId:guid}/summary.csv", CsvAsync);
        return app;
    }

    /// <summary>The signed-in account opening a workshop, which then lists it on its account page.</summary>
    public static Guid? HostAccount(System.Security.Claims.ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value, out var id) ? id : null;

    private static async Task<IResult> CreateAsync(CreateWorkshopRequest request, System.Security.Claims.ClaimsPrincipal user, WorkshopService workshops,
        Indicators.IndicatorQueries indicators, CancellationToken ct)
    {
        try
        {
            // A workshop opens on an indicator its host may read; one it may not read is unknown, as on every API.
            if (request.View?.Indicator is { } indicator && await indicators.FindAsync(indicator, Accounts.Viewer.From(user), ct) is null)
            {
                return TypedResults.Problem(title: "Invalid parameter 'indicator'", detail: $"unknown indicator '{indicator}'; see /api/indicators",
                    statusCode: StatusCodes.Status404NotFound, extensions: new Dictionary<string, object?> { ["parameter"] = "indicator" });
            }

            var workshop = await workshops.CreateAsync(request, HostAccount(user), ct);
            return TypedResults.Created(workshop.ParticipantUrl, workshop);
        }
        catch (WorkshopException e)
        {
            return TypedResults.Problem(title: "The workshop cannot be created", detail: e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
    }

    // The host token travels in the X-Workshop-Host header, or ?host= so that the host page can offer a plain link.
    private static async Task<ProblemHttpResult?> RefuseUnlessHostAsync(HttpContext http, Guid workshopId, WorkshopService workshops, CancellationToken ct)
    {
        var token = http.Request.Headers["X-Workshop-Host"].FirstOrDefault() ?? http.Request.Query["host"].FirstOrDefault();
        return await workshops.IsHostTokenAsync(workshopId, token, ct)
            ? null
            : TypedResults.Problem(title: "Host token required",
                detail: "Exports belong to the workshop's host: send the host token (X-Workshop-Host header or ?host=) of this workshop.",
                statusCode: StatusCodes.Status403Forbidden);
    }

    private static async Task<IResult> GeoJsonAsync([FromRoute(Name = "roomId")] Guid workshopId, HttpContext http, WorkshopService workshops, NpgsqlDataSource db, CancellationToken ct)
    {
        if (await RefuseUnlessHostAsync(http, workshopId, workshops, ct) is { } refused) return refused;
        await using var connection = await db.OpenConnectionAsync(ct);
        var json = await connection.ExecuteScalarAsync<string>(new CommandDefinition("""
            select json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
                'type', 'Feature', 'id', a.id, 'geometry', st_asgeojson(a.geom, 7)::json,
                'properties', json_build_object('kind', a.kind, 'note', a.note, 'colour', a.colour, 'author', p.display_name,
                    'hidden', a.hidden, 'createdAt', a.created_at, 'updatedAt', a.updated_at)) order by a.id), '[]'::json))::text
            from annotation a join participant p on p.id = a.author_id
            where a.workshop_id = @workshopId and not a.deleted
            """, new { workshopId }, cancellationToken: ct));
        return Results.Text(json, "application/geo+json", Encoding.UTF8);
    }

    private static async Task<IResult> CsvAsync([FromRoute(Name = "roomId")] Guid workshopId, HttpContext http, WorkshopService workshops, NpgsqlDataSource db, CancellationToken ct)
    {
        if (await RefuseUnlessHostAsync(http, workshopId, workshops, ct) is { } refused) return refused;
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<SummaryRow>(new CommandDefinition(AnnotationsSql.Summary, new { workshopId }, cancellationToken: ct));
        var csv = CsvOutput.Build(csv =>
        {
            csv.Header("id", "kind", "note", "author", "created_at", "updated_at", "hidden", "longitude", "latitude", "commune_code", "commune",
                "departement_code", "departement");
            foreach (var r in rows)
            {
                csv.Integer(r.Id).Text(r.Kind).Quoted(r.Note).Quoted(r.Author)
                    .Text(r.CreatedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))
                    .Text(r.UpdatedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))
                    .Text(r.Hidden ? "true" : "false")
                    .Number(r.Longitude, "0.######").Number(r.Latitude, "0.######")
                    .Text(r.CommuneCode).Quoted(r.Commune).Text(r.DepartementCode).Quoted(r.Departement).EndLine();
            }
        });
        http.Response.Headers.ContentDisposition = "attachment; filename=\"atelier-annotations.csv\"";
        return Results.Text(csv, "text/csv; charset=utf-8", Encoding.UTF8);
    }

    private sealed record SummaryRow(long Id, string Kind, string Note, string Author, DateTime CreatedAt, DateTime UpdatedAt, bool Hidden,
        double Longitude, double Latitude, string? CommuneCode, string? Commune, string? DepartementCode, string? Departement);
}

internal static class AnnotationsSql
{
    public static readonly string Summary = Data.AtlasDatabase.Sql("Workshops.summary.sql");
}
