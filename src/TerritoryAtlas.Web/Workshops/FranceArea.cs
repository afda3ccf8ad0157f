using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.IO;
using Npgsql;

namespace TerritoryAtlas.Web.Workshops;

/// <summary>
/// Is a drawing in France? Checked against the imported 'france' territory, simplified and widened by about 5 km
/// (0.05°) so that a point on a beach or a line along the coast is accepted. The shape is read once per process
/// and prepared in memory: a write then costs microseconds, not an ST_Intersects over 45,000 vertices.
/// </summary>
public sealed class FranceArea(NpgsqlDataSource db)
{
    private readonly SemaphoreSlim _loading = new(1, 1);
    private readonly Lock _lock = new();
    private IPreparedGeometry? _france;

    public async Task EnsureInsideAsync(Geometry geometry, CancellationToken ct)
    {
        var france = _france ?? await LoadAsync(ct);
        bool inside;
        // The prepared geometry builds its indexes lazily; a lock keeps that safe between concurrent writes.
        lock (_lock)
        {
            inside = france.Intersects(geometry);
        }

        if (!inside)
        {
            throw new WorkshopException("The drawing is outside France: annotations must touch French territory (metropolitan France or overseas).", "Le dessin est hors de France : une annotation doit toucher le territoire français (métropole ou outre-mer).");
        }
    }

    private async Task<IPreparedGeometry> LoadAsync(CancellationToken ct)
    {
        await _loading.WaitAsync(ct);
        try
        {
            if (_france is not null) return _france;
            await using var command = db.CreateCommand("""
                select st_asbinary(st_buffer(st_simplifypreservetopology(geom, 0.005), 0.05, 'quad_segs=2'))
                from territory where level = 'france'
                """);
            var wkb = await command.ExecuteScalarAsync(ct) as byte[]
                      ?? throw new WorkshopException("France's outline is not imported yet: run the import before a workshop.", "Le contour de la France n'est pas encore importé : lancez l'import avant un atelier.");
            var shape = new WKBReader().Read(wkb);
            _france = PreparedGeometryFactory.Prepare(shape);
            return _france;
        }
        finally
        {
            _loading.Release();
        }
    }
}
