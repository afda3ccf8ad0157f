using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;
using TerritoryAtlas.Web.Territories;

namespace TerritoryAtlas.Web.Export;

/// <summary>
/// Writes exports feature by feature (GeoJSON, Utf8JsonWriter) or line by line (CSV) as the rows arrive from PostGIS,
/// flushing every few tens of kilobytes: memory stays flat whatever the row count, and the first bytes leave before
/// the query has finished.
/// </summary>
/// <summary>
/// A page of OGC items: the query reads one row more than the page holds, so whether a next page exists is known
/// without counting; the members that depend on the rows (numberReturned, the next link's last code) follow them.
/// </summary>
public sealed class FeaturePage(int size, Action<Utf8JsonWriter, FeaturePage> trailingMembers)
{
    public int Returned { get; private set; }

    public string? LastCode { get; private set; }

    public bool More { get; private set; }

    public Action<Utf8JsonWriter, FeaturePage> TrailingMembers { get; } = trailingMembers;

    public bool Take(string code)
    {
        if (Returned == size)
        {
            More = true;
            return false;
        }

        Returned++;
        LastCode = code;
        return true;
    }
}

public static class ExportWriters
{
    private const int FlushThreshold = 32 * 1024;

    // Names and labels are French: written as UTF-8, not \u-escaped (the files are downloads, never inlined in HTML).
    private static readonly JsonWriterOptions JsonOptions = new()
    {
        SkipValidation = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonSerializerOptions GeoJsonOptions = new() { Converters = { new GeoJsonConverterFactory() } };

    /// <summary>
    /// WGS84 geometry is fastest as PostGIS encodes it (ST_AsGeoJSON, measured in bench/); Lambert-93 needs the
    /// geometry in .NET, where ProjNET reprojects it and GeoJSON4STJ writes it.
    /// </summary>
    public static GeometryEncoding DefaultEncoding(ExportRequest request) =>
        request.Crs == 4326 ? GeometryEncoding.PostGis : GeometryEncoding.Nts;

    public static async Task WriteGeoJsonAsync(
        ExportQueries queries, ExportRequest request, GeometryEncoding encoding, PipeWriter output, CancellationToken ct,
        Action<Utf8JsonWriter>? extraMembers = null, FeaturePage? page = null)
    {
        if (request.Crs != 4326 && encoding != GeometryEncoding.Nts)
        {
            throw new ArgumentException("only NetTopologySuite geometry can be reprojected", nameof(encoding));
        }

        await using var json = new Utf8JsonWriter(output, JsonOptions);
        json.WriteStartObject();
        json.WriteString("type", "FeatureCollection");
        json.WriteString("name", request.FileStem);
        if (request.Crs != 4326)
        {
            // RFC 7946 §4 allows another CRS by prior arrangement; the 2008 `crs` member is what GDAL and QGIS read.
            json.WriteStartObject("crs");
            json.WriteString("type", "name");
            json.WriteStartObject("properties");
            json.WriteString("name", $"urn:ogc:def:crs:EPSG::{request.Crs}");
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteStartArray("indicators");
        foreach (var indicator in request.Pairs.GroupBy(p => p.Indicator.Code))
        {
            var info = indicator.First().Indicator;
            json.WriteStartObject();
            json.WriteString("code", info.Code);
            json.WriteString("label", info.Label);
            json.WriteString("unit", info.Unit);
            json.WriteString("source", info.Source);
            json.WriteString("producer", info.Producer);
            json.WriteString("licence", info.Licence);
            json.WriteStartArray("years");
            foreach (var pair in indicator)
            {
                json.WriteNumberValue(pair.Year);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        extraMembers?.Invoke(json);
        json.WriteStartArray("features");
        // The envelope leaves at once: the first byte does not wait for the query.
        await FlushAsync(json, output, ct);

        var features = new FeatureWriter(request);
        var flushed = json.BytesCommitted;
        await queries.ReadAsync(request, encoding, async row =>
        {
            if (page is not null && !page.Take(row.Code))
            {
                return;
            }

            features.Write(json, row);
            // Not BytesPending: the writer commits to the pipe whenever a pipe segment fills, which resets it; bytes
            // committed but never flushed pile up in the pipe, unbounded. Counting both, the pipe's back-pressure
            // reaches PostGIS: a slow client slows the query instead of filling memory.
            if (json.BytesCommitted + json.BytesPending - flushed > FlushThreshold)
            {
                await FlushAsync(json, output, ct);
                flushed = json.BytesCommitted;
            }
        }, ct);

        json.WriteEndArray();
        page?.TrailingMembers(json, page);
        json.WriteEndObject();
        await FlushAsync(json, output, ct);
    }

    /// <summary>Writes the one feature the request selects (by code), with extra members such as links.</summary>
    public static async Task WriteFeatureAsync(
        ExportQueries queries, ExportRequest request, PipeWriter output, Action<Utf8JsonWriter> extraMembers, CancellationToken ct)
    {
        await using var json = new Utf8JsonWriter(output, JsonOptions);
        var features = new FeatureWriter(request);
        await queries.ReadAsync(request, DefaultEncoding(request), row =>
        {
            features.Write(json, row, extraMembers);
            return Task.CompletedTask;
        }, ct);
        await FlushAsync(json, output, ct);
    }

    /// <summary>
    /// One line per territory and (indicator, year) — the tidy long form R and pandas pivot easily. With <c>sep=;</c>
    /// decimals take a comma, as French spreadsheets read them (a `;` separator exists precisely because the comma is
    /// the decimal mark there); with the default <c>,</c> they take a point.
    /// </summary>
    public static async Task WriteCsvAsync(ExportQueries queries, ExportRequest request, Stream output, CancellationToken ct)
    {
        await using var csv = CsvOutput.To(output, request.Separator, request.Bom);
        var header = new List<string> { "code", "name" };
        header.AddRange(request.ParentLevels);
        if (request.Pairs.Count > 0)
        {
            // The sources (often 200 characters) are not repeated on every line: they are in the sidecar file
            // (WriteSourcesCsvAsync), one line per indicator, which the response's Link header names.
            header.AddRange(["indicator", "year", "value", "status", "unit", "label", "provenance"]);
        }

        csv.Header([.. header]);
        var parentCount = request.ParentLevels.Count;
        var lines = 0;
        await queries.ReadAsync(request, GeometryEncoding.None, async row =>
        {
            void Territory()
            {
                csv.Text(row.Code).Text(row.Name);
                for (var i = 0; i < parentCount; i++)
                {
                    csv.Text(row.Parents[i]);
                }
            }

            if (request.Pairs.Count == 0)
            {
                Territory();
                await csv.EndLineAsync(ct);
                lines++;
            }

            for (var i = 0; i < request.Pairs.Count; i++)
            {
                var pair = request.Pairs[i];
                Territory();
                // provenance: contribution:{version id}, import:{dataset} or derived (ExportRow.Sources); the series API details it.
                csv.Text(pair.Indicator.Code).Integer(pair.Year).Number(row.Values[i]).Text(row.Statuses[i]).Text(pair.Indicator.Unit)
                    .Text(pair.Indicator.Label).Text(row.Sources[i]);
                await csv.EndLineAsync(ct);
                lines++;
            }

            // Lines reach the client as they are read (the export's back-pressure), not only when a buffer fills.
            if (lines >= 512)
            {
                lines = 0;
                await csv.FlushAsync(ct);
            }
        }, ct);
        await csv.FlushAsync(ct);
    }

    /// <summary>
    /// The data file's sidecar: one line per indicator of the export with its definition, source, producer, licence
    /// and the years exported — what makes each figure traceable without repeating it on every line. Same
    /// separator and byte order mark as the data file, so both open alike.
    /// </summary>
    public static async Task WriteSourcesCsvAsync(ExportRequest request, Stream output, CancellationToken ct)
    {
        await using var csv = CsvOutput.To(output, request.Separator, request.Bom);
        csv.Header("indicator", "label", "unit", "years", "definition", "source", "producer", "licence", "level");
        foreach (var group in request.Pairs.GroupBy(p => p.Indicator.Code))
        {
            var indicator = group.First().Indicator;
            csv.Text(indicator.Code).Text(indicator.Label).Text(indicator.Unit).Text(string.Join(' ', group.Select(p => p.Year).Distinct().Order()))
                .Text(indicator.Definition).Text(indicator.Source).Text(indicator.Producer).Text(indicator.Licence).Text(request.Level).EndLine();
        }

        await csv.FlushAsync(ct);
    }

    /// <summary>
    /// One feature: id and properties are the INSEE code; then names, parent codes, and the figures. One (indicator,
    /// year) gives self-describing properties (indicator, label, unit, year, source, value, status); several give
    /// flat columns <c>{indicator}_{year}</c> and <c>{indicator}_{year}_status</c>, which GIS attribute tables want,
    /// with the metadata in the collection's <c>indicators</c> member.
    /// </summary>
    private sealed class FeatureWriter(ExportRequest request)
    {
        private readonly JsonEncodedText[] _parentNames = request.ParentLevels.Select(l => JsonEncodedText.Encode(l)).ToArray();
        private readonly ExportPair? _single = request.Pairs.Count == 1 ? request.Pairs[0] : null;
        private readonly (JsonEncodedText Value, JsonEncodedText Status)[] _keys =
            request.Pairs.Select(p => (JsonEncodedText.Encode(p.Key), JsonEncodedText.Encode(p.Key + "_status"))).ToArray();

        public void Write(Utf8JsonWriter json, ExportRow row, Action<Utf8JsonWriter>? extraMembers = null)
        {
            json.WriteStartObject();
            json.WriteString("type", "Feature");
            json.WriteString("id", row.Code);
            json.WritePropertyName("geometry");
            if (row.GeoJson is { } encoded)
            {
                json.WriteRawValue(encoded.Span, skipInputValidation: true);
            }
            else if (row.Geometry is { } geometry)
            {
                JsonSerializer.Serialize(json, Prepare(geometry, request.Crs), GeoJsonOptions);
            }
            else
            {
                json.WriteNullValue();
            }

            json.WriteStartObject("properties");
            json.WriteString("code", row.Code);
            json.WriteString("name", row.Name);
            for (var i = 0; i < _parentNames.Length; i++)
            {
                json.WriteString(_parentNames[i], row.Parents[i]);
            }

            if (_single is not null)
            {
                json.WriteString("indicator", _single.Indicator.Code);
                json.WriteString("label", _single.Indicator.Label);
                json.WriteString("unit", _single.Indicator.Unit);
                json.WriteNumber("year", _single.Year);
                json.WriteString("source", _single.Indicator.Source);
                WriteValue(json, "value", row.Values[0]);
                json.WriteString("status", row.Statuses[0]);
            }
            else
            {
                for (var i = 0; i < _keys.Length; i++)
                {
                    WriteValue(json, _keys[i].Value, row.Values[i]);
                    json.WriteString(_keys[i].Status, row.Statuses[i]);
                }
            }

            json.WriteEndObject();
            extraMembers?.Invoke(json);
            json.WriteEndObject();
        }
    }

    // Utf8JsonWriter.FlushAsync over a PipeWriter only commits bytes to the pipe; the pipe must flush them to the client.
    private static async Task FlushAsync(Utf8JsonWriter json, PipeWriter output, CancellationToken ct)
    {
        json.Flush();
        var result = await output.FlushAsync(ct);
        if (result.IsCompleted || result.IsCanceled)
        {
            // The client is gone: stop reading rows (the query is cancelled on the way out).
            throw new OperationCanceledException("the client closed the connection", ct);
        }
    }

    private static void WriteValue(Utf8JsonWriter json, JsonEncodedText name, double? value)
    {
        json.WritePropertyName(name);
        WriteValue(json, value);
    }

    private static void WriteValue(Utf8JsonWriter json, string name, double? value)
    {
        json.WritePropertyName(name);
        WriteValue(json, value);
    }

    // Figures always carry a decimal point (41.0, not 41): GDAL and QGIS type a field from its values, and a column
    // read as Integer in one export and Real in the next breaks analysts' scripts.
    private static void WriteValue(Utf8JsonWriter json, double? value)
    {
        if (value is not { } v)
        {
            json.WriteNullValue();
            return;
        }

        Span<byte> buffer = stackalloc byte[40];
        if (v == Math.Floor(v) && Math.Abs(v) < 1e15)
        {
            v.TryFormat(buffer, out var written, "F1", CultureInfo.InvariantCulture);
            json.WriteRawValue(buffer[..written], skipInputValidation: true);
        }
        else
        {
            json.WriteNumberValue(v);
        }
    }

    /// <summary>Reprojects to Lambert-93 when asked (ProjNET) and rounds: 1 cm in metres, ~0.1 m in degrees.</summary>
    private static Geometry Prepare(Geometry geometry, int crs)
    {
        var projected = crs == Lambert93.Srid ? Lambert93.FromWgs84(geometry) : geometry;
        projected.Apply(new RoundFilter(crs == Lambert93.Srid ? 2 : 6));
        return projected;
    }

    private sealed class RoundFilter(int decimals) : IEntireCoordinateSequenceFilter
    {
        public bool Done => false;
        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq)
        {
            for (var i = 0; i < seq.Count; i++)
            {
                seq.SetX(i, Math.Round(seq.GetX(i), decimals));
                seq.SetY(i, Math.Round(seq.GetY(i), decimals));
            }
        }
    }
}
