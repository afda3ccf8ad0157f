namespace TerritoryAtlas.Web.Maps;

/// <summary>
/// Territories are simplified once per zoom band at import, in Web Mercator metres, each band from the next finer
/// one (cheaper than from the full outline, and the errors add up to at most a third more than the band's own).
/// The tolerance is about one tile unit at the band's deepest zoom (see <see cref="TileGrid.ExtentFor"/>): finer
/// detail would be snapped away by ST_AsMVTGeom anyway, and every vertex saved is bytes on the wire and work for
/// the browser, which at zoom 5 draws some 22,000 communes from one tile.
/// </summary>
public static class ZoomBands
{
    public sealed record Band(int Number, int MinZoom, int MaxZoom, double ToleranceMetres);

    /// <summary>Finest first: the order in which they are built.</summary>
    public static readonly IReadOnlyList<Band> All =
    [
        new(5, 11, 24, 0),
        new(4, 9, 10, 75),
        new(3, 7, 8, 300),
        new(2, 6, 6, 1_200),
        new(1, 4, 5, 2_400),
        new(0, 0, 3, 4_900),
    ];

    public static Band ForZoom(int zoom) => All.First(b => zoom >= b.MinZoom && zoom <= b.MaxZoom);
}

/// <summary>The tile grid: Web Mercator, 2^z × 2^z tiles per zoom, and the resolution each zoom is encoded at.</summary>
public static class TileGrid
{
    public const int MaxZoom = 22;

    /// <summary>
    /// Tile units per side. MapLibre draws a tile 512 to 1,024 px wide, so at low zooms, where a commune is a few
    /// pixels, 512 units lose nothing visible and keep every coordinate delta to one byte; deeper zooms get the
    /// usual 4,096.
    /// </summary>
    public static int ExtentFor(int z) => z <= 5 ? 512 : z <= 7 ? 1024 : 4096;

    /// <summary>
    /// Tiles built in advance at import, for every level: the shallow zooms, where one tile holds thousands of
    /// territories and ST_AsMVT takes a fraction of a second. Deeper tiles are built on first request in a few
    /// milliseconds and then kept in memory.
    /// </summary>
    public static int PrebuiltMaxZoom(string level) => Territories.Levels.Find(level)?.PrebuiltMaxZoom ?? 5;

    /// <summary>Half the Web Mercator world's width, in metres: tile column 0 starts at -this, row 0 at +this.</summary>
    private const double HalfWorld = 20037508.342789244;

    /// <summary>
    /// The tiles of zoom <paramref name="z"/> whose envelope meets a Web Mercator box, edges included (PostGIS's
    /// <c>&amp;&amp;</c>, as tile.sql selects what a tile holds): a box ending exactly on a tile's edge meets both tiles.
    /// </summary>
    public static IEnumerable<(int Z, int X, int Y)> Covering(int z, double minX, double minY, double maxX, double maxY)
    {
        var size = 2 * HalfWorld / (1 << z);
        var last = (1 << z) - 1;
        // A metre either way: an edge on a tile boundary meets the tile on each side of it.
        int Column(double x) => Math.Clamp((int)Math.Floor((x + HalfWorld) / size), 0, last);
        int Row(double y) => Math.Clamp((int)Math.Floor((HalfWorld - y) / size), 0, last);
        for (var x = Column(minX - 1); x <= Column(maxX + 1); x++)
        {
            for (var y = Row(maxY + 1); y <= Row(minY - 1); y++)
            {
                yield return (z, x, y);
            }
        }
    }
}
