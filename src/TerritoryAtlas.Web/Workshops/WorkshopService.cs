using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using NetTopologySuite.IO;
using Npgsql;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Web.Workshops;

/// <summary>
/// Workshops, participants and every change to annotations. A change is validated, then written with its sequence
/// number in one transaction: `update workshop set last_seq = last_seq + 1` both numbers it and serialises the workshop's
/// writers, so the log has no gap and no duplicate, and nothing is acknowledged before it is committed.
/// </summary>
public sealed class WorkshopService(NpgsqlDataSource db, FranceArea france)
{
    // No 0/O, 1/I/L: a code read aloud or off a wall is typed right. 8 characters of 31: about 40 bits.
    private const string CodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    private const int CodeLength = 8;

    private static readonly string[] Palette =
    [
        "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42a5b3", "#c2185b", "#7cb342",
        "#8d6e63", "#1a237e", "#ff6f00", "#00897b", "#6d4c41", "#5e35b1", "#d81b60", "#558b2f",
    ];

    private const string HostColour = "#222222";

    public static readonly WorkshopView DefaultView = new(2.5, 46.6, 4.6, "departement", IndicatorQueries.DefaultIndicator, 2019);

    /// <summary>Opens a workshop; <paramref name="hostAccount"/> is the signed-in account opening it (listed on its account page).</summary>
    public async Task<CreatedWorkshop> CreateAsync(CreateWorkshopRequest request, Guid? hostAccount, CancellationToken ct)
    {
        var title = request.Title?.Trim() ?? "";
        if (title.Length is 0 or > AnnotationRules.MaxTitleLength)
        {
            throw new WorkshopException($"Give the workshop a title of 1 to {AnnotationRules.MaxTitleLength} characters.", $"Donnez à l'atelier un titre de 1 à {AnnotationRules.MaxTitleLength} caractères.");
        }

        var view = request.View is null ? DefaultView : AnnotationRules.CheckView(request.View);
        var hostName = string.IsNullOrWhiteSpace(request.HostName) ? "Animation" : AnnotationRules.CheckDisplayName(request.HostName);
        // The host token is 256 random bits of its own: nothing about it can be worked out from the join code.
        var hostToken = NewToken();
        var hash = Hash(hostToken);
        await using var connection = await db.OpenConnectionAsync(ct);
        for (var attempt = 0; ; attempt++)
        {
            var code = NewJoinCode();
            await using var tx = await connection.BeginTransactionAsync(ct);
            try
            {
                var workshopId = await connection.ExecuteScalarAsync<Guid>(new CommandDefinition("""
                    insert into workshop (title, join_code, host_secret_hash, view, host_account_id)
                    values (@title, @code, @hash, @view::jsonb, @hostAccount) returning id
                    """, new { title, code, hash, view = JsonSerializer.Serialize(view, AnnotationRules.Json), hostAccount }, tx, cancellationToken: ct));
                await connection.ExecuteAsync(new CommandDefinition("""
                    insert into participant (workshop_id, display_name, token_hash, colour, is_host) values (@workshopId, @hostName, @hash, @HostColour, true)
                    """, new { workshopId, hostName, hash, HostColour }, tx, cancellationToken: ct));
                await tx.CommitAsync(ct);
                var participantUrl = $"/atelier/{code}";
                return new CreatedWorkshop(workshopId, title, code, hostToken, participantUrl, $"{participantUrl}?host={hostToken}", $"{participantUrl}/projection");
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && attempt < 5)
            {
                // A join code already taken (rare at 40 bits): draw another.
            }
        }
    }

