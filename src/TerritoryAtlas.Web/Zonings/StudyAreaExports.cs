using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Web.Zonings;

/// <summary>
/// A study area's portrait as files: CSV in long form (one line per indicator and territory: the area, France, its
/// départements, the chosen reference) for R or a spreadsheet, and GeoJSON (the area's outline, the union of its
/// communes, with its figures as properties) for QGIS.
/// </summary>
public sealed class StudyAreaExports(NpgsqlDataSource db, StudyAreaService areas)
{
    /// <summary>The portrait's figures as CSV; null when the caller may not read the area.</summary>
    public async Task<string?> CsvAsync(long id, ComparisonReference? reference, ClaimsPrincipal user, CancellationToken ct)
    {
        if (await areas.PortraitAsync(id, user, ct) is not { } portrait)
        {
            return null;
        }

        return CsvOutput.Build(csv =>
        {
            // origine: "communes" (summed from its communes here) or "publie" (as its producer published it).
            csv.Header("indicateur", "libelle", "unite", "annee", "niveau", "code", "territoire", "valeur", "numerateur", "denominateur", "statut", "origine");
            foreach (var line in portrait.Lines)
            {
                void Line(string level, string code, string name, double? value, double? numerator, double? denominator, string status, string origin)
                {
                    var ok = status == "ok";
                    csv.Text(line.Indicator).Text(line.Label).Text(line.Unit).Integer(line.Year).Text(level).Text(code).Text(name)
                        .Number(ok ? value : null).Number(ok ? numerator : null).Number(ok ? denominator : null)
                        .Text(status == "suppressed" ? SeriesQueries.SecretLabel : status).Text(origin).EndLine();
                }

                Line("zone_etude", portrait.Id.ToString(CultureInfo.InvariantCulture), portrait.Name, line.Value, line.Numerator, line.Denominator, line.Status, "communes");
                foreach (var r in line.References)
                {
                    Line(r.Level, r.Code, r.Name, r.Value, r.Numerator, r.Denominator, r.Status, "publie");
                }

                if (reference is not null && line.Year is { } year)
                {
                    var f = reference.In(line.Indicator, year);
                    Line(reference.Kind == "area" ? "zone_etude" : reference.Kind, reference.Key.Split(':', 2)[1], reference.Name,
                        f?.Value, f?.Numerator, f?.Denominator, f?.Status ?? "missing", f?.Origin == "published" ? "publie" : "communes");
                }
            }
        });
    }

    /// <summary>
    /// One GeoJSON Feature: the outline (the union of the communes, WGS 84) and as properties the area's id, name,
    /// number of communes and per indicator its figure (the indicator's code) and year (code_annee); a secret figure
    /// is absent and its year kept. Null when the caller may not read the area.
    /// </summary>
    public async Task<byte[]?> GeoJsonAsync(long id, ClaimsPrincipal user, CancellationToken ct)
    {
        if (await areas.PortraitAsync(id, user, ct) is not { } portrait || await areas.GetAsync(id, user, ct) is not { } area)
        {
            return null;
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        var geometry = await connection.ExecuteScalarAsync<string>(new CommandDefinition("""
            select ST_AsGeoJSON(ST_Union(geom), 6) from territory where level = 'commune' and code = any(@codes)
            """, new { codes = area.Communes }, commandTimeout: 120, cancellationToken: ct));
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "FeatureCollection");
            json.WriteStartArray("features");
            json.WriteStartObject();
            json.WriteString("type", "Feature");
            json.WriteStartObject("properties");
            json.WriteNumber("id", portrait.Id);
            json.WriteString("name", portrait.Name);
            json.WriteNumber("communes", portrait.Communes);
            foreach (var line in portrait.Lines.Where(l => l.Year is not null))
            {
                if (line.Status == "ok" && line.Value is { } value)
                {
                    json.WriteNumber(line.Indicator, value);
                }
                else
                {
                    json.WriteNull(line.Indicator);
                }

                json.WriteNumber($"{line.Indicator}_annee", line.Year!.Value);
            }

            json.WriteEndObject();
            json.WritePropertyName("geometry");
            json.WriteRawValue(geometry ?? "null", skipInputValidation: true);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
