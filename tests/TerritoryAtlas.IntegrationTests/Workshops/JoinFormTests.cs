using System.Net;

namespace TerritoryAtlas.IntegrationTests.Workshops;

/// <summary>
/// The workshop join form's plain GET target: what Enter sends when the page is not interactive yet (a slow machine,
/// a connection still starting).
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class JoinFormTests(AtlasFixture atlas)
{
    [Theory]
    [InlineData("/atelier/rejoindre?code=ab2c-d3ef", "/atelier/AB2CD3EF")]
    [InlineData("/atelier/rejoindre?code=ab2cd3ef&lang=en", "/atelier/AB2CD3EF?lang=en")]
    [InlineData("/atelier/rejoindre?code=", "/atelier")]
    [InlineData("/atelier/rejoindre?code=%3Cb%3E%20--", "/atelier/B")]
    public async Task The_form_sent_without_the_page_goes_to_the_room_its_code_names(string sent, string room)
    {
        using var http = atlas.App.CreateClient(new() { AllowAutoRedirect = false });
        var response = await http.GetAsync(sent);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(room, response.Headers.Location?.OriginalString);
    }
}
