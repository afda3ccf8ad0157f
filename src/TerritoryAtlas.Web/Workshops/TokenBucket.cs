using System.Diagnostics;

namespace TerritoryAtlas.Web.Workshops;

/// <summary>Rate limit of one connection's writes: <see cref="PerSecond"/> a second, bursts up to <see cref="Burst"/>.</summary>
public sealed class TokenBucket(double perSecond = TokenBucket.PerSecond, double burst = TokenBucket.Burst)
{
    private readonly double _burst = burst;
    public const double PerSecond = 10;
    public const double Burst = 20;

    private readonly Lock _lock = new();
    private double _tokens = burst;
    private long _last = Stopwatch.GetTimestamp();

    public bool TryTake()
    {
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + (Stopwatch.GetElapsedTime(_last, now).TotalSeconds * perSecond));
            _last = now;
            if (_tokens < 1) return false;
            _tokens -= 1;
            return true;
        }
    }
}