    /// <summary>The workshops this account opened, latest first, with how many people joined and how many notes they left.</summary>
    public async Task<IReadOnlyList<HostedWorkshop>> HostedByAsync(Guid account, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<HostedWorkshop>(new CommandDefinition("""
            select r.title, r.join_code as JoinCode, r.created_at as CreatedAt, r.locked,
                   (select count(*) from participant p where p.workshop_id = r.id and not p.is_host)::int as Participants,
                   (select count(*) from annotation a where a.workshop_id = r.id)::int as Annotations
            from workshop r
            where r.host_account_id = @account
            order by r.created_at desc
            limit 200
            """, new { account }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<(Session Session, Caller Caller)> JoinAsync(string? code, string? displayName, CancellationToken ct)
    {
        var name = AnnotationRules.CheckDisplayName(displayName);
        var workshop = await WorkshopByCodeAsync(code, ct);
        var token = NewToken();
        await using var connection = await db.OpenConnectionAsync(ct);
        var (id, colour) = await connection.QuerySingleAsync<(Guid, string)>(new CommandDefinition("""
            insert into participant (workshop_id, display_name, token_hash, colour)
            select @WorkshopId, @name, @hash, (@palette)[1 + (select count(*) from participant where workshop_id = @WorkshopId and not is_host) % cardinality(@palette)]
            returning id, colour
            """, new { workshop.WorkshopId, name, hash = Hash(token), palette = Palette }, cancellationToken: ct));
        var caller = new Caller(workshop.WorkshopId, id, name, colour, Roles.Participant);
        return (workshop with { ParticipantId = id, DisplayName = name, Colour = colour, Role = Roles.Participant, Token = token }, caller);
    }

    /// <summary>Enters a workshop with a token issued before: the host's secret or a participant's token from Join.</summary>
    public async Task<(Session Session, Caller Caller)> EnterAsync(string? code, string? token, CancellationToken ct)
    {
        var workshop = await WorkshopByCodeAsync(code, ct);
        if (string.IsNullOrEmpty(token) || token.Length > 100) throw new WorkshopException("This link's token is missing or malformed.", "Le jeton de ce lien manque ou est mal formé.");
        await using var connection = await db.OpenConnectionAsync(ct);
        var participant = await connection.QuerySingleOrDefaultAsync<(Guid Id, string Name, string Colour, bool IsHost, bool Removed)?>(new CommandDefinition("""
            select id, display_name, colour, is_host, removed from participant where workshop_id = @WorkshopId and token_hash = @hash
            """, new { workshop.WorkshopId, hash = Hash(token) }, cancellationToken: ct));
        if (participant is not { } p) throw new WorkshopException("This token does not open this workshop.", "Ce jeton n'ouvre pas cet atelier.");
        if (p.Removed) throw new WorkshopException("The host removed you from this workshop.", "L'animation vous a retiré de cet atelier.");
        var role = p.IsHost ? Roles.Host : Roles.Participant;
        var caller = new Caller(workshop.WorkshopId, p.Id, p.Name, p.Colour, role);
        return (workshop with { ParticipantId = p.Id, DisplayName = p.Name, Colour = p.Colour, Role = role }, caller);
    }

    /// <summary>The projection screen: reads the workshop, writes nothing.</summary>
    public async Task<(Session Session, Caller Caller)> WatchAsync(string? code, CancellationToken ct)
    {
        var workshop = await WorkshopByCodeAsync(code, ct);
        return (workshop, new Caller(workshop.WorkshopId, Guid.Empty, "", "", Roles.Watcher));
    }

    public async Task<Session> WorkshopByCodeAsync(string? code, CancellationToken ct)
    {
        var normalised = NormaliseCode(code);
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<(Guid Id, string Title, string Code, bool Locked, string View, long LastSeq)?>(new CommandDefinition(
            "select id, title, join_code, locked, view::text, last_seq from workshop where join_code = @normalised",
            new { normalised }, cancellationToken: ct));
        if (row is not { } r) throw new WorkshopException($"No workshop has the code '{code}'.", $"Aucun atelier n'a le code « {code} ».");
        return new Session(r.Id, r.Title, r.Code, null, null, null, Roles.Watcher, null, r.Locked,
            JsonSerializer.Deserialize<WorkshopView>(r.View, AnnotationRules.Json)!, r.LastSeq);
    }

    public static string NormaliseCode(string? code) =>
        new string((code ?? "").Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).Take(20).ToArray());

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
            return await CreatedWithClientIdAsync(caller, clientId, ct)
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
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var seq = await NextSeqAsync(connection, tx, caller, ct);
        var author = await AuthorisedAuthorAsync(connection, tx, caller, annotationId, ct);
        var row = await connection.QuerySingleAsync<AnnotationRow>(new CommandDefinition("""
            update annotation set kind = @Kind, geom = st_geomfromwkb(@wkb, 4326), note = @Note, colour = coalesce(@Colour, colour), seq = @seq, updated_at = now()
            where id = @annotationId
            returning id, author_id, kind, note, colour, hidden, deleted, seq, created_at, updated_at
            """, new { drawing.Kind, wkb = new WKBWriter().Write(drawing.Geometry), drawing.Note, drawing.Colour, seq, annotationId }, tx, cancellationToken: ct));
        var ev = new WorkshopEvent(caller.WorkshopId, seq, "updated", new DateTimeOffset(row.Updated_At, TimeSpan.Zero), caller.ParticipantId, row.State(drawing.Geometry, author));
        await AppendAsync(connection, tx, ev, annotationId, ct);
        await tx.CommitAsync(ct);
        return ev;
    }

    public Task<WorkshopEvent> DeleteAsync(Caller caller, long annotationId, CancellationToken ct) =>
        ChangeFlagAsync(caller, annotationId, "deleted", "update annotation set deleted = true, seq = @seq, updated_at = now() where id = @annotationId", false, hostOnly: false, ct);

    public Task<WorkshopEvent> SetHiddenAsync(Caller caller, long annotationId, bool hidden, CancellationToken ct) =>
        ChangeFlagAsync(caller, annotationId, hidden ? "hidden" : "shown",
            "update annotation set hidden = @flag, seq = @seq, updated_at = now() where id = @annotationId", hidden, hostOnly: true, ct);

    private async Task<WorkshopEvent> ChangeFlagAsync(Caller caller, long annotationId, string type, string sql, bool flag, bool hostOnly, CancellationToken ct)
    {
        if (hostOnly) RequireHost(caller);
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var seq = await NextSeqAsync(connection, tx, caller, ct);
        await AuthorisedAuthorAsync(connection, tx, caller, annotationId, ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { seq, annotationId, flag }, tx, cancellationToken: ct));
        var state = await StateAsync(connection, tx, annotationId, ct);
        var ev = new WorkshopEvent(caller.WorkshopId, seq, type, state.UpdatedAt, caller.ParticipantId, state);
        await AppendAsync(connection, tx, ev, annotationId, ct);
        await tx.CommitAsync(ct);
        return ev;
    }

