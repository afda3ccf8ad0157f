using System.Net.Sockets;
using Npgsql;

namespace TerritoryAtlas.Web.Data;

/// <summary>
/// PostgreSQL down or restarting is an outage, not a bug (and a text it cannot store is bad input, not a bug): readers are told the data service is briefly unavailable
/// and when to try again (503 with Retry-After), instead of the generic 500 an unexpected failure gets. The hub says
/// the same in its refusals (WorkshopErrors).
/// </summary>
public static class DatabaseOutage
{
    /// <summary>Seconds a client is asked to wait: about what a PostgreSQL restart or a failover takes.</summary>
    public const int RetryAfterSeconds = 5;

    public const string Message = "The data service is briefly unavailable (the database does not answer). Try again in a few seconds.";

    public const string MessageFr = "Le service de données est momentanément indisponible (la base ne répond pas). Réessayez dans quelques secondes.";

    /// <summary>
    /// True for a failure to reach the database or a connection it dropped (refused, reset, shutting down, starting up,
    /// no free connection in time), looked for through the wrappers (EF Core, Dapper) around the Npgsql exception.
    /// A query's own error (a constraint, bad SQL) is not an outage.
    /// </summary>
    public static bool Is(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException p:
                    // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 08xxx connection exceptions,
                    // 53300 too_many_connections.
                    return p.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                        or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections
                        || p.SqlState.StartsWith("08", StringComparison.Ordinal);
                case NpgsqlException { IsTransient: true }:
                case NpgsqlException { InnerException: SocketException or IOException or TimeoutException }:
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A text the database cannot store (a NUL character, 22021; a character the encoding lacks, 22P05): bad input,
    /// refused by PostgreSQL before anything was written. Forms and APIs check their texts; this is the net under
    /// every one of them, so such input gets a 400 and never a 500.
    /// </summary>
    public static bool IsUnstorableText(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException { SqlState: PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter })
            {
                return true;
            }
        }

        return false;
    }

    public const string UnstorableTextMessage = "A text contains a character that cannot be stored (such as NUL, U+0000); nothing was written.";

    /// <summary>
    /// The 503 of an HTTP request that met an outage: problem+json for APIs, a short page for browsers. In every
    /// environment (the developer exception page included): an outage is not a bug to show the insides of.
    /// </summary>
    public static IApplicationBuilder UseDatabaseOutages(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        try
        {
            await next(http);
        }
        catch (Exception e) when (IsUnstorableText(e) && !http.Response.HasStarted)
        {
            http.Response.Clear();
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = { Status = StatusCodes.Status400BadRequest, Title = "Text that cannot be stored", Detail = UnstorableTextMessage },
            });
        }
        catch (Exception e) when (Is(e) && !http.Response.HasStarted)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseOutage))
                .LogWarning("Database unavailable for {Method} {Path}: {Error}", http.Request.Method, http.Request.Path, e.Message);
            http.Response.Clear();
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            http.Response.Headers.CacheControl = "no-store";
            if (http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.Ordinal))
            {
                var english = TerritoryAtlas.Web.Components.Language.Of(http.Request).IsEnglish;
                await ServerErrors.WritePageAsync(http, english, $"""<meta http-equiv="refresh" content="{RetryAfterSeconds * 2}">""", $"""
                    <h1>{(english ? "Briefly unavailable" : "Momentanément indisponible")}</h1><p>{(english ? Message : MessageFr)}</p>
                    <p>{(english ? "This page reloads by itself." : "Cette page se recharge d'elle-même.")}</p>
                    """, CancellationToken.None);
                return;
            }

            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = "Service unavailable", Detail = Message },
            });
        }
    });
}
