using System.Threading.RateLimiting;

namespace TerritoryAtlas.Web.Accounts;

/// <summary>
/// Sign-in attempts per client address and per account name, before the password is even checked, so guessing is
/// slow both for one address trying many accounts and for many addresses trying one account. (Identity's lockout,
/// stored in the database and so shared by every instance, also locks an account after 5 failures for 15 minutes;
/// these windows are per instance, like the other rate limits.)
/// </summary>
public sealed class SignInThrottle(IConfiguration configuration) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, k => new FixedWindowRateLimiterOptions
        {
            PermitLimit = k.StartsWith("address:", StringComparison.Ordinal)
                ? configuration.GetValue("RateLimits:SignInsPerAddressPerMinute", 20)
                : configuration.GetValue("RateLimits:SignInsPerAccountPerMinute", 10),
            Window = TimeSpan.FromMinutes(1),
        }));

    /// <summary>True when this attempt may go ahead; each call counts against both windows.</summary>
    public bool TryAttempt(string? address, string email)
    {
        using var byAddress = _limiter.AttemptAcquire("address:" + (address ?? "unknown"));
        using var byAccount = _limiter.AttemptAcquire("account:" + email.Trim().ToUpperInvariant());
        return byAddress.IsAcquired && byAccount.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
