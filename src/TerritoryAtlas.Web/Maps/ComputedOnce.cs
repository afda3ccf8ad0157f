using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;

namespace TerritoryAtlas.Web.Maps;

/// <summary>
/// The memory cache of tiles and map values, computing each missing entry once however many ask for it at the same
/// moment: when a workshop's host moves to a new view, a hundred participants ask for the same tiles within a second,
/// and they wait for one build instead of starting a hundred. Only the request that starts a computation takes a
/// rate-limit permit (RateLimits.ComputationGate): the others cost nothing more.
/// </summary>
public sealed class ComputedOnce(IMemoryCache cache)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<object>>> _inFlight = new();

    /// <summary>The value when it is cached, without waiting or allocating: a warm request's fast path.</summary>
    public bool TryGet<T>(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out T? value)
        where T : class => cache.TryGetValue(key, out value) && value is not null;

    /// <summary>
    /// The cached value, else the one computation under way, else a new one — when admit (the caller's rate limit)
    /// lets it start, else <see cref="ComputationRefusedException"/>. Only the request that starts a computation is
    /// counted, however many join it. The computation does not take the caller's cancellation: one reader leaving
    /// must not fail the others waiting for the same entry.
    /// </summary>
    public async Task<T> GetOrComputeAsync<T>(string key, Func<CancellationToken, Task<T>> compute, Action<ICacheEntry, T> configure,
        CancellationToken ct, Func<bool>? admit = null)
        where T : class
    {
        if (cache.TryGetValue(key, out T? cached))
        {
            return cached!;
        }

        Lazy<Task<object>>? mine = null;
        mine = new Lazy<Task<object>>(async () =>
        {
            try
            {
                if (admit is not null && !admit())
                {
                    throw new ComputationRefusedException();
                }

                var value = await compute(CancellationToken.None);
                using (var entry = cache.CreateEntry(key))
                {
                    entry.Value = value;
                    configure(entry, value);
                }

                return value;
            }
            finally
            {
                _inFlight.TryRemove(new KeyValuePair<string, Lazy<Task<object>>>(key, mine!));
            }
        });
        var flight = _inFlight.GetOrAdd(key, mine);
        try
        {
            return (T)await flight.Value.WaitAsync(ct);
        }
        catch (ComputationRefusedException) when (!ReferenceEquals(flight, mine))
        {
            // The computation this request joined was refused to the one that started it (another address over its
            // budget): this request asks on its own account.
            return await GetOrComputeAsync(key, compute, configure, ct, admit);
        }
    }
}
