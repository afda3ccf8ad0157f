using Microsoft.AspNetCore.SignalR;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Web.Workshops;

/// <summary>
/// The workshop hub at /hubs/workshop; its methods and messages are documented in the README ("Workshop hub").
/// A connection first calls Join, Enter or Watch; every other method checks that the connection holds a role in
/// the workshop it names. Writes are validated, committed, then broadcast to the workshop's other connections and returned
/// to the caller as its acknowledgement, with the workshop's sequence number.
/// </summary>
public sealed class WorkshopHub(WorkshopService workshops, AnnotationLog log, WorkshopQueries queries, PresenceTracker presence, IndicatorQueries indicators) : Hub
{
    /// <summary>SyncSince answers at most this many events; a client asks again from the last one it got.</summary>
    public const int SyncPage = 1_000;

    /// <summary>The host's view is relayed at most this often per connection; extra ones are dropped.</summary>
    public static readonly TimeSpan ViewInterval = TimeSpan.FromMilliseconds(100);

    private const string CallerKey = "caller";
    private const string BucketKey = "bucket";
    private const string ViewKey = "lastView";

    public static string WorkshopGroup(Guid workshopId) => $"workshop:{workshopId}";

    // Hosts get hidden annotations whole, the audience (participants and the projection) gets them redacted.
    private static string HostGroup(Guid workshopId) => $"workshop:{workshopId}:hosts";

    private static string AudienceGroup(Guid workshopId) => $"workshop:{workshopId}:audience";

    private static string RoleGroup(Caller caller) => caller.IsHost ? HostGroup(caller.WorkshopId) : AudienceGroup(caller.WorkshopId);

    private static string ParticipantGroup(Guid participantId) => $"participant:{participantId}";

    // One group per class of viewers (Viewer.CacheKey) in a workshop: a restricted indicator's view goes to those it may reach.
    private static string ViewerGroup(Guid workshopId, string viewerKey) => $"workshop:{workshopId}:viewer:{viewerKey}";

    private Viewer Viewer => Viewer.From(Context.User);

    public async Task<Session> Join(string code, string displayName)
    {
        Throttle();
        await AdmitAsync(code);
        var (session, caller) = await workshops.JoinAsync(code, displayName, Context.ConnectionAborted);
        await AttachAsync(caller);
        return session;
    }

    public async Task<Session> Enter(string code, string token)
    {
        Throttle();
        await AdmitAsync(code);
        var (session, caller) = await workshops.EnterAsync(code, token, Context.ConnectionAborted);
        await AttachAsync(caller);
        return session;
    }

    public async Task<Session> Watch(string code)
    {
        Throttle();
        await AdmitAsync(code);
        var (session, caller) = await workshops.WatchAsync(code, Context.ConnectionAborted);
        await AttachAsync(caller);
        return session;
    }

    public Task<IReadOnlyList<WorkshopEvent>> SyncSince(Guid workshopId, long lastSeq)
    {
        var caller = CallerIn(workshopId);
        return queries.SyncSinceAsync(caller.WorkshopId, lastSeq, SyncPage, caller.IsHost, Context.ConnectionAborted);
    }

    public IReadOnlyList<PresentParticipant> Presence(Guid workshopId) => presence.In(CallerIn(workshopId).WorkshopId);

    public async Task<WorkshopEvent> AddAnnotation(Guid workshopId, AnnotationInput input)
    {
        // Sent again (its acknowledgement was lost): acknowledged again with the event that created it, and not
        // broadcast again — the workshop heard of it when it was written, and may since have seen it hidden.
        if (await queries.CreatedWithClientIdAsync(CallerIn(workshopId), input?.ClientId, Context.ConnectionAborted) is { } already)
        {
            return already;
        }

        return await WriteAsync(workshopId, (caller, ct) => log.AddAsync(caller, input, ct));
    }

    public Task<WorkshopEvent> EditAnnotation(Guid workshopId, long annotationId, AnnotationInput input) =>
        WriteAsync(workshopId, (caller, ct) => log.EditAsync(caller, annotationId, input, ct));

    public Task<WorkshopEvent> DeleteAnnotation(Guid workshopId, long annotationId) =>
        WriteAsync(workshopId, (caller, ct) => log.DeleteAsync(caller, annotationId, ct));

    public Task<WorkshopEvent> SetHidden(Guid workshopId, long annotationId, bool hidden) =>
        WriteAsync(workshopId, (caller, ct) => log.SetHiddenAsync(caller, annotationId, hidden, ct));

    public Task<WorkshopEvent> ClearAnnotations(Guid workshopId) =>
        WriteAsync(workshopId, (caller, ct) => log.ClearAsync(caller, ct));

