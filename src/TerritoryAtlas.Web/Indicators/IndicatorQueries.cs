using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Territories;

namespace TerritoryAtlas.Web.Indicators;

/// <summary>An indicator as the catalogue describes it, with where and when the database holds figures for it.</summary>
public sealed record IndicatorInfo(
    string Code, string Theme, string ThemeLabel, string ThemeLabelEn, string Label, string LabelEn, string? ShortLabel,
    string Unit, string UnitEn, string Kind, int Decimals, string Definition, string DefinitionEn, string Source, string Producer,
    string Licence, int Polarity, string? Numerator, string? Denominator, double? Multiplier, string? SecrecyRule,
    IReadOnlyList<SeriesBreakInfo> SeriesBreaks, IReadOnlyList<string> Levels, IReadOnlyList<int> Years,
    IReadOnlyDictionary<string, int[]> YearsByLevel, string Visibility = "public")
{
    /// <summary>
    /// Not public: whoever reads it was let through by <c>indicator_visible</c>, so its responses are private to
    /// them (Cache-Control: private) and nothing shared (embeds, public caches) may carry it.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsRestricted => Visibility != "public";
}

public sealed record SeriesBreakInfo(int Year, string NoteFr, string NoteEn);

/// <summary>
/// The catalogue, and who may read each indicator. Every reader of figures asks here with its <see cref="Viewer"/>:
/// an indicator the viewer may not read is absent, exactly like an unknown one (APIs answer the same 404, pages the
/// same "unknown or reserved" prompt), so nothing reveals that it exists. The decision is SQL's
/// <c>indicator_visible</c>, made once per viewer class (<see cref="Viewer.CacheKey"/>) and per (data version,
/// visibility version): a warm request costs a dictionary lookup, and anonymous readers share one entry.
/// </summary>
public sealed class IndicatorQueries(NpgsqlDataSource db, DataVersion dataVersion)
{
    /// <summary>What a map shows when nobody chose: the explorer, the embed and a new workshop start on it.</summary>
    public const string DefaultIndicator = "taux_pauvrete_60";

    private Snapshot? _snapshot;

    /// <summary>The indicators this viewer may read, in catalogue order.</summary>
    public async ValueTask<IReadOnlyList<IndicatorInfo>> CatalogueAsync(Viewer viewer, CancellationToken ct) =>
        (TryVisibleNow(viewer) ?? await VisibleAsync(viewer, ct)).List;

    /// <summary>The indicator, or null when it does not exist or this viewer may not read it (callers answer both alike).</summary>
    public ValueTask<IndicatorInfo?> FindAsync(string code, Viewer viewer, CancellationToken ct)
    {
        // A warm map or series request answers here without awaiting anything: a dictionary lookup.
        if (TryVisibleNow(viewer) is { } visible)
        {
            return ValueTask.FromResult(visible.ByCode.GetValueOrDefault(code));
        }

        return FindSlowAsync(code, viewer, ct);
    }

    private async ValueTask<IndicatorInfo?> FindSlowAsync(string code, Viewer viewer, CancellationToken ct) =>
        (await VisibleAsync(viewer, ct)).ByCode.GetValueOrDefault(code);

