using System.Data;
using System.Text.Json;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Web.Datasets;

/// <summary>
/// Where a publication or a roll back stands, for a page to show while it runs: step <paramref name="Number"/> of
/// <paramref name="Count"/>, said in French and English. Everything happens in one transaction: until the last step
/// ends, readers see the previous figures.
/// </summary>
public sealed record PublicationPhase(int Number, int Count, string French, string English);

/// <summary>
/// Publishing a version (a draft, or an earlier one again) and rolling the current one back, each in one transaction
/// under <see cref="PublicationLock"/>: the figures, boundaries or perimeters go in or come back, what derives from them
/// is recomputed, and the data version moves so every instance's caches and open maps follow.
/// </summary>
public sealed class DatasetPublication(NpgsqlDataSource db, DatasetVersions versions, DataVersion dataVersion, ILogger<DatasetPublication> log)
{
    /// <summary>
    /// The transaction-scoped advisory lock every publication and roll back holds: one at a time, since the derived
    /// figures are recomputed over whole tables. Whatever else rewrites observations takes it too.
    /// </summary>
    public const long PublicationLock = 1413;

    /// <summary>
    /// Makes a draft (or an earlier version) the dataset's current figures, in one transaction: the current version is
    /// superseded (what it had replaced comes back), the figures go in, the derived figures of the indicators they
    /// touch are recomputed and the data version moves. A kill during it leaves the previous version current and whole.
    /// </summary>
    public Task<DatasetVersionView> PublishAsync(long id, Contributor who, CancellationToken ct) => PublishAsync(id, who, null, ct);

    /// <inheritdoc cref="PublishAsync(long, Contributor, CancellationToken)"/>
    /// <param name="progress">told each phase as it starts (<see cref="PublicationPhase"/>), for a page to show.</param>
    public async Task<DatasetVersionView> PublishAsync(long id, Contributor who, IProgress<PublicationPhase>? progress, CancellationToken ct)
    {
        var phases = new Phases(progress);
        phases.Next("Vérification de la version et des droits", "Checking the version and the rights");
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var version = await LockVersionAsync(connection, transaction, id, who, ct);
        if (version.Status is not ("draft" or "superseded"))
        {
            throw new ContributionRefused(StatusCodes.Status409Conflict, $"version {id} is {version.Status}: only a draft or a superseded version can be published", null);
        }

        await MayPublishAsync(connection, transaction, who, version.OrganisationId, ct);
        if (GeographyChanges.IsGeography(version.Dataset))
        {
            await RefuseCarriedOutOfForceAsync(connection, transaction, [], id, ct, resting =>
                $"version {id} (commune correspondence) cannot be published: figures of published datasets were carried to the boundary layer's communes by code links of the correspondence in force that this one does not give ({resting}). Roll those dataset versions back first (their files can then be uploaded again on this correspondence): nothing was changed");
        }
        else if (!BoundaryLayers.IsBoundaries(version.Dataset))
        {
            await RefuseCarriedOutOfForceAsync(connection, transaction, [id], await CorrespondenceInForceAsync(connection, transaction, ct), ct, resting =>
                $"version {id} cannot be published: its figures were carried to the boundary layer's communes by code links of a commune correspondence no longer in force ({resting}). Upload the file again to validate it on the correspondence in force: nothing was changed");
        }

        phases.Next("Retrait de la version en cours", "Taking the current version off");
        var current = await UnpublishCurrentAsync(connection, transaction, version, "superseded", who, ct);
        if (BoundaryLayers.IsBoundaries(version.Dataset))
        {
            var relinked = await BoundaryLayers.PublishAsync(connection, transaction, version.Id, BoundaryLayers.LevelOf(version.Dataset), who.Name,
                (french, english) => phases.Next(french, english), ct);
            return await CommitAndAnswerAsync(connection, transaction, id, who, phases, relinked, "published", ct);
        }

        if (!GeographyChanges.IsGeography(version.Dataset))
        {
            await DefineIndicatorAsync(connection, transaction, version, ct);
        }

        phases.Next("Écriture des chiffres de la version", "Writing the version's figures");
        var indicators = await DatasetVersions.IndicatorsAsync(connection, transaction, [id], ct);
        await connection.ExecuteScalarAsync<long>(new CommandDefinition(AtlasDatabase.Sql("Datasets.publish.sql"),
            new { version_id = id, indicators, name = version.Dataset, by = who.Name }, transaction, commandTimeout: 0, cancellationToken: ct));
        var touched = current is { } c ? indicators.Union(await DatasetVersions.IndicatorsAsync(connection, transaction, [c], ct)).ToArray() : indicators;
        await (GeographyChanges.IsGeography(version.Dataset)
            ? ApplyPerimetersAndMoveAsync(connection, transaction, phases, ct)
            : RecomputeAndMoveAsync(connection, transaction, touched, phases, ct));
        phases.Next("Enregistrement", "Saving");
        await transaction.CommitAsync(ct);
        // Other instances follow the data version within two seconds; this one at once, so whoever published sees it.
        dataVersion.Invalidate();
        var times = phases.Times();
        log.LogInformation("Dataset version {Version} published by {By}: {Phases}", id, who.Name, times);
        return (await versions.GetAsync(id, who, ct, withPreview: false))!;
    }

