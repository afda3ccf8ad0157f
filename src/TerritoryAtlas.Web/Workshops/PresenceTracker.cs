using System.Collections.Concurrent;

namespace TerritoryAtlas.Web.Workshops;

/// <summary>
/// Who is connected to which workshop, on this instance. With several instances each one lists its own connections:
/// presence changes are broadcast through the backplane, but a newcomer's first list covers the instance it reached.
/// </summary>
public sealed class PresenceTracker
{
    private readonly ConcurrentDictionary<string, Caller> _connections = new();

    public void Add(string connectionId, Caller caller) => _connections[connectionId] = caller;

    public Caller? Remove(string connectionId) => _connections.TryRemove(connectionId, out var caller) ? caller : null;

    public IReadOnlyList<string> ConnectionsOf(Guid participantId) =>
        _connections.Where(c => c.Value.ParticipantId == participantId).Select(c => c.Key).ToList();

    public IReadOnlyList<PresentParticipant> In(Guid workshopId) => _connections.Values
        .Where(c => c.WorkshopId == workshopId && !c.IsWatcher)
        .DistinctBy(c => c.ParticipantId)
        .Select(c => new PresentParticipant(c.ParticipantId, c.DisplayName, c.Colour, c.IsHost))
        .OrderBy(p => p.IsHost ? 0 : 1).ThenBy(p => p.DisplayName, StringComparer.CurrentCultureIgnoreCase)
        .ToList();
}
