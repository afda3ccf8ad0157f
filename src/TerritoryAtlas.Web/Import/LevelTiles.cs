using System.IO.Compression;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.Web.Import;

/// <summary>
/// A level's map geometry: its Web Mercator copies per zoom band, then its shallow vector tiles encoded and compressed
/// once. The importer builds every level this way (<see cref="BuildTilesAsync"/>, two tiles at a time), and a boundary
/// publication or a zoning rebuilds its level inside its own transaction (<see cref="RebuildTilesAsync"/>).
/// </summary>
public static class LevelTiles
{
    /// <summary>The level's prebuilt tiles, one after the other on the caller's connection (and transaction); returns how many.</summary>
    public static async Task<int> RebuildTilesAsync(NpgsqlConnection connection, string level, CancellationToken ct)
    {
        var tiles = await ResetAsync(connection, level, ct);
        foreach (var tile in tiles)
        {
            await BuildAsync(connection, level, tile, ct);
        }

        return tiles.Count;
    }

    /// <summary>
    /// The import's shallow tiles of a level, encoded and compressed once here rather than on a visitor's first request.
    /// Two at a time: PostGIS encodes one while .NET compresses the other. Returns the tiles and their MVT bytes.
    /// </summary>
    public static async Task<(int Tiles, long Bytes)> BuildTilesAsync(NpgsqlDataSource db, string level, CancellationToken ct)
    {
        List<(int Z, int X, int Y)> tiles;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            tiles = await ResetAsync(connection, level, ct);
        }

        long bytes = 0;
        await Parallel.ForEachAsync(tiles, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct }, async (tile, token) =>
        {
            await using var connection = await db.OpenConnectionAsync(token);
            Interlocked.Add(ref bytes, await BuildAsync(connection, level, tile, token));
        });
        return (tiles.Count, bytes);
    }

    /// <summary>
    /// Every zoom band of the level's copies, the finest projected, each coarser one simplified from the finer; of the
    /// territories <paramref name="only"/> names (null: all of them).
    /// </summary>
    public static async Task BuildGeometryAsync(NpgsqlConnection connection, string level, CancellationToken ct, int[]? only = null)
    {
        short? finer = null;
        foreach (var band in ZoomBands.All)
        {
            await connection.ExecuteAsync(new CommandDefinition(AtlasDatabase.Sql("Import.tile_geometry.sql"),
                new { level, band = (short)band.Number, tolerance = band.ToleranceMetres, from_band = finer, only }, commandTimeout: 0, cancellationToken: ct));
            finer = (short)band.Number;
        }
    }

    /// <summary>
    /// The map geometry and prebuilt tiles of a level where some of its territories changed outline: the copies of
    /// <paramref name="territories"/>, and every prebuilt tile whose envelope meets one of <paramref name="areas"/>
    /// (Web Mercator boxes holding their outlines before and after). What rebuilding the whole level gives: copies are
    /// made territory by territory, a tile holds the copies whose box meets its envelope (tile.sql), and the tiles kept
    /// are those the whole level's coverage lists. A layer redrawing one département's communes rebuilds a few
    /// hundred copies and a few dozen tiles instead of 35,000 and 1,400. Returns the tiles built.
    /// </summary>
    public static async Task<int> RebuildPartAsync(NpgsqlConnection connection, string level, int[] territories,
        IReadOnlyCollection<(double MinX, double MinY, double MaxX, double MaxY)> areas, CancellationToken ct)
    {
        await BuildGeometryAsync(connection, level, ct, territories);
        var touched = new HashSet<(int Z, int X, int Y)>();
        for (var z = 0; z <= TileGrid.PrebuiltMaxZoom(level); z++)
        {
            foreach (var area in areas)
            {
                touched.UnionWith(TileGrid.Covering(z, area.MinX, area.MinY, area.MaxX, area.MaxY));
            }
        }

        var kept = (await CoverageAsync(connection, level, ct)).ToHashSet();
        var gone = touched.ToList();
        await connection.ExecuteAsync(new CommandDefinition("""
            delete from vector_tile v
            using unnest(@zs, @xs, @ys) as t (z, x, y)
            where v.level = @level and v.z = t.z and v.x = t.x and v.y = t.y
            """, new { level, zs = gone.Select(t => (short)t.Z).ToArray(), xs = gone.Select(t => t.X).ToArray(), ys = gone.Select(t => t.Y).ToArray() },
            cancellationToken: ct));
        var built = 0;
        foreach (var tile in touched.Where(kept.Contains).OrderBy(t => t.Z).ThenBy(t => t.X).ThenBy(t => t.Y))
        {
            await BuildAsync(connection, level, tile, ct);
            built++;
        }

        return built;
    }

    /// <summary>The tiles of zooms 0 to the level's prebuilt depth its territories touch, after removing its old ones.</summary>
    public static async Task<List<(int Z, int X, int Y)>> ResetAsync(NpgsqlConnection connection, string level, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition("delete from vector_tile where level = @level", new { level }, cancellationToken: ct));
        return await CoverageAsync(connection, level, ct);
    }

    /// <summary>The tiles of zooms 0 to the level's prebuilt depth its territories touch (tile_coverage.sql): those built in advance.</summary>
    private static async Task<List<(int Z, int X, int Y)>> CoverageAsync(NpgsqlConnection connection, string level, CancellationToken ct)
    {
        var tiles = new List<(int Z, int X, int Y)>();
        for (var z = 0; z <= TileGrid.PrebuiltMaxZoom(level); z++)
        {
            var band = (short)ZoomBands.ForZoom(z).Number;
            foreach (var (x, y) in await connection.QueryAsync<(int X, int Y)>(new CommandDefinition(
                         AtlasDatabase.Sql("Import.tile_coverage.sql"), new { level, band, z }, commandTimeout: 0, cancellationToken: ct)))
            {
                tiles.Add((z, x, y));
            }
        }

        return tiles;
    }

    /// <summary>Encodes one tile (PostGIS), compresses it and stores it; returns its MVT size (0: nothing there).</summary>
    public static async Task<int> BuildAsync(NpgsqlConnection connection, string level, (int Z, int X, int Y) tile, CancellationToken ct)
    {
        var raw = await TileQueries.BuildAsync(connection, level, tile.Z, tile.X, tile.Y, ct);
        if (raw.Length == 0)
        {
            return 0;
        }

        // The few tiles holding most of France's communes get brotli's slowest, tightest setting (a second each); the
        // rest a quicker one that gives up a few percent.
        var compressed = CompressedBytes.Compress(raw, CompressionLevel.SmallestSize, raw.Length > 300_000 ? 11 : 9);
        await connection.ExecuteAsync(new CommandDefinition(
            "insert into vector_tile (level, z, x, y, mvt, gzip, br) values (@level, @z, @x, @y, @mvt, @gzip, @br)",
            new { level, z = (short)tile.Z, x = tile.X, y = tile.Y, mvt = raw, gzip = compressed.Gzip, br = compressed.Brotli },
            cancellationToken: ct));
        return raw.Length;
    }
}
