using System.Text.Json.Serialization;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.Web.Indicators;

/// <summary>
/// Where a figure comes from, so that it can be traced to its file. <see cref="Origin"/>:
/// <list type="bullet">
/// <item>"contribution": a partner's file published on the atlas — <see cref="DatasetVersionId"/> (GET /api/datasets/{id}),
/// <see cref="File"/>, <see cref="Organisation"/>, <see cref="UploadedAt"/>, <see cref="PublishedAt"/>; who uploaded and
/// who published it (<see cref="UploadedBy"/>, <see cref="PublishedBy"/>: personal data) only for admins and the members
/// of that organisation, null for everyone else;</item>
/// <item>"import": the data directory's import — <see cref="Dataset"/> (indicators/manifest.json), <see cref="File"/>
/// (relative to the data directory), <see cref="PublishedAt"/> = when that import finished;</item>
/// <item>"derived": computed by the atlas — <see cref="Method"/> (sum_of_departements, sum_of_iris, sum_of_communes,
/// rate, current_perimeter) from <see cref="Inputs"/> (indicator codes) of <see cref="PartsLevel"/>'s territories.
/// A figure carried to a merged commune's current perimeter (current_perimeter) is the sum of its former communes'
/// figures; its other fields name the source of the figure as published (the series point's PublishedValue).</item>
/// </list>
/// </summary>
/// <remarks>Fields that do not apply are left out of JSON (a series has one per point: a derived one stays short).</remarks>
public sealed record FigureProvenance(
    string Origin,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Method = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Inputs = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PartsLevel = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Dataset = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? File = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? DatasetVersionId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Organisation = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTime? UploadedAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UploadedBy = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTime? PublishedAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PublishedBy = null);

/// <summary>
/// A series point's provenance, short (a series has one per point): its <see cref="Origin"/>, and the key of its full
/// description in the response's <c>sources</c> — <see cref="Method"/> (derived), <see cref="Dataset"/> (import) or
/// <see cref="DatasetVersionId"/> (contribution). A figure carried to a merged commune's current perimeter is
/// "derived" by "current_perimeter" and also names the dataset or version of the figure as published.
/// </summary>
public sealed record FigureRef(
    string Origin,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Method = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Dataset = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? DatasetVersionId = null)
{
    public static FigureRef Of(FigureProvenance p) => new(p.Origin, p.Method, p.Dataset, p.DatasetVersionId);

    /// <summary>
    /// The descriptions a figure's provenance refers to: itself, or for a derived figure that keeps a published one
    /// (current_perimeter) the method and, apart, the published figure's dataset or version.
    /// </summary>
    public static IEnumerable<FigureProvenance> Entries(FigureProvenance p)
    {
        if (p.Origin == "derived" && (p.Dataset is not null || p.DatasetVersionId is not null))
        {
            yield return new FigureProvenance("derived", p.Method, p.Inputs, p.PartsLevel);
            yield return p with { Origin = p.DatasetVersionId is not null ? "contribution" : "import", Method = null, Inputs = null, PartsLevel = null };
        }
        else
        {
            yield return p;
        }
    }

    /// <summary>The key a point's <see cref="FigureRef"/> finds its description by in the response's sources.</summary>
    public static string Key(string origin, string? method, string? dataset, long? version) => origin switch
    {
        "derived" => $"derived:{method}",
        "contribution" => $"contribution:{version}",
        _ => $"import:{dataset}",
    };
}

/// <summary>
/// Reads what the provenance of figures needs besides the figures themselves: the contributions' versions (one query
/// for those present, none when every figure is the import's or derived) and the import's files (import_report, a
/// few rows, read once per data version: an import moves it). Readers of public figures thus pay no extra query.
/// </summary>
public sealed class FigureSources(DataVersion dataVersion)
{
    // Replaced whole (a reference), so a reader never sees one version's stamp with another's files.
    private ImportFiles? _imports;

