using NetTopologySuite.Geometries;
using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;

namespace TerritoryAtlas.Web.Territories;

/// <summary>
/// Lambert-93 (EPSG:2154) ⇄ WGS84 (EPSG:4326). Official IGN ADMIN EXPRESS files are in Lambert-93; the web wants
/// longitude/latitude. ProjNET has no EPSG database, so the WKT is PostGIS's own spatial_ref_sys text for 2154
/// (it carries the TOWGS84 clause), which keeps our results equal to ST_Transform's.
/// </summary>
public static class Lambert93
{
    public const int Srid = 2154;

    private const string Wkt =
        """PROJCS["RGF93 / Lambert-93",GEOGCS["RGF93",DATUM["Reseau_Geodesique_Francais_1993",SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]],TOWGS84[0,0,0,0,0,0,0],AUTHORITY["EPSG","6171"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4171"]],PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["standard_parallel_1",49],PARAMETER["standard_parallel_2",44],PARAMETER["latitude_of_origin",46.5],PARAMETER["central_meridian",3],PARAMETER["false_easting",700000],PARAMETER["false_northing",6600000],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["X",EAST],AXIS["Y",NORTH],AUTHORITY["EPSG","2154"]]""";

    // Building a transformation is slow; build each direction once.
    private static readonly Lazy<(MathTransform ToWgs84, MathTransform FromWgs84)> Transforms = new(() =>
    {
        var lambert = (ProjectedCoordinateSystem)new CoordinateSystemFactory().CreateFromWkt(Wkt);
        var factory = new CoordinateTransformationFactory();
        return (factory.CreateFromCoordinateSystems(lambert, GeographicCoordinateSystem.WGS84).MathTransform,
                factory.CreateFromCoordinateSystems(GeographicCoordinateSystem.WGS84, lambert).MathTransform);
    });

    public static Geometry ToWgs84(Geometry lambert93) => Apply(lambert93, Transforms.Value.ToWgs84, 4326);

    public static Geometry FromWgs84(Geometry wgs84) => Apply(wgs84, Transforms.Value.FromWgs84, Srid);

    public static (double X, double Y) FromWgs84(double longitude, double latitude)
    {
        var (x, y) = Transforms.Value.FromWgs84.Transform(longitude, latitude);
        return (x, y);
    }

    public static (double Longitude, double Latitude) ToWgs84(double x, double y)
    {
        var (lon, lat) = Transforms.Value.ToWgs84.Transform(x, y);
        return (lon, lat);
    }

    private static Geometry Apply(Geometry geometry, MathTransform transform, int srid)
    {
        var copy = geometry.Copy();
        copy.Apply(new TransformFilter(transform));
        copy.SRID = srid;
        return copy;
    }

    private sealed class TransformFilter(MathTransform transform) : IEntireCoordinateSequenceFilter
    {
        public bool Done => false;
        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq)
        {
            for (var i = 0; i < seq.Count; i++)
            {
                var (x, y) = transform.Transform(seq.GetX(i), seq.GetY(i));
                seq.SetX(i, x);
                seq.SetY(i, y);
            }
        }
    }
}
