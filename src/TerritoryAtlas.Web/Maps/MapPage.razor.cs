using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Embed;
using TerritoryAtlas.Web.Export;
using TerritoryAtlas.Web.Indicators;
using TerritoryAtlas.Web.Territories;

namespace TerritoryAtlas.Web.Maps;

/// <summary>
/// The map page's state: the view (read from the link, written back to it), the values shown, the play loop and the
/// dialogs. The markup is MapPage.razor; the selected territory's panel is SelectionPanel.
/// </summary>
public partial class MapPage
{
    // The link's parameters the page could not use (shown once, above the error line).
    private List<string> _ignored = [];

    // Phones only (CSS): whether the controls are unfolded.
    private bool _controlsOpen;

    // Cancelled when the component goes (the reader left the page): its queries stop instead of finishing for nobody,
    // and Blazor ignores the cancelled task. Read through Leaving, which stays usable after Dispose.
    private readonly CancellationTokenSource _leaving = new();

    private CancellationToken Leaving => _leaving.IsCancellationRequested ? new CancellationToken(true) : _leaving.Token;

    [SupplyParameterFromQuery(Name = "level")] public string? QueryLevel { get; set; }
    [SupplyParameterFromQuery(Name = "indicator")] public string? QueryIndicator { get; set; }
    // Strings, parsed here: Blazor's binding of an int throws on `year=abc`, which gave readers a 500 for a pasted link.
    [SupplyParameterFromQuery(Name = "year")] public string? QueryYear { get; set; }
    [SupplyParameterFromQuery(Name = "breaks")] public string? QueryBreaks { get; set; }
    [SupplyParameterFromQuery(Name = "within")] public string? QueryWithin { get; set; }
    [SupplyParameterFromQuery(Name = "selected")] public string? QuerySelected { get; set; }
    [SupplyParameterFromQuery(Name = "at")] public string? QueryAt { get; set; }
    [SupplyParameterFromQuery(Name = "view")] public string? QueryView { get; set; }

    private const string DefaultLevel = "departement";

    private MapTexts T = MapTexts.French;
    private IReadOnlyList<IndicatorInfo>? _catalogue;
    private Viewer _viewer = Viewer.Anonymous;
    private System.Security.Claims.ClaimsPrincipal _user = new();
    // The reader's study areas, offered as comparison references.
    private IReadOnlyList<TerritoryAtlas.Web.Zonings.StudyAreaView> _studyAreas = [];
    // An indicator asked for (URL) that this reader may not read: the page says so and shows the default one.
    private string? _reserved;
    private string _level = DefaultLevel;
    private string _indicator = "";
    private int _year;
    private string _method = "quantile";
    private int _classes = 5;
    private string _breaksText = "";
    private string _palette = "auto";
    private string _mode = "classes";
    private string _reference = "parent";
    private string? _within;
    private TerritoryAtlas.Web.Territories.TerritoryMatch? _withinMatch;
    private string? _selected;
    private double[]? _initialView;
    private double[]? _view;
    private bool _showTable;
    private bool _playing;
    private CancellationTokenSource? _play;
    private MapRequest? _request;
    private MapValues? _values;
    private string? _error;
    private ChoroplethMap? _map;

    private IndicatorInfo? Selected => _catalogue?.FirstOrDefault(i => i.Code == _indicator);

    private IReadOnlyList<string> AvailableLevels =>
        Selected?.Levels.Where(l => Levels.Find(l)?.Mapped == true).ToList() ?? [];

    private IReadOnlyList<int> Years => Selected?.YearsByLevel.TryGetValue(_level, out var years) == true ? years : [];

    /// <summary>The year of this level closest to the one shown in which a reference has figures.</summary>
    private int? NearestYear(IReadOnlyList<int>? referenceYears, bool includeShown) =>
        Years.Where(y => (includeShown || y != _year) && referenceYears?.Contains(y) == true)
            .OrderBy(y => Math.Abs(y - _year)).ThenByDescending(y => y).Cast<int?>().FirstOrDefault();

    private int YearIndex => Math.Max(0, Years.ToList().IndexOf(_year));

    private string IndicatorLabel(IndicatorInfo i) => T.Lang == "en" ? i.LabelEn : i.Label;