    public Task<WorkshopEvent> SetLocked(Guid workshopId, bool locked) =>
        WriteAsync(workshopId, (caller, ct) => log.SetLockedAsync(caller, locked, ct));

    public async Task<WorkshopEvent> RemoveParticipant(Guid workshopId, Guid participantId)
    {
        var ev = await WriteAsync(workshopId, (caller, ct) => log.RemoveParticipantAsync(caller, participantId, ct));
        // Its connections on any instance are told to leave; those on this one are also cut, and their writes are
        // refused everywhere because each write checks the participant in the database.
        await Clients.Group(ParticipantGroup(participantId)).SendAsync("Removed", workshopId);
        foreach (var connectionId in presence.ConnectionsOf(participantId))
        {
            presence.Remove(connectionId);
            await Groups.RemoveFromGroupAsync(connectionId, WorkshopGroup(workshopId));
            await Groups.RemoveFromGroupAsync(connectionId, AudienceGroup(workshopId));
            await Groups.RemoveFromGroupAsync(connectionId, HostGroup(workshopId));
        }

        await Clients.Group(WorkshopGroup(workshopId)).SendAsync("Presence", presence.In(workshopId));
        return ev;
    }

    /// <summary>The host's view (centre, zoom, level, indicator, year), relayed to followers; not part of the log.</summary>
    public async Task ShareView(Guid workshopId, WorkshopView view)
    {
        var caller = CallerIn(workshopId);
        if (!caller.IsHost) throw Refusal("Only the workshop's host can lead the view.", "Seule l'animation mène la vue.");
        AnnotationRules.CheckView(view);
        // A host shares only what it may read itself, and an unknown indicator and a reserved one are refused alike.
        var indicator = view.Indicator is { } code
            ? await indicators.FindAsync(code, Viewer, Context.ConnectionAborted)
              ?? throw Refusal($"Unknown indicator '{code}'.", $"Indicateur inconnu « {code} ».")
            : null;

        var now = DateTime.UtcNow;
        if (Context.Items.TryGetValue(ViewKey, out var last) && last is DateTime at && now - at < ViewInterval) return;
        Context.Items[ViewKey] = now;
        if (indicator is { IsRestricted: true })
        {
            // Only to the classes of viewers in the workshop who may read it; the others keep the last view they could.
            foreach (var viewerKey in await workshops.ViewersWhoMayReadAsync(workshopId, indicator.Code, Context.ConnectionAborted))
            {
                await Clients.GroupExcept(ViewerGroup(workshopId, viewerKey), Context.ConnectionId).SendAsync("ViewChanged", view);
            }
        }
        else
        {
            await Clients.OthersInGroup(WorkshopGroup(workshopId)).SendAsync("ViewChanged", view);
        }

        await workshops.SaveViewAsync(caller, view, Context.ConnectionAborted);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (presence.Remove(Context.ConnectionId) is { IsWatcher: false } caller)
        {
            await Clients.Group(WorkshopGroup(caller.WorkshopId)).SendAsync("Presence", presence.In(caller.WorkshopId));
        }

        await base.OnDisconnectedAsync(exception);
    }

