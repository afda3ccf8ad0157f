using System.Data;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Web.Administration;

/// <summary>Who performed an administrative action: an account, or the command line on the server.</summary>
public sealed record AuditActor(Guid? Id, string Name)
{
    public static readonly AuditActor CommandLine = new(null, "ligne de commande");

    public static AuditActor From(ClaimsPrincipal user) => new(
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null,
        user.FindFirstValue(ClaimTypes.Email) ?? user.Identity?.Name ?? "?");
}

/// <summary>One line of the audit log; Before and After are JSON objects (null when the thing did not or no longer exists).</summary>
public sealed record AuditEvent(long Id, DateTime At, Guid? ActorId, string Actor, string Action, string Target, string? Before, string? After);

/// <summary>
/// The audit log of migration 0015. Writers pass the connection and transaction of the change they record, so both
/// commit or neither does.
/// </summary>
public sealed class AuditLog(NpgsqlDataSource db)
{
    public const int MaxLines = 10_000;

    public static Task WriteAsync(IDbConnection connection, IDbTransaction? transaction, AuditActor actor, string action, string target,
        object? before, object? after, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("""
            insert into audit_event (actor_id, actor, action, target, before, after)
            values (@actorId, @actor, @action, @target, @before::jsonb, @after::jsonb)
            """, new
        {
            actorId = actor.Id,
            actor = actor.Name,
            action,
            target,
            before = before is null ? null : JsonSerializer.Serialize(before, Json),
            after = after is null ? null : JsonSerializer.Serialize(after, Json),
        }, transaction, cancellationToken: ct));

    /// <summary>The latest lines first, optionally since a date and for one action prefix ("user", "organisation.create"…).</summary>
    public async Task<IReadOnlyList<AuditEvent>> ReadAsync(DateTime? since, string? action, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<AuditEvent>(new CommandDefinition("""
            select id, at, actor_id as ActorId, actor, action, target, before::text as before, after::text as after
            from audit_event
            where (@since::timestamptz is null or at >= @since)
              and (@action::text is null or action = @action or action like @action || '.%')
            order by at desc, id desc
            limit @limit
            """, new { since, action = string.IsNullOrWhiteSpace(action) ? null : action.Trim(), limit = Math.Clamp(limit, 1, MaxLines) },
            cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>RFC 4180 CSV, UTF-8 with a byte order mark (a spreadsheet then shows the accents), one line per event.</summary>
    public static string ToCsv(IEnumerable<AuditEvent> events) => CsvOutput.Build(csv =>
    {
        csv.Header("id", "at_utc", "actor", "action", "target", "before", "after");
        foreach (var e in events)
        {
            csv.Integer(e.Id).Text(e.At.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))
                .Text(e.Actor).Text(e.Action).Text(e.Target).Text(e.Before).Text(e.After).EndLine();
        }
    }, byteOrderMark: true, newLine: "\r\n");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
