using System.Security.Cryptography;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace TerritoryAtlas.Web.Accounts;

/// <summary>Creating accounts and organisations (the CLI now, the admin pages later share it).</summary>
public sealed class AccountService(UserManager<Account> users, NpgsqlDataSource db)
{
    /// <summary>The organisation of that name (without case), created when new.</summary>
    public async Task<int> EnsureOrganisationAsync(string name, CancellationToken ct)
    {
        name = name.Trim();
        if (name.Length is 0 or > 200)
        {
            throw new AccountException("An organisation's name has 1 to 200 characters.", "Le nom d'une organisation a de 1 à 200 caractères.");
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            with created as (
                insert into organisation (name) values (@name) on conflict ((lower(name))) do nothing returning id)
            select id from created union all select id from organisation where lower(name) = lower(@name) limit 1
            """, new { name }, cancellationToken: ct));
    }

    /// <summary>Creates an account with one role and returns it with a one-time password (shown once, never stored in clear).</summary>
    public async Task<(Account Account, string Password)> CreateAsync(string email, string role, string? organisation, CancellationToken ct) =>
        await CreateInOrganisationAsync(email, role, organisation is null || !AtlasRoles.All.Contains(role) ? null : await EnsureOrganisationAsync(organisation, ct), ct);

    /// <inheritdoc cref="CreateAsync(string, string, string?, CancellationToken)"/>
    public async Task<(Account Account, string Password)> CreateInOrganisationAsync(string email, string role, int? organisationId, CancellationToken ct)
    {
        if (!AtlasRoles.All.Contains(role))
        {
            throw new AccountException($"Unknown role '{role}': use {string.Join(", ", AtlasRoles.All)}.",
                $"Rôle inconnu « {role} » : les rôles sont {string.Join(", ", AtlasRoles.All)}.");
        }

        if (await users.FindByEmailAsync(email) is not null)
        {
            throw new AccountException($"An account already exists for {email}.", $"Un compte existe déjà pour {email}.");
        }

        var account = new Account
        {
            UserName = email,
            Email = email,
            OrganisationId = organisationId,
        };
        var password = OneTimePassword();
        var created = await users.CreateAsync(account, password);
        if (!created.Succeeded)
        {
            throw new AccountException(string.Join(" ", created.Errors.Select(e => e.Description)));
        }

        var inRole = await users.AddToRoleAsync(account, role);
        if (!inRole.Succeeded)
        {
            await users.DeleteAsync(account);
            throw new AccountException(string.Join(" ", inRole.Errors.Select(e => e.Description)));
        }

        return (account, password);
    }

    // 20 characters of an unambiguous alphabet (~115 bits), with a digit, a lower and an upper case letter so that
    // Identity's password rules accept it.
    private static string OneTimePassword()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
        var chars = RandomNumberGenerator.GetItems<char>(alphabet, 17);
        return new string(chars) + "a7K";
    }
}
