using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.Web.Administration;

/// <summary>
/// The admin pages' operations over HTTP for scripts (an admin's cookie or personal access token): accounts,
/// organisations, indicator visibility and the audit log. Every endpoint requires the admin role; JSON bodies only,
/// which a cross-site form cannot send.
/// </summary>
public static class AdminEndpoints
{
    public static IServiceCollection AddAdministration(this IServiceCollection services) =>
        services.AddScoped<AdminService>().AddSingleton<AuditLog>();

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").RequireAuthorization(p => p.RequireRole(AtlasRoles.Admin)).WithTags("Administration");

        admin.MapGet("/users", (AdminService service, CancellationToken ct) => service.UsersAsync(ct));
        admin.MapPost("/users", (InviteRequest request, AdminService service, ClaimsPrincipal user, HttpRequest http, CancellationToken ct) =>
                Refusable(async () =>
                {
                    var invitation = await service.InviteAsync(AuditActor.From(user), request.Email ?? "", request.Role ?? AtlasRoles.Member,
                        request.OrganisationId, new Uri($"{http.Scheme}://{http.Host}{http.PathBase}/"), ct);
                    return TypedResults.Created($"/api/admin/users/{invitation.AccountId}", invitation);
                }))
            .Produces<Invitation>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapPatch("/users/{id:guid}", (Guid id, AccountChange change, AdminService service, ClaimsPrincipal user, CancellationToken ct) =>
                Refusable(async () =>
                {
                    var actor = AuditActor.From(user);
                    if (change.Role is { } role)
                    {
                        await service.SetRoleAsync(actor, id, role, ct);
                    }

                    if (change.OrganisationId is not null || change.NoOrganisation == true)
                    {
                        await service.SetOrganisationAsync(actor, id, change.NoOrganisation == true ? null : change.OrganisationId, ct);
                    }

                    if (change.Disabled is { } disabled)
                    {
                        await service.SetDisabledAsync(actor, id, disabled, ct);
                    }

                    return TypedResults.NoContent();
                }))
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status400BadRequest);

        admin.MapGet("/organisations", (AdminService service, CancellationToken ct) => service.OrganisationsAsync(ct));
        admin.MapPost("/organisations", (OrganisationRequest request, AdminService service, ClaimsPrincipal user, CancellationToken ct) =>
                Refusable(async () =>
                {
                    var id = await service.CreateOrganisationAsync(AuditActor.From(user), request.Name ?? "", ct);
                    return TypedResults.Created($"/api/admin/organisations/{id}", new { id, name = request.Name!.Trim() });
                }))
            .ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapPut("/organisations/{id:int}", (int id, OrganisationRequest request, AdminService service, ClaimsPrincipal user, CancellationToken ct) =>
                Refusable(async () =>
                {
                    await service.RenameOrganisationAsync(AuditActor.From(user), id, request.Name ?? "", ct);
                    return TypedResults.NoContent();
                }))
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapDelete("/organisations/{id:int}", (int id, AdminService service, ClaimsPrincipal user, CancellationToken ct) =>
                Refusable(async () =>
                {
                    await service.DeleteOrganisationAsync(AuditActor.From(user), id, ct);
                    return TypedResults.NoContent();
                }))
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status400BadRequest);

        admin.MapGet("/indicators", (AdminService service, CancellationToken ct) => service.IndicatorVisibilityAsync(ct));
        admin.MapPut("/indicators/{code}/visibility", (string code, VisibilityRequest request, AdminService service, ClaimsPrincipal user, CancellationToken ct) =>
                Refusable(async () => await service.SetVisibilityAsync(AuditActor.From(user), code, request.Visibility ?? "", request.Organisations ?? [], ct)
                    ? TypedResults.NoContent()
                    : TypedResults.Problem(detail: $"no indicator '{code}'", statusCode: StatusCodes.Status404NotFound)))
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        // The log, latest first: JSON, or CSV for a spreadsheet (?format=csv).
        admin.MapGet("/audit", async (AuditLog log, HttpResponse response, CancellationToken ct, string? since = null, string? action = null,
                int limit = 1000, string? format = null) =>
            {
                DateTime? from = null;
                if (since is not null)
                {
                    if (!DateTime.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
                    {
                        return Results.Problem(detail: "since takes a date (2026-12-01) or a date and time in UTC", statusCode: StatusCodes.Status400BadRequest);
                    }

                    from = parsed;
                }

                var events = await log.ReadAsync(from, action, limit, ct);
                if (format == "csv")
                {
                    response.Headers.ContentDisposition = "attachment; filename=\"journal-administration.csv\"";
                    return Results.Text(AuditLog.ToCsv(events), "text/csv; charset=utf-8");
                }

                return Results.Ok(events);
            })
            .Produces<IReadOnlyList<AuditEvent>>().ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<IResult> Refusable(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is AccountException or ParameterException)
        {
            return Results.Problem(detail: e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
    }
}

public sealed record InviteRequest(string? Email, string? Role, int? OrganisationId);

/// <summary>Only the members present change; NoOrganisation=true takes the account out of its organisation.</summary>
public sealed record AccountChange(string? Role, int? OrganisationId, bool? NoOrganisation, bool? Disabled);

public sealed record OrganisationRequest(string? Name);

public sealed record VisibilityRequest(string? Visibility, int[]? Organisations);
