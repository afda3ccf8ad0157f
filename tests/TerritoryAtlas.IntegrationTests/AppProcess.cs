using System.Collections.Concurrent;
using System.Diagnostics;

namespace TerritoryAtlas.IntegrationTests;

/// <summary>
/// The app's own build output run as a separate process against a database of the test's, as a deployment runs it:
/// served on a port (so a test can kill it with SIGKILL) or for one CLI verb.
/// </summary>
public static class AppProcess
{
    private static string Directory
    {
        get
        {
            // Same configuration as these tests.
            var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            return Path.Combine(AtlasFixture.RepositoryRoot, "src", "TerritoryAtlas.Web", "bin", configuration, "net10.0");
        }
    }

    /// <summary>Starts the app and returns once /health answers; its last lines explain a start that fails.</summary>
    public static async Task<Process> StartAsync(string connectionString, Uri baseAddress, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = Start(connectionString, environment);
        start.Environment["ASPNETCORE_URLS"] = baseAddress.ToString().TrimEnd('/');
        var process = Process.Start(start)!;
        var log = Keep(process);
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        // A generous deadline: on a loaded machine (CI beside other builds) a cold start takes tens of seconds.
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            try
            {
                if ((await http.GetAsync("/health")).IsSuccessStatusCode) return process;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (process.HasExited) throw new InvalidOperationException($"the app exited with {process.ExitCode}:\n{string.Join('\n', log)}");
            await Task.Delay(200); // the polling interval while the app starts
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException($"the app did not answer /health within 120 s:\n{string.Join('\n', log)}");
    }

    /// <summary>Runs one verb (e.g. `user add …`, `token create …`) to its end and returns what it printed; fails on a non-zero exit.</summary>
    public static async Task<string> RunAsync(string connectionString, params string[] arguments)
    {
        var start = Start(connectionString, null);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"{string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await error}");
    }

    /// <summary>Kills the app and everything it started, and waits until it is gone.</summary>
    public static async Task KillAsync(Process process)
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    private static ProcessStartInfo Start(string connectionString, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("TerritoryAtlas.Web.dll");
        start.Environment["ATLAS_DB"] = connectionString;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return start;
    }

    private static ConcurrentQueue<string> Keep(Process process)
    {
        var log = new ConcurrentQueue<string>();
        void Add(string? line)
        {
            if (line is null) return;
            log.Enqueue(line);
            while (log.Count > 40) log.TryDequeue(out _);
        }

        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return log;
    }
}
