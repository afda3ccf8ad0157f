using System.IO.Compression;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.Web.Maps;

/// <summary>
/// Vector tiles of territory outlines. A tile depends only on the data version. Shallow tiles are built at import
/// (<see cref="TileGrid.PrebuiltMaxZoom"/>) and read from the vector_tile table; the others are built by PostGIS
/// on first request. Either way a tile is then served from memory.
/// </summary>
public sealed class TileQueries(NpgsqlDataSource db, IMemoryCache cache, ComputedOnce computed)
{
    private static readonly string TileSql = AtlasDatabase.Sql("Maps.tile.sql");

    private static string TileKey(long version, string level, int z, int x, int y) => $"tile|{version}|{level}|{z}|{x}|{y}";

    /// <summary>The tile when it is in memory, else null (then ask <see cref="TileAsync"/>): a warm tile allocates nothing more.</summary>
    public CompressedBytes? Cached(long version, string level, int z, int x, int y) =>
        computed.TryGet<CompressedBytes>(TileKey(version, level, z, x, y), out var tile) ? tile : null;

    public Task<CompressedBytes> TileAsync(long version, string level, int z, int x, int y, CancellationToken ct, Func<bool>? admit = null) =>
        computed.GetOrComputeAsync(TileKey(version, level, z, x, y), async build =>
        {
            await using var connection = await db.OpenConnectionAsync(build);
            var tile = z <= TileGrid.PrebuiltMaxZoom(level) ? await ReadPrebuiltAsync(connection, level, z, x, y, build) : null;
            // Not built in advance (deeper zoom, or a tile outside the level's territories): build it now, with
            // quick compression settings since someone is waiting for it.
            return tile ?? CompressedBytes.Compress(await BuildAsync(connection, level, z, x, y, build), CompressionLevel.Optimal, brotliQuality: 5);
        }, (entry, tile) => entry.SetSize(tile.CacheSize), ct, admit);

    private static async Task<CompressedBytes?> ReadPrebuiltAsync(NpgsqlConnection connection, string level, int z, int x, int y, CancellationToken ct)
    {
        var rows = (await connection.QueryAsync<(byte[] Mvt, byte[] Gzip, byte[] Br)>(new CommandDefinition(
            "select mvt, gzip, br from vector_tile where level = @level and z = @z and x = @x and y = @y",
            new { level, z = (short)z, x, y }, cancellationToken: ct))).AsList();
        return rows.Count == 1 ? new CompressedBytes(rows[0].Mvt, rows[0].Gzip, rows[0].Br) : null;
    }

    /// <summary>Encodes one tile with PostGIS (ST_AsMVT) from the level's copies for the tile's zoom band.</summary>
    public static async Task<byte[]> BuildAsync(NpgsqlConnection connection, string level, int z, int x, int y, CancellationToken ct) =>
        await connection.ExecuteScalarAsync<byte[]>(new CommandDefinition(TileSql,
            new { level, band = (short)ZoomBands.ForZoom(z).Number, z, x, y, extent = TileGrid.ExtentFor(z) },
            commandTimeout: 0, cancellationToken: ct)) ?? [];

    /// <summary>Every territory's name at a level, for tooltips and tables, in code order.</summary>
    public async Task<(string[] Codes, string[] Names)> NamesAsync(long version, string level, CancellationToken ct) =>
        await cache.GetOrCreateAsync((version, "names", level), async entry =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            var rows = (await connection.QueryAsync<(string Code, string Name)>(new CommandDefinition(
                "select code, name from territory where level = @level order by code", new { level }, cancellationToken: ct))).ToList();
            entry.SetSize(Math.Max(1, rows.Count / 40));
            return (rows.Select(r => r.Code).ToArray(), rows.Select(r => r.Name).ToArray());
        });
}
