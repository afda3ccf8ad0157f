namespace TerritoryAtlas.Web.Maps;

/// <summary>
/// Territories are simplified once per zoom band at import, in Web Mercator metres. The tolerance is about one
/// screen pixel at the band's deepest zoom (156 543 m / 2^z per 256-px tile pixel), so outlines look exact while
/// a national tile of 35,000 communes stays small.
/// </summary>
public static class ZoomBands
{
    public sealed record Band(int Number, int MinZoom, int MaxZoom, double ToleranceMetres);

    public static readonly IReadOnlyList<Band> All =
    [
        new(0, 0, 4, 4_900),
        new(1, 5, 6, 1_200),
        new(2, 7, 8, 300),
        new(3, 9, 10, 75),
        new(4, 11, 24, 0),
    ];

    public static Band ForZoom(int zoom) => All.First(b => zoom >= b.MinZoom && zoom <= b.MaxZoom);
}
