using System.IO.Compression;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.Web.Maps;

/// <summary>A built tile: the MVT bytes and their gzip copy, both kept so a warm tile costs no work at all.</summary>
public sealed record TileBytes(byte[] Raw, byte[] Gzip);

/// <summary>
/// Vector tiles of territory outlines. A tile depends only on the data version, so it is built once by PostGIS,
/// compressed once, and then served from memory.
/// </summary>
public sealed class TileQueries(NpgsqlDataSource db, IMemoryCache cache)
{
    private static readonly string TileSql = AtlasDatabase.Sql("Maps.tile.sql");

    public static int ExtentFor(int z) => z < 8 ? 1024 : 4096;

    public async Task<TileBytes> TileAsync(long version, string level, int z, int x, int y, CancellationToken ct) =>
        (await cache.GetOrCreateAsync($"tile|{version}|{level}|{z}|{x}|{y}", async entry =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            var raw = await connection.ExecuteScalarAsync<byte[]>(new CommandDefinition(TileSql,
                new { level, band = (short)ZoomBands.ForZoom(z).Number, z, x, y, extent = ExtentFor(z) }, cancellationToken: ct)) ?? [];
            using var compressed = new MemoryStream();
            await using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                await gzip.WriteAsync(raw, ct);
            }

            var tile = new TileBytes(raw, compressed.ToArray());
            entry.SetSize(Math.Max(1, (raw.Length + tile.Gzip.Length) / 1024));
            return tile;
        }))!;

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