    private async Task AttachAsync(Caller caller)
    {
        // A connection belongs to one workshop; entering another one leaves the first.
        if (Context.Items.TryGetValue(CallerKey, out var previous) && previous is Caller old)
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, WorkshopGroup(old.WorkshopId));
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, RoleGroup(old));
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, ParticipantGroup(old.ParticipantId));
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, ViewerGroup(old.WorkshopId, Viewer.CacheKey));
        }

        Context.Items[CallerKey] = caller;
        await workshops.AddViewerAsync(caller.WorkshopId, Viewer, Context.ConnectionAborted);
        await Groups.AddToGroupAsync(Context.ConnectionId, ViewerGroup(caller.WorkshopId, Viewer.CacheKey));
        await Groups.AddToGroupAsync(Context.ConnectionId, WorkshopGroup(caller.WorkshopId));
        await Groups.AddToGroupAsync(Context.ConnectionId, RoleGroup(caller));
        if (caller.IsWatcher) return;
        await Groups.AddToGroupAsync(Context.ConnectionId, ParticipantGroup(caller.ParticipantId));
        presence.Add(Context.ConnectionId, caller);
        await Clients.Group(WorkshopGroup(caller.WorkshopId)).SendAsync("Presence", presence.In(caller.WorkshopId));
    }

    /// <summary>
    /// A workshop showing an indicator the caller may not read admits nobody who cannot read it: the caller is told to
    /// sign in (or that the indicator is not shared with its organisation), and learns nothing of the indicator.
    /// </summary>
    private async Task AdmitAsync(string code)
    {
        var workshop = await workshops.WorkshopByCodeAsync(code, Context.ConnectionAborted);
        if (workshop.View.Indicator is { } indicator
            && await indicators.FindAsync(indicator, Viewer, Context.ConnectionAborted) is null
            // An indicator that exists for nobody (rolled back since, or not imported here) hides nothing: the workshop
            // opens, its map without figures.
            && await indicators.FindAsync(indicator, Viewer.Staff, Context.ConnectionAborted) is not null)
        {
            throw Viewer.IsAnonymous
                ? Refusal("This workshop shows an indicator reserved to the observatory's members: sign in to take part.",
                    "Cet atelier montre un indicateur réservé aux membres de l'observatoire : connectez-vous pour y participer.")
                : Refusal("This workshop shows an indicator that is not shared with your organisation.",
                    "Cet atelier montre un indicateur qui n'est pas partagé avec votre organisation.");
        }
    }

    /// <summary>
    /// The language of a connection's refusals: what its address says (<c>/hubs/workshop?lang=fr</c>, as the
    /// workshop page connects), else the API's English (the data outage says it in French, as it always did).
    /// </summary>
    public static string? LanguageOf(HubCallerContext context) => context.GetHttpContext()?.Request.Query["lang"].ToString() switch
    {
        "fr" => "fr",
        "en" => "en",
        _ => null,
    };

    private HubException Refusal(string english, string french) => new(LanguageOf(Context) == "fr" ? french : english);

    private Caller CallerIn(Guid workshopId) =>
        Context.Items.TryGetValue(CallerKey, out var value) && value is Caller caller && caller.WorkshopId == workshopId
            ? caller
            : throw Refusal("Join or enter this workshop first (Join, Enter or Watch with its code).",
                "Rejoignez d'abord cet atelier (Join, Enter ou Watch avec son code).");

    private void Throttle()
    {
        if (Context.Items.TryGetValue(BucketKey, out var value) && value is TokenBucket bucket)
        {
            if (!bucket.TryTake())
            {
                throw Refusal($"Too many changes: at most {TokenBucket.PerSecond} a second (bursts of {TokenBucket.Burst}). Wait a moment.",
                    $"Trop de modifications : au plus {TokenBucket.PerSecond} par seconde (par rafales de {TokenBucket.Burst}). Patientez un instant.");
            }

            return;
        }

        var fresh = new TokenBucket();
        fresh.TryTake();
        Context.Items[BucketKey] = fresh;
    }

    private async Task<WorkshopEvent> WriteAsync(Guid workshopId, Func<Caller, CancellationToken, Task<WorkshopEvent>> write)
    {
        var caller = CallerIn(workshopId);
        Throttle();
        var ev = await write(caller, Context.ConnectionAborted);

        // Committed: now the others hear of it, and the caller's answer is its acknowledgement. A hidden annotation's
        // drawing and note reach the hosts only.
        if (ev.Annotation is { Hidden: true })
        {
            await Clients.GroupExcept(HostGroup(workshopId), Context.ConnectionId).SendAsync("Event", ev);
            await Clients.GroupExcept(AudienceGroup(workshopId), Context.ConnectionId).SendAsync("Event", ev.ForAudience(true));
        }
        else
        {
            await Clients.OthersInGroup(WorkshopGroup(workshopId)).SendAsync("Event", ev);
        }

        return ev;
    }
}

/// <summary>For bench/ only (configuration Bench:BareHub=true): re-broadcasts what it gets, to measure the rig itself.</summary>
public sealed class BareHub : Hub
{
    public Task Enter(string room) => Groups.AddToGroupAsync(Context.ConnectionId, room);

    public async Task<long> Broadcast(string room, string message, long stamp)
    {
        await Clients.OthersInGroup(room).SendAsync("Message", message, stamp);
        return stamp;
    }
}

/// <summary>Refusals and outages reach the caller, and only the caller, with their message; other failures stay generic.</summary>
public sealed class WorkshopErrors : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (WorkshopException e)
        {
            throw new HubException(WorkshopHub.LanguageOf(invocationContext.Context) == "fr" ? e.French : e.Message);
        }
        catch (Exception e) when (DatabaseOutage.IsUnstorableText(e))
        {
            throw new HubException(WorkshopHub.LanguageOf(invocationContext.Context) == "fr"
                ? "Un texte contient un caractère qui ne peut pas être enregistré (comme NUL, U+0000) : rien n'a été écrit."
                : DatabaseOutage.UnstorableTextMessage);
        }
        catch (Exception e) when (DatabaseOutage.Is(e))
        {
            // The client keeps what it was sending and tries again (workshop-hub.js, save); an annotation's client id makes the
            // retry of a write whose acknowledgement was lost return the same event instead of a second annotation.
            throw new HubException(WorkshopHub.LanguageOf(invocationContext.Context) == "en" ? DatabaseOutage.Message : DatabaseOutage.MessageFr);
        }
    }
}
