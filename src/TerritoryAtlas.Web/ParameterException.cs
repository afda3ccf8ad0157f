namespace TerritoryAtlas.Web;

/// <summary>
/// A request parameter the client got wrong, named so that every endpoint answers the same
/// application/problem+json: a title naming the parameter, a detail saying what to do, and `parameter`.
/// </summary>
public sealed class ParameterException(string parameter, string message, int status = StatusCodes.Status400BadRequest) : Exception(message)
{
    public string Parameter { get; } = parameter;
    public int Status { get; } = status;

    public IResult ToProblem() =>
        Results.Problem(title: $"Invalid parameter '{Parameter}'", detail: Message, statusCode: Status,
            extensions: new Dictionary<string, object?> { ["parameter"] = Parameter });
}
