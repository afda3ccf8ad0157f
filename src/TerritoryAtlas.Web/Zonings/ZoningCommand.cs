using System.Globalization;

namespace TerritoryAtlas.Web.Zonings;

/// <summary>
/// The zoning verbs: <c>zoning add --name NAME --code CODE --vintage YEAR [--name-en NAME] [--column COL] FILE</c>,
/// <c>zoning remove CODE</c>, <c>zoning list</c>. Refusals print every line at fault and change nothing.
/// </summary>
public static class ZoningCommand
{
    public const string Usage = "zoning add --name NAME --code CODE --vintage YEAR [--name-en NAME] [--column COL] FILE.csv|xlsx | zoning remove CODE | zoning list";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error)
    {
        if (await CommandArguments.ReadAsync(args, Usage, error) is not { } arguments)
        {
            return 2;
        }

        var (positional, options) = (arguments.Positional, arguments.Options);
        var zonings = services.GetRequiredService<ZoningService>();
        try
        {
            switch (positional)
            {
                case ["zoning", "add", var path]:
                    {
                        if (!options.TryGetValue("--name", out var name) || !options.TryGetValue("--code", out var code)
                            || !options.TryGetValue("--vintage", out var vintage))
                        {
                            await error.WriteLineAsync($"--name, --code and --vintage are required. Usage: {Usage}");
                            return 2;
                        }

                        if (!File.Exists(path))
                        {
                            await error.WriteLineAsync($"{path}: no such file");
                            return 2;
                        }

                        await using var file = File.OpenRead(path);
                        var s = await zonings.AddAsync(file, Path.GetFileName(path),
                            new ZoningRequest(code, name, vintage, options.GetValueOrDefault("--name-en"), options.GetValueOrDefault("--column")),
                            Environment.UserName, CancellationToken.None);
                        await output.WriteLineAsync(
                            $"zoning {s.Code} \"{s.Name}\" ({s.Vintage}) added from {s.File}, column {s.ZoneColumn}: {s.Zones} zones, {s.Communes} communes " +
                            $"({s.CommunesOutside} communes in no zone, {s.CommunesCarried} carried into the zone of the commune they merged into), {s.ZonesAcrossDepartements} zones across départements, " +
                            $"{s.ZonesAcrossRegions} across régions, {s.Figures} figures, {s.Tiles} tiles");
                        await output.WriteLineAsync("timings: " + string.Join(", ",
                            s.StepSeconds.Select(p => $"{p.Key} {p.Value.ToString("0.0", CultureInfo.InvariantCulture)} s")));
                        return 0;
                    }
                case ["zoning", "remove", var code]:
                    if (await zonings.RemoveAsync(code, CancellationToken.None))
                    {
                        await output.WriteLineAsync($"zoning {code} removed");
                        return 0;
                    }

                    await error.WriteLineAsync($"no zoning '{code}'");
                    return 1;
                case ["zoning", "list"]:
                    foreach (var z in await zonings.ListAsync(CancellationToken.None))
                    {
                        await output.WriteLineAsync($"{z.Code}\t{z.Name}\t{z.Vintage}\t{z.Zones} zones\t{z.Communes} communes\t{z.File}");
                    }

                    return 0;
                default:
                    await error.WriteLineAsync($"Usage: {Usage}");
                    return 2;
            }
        }
        catch (ZoningRefused e)
        {
            await error.WriteLineAsync($"zoning refused, nothing changed: {e.Problem}");
            foreach (var line in e.Lines.Take(ZoningService.MaxListedProblems))
            {
                await error.WriteLineAsync(line.Line is { } n ? $"  line {n}: {line.Problem}" : $"  {line.Problem}");
            }

            if (e.Lines.Count > ZoningService.MaxListedProblems)
            {
                await error.WriteLineAsync($"  … and {e.Lines.Count - ZoningService.MaxListedProblems} more");
            }

            return 1;
        }
    }
}
