using System.Diagnostics;
using Xunit.Sdk;

namespace TerritoryAtlas.Testing;

/// <summary>
/// Waits for a condition instead of sleeping a fixed time: returns as soon as it holds (fast on an idle machine),
/// fails saying what was awaited only after a generous timeout (patient on a loaded one).
/// </summary>
public static class Eventually
{
    public static Task HoldsAsync(Func<bool> condition, string what, int timeoutMs = 10_000) =>
        HoldsAsync(() => Task.FromResult(condition()), what, timeoutMs);

    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, int timeoutMs = 10_000)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.ElapsedMilliseconds > timeoutMs)
            {
                throw new XunitException($"still not true after {timeoutMs} ms: {what}");
            }

            await Task.Delay(20); // the polling interval, not a guess at how long the outcome takes
        }
    }
}