    /// <param name="connection">an open connection of the caller's, used for what must be read.</param>
    public async Task<KnownSources> ReadAsync(NpgsqlConnection connection, IEnumerable<long?> versionIds, Viewer viewer, CancellationToken ct)
    {
        var version = await dataVersion.CurrentAsync(ct);
        var imports = _imports is { } cached && cached.Version == version
            ? cached.Files
            : (_imports = new ImportFiles(version, (await connection.QueryAsync<ImportFile>(new CommandDefinition(
                "select dataset, file, finished_at as finishedat from import_report where kind = 'observations'", cancellationToken: ct)))
                .ToDictionary(f => f.Dataset, StringComparer.Ordinal))).Files;
        var ids = versionIds.OfType<long>().Distinct().ToArray();
        var versions = ids.Length == 0
            ? new Dictionary<long, FigureProvenance>()
            : (await connection.QueryAsync<VersionRow>(new CommandDefinition("""
                select v.id, v.file_name as filename, o.name as organisation, v.uploaded_at as uploadedat, v.published_at as publishedat,
                       case when @isAdmin or d.organisation_id = any(@organisations) then v.uploaded_by end as uploadedby,
                       case when @isAdmin or d.organisation_id = any(@organisations) then v.published_by end as publishedby
                from dataset_version v
                join dataset d on d.id = v.dataset_id
                left join organisation o on o.id = d.organisation_id
                where v.id = any(@ids)
                """, new { ids, isAdmin = viewer.IsAdmin, organisations = viewer.OrganisationArray }, cancellationToken: ct)))
            .ToDictionary(v => v.Id, v => new FigureProvenance("contribution", DatasetVersionId: v.Id, File: v.FileName, Organisation: v.Organisation,
                UploadedAt: Utc(v.UploadedAt), UploadedBy: v.UploadedBy, PublishedAt: Utc(v.PublishedAt), PublishedBy: v.PublishedBy));
        return new KnownSources(imports, versions);
    }

    // timestamptz comes back as UTC; said so, so that JSON writes the Z.
    private static DateTime? Utc(DateTime? at) => at is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : null;

    internal sealed record ImportFile(string Dataset, string File, DateTime FinishedAt)
    {
        public DateTime FinishedAtUtc => DateTime.SpecifyKind(FinishedAt, DateTimeKind.Utc);
    }

    private sealed record ImportFiles(long Version, IReadOnlyDictionary<string, ImportFile> Files);

    private sealed record VersionRow(long Id, string FileName, string? Organisation, DateTime UploadedAt, DateTime? PublishedAt, string? UploadedBy,
        string? PublishedBy);
}

/// <summary>The sources <see cref="FigureSources.ReadAsync"/> read, and what they say of each figure.</summary>
public sealed class KnownSources
{
    private readonly IReadOnlyDictionary<string, FigureSources.ImportFile> _imports;
    private readonly IReadOnlyDictionary<long, FigureProvenance> _versions;

    internal KnownSources(IReadOnlyDictionary<string, FigureSources.ImportFile> imports, IReadOnlyDictionary<long, FigureProvenance> versions)
    {
        _imports = imports;
        _versions = versions;
    }

    /// <summary>
    /// A figure's provenance from its observation row (origin, dataset, dataset version, flag) and, for a merged
    /// commune, the perimeter it is read on. A derived figure's method follows from what wrote it: the sums' flags
    /// (computed_observations.sql, zone_observations.sql), a rate's numerator and denominator (computed_rates.sql),
    /// and a figure carried to a merged commune's current perimeter from its former communes (perimeter_observations.sql).
    /// </summary>
    public FigureProvenance Of(IndicatorInfo indicator, string origin, string? dataset, long? versionId, string? flag,
        string? onPerimeter = null, string? status = null)
    {
        var source = versionId is { } id && _versions.TryGetValue(id, out var contribution)
            ? contribution
            : origin == "source"
                ? new FigureProvenance("import", Dataset: dataset,
                    File: dataset is not null && _imports.TryGetValue(dataset, out var file) ? file.File : null,
                    PublishedAt: dataset is not null && _imports.TryGetValue(dataset, out var at) ? at.FinishedAtUtc : null)
                : null;
        var isRate = indicator is { Kind: "rate", Numerator: not null, Denominator: not null };
        if (onPerimeter == "former" && status != "break")
        {
            return (source ?? new FigureProvenance("derived")) with
            {
                Origin = "derived",
                Method = "current_perimeter",
                Inputs = isRate ? [indicator.Numerator!, indicator.Denominator!] : [indicator.Code],
                PartsLevel = "commune",
            };
        }

        if (source is not null)
        {
            return source;
        }

        var flags = flag?.Split(' ') ?? [];
        return isRate
            ? new FigureProvenance("derived", "rate", [indicator.Numerator!, indicator.Denominator!])
            : flags.Contains("somme_iris")
                ? new FigureProvenance("derived", "sum_of_iris", [indicator.Code], "iris")
                : flags.Contains("somme_communes")
                    ? new FigureProvenance("derived", "sum_of_communes", [indicator.Code], "commune")
                    : flags.Contains("somme_departements")
                        ? new FigureProvenance("derived", "sum_of_departements", [indicator.Code], "departement")
                        : new FigureProvenance("derived", "computed", [indicator.Code]);
    }
}