    public async Task<WorkshopEvent> ClearAsync(Caller caller, CancellationToken ct)
    {
        RequireHost(caller);
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var seq = await NextSeqAsync(connection, tx, caller, ct);
        var ids = (await connection.QueryAsync<long>(new CommandDefinition("""
            update annotation set deleted = true, seq = @seq, updated_at = now() where workshop_id = @WorkshopId and not deleted returning id
            """, new { seq, caller.WorkshopId }, tx, cancellationToken: ct))).Order().ToList();
        var ev = new WorkshopEvent(caller.WorkshopId, seq, "cleared", DateTimeOffset.UtcNow, caller.ParticipantId, AnnotationIds: ids);
        await AppendAsync(connection, tx, ev, null, ct);
        await tx.CommitAsync(ct);
        return ev;
    }

    public async Task<WorkshopEvent> SetLockedAsync(Caller caller, bool locked, CancellationToken ct)
    {
        RequireHost(caller);
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var seq = await NextSeqAsync(connection, tx, caller, ct);
        await connection.ExecuteAsync(new CommandDefinition("update workshop set locked = @locked where id = @WorkshopId", new { locked, caller.WorkshopId }, tx, cancellationToken: ct));
        var ev = new WorkshopEvent(caller.WorkshopId, seq, locked ? "locked" : "unlocked", DateTimeOffset.UtcNow, caller.ParticipantId);
        await AppendAsync(connection, tx, ev, null, ct);
        await tx.CommitAsync(ct);
        return ev;
    }

