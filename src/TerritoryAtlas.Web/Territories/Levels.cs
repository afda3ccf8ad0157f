using System.Reflection;
using System.Text.Json;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.Web.Territories;

/// <summary>
/// One level as the `level` table defines it: labels, parents, order, whether the map offers it, how deep its tiles
/// are built in advance and, for a zoning made from a correspondence table, its vintage.
/// </summary>
public sealed record Level(
    string Code, int Rank, string LabelFr, string LabelEn, string NameFr, string MenuFr, string MenuEn, string OneFr, string ManyFr,
    string? MapParent, IReadOnlyList<string> ExportParents, bool SeriesParent, bool Within, bool Mapped, int PrebuiltMaxZoom,
    string? Vintage, bool Zoning)
{
    public string Menu(string lang) => lang == "en" ? MenuEn : MenuFr;
}

/// <summary>
/// The levels, widest first: the one definition the services, the SQL (through the `level` table) and the browser
/// (through /api/levels and the page) read. The built-in levels come from Territories/levels.json, written into the
/// table by `migrate`; zonings are rows added at run time. Readers take <see cref="Current"/>, which
/// <see cref="LevelCatalogue"/> replaces whenever the data version moves, so a new zoning reaches every instance.
/// </summary>
public static class Levels
{
    public static IReadOnlyList<Level> BuiltIn { get; } = ReadBuiltIn();

    private static IReadOnlyList<Level> _current = BuiltIn;

    /// <summary>The levels in force, widest first. Swapped whole, never mutated, so readers need no lock.</summary>
    public static IReadOnlyList<Level> Current => Volatile.Read(ref _current);

    public static IReadOnlyList<string> Ordered => Current.Select(l => l.Code).ToList();

    public static Level? Find(string level) => Current.FirstOrDefault(l => l.Code == level);

    public static bool IsKnown(string level) => Find(level) is not null;

    /// <summary>The level a territory is compared with and shown beside in tooltips.</summary>
    public static string? MapParentOf(string level) => Find(level)?.MapParent;

    /// <summary>The parent levels written beside each territory's code in exports, widest first.</summary>
    public static IReadOnlyList<string> ExportParentsOf(string level) => Find(level)?.ExportParents ?? [];

    /// <summary>The parents a series or portrait is compared with: the EPCI of a commune, then the wider levels.</summary>
    public static string[] SeriesParents => Current.Where(l => l.SeriesParent).OrderByDescending(l => l.Rank).Select(l => l.Code).ToArray();

    /// <summary>The levels the map offers to limit the view to, widest first.</summary>
    public static string[] WithinLevels => Current.Where(l => l.Within).Select(l => l.Code).ToArray();

    public static int RankOf(string level) => Find(level)?.Rank ?? int.MaxValue;

    internal static IReadOnlyList<Level> Use(IReadOnlyList<Level> levels)
    {
        var ordered = levels.OrderBy(l => l.Rank).ThenBy(l => l.Code, StringComparer.Ordinal).ToList();
        Volatile.Write(ref _current, ordered);
        return ordered;
    }

    internal static string BuiltInJson()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("TerritoryAtlas.Web.Territories.levels.json")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static IReadOnlyList<Level> ReadBuiltIn()
    {
        using var document = JsonDocument.Parse(BuiltInJson());
        return document.RootElement.EnumerateArray().Select(e => new Level(
            e.GetProperty("code").GetString()!, e.GetProperty("rank").GetInt32(), e.GetProperty("label_fr").GetString()!,
            e.GetProperty("label_en").GetString()!, e.GetProperty("name_fr").GetString()!, e.GetProperty("menu_fr").GetString()!,
            e.GetProperty("menu_en").GetString()!, e.GetProperty("one_fr").GetString()!, e.GetProperty("many_fr").GetString()!,
            e.GetProperty("map_parent").GetString(), e.GetProperty("export_parents").EnumerateArray().Select(p => p.GetString()!).ToList(),
            e.GetProperty("series_parent").GetBoolean(), e.GetProperty("within").GetBoolean(), e.GetProperty("mapped").GetBoolean(),
            e.GetProperty("prebuilt_max_zoom").GetInt32(), null, false)).OrderBy(l => l.Rank).ToList();
    }
}

/// <summary>Loads the `level` table into <see cref="Levels.Current"/>, again whenever the data version moves.</summary>
public sealed class LevelCatalogue(NpgsqlDataSource db, DataVersion dataVersion)
{
    /// <summary>The levels read and the data version they were read at: one reference, read whole by every request.</summary>
    private sealed record Reading(long Version, IReadOnlyList<Level> Levels);

