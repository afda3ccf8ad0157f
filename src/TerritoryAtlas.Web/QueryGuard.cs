namespace TerritoryAtlas.Web;

/// <summary>
/// A NUL character in a query value cannot be a territory, indicator or anything PostgreSQL stores (its text type
/// refuses it), and reaching the database it broke a streaming export halfway (found by OpenApiFuzzTests). Every such
/// request is answered here, before any endpoint: 400 problem+json naming the parameter.
/// </summary>
public static class QueryGuard
{
    public static IApplicationBuilder UseQueryGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        foreach (var (name, values) in context.Request.Query)
        {
            if (name.Contains('\0', StringComparison.Ordinal) || values.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true))
            {
                await new ParameterException(name.Replace("\0", "", StringComparison.Ordinal), "the value contains a NUL character")
                    .ToProblem().ExecuteAsync(context);
                return;
            }
        }

        await next(context);
    });
}
