using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace TerritoryAtlas.Web.Accounts;

/// <summary>
/// Identity's principal (NameIdentifier, Name, Email, one <see cref="ClaimTypes.Role"/> per role, security stamp) plus
/// the account's organisation as <see cref="AtlasClaims.Organisation"/>, which <see cref="Viewer.From"/> reads. The
/// cookie, the bearer tokens and single sign-on all build their principal here, so every way in carries the same claims.
/// </summary>
public sealed class AtlasClaimsPrincipalFactory(
    UserManager<Account> users, RoleManager<IdentityRole<Guid>> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<Account, IdentityRole<Guid>>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(Account user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.OrganisationId is { } organisation)
        {
            identity.AddClaim(new Claim(AtlasClaims.Organisation, organisation.ToString(CultureInfo.InvariantCulture)));
        }

        return identity;
    }
}

/// <summary>
/// Identity asks this before every sign-in (password, external, refresh) when accounts need confirming: here the
/// only confirmation an account needs is not being disabled by an administrator.
/// </summary>
public sealed class EnabledAccountConfirmation : IUserConfirmation<Account>
{
    public Task<bool> IsConfirmedAsync(UserManager<Account> manager, Account user) => Task.FromResult(!user.Disabled);
}
