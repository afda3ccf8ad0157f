using System.Data;
using Npgsql;
using NpgsqlTypes;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.Web.Export;

/// <summary>How the geometry reaches the JSON: already encoded by PostGIS, or read as NetTopologySuite geometry.</summary>
public enum GeometryEncoding
{
    None,
    PostGis,
    Nts,
}

/// <summary>What a download would hold, for the preview: rows and an estimate of the file size.</summary>
public sealed record ExportPreview(int Rows, long Points, long ApproximateGeoJsonBytes, long ApproximateCsvBytes);

/// <summary>Runs the export's one query and hands rows, read sequentially, to a writer.</summary>
public sealed class ExportQueries(NpgsqlDataSource db)
{
    private static readonly string Sql = AtlasDatabase.Sql("Export.export.sql");

    public async Task<int?> FindTerritoryAsync(string level, string code, CancellationToken ct)
    {
        await using var command = db.CreateCommand("select id from territory where level = @level and code = @code");
        command.Parameters.AddWithValue("level", level);
        command.Parameters.AddWithValue("code", code);
        return await command.ExecuteScalarAsync(ct) as int?;
    }

    /// <summary>Counts the rows the export would hold and estimates its size (from the number of points).</summary>
    public async Task<ExportPreview> PreviewAsync(ExportRequest request, CancellationToken ct) => await CountAsync(request, true, ct);

    /// <summary>Counts the rows the export would hold (for OGC API's numberMatched), without touching geometry.</summary>
    public async Task<int> CountAsync(ExportRequest request, CancellationToken ct) => (await CountAsync(request, false, ct)).Rows;

    private async Task<ExportPreview> CountAsync(ExportRequest request, bool withPoints, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
#pragma warning disable CA2100 // The SQL is our embedded file; every value is a parameter.
        await using var command = new NpgsqlCommand($"select count(*)::int, coalesce(sum(npoints), 0)::bigint from ({Sql}) q", connection);
#pragma warning restore CA2100
        AddParameters(command, request with { Limit = null, After = null }, withPoints ? "count" : "none");
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var rows = reader.GetInt32(0);
        var points = reader.GetInt64(1);
        // Measured on the real data: a coordinate pair costs ~22 bytes in GeoJSON (6 decimals), a feature's
        // envelope and names ~150, each figure ~40. A CSV line repeats the territory (~12 bytes and ~8 per parent
        // code) and, for each figure, the indicator's code, unit and label, so those are counted from the catalogue
        // rather than guessed (the sources are in the sidecar file).
        var territory = 12L + 8L * request.ParentLevels.Count;
        var csv = request.Pairs.Count == 0
            ? rows * territory
            : rows * request.Pairs.Sum(p => territory + 20L + Utf8(p.Indicator.Code) + Utf8(p.Indicator.Unit) + Utf8(p.Indicator.Label));
        var geoJson = (request.Simplify > 0 ? points / 4 : points) * 22 + rows * (150L + 40L * request.Pairs.Count);
        return new ExportPreview(rows, points, geoJson, csv);
    }

    private static long Utf8(string? text) => text is null ? 0 : System.Text.Encoding.UTF8.GetByteCount(text) + 2;

    /// <summary>Streams the rows of the request to <paramref name="onRow"/>, one at a time; nothing is buffered.</summary>
    public async Task ReadAsync(ExportRequest request, GeometryEncoding encoding, Func<ExportRow, Task> onRow, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
#pragma warning disable CA2100 // The SQL is our embedded file; every value is a parameter.
        await using var command = new NpgsqlCommand(Sql, connection);
#pragma warning restore CA2100
        AddParameters(command, request, encoding switch
        {
            GeometryEncoding.PostGis => "postgis",
            GeometryEncoding.Nts => "nts",
            _ => "none",
        });
        // Sequential access: each row's columns are read once, in order, straight from the network buffer, so a
        // 50 MB geometry column never sits whole in memory beside the others.
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        try
        {
            await ReadRowsAsync(reader, encoding, onRow, ct);
        }
        catch (Exception)
        {
            // Disposing a reader mid-result drains every remaining row; a client that hung up must stop the query
            // in PostGIS instead, so cancel it first.
            command.Cancel();
            throw;
        }
    }

