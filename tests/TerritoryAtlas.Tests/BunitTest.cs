using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace TerritoryAtlas.Tests;

/// <summary>
/// The one base of component tests: MudBlazor's services, JS interop in loose mode (no test here checks JS calls).
/// The context is disposed asynchronously: under xunit v2 its synchronous Dispose fails on a MudBlazor service that
/// is only IAsyncDisposable.
/// </summary>
public abstract class BunitTest : IAsyncLifetime
{
    protected BunitTest()
    {
        Context.Services.AddMudServices();
        // Every component reads the reader's language (_Imports.razor); French unless a test navigates to lang=en.
        Context.Services.AddScoped<TerritoryAtlas.Web.Components.ReaderLanguage>();
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    protected BunitContext Context { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Context.DisposeAsync();
}
