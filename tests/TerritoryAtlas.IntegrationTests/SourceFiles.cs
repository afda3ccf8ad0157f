using System.Text.Json;

namespace TerritoryAtlas.IntegrationTests;

/// <summary>Reads the source files independently of the importer, so tests compare the database with the files.</summary>
public static class SourceFiles
{
    public static string InData(string relativePath) => Path.Combine(AtlasFixture.DataDirectory, relativePath);

    public static List<string> FeatureCodes(string relativePath, string codeProperty = "code")
    {
        using var stream = File.OpenRead(InData(relativePath));
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.GetProperty("features").EnumerateArray()
            .Select(f => f.GetProperty("properties").GetProperty(codeProperty).GetString()!)
            .ToList();
    }

    /// <summary>Rows of a CSV as dictionaries keyed by column name.</summary>
    public static IEnumerable<Dictionary<string, string>> Rows(string relativePath)
    {
        using var reader = new StreamReader(InData(relativePath));
        var header = Split(reader.ReadLine()!);
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            yield return header.Zip(Split(line)).ToDictionary(p => p.First, p => p.Second);
        }
    }

    // The files here never break a quoted field across lines (SOURCES.md: RFC 4180, one record per line).
    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
            else if (c == '"') { quoted = !quoted; }
            else if (c == ',' && !quoted) { fields.Add(field.ToString()); field.Clear(); }
            else { field.Append(c); }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
