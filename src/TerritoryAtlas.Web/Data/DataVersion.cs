using Dapper;
using Npgsql;

namespace TerritoryAtlas.Web.Data;

/// <summary>
/// The data version (bumped by every import) and the visibility version (bumped whenever who may read an indicator
/// changes), re-read together at most every two seconds: every map, tile and catalogue request needs them, and a
/// database round trip per warm tile would cost more than serving the tile. An import or a visibility change shows
/// on every instance within two seconds, and at once on the instance that made it (<see cref="Invalidate"/>).
/// </summary>
public sealed class DataVersion(NpgsqlDataSource db)
{
    private readonly Lock _gate = new();

    /// <summary>Both versions as last read, and when: one reference, so a reader never sees half of a new stamp.</summary>
    private sealed record Reading(long Version, long Visibility, long CheckedAt);

    private Reading? _current;
    private Task<Reading>? _reading;
    private long _generation;

    /// <summary>The data version: at once (no task allocated) when it was read less than two seconds ago.</summary>
    public ValueTask<long> CurrentAsync(CancellationToken ct) =>
        TryFresh(out var stamp) ? new(stamp.Version) : new(ReadVersionAsync(ct));

    private async Task<long> ReadVersionAsync(CancellationToken ct) => (await StampAsync(ct)).Version;

    /// <summary>The data version when it was read less than two seconds ago, else null (then ask <see cref="CurrentAsync"/>).</summary>
    public long? Fresh => TryFresh(out var stamp) ? stamp.Version : null;

    /// <summary>
    /// Both versions when they were read less than two seconds ago, without waiting: what a warm request's caches
    /// are keyed by, answered synchronously (else ask <see cref="StampAsync"/>).
    /// </summary>
    public bool TryFresh(out (long Version, long Visibility) stamp)
    {
        if (_current is { } cached && Environment.TickCount64 - cached.CheckedAt < 2000)
        {
            stamp = (cached.Version, cached.Visibility);
            return true;
        }

        stamp = default;
        return false;
    }

    /// <summary>
    /// Both versions: what caches of visibility decisions are keyed by. When they are due, one read serves every
    /// request waiting for them: four hundred people behind one address opening a map in the same second would
    /// otherwise take four hundred connections for the same row.
    /// </summary>
    public ValueTask<(long Version, long Visibility)> StampAsync(CancellationToken ct) =>
        TryFresh(out var stamp) ? new(stamp) : new(ReadStampAsync(ct));

    private async Task<(long Version, long Visibility)> ReadStampAsync(CancellationToken ct)
    {
        Task<Reading> reading;
        lock (_gate)
        {
            reading = _reading is { IsCompleted: false } underway ? underway : _reading = ReadAsync(_generation);
        }

        var current = await reading.WaitAsync(ct);
        return (current.Version, current.Visibility);
    }

    private async Task<Reading> ReadAsync(long generation)
    {
        await using var command = db.CreateCommand("select version, visibility_version from data_version");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var current = new Reading(reader.GetInt64(0), reader.GetInt64(1), Environment.TickCount64);
        lock (_gate)
        {
            // A read that started before an Invalidate may predate the change: it answers its own waiters, but is not kept.
            if (generation == _generation)
            {
                _current = current;
            }
        }

        return current;
    }

    /// <summary>Makes the next call read the database: this instance has just changed something.</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _generation++;
            _current = null;
            _reading = null;
        }
    }

    /// <summary>
    /// Moves the data version in the caller's transaction, the last step of whatever changed the figures or outlines (an
    /// import, a publication or roll back, a zoning): every instance polls it, so maps, tiles and exports follow.
    /// </summary>
    public static Task MoveAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("update data_version set version = version + 1, updated_at = now()",
            transaction: transaction, cancellationToken: ct));
}
