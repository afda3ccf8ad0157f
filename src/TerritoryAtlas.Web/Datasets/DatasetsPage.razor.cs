using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using TerritoryAtlas.Web.Administration;
using TerritoryAtlas.Web.Components;
using TerritoryAtlas.Web.Import;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Web.Datasets;

/// <summary>
/// The contributions page's work: the browser's file copied to the server with progress, its shape read, validated
/// into a draft off the circuit's context (rows read shown as they go), a version opened, published or rolled back
/// with its phases shown. The fields and tables are its components; the service does the rest.
/// </summary>
public sealed partial class DatasetsPage : IDisposable
{
    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private Language L => Reader.Current;
    private Contributor Who { get; set; } = new("", false, false, []);

    private readonly CancellationTokenSource _cts = new();
    private IReadOnlyList<DatasetVersionSummary> _versions = [];
    private IReadOnlyList<OrganisationRow> _organisations = [];
    private UploadedFile? _file;
    private ContributionMetadataForm _meta = new();
    private ColumnMappingForm _map = new();
    private int? _organisationId;
    private string? _boundaryLevel;
    private int? _boundaryVintage;
    private string? _busy;
    private double? _percent;
    private string? _error;
    private ValidationReport? _errorReport;
    private DatasetVersionView? _selected;
    private IReadOnlyList<PreviewRow> _rows = [];

    protected override async Task OnInitializedAsync()
    {
        Who = Contributor.From((await AuthenticationState).User);
        var organisations = await Admin.OrganisationsAsync(_cts.Token);
        _organisations = Who.IsAdmin ? organisations : organisations.Where(o => Who.OrganisationIds.Contains(o.Id)).ToList();
        _organisationId = Who.IsAdmin ? null : _organisations.FirstOrDefault()?.Id;
        await LoadVersionsAsync();
    }

    private async Task LoadVersionsAsync() => _versions = await Versions.ListAsync(Who, 200, _cts.Token);

    /// <summary>Copies the browser's file to a temporary file on the server, showing the bytes received, then reads its shape.</summary>
    private async Task UploadAsync(IBrowserFile? browserFile)
    {
        if (browserFile is null)
        {
            return;
        }

        Forget();
        _error = null;
        _errorReport = null;
        _selected = null;
        if (browserFile.Size > Drafts.MaxUploadBytes)
        {
            _error = L.T($"{browserFile.Name} : plus grand que la limite de {Drafts.MaxUploadBytes / (1024 * 1024)} Mo.",
                         $"{browserFile.Name}: larger than the limit of {Drafts.MaxUploadBytes / (1024 * 1024)} MB.");
            return;
        }

        var path = Path.Combine(Path.GetTempPath(), $"atlas-upload-{Guid.NewGuid():N}");
        _busy = L.T($"Envoi de {browserFile.Name}…", $"Sending {browserFile.Name}…");
        _percent = 0;
        try
        {
            await using (var source = browserFile.OpenReadStream(Drafts.MaxUploadBytes, _cts.Token))
            await using (var copy = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                var buffer = new byte[81920];
                long total = 0, shown = 0;
                int read;
                while ((read = await source.ReadAsync(buffer, _cts.Token)) > 0)
                {
                    await copy.WriteAsync(buffer.AsMemory(0, read), _cts.Token);
                    total += read;
                    if (total - shown > browserFile.Size / 50)
                    {
                        shown = total;
                        _percent = 100.0 * total / Math.Max(1, browserFile.Size);
                        StateHasChanged();
                    }
                }
            }

            if (BoundaryUpload.Recognises(path, browserFile.Name))
            {
                // Read when validated (its zip unpacked then): here only its kind is known.
                _file = new UploadedFile(path, browserFile.Name, browserFile.Size, Path.GetExtension(browserFile.Name).TrimStart('.'), "", [], false) { IsBoundaries = true };
            }
            else
            {
                var (format, encoding, header) = ContributionFile.Peek(path, browserFile.Name);
                _file = new UploadedFile(path, browserFile.Name, browserFile.Size, format, encoding, header, ContributionRows.IsTidy(header));
            }

            _boundaryLevel = null;
            _boundaryVintage = null;
            _meta = new ContributionMetadataForm();
            _map = new ColumnMappingForm();
        }
        catch (ImportException e)
        {
            File.Delete(path);
            _error = e.Message;
        }
        catch (IOException e)
        {
            File.Delete(path);
            _error = L.T($"{browserFile.Name} : l'envoi a échoué ({e.Message}).", $"{browserFile.Name}: the upload failed ({e.Message}).");
        }
        finally
        {
            _busy = null;
            _percent = null;
        }
    }