    protected override async Task OnInitializedAsync()
    {
        T = MapTexts.For(Reader.Current.Code);
        _user = (await Authentication.GetAuthenticationStateAsync()).User;
        _viewer = Viewer.From(_user);
        Authentication.AuthenticationStateChanged += OnAuthenticationChanged;
        _catalogue = await Indicators.CatalogueAsync(_viewer, Leaving);
        _studyAreas = _user.Identity?.IsAuthenticated == true ? await StudyAreas.ListAsync(_user, Leaving) : [];
        _reserved = !string.IsNullOrEmpty(QueryIndicator) && _catalogue.All(i => i.Code != QueryIndicator) ? QueryIndicator : null;
        var indicator = _catalogue.FirstOrDefault(i => i.Code == QueryIndicator)
                        ?? _catalogue.FirstOrDefault(i => i.Code == IndicatorQueries.DefaultIndicator)
                        ?? _catalogue.FirstOrDefault();
        if (indicator is null)
        {
            return;
        }

        _indicator = indicator.Code;
        // A link's value the page cannot use is ignored, and the reader is told which (never an error page).
        _ignored = [];
        TValue Lenient<TValue>(string name, string? given, Func<string, (bool Ok, TValue Value)> read, TValue fallback)
        {
            if (string.IsNullOrEmpty(given))
            {
                return fallback;
            }

            var (ok, value) = read(given);
            if (!ok)
            {
                _ignored.Add(MapRequest.Ignored(name, given));
            }

            return ok ? value : fallback;
        }

        _level = Lenient("level", QueryLevel, l => (indicator.Levels.Contains(l), l), NearestLevel(indicator, DefaultLevel));
        _year = Lenient("year", QueryYear, y => int.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out var year) && Years.Contains(year) ? (true, year) : (false, 0), Years[^1]);
        // The map's options read as every map URL is (MapRequest.FromQuery), leniently: what cannot be used is listed.
        var asked = MapRequest.FromQuery(_level, _indicator, _year,
            Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query), _ignored);
        (_method, _classes, _palette, _mode, _reference) = (asked.Classification, asked.Classes, asked.Palette, asked.Mode, asked.Reference);
        // The breaks as the link wrote them, shown in the reader's separators: LoadAsync reads them (and says what is wrong).
        _breaksText = QueryBreaks?.Replace(",", "; ", StringComparison.Ordinal) ?? "";
        _within = string.IsNullOrEmpty(QueryWithin) ? null : QueryWithin;
        _selected = string.IsNullOrEmpty(QuerySelected) ? null : QuerySelected;
        _showTable = QueryView == "table";
        _initialView = ParseView(QueryAt);
        _view = _initialView;
        if (_within is not null)
        {
            var parts = _within.Split(':', 2);
            _withinMatch = (await Territories.SearchAsync(parts.Last(), [parts[0]], 5, Leaving)).FirstOrDefault(m => m.Code == parts.Last());
        }

        await LoadAsync(pushUrl: false);
    }

    private static double[]? ParseView(string? at)
    {
        var parts = (at ?? "").Split(',');
        return parts.Length == 3 && parts.All(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            ? parts.Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray()
            : null;
    }

    private static string NearestLevel(IndicatorInfo indicator, string wanted)
    {
        if (indicator.Levels.Contains(wanted))
        {
            return wanted;
        }

        var order = Levels.Ordered.ToList();
        return indicator.Levels.Where(l => Levels.Find(l)?.Mapped == true)
            .OrderBy(l => Math.Abs(order.IndexOf(l) - order.IndexOf(wanted))).FirstOrDefault() ?? indicator.Levels[0];
    }

    private Task OpenExport() => ShowDialogAsync(() => Dialogs.ShowAsync<ExportDialog>(T.Lang == "en" ? "Download" : "Exporter", new DialogParameters<ExportDialog>
    {
        { d => d.Level, _level }, { d => d.Indicator, _indicator }, { d => d.Year, _year },
        { d => d.Within, _within }, { d => d.WithinName, _withinMatch?.Name },
    }));

    private int _dialogsOpen;
    private bool _urlPending;

    /// <summary>
    /// Shows a dialog and holds the URL while it is open: MudBlazor's dialog provider closes every dialog when the
    /// location changes, and the map reports views the reader did not make meanwhile (the first fit to « Dans », a
    /// resize). The URL catches up when the dialog closes.
    /// </summary>
    private async Task ShowDialogAsync(Func<Task<IDialogReference>> show)
    {
        _dialogsOpen++;
        try
        {
            var dialog = await show();
            await dialog.Result;
        }
        finally
        {
            _dialogsOpen--;
            if (_dialogsOpen == 0 && _urlPending)
            {
                PushUrl();
            }
        }
    }

    private async Task LoadAsync(bool pushUrl = true)
    {
        _error = null;
        IReadOnlyList<double>? breaks = null;
        try
        {
            if (_method == "manual")
            {
                breaks = MapRequest.ParseBreaks(_breaksText.Replace(';', ',').Replace(" ", "", StringComparison.Ordinal));
            }

            var request = new MapRequest(_level, _indicator, _year, _method, _classes, breaks, _palette, _mode, _reference, _within);
            _values = await Maps.ValuesAsync(request, _viewer, Leaving, user: _user);
            _request = request;
        }
        catch (ParameterException e)
        {
            _error = e.Message;
        }

        if (pushUrl)
        {
            PushUrl();
        }
    }

    private void PushUrl()
    {
        if (_dialogsOpen > 0)
        {
            _urlPending = true;
            return;
        }

        _urlPending = false;
        // The view's request as every map URL writes it (MapRequest.ToQuery), then what only the page's link keeps.
        var request = new MapRequest(_level, _indicator, _year, _method, _classes, _method == "manual" ? _request?.Breaks : null,
            _palette, _mode, _reference, _within);
        var query = new Dictionary<string, object?>(StringComparer.Ordinal) { ["level"] = null, ["indicator"] = null, ["year"] = null };
        foreach (var name in MapRequest.OptionNames)
        {
            query[name] = null;
        }

        foreach (var (name, value) in request.ToQuery())
        {
            query[name] = value;
        }

        query["selected"] = _selected;
        query["at"] = _view is { } v ? string.Join(',', v.Select(x => x.ToString(CultureInfo.InvariantCulture))) : null;
        query["view"] = _showTable ? "table" : null;
        query["lang"] = T.Lang == "en" ? "en" : null;
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(query), new NavigationOptions { ReplaceHistoryEntry = true });
    }

    private async Task Update(Action change)
    {
        change();
        await LoadAsync();
    }

    private Task<IEnumerable<IndicatorInfo>> SearchIndicators(string? text, CancellationToken ct)
    {
        var all = _catalogue ?? [];
        if (string.IsNullOrWhiteSpace(text) || (Selected is { } s && text == IndicatorLabel(s)))
        {
            return Task.FromResult<IEnumerable<IndicatorInfo>>(all);
        }

        var wanted = Fold(text);
        return Task.FromResult(all.Where(i => Fold($"{i.Code} {i.Label} {i.LabelEn} {i.ThemeLabel} {i.Producer}").Contains(wanted, StringComparison.Ordinal)));
    }

    private static string Fold(string text) =>
        new(text.Normalize(System.Text.NormalizationForm.FormD).Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            .Select(char.ToLowerInvariant).ToArray());

    private async Task OnIndicatorPicked(IndicatorInfo? indicator)
    {
        if (indicator is null || indicator.Code == _indicator)
        {
            return;
        }

        _indicator = indicator.Code;
        _level = NearestLevel(indicator, _level);
        _year = Years.Contains(_year) ? _year : Years[^1];
        await LoadAsync();
    }

    private async Task OnLevelChanged(string level)
    {
        _level = level;
        _year = Years.Contains(_year) ? _year : Years[^1];
        _selected = null;
        await LoadAsync();
    }

    private Task OnYearIndexChanged(int index) => Update(() => _year = Years[Math.Clamp(index, 0, Years.Count - 1)]);

    private async Task TogglePlay()
    {
        if (_playing)
        {
            _play?.Cancel();
            _playing = false;
            return;
        }

        _playing = true;
        _play = new CancellationTokenSource();
        var token = _play.Token;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.2));
        try
        {
            while (await timer.WaitForNextTickAsync(token))
            {
                await InvokeAsync(async () =>
                {
                    var next = (YearIndex + 1) % Years.Count;
                    _year = Years[next];
                    await LoadAsync();
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
            // Paused.
        }
    }

    private async Task<IEnumerable<TerritoryAtlas.Web.Territories.TerritoryMatch>> SearchAsync(string? text, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(text) ? [] : await Territories.SearchAsync(text, null, 10, ct);

    private async Task<IEnumerable<TerritoryAtlas.Web.Territories.TerritoryMatch>> SearchParentsAsync(string? text, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(text) ? [] : await Territories.SearchAsync(text, Levels.WithinLevels, 10, ct);

    private async Task OnSearchPicked(TerritoryAtlas.Web.Territories.TerritoryMatch? match)
    {
        if (match is null)
        {
            return;
        }

        if (match.Level != _level && Selected is { } indicator && indicator.Levels.Contains(match.Level))
        {
            _level = match.Level;
            _year = Years.Contains(_year) ? _year : Years[^1];
        }

        _selected = match.Level == _level ? match.Code : null;
        await LoadAsync();
        if (_map is not null)
        {
            await _map.FitToAsync(match.Bbox);
        }
    }

    private async Task OnWithinPicked(TerritoryAtlas.Web.Territories.TerritoryMatch? match)
    {
        _withinMatch = match;
        _within = match is null ? null : $"{match.Level}:{match.Code}";
        await LoadAsync();
    }

    private Task OnTerritorySelected(string? code)
    {
        _selected = code;
        PushUrl();
        StateHasChanged();
        return Task.CompletedTask;
    }

    private Task OnViewChanged(double[] view)
    {
        _view = view;
        PushUrl();
        return Task.CompletedTask;
    }

    private async Task ExportPngAsync()
    {
        if (_map is null || _values is null)
        {
            return;
        }

        var v = _values;
        var culture = T.Culture;
        // The legend is the map module's (js/map-legend.js, built from the values the map shows, as in embeds).
        await _map.ExportPngAsync(new
        {
            title = v.Label,
            subtitle = $"{T.LevelMenu(v.Level)} · {v.Year} · {v.Unit}",
            source = v.Source,
            date = DateTime.Now.ToString("d MMMM yyyy", culture),
            fileName = $"territoryatlas-{v.Indicator}-{v.Level}-{v.Year}.png",
        });
    }

    private Task OpenEmbedAsync() =>
        _request is null || _values is null
            ? Task.CompletedTask
            : ShowDialogAsync(() => Dialogs.ShowAsync<EmbedDialog>(T.Lang == "en" ? "Embed" : "Intégrer", new DialogParameters<EmbedDialog>
            {
                { d => d.View, _request }, { d => d.Title, $"{_values.Label} — {_values.Year}" }, { d => d.Lang, T.Lang },
                { d => d.Restricted, Selected?.IsRestricted ?? false },
            }, new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseButton = true }));

    /// <summary>
    /// The circuit's account changed (signed out elsewhere, revoked, disabled: the accounts' revalidation notices):
    /// what this reader may no longer read leaves the page at once, figures and picker alike.
    /// </summary>
    private void OnAuthenticationChanged(Task<Microsoft.AspNetCore.Components.Authorization.AuthenticationState> state) => _ = InvokeAsync(async () =>
    {
        _user = (await state).User;
        _viewer = Viewer.From(_user);
        _catalogue = await Indicators.CatalogueAsync(_viewer, Leaving);
        _studyAreas = _user.Identity?.IsAuthenticated == true ? await StudyAreas.ListAsync(_user, Leaving) : [];
        if (_catalogue.All(i => i.Code != _indicator))
        {
            _play?.Cancel();
            _playing = false;
            _reserved = _indicator;
            _values = null;
            _request = null;
            if ((_catalogue.FirstOrDefault(i => i.Code == IndicatorQueries.DefaultIndicator) ?? _catalogue.FirstOrDefault()) is { } fallback)
            {
                _indicator = fallback.Code;
                _level = NearestLevel(fallback, _level);
                _year = Years.Contains(_year) ? _year : Years[^1];
                await LoadAsync();
            }
        }

        StateHasChanged();
    });

    public void Dispose()
    {
        Authentication.AuthenticationStateChanged -= OnAuthenticationChanged;
        _play?.Cancel();
        _play?.Dispose();
        _leaving.Cancel();
        _leaving.Dispose();
    }
}
