using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Web.Administration;

/// <summary>
/// What the observatory's staff administer — accounts (invite, role, organisation, disable), organisations, and who
/// may read each indicator — each change written with its audit line in one transaction. The admin page and the HTTP
/// API call it; callers check the admin role, this class checks the rules (no admin can lock everybody out).
/// </summary>
public sealed class AdminService(NpgsqlDataSource db, IServiceScopeFactory scopes, IndicatorQueries indicators, DataVersion dataVersion)
{
    public async Task<IReadOnlyList<UserRow>> UsersAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<UserRow>(new CommandDefinition("""
            select a.id, a.email, coalesce(string_agg(r.name, ',' order by r.name), '') as roles, a.organisation_id as OrganisationId,
                   o.name as OrganisationName, a.disabled, a.lockout_end as LockoutEnd, a.created_at as CreatedAt,
                   exists (select 1 from account_login l where l.user_id = a.id) as SingleSignOn
            from account a
            left join account_role ar on ar.user_id = a.id
            left join role r on r.id = ar.role_id
            left join organisation o on o.id = a.organisation_id
            group by a.id, o.name
            order by lower(a.email)
            """, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<OrganisationRow>> OrganisationsAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<OrganisationRow>(new CommandDefinition("""
            select o.id, o.name, o.created_at as CreatedAt,
                   (select count(*) from account a where a.organisation_id = o.id)::int as Members,
                   (select count(*) from indicator_organisation io where io.organisation_id = o.id)::int as SharedIndicators
            from organisation o
            order by lower(o.name)
            """, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<IndicatorVisibilityRow>> IndicatorVisibilityAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(string Code, string Label, string LabelEn, string Visibility, int[] Organisations)>(new CommandDefinition("""
            select i.code, i.label_fr, i.label_en, i.visibility,
                   coalesce(array_agg(io.organisation_id order by io.organisation_id) filter (where io.organisation_id is not null), '{}')
            from indicator i left join indicator_organisation io on io.indicator_code = i.code
            group by i.code
            order by i.code
            """, cancellationToken: ct));
        return [.. rows.Select(r => new IndicatorVisibilityRow(r.Code, r.Label, r.LabelEn, r.Visibility, r.Organisations))];
    }

    /// <summary>
    /// Creates the account (no usable password) and returns a link where the person chooses one, for the admin to hand
    /// over; the configured e-mail sender gets it too.
    /// </summary>
    public async Task<Invitation> InviteAsync(AuditActor actor, string email, string role, int? organisationId, Uri baseUri, CancellationToken ct)
    {
        email = email.Trim();
        if (!System.Net.Mail.MailAddress.TryCreate(email, out _))
        {
            throw new AccountException($"'{email}' is not an e-mail address.", $"« {email} » n'est pas une adresse électronique.");
        }

        await using var scope = scopes.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        await using var transaction = await context.Database.BeginTransactionAsync(ct);
        var organisation = organisationId is { } id ? await OrganisationNameAsync(context.Database.GetDbConnection(), transaction.GetDbTransaction(), id, ct) : null;
        var (account, _) = await scope.ServiceProvider.GetRequiredService<AccountService>().CreateInOrganisationAsync(email, role, organisationId, ct);
        await AuditLog.WriteAsync(context.Database.GetDbConnection(), transaction.GetDbTransaction(), actor, "user.invite", email, null,
            new { email, role, organisation }, ct);
        var link = await scope.ServiceProvider.GetRequiredService<PasswordResetLinks>().CreateAsync(account, baseUri);
        await transaction.CommitAsync(ct);
        await scope.ServiceProvider.GetRequiredService<IEmailSender<Account>>().SendPasswordResetLinkAsync(account, email, link);
        return new Invitation(account.Id, email, link);
    }

    /// <summary>Gives the account exactly this role; open sessions get it at their next validation (within a minute).</summary>
    public async Task SetRoleAsync(AuditActor actor, Guid accountId, string role, CancellationToken ct)
    {
        if (!AtlasRoles.All.Contains(role))
        {
            throw new AccountException($"Unknown role '{role}': use {string.Join(", ", AtlasRoles.All)}.",
                $"Rôle inconnu « {role} » : les rôles sont {string.Join(", ", AtlasRoles.All)}.");
        }

        await ChangeAccountAsync(actor, accountId, "user.role", async (connection, transaction, before) =>
        {
            if (before.Roles.Split(',').Contains(AtlasRoles.Admin) && role != AtlasRoles.Admin)
            {
                await RefuseRemovingTheLastAdminAsync(connection, transaction, accountId, ct);
            }

            await connection.ExecuteAsync(new CommandDefinition("""
                delete from account_role where user_id = @accountId;
                insert into account_role (user_id, role_id) select @accountId, id from role where name = @role;
                update account set concurrency_stamp = gen_random_uuid()::text where id = @accountId;
                """, new { accountId, role }, transaction, cancellationToken: ct));
        }, ct);
    }

    public async Task SetOrganisationAsync(AuditActor actor, Guid accountId, int? organisationId, CancellationToken ct) =>
        await ChangeAccountAsync(actor, accountId, "user.organisation", async (connection, transaction, _) =>
        {
            if (organisationId is { } id)
            {
                await OrganisationNameAsync(connection, transaction, id, ct);
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "update account set organisation_id = @organisationId, concurrency_stamp = gen_random_uuid()::text where id = @accountId", new { accountId, organisationId }, transaction, cancellationToken: ct));
        }, ct);

    /// <summary>
    /// Disables (or enables again) an account: a disabled one cannot sign in, its tokens fail, and its open sessions and
    /// pages lose their access at their next validation (a new security stamp voids every cookie).
    /// </summary>
    public async Task SetDisabledAsync(AuditActor actor, Guid accountId, bool disabled, CancellationToken ct)
    {
        if (disabled && actor.Id == accountId)
        {
            throw new AccountException("You cannot disable your own account.", "Vous ne pouvez pas désactiver votre propre compte.");
        }

        await ChangeAccountAsync(actor, accountId, disabled ? "user.disable" : "user.enable", async (connection, transaction, before) =>
        {
            if (disabled && before.Roles.Split(',').Contains(AtlasRoles.Admin))
            {
                await RefuseRemovingTheLastAdminAsync(connection, transaction, accountId, ct);
            }

            await connection.ExecuteAsync(new CommandDefinition("""
                update account set disabled = @disabled, concurrency_stamp = gen_random_uuid()::text,
                    security_stamp = case when @disabled then gen_random_uuid()::text else security_stamp end
                where id = @accountId
                """, new { accountId, disabled }, transaction, cancellationToken: ct));
        }, ct);
    }

    public async Task<int> CreateOrganisationAsync(AuditActor actor, string name, CancellationToken ct)
    {
        name = OrganisationName(name);
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var id = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "insert into organisation (name) values (@name) on conflict ((lower(name))) do nothing returning id", new { name }, transaction, cancellationToken: ct))
            ?? throw new AccountException($"An organisation named '{name}' already exists.", $"Une organisation s'appelle déjà « {name} ».");
        await AuditLog.WriteAsync(connection, transaction, actor, "organisation.create", name, null, new { id, name }, ct);
        await transaction.CommitAsync(ct);
        return id;
    }

