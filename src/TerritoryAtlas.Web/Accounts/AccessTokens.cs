using System.Security.Cryptography;
using Dapper;
using Npgsql;

namespace TerritoryAtlas.Web.Accounts;

/// <summary>A personal access token as its owner sees it (never the token itself, which is shown once at creation).</summary>
public sealed record AccessTokenInfo(int Id, string Name, DateTime CreatedAt, DateTime ExpiresAt, DateTime? RevokedAt, DateTime? LastUsedAt)
{
    public bool IsActive(DateTime now) => RevokedAt is null && ExpiresAt > now;
}

/// <summary>The token once, at creation.</summary>
public sealed record CreatedAccessToken(int Id, string Token, DateTime ExpiresAt);

/// <summary>
/// Personal access tokens: <c>ata_</c> + 256 random bits (base64url). The database keeps only their SHA-256, so the
/// lookup is one indexed equality and a copy of the table opens nothing.
/// </summary>
public sealed class AccessTokens(NpgsqlDataSource db, TimeProvider clock)
{
    public const string Prefix = "ata_";
    public const int MaxDays = 366;

    public async Task<CreatedAccessToken> CreateAsync(Guid accountId, string name, int days, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
        {
            throw new AccountException("A token needs a name of 1 to 100 characters, saying what uses it.",
                "Un jeton a un nom de 1 à 100 caractères, qui dit ce qui l'utilise.");
        }

        if (days is < 1 or > MaxDays)
        {
            throw new AccountException($"A token lives from 1 to {MaxDays} days.", $"Un jeton vit de 1 à {MaxDays} jours.");
        }

        var token = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow().UtcDateTime;
        var expires = now.AddDays(days);
        await using var connection = await db.OpenConnectionAsync(ct);
        var id = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            insert into access_token (account_id, name, token_hash, created_at, expires_at)
            values (@accountId, @name, @hash, @now, @expires) returning id
            """, new { accountId, name = name.Trim(), hash = Hash(token), now, expires }, cancellationToken: ct));
        return new CreatedAccessToken(id, token, expires);
    }

    public async Task<IReadOnlyList<AccessTokenInfo>> ListAsync(Guid accountId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<AccessTokenInfo>(new CommandDefinition("""
            select id, name, created_at as CreatedAt, expires_at as ExpiresAt, revoked_at as RevokedAt, last_used_at as LastUsedAt
            from access_token where account_id = @accountId order by created_at desc, id desc
            """, new { accountId }, cancellationToken: ct));
        return [.. rows];
    }

    /// <summary>Revokes one of the account's own tokens; false when it has no such token.</summary>
    public async Task<bool> RevokeAsync(Guid accountId, int tokenId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("""
            update access_token set revoked_at = coalesce(revoked_at, @now) where id = @tokenId and account_id = @accountId
            """, new { accountId, tokenId, now = clock.GetUtcNow().UtcDateTime }, cancellationToken: ct)) == 1;
    }

    /// <summary>
    /// The account a token opens, or why not. Last use is written at most once a minute per token, so a script's
    /// thousand requests do not become a thousand writes.
    /// </summary>
    public async Task<TokenCheck> CheckAsync(string token, CancellationToken ct)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 100)
        {
            return new TokenCheck(null, "The bearer token is not a TerritoryAtlas access token.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<TokenRow>(
            new CommandDefinition("""
                select t.id, t.account_id as AccountId, t.expires_at as ExpiresAt, t.revoked_at as RevokedAt,
                       t.last_used_at as LastUsedAt, a.disabled, coalesce(a.concurrency_stamp, '') as AccountStamp
                from access_token t join account a on a.id = t.account_id
                where t.token_hash = @hash
                """, new { hash = Hash(token) }, cancellationToken: ct));
        if (row is not { } t)
        {
            return new TokenCheck(null, "The bearer token is unknown.");
        }

        if (t.RevokedAt is not null)
        {
            return new TokenCheck(null, "The bearer token was revoked: create a new one on your account page.");
        }

        if (t.ExpiresAt <= now)
        {
            return new TokenCheck(null, $"The bearer token expired on {t.ExpiresAt:yyyy-MM-dd HH:mm} UTC: create a new one on your account page.");
        }

        if (t.Disabled)
        {
            return new TokenCheck(null, "The account of this bearer token is disabled.");
        }

        if (t.LastUsedAt is null || now - t.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "update access_token set last_used_at = @now where id = @id", new { now, id = t.Id }, cancellationToken: ct));
        }

        return new TokenCheck(t.AccountId, null, t.AccountStamp);
    }

    private sealed record TokenRow(int Id, Guid AccountId, DateTime ExpiresAt, DateTime? RevokedAt, DateTime? LastUsedAt, bool Disabled, string AccountStamp);

    public static byte[] Hash(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>
/// AccountStamp: the account's concurrency stamp, which every change of the account (role, organisation, e-mail…)
/// renews: the principal built for one stamp can be reused until it changes.
/// </summary>
public readonly record struct TokenCheck(Guid? AccountId, string? Problem, string? AccountStamp = null);

/// <summary>
/// A refusal a person can read (bad input to an account or administration change); nothing was changed. <see cref="Exception.Message"/> is the API's English; the pages show
/// <see cref="French"/> to French readers.
/// </summary>
public sealed class AccountException(string message, string? french = null) : Exception(message)
{
    public string French { get; } = french ?? message;

    /// <summary>The refusal in the reader's language.</summary>
    public string For(TerritoryAtlas.Web.Components.Language language) => language.T(French, Message);
}