    /// <summary>What the viewer may read, when the snapshot is current and this class of viewers' list already made.</summary>
    private Visible? TryVisibleNow(Viewer viewer) =>
        _snapshot is { } snapshot && dataVersion.TryFresh(out var stamp) && snapshot.Stamp == stamp
        && snapshot.ByViewer.TryGetValue(viewer.CacheKey, out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully
            ? entry.Value.Result
            : null;

    private async Task<Visible> VisibleAsync(Viewer viewer, CancellationToken ct)
    {
        var snapshot = await SnapshotAsync(ct);
        // Entries are few (one per combination of organisations) and die with the snapshot; a crowd asking at once
        // waits for one query. A failed one is forgotten, so the next request asks again.
        var visible = snapshot.ByViewer.GetOrAdd(viewer.CacheKey, static (_, state) =>
            new Lazy<Task<Visible>>(() => state.Self.ReadVisibleAsync(state.Snapshot, state.Viewer)), (Self: this, Snapshot: snapshot, Viewer: viewer));
        try
        {
            return await visible.Value.WaitAsync(ct);
        }
        catch (Exception) when (visible.Value.IsFaulted)
        {
            snapshot.ByViewer.TryRemove(new(viewer.CacheKey, visible));
            throw;
        }
    }

    private async Task<Visible> ReadVisibleAsync(Snapshot snapshot, Viewer viewer)
    {
        await using var connection = await db.OpenConnectionAsync();
        var codes = (await connection.QueryAsync<string>(new CommandDefinition("""
            select code from indicator
            where indicator_visible(visibility, code, @isMember, @isAdmin, @organisations)
            """, new { isMember = viewer.IsMember, isAdmin = viewer.IsAdmin, organisations = viewer.OrganisationArray }))).ToHashSet(StringComparer.Ordinal);
        var list = snapshot.All.Where(i => codes.Contains(i.Code)).ToList();
        return new Visible(list, list.ToDictionary(i => i.Code, StringComparer.Ordinal));
    }

    /// <summary>
    /// Sets who may read an indicator (public, members, or the listed organisations); true when the indicator exists.
    /// The database's triggers bump the visibility version (other instances follow within two seconds); this instance
    /// follows at once. <paramref name="record"/> runs in the same transaction with the state before (the audit log).
    /// </summary>
    public async Task<bool> SetVisibilityAsync(string code, string visibility, IReadOnlyCollection<int> organisationIds, CancellationToken ct,
        Func<NpgsqlConnection, NpgsqlTransaction, Administration.IndicatorVisibility, Task>? record = null)
    {
        if (visibility is not ("public" or "members" or "organisations"))
        {
            throw new ParameterException("visibility", $"unknown visibility '{visibility}'; use public, members or organisations");
        }

        if (visibility == "organisations" && organisationIds.Count == 0)
        {
            throw new ParameterException("organisations", "an indicator shared with organisations needs at least one organisation");
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var before = await connection.QuerySingleOrDefaultAsync<VisibilityRow>(new CommandDefinition("""
            select i.visibility, array(select organisation_id from indicator_organisation where indicator_code = i.code order by 1) as organisations
            from indicator i where i.code = @code for update
            """, new { code }, transaction, cancellationToken: ct));
        if (before is null)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "update indicator set visibility = @visibility where code = @code", new { code, visibility }, transaction, cancellationToken: ct));

        await connection.ExecuteAsync(new CommandDefinition(
            "delete from indicator_organisation where indicator_code = @code", new { code }, transaction, cancellationToken: ct));
        if (visibility == "organisations")
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into indicator_organisation (indicator_code, organisation_id) select @code, unnest(@ids)
                """, new { code, ids = organisationIds.Distinct().ToArray() }, transaction, cancellationToken: ct));
        }

        if (record is not null)
        {
            await record(connection, transaction, new Administration.IndicatorVisibility(before.Visibility, before.Organisations));
        }

        await transaction.CommitAsync(ct);
        dataVersion.Invalidate();
        return true;
    }

    private async Task<Snapshot> SnapshotAsync(CancellationToken ct)
    {
        var stamp = await dataVersion.StampAsync(ct);
        if (_snapshot is { } cached && cached.Stamp == stamp)
        {
            return cached;
        }

        // One read of the catalogue per version, whoever asks meanwhile: it aggregates the observations, and a
        // hundred readers opening the map at once on a fresh instance would otherwise run it a hundred times.
        Task<Snapshot> loading;
        lock (_loadingGate)
        {
            loading = _loading is { IsFaulted: false } underway && _loadingStamp == stamp ? underway : _loading = LoadSnapshotAsync(stamp);
            _loadingStamp = stamp;
        }

        return await loading.WaitAsync(ct);
    }

    private readonly Lock _loadingGate = new();
    private Task<Snapshot>? _loading;
    private (long Version, long Visibility) _loadingStamp;

    private async Task<Snapshot> LoadSnapshotAsync((long Version, long Visibility) stamp)
    {
        var ct = CancellationToken.None;
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<CatalogueRow>(new CommandDefinition("""
            with coverage as (
                select o.indicator_code, t.level, array_agg(distinct o.year order by o.year) as years
                from observation o join territory t on t.id = o.territory_id
                group by o.indicator_code, t.level
            )
            select i.code, i.theme, th.label_fr as theme_label, th.label_en as theme_label_en, i.label_fr as label, i.label_en,
                   i.short_label_fr as short_label, i.unit_fr as unit, i.unit_en, i.kind, i.decimals, i.definition_fr as definition,
                   i.definition_en, i.source, i.producer, i.licence, i.polarity, i.numerator, i.denominator, i.multiplier,
                   i.secrecy_rule_fr as secrecy_rule, i.series_breaks::text as series_breaks,
                   coalesce((select jsonb_object_agg(c.level, c.years) from coverage c where c.indicator_code = i.code), '{}')::text as coverage,
                   i.visibility
            from indicator i join theme th on th.code = i.theme
            order by th.sort_order, i.sort_order
            """, cancellationToken: ct));
        var catalogue = rows.Select(r =>
        {
            var byLevel = JsonSerializer.Deserialize<Dictionary<string, int[]>>(r.coverage)!;
            var levels = Levels.Ordered.Where(byLevel.ContainsKey).ToList();
            return new IndicatorInfo(r.code, r.theme, r.theme_label, r.theme_label_en, r.label, r.label_en, r.short_label, r.unit,
                r.unit_en, r.kind, r.decimals, r.definition, r.definition_en, r.source, r.producer, r.licence, r.polarity, r.numerator,
                r.denominator, r.multiplier, r.secrecy_rule,
                JsonSerializer.Deserialize<List<SeriesBreakInfo>>(r.series_breaks, SnakeCase) ?? [],
                levels, byLevel.Values.SelectMany(y => y).Distinct().Order().ToList(), byLevel, r.visibility);
        }).ToList();
        var snapshot = new Snapshot(stamp, catalogue, new ConcurrentDictionary<string, Lazy<Task<Visible>>>(StringComparer.Ordinal));
        _snapshot = snapshot;
        return snapshot;
    }

    /// <summary>The whole catalogue of one (data version, visibility version), and what each class of viewer may read of it.</summary>
    private sealed record Snapshot((long Version, long Visibility) Stamp, IReadOnlyList<IndicatorInfo> All,
        ConcurrentDictionary<string, Lazy<Task<Visible>>> ByViewer);

    /// <summary>What one class of viewers may read: in catalogue order, and by code.</summary>
    private sealed record Visible(IReadOnlyList<IndicatorInfo> List, IReadOnlyDictionary<string, IndicatorInfo> ByCode);

    private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

#pragma warning disable IDE1006, CA1812 // Dapper maps the snake_case columns onto these names.
    private sealed record CatalogueRow(
        string code, string theme, string theme_label, string theme_label_en, string label, string label_en, string? short_label,
        string unit, string unit_en, string kind, short decimals, string definition, string definition_en, string source, string producer,
        string licence, short polarity, string? numerator, string? denominator, double? multiplier, string? secrecy_rule,
        string series_breaks, string coverage, string visibility);
#pragma warning restore IDE1006, CA1812

    // Settable: Dapper maps an int[] column by property, not by constructor (it sees the column as System.Array).
    private sealed class VisibilityRow
    {
        public string Visibility { get; set; } = "";

        public int[] Organisations { get; set; } = [];
    }
}