    private async Task ValidateAsync()
    {
        if (_file is not { } file)
        {
            return;
        }

        _error = null;
        _errorReport = null;
        _busy = L.T("Validation : 0 ligne lue…", "Validation: 0 rows read…");
        _percent = null;
        var metadata = file.IsBoundaries
            ? new ContributionMetadata(Level: FormText.Blank(_boundaryLevel), Vintage: _boundaryVintage)
            : _meta.ToMetadata(_organisationId, _map.ToMapping());
        try
        {
            // Off the circuit's context: a large file takes seconds, and progress comes back through InvokeAsync.
            var version = await Task.Run(async () =>
            {
                await using var stream = File.OpenRead(file.Path);
                return await Drafts.ContributeAsync(stream, file.Name, metadata, Who, rows => _ = InvokeAsync(() =>
                {
                    _busy = L.T($"Validation : {FigureFormat.Number(rows, 0, L)} lignes lues…", $"Validation: {FigureFormat.Number(rows, 0, L)} rows read…");
                    StateHasChanged();
                }), _cts.Token);
            });
            Forget();
            await ShowAsync(version);
            await LoadVersionsAsync();
        }
        catch (ContributionRefused e)
        {
            _error = e.Problem;
            _errorReport = e.Report is { Read: > 0 } ? e.Report : null;
        }
        finally
        {
            _busy = null;
        }
    }

    private async Task OpenAsync(long id)
    {
        _error = null;
        _errorReport = null;
        if (await Versions.GetAsync(id, Who, _cts.Token) is { } version)
        {
            await ShowAsync(version);
        }
    }

    private async Task ShowAsync(DatasetVersionView version)
    {
        _selected = version;
        _rows = await Versions.PreviewRowsAsync(version.Id, Who, 200, _cts.Token);
    }

    private Task PublishAsync() => ActAsync(L.T("Publication…", "Publishing…"),
        (id, phases) => Publication.PublishAsync(id, Who, phases, _cts.Token));

    private Task RollbackAsync() => ActAsync(L.T("Retour à la version précédente…", "Rolling back to the previous version…"),
        (id, phases) => Publication.RollbackAsync(id, Who, phases, _cts.Token));

    private async Task ActAsync(string progress, Func<long, IProgress<PublicationPhase>, Task<DatasetVersionView>> action)
    {
        if (_selected is not { } version)
        {
            return;
        }

        _error = null;
        _errorReport = null;
        _busy = progress;
        _percent = null;
        try
        {
            // Created here, on the circuit's context, so each phase comes back to it (Progress posts to the context it was made on).
            var phases = new Progress<PublicationPhase>(phase =>
            {
                _busy = L.T($"{progress} étape {phase.Number} sur {phase.Count} : {phase.French}", $"{progress} step {phase.Number} of {phase.Count}: {phase.English}");
                _percent = 100.0 * (phase.Number - 1) / phase.Count;
                StateHasChanged();
            });
            var done = await Task.Run(() => action(version.Id, phases));
            await ShowAsync(done);
            await LoadVersionsAsync();
        }
        catch (ContributionRefused e)
        {
            _error = e.Problem;
        }
        finally
        {
            _busy = null;
        }
    }

    internal static string StatusLabel(string status, Language l) => status switch
    {
        "draft" => l.T("brouillon", "draft"),
        "published" => l.T("publiée", "published"),
        "superseded" => l.T("remplacée", "superseded"),
        "rejected" => l.T("retirée", "rolled back"),
        _ => status,
    };

    private string Megabytes(long bytes) => L.T($"{FigureFormat.Number(bytes / 1048576.0, 1, L)} Mo", $"{FigureFormat.Number(bytes / 1048576.0, 1, L)} MB");

    /// <summary>The temporary copy of an upload is the page's until it is validated or replaced.</summary>
    private void Forget()
    {
        if (_file is { } file)
        {
            File.Delete(file.Path);
            _file = null;
        }
    }

    public void Dispose()
    {
        _cts.Cancel();
        _cts.Dispose();
        Forget();
    }

    private sealed record UploadedFile(string Path, string Name, long Size, string Format, string Encoding, IReadOnlyList<string> Header, bool IsTidy)
    {
        /// <summary>INSEE's commune correspondence (table de passage, mouvements des communes), or null for a file of figures.</summary>
        public string? Geography { get; } = GeographyChanges.Recognise(Header);

        /// <summary>A boundary layer (zipped shapefile or GeoPackage), validated by <see cref="BoundaryUpload"/>.</summary>
        public bool IsBoundaries { get; init; }
    }

}
