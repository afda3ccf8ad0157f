using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace TerritoryAtlas.IntegrationTests.Failures;

/// <summary>
/// A genuine server error, as production shows it: the app pointed at a database without the atlas's tables, so every
/// query fails (not an outage: the server answers). Readers see no stack trace, SQL or exception text, and the
/// reference they are given is the one the log line carries.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class ServerErrorTests(AtlasFixture atlas)
{
    private sealed class Recorder : ILoggerProvider
    {
        public ConcurrentQueue<(LogLevel Level, string? TraceId, string Message)> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(Recorder recorder) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                recorder.Lines.Enqueue((logLevel, Activity.Current?.TraceId.ToString(), formatter(state, exception)));
        }
    }

    [Fact]
    public async Task A_server_error_shows_no_insides_and_gives_the_reference_the_log_has()
    {
        var recorder = new Recorder();
        var empty = new NpgsqlConnectionStringBuilder(atlas.ConnectionString) { Database = "postgres" }.ConnectionString;
        await using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseEnvironment("Production")
            .UseSetting("ATLAS_DB", empty)
            .ConfigureLogging(logging => logging.AddProvider(recorder)));
        using var http = app.CreateClient();

        var api = await http.GetAsync("/api/territories?q=Lyon");
        Assert.Equal(HttpStatusCode.InternalServerError, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        var body = await api.Content.ReadAsStringAsync();
        foreach (var inside in new[] { "   at ", "Npgsql", "relation", "select", "Exception" })
        {
            Assert.DoesNotContain(inside, body, StringComparison.OrdinalIgnoreCase);
        }

        var correlation = api.Headers.GetValues("X-Correlation-Id").Single();
        Assert.Contains(correlation, JsonDocument.Parse(body).RootElement.GetProperty("traceId").GetString(), StringComparison.Ordinal);
        Assert.True(recorder.Lines.Any(l => l.Level >= LogLevel.Error && l.TraceId == correlation), correlation + "\n" + string.Join("\n", recorder.Lines.Select(l => $"{l.Level} {l.TraceId} {l.Message[..Math.Min(80, l.Message.Length)]}")));

        using var page = new HttpRequestMessage(HttpMethod.Get, "/indicateurs");
        page.Headers.Accept.ParseAdd("text/html");
        var shown = await http.SendAsync(page);
        Assert.Equal(HttpStatusCode.InternalServerError, shown.StatusCode);
        var html = await shown.Content.ReadAsStringAsync();
        Assert.Contains("Une erreur est survenue", html, StringComparison.Ordinal);
        var reference = shown.Headers.GetValues("X-Correlation-Id").Single();
        Assert.Contains($"<code data-testid=\"correlation-id\">{reference}</code>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Npgsql", html, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", html, StringComparison.Ordinal);
        Assert.True(recorder.Lines.Any(l => l.Level >= LogLevel.Error && l.TraceId == reference), reference + "\n" + string.Join("\n", recorder.Lines.Select(l => $"{l.Level} {l.TraceId} {l.Message[..Math.Min(80, l.Message.Length)]}")));
    }
}
