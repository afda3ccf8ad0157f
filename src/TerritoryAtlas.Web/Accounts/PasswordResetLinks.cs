using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;

namespace TerritoryAtlas.Web.Accounts;

/// <summary>
/// Password reset links: a token of Identity's data-protection provider (so any instance sharing the key ring accepts
/// it, and a new password or security stamp voids it) carried base64url in the link.
/// </summary>
public sealed class PasswordResetLinks(UserManager<Account> users)
{
    public const string ResetPath = "/compte/reinitialiser";

    public async Task<string> CreateAsync(Account account, Uri baseUri)
    {
        var token = await users.GeneratePasswordResetTokenAsync(account);
        var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));
        return new Uri(baseUri, $"{ResetPath}?email={Uri.EscapeDataString(account.Email!)}&code={code}").ToString();
    }

    public static string? DecodeCode(string? code)
    {
        try
        {
            return code is null ? null : Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// The sender used until a deployment registers a real one (another <see cref="IEmailSender{TUser}"/>, e.g. SMTP):
/// in Development it logs the reset link so a developer can follow it; elsewhere it logs only that a link was asked
/// for, since a link in the log would let whoever reads the log take over the account.
/// </summary>
public sealed class LoggingEmailSender(ILogger<LoggingEmailSender> logger, IHostEnvironment environment) : IEmailSender<Account>
{
    public Task SendConfirmationLinkAsync(Account user, string email, string confirmationLink) => Task.CompletedTask;

    public Task SendPasswordResetCodeAsync(Account user, string email, string resetCode) => Task.CompletedTask;

    public Task SendPasswordResetLinkAsync(Account user, string email, string resetLink)
    {
        if (environment.IsDevelopment())
        {
            logger.LogInformation("Password reset link for {Email}: {Link}", email, resetLink);
        }
        else
        {
            logger.LogWarning("A password reset was asked for account {AccountId}, but no e-mail sender is configured: an administrator can print one with the `user reset-link` verb.", user.Id);
        }

        return Task.CompletedTask;
    }
}
