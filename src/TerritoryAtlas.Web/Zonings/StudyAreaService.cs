using System.Security.Claims;
using System.Text.Json;
using Dapper;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;
using NetTopologySuite.Operation.Valid;
using Npgsql;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.Web.Zonings;

/// <summary>
/// What a study area is made from: a name, who may read it, and either INSEE codes (an array, or pasted text with
/// any separators) or a GeoJSON perimeter (a Polygon or MultiPolygon, a Feature or a FeatureCollection of them).
/// </summary>
public sealed record StudyAreaInput(string? Name, string? Visibility, JsonElement? Codes, JsonElement? Perimeter);

public sealed record StudyAreaView(long Id, string Name, string Visibility, int? OrganisationId, string Method, string[] Communes,
    bool Mine, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record AreaCommune(string Code, string Name);

public sealed record ReferenceFigure(string Level, string Code, string Name, double? Value, double? Numerator, double? Denominator, string Status);

/// <summary>
/// One indicator of a study area's portrait: the area's figure (a sum of its communes, or a rate from summed numerators
/// and denominators) for the latest year every commune has one, and the same year for France and each département the
/// area touches. Status: ok, suppressed (a commune is secret, or the rate's numerator is under the secrecy threshold),
/// missing (no year where every commune has a figure).
/// </summary>
public sealed record StudyAreaLine(string Indicator, string Label, string LabelEn, string Unit, string UnitEn, string Kind, int Decimals, int? Year,
    double? Value, double? Numerator, double? Denominator, string Status, IReadOnlyList<ReferenceFigure> References);

public sealed record StudyAreaPortrait(long Id, string Name, int Communes, IReadOnlyList<ReferenceFigure> Departements, IReadOnlyList<StudyAreaLine> Lines);

/// <summary>
/// Study areas: lists of communes people define, kept as INSEE codes. Private to their owner, shared with the owner's
/// organisation, or public (admins only); another account reads a private area as if it did not exist. Figures are
/// computed from the communes when read, so an area survives a yearly update.
/// </summary>
public sealed class StudyAreaService(NpgsqlDataSource db)
{
    public const int MaxCommunes = 40_000;

    private static readonly JsonSerializerOptions GeoJson = new() { Converters = { new GeoJsonConverterFactory() } };

    private const string Readable = """
        (a.visibility = 'public' or a.owner_id = @account or @isAdmin
         or (a.visibility = 'organisation' and a.organisation_id = any(@organisations)))
        """;

    /// <param name="perimeterFile">A perimeter read from an uploaded file (<see cref="PerimeterFile"/>), instead of codes or GeoJSON.</param>
    public async Task<StudyAreaView> CreateAsync(StudyAreaInput input, ClaimsPrincipal user, CancellationToken ct, Geometry? perimeterFile = null)
    {
        var (account, viewer) = Caller(user);
        var (name, visibility, organisation) = Check(input, user, viewer);
        await using var connection = await db.OpenConnectionAsync(ct);
        var (method, communes) = perimeterFile is null
            ? await ResolveAsync(connection, input, ct)
            : ("perimeter", [.. (await CommunesInsideAsync(connection, perimeterFile, ct)).Select(c => c.Code)]);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            insert into study_area (owner_id, organisation_id, visibility, name, communes, method)
            values (@account, @organisation, @visibility, @name, @communes, @method) returning id
            """, new { account, organisation, visibility, name, communes, method }, cancellationToken: ct));
        return (await GetAsync(id, user, ct))!;
    }

    /// <summary>Replaces an area's name, sharing and communes; its owner or an admin only (null: not found for this caller).</summary>
    public async Task<StudyAreaView?> UpdateAsync(long id, StudyAreaInput input, ClaimsPrincipal user, CancellationToken ct)
    {
        var (_, viewer) = Caller(user);
        if (await GetAsync(id, user, ct) is not { } current)
        {
            return null;
        }

        if (!current.Mine && !viewer.IsAdmin)
        {
            throw new StudyAreaRefused(403, "only the area's owner (or an admin) may change it", "seul le propriétaire de la zone (ou un administrateur) peut la modifier");
        }

        var (name, visibility, organisation) = Check(input with { Name = input.Name ?? current.Name, Visibility = input.Visibility ?? current.Visibility },
            user, viewer);
        await using var connection = await db.OpenConnectionAsync(ct);
        var (method, communes) = input.Codes is null && input.Perimeter is null
            ? (current.Method, current.Communes)
            : await ResolveAsync(connection, input, ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            update study_area set name = @name, visibility = @visibility,
                organisation_id = case when @visibility = 'organisation' then coalesce(@organisation, organisation_id) else organisation_id end,
                communes = @communes, method = @method, updated_at = now()
            where id = @id
            """, new { id, name, visibility, organisation, communes, method }, cancellationToken: ct));
        return await GetAsync(id, user, ct);
    }

    /// <summary>Removes an area: its owner or an admin (false: not found for this caller).</summary>
    public async Task<bool> DeleteAsync(long id, ClaimsPrincipal user, CancellationToken ct)
    {
        var (_, viewer) = Caller(user);
        if (await GetAsync(id, user, ct) is not { } current)
        {
            return false;
        }

        if (!current.Mine && !viewer.IsAdmin)
        {
            throw new StudyAreaRefused(403, "only the area's owner (or an admin) may delete it", "seul le propriétaire de la zone (ou un administrateur) peut la supprimer");
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("delete from study_area where id = @id", new { id }, cancellationToken: ct));
        return true;
    }

    public async Task<StudyAreaView?> GetAsync(long id, ClaimsPrincipal user, CancellationToken ct) =>
        (await QueryAsync("a.id = @id", id, user, ct)).SingleOrDefault();

    /// <summary>The areas the caller may read: their own, their organisation's, the public ones.</summary>
    public Task<IReadOnlyList<StudyAreaView>> ListAsync(ClaimsPrincipal user, CancellationToken ct) => QueryAsync("true", 0, user, ct);

    public async Task<StudyAreaPortrait?> PortraitAsync(long id, ClaimsPrincipal user, CancellationToken ct)
    {
        if (await GetAsync(id, user, ct) is not { } area)
        {
            return null;
        }

        var viewer = Viewer.From(user);
        await using var connection = await db.OpenConnectionAsync(ct);
        var indicators = (await connection.QueryAsync<LineRow>(new CommandDefinition("""
            select i.code as indicator, i.label_fr as label, i.label_en as labelen, i.unit_fr as unit, i.unit_en as uniten, i.kind, i.decimals::int as decimals
            from indicator i join theme t on t.code = i.theme
            where indicator_visible(i.visibility, i.code, @isMember, @isAdmin, @organisations)
              and (i.additive or (i.kind = 'rate' and i.numerator is not null and i.denominator is not null))
            order by t.sort_order, i.sort_order
            """, new { isMember = viewer.IsMember, isAdmin = viewer.IsAdmin, organisations = viewer.OrganisationArray }, cancellationToken: ct))).ToList();
        var figures = await AreaFigures.OfAsync(connection, area.Communes, null, viewer, ct);
        var lines = indicators.Select(i => (Info: i, Figure: AreaFigures.Latest(figures[i.indicator]))).ToList();
        var departements = await ParentsAsync(connection, area.Communes, "departement", ct);
        var references = (await connection.QueryAsync<(string Indicator, int Year, string Level, string Code, string Name, double? Value,
            double? Numerator, double? Denominator, string Status)>(new CommandDefinition("""
            select o.indicator_code, o.year, t.level, t.code, t.name, o.value, o.numerator, o.denominator, o.status
            from published_observation o
            join territory t on t.id = o.territory_id
            join unnest(@indicators, @years) as wanted (indicator_code, year) on wanted.indicator_code = o.indicator_code and wanted.year = o.year
            where (t.level = 'france') or (t.level = 'departement' and t.code = any(@departements))
            order by t.level = 'departement', t.code
            """,
            new
            {
                indicators = lines.Where(l => l.Figure is not null).Select(l => l.Info.indicator).ToArray(),
                years = lines.Where(l => l.Figure is not null).Select(l => l.Figure!.Year).ToArray(),
                departements = departements.Select(d => d.Code).ToArray(),
            }, cancellationToken: ct))).ToLookup(r => (r.Indicator, r.Year));
        return new StudyAreaPortrait(area.Id, area.Name, await CountAsync(connection, area.Communes, ct),
            departements.Select(d => new ReferenceFigure("departement", d.Code, d.Name, null, null, null, "ok")).ToList(),
            lines.Select(l => l.Figure is { } f
                ? new StudyAreaLine(l.Info.indicator, l.Info.label, l.Info.labelen, l.Info.unit, l.Info.uniten, l.Info.kind, l.Info.decimals, f.Year,
                    f.Status == "ok" ? f.Value : null, f.Status == "ok" ? f.Numerator : null, f.Status == "ok" ? f.Denominator : null, f.Status,
                    references[(l.Info.indicator, f.Year)].Select(r => new ReferenceFigure(r.Level, r.Code, r.Name, r.Value, r.Numerator, r.Denominator, r.Status)).ToList())
                : new StudyAreaLine(l.Info.indicator, l.Info.label, l.Info.labelen, l.Info.unit, l.Info.uniten, l.Info.kind, l.Info.decimals, null,
                    null, null, null, "missing", [])).ToList());
    }

    /// <summary>The régions an area's communes lie in (empty when the caller may not read it).</summary>
    public async Task<IReadOnlyList<(string Code, string Name)>> RegionsOfAsync(long id, ClaimsPrincipal user, CancellationToken ct)
    {
        if (await GetAsync(id, user, ct) is not { } area)
        {
            return [];
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        return await ParentsAsync(connection, area.Communes, "region", ct);
    }

    /// <summary>The territories of a level the communes lie in (their départements, their régions), by code.</summary>
    private static async Task<IReadOnlyList<(string Code, string Name)>> ParentsAsync(NpgsqlConnection connection, string[] communes, string level,
        CancellationToken ct) =>
        (await connection.QueryAsync<(string Code, string Name)>(new CommandDefinition("""
            select distinct t.code, t.name
            from territory c
            join territory_parent p on p.territory_id = c.id and p.parent_level = @level
            join territory t on t.id = p.parent_id
            where c.level = 'commune' and c.code = any(@communes)
            order by t.code
            """, new { communes, level }, cancellationToken: ct))).ToList();

    private static async Task<int> CountAsync(NpgsqlConnection connection, string[] codes, CancellationToken ct) =>
        await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "select count(*)::int from territory where level = 'commune' and code = any(@codes)", new { codes }, cancellationToken: ct));

    private async Task<IReadOnlyList<StudyAreaView>> QueryAsync(string filter, long id, ClaimsPrincipal user, CancellationToken ct)
    {
        var viewer = Viewer.From(user);
        var account = AccountId(user);
        await using var connection = await db.OpenConnectionAsync(ct);
#pragma warning disable CA2100 // The filter is one of this class's two literals; values are parameters.
        var rows = await connection.QueryAsync<ViewRow>(new CommandDefinition($"""
            select a.id, a.name, a.visibility, a.organisation_id, a.method, array_to_string(a.communes, ',') as communes,
                   a.owner_id = @account as mine, a.created_at, a.updated_at
            from study_area a
            where {filter} and {Readable}
            order by a.updated_at desc, a.id
            """, new { id, account, isAdmin = viewer.IsAdmin, organisations = viewer.OrganisationArray }, cancellationToken: ct));
#pragma warning restore CA2100
        return rows.Select(r => new StudyAreaView(r.id, r.name, r.visibility, r.organisation_id, r.method, r.communes.Split(','), r.mine == true, r.created_at, r.updated_at))
            .ToList();
    }

    private static Guid? AccountId(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    private static (Guid Account, Viewer Viewer) Caller(ClaimsPrincipal user) =>
        AccountId(user) is { } id ? (id, Viewer.From(user)) : throw new StudyAreaRefused(401, "sign in (or send a bearer token) to keep study areas", "connectez-vous (ou envoyez un jeton) pour garder des zones d'étude");

    private static (string Name, string Visibility, int? Organisation) Check(StudyAreaInput input, ClaimsPrincipal user, Viewer viewer)
    {
        var name = input.Name?.Trim() ?? "";
        if (name.Length is 0 or > 200)
        {
            throw new StudyAreaRefused(422, "name: 1 to 200 characters", "nom : de 1 à 200 caractères");
        }

        var visibility = input.Visibility?.Trim() is { Length: > 0 } v ? v : "private";
        switch (visibility)
        {
            case "private":
                return (name, visibility, null);
            case "organisation":
                return viewer.OrganisationIds.Count > 0
                    ? (name, visibility, viewer.OrganisationIds[0])
                    : throw new StudyAreaRefused(422, "visibility 'organisation': your account belongs to no organisation", "visibilité « organisation » : votre compte n'appartient à aucune organisation");
            case "public":
                return user.IsInRole(AtlasRoles.Admin)
                    ? (name, visibility, null)
                    : throw new StudyAreaRefused(403, "only admins make a study area public", "seuls les administrateurs rendent une zone d'étude publique");
            default:
                throw new StudyAreaRefused(422, $"visibility '{visibility}': private, organisation or public", $"visibilité « {visibility} » : private, organisation ou public");
        }
    }

    /// <summary>The communes of pasted codes (each must be a commune) or of a perimeter (those whose point on surface is inside).</summary>
    private static async Task<(string Method, string[] Communes)> ResolveAsync(NpgsqlConnection connection, StudyAreaInput input, CancellationToken ct)
    {
        if (input.Codes is { } codes && codes.ValueKind is not JsonValueKind.Null and not JsonValueKind.Undefined)
        {
            var raw = codes.ValueKind switch
            {
                JsonValueKind.Array => codes.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.String ? c.GetString()! : c.ToString()).ToList(),
                JsonValueKind.String => codes.GetString()!.Split([' ', ',', ';', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries).ToList(),
                _ => throw new StudyAreaRefused(422, "codes: an array of INSEE codes, or text with the codes separated by spaces, commas or new lines", "codes : une liste de codes INSEE, ou un texte où les codes sont séparés par des espaces, des virgules ou des retours à la ligne"),
            };
            var malformed = raw.Where(c => CorrespondenceTable.CommuneCode(c) is null).Distinct().ToList();
            if (malformed.Count > 0)
            {
                throw new StudyAreaRefused(422, $"{malformed.Count} value(s) are not commune codes: {string.Join(", ", malformed.Take(50))}", $"{malformed.Count} valeur(s) ne sont pas des codes de commune : {string.Join(", ", malformed.Take(50))}");
            }

            var wanted = raw.Select(c => CorrespondenceTable.CommuneCode(c)!).Distinct().ToArray();
            if (wanted.Length == 0)
            {
                throw new StudyAreaRefused(422, "a study area needs at least one commune", "une zone d'étude compte au moins une commune");
            }

            if (wanted.Length > MaxCommunes)
            {
                throw new StudyAreaRefused(422, $"{wanted.Length} communes: at most {MaxCommunes}", $"{wanted.Length} communes : au plus {MaxCommunes}");
            }

            var known = (await connection.QueryAsync<string>(new CommandDefinition(
                "select code from territory where level = 'commune' and code = any(@wanted)", new { wanted }, cancellationToken: ct))).ToHashSet();
            var unknown = wanted.Where(c => !known.Contains(c)).ToList();
            if (unknown.Count > 0)
            {
                throw new StudyAreaRefused(422, $"{unknown.Count} code(s) are not communes of the atlas (COG 2018): {string.Join(", ", unknown.Take(50))}", $"{unknown.Count} code(s) ne sont pas des communes de l'atlas (COG 2018) : {string.Join(", ", unknown.Take(50))}");
            }

            return ("codes", wanted.Order(StringComparer.Ordinal).ToArray());
        }

        if (input.Perimeter is { } perimeter && perimeter.ValueKind == JsonValueKind.Object)
        {
            return ("perimeter", [.. (await CommunesInsideAsync(connection, Perimeter(perimeter), ct)).Select(c => c.Code)]);
        }

        throw new StudyAreaRefused(422, "give the communes: 'codes' (INSEE codes) or 'perimeter' (a GeoJSON Polygon or MultiPolygon)", "donnez les communes : « codes » (codes INSEE) ou « perimeter » (un Polygon ou MultiPolygon GeoJSON)");
    }

    /// <summary>
    /// The communes whose point on surface lies inside a perimeter in any coordinate system PostGIS knows (its SRID:
    /// 4326 for GeoJSON, the file's for a GeoPackage); refused when it misses France or holds no commune.
    /// </summary>
    private static async Task<IReadOnlyList<AreaCommune>> CommunesInsideAsync(NpgsqlConnection connection, Geometry perimeter, CancellationToken ct)
    {
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "select exists (select 1 from spatial_ref_sys where srid = @srid)", new { srid = perimeter.SRID }, cancellationToken: ct)))
        {
            throw new StudyAreaRefused(422, $"the perimeter's coordinate system EPSG:{perimeter.SRID} is unknown to PostGIS", $"le système de coordonnées EPSG:{perimeter.SRID} du périmètre est inconnu de PostGIS");
        }

        var (inFrance, codes, names) = await connection.QuerySingleAsync<(bool, string[], string[])>(new CommandDefinition("""
            with perimeter as (select ST_Transform(ST_SetSRID(ST_GeomFromWKB(@wkb), @srid), 4326) as geom),
            inside as (select c.code, c.name from territory c, perimeter p where c.level = 'commune' and ST_Intersects(c.label_point, p.geom))
            select exists (select 1 from territory f, perimeter p where f.level = 'france' and ST_Intersects(f.geom, p.geom)),
                   coalesce((select array_agg(code order by code) from inside), '{}'),
                   coalesce((select array_agg(name order by code) from inside), '{}')
            """, new { wkb = perimeter.AsBinary(), srid = perimeter.SRID }, cancellationToken: ct));
        if (!inFrance)
        {
            throw new StudyAreaRefused(422, "the perimeter lies outside France (coordinates must be longitude, latitude in WGS 84)", "le périmètre est hors de France (coordonnées en longitude, latitude WGS 84)");
        }

        return codes.Length > 0
            ? codes.Zip(names, (c, n) => new AreaCommune(c, n)).ToList()
            : throw new StudyAreaRefused(422, "the perimeter holds no commune's point on surface: draw it around the communes to include", "le périmètre ne contient le point intérieur d'aucune commune : tracez-le autour des communes à inclure");
    }

    /// <summary>The communes inside a perimeter drawn on the map (a lasso: a ring that may cross itself, mended first).</summary>
    public async Task<IReadOnlyList<AreaCommune>> CommunesInsideAsync(double[][] ring, CancellationToken ct)
    {
        if (ring.Length is < 4 or > 20_000 || ring.Any(p => p.Length != 2 || !double.IsFinite(p[0]) || !double.IsFinite(p[1])))
        {
            throw new StudyAreaRefused(422, "a lasso needs 3 to 20,000 points", "un lasso compte de 3 à 20 000 points");
        }

        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        var polygon = factory.CreatePolygon([.. ring.Select(p => new Coordinate(p[0], p[1]))]);
        var mended = NetTopologySuite.Geometries.Utilities.GeometryFixer.Fix(polygon);
        mended.SRID = 4326;
        await using var connection = await db.OpenConnectionAsync(ct);
        return await CommunesInsideAsync(connection, mended, ct);
    }

    /// <summary>What a click on a commune adds: the commune, or every commune of its EPCI.</summary>
    public async Task<IReadOnlyList<AreaCommune>> CommunesAtAsync(string commune, bool wholeEpci, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<AreaCommune>(new CommandDefinition(wholeEpci
            ? """
              select c.code, c.name
              from territory_parent p
              join territory c on c.id = p.territory_id and c.level = 'commune'
              where p.parent_level = 'epci' and p.parent_id = (
                  select e.parent_id from territory_parent e join territory o on o.id = e.territory_id
                  where o.level = 'commune' and o.code = @commune and e.parent_level = 'epci')
              order by c.code collate "C"
              """
            : "select code, name from territory where level = 'commune' and code = @commune",
            new { commune }, cancellationToken: ct))).ToList();
    }

    /// <summary>The names of communes given by code, and the box around them (null when none is known).</summary>
    public async Task<(IReadOnlyList<AreaCommune> Communes, double[]? Bounds)> CommunesOfAsync(string[] codes, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var communes = (await connection.QueryAsync<AreaCommune>(new CommandDefinition(
            "select code, name from territory where level = 'commune' and code = any(@codes) order by code collate \"C\"",
            new { codes }, cancellationToken: ct))).ToList();
        var box = await connection.QuerySingleAsync<(double?, double?, double?, double?)>(new CommandDefinition("""
            select ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
            from (select ST_Extent(geom) as b from territory where level = 'commune' and code = any(@codes)) e
            """, new { codes }, cancellationToken: ct));
        return (communes, box is (double x0, double y0, double x1, double y1) ? [x0, y0, x1, y1] : null);
    }

    private static Geometry Perimeter(JsonElement json)
    {
        Geometry? geometry;
        try
        {
            var type = json.TryGetProperty("type", out var t) ? t.GetString() : null;
            geometry = type switch
            {
                "Feature" => json.Deserialize<IFeature>(GeoJson)?.Geometry,
                "FeatureCollection" => json.Deserialize<FeatureCollection>(GeoJson) is { Count: > 0 } features
                    ? new GeometryFactory(new PrecisionModel(), 4326).BuildGeometry(features.Select(f => f.Geometry)).Union()
                    : null,
                _ => json.Deserialize<Geometry>(GeoJson),
            };
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw new StudyAreaRefused(422, $"perimeter: not readable GeoJSON ({e.Message})", $"périmètre : GeoJSON illisible ({e.Message})");
        }

        if (geometry is not (Polygon or MultiPolygon) || geometry.IsEmpty)
        {
            throw new StudyAreaRefused(422, $"perimeter: a Polygon or MultiPolygon is needed, not {geometry?.GeometryType ?? "nothing"}", $"périmètre : un Polygon ou un MultiPolygon est attendu, pas {geometry?.GeometryType ?? "rien"}");
        }

        if (geometry.NumPoints > 200_000)
        {
            throw new StudyAreaRefused(422, $"perimeter: {geometry.NumPoints} points, at most 200,000", $"périmètre : {geometry.NumPoints} points, au plus 200 000");
        }

        if (geometry.Coordinates.Any(c => c.X is < -180 or > 180 || c.Y is < -90 or > 90))
        {
            throw new StudyAreaRefused(422, "perimeter: coordinates must be longitude, latitude in WGS 84 (EPSG:4326)", "périmètre : coordonnées en longitude, latitude WGS 84 (EPSG:4326)");
        }

        if (new IsValidOp(geometry).ValidationError is { } error)
        {
            var at = $"({error.Coordinate.X.ToString(System.Globalization.CultureInfo.InvariantCulture)} {error.Coordinate.Y.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
            throw new StudyAreaRefused(422, $"perimeter: {error.Message.ToLowerInvariant()} at {at}: a ring must not cross itself",
                $"périmètre : {error.Message.ToLowerInvariant()} en {at} : un contour ne doit pas se croiser");
        }

        geometry.SRID = 4326;
        return geometry;
    }

#pragma warning disable IDE1006, CA1812 // Dapper maps the snake_case columns onto these names.
    private sealed record ViewRow(long id, string name, string visibility, int? organisation_id, string method, string communes, bool? mine,
        DateTime created_at, DateTime updated_at);

    private sealed record LineRow(string indicator, string label, string labelen, string unit, string uniten, string kind, int decimals);
#pragma warning restore IDE1006, CA1812
}

/// <summary>
/// A study area request refused: an HTTP status and a sentence saying what to change (English for the API, French for
/// the pages' French readers). Nothing was changed.
/// </summary>
public sealed class StudyAreaRefused(int status, string problem, string french) : Exception(problem)
{
    public int Status { get; } = status;
    public string Problem { get; } = problem;
    public string French { get; } = french;
}
