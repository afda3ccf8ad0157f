using System.Text;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace TerritoryAtlas.Web.Accounts;

/// <summary>An account of the platform: an Identity user that belongs to an organisation and can be disabled.</summary>
public sealed class Account : IdentityUser<Guid>
{
    public int? OrganisationId { get; set; }

    public bool Disabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// <summary>
/// Identity's EF Core store over the tables of migration 0010 (EF never creates or migrates them), plus the shared
/// data-protection key ring. Only Identity and data protection use EF; the rest of the app reads with Dapper.
/// </summary>
public sealed class AccountsDbContext(DbContextOptions<AccountsDbContext> options)
    : IdentityDbContext<Account, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<Account>().ToTable("account");
        builder.Entity<IdentityRole<Guid>>().ToTable("role");
        builder.Entity<IdentityUserRole<Guid>>().ToTable("account_role");
        builder.Entity<IdentityUserClaim<Guid>>().ToTable("account_claim");
        builder.Entity<IdentityRoleClaim<Guid>>().ToTable("role_claim");
        builder.Entity<IdentityUserLogin<Guid>>().ToTable("account_login");
        builder.Entity<IdentityUserToken<Guid>>().ToTable("account_token");
        builder.Entity<DataProtectionKey>().ToTable("data_protection_key");

        // The SQL is snake_case like the rest of the database.
        foreach (var entity in builder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
        }
    }

    internal static string SnakeCase(string name)
    {
        var result = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                result.Append('_');
            }

            result.Append(char.ToLowerInvariant(name[i]));
        }

        return result.ToString();
    }
}