    private Reading? _loaded;

    /// <summary>Whether this instance has read the levels once: while the database is unreachable, those stay in force.</summary>
    public bool Loaded => _loaded is not null;

    /// <summary>Whether the levels in force match the data version as last read (no database needed to answer).</summary>
    public bool IsCurrent
    {
        get
        {
            return _loaded is { } loaded && dataVersion.Fresh is { } version && version == loaded.Version
                   && ReferenceEquals(loaded.Levels, Levels.Current);
        }
    }

    public async Task<IReadOnlyList<Level>> CurrentAsync(CancellationToken ct)
    {
        var version = await dataVersion.CurrentAsync(ct);
        // Also reload when the snapshot in force is not ours (tests run apps on other databases in one process).
        if (_loaded is not { } loaded || version != loaded.Version || !ReferenceEquals(loaded.Levels, Levels.Current))
        {
            _loaded = new Reading(version, Levels.Use(await LoadAsync(db, ct)));
        }

        return Levels.Current;
    }

    public static async Task<IReadOnlyList<Level>> LoadAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition("""
            select code, rank, label_fr, label_en, coalesce(name_fr, label_fr) as name_fr, coalesce(menu_fr, label_fr) as menu_fr,
                   coalesce(menu_en, label_en) as menu_en, coalesce(one_fr, label_fr) as one_fr, coalesce(many_fr, label_fr) as many_fr,
                   map_parent, array_to_string(export_parents, ',') as export_parents, series_parent, within, mapped, prebuilt_max_zoom,
                   vintage, zoning
            from level order by rank
            """, cancellationToken: ct));
        return rows.Select(r => new Level(r.code, r.rank, r.label_fr, r.label_en, r.name_fr, r.menu_fr, r.menu_en, r.one_fr, r.many_fr,
            r.map_parent, r.export_parents.Split(',', StringSplitOptions.RemoveEmptyEntries), r.series_parent, r.within, r.mapped, r.prebuilt_max_zoom, r.vintage, r.zoning)).ToList();
    }

    /// <summary>Writes the built-in levels of levels.json into the `level` table; run by every `migrate`.</summary>
    public static void SyncBuiltIn(string connectionString)
    {
        using var db = AtlasDatabase.CreateDataSource(connectionString);
        using var command = db.CreateCommand("""
            insert into level (code, rank, label_fr, label_en, name_fr, menu_fr, menu_en, one_fr, many_fr, map_parent, export_parents,
                               series_parent, within, mapped, prebuilt_max_zoom)
            select code, rank, label_fr, label_en, name_fr, menu_fr, menu_en, one_fr, many_fr, null, export_parents,
                   series_parent, within, mapped, prebuilt_max_zoom
            from jsonb_to_recordset(@levels) as l(code text, rank smallint, label_fr text, label_en text, name_fr text, menu_fr text,
                 menu_en text, one_fr text, many_fr text, export_parents text[], series_parent boolean, within boolean, mapped boolean,
                 prebuilt_max_zoom smallint)
            on conflict (code) do update set rank = excluded.rank, label_fr = excluded.label_fr, label_en = excluded.label_en,
                name_fr = excluded.name_fr, menu_fr = excluded.menu_fr, menu_en = excluded.menu_en, one_fr = excluded.one_fr,
                many_fr = excluded.many_fr, export_parents = excluded.export_parents, series_parent = excluded.series_parent,
                within = excluded.within, mapped = excluded.mapped, prebuilt_max_zoom = excluded.prebuilt_max_zoom;
            -- Parents in a second pass: a parent row may come later in the file.
            update level set map_parent = l.map_parent
            from jsonb_to_recordset(@levels) as l(code text, map_parent text)
            where level.code = l.code and level.map_parent is distinct from l.map_parent;
            """);
        command.Parameters.Add(new NpgsqlParameter("levels", NpgsqlDbType.Jsonb) { Value = Levels.BuiltInJson() });
        command.ExecuteNonQuery();
    }

#pragma warning disable IDE1006, CA1812 // Dapper maps the snake_case columns onto these names.
    private sealed record Row(string code, short rank, string label_fr, string label_en, string name_fr, string menu_fr, string menu_en,
        string one_fr, string many_fr, string? map_parent, string export_parents, bool series_parent, bool within, bool mapped,
        short prebuilt_max_zoom, string? vintage, bool zoning);
#pragma warning restore IDE1006, CA1812
}