    /// <summary>Rolls the dataset's current version (<paramref name="id"/>) back: the previous version becomes current again.</summary>
    public Task<DatasetVersionView> RollbackAsync(long id, Contributor who, CancellationToken ct) => RollbackAsync(id, who, null, ct);

    /// <inheritdoc cref="RollbackAsync(long, Contributor, CancellationToken)"/>
    /// <param name="progress">told each phase as it starts (<see cref="PublicationPhase"/>), for a page to show.</param>
    public async Task<DatasetVersionView> RollbackAsync(long id, Contributor who, IProgress<PublicationPhase>? progress, CancellationToken ct)
    {
        var phases = new Phases(progress);
        phases.Next("Vérification de la version et des droits", "Checking the version and the rights");
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var version = await LockVersionAsync(connection, transaction, id, who, ct);
        if (version.Status != "published")
        {
            throw new ContributionRefused(StatusCodes.Status409Conflict, $"version {id} is {version.Status}: only the current (published) version can be rolled back", null);
        }

        await MayPublishAsync(connection, transaction, who, version.OrganisationId, ct);
        phases.Next("Retrait de la version en cours", "Taking the current version off");
        await UnpublishCurrentAsync(connection, transaction, version, "rejected", who, ct);
        if (BoundaryLayers.IsBoundaries(version.Dataset))
        {
            var relinked = await BoundaryLayers.RollbackAsync(connection, transaction, version.Id, version.DatasetId, BoundaryLayers.LevelOf(version.Dataset),
                (french, english) => phases.Next(french, english), ct);
            return await CommitAndAnswerAsync(connection, transaction, id, who, phases, relinked, "rolled back", ct);
        }

        var touched = await DatasetVersions.IndicatorsAsync(connection, transaction, [id], ct);
        phases.Next("Retour des chiffres de la version précédente", "Bringing the previous version's figures back");
        var previous = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
            select id from dataset_version where dataset_id = @datasetId and status = 'superseded' and id <> @id
            order by published_at desc nulls last, id desc limit 1
            """, new { version.DatasetId, id }, transaction, cancellationToken: ct));
        if (GeographyChanges.IsGeography(version.Dataset))
        {
            // Figures a partner published while this correspondence was in force may rest on its code links: rolling it
            // back from under them would leave them on communes no correspondence in force carries them to.
            await RefuseCarriedOutOfForceAsync(connection, transaction, [], previous, ct, resting =>
                $"version {id} (commune correspondence) cannot be rolled back: figures of published datasets were carried to the boundary layer's communes by its code links, which the correspondence then in force does not give ({resting}). Roll those dataset versions back first (their files can then be uploaded again on the correspondence in force): nothing was changed");
        }
        else if (previous is { } back)
        {
            await RefuseCarriedOutOfForceAsync(connection, transaction, [back], await CorrespondenceInForceAsync(connection, transaction, ct), ct, resting =>
                $"version {id} cannot be rolled back: the previous version's figures were carried to the boundary layer's communes by code links of a commune correspondence no longer in force ({resting}). Publish a new version instead (a file validated on the correspondence in force): nothing was changed");
        }

        if (previous is { } p)
        {
            var indicators = await DatasetVersions.IndicatorsAsync(connection, transaction, [p], ct);
            await connection.ExecuteScalarAsync<long>(new CommandDefinition(AtlasDatabase.Sql("Datasets.publish.sql"),
                new { version_id = p, indicators, name = version.Dataset, by = who.Name }, transaction, commandTimeout: 0, cancellationToken: ct));
            touched = touched.Union(indicators).ToArray();
        }

        await (GeographyChanges.IsGeography(version.Dataset)
            ? ApplyPerimetersAndMoveAsync(connection, transaction, phases, ct)
            : RecomputeAndMoveAsync(connection, transaction, touched, phases, ct));
        phases.Next("Enregistrement", "Saving");
        await transaction.CommitAsync(ct);
        dataVersion.Invalidate();
        log.LogInformation("Dataset version {Version} rolled back by {By} (previous: {Previous}): {Phases}", id, who.Name,
            previous?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none", phases.Times());
        return (await versions.GetAsync(id, who, ct, withPreview: false))!;
    }

    /// <summary>
    /// Commits a boundary publication or roll back and answers the version as it now stands. Where it linked
    /// territories to other parents (<paramref name="relinked"/> links), every derived figure is computed again first:
    /// the sums of an arrondissement's communes or a région's départements, their secrecy and rates follow the links.
    /// </summary>
    private async Task<DatasetVersionView> CommitAndAnswerAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, Contributor who,
        Phases phases, int relinked, string what, CancellationToken ct)
    {
        if (relinked > 0)
        {
            await DerivedFigures.RecomputeAsync(connection, transaction, null,
                step => phases.Next(DerivedFigures.Labels[step].French, DerivedFigures.Labels[step].English), ct);
        }

        // Every instance polls data_version (DataVersion): tiles are keyed by it, so open maps fetch the new outlines.
        await DataVersion.MoveAsync(connection, transaction, ct);
        phases.Next("Enregistrement", "Saving");
        await transaction.CommitAsync(ct);
        dataVersion.Invalidate();
        log.LogInformation("Boundary version {Version} {What} by {By}: {Links} parent links changed; {Phases}", id, what, who.Name, relinked, phases.Times());
        return (await versions.GetAsync(id, who, ct, withPreview: false))!;
    }

    /// <summary>
    /// Refuses with 409 (the transaction is not committed: nothing changes) a publication or roll back that would leave
    /// figures carried by an uploaded correspondence's code links (dataset_carried_code) resting on links no longer in
    /// force: those of <paramref name="versions"/>, or of every published version when none is named, against the
    /// correspondence version in force afterwards (<paramref name="linksVersion"/>, null: none).
    /// </summary>
    private static async Task RefuseCarriedOutOfForceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long[] versions,
        long? linksVersion, CancellationToken ct, Func<string, string> problem)
    {
        var resting = (await connection.QueryAsync<(string Dataset, long Version, string[] Codes)>(new CommandDefinition(
            AtlasDatabase.Sql("Datasets.carried_out_of_force.sql"),
            new { versions, published = versions.Length == 0, links_version = linksVersion }, transaction, cancellationToken: ct))).ToList();
        if (resting.Count > 0)
        {
            throw new ContributionRefused(StatusCodes.Status409Conflict, problem(string.Join("; ", resting.Select(r =>
                $"{r.Dataset}, version {r.Version}: {string.Join(", ", r.Codes.Take(10))}{(r.Codes.Length > 10 ? $" and {r.Codes.Length - 10} more codes" : "")}"))), null);
        }
    }

    /// <summary>The commune correspondence version in force (published), if any.</summary>
    private static Task<long?> CorrespondenceInForceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct) =>
        connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
            select v.id from dataset_version v join dataset d on d.id = v.dataset_id where d.name = @name and v.status = 'published'
            """, new { name = GeographyChanges.DatasetName }, transaction, cancellationToken: ct));

    private async Task<VersionRow> LockVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, Contributor who, CancellationToken ct)
    {
        // One publication at a time: the derived figures are recomputed over the whole table. For this transaction only:
        // no JIT compilation (its planner, misled by figures written a moment ago and not yet analysed, costed the zones'
        // sums at 760,000 and spent 2.8 s of a 6.3 s statement compiling them; README, Performance), and sorts and
        // hashes of a 300,000-row version in memory rather than on disk (one publication runs at a time).
        await connection.ExecuteAsync(new CommandDefinition("""
            select pg_advisory_xact_lock(@PublicationLock), set_config('jit', 'off', true), set_config('work_mem', '64MB', true)
            """, new { PublicationLock }, transaction, cancellationToken: ct));
        var version = await connection.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition("""
            select v.id, v.dataset_id as datasetid, d.name as dataset, d.organisation_id as organisationid, v.status, v.file_name as filename,
                   v.format, v.uploaded_by as uploadedby, v.uploaded_at as uploadedat, v.published_by as publishedby,
                   v.published_at as publishedat, v.rolled_back_by as rolledbackby, v.rolled_back_at as rolledbackat, '{}' as report, v.metadata::text as metadata
            from dataset_version v join dataset d on d.id = v.dataset_id
            where v.id = @id
            for update of v
            """, new { id }, transaction, cancellationToken: ct));
        return version is not null && who.MaySee(version.OrganisationId)
            ? version
            : throw new ContributionRefused(StatusCodes.Status404NotFound, $"no dataset version {id}", null);
    }

    private static async Task MayPublishAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Contributor who, int? organisation, CancellationToken ct)
    {
        if (who.IsAdmin)
        {
            return;
        }

        var allowed = organisation is not null && await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select coalesce((select producers_may_publish from organisation where id = @organisation), false)",
            new { organisation }, transaction, cancellationToken: ct));
        if (!allowed)
        {
            throw new ContributionRefused(StatusCodes.Status403Forbidden,
                "an admin publishes this organisation's datasets (its producers are not allowed to publish them)", null);
        }
    }

    /// <returns>the version taken off, if there was one.</returns>
    private static async Task<long?> UnpublishCurrentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, VersionRow version,
        string newStatus, Contributor who, CancellationToken ct)
    {
        var current = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "select id from dataset_version where dataset_id = @DatasetId and status = 'published' for update",
            new { version.DatasetId }, transaction, cancellationToken: ct));
        if (current is { } c)
        {
            await connection.ExecuteAsync(new CommandDefinition(AtlasDatabase.Sql("Datasets.unpublish.sql"),
                new { current_id = c, name = version.Dataset, new_status = newStatus, by = who.Name }, transaction, commandTimeout: 0, cancellationToken: ct));
        }

        return current;
    }

    /// <summary>A contribution defining a new indicator adds it to the catalogue when first published (marked contributed).</summary>
    private static async Task DefineIndicatorAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, VersionRow version, CancellationToken ct)
    {
        var m = version.Metadata is null ? null : JsonSerializer.Deserialize<ContributionMetadata>(version.Metadata, ManifestFiles.Options);
        if (m?.Code is null || m.LabelFr is null)
        {
            return;
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            insert into indicator (code, theme, label_fr, label_en, unit_fr, unit_en, kind, decimals, definition_fr, definition_en, source,
                producer, licence, polarity, additive, numerator, denominator, multiplier, secrecy_threshold, secrecy_applies_to,
                visibility, contributed, sort_order)
            values (@Code, coalesce(@Theme, (select code from theme order by sort_order limit 1)), @LabelFr, coalesce(@LabelEn, @LabelFr),
                @UnitFr, coalesce(@UnitEn, @UnitFr), @Kind, coalesce(@Decimals, 0), coalesce(@DefinitionFr, ''), coalesce(@DefinitionEn, @DefinitionFr, ''),
                @Source, @Producer, @Licence, coalesce(@Polarity, 0), coalesce(@Additive, false), @Numerator, @Denominator, @Multiplier,
                @Threshold, @AppliesTo, coalesce(@Visibility, 'public'), true, (select coalesce(max(sort_order), 0) + 1 from indicator))
            on conflict (code) do update set label_fr = excluded.label_fr, label_en = excluded.label_en, unit_fr = excluded.unit_fr,
                unit_en = excluded.unit_en, definition_fr = excluded.definition_fr, definition_en = excluded.definition_en,
                source = excluded.source, producer = excluded.producer, licence = excluded.licence, visibility = excluded.visibility
            where indicator.contributed
            """, new
        {
            m.Code,
            m.Theme,
            m.LabelFr,
            m.LabelEn,
            m.UnitFr,
            m.UnitEn,
            m.Kind,
            m.Decimals,
            m.DefinitionFr,
            m.DefinitionEn,
            m.Source,
            m.Producer,
            m.Licence,
            m.Polarity,
            m.Additive,
            m.Numerator,
            m.Denominator,
            m.Multiplier,
            Threshold = m.Secrecy?.Threshold,
            AppliesTo = m.Secrecy?.AppliesTo,
            m.Visibility,
        }, transaction, cancellationToken: ct));
    }

    private static async Task RecomputeAndMoveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<string> indicators,
        Phases phases, CancellationToken ct)
    {
        // Only the figures derived from the indicators this publication changed (and the rates made from them): the
        // rest of the table is what the last full pass wrote, and recomputing it would cost most of the publication.
        await DerivedFigures.RecomputeAsync(connection, transaction, indicators,
            step => phases.Next(DerivedFigures.Labels[step].French, DerivedFigures.Labels[step].English), ct);

        // Every instance polls data_version (DataVersion): maps, tiles' values, embeds and exports follow within seconds.
        await DataVersion.MoveAsync(connection, transaction, ct);
    }

    /// <summary>
    /// A commune correspondence published or rolled back: the perimeters in force are rebuilt from every source (the
    /// newest published correspondence first, the import's for the rest), every figure that reads them is recomputed
    /// (zones, arrondissements, their rates, figures on current perimeters: for every indicator, since a perimeter holds
    /// them all) and the data version moves, so maps, series and portraits follow.
    /// </summary>
    private static async Task ApplyPerimetersAndMoveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Phases phases, CancellationToken ct)
    {
        phases.Next("Périmètres des communes en vigueur", "Commune perimeters in force");
        await connection.ExecuteAsync(new CommandDefinition(AtlasDatabase.Sql("Import.perimeter_changes.sql"), transaction: transaction, cancellationToken: ct));
        await DerivedFigures.RecomputePerimetersAsync(connection, transaction,
            step => phases.Next(DerivedFigures.Labels[step].French, DerivedFigures.Labels[step].English), ct);
        await DataVersion.MoveAsync(connection, transaction, ct);
    }

    /// <summary>
    /// Numbers the phases of a publication or roll back as they start (3 before the derived steps, 1 after) and times
    /// them, for the log line that says where the time went.
    /// </summary>
    private sealed class Phases(IProgress<PublicationPhase>? progress)
    {
        private static readonly int Count = 3 + DerivedFigures.DerivedSteps.Count + 1;
        private readonly System.Diagnostics.Stopwatch _watch = System.Diagnostics.Stopwatch.StartNew();
        private readonly List<string> _times = [];
        private string? _current;
        private int _number;

        public void Next(string french, string english)
        {
            Lap();
            _current = english;
            progress?.Report(new PublicationPhase(++_number, Count, french, english));
        }

        /// <summary>Each phase and its seconds, the last one included.</summary>
        public string Times()
        {
            Lap();
            return string.Join("; ", _times);
        }

        private void Lap()
        {
            if (_current is not null)
            {
                _times.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{_current} {_watch.Elapsed.TotalSeconds:0.00} s"));
            }

            _current = null;
            _watch.Restart();
        }
    }
}