    public async Task<WorkshopEvent> RemoveParticipantAsync(Caller caller, Guid participantId, CancellationToken ct)
    {
        RequireHost(caller);
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var seq = await NextSeqAsync(connection, tx, caller, ct);
        var removed = await connection.ExecuteAsync(new CommandDefinition(
            "update participant set removed = true where id = @participantId and workshop_id = @WorkshopId and not is_host",
            new { participantId, caller.WorkshopId }, tx, cancellationToken: ct));
        if (removed == 0) throw new WorkshopException("No such participant in this workshop (the host cannot be removed).", "Ce participant n'est pas dans l'atelier (l'animation ne peut pas être retirée).");
        var ev = new WorkshopEvent(caller.WorkshopId, seq, "participantRemoved", DateTimeOffset.UtcNow, caller.ParticipantId, ParticipantId: participantId);
        await AppendAsync(connection, tx, ev, null, ct);
        await tx.CommitAsync(ct);
        return ev;
    }

    /// <summary>Records that a class of viewers (<see cref="Accounts.Viewer.CacheKey"/>) has a connection in the workshop.</summary>
    public async Task AddViewerAsync(Guid workshopId, Accounts.Viewer viewer, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into workshop_viewer (workshop_id, cache_key, is_member, is_admin, organisations)
            values (@workshopId, @key, @isMember, @isAdmin, @organisations) on conflict do nothing
            """, new { workshopId, key = viewer.CacheKey, isMember = viewer.IsMember, isAdmin = viewer.IsAdmin, organisations = viewer.OrganisationArray },
            cancellationToken: ct));
    }

    /// <summary>The classes of viewers present in the workshop that may read the indicator (SQL's indicator_visible decides).</summary>
    public async Task<IReadOnlyList<string>> ViewersWhoMayReadAsync(Guid workshopId, string indicator, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<string>(new CommandDefinition("""
            select v.cache_key from workshop_viewer v join indicator i on i.code = @indicator
            where v.workshop_id = @workshopId and indicator_visible(i.visibility, i.code, v.is_member, v.is_admin, v.organisations)
            """, new { workshopId, indicator }, cancellationToken: ct))).ToList();
    }

    public async Task SaveViewAsync(Caller caller, WorkshopView view, CancellationToken ct)
    {
        RequireHost(caller);
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("update workshop set view = @view::jsonb where id = @WorkshopId",
            new { view = JsonSerializer.Serialize(view, AnnotationRules.Json), caller.WorkshopId }, cancellationToken: ct));
    }

    /// <summary>True when the token is the host's secret of this workshop.</summary>
    public async Task<bool> IsHostTokenAsync(Guid workshopId, string? token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100) return false;
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from workshop where id = @workshopId and host_secret_hash = @hash)", new { workshopId, hash = Hash(token) }, cancellationToken: ct));
    }

    private static void RequireHost(Caller caller)
    {
        if (!caller.IsHost) throw new WorkshopException("Only the workshop's host can do this.", "Seule l'animation de l'atelier peut faire cela.");
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

    private static Task AppendAsync(NpgsqlConnection connection, DbTransaction tx, WorkshopEvent ev, long? annotationId, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("""
            insert into annotation_event (workshop_id, seq, type, actor_id, annotation_id, payload) values (@WorkshopId, @Seq, @Type, @ActorId, @annotationId, @payload::jsonb)
            """, new { ev.WorkshopId, ev.Seq, ev.Type, ev.ActorId, annotationId, payload = JsonSerializer.Serialize(ev, AnnotationRules.Json) }, tx, cancellationToken: ct));

    private static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string NewJoinCode() => RandomNumberGenerator.GetString(CodeAlphabet, CodeLength);

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

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
