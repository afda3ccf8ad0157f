using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.Web.Administration;

/// <summary>
/// What the admin page's tabs share: the service, the acting admin, and one way to run a change — its sentence (or
/// the refusal's) in a snackbar, then the tab re-read either way, since another admin may have changed the same row.
/// </summary>
public abstract class AdminTab : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _leaving = new();

    /// <summary>Cancelled when the tab goes (the admin left the page, or the circuit closed): queries stop with it.</summary>
    protected CancellationToken Leaving => _leaving.Token;

    [Inject] protected AdminService Admin { get; set; } = default!;

    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    [Inject] private TerritoryAtlas.Web.Components.ReaderLanguage Reader { get; set; } = default!;

    [CascadingParameter] private Task<AuthenticationState> Authentication { get; set; } = default!;

    [Parameter] public IReadOnlyList<OrganisationRow> Organisations { get; set; } = [];

    /// <summary>Raised after a change that alters the organisations' member or share counts.</summary>
    [Parameter] public EventCallback OrganisationsChanged { get; set; }

    protected override Task OnInitializedAsync() => LoadAsync();

    protected abstract Task LoadAsync();

    protected async Task RunAsync(Func<AuditActor, Task<string>> change)
    {
        try
        {
            Snackbar.Add(await change(AuditActor.From((await Authentication).User)), Severity.Success);
        }
        catch (AccountException e)
        {
            Snackbar.Add(e.For(Reader.Current), Severity.Error);
        }
        catch (ParameterException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }

        await LoadAsync();
    }

    public void Dispose()
    {
        _leaving.Cancel();
        _leaving.Dispose();
        GC.SuppressFinalize(this);
    }
}
