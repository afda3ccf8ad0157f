using Microsoft.Extensions.Caching.Memory;
using TerritoryAtlas.Testing;
using TerritoryAtlas.Web;
using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.Tests.Maps;

public sealed class ComputedOnceTests
{
    private static ComputedOnce New() => new(new MemoryCache(new MemoryCacheOptions()));

    [Fact]
    public async Task A_crowd_asking_for_the_same_entry_waits_for_one_computation_and_takes_one_permit()
    {
        var computed = New();
        var computations = 0;
        var permits = 0;
        var release = new TaskCompletionSource();
        var crowd = Enumerable.Range(0, 50).Select(_ => computed.GetOrComputeAsync("tile", async _ =>
        {
            Interlocked.Increment(ref computations);
            await release.Task;
            return "bytes";
        }, (_, _) => { }, CancellationToken.None, () => Interlocked.Increment(ref permits) > 0)).ToList();
        release.SetResult();

        Assert.All(await Task.WhenAll(crowd), v => Assert.Equal("bytes", v));
        Assert.Equal(1, computations);
        Assert.Equal(1, permits);
        // Then it is in memory: no computation, no permit.
        Assert.Equal("bytes", await computed.GetOrComputeAsync<string>("tile", _ => throw new InvalidOperationException(), (_, _) => { }, CancellationToken.None, () => false));
    }

    [Fact]
    public async Task A_request_that_joined_a_refused_computation_asks_on_its_own_account()
    {
        var computed = New();
        Task<string>? second = null;
        // The first caller is over its budget; while its permit is being decided, another caller (another address,
        // with permits left) asks for the same entry and joins that computation.
        var first = Task.Run(() => computed.GetOrComputeAsync("values", _ => Task.FromResult("figures"), (_, _) => { }, CancellationToken.None, () =>
        {
            using var asking = new ManualResetEventSlim();
            var thread = new Thread(() =>
            {
                asking.Set();
                second = computed.GetOrComputeAsync("values", _ => Task.FromResult("figures"), (_, _) => { }, CancellationToken.None, () => true);
            });
            thread.Start();
            asking.Wait();
            // Until the other caller waits on this computation: blocked on the one in flight (its Lazy's lock), the
            // only wait on its way there.
            Assert.True(SpinWait.SpinUntil(() => (thread.ThreadState & ThreadState.WaitSleepJoin) != 0, TimeSpan.FromSeconds(10)),
                "the other caller never waited on the computation under way");
            return false;
        }));

        await Assert.ThrowsAsync<ComputationRefusedException>(() => first);
        await Eventually.HoldsAsync(() => second is not null, "the other caller has its answer under way");
        Assert.Equal("figures", await second!);
    }
}
