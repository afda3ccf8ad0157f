using System.Text.Json;
using Dapper;
using Npgsql;

namespace TerritoryAtlas.Web.Workshops;

/// <summary>
/// What a client reads to catch up: the log after the last sequence number it saw, and the event that created its
/// annotation with a given client id (a retry after a lost acknowledgement).
/// </summary>
public sealed class WorkshopQueries(NpgsqlDataSource db)
{
    /// <summary>
    /// The workshop's log after lastSeq. For anyone but a host, every event about an annotation hidden now is redacted
    /// (<see cref="WorkshopEvent.ForAudience"/>), also the ones from before it was hidden.
    /// </summary>
    public async Task<IReadOnlyList<WorkshopEvent>> SyncSinceAsync(Guid workshopId, long lastSeq, int limit, bool forHost, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(string Payload, bool Hidden)>(new CommandDefinition("""
            select e.payload::text, coalesce(a.hidden, false)
            from annotation_event e left join annotation a on a.id = e.annotation_id
            where e.workshop_id = @workshopId and e.seq > @lastSeq order by e.seq limit @limit
            """, new { workshopId, lastSeq, limit }, cancellationToken: ct));
        return rows.Select(r =>
        {
            var ev = JsonSerializer.Deserialize<WorkshopEvent>(r.Payload, AnnotationRules.Json)!;
            return forHost ? ev : ev.ForAudience(r.Hidden);
        }).ToList();
    }

    /// <summary>
    /// The event that created the caller's annotation with this client id, as the caller may see it now (an
    /// annotation hidden since comes redacted to a participant), or null when there is none. Someone else's id is
    /// refused rather than answered with their annotation.
    /// </summary>
    public async Task<WorkshopEvent?> CreatedWithClientIdAsync(Caller caller, Guid? clientId, CancellationToken ct)
    {
        if (clientId is null || clientId == Guid.Empty) return null;
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<(string Payload, Guid Author, bool Hidden)?>(new CommandDefinition("""
            select e.payload::text, a.author_id, a.hidden
            from annotation a join annotation_event e on e.annotation_id = a.id and e.type = 'created'
            where a.workshop_id = @WorkshopId and a.client_id = @clientId
            """, new { caller.WorkshopId, clientId }, cancellationToken: ct));
        if (row is not { } r) return null;
        if (r.Author != caller.ParticipantId) throw new WorkshopException("This annotation id is already used by another annotation.", "Cet identifiant d'annotation est déjà pris par une autre annotation.");
        var created = JsonSerializer.Deserialize<WorkshopEvent>(r.Payload, AnnotationRules.Json)!;
        return caller.IsHost ? created : created.ForAudience(r.Hidden);
    }
}
