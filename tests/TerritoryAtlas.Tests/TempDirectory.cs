namespace TerritoryAtlas.Tests;

/// <summary>A folder of its own for a test's files, removed afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("atlas-tests-").FullName;

    public string File(string name, string content, System.Text.Encoding? encoding = null)
    {
        var path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllText(path, content, encoding ?? new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
