using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Web.Workshops;

/// <summary>
/// Workshops and who is in them: opening one, joining, entering with a token, watching, the host's saved view, the
/// classes of viewers present. Changes to annotations go through <see cref="AnnotationLog"/>, catch-up reads through
/// <see cref="WorkshopQueries"/>.
/// </summary>
public sealed class WorkshopService(NpgsqlDataSource db)
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
                return new CreatedWorkshop(workshopId, title, code, hostToken, WorkshopLinks.Participant(code), WorkshopLinks.Host(code, hostToken), WorkshopLinks.Projection(code));
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
        caller.RequireHost();
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


    private static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string NewJoinCode() => RandomNumberGenerator.GetString(CodeAlphabet, CodeLength);

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
