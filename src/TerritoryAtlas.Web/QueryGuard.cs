namespace TerritoryAtlas.Web;

/// <summary>
/// A NUL character in a query value cannot be a territory, indicator or anything PostgreSQL stores (its text type
/// refuses it), and reaching the database it broke a streaming export halfway (found by OpenApiFuzzTests). Every such
/// request is answered here, before any endpoint: 400 problem+json naming the parameter.
/// </summary>
public static class QueryGuard
{
    // Not an async lambda: every request passes here, and the refusal is the rare path. A NUL can only arrive
    // percent-encoded (a request line cannot carry one), so a query string without "%00" needs no further look.
    public static IApplicationBuilder UseQueryGuard(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.QueryString.Value?.Contains("%00", StringComparison.Ordinal) != true)
        {
            return next(context);
        }

        foreach (var (name, values) in context.Request.Query)
        {
            if (name.Contains('\0', StringComparison.Ordinal) || values.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true))
            {
                return new ParameterException(name.Replace("\0", "", StringComparison.Ordinal), "the value contains a NUL character")
                    .ToProblem().ExecuteAsync(context);
            }
        }

        return next(context);
    });
}
