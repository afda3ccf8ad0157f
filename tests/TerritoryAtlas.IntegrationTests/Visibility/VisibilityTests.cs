using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using TerritoryAtlas.IntegrationTests.Workshops;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Workshops;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.IntegrationTests.Visibility;

/// <summary>
/// Indicator visibility on every surface, on the real database: the Gini index (no other test reads it) is made
/// members-only inside each test and public again afterwards; the collection runs its tests one at a time, so no
/// other test sees it restricted. An anonymous reader must get exactly what it gets for an indicator that does not
/// exist.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class VisibilityTests(AtlasFixture atlas) : IAsyncLifetime
{
    public const string Restricted = "indice_gini";
    public const string Label = "Indice de Gini du niveau de vie";
    private const string Unknown = "no_such_indicator";

    public Task InitializeAsync() => SetVisibilityAsync("members");

    public Task DisposeAsync() => SetVisibilityAsync("public");

    private Task SetVisibilityAsync(string visibility, params int[] organisations) =>
        atlas.App.Services.GetRequiredService<IndicatorQueries>().SetVisibilityAsync(Restricted, visibility, organisations, CancellationToken.None);

    /// <summary>Each API path with {0} for the indicator code: asked anonymously, the restricted one answers as an unknown one.</summary>
    public static TheoryData<string> ApiPaths => new()
    {
        "/api/maps/departement/{0}/2020",
        "/api/series/{0}/departement/93",
        "/api/series/{0}/departement/93?format=csv",
        "/api/synthesis/11.csv?indicators={0}",
        "/api/export/departement.geojson?indicator={0}",
        "/api/export/departement.csv?indicator={0}",
        "/api/export/departement/preview?indicator={0}",
        "/ogc/collections/departement/items?indicator={0}",
        "/ogc/collections/departement/items/93?indicator={0}",
    };

    [Theory]
    [MemberData(nameof(ApiPaths))]
    public async Task An_anonymous_request_for_a_restricted_indicator_gets_the_unknown_indicators_404(string path)
    {
        using var client = atlas.App.CreateClient();
        var restricted = await client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, path, Restricted));
        var unknown = await client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, path, Unknown));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, restricted.StatusCode);
        Assert.Equal(unknown.Content.Headers.ContentType?.MediaType, restricted.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Comparable(await unknown.Content.ReadAsStringAsync(), Unknown), Comparable(await restricted.Content.ReadAsStringAsync(), Restricted));
    }

    /// <summary>A problem body without what legitimately differs: the code asked for, and the request's trace id.</summary>
    private static string Comparable(string problem, string code)
    {
        var json = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(problem)!;
        json.Remove("traceId");
        return JsonSerializer.Serialize(json).Replace(code, "{code}", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_public_again_the_same_requests_answer_with_figures()
    {
        // The other tests' 404s are only worth something if these paths answer for a readable indicator.
        await SetVisibilityAsync("public");
        using var client = atlas.App.CreateClient();
        foreach (var path in ApiPaths)
        {
            var response = await client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, path, Restricted));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
        }

        var catalogue = await client.GetFromJsonAsync<JsonElement>("/api/indicators");
        Assert.Contains(catalogue.EnumerateArray(), i => i.GetProperty("code").GetString() == Restricted);
        Assert.Contains(Label, await client.GetStringAsync("/indicateurs"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_catalogue_api_does_not_list_a_restricted_indicator_to_anonymous_readers()
    {
        using var client = atlas.App.CreateClient();
        var catalogue = await client.GetFromJsonAsync<JsonElement>("/api/indicators");
        Assert.DoesNotContain(catalogue.EnumerateArray(), i => i.GetProperty("code").GetString() == Restricted);
        Assert.Contains(catalogue.EnumerateArray(), i => i.GetProperty("code").GetString() == "taux_pauvrete_60");
        Assert.All(catalogue.EnumerateArray(), i => Assert.Equal("public", i.GetProperty("visibility").GetString()));
    }

    [Fact]
    public async Task The_ogc_api_lists_and_serves_no_restricted_figures()
    {
        using var client = atlas.App.CreateClient();
        // Collections are levels, not indicators: nothing in them names an indicator.
        var collections = await client.GetStringAsync("/ogc/collections");
        Assert.DoesNotContain(Restricted, collections, StringComparison.Ordinal);
        var items = await client.GetStringAsync("/ogc/collections/departement/items?limit=5");
        Assert.DoesNotContain(Restricted, items, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restricted_indicator_cannot_be_embedded_and_the_widget_says_so_without_figures()
    {
        using var client = atlas.App.CreateClient();
        var response = await client.GetAsync($"/embed?indicator={Restricted}&level=departement&year=2020");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("n'existe pas ou n'est pas public", WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.DoesNotContain(Label, html, StringComparison.Ordinal);
        Assert.DoesNotContain("embed-map", html, StringComparison.Ordinal);
        // An unknown one reads the same, the code aside.
        var unknown = await client.GetAsync($"/embed?indicator={Unknown}&level=departement&year=2020");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal((await unknown.Content.ReadAsStringAsync()).Replace(Unknown, "{code}", StringComparison.Ordinal),
            html.Replace(Restricted, "{code}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/?indicator=" + Restricted + "&level=departement&year=2020", true)]
    [InlineData("/territoire/departement/93?indicateur=" + Restricted, true)]
    [InlineData("/synthese/11?indicateurs=" + Restricted, true)]
    [InlineData("/territoire/departement/93", false)]
    [InlineData("/indicateurs", false)]
    public async Task Pages_prerender_nothing_of_a_restricted_indicator_and_prompt_to_sign_in_when_asked_for_it(string path, bool asked)
    {
        using var client = atlas.App.CreateClient();
        var response = await client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(Label, html, StringComparison.Ordinal);
        Assert.DoesNotContain("Gini index", html, StringComparison.Ordinal);
        if (asked)
        {
            Assert.Contains("data-testid=\"reserved-indicator\"", html, StringComparison.Ordinal);
            Assert.Contains("/compte/connexion?ReturnUrl=", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_workshop_cannot_open_on_a_restricted_indicator_for_someone_who_may_not_read_it()
    {
        using var client = atlas.App.CreateClient();
        var response = await client.PostAsJsonAsync("/api/workshops", new CreateWorkshopRequest("Gini", new WorkshopView(2.5, 46.6, 5, "departement", Restricted, 2020), null));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains($"unknown indicator '{Restricted}'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_room_showing_a_restricted_indicator_admits_no_anonymous_reader_and_a_host_cannot_share_one_it_may_not_read()
    {
        var rooms = atlas.App.Services.GetRequiredService<WorkshopService>();
        var room = await rooms.CreateAsync(new CreateWorkshopRequest("Visibilité", null, null), null, CancellationToken.None);
        await using var host = await WorkshopClient.ConnectAsync(atlas.App.Server);
        await host.Connection.InvokeAsync<Session>("Enter", room.JoinCode, room.HostToken);

        var refused = await Assert.ThrowsAsync<HubException>(() =>
            host.Connection.InvokeAsync("ShareView", room.WorkshopId, new WorkshopView(2.5, 46.6, 5, "departement", Restricted, 2020)));
        Assert.Contains($"Unknown indicator '{Restricted}'", refused.Message, StringComparison.Ordinal);

        // The room's view turns to the restricted indicator (as a member host's would): anonymous readers stay out.
        await using (var connection = await atlas.Db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("update workshop set view = jsonb_set(view, '{indicator}', to_jsonb(@Restricted::text)) where id = @WorkshopId",
                new { Restricted, room.WorkshopId });
        }

        await using var reader = await WorkshopClient.ConnectAsync(atlas.App.Server);
        var notAdmitted = await Assert.ThrowsAsync<HubException>(() => reader.Connection.InvokeAsync<Session>("Join", room.JoinCode, "Lecteur"));
        Assert.Contains("sign in", notAdmitted.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<HubException>(() => reader.Connection.InvokeAsync<Session>("Watch", room.JoinCode));

        await SetVisibilityAsync("public");
        var session = await reader.Connection.InvokeAsync<Session>("Join", room.JoinCode, "Lecteur");
        Assert.Equal(Restricted, session.View.Indicator);
    }

    /// <summary>A member's bearer token (its organisation created when new), and the organisation's id.</summary>
    private async Task<(string Token, int Organisation)> MemberTokenAsync(string organisation)
    {
        await using var scope = atlas.App.Services.CreateAsyncScope();
        var (account, _) = await scope.ServiceProvider.GetRequiredService<AccountService>()
            .CreateAsync($"v{Guid.NewGuid():N}@example.org", AtlasRoles.Member, organisation, CancellationToken.None);
        var token = (await atlas.App.Services.GetRequiredService<AccessTokens>().CreateAsync(account.Id, "test", 1, CancellationToken.None)).Token;
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return (token, await connection.ExecuteScalarAsync<int>("select id from organisation where name = @organisation", new { organisation }));
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await atlas.App.CreateClient().SendAsync(request);
    }

    private static string Url(string path, string code) => string.Format(System.Globalization.CultureInfo.InvariantCulture, path, code);

    [Fact]
    public async Task Only_members_of_the_organisations_it_is_shared_with_read_it_their_answers_are_private_and_an_expired_token_reads_nothing()
    {
        var (right, organisation) = await MemberTokenAsync($"Partenaire {Guid.NewGuid():N}");
        var (other, _) = await MemberTokenAsync($"Autre partenaire {Guid.NewGuid():N}");
        var (expired, _) = await MemberTokenAsync($"Partenaire expiré {Guid.NewGuid():N}");
        await using (var connection = await atlas.Db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("update access_token set created_at = now() - interval '3 days', expires_at = now() - interval '1 day' where token_hash = @hash",
                new { hash = AccessTokens.Hash(expired) });
        }

        await SetVisibilityAsync("organisations", organisation);
        foreach (var path in ApiPaths)
        {
            var allowed = await GetAsync(Url(path, Restricted), right);
            Assert.True(allowed.StatusCode == HttpStatusCode.OK, $"{path} for its organisation: {allowed.StatusCode}");
            // No shared cache may keep one member's figures for another reader.
            Assert.True(allowed.Headers.CacheControl?.Private == true, $"{path}: Cache-Control {allowed.Headers.CacheControl}");

            // Another organisation's member gets what an unknown indicator gets: nothing says it exists.
            var refused = await GetAsync(Url(path, Restricted), other);
            var unknown = await GetAsync(Url(path, Unknown), other);
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.Equal(Comparable(await unknown.Content.ReadAsStringAsync(), Unknown), Comparable(await refused.Content.ReadAsStringAsync(), Restricted));

            var stale = await GetAsync(Url(path, Restricted), expired);
            Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
            Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain(Restricted, await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        static async Task<string[]> CodesAsync(HttpResponseMessage response) =>
            [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(i => i.GetProperty("code").GetString()!)];
        Assert.Contains(Restricted, await CodesAsync(await GetAsync("/api/indicators", right)));
        Assert.DoesNotContain(Restricted, await CodesAsync(await GetAsync("/api/indicators", other)));
        // An embed is public by nature: not even a member of the organisation can embed a restricted indicator.
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"/embed?indicator={Restricted}&level=departement&year=2020", right)).StatusCode);
    }

    [Fact]
    public async Task Members_only_indicators_are_read_by_every_signed_in_member_whatever_their_organisation()
    {
        var (member, _) = await MemberTokenAsync($"Membre {Guid.NewGuid():N}");
        foreach (var path in ApiPaths)
        {
            var response = await GetAsync(Url(path, Restricted), member);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
            Assert.True(response.Headers.CacheControl?.Private == true, $"{path}: Cache-Control {response.Headers.CacheControl}");
        }
    }

    [Fact]
    public async Task Signed_in_members_of_its_organisation_see_it_on_every_page_and_others_get_the_sign_in_prompt()
    {
        var organisation = $"Partenaire {Guid.NewGuid():N}";
        await using var scope = atlas.App.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        var (member, password) = await accounts.CreateAsync($"v{Guid.NewGuid():N}@example.org", AtlasRoles.Member, organisation, CancellationToken.None);
        var (outsider, outsiderPassword) = await accounts.CreateAsync($"v{Guid.NewGuid():N}@example.org", AtlasRoles.Member, $"Autre {Guid.NewGuid():N}", CancellationToken.None);
        await SetVisibilityAsync("organisations", member.OrganisationId!.Value);

        var pages = new[] { "/?indicator=" + Restricted + "&level=departement&year=2020", "/territoire/departement/93?indicateur=" + Restricted, "/synthese/11?indicateurs=" + Restricted };
        using var theirs = atlas.App.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true });
        Assert.Equal(HttpStatusCode.OK, (await Accounts.SignInForm.PostAsync(theirs, member.Email!, password)).StatusCode);
        foreach (var path in pages.Append("/indicateurs"))
        {
            var html = await theirs.GetStringAsync(path);
            Assert.True(html.Contains(Label, StringComparison.Ordinal), $"{path} does not show the indicator to its organisation");
            Assert.DoesNotContain("data-testid=\"reserved-indicator\"", html, StringComparison.Ordinal);
        }

        using var others = atlas.App.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true });
        Assert.Equal(HttpStatusCode.OK, (await Accounts.SignInForm.PostAsync(others, outsider.Email!, outsiderPassword)).StatusCode);
        foreach (var path in pages)
        {
            var html = await others.GetStringAsync(path);
            Assert.DoesNotContain(Label, html, StringComparison.Ordinal);
            Assert.Contains("data-testid=\"reserved-indicator\"", html, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(Label, await others.GetStringAsync("/indicateurs"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Anonymous_public_responses_keep_their_caching_headers()
    {
        using var client = atlas.App.CreateClient();
        var values = await client.GetAsync("/api/maps/departement/taux_pauvrete_60/2019");
        Assert.Equal(HttpStatusCode.OK, values.StatusCode);
        Assert.DoesNotContain("private", values.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
        var embed = await client.GetAsync("/embed?indicator=taux_pauvrete_60&level=departement");
        Assert.Equal("public, max-age=300", embed.Headers.CacheControl?.ToString());
    }
}
