using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.Web.Maps;

/// <summary>
/// Vector tiles of territory outlines. A tile depends only on the data version, so it is built once by PostGIS
/// and then served from memory.
/// </summary>
public sealed class TileQueries(NpgsqlDataSource db, IMemoryCache cache)
{
    private static readonly string TileSql = AtlasDatabase.Sql("Maps.tile.sql");

    public async Task<byte[]> TileAsync(long version, string level, int z, int x, int y, CancellationToken ct) =>
        (await cache.GetOrCreateAsync((version, "tile", level, z, x, y), async entry =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            var bytes = await connection.ExecuteScalarAsync<byte[]>(new CommandDefinition(TileSql,
                new { level, band = (short)ZoomBands.ForZoom(z).Number, z, x, y }, cancellationToken: ct)) ?? [];
            entry.SetSize(Math.Max(1, bytes.Length / 1024));
            return bytes;
        }))!;
}
