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
    private (long Version, long Visibility, long CheckedAt) _current = (-1, -1, 0);
    private Task<(long Version, long Visibility, long CheckedAt)>? _reading;
    private long _generation;

    public async Task<long> CurrentAsync(CancellationToken ct) => (await StampAsync(ct)).Version;

    /// <summary>The data version when it was read less than two seconds ago, else null (then ask <see cref="CurrentAsync"/>).</summary>
    public long? Fresh
    {
        get
        {
            var cached = _current;
            return cached.Version >= 0 && Environment.TickCount64 - cached.CheckedAt < 2000 ? cached.Version : null;
        }
    }

    /// <summary>
    /// Both versions: what caches of visibility decisions are keyed by. When they are due, one read serves every
    /// request waiting for them: four hundred people behind one address opening a map in the same second would
    /// otherwise take four hundred connections for the same row.
    /// </summary>
    public async Task<(long Version, long Visibility)> StampAsync(CancellationToken ct)
    {
        var cached = _current;
        if (cached.Version >= 0 && Environment.TickCount64 - cached.CheckedAt < 2000)
        {
            return (cached.Version, cached.Visibility);
        }

        Task<(long Version, long Visibility, long CheckedAt)> reading;
        lock (_gate)
        {
            reading = _reading is { IsCompleted: false } underway ? underway : _reading = ReadAsync(_generation);
        }

        var current = await reading.WaitAsync(ct);
        return (current.Version, current.Visibility);
    }

    private async Task<(long Version, long Visibility, long CheckedAt)> ReadAsync(long generation)
    {
        await using var command = db.CreateCommand("select version, visibility_version from data_version");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var current = (reader.GetInt64(0), reader.GetInt64(1), Environment.TickCount64);
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
            _current = (-1, -1, 0);
            _reading = null;
        }
    }
}
