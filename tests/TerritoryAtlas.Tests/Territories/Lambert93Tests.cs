using NetTopologySuite.Geometries;
using TerritoryAtlas.Web.Territories;

namespace TerritoryAtlas.Tests.Territories;

public sealed class Lambert93Tests
{
    // Paris (Hôtel de Ville area): 2.35220° E, 48.85660° N ⇄ Lambert-93 (652469.02 m, 6862035.26 m).
    private const double ParisX = 652469.02, ParisY = 6862035.26, ParisLon = 2.35220, ParisLat = 48.85660;

    [Fact]
    public void Paris_in_Lambert93_is_at_its_longitude_and_latitude()
    {
        var (lon, lat) = Lambert93.ToWgs84(ParisX, ParisY);

        Assert.Equal(ParisLon, lon, 1e-5);
        Assert.Equal(ParisLat, lat, 1e-5);
    }

    [Fact]
    public void Longitude_and_latitude_round_trip_through_Lambert93_within_a_centimetre()
    {
        var (lon, lat) = Lambert93.ToWgs84(ParisX, ParisY);
        var (x, y) = Lambert93.FromWgs84(lon, lat);

        Assert.Equal(ParisX, x, 0.01);
        Assert.Equal(ParisY, y, 0.01);
    }

    [Theory]
    [InlineData(2.35220, 48.85660)]  // Paris
    [InlineData(-4.48600, 48.39040)] // Brest, far west
    [InlineData(7.75210, 48.57340)]  // Strasbourg, far east
    [InlineData(8.73690, 41.91920)]  // Ajaccio, far south-east
    [InlineData(3.00000, 46.50000)]  // the projection's origin
    public void Projection_agrees_with_the_Lambert_conformal_conic_formulas(double lon, double lat)
    {
        var (expectedX, expectedY) = LambertConformalConic(lon, lat);

        var (x, y) = Lambert93.FromWgs84(lon, lat);

        Assert.Equal(expectedX, x, 0.01);
        Assert.Equal(expectedY, y, 0.01);
    }

    [Fact]
    public void The_projection_origin_is_at_the_false_easting_and_northing()
    {
        // Lambert-93: latitude of origin 46.5°, central meridian 3°, false easting 700,000 m, false northing 6,600,000 m.
        var (x, y) = Lambert93.FromWgs84(3, 46.5);

        Assert.Equal(700_000, x, 0.01);
        Assert.Equal(6_600_000, y, 0.01);
    }

    [Fact]
    public void Geometries_are_reprojected_point_by_point_and_keep_their_shape()
    {
        var factory = new GeometryFactory(new PrecisionModel(), 2154);
        var square = factory.CreatePolygon([
            new(ParisX, ParisY), new(ParisX + 100, ParisY), new(ParisX + 100, ParisY + 100), new(ParisX, ParisY + 100), new(ParisX, ParisY)]);

        var wgs84 = Lambert93.ToWgs84(square);
        var back = Lambert93.FromWgs84(wgs84);

        Assert.Equal(4326, wgs84.SRID);
        Assert.Equal(2154, back.SRID);
        Assert.Equal(2154, square.SRID);
        Assert.Equal(ParisX, square.Coordinates[0].X); // the source geometry is left as it was
        Assert.Equal(ParisLon, wgs84.Coordinates[0].X, 1e-5);
        Assert.Equal(5, back.Coordinates.Length);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(square.Coordinates[i].X, back.Coordinates[i].X, 0.01);
            Assert.Equal(square.Coordinates[i].Y, back.Coordinates[i].Y, 0.01);
        }
    }

    /// <summary>
    /// An independent oracle: the Lambert conformal conic with two standard parallels on the GRS 80 ellipsoid
    /// (Snyder, "Map Projections: A Working Manual", eqs. 15-1 to 15-10), with Lambert-93's parameters.
    /// </summary>
    private static (double X, double Y) LambertConformalConic(double lon, double lat)
    {
        const double a = 6_378_137, f = 1 / 298.257222101;
        var e = Math.Sqrt(2 * f - f * f);
        double Rad(double degrees) => degrees * Math.PI / 180;
        double M(double phi) => Math.Cos(phi) / Math.Sqrt(1 - e * e * Math.Sin(phi) * Math.Sin(phi));
        double T(double phi) => Math.Tan(Math.PI / 4 - phi / 2) / Math.Pow((1 - e * Math.Sin(phi)) / (1 + e * Math.Sin(phi)), e / 2);

        double phi1 = Rad(49), phi2 = Rad(44), phi0 = Rad(46.5), lambda0 = Rad(3);
        var n = (Math.Log(M(phi1)) - Math.Log(M(phi2))) / (Math.Log(T(phi1)) - Math.Log(T(phi2)));
        var bigF = M(phi1) / (n * Math.Pow(T(phi1), n));
        var rho0 = a * bigF * Math.Pow(T(phi0), n);
        var rho = a * bigF * Math.Pow(T(Rad(lat)), n);
        var theta = n * (Rad(lon) - lambda0);
        return (700_000 + rho * Math.Sin(theta), 6_600_000 + rho0 - rho * Math.Cos(theta));
    }
}
