using System.Diagnostics;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Import;
using TerritoryAtlas.Web.Territories;

namespace TerritoryAtlas.Web.Zonings;

/// <summary>What an admin gives to add a zoning: its level code, names, vintage and optionally the zone column.</summary>
public sealed record ZoningRequest(string Code, string Name, string Vintage, string? NameEn = null, string? Column = null);

/// <summary>A zoning added: its size, the zones across a border, and how long each step took.</summary>
public sealed record ZoningSummary(
    string Code, string Name, string Vintage, string File, string ZoneColumn, int Communes, int Zones,
    int ZonesAcrossDepartements, int ZonesAcrossRegions, int CommunesOutside, int Figures, int Tiles,
    IReadOnlyDictionary<string, double> StepSeconds, int CommunesCarried = 0);

/// <summary>A zone as GET /api/zonings/{code} lists it.</summary>
public sealed record ZoneView(string Code, string Name, int Communes, string? Departement, string[] Departements, string[] Regions,
    bool StraddlesDepartement, bool StraddlesRegion);

public sealed record ZoningView(string Code, string Name, string Vintage, string File, string ZoneColumn, int Communes, int Zones,
    DateTime CreatedAt, string? CreatedBy);

/// <summary>A refused zoning: an HTTP status, a sentence, and the lines at fault. Nothing was changed.</summary>
public sealed class ZoningRefused(int status, string problem, IReadOnlyList<ZoningProblem> lines) : Exception(problem)
{
    public int Status { get; } = status;
    public string Problem { get; } = problem;
    public IReadOnlyList<ZoningProblem> Lines { get; } = lines;
}

/// <summary>
/// Zonings from a correspondence table commune → zone: one transaction builds the zoning's level row, its zones
/// (outlines as unions of communes, parents, straddling flags), their map geometry and shallow tiles (the importer's
/// own steps, <see cref="LevelTiles"/>), and their figures (the import's computed steps for this zoning), then moves
/// the data version so every instance picks the new level up. A refused table changes nothing.
/// </summary>
public sealed partial class ZoningService(NpgsqlDataSource db, DataVersion dataVersion, LevelCatalogue levels)
{
    /// <summary>Problems listed in a refusal at most (the count says how many there were).</summary>
    public const int MaxListedProblems = 200;

