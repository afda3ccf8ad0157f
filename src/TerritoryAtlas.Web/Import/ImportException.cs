namespace TerritoryAtlas.Web.Import;

/// <summary>A source file the importer cannot accept; the message names the file, the place and the problem.</summary>
public sealed class ImportException(string file, string place, string problem)
    : Exception($"{file}: {place}: {problem}")
{
    public string File { get; } = file;
    public string Place { get; } = place;
    public string Problem { get; } = problem;
}