    public async Task RenameOrganisationAsync(AuditActor actor, int id, string name, CancellationToken ct)
    {
        name = OrganisationName(name);
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var before = await OrganisationNameAsync(connection, transaction, id, ct);
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "select exists (select 1 from organisation where lower(name) = lower(@name) and id <> @id)", new { id, name }, transaction, cancellationToken: ct)))
        {
            throw new AccountException($"An organisation named '{name}' already exists.", $"Une organisation s'appelle déjà « {name} ».");
        }

        await connection.ExecuteAsync(new CommandDefinition("update organisation set name = @name where id = @id", new { id, name }, transaction, cancellationToken: ct));
        await AuditLog.WriteAsync(connection, transaction, actor, "organisation.rename", before, new { id, name = before }, new { id, name }, ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>Deletes an organisation nobody belongs to; its shares of indicators go with it.</summary>
    public async Task DeleteOrganisationAsync(AuditActor actor, int id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var name = await OrganisationNameAsync(connection, transaction, id, ct);
        var members = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "select count(*) from account where organisation_id = @id", new { id }, transaction, cancellationToken: ct));
        if (members > 0)
        {
            throw new AccountException($"'{name}' still has {members} member account(s): move them to another organisation first.",
                $"« {name} » a encore {members} compte(s) membre(s) : rattachez-les d'abord à une autre organisation.");
        }

        var shared = (await connection.QueryAsync<string>(new CommandDefinition(
            "select indicator_code from indicator_organisation where organisation_id = @id order by 1", new { id }, transaction, cancellationToken: ct))).AsList();
        await connection.ExecuteAsync(new CommandDefinition("delete from organisation where id = @id", new { id }, transaction, cancellationToken: ct));
        await AuditLog.WriteAsync(connection, transaction, actor, "organisation.delete", name, new { id, name, sharedIndicators = shared }, null, ct);
        await transaction.CommitAsync(ct);
        if (shared.Count > 0)
        {
            dataVersion.Invalidate();
        }
    }

    /// <summary>Sets who may read an indicator; false when there is no such indicator.</summary>
    public async Task<bool> SetVisibilityAsync(AuditActor actor, string code, string visibility, IReadOnlyCollection<int> organisationIds, CancellationToken ct) =>
        await indicators.SetVisibilityAsync(code, visibility, organisationIds, ct, async (connection, transaction, before) =>
            await AuditLog.WriteAsync(connection, transaction, actor, "indicator.visibility", code, before,
                new IndicatorVisibility(visibility, [.. organisationIds.Distinct().Order()]), ct));

    private async Task ChangeAccountAsync(AuditActor actor, Guid accountId, string action,
        Func<NpgsqlConnection, NpgsqlTransaction, AccountState, Task> change, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var before = await AccountStateAsync(connection, transaction, accountId, ct) ?? throw new AccountException("There is no such account.", "Ce compte n'existe pas.");
        await change(connection, transaction, before);
        var after = (await AccountStateAsync(connection, transaction, accountId, ct))!;
        await AuditLog.WriteAsync(connection, transaction, actor, action, before.Email, before, after, ct);
        await transaction.CommitAsync(ct);
    }

    private static async Task<AccountState?> AccountStateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid accountId, CancellationToken ct) =>
        await connection.QuerySingleOrDefaultAsync<AccountState>(new CommandDefinition("""
            select a.email, coalesce((select string_agg(r.name, ',' order by r.name) from account_role ar join role r on r.id = ar.role_id
                                      where ar.user_id = a.id), '') as roles,
                   o.name as organisation, a.disabled
            from account a left join organisation o on o.id = a.organisation_id
            where a.id = @accountId
            for update of a
            """, new { accountId }, transaction, cancellationToken: ct));

    // Serialised by the row locks of the admins: two admins cannot demote each other at the same moment.
    private static async Task RefuseRemovingTheLastAdminAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid accountId, CancellationToken ct)
    {
        var others = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            select count(*) from (
                select a.id from account a join account_role ar on ar.user_id = a.id join role r on r.id = ar.role_id
                where r.name = 'admin' and not a.disabled and a.id <> @accountId
                for update of a) admins
            """, new { accountId }, transaction, cancellationToken: ct));
        if (others == 0)
        {
            throw new AccountException("This is the last active admin account: make another admin first.",
                "C'est le dernier compte administrateur actif : nommez d'abord un autre administrateur.");
        }
    }

    private static async Task<string> OrganisationNameAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, int id, CancellationToken ct) =>
        await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "select name from organisation where id = @id", new { id }, transaction, cancellationToken: ct))
        ?? throw new AccountException($"There is no organisation number {id}.", $"Il n'y a pas d'organisation numéro {id}.");

    private static string OrganisationName(string? name)
    {
        name = name?.Trim() ?? "";
        return name.Length is 0 or > 200 ? throw new AccountException("An organisation's name has 1 to 200 characters.", "Le nom d'une organisation a de 1 à 200 caractères.")
            : name.Any(char.IsControl) ? throw new AccountException("An organisation's name cannot contain control characters.", "Le nom d'une organisation ne peut pas contenir de caractères de contrôle.")
            : name;
    }

#pragma warning disable CA1812 // Dapper creates it.
    private sealed record AccountState(string Email, string Roles, string? Organisation, bool Disabled);
#pragma warning restore CA1812
}

public sealed record UserRow(Guid Id, string Email, string Roles, int? OrganisationId, string? OrganisationName, bool Disabled,
    DateTime? LockoutEnd, DateTime CreatedAt, bool SingleSignOn)
{
    public string Role => Roles.Split(',') is var roles && roles.Contains(AtlasRoles.Admin) ? AtlasRoles.Admin
        : roles.Contains(AtlasRoles.Producer) ? AtlasRoles.Producer : AtlasRoles.Member;
}

public sealed record OrganisationRow(int Id, string Name, DateTime CreatedAt, int Members, int SharedIndicators);

/// <summary>An indicator's visibility as admins set it: <paramref name="Label"/> in French, <paramref name="LabelEn"/> in English.</summary>
public sealed record IndicatorVisibilityRow(string Code, string Label, string LabelEn, string Visibility, IReadOnlyList<int> Organisations);

public sealed record IndicatorVisibility(string Visibility, int[] Organisations);

public sealed record Invitation(Guid AccountId, string Email, string Link);
