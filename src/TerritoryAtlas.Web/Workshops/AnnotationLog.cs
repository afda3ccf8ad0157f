using System.Data.Common;
using System.Text.Json;
using Dapper;
using NetTopologySuite.IO;
using Npgsql;

namespace TerritoryAtlas.Web.Workshops;

/// <summary>
/// Every change to a workshop's annotations, its lock and its participants, as the workshop's append-only log. A
/// change is validated, then written with its sequence number in one transaction: `update workshop set last_seq =
/// last_seq + 1` both numbers it and serialises the workshop's writers, so the log has no gap and no duplicate, and
/// nothing is acknowledged before it is committed.
/// </summary>
public sealed class AnnotationLog(NpgsqlDataSource db, FranceArea france, WorkshopQueries queries)
{
    // The hot path, in one statement: numbering, checks, the annotation and its event are written together and the
    // workshop's row lock is held for that statement only (not for several round trips), which is what bounds a busy
    // workshop's writes per second. The event's payload is serialised here and completed in SQL with the numbers and
    // times the database assigns, so the log holds exactly the message that is broadcast.
    public async Task<WorkshopEvent> AddAsync(Caller caller, AnnotationInput? input, CancellationToken ct)
    {
        var drawing = AnnotationRules.Check(input);
        await france.EnsureInsideAsync(drawing.Geometry, ct);
        if (caller.IsWatcher) throw new WorkshopException("The projection view is read-only.", "L'écran de projection est en lecture seule.");
        var clientId = input!.ClientId is { } id && id != Guid.Empty ? id : (Guid?)null;
        var colour = drawing.Colour ?? caller.Colour;
        var draft = new WorkshopEvent(caller.WorkshopId, 0, "created", DateTimeOffset.UnixEpoch, caller.ParticipantId,
            new AnnotationState(0, drawing.Kind, drawing.Geometry, drawing.Note, colour, caller.ParticipantId, caller.DisplayName,
                false, false, 0, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch));
        await using var connection = await db.OpenConnectionAsync(ct);
        (long Id, long Seq, DateTime CreatedAt)? row;
        try
        {
            row = await connection.QuerySingleOrDefaultAsync<(long Id, long Seq, DateTime CreatedAt)?>(new CommandDefinition(AddSql, new
            {
                caller.WorkshopId,
                caller.ParticipantId,
                caller.IsHost,
                drawing.Kind,
                wkb = new WKBWriter().Write(drawing.Geometry),
                drawing.Note,
                colour,
                clientId,
                payload = JsonSerializer.Serialize(draft, AnnotationRules.Json),
            }, cancellationToken: ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && clientId is not null)
        {
            // The same annotation sent twice at once (a retry racing its original): the statement that lost wrote
            // nothing, not even a sequence number, and answers with the one that won.
            return await queries.CreatedWithClientIdAsync(caller, clientId, ct)
                ?? throw new WorkshopException("The annotation could not be written.", "L'annotation n'a pas pu être enregistrée.");
        }

        if (row is not { } r)
        {
            await ExplainRefusalAsync(connection, caller, ct);
            throw new WorkshopException("The annotation could not be written.", "L'annotation n'a pas pu être enregistrée.");
        }

        var at = new DateTimeOffset(r.CreatedAt, TimeSpan.Zero);
        return draft with { Seq = r.Seq, At = at, Annotation = draft.Annotation! with { Id = r.Id, Seq = r.Seq, CreatedAt = at, UpdatedAt = at } };
    }

    private const string AddSql = """
        with numbered as (
            update workshop set last_seq = last_seq + 1
            where id = @WorkshopId and (not locked or @IsHost)
              and exists (select 1 from participant where id = @ParticipantId and workshop_id = @WorkshopId and not removed)
            returning last_seq
        ), written as (
            insert into annotation (workshop_id, author_id, kind, geom, note, colour, seq, client_id)
            select @WorkshopId, @ParticipantId, @Kind, st_geomfromwkb(@wkb, 4326), @Note, @colour, last_seq, @clientId from numbered
            returning id, seq, created_at, updated_at
        ), logged as (
            insert into annotation_event (workshop_id, seq, type, actor_id, annotation_id, payload)
            select @WorkshopId, w.seq, 'created', @ParticipantId, w.id,
                   @payload::jsonb || jsonb_build_object('seq', w.seq, 'at', w.created_at, 'annotation',
                       (@payload::jsonb -> 'annotation') || jsonb_build_object('id', w.id, 'seq', w.seq, 'createdAt', w.created_at, 'updatedAt', w.updated_at))
            from written w
            returning seq
        )
        select w.id, w.seq, w.created_at from written w join logged l on l.seq = w.seq
        """;

    // Why the one-statement write wrote nothing: the same checks as NextSeqAsync, in the same words.
    private static async Task ExplainRefusalAsync(NpgsqlConnection connection, Caller caller, CancellationToken ct)
    {
        var state = await connection.QuerySingleOrDefaultAsync<(bool Locked, bool? Removed)?>(new CommandDefinition("""
            select r.locked, p.removed from workshop r left join participant p on p.id = @ParticipantId and p.workshop_id = r.id where r.id = @WorkshopId
            """, new { caller.WorkshopId, caller.ParticipantId }, cancellationToken: ct));
        if (state is not { } s) throw new WorkshopException("This workshop no longer exists.", "Cet atelier n'existe plus.");
        if (s.Removed is null or true) throw new WorkshopException("The host removed you from this workshop.", "L'animation vous a retiré de cet atelier.");
        if (s.Locked && !caller.IsHost) throw new WorkshopException("The host has locked the workshop: annotations are read-only for now.", "L'animation a verrouillé l'atelier : les annotations sont en lecture seule pour le moment.");
    }

    public async Task<WorkshopEvent> EditAsync(Caller caller, long annotationId, AnnotationInput? input, CancellationToken ct)
    {
        var drawing = AnnotationRules.Check(input);
        await france.EnsureInsideAsync(drawing.Geometry, ct);
        return await WriteSequencedAsync(caller, async (connection, tx, seq) =>
        {
            var author = await AuthorisedAuthorAsync(connection, tx, caller, annotationId, ct);
            var row = await connection.QuerySingleAsync<AnnotationRow>(new CommandDefinition("""
                update annotation set kind = @Kind, geom = st_geomfromwkb(@wkb, 4326), note = @Note, colour = coalesce(@Colour, colour), seq = @seq, updated_at = now()
                where id = @annotationId
                returning id, author_id, kind, note, colour, hidden, deleted, seq, created_at, updated_at
                """, new { drawing.Kind, wkb = new WKBWriter().Write(drawing.Geometry), drawing.Note, drawing.Colour, seq, annotationId }, tx, cancellationToken: ct));
            return new WorkshopEvent(caller.WorkshopId, seq, "updated", new DateTimeOffset(row.Updated_At, TimeSpan.Zero), caller.ParticipantId, row.State(drawing.Geometry, author));
        }, ct);
    }

    public Task<WorkshopEvent> DeleteAsync(Caller caller, long annotationId, CancellationToken ct) =>
        ChangeFlagAsync(caller, annotationId, "deleted", "update annotation set deleted = true, seq = @seq, updated_at = now() where id = @annotationId", false, ct);

    public Task<WorkshopEvent> SetHiddenAsync(Caller caller, long annotationId, bool hidden, CancellationToken ct)
    {
        caller.RequireHost();
        return ChangeFlagAsync(caller, annotationId, hidden ? "hidden" : "shown",
            "update annotation set hidden = @flag, seq = @seq, updated_at = now() where id = @annotationId", hidden, ct);
    }

    private Task<WorkshopEvent> ChangeFlagAsync(Caller caller, long annotationId, string type, string sql, bool flag, CancellationToken ct) =>
        WriteSequencedAsync(caller, async (connection, tx, seq) =>
        {
            await AuthorisedAuthorAsync(connection, tx, caller, annotationId, ct);
            await connection.ExecuteAsync(new CommandDefinition(sql, new { seq, annotationId, flag }, tx, cancellationToken: ct));
            var state = await StateAsync(connection, tx, annotationId, ct);
            return new WorkshopEvent(caller.WorkshopId, seq, type, state.UpdatedAt, caller.ParticipantId, state);
        }, ct);

    public Task<WorkshopEvent> ClearAsync(Caller caller, CancellationToken ct)
    {
        caller.RequireHost();
        return WriteSequencedAsync(caller, async (connection, tx, seq) =>
        {
            var ids = (await connection.QueryAsync<long>(new CommandDefinition("""
                update annotation set deleted = true, seq = @seq, updated_at = now() where workshop_id = @WorkshopId and not deleted returning id
                """, new { seq, caller.WorkshopId }, tx, cancellationToken: ct))).Order().ToList();
            return new WorkshopEvent(caller.WorkshopId, seq, "cleared", DateTimeOffset.UtcNow, caller.ParticipantId, AnnotationIds: ids);
        }, ct);
    }

    public Task<WorkshopEvent> SetLockedAsync(Caller caller, bool locked, CancellationToken ct)
    {
        caller.RequireHost();
        return WriteSequencedAsync(caller, async (connection, tx, seq) =>
        {
            await connection.ExecuteAsync(new CommandDefinition("update workshop set locked = @locked where id = @WorkshopId", new { locked, caller.WorkshopId }, tx, cancellationToken: ct));
            return new WorkshopEvent(caller.WorkshopId, seq, locked ? "locked" : "unlocked", DateTimeOffset.UtcNow, caller.ParticipantId);
        }, ct);
    }

    public Task<WorkshopEvent> RemoveParticipantAsync(Caller caller, Guid participantId, CancellationToken ct)
    {
        caller.RequireHost();
        return WriteSequencedAsync(caller, async (connection, tx, seq) =>
        {
            var removed = await connection.ExecuteAsync(new CommandDefinition(
                "update participant set removed = true where id = @participantId and workshop_id = @WorkshopId and not is_host",
                new { participantId, caller.WorkshopId }, tx, cancellationToken: ct));
            if (removed == 0) throw new WorkshopException("No such participant in this workshop (the host cannot be removed).", "Ce participant n'est pas dans l'atelier (l'animation ne peut pas être retirée).");
            return new WorkshopEvent(caller.WorkshopId, seq, "participantRemoved", DateTimeOffset.UtcNow, caller.ParticipantId, ParticipantId: participantId);
        }, ct);
    }

    // Inside the transaction that holds the workshop's next number: change the rows, answer the event to log.
    private delegate Task<WorkshopEvent> Change(NpgsqlConnection connection, DbTransaction tx, long seq);

    // Every change but the one-statement AddAsync: take the workshop's next number (and with it the row lock that
    // orders the workshop's writers), change, append the event, commit. A refusal thrown by the change rolls its
    // number back with it, so the log keeps no gap; nothing is returned, hence acknowledged, before the commit.
    private async Task<WorkshopEvent> WriteSequencedAsync(Caller caller, Change change, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var seq = await NextSeqAsync(connection, tx, caller, ct);
        var ev = await change(connection, tx, seq);
        await AppendAsync(connection, tx, ev, ct);
        await tx.CommitAsync(ct);
        return ev;
    }

    // Takes the workshop's next number; the row lock it holds until commit orders the workshop's writers. The checks that
    // depend on the workshop's state (locked, participant removed) run under that lock, so none can race a change.
    private static async Task<long> NextSeqAsync(NpgsqlConnection connection, DbTransaction tx, Caller caller, CancellationToken ct)
    {
        if (caller.IsWatcher) throw new WorkshopException("The projection view is read-only.", "L'écran de projection est en lecture seule.");
        var workshop = await connection.QuerySingleOrDefaultAsync<(long Seq, bool Locked)?>(new CommandDefinition(
            "update workshop set last_seq = last_seq + 1 where id = @WorkshopId returning last_seq, locked", new { caller.WorkshopId }, tx, cancellationToken: ct));
        if (workshop is not { } r) throw new WorkshopException("This workshop no longer exists.", "Cet atelier n'existe plus.");
        var removed = await connection.ExecuteScalarAsync<bool?>(new CommandDefinition(
            "select removed from participant where id = @ParticipantId and workshop_id = @WorkshopId", new { caller.ParticipantId, caller.WorkshopId }, tx, cancellationToken: ct));
        if (removed is null or true) throw new WorkshopException("The host removed you from this workshop.", "L'animation vous a retiré de cet atelier.");
        if (r.Locked && !caller.IsHost) throw new WorkshopException("The host has locked the workshop: annotations are read-only for now.", "L'animation a verrouillé l'atelier : les annotations sont en lecture seule pour le moment.");
        return r.Seq;
    }

    // Authors act on their own annotations, the host on all of them. Returns the author's display name.
    private static async Task<string> AuthorisedAuthorAsync(NpgsqlConnection connection, DbTransaction tx, Caller caller, long annotationId, CancellationToken ct)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(Guid AuthorId, string Name, bool Deleted)?>(new CommandDefinition("""
            select a.author_id, p.display_name, a.deleted from annotation a join participant p on p.id = a.author_id
            where a.id = @annotationId and a.workshop_id = @WorkshopId for update of a
            """, new { annotationId, caller.WorkshopId }, tx, cancellationToken: ct));
        if (row is not { } a || a.Deleted) throw new WorkshopException($"Annotation {annotationId} does not exist in this workshop (or was deleted).", $"L'annotation {annotationId} n'existe pas dans cet atelier (ou a été supprimée).");
        if (a.AuthorId != caller.ParticipantId && !caller.IsHost) throw new WorkshopException("You can only change your own annotations.", "Vous ne pouvez modifier que vos propres annotations.");
        return a.Name;
    }

    private static async Task<AnnotationState> StateAsync(NpgsqlConnection connection, DbTransaction tx, long annotationId, CancellationToken ct)
    {
        var row = await connection.QuerySingleAsync<AnnotationRow>(new CommandDefinition("""
            select a.id, a.author_id, a.kind, a.note, a.colour, a.hidden, a.deleted, a.seq, a.created_at, a.updated_at,
                   st_asbinary(a.geom) as wkb, p.display_name as author_name
            from annotation a join participant p on p.id = a.author_id where a.id = @annotationId
            """, new { annotationId }, tx, cancellationToken: ct));
        return row.State(new WKBReader().Read(row.Wkb), row.Author_Name);
    }

    // The event exactly as it is broadcast, so a catch-up replays what live clients received.
    private static Task AppendAsync(NpgsqlConnection connection, DbTransaction tx, WorkshopEvent ev, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("""
            insert into annotation_event (workshop_id, seq, type, actor_id, annotation_id, payload) values (@WorkshopId, @Seq, @Type, @ActorId, @annotationId, @payload::jsonb)
            """, new { ev.WorkshopId, ev.Seq, ev.Type, ev.ActorId, annotationId = ev.Annotation?.Id, payload = JsonSerializer.Serialize(ev, AnnotationRules.Json) }, tx, cancellationToken: ct));

    // Dapper fills it by column name (snake_case columns, MatchNamesWithUnderscores is not needed with these names).
    private sealed class AnnotationRow
    {
        public long Id { get; set; }
        public Guid Author_Id { get; set; }
        public string Kind { get; set; } = "";
        public string Note { get; set; } = "";
        public string Colour { get; set; } = "";
        public bool Hidden { get; set; }
        public bool Deleted { get; set; }
        public long Seq { get; set; }
        public DateTime Created_At { get; set; }
        public DateTime Updated_At { get; set; }
        public byte[] Wkb { get; set; } = [];
        public string Author_Name { get; set; } = "";

        public AnnotationState State(NetTopologySuite.Geometries.Geometry geometry, string authorName) =>
            new(Id, Kind, geometry, Note, Colour, Author_Id, authorName, Hidden, Deleted, Seq,
                new DateTimeOffset(Created_At, TimeSpan.Zero), new DateTimeOffset(Updated_At, TimeSpan.Zero));
    }
}
