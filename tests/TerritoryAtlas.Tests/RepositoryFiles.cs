namespace TerritoryAtlas.Tests;

/// <summary>Files of the repository itself, found from the test assembly by walking up to TerritoryAtlas.sln.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TerritoryAtlas.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"TerritoryAtlas.sln not found above {AppContext.BaseDirectory}");
    }
}