    private static async Task ReadRowsAsync(NpgsqlDataReader reader, GeometryEncoding encoding, Func<ExportRow, Task> onRow, CancellationToken ct)
    {
        var row = new ExportRow();
        while (await reader.ReadAsync(ct))
        {
            row.Code = reader.GetString(0);
            row.Name = reader.GetString(1);
            row.Parents = reader.GetFieldValue<string?[]>(2);
            row.Values = await reader.IsDBNullAsync(3, ct) ? [] : reader.GetFieldValue<double?[]>(3);
            row.Statuses = await reader.IsDBNullAsync(4, ct) ? [] : reader.GetFieldValue<string[]>(4);
            row.GeoJson = null;
            if (encoding == GeometryEncoding.PostGis && !await reader.IsDBNullAsync(5, ct))
            {
                // The geometry's UTF-8 bytes land in one buffer reused from row to row (grown for the largest).
                await using var stream = await reader.GetStreamAsync(5, ct);
                var length = (int)stream.Length;
                if (row.Buffer.Length < length)
                {
                    row.Buffer = new byte[Math.Max(length, row.Buffer.Length * 2)];
                }

                await stream.ReadExactlyAsync(row.Buffer.AsMemory(0, length), ct);
                row.GeoJson = row.Buffer.AsMemory(0, length);
            }

            row.Geometry = encoding == GeometryEncoding.Nts && !await reader.IsDBNullAsync(6, ct)
                ? reader.GetFieldValue<NetTopologySuite.Geometries.Geometry>(6)
                : null;
            // Last: the reader is sequential, columns are read in their order.
            row.Sources = await reader.IsDBNullAsync(8, ct) ? [] : reader.GetFieldValue<string?[]>(8);
            await onRow(row);
        }
    }

    private static void AddParameters(NpgsqlCommand command, ExportRequest request, string geometry)
    {
        var p = command.Parameters;
        p.Add(new NpgsqlParameter("level", NpgsqlDbType.Text) { Value = request.Level });
        p.Add(new NpgsqlParameter("indicators", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = request.Pairs.Select(x => x.Indicator.Code).ToArray() });
        p.Add(new NpgsqlParameter("years", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = request.Pairs.Select(x => x.Year).ToArray() });
        p.Add(new NpgsqlParameter("parent_levels", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = request.ParentLevels.ToArray() });
        p.Add(Nullable("within", NpgsqlDbType.Integer, request.Within?.Id));
        p.Add(Nullable("min", NpgsqlDbType.Double, request.Min));
        p.Add(Nullable("max", NpgsqlDbType.Double, request.Max));
        p.Add(Nullable("bbox_west", NpgsqlDbType.Double, request.Bbox?.West));
        p.Add(Nullable("bbox_south", NpgsqlDbType.Double, request.Bbox?.South));
        p.Add(Nullable("bbox_east", NpgsqlDbType.Double, request.Bbox?.East));
        p.Add(Nullable("bbox_north", NpgsqlDbType.Double, request.Bbox?.North));
        p.Add(new NpgsqlParameter("simplify", NpgsqlDbType.Double) { Value = request.Simplify / ExportRequest.MetresPerDegree });
        p.Add(new NpgsqlParameter("geometry", NpgsqlDbType.Text) { Value = geometry });
        // 6 decimals of a degree ≈ 0.1 m: finer than the 2018 boundaries themselves.
        p.Add(new NpgsqlParameter("decimals", NpgsqlDbType.Integer) { Value = 6 });
        p.Add(Nullable("code", NpgsqlDbType.Text, request.Code));
        p.Add(Nullable("limit", NpgsqlDbType.Bigint, (long?)request.Limit));
        p.Add(Nullable("after", NpgsqlDbType.Text, request.After));
    }

    private static NpgsqlParameter Nullable<T>(string name, NpgsqlDbType type, T? value) where T : struct =>
        new(name, type) { Value = value.HasValue ? value.Value : DBNull.Value };

    private static NpgsqlParameter Nullable(string name, NpgsqlDbType type, string? value) =>
        new(name, type) { Value = (object?)value ?? DBNull.Value };
}

/// <summary>One territory of an export; reused from row to row (the reader fills it, the writer consumes it at once).</summary>
public sealed class ExportRow
{
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public string?[] Parents { get; set; } = [];
    public double?[] Values { get; set; } = [];
    public string[] Statuses { get; set; } = [];

    /// <summary>
    /// Each figure's provenance: "contribution:{dataset version id}" (GET /api/datasets/{id}), "import:{dataset}" (the
    /// data directory's import, indicators/manifest.json) or "derived" (computed by the atlas); null without a figure.
    /// </summary>
    public string?[] Sources { get; set; } = [];

    /// <summary>The geometry as PostGIS encoded it (UTF-8 JSON), valid until the next row.</summary>
    public ReadOnlyMemory<byte>? GeoJson { get; set; }

    public byte[] Buffer { get; set; } = new byte[64 * 1024];
    public NetTopologySuite.Geometries.Geometry? Geometry { get; set; }
}
