using System.Globalization;
using Microsoft.AspNetCore.Identity;

namespace TerritoryAtlas.Web.Accounts;

/// <summary>
/// The accounts verbs: <c>user add EMAIL --role admin|producer|member [--organisation NAME]</c> prints a one-time
/// password; <c>user reset-link EMAIL --base-url URL</c> prints a password reset link an admin hands over (no mail
/// server needed); <c>token create EMAIL [--days N] [--name NAME]</c> prints a personal access token. Secrets go to
/// standard output only, never to the log.
/// </summary>
public static class AccountsCommand
{
    public const string Usage = "user add EMAIL --role admin|producer|member [--organisation NAME] | user reset-link EMAIL --base-url URL | token create EMAIL [--days N] [--name NAME]";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error)
    {
        // args: the verb ("user" or "token"), the sub-verb, the email, then options.
        if (await CommandArguments.ReadAsync(args, Usage, error) is not { } arguments)
        {
            return 2;
        }

        var (positional, options) = (arguments.Positional, arguments.Options);
        await using var scope = services.CreateAsyncScope();
        try
        {
            switch (positional)
            {
                case ["user", "add", var email]:
                    {
                        if (!options.TryGetValue("--role", out var role))
                        {
                            await error.WriteLineAsync($"--role is required. Usage: {Usage}");
                            return 2;
                        }

                        var (account, password) = await scope.ServiceProvider.GetRequiredService<AccountService>()
                            .CreateAsync(email, role, options.GetValueOrDefault("--organisation"), CancellationToken.None);
                        await AuditAsync(scope.ServiceProvider, "user.add", account.Email!, new { email = account.Email, role, organisation = options.GetValueOrDefault("--organisation") });
                        await output.WriteLineAsync($"account {account.Email} created, role {role}{(account.OrganisationId is { } o ? $", organisation {o}" : "")}");
                        await output.WriteLineAsync($"one-time password: {password}");
                        return 0;
                    }
                case ["user", "reset-link", var email]:
                    {
                        if (!options.TryGetValue("--base-url", out var baseUrl) || !Uri.TryCreate(baseUrl, UriKind.Absolute, out var baseUri)
                            || baseUri.Scheme is not ("http" or "https"))
                        {
                            await error.WriteLineAsync($"--base-url is required: the address people open the atlas at, e.g. https://atlas.example.org. Usage: {Usage}");
                            return 2;
                        }

                        var account = await scope.ServiceProvider.GetRequiredService<UserManager<Account>>().FindByEmailAsync(email);
                        if (account is null)
                        {
                            await error.WriteLineAsync($"No account for {email}.");
                            return 1;
                        }

                        var link = await scope.ServiceProvider.GetRequiredService<PasswordResetLinks>().CreateAsync(account, baseUri);
                        await AuditAsync(scope.ServiceProvider, "user.reset-link", account.Email!, null);
                        await output.WriteLineAsync("password reset link (valid until the password or the account's security stamp changes; hand it over privately):");
                        await output.WriteLineAsync(link);
                        return 0;
                    }
                case ["token", "create", var email]:
                    {
                        var days = 90;
                        if (options.TryGetValue("--days", out var daysText)
                            && !int.TryParse(daysText, NumberStyles.None, CultureInfo.InvariantCulture, out days))
                        {
                            await error.WriteLineAsync($"--days takes a whole number of days (1 to {AccessTokens.MaxDays}).");
                            return 2;
                        }

                        var account = await scope.ServiceProvider.GetRequiredService<UserManager<Account>>().FindByEmailAsync(email);
                        if (account is null)
                        {
                            await error.WriteLineAsync($"No account for {email}.");
                            return 1;
                        }

                        var created = await scope.ServiceProvider.GetRequiredService<AccessTokens>()
                            .CreateAsync(account.Id, options.GetValueOrDefault("--name") ?? "command line", days, CancellationToken.None);
                        await AuditAsync(scope.ServiceProvider, "token.create", account.Email!, new { name = options.GetValueOrDefault("--name") ?? "command line", expires = created.ExpiresAt });
                        await output.WriteLineAsync($"token (expires {created.ExpiresAt:yyyy-MM-dd HH:mm} UTC; shown once):");
                        await output.WriteLineAsync(created.Token);
                        return 0;
                    }
                default:
                    await error.WriteLineAsync($"Usage: {Usage}");
                    return 2;
            }
        }
        catch (AccountException e)
        {
            await error.WriteLineAsync(e.Message);
            return 1;
        }
    }

    // After the change (Identity's store commits on its own): the verbs are the server operator's, run one at a time.
    private static async Task AuditAsync(IServiceProvider services, string action, string target, object? after)
    {
        await using var connection = await services.GetRequiredService<Npgsql.NpgsqlDataSource>().OpenConnectionAsync();
        await Administration.AuditLog.WriteAsync(connection, null, Administration.AuditActor.CommandLine, action, target, null, after, CancellationToken.None);
    }
}
