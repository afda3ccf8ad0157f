using System.Net;
using System.Net.Http.Headers;

namespace TerritoryAtlas.IntegrationTests.Pages;

/// <summary>Links people paste, as a browser asks for them: never a 500, and a real page for what does not exist.</summary>
[Collection(nameof(AtlasCollection))]
public sealed class BadLinkTests(AtlasFixture atlas)
{
    private async Task<(HttpStatusCode Status, string Body, string? Type)> BrowseAsync(string path, string accept = "text/html,application/xhtml+xml")
    {
        using var client = atlas.App.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd(accept);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/?year=abc", "year=abc")]
    [InlineData("/?classes=abc", "classes=abc")]
    [InlineData("/?year=99999999999", "year=99999999999")]
    [InlineData("/?level=zzz&palette=nope", "level=zzz")]
    public async Task A_malformed_map_link_opens_the_map_and_says_what_it_ignored(string path, string ignored)
    {
        var (status, body, _) = await BrowseAsync(path);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("data-testid=\"ignored-parameters\"", body, StringComparison.Ordinal);
        Assert.Contains(ignored, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_map_link_mentions_nothing_ignored()
    {
        var (status, body, _) = await BrowseAsync("/?level=departement&indicator=population_totale&year=2020&classes=6");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain("ignored-parameters", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/nexistepas", "Page introuvable")]
    [InlineData("/nexistepas?lang=en", "Page not found")]
    [InlineData("/territoire/commune/99999", "Aucun territoire")]
    [InlineData("/territoire/nowhere/93", "Aucun territoire")]
    [InlineData("/synthese/99", "Aucune région")]
    [InlineData("/atelier/ZZZZZZZZ", "Atelier introuvable")]
    public async Task What_does_not_exist_answers_404_with_a_readable_page_in_the_layout(string path, string message)
    {
        var (status, body, type) = await BrowseAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("text/html", type);
        Assert.Contains(message, System.Net.WebUtility.HtmlDecode(body), StringComparison.Ordinal);
        Assert.Contains("main-nav", body, StringComparison.Ordinal); // the application bar: a page of the app, not a bare message
    }

    [Theory]
    [InlineData("/api/nexistepas", "*/*")]
    [InlineData("/nexistepas", "application/json")]
    public async Task A_client_that_is_not_a_browser_gets_problem_json(string path, string accept)
    {
        var (status, _, type) = await BrowseAsync(path, accept);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("application/problem+json", type);
    }
}
