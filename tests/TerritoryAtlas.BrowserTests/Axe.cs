using System.Text.Json;
using Microsoft.Playwright;
using TerritoryAtlas.Testing;

namespace TerritoryAtlas.BrowserTests;

/// <summary>
/// axe-core (the npm package the build installs) run in a page: the WCAG 2.1 A and AA rules' serious and critical
/// violations, each with the first nodes it names. The page's context must bypass CSP (axe is injected as a script).
/// </summary>
public static class Axe
{
    private static readonly string Script = Path.Combine(TestDatabase.RepositoryRoot, "src", "TerritoryAtlas.Web", "node_modules", "axe-core", "axe.min.js");

    public static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page)
    {
        await page.AddScriptTagAsync(new() { Path = Script });
        var result = await page.EvaluateAsync<JsonElement>("""
            async () => (await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }))
                .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.html.slice(0, 160)) }))
            """);
        return result.EnumerateArray()
            .Select(v => $"{v.GetProperty("id").GetString()} ({v.GetProperty("impact").GetString()}): {string.Join(" | ", v.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()))}")
            .ToList();
    }
}
