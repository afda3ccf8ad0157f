using Npgsql;

namespace TerritoryAtlas.Web.Data;

/// <summary>
/// The data version (bumped by every import), re-read at most every two seconds: every map, tile and catalogue
/// request needs it, and a database round trip per warm tile would cost more than serving the tile. An import
/// shows within two seconds.
/// </summary>
public sealed class DataVersion(NpgsqlDataSource db)
{
    private (long Version, long CheckedAt) _current = (-1, 0);

    public async Task<long> CurrentAsync(CancellationToken ct)
    {
        var cached = _current;
        if (cached.Version >= 0 && Environment.TickCount64 - cached.CheckedAt < 2000)
        {
            return cached.Version;
        }

        await using var command = db.CreateCommand("select version from data_version");
        var version = (long)(await command.ExecuteScalarAsync(ct))!;
        _current = (version, Environment.TickCount64);
        return version;
    }
}
