namespace TerritoryAtlas.Web;

/// <summary>
/// The verbs' command line (`user add EMAIL --role admin`, `zoning add --name … FILE`): positional words in order,
/// `--option value` pairs by name. One reader for every verb, so they all take options alike.
/// </summary>
public sealed record CommandArguments(IReadOnlyList<string> Positional, IReadOnlyDictionary<string, string> Options)
{
    /// <summary>The arguments, or null with the problem written to <paramref name="error"/> (an option without its value).</summary>
    public static async Task<CommandArguments?> ReadAsync(string[] args, string usage, TextWriter error)
    {
        var positional = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                if (i + 1 >= args.Length)
                {
                    await error.WriteLineAsync($"{args[i]} needs a value. Usage: {usage}");
                    return null;
                }

                options[args[i]] = args[++i];
            }
            else
            {
                positional.Add(args[i]);
            }
        }

        return new CommandArguments(positional, options);
    }
}