    public async Task<ZoningSummary> AddAsync(Stream file, string fileName, ZoningRequest request, string? actor, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        var steps = new Dictionary<string, double>();
        var code = request.Code.Trim();
        var name = request.Name.Trim();
        var vintage = request.Vintage.Trim();
        if (!LevelCode().IsMatch(code))
        {
            throw Refused(400, $"code '{code}': use 2 to 30 lower-case letters, digits or _ starting with a letter (e.g. bv2022)");
        }

        if (name.Length is 0 or > 120 || vintage.Length is 0 or > 20)
        {
            throw Refused(400, "name (1 to 120 characters) and vintage (1 to 20 characters, e.g. 2022) are required");
        }

        if (Levels.BuiltIn.Any(l => l.Code == code))
        {
            throw Refused(409, $"'{code}' is a built-in level: choose another code");
        }

        CorrespondenceTable.Table table;
        try
        {
            table = await CorrespondenceTable.ReadAsync(file, fileName, code, request.Column, ct);
        }
        catch (ImportException e)
        {
            throw Refused(422, e.Message);
        }

        if (table.Problems.Count > 0)
        {
            throw Refused(422, $"{fileName}: {table.Problems.Count} problem(s) in the correspondence table; nothing was changed", table.Problems);
        }

        steps["read"] = total.Elapsed.TotalSeconds;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // One zoning at a time: ranks are handed out in order and a code is checked before it is taken.
        await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_xact_lock(hashtext('atlas.zoning'))", transaction: transaction, cancellationToken: ct));
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition("select exists (select 1 from level where code = @code)",
                new { code }, transaction, cancellationToken: ct)))
        {
            throw Refused(409, $"a level '{code}' exists already: remove that zoning first (DELETE /api/zonings/{code})");
        }

        await StageAsync(connection, table.Rows, ct);
        var unknown = (await connection.QueryAsync<(int Line, string Commune)>(new CommandDefinition("""
            select r.line, r.commune from zoning_row r
            where not exists (select 1 from territory c where c.level = 'commune' and c.code = r.commune)
            order by r.line
            """, transaction: transaction, cancellationToken: ct))).ToList();
        if (unknown.Count > 0)
        {
            var vintages = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
                "select string_agg(distinct vintage, ', ') from territory where level = 'commune'", transaction: transaction, cancellationToken: ct));
            throw Refused(422, $"{fileName}: {unknown.Count} commune code(s) unknown to the atlas's communes ({vintages}); nothing was changed",
                unknown.Select(u => new ZoningProblem(u.Line, $"commune {u.Commune} is not a commune of {vintages}")).ToList());
        }

        // A table on a later COG lists a commune nouvelle, not the communes of the boundary vintage it absorbed since:
        // they join the zone of the commune they merged into (perimeter_change), so the zone's outline and sums hold them.
        var carried = await connection.ExecuteAsync(new CommandDefinition("""
            insert into zoning_row (line, commune, zone, zone_name)
            select distinct on (part.code) r.line, part.code, r.zone, r.zone_name
            from zoning_row r
            join perimeter_change pc on pc.level = 'commune' and pc.code = r.commune and pc.kind = 'merged'
            cross join lateral unnest(pc.parts) as part (code)
            where not exists (select 1 from zoning_row o where o.commune = part.code)
              and exists (select 1 from territory c where c.level = 'commune' and c.code = part.code)
            order by part.code, r.line
            """, transaction: transaction, cancellationToken: ct));

        var watch = Stopwatch.StartNew();
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into level (code, rank, label_fr, label_en, name_fr, menu_fr, menu_en, one_fr, many_fr, map_parent, export_parents,
                               series_parent, within, mapped, prebuilt_max_zoom, vintage, zoning)
            -- After every built-in level (levels.json may add some: they take the small ranks).
            select @code, greatest(100, max(rank) + 1), @name, @nameEn, @name, @name, @nameEn, 'zone', 'zones', 'departement',
                   '{region,departement}', false, false, true, 5, @vintage, true
            from level;
            insert into zoning (level, name, vintage, file, zone_column, created_by, communes, zones)
            values (@code, @name, @vintage, @fileName, @column, @actor, @communes, @zones);
            """,
            new
            {
                code,
                name,
                nameEn = string.IsNullOrWhiteSpace(request.NameEn) ? name : request.NameEn.Trim(),
                vintage,
                fileName,
                column = table.ZoneColumn,
                actor,
                communes = table.Rows.Count + carried,
                zones = table.Rows.Select(r => r.Zone).Distinct().Count(),
            }, transaction, cancellationToken: ct));
        var zones = await connection.ExecuteScalarAsync<int>(new CommandDefinition(AtlasDatabase.Sql("Zonings.zone_territories.sql"),
            new { level = code, vintage = $"{name} ({vintage})", source = $"Union of its communes, from the correspondence table {fileName}" },
            transaction, commandTimeout: 0, cancellationToken: ct));
        steps["boundaries"] = watch.Elapsed.TotalSeconds;

        watch.Restart();
        await LevelTiles.BuildGeometryAsync(connection, code, ct);
        var tiles = await LevelTiles.RebuildTilesAsync(connection, code, ct);

        steps["tiles"] = watch.Elapsed.TotalSeconds;
        watch.Restart();
        await connection.ExecuteAsync(new CommandDefinition("select set_config('atlas.zoning', @code, true)", new { code }, transaction, cancellationToken: ct));
        // The import's own zones and rates steps, limited by atlas.zoning to the zones: their figures, then their rates
        // from their summed parts.
        await DerivedFigures.RecomputeAsync(connection, transaction, null, ["Zonings.zone_observations.sql", "Import.computed_rates.sql"], null, ct);
        steps["figures"] = watch.Elapsed.TotalSeconds;

        var (across, acrossRegions, figures, outside) = await connection.QuerySingleAsync<(int, int, int, int)>(new CommandDefinition("""
            select (select count(*)::int from zone where level = @code and straddles_departement),
                   (select count(*)::int from zone where level = @code and straddles_region),
                   (select count(*)::int from observation o join territory t on t.id = o.territory_id where t.level = @code),
                   (select count(*)::int from territory c where c.level = 'commune'
                        and not exists (select 1 from territory_parent p where p.territory_id = c.id and p.parent_level = @code))
            """, new { code }, transaction, cancellationToken: ct));
        // Every instance polls data_version (DataVersion): its level catalogue, maps and tiles follow within seconds.
        await DataVersion.MoveAsync(connection, transaction, ct);
        await transaction.CommitAsync(ct);
        await ReloadAsync(ct);
        steps["total"] = total.Elapsed.TotalSeconds;
        return new ZoningSummary(code, name, vintage, fileName, table.ZoneColumn, table.Rows.Count + carried, zones, across, acrossRegions, outside,
            figures, tiles, steps, carried);
    }

    public async Task<bool> RemoveAsync(string code, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_xact_lock(hashtext('atlas.zoning'))", transaction: transaction, cancellationToken: ct));
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("select exists (select 1 from zoning where level = @code)",
                new { code }, transaction, cancellationToken: ct)))
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            delete from vector_tile where level = @code;
            delete from territory_parent where parent_level = @code;
            delete from territory where level = @code;
            delete from level where code = @code and zoning;
            """, new { code }, transaction, commandTimeout: 0, cancellationToken: ct));
        await DataVersion.MoveAsync(connection, transaction, ct);
        await transaction.CommitAsync(ct);
        await ReloadAsync(ct);
        return true;
    }

    public async Task<IReadOnlyList<ZoningView>> ListAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<ZoningView>(new CommandDefinition("""
            select level as code, name, vintage, file, zone_column as zonecolumn, communes, zones, created_at as createdat, created_by as createdby
            from zoning order by created_at, level
            """, cancellationToken: ct))).ToList();
    }

    public async Task<IReadOnlyList<ZoneView>?> ZonesAsync(string code, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("select exists (select 1 from zoning where level = @code)",
                new { code }, cancellationToken: ct)))
        {
            return null;
        }

        return (await connection.QueryAsync<(string Code, string Name, int Communes, string? Departement, string Departements, string Regions,
            bool StraddlesDepartement, bool StraddlesRegion)>(new CommandDefinition("""
            select t.code, t.name, z.communes, d.code as departement, array_to_string(z.departements, ','), array_to_string(z.regions, ','),
                   z.straddles_departement as straddlesdepartement, z.straddles_region as straddlesregion
            from zone z
            join territory t on t.id = z.territory_id
            left join territory_parent p on p.territory_id = t.id and p.parent_level = 'departement'
            left join territory d on d.id = p.parent_id
            where z.level = @code
            order by t.code collate "C"
            """, new { code }, cancellationToken: ct)))
            .Select(z => new ZoneView(z.Code, z.Name, z.Communes, z.Departement, z.Departements.Split(',', StringSplitOptions.RemoveEmptyEntries),
                z.Regions.Split(',', StringSplitOptions.RemoveEmptyEntries), z.StraddlesDepartement, z.StraddlesRegion)).ToList();
    }

    private async Task ReloadAsync(CancellationToken ct)
    {
        dataVersion.Invalidate();
        await levels.CurrentAsync(ct);
    }

    private static async Task StageAsync(NpgsqlConnection connection, IReadOnlyList<CorrespondenceRow> rows, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "create temporary table zoning_row (line integer not null, commune text not null, zone text not null, zone_name text) on commit drop",
            cancellationToken: ct));
        await using (var writer = await connection.BeginBinaryImportAsync("copy zoning_row (line, commune, zone, zone_name) from stdin (format binary)", ct))
        {
            foreach (var row in rows)
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(row.Line, NpgsqlDbType.Integer, ct);
                await writer.WriteAsync(row.Commune, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(row.Zone, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(row.ZoneName, NpgsqlDbType.Text, ct);
            }

            await writer.CompleteAsync(ct);
        }

        await connection.ExecuteAsync(new CommandDefinition("analyze zoning_row", cancellationToken: ct));
    }

    private static ZoningRefused Refused(int status, string problem, IReadOnlyList<ZoningProblem>? lines = null) =>
        new(status, problem, lines ?? []);

    [GeneratedRegex("^[a-z][a-z0-9_]{1,29}$")]
    private static partial Regex LevelCode();
}
