using System.Text.Json;
using System.Text.Json.Serialization;
using NetTopologySuite.Geometries;

namespace TerritoryAtlas.Web.Workshops;

/// <summary>What a map shows: centre (longitude, latitude in WGS84), zoom, and the indicator layer.</summary>
public sealed record WorkshopView(double Lon, double Lat, double Zoom, string? Level, string? Indicator, int? Year);

public sealed record CreateWorkshopRequest(string? Title, WorkshopView? View, string? HostName);

/// <summary>A workshop as its host's account page lists it (the host link's secret is not stored, so not shown).</summary>
public sealed record HostedWorkshop(string Title, string JoinCode, DateTime CreatedAt, bool Locked, int Participants, int Annotations)
{
    public string ParticipantUrl => WorkshopLinks.Participant(JoinCode);

    public string ProjectionUrl => WorkshopLinks.Projection(JoinCode);
}

// The workshop's id travels as `roomId` (HTTP API, hub messages, the events stored in annotation_event): the hub
// protocol is a public contract clients were written against, so the wire keeps the name it was published with.

/// <summary>Answer to a workshop's creation: the host token is shown once and never stored in clear.</summary>
public sealed record CreatedWorkshop([property: JsonPropertyName("roomId")] Guid WorkshopId, string Title, string JoinCode, string HostToken, string ParticipantUrl, string HostUrl, string ProjectionUrl);

/// <summary>What a connection is, once it has joined, entered or started watching a workshop.</summary>
public sealed record Session(
    [property: JsonPropertyName("roomId")] Guid WorkshopId, string Title, string JoinCode, Guid? ParticipantId, string? DisplayName, string? Colour, string Role,
    string? Token, bool Locked, WorkshopView View, long LastSeq);

/// <summary>
/// An annotation as a client sends it (kind point, line, polygon or label; a GeoJSON geometry; a note; a colour). ClientId (a UUID the client makes, optional) makes creation idempotent: sent
/// again, the same id returns the event that created it instead of a second annotation.
/// </summary>
public sealed record AnnotationInput(string? Kind, JsonElement Geometry, string? Note, string? Colour, Guid? ClientId = null);

/// <summary>An annotation as it stands after an event.</summary>
public sealed record AnnotationState(
    long Id, string Kind, Geometry Geometry, string Note, string Colour, Guid AuthorId, string AuthorName,
    bool Hidden, bool Deleted, long Seq, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// One entry of a workshop's append-only log, as broadcast live and replayed by SyncSince. Type is one of created,
/// updated, deleted, hidden, shown (with Annotation), cleared (with AnnotationIds), locked, unlocked,
/// participantRemoved (with ParticipantId).
/// </summary>
public sealed record WorkshopEvent(
    [property: JsonPropertyName("roomId")] Guid WorkshopId, long Seq, string Type, DateTimeOffset At, Guid? ActorId,
    AnnotationState? Annotation = null, IReadOnlyList<long>? AnnotationIds = null, Guid? ParticipantId = null)
{
    /// <summary>
    /// The event as participants and the projection get it when its annotation is hidden: the host moderated it, so
    /// its drawing and note stay with the hosts (its id, kind, author and flags still travel, so a client drops it).
    /// </summary>
    public WorkshopEvent ForAudience(bool annotationHidden) =>
        annotationHidden && Annotation is { } a
            ? this with { Annotation = a with { Geometry = GeometryCollection.Empty, Note = "", Hidden = true } }
            : this;
}

/// <summary>Someone present in a workshop (connected now).</summary>
public sealed record PresentParticipant(Guid ParticipantId, string DisplayName, string Colour, bool IsHost);

/// <summary>Who a connection acts as; kept in the hub connection's items after Join, Enter or Watch.</summary>
public sealed record Caller(Guid WorkshopId, Guid ParticipantId, string DisplayName, string Colour, string Role)
{
    public bool IsHost => Role == Roles.Host;
    public bool IsWatcher => Role == Roles.Watcher;

    /// <summary>Refuses what only the workshop's host may do.</summary>
    public void RequireHost()
    {
        if (!IsHost) throw new WorkshopException("Only the workshop's host can do this.", "Seule l'animation de l'atelier peut faire cela.");
    }
}

public static class Roles
{
    public const string Host = "host";
    public const string Participant = "participant";
    public const string Watcher = "watcher";
}

/// <summary>
/// A request refused for a reason the caller can act on; the hub turns it into a HubException in the connection's
/// language (<see cref="WorkshopHub.LanguageOf"/>). <see cref="Exception.Message"/> is the API's English.
/// </summary>
public sealed class WorkshopException(string message, string french) : Exception(message)
{
    public string French { get; } = french;
}
