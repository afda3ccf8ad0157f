using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using TerritoryAtlas.Testing;
using TerritoryAtlas.Web.Workshops;

namespace TerritoryAtlas.IntegrationTests.Workshops;

[Collection(nameof(AtlasCollection))]
public sealed class WorkshopHubTests(AtlasFixture atlas)
{
    private async Task<(CreatedWorkshop Room, WorkshopClient Host, WorkshopClient Alice, WorkshopClient Bob)> WorkshopWithTwoParticipantsAsync()
    {
        using var http = atlas.App.CreateClient();
        var room = await WorkshopClient.CreateWorkshopAsync(http);
        var host = await WorkshopClient.ConnectAsync(atlas.App.Server);
        await host.EnterAsync(room.JoinCode, room.HostToken);
        var alice = await WorkshopClient.ConnectAsync(atlas.App.Server);
        await alice.JoinAsync(room.JoinCode, "Alice");
        var bob = await WorkshopClient.ConnectAsync(atlas.App.Server);
        await bob.JoinAsync(room.JoinCode, "Bob");
        return (room, host, alice, bob);
    }

    private async Task<long> AnnotationRowsAsync(Guid roomId)
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("select count(*) from annotation where workshop_id = @roomId", new { roomId });
    }

    [Fact]
    public async Task Opening_workshops_is_limited_per_address_and_a_refused_one_writes_nothing()
    {
        await using var limited = atlas.App.WithWebHostBuilder(b => b.UseSetting("RateLimits:WorkshopsPerHour", "2"));
        using var http = limited.CreateClient();
        var title = $"Limite {Guid.NewGuid():N}";
        for (var i = 0; i < 2; i++)
        {
            (await http.PostAsJsonAsync("/api/workshops", new { title })).EnsureSuccessStatusCode();
        }

        var refused = await http.PostAsJsonAsync("/api/workshops", new { title });

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        await using var connection = await atlas.Db.OpenConnectionAsync();
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("select count(*) from workshop where title = @title", new { title }));
    }

    [Fact]
    public async Task Participants_see_each_others_drawings_edits_and_deletions_in_sequence()
    {
        var (_, host, alice, bob) = await WorkshopWithTwoParticipantsAsync();
        await using var _h = host;
        await using var _a = alice;
        await using var _b = bob;

        var created = await alice.AddAsync("point", Drawings.Lyon, "Beaucoup de familles monoparentales ici");
        Assert.Equal("created", created.Type);
        Assert.Equal("Alice", created.Annotation!.AuthorName);
        var seen = await bob.NextEventAsync();
        Assert.Equal(created.Seq, seen.Seq);
        Assert.Equal("Beaucoup de familles monoparentales ici", seen.Annotation!.Note);
        Assert.Equal(4.8357, seen.Annotation.Geometry.Coordinate.X, 6);
        Assert.Equal(created.Seq, (await host.NextEventAsync()).Seq);

        var line = await bob.AddAsync("line", Drawings.ParisToLyon, "axe");
        var polygon = await bob.AddAsync("polygon", Drawings.AroundParis, "");
        var label = await alice.AddAsync("label", Drawings.Marseille, "Quartiers nord");
        Assert.Equal([created.Seq + 1, created.Seq + 2, created.Seq + 3], new[] { line.Seq, polygon.Seq, label.Seq });

        var edited = await alice.EditAsync(created.Annotation.Id, "point", Drawings.Marseille, "Déplacé à Marseille");
        Assert.Equal("updated", edited.Type);
        var deleted = await bob.DeleteAsync(line.Annotation!.Id);
        Assert.True(deleted.Annotation!.Deleted);

        // Bob saw, in order, what others did: Alice's label, then Alice's edit (his own changes come back as answers).
        Assert.Equal([label.Seq, edited.Seq], [(await bob.NextEventAsync()).Seq, (await bob.NextEventAsync()).Seq]);
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var stored = await connection.QuerySingleAsync<(string Note, string Wkt, long Seq)>(
            "select note, st_astext(geom), seq from annotation where id = @Id", new { created.Annotation.Id });
        Assert.Equal(("Déplacé à Marseille", "POINT(5.3698 43.2965)", edited.Seq), stored);
        var log = (await connection.QueryAsync<long>("select seq from annotation_event where workshop_id = @WorkshopId order by seq", new { alice.WorkshopId })).ToList();
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), log);
    }

    [Fact]
    public async Task Only_the_author_or_the_host_may_change_an_annotation_and_only_the_host_moderates()
    {
        var (_, host, alice, bob) = await WorkshopWithTwoParticipantsAsync();
        await using var _h = host;
        await using var _a = alice;
        await using var _b = bob;
        var mine = await alice.AddAsync("point", Drawings.Lyon, "à Alice");

        var edit = await Assert.ThrowsAsync<HubException>(() => bob.EditAsync(mine.Annotation!.Id, "point", Drawings.Lyon, "pris par Bob"));
        Assert.Contains("your own annotations", edit.Message);
        await Assert.ThrowsAsync<HubException>(() => bob.DeleteAsync(mine.Annotation!.Id));
        var hide = await Assert.ThrowsAsync<HubException>(() => bob.Connection.InvokeAsync<WorkshopEvent>("SetHidden", bob.WorkshopId, mine.Annotation!.Id, true));
        Assert.Contains("host", hide.Message);
        await Assert.ThrowsAsync<HubException>(() => alice.Connection.InvokeAsync<WorkshopEvent>("SetLocked", alice.WorkshopId, true));
        await Assert.ThrowsAsync<HubException>(() => alice.Connection.InvokeAsync<WorkshopEvent>("ClearAnnotations", alice.WorkshopId));
        await Assert.ThrowsAsync<HubException>(() => alice.Connection.InvokeAsync<WorkshopEvent>("RemoveParticipant", alice.WorkshopId, bob.Session.ParticipantId));

        var hidden = await host.Connection.InvokeAsync<WorkshopEvent>("SetHidden", host.WorkshopId, mine.Annotation!.Id, true);
        Assert.True(hidden.Annotation!.Hidden);
        var byHost = await host.EditAsync(mine.Annotation.Id, "point", Drawings.Lyon, "reformulé par l'animation");
        Assert.Equal("Alice", byHost.Annotation!.AuthorName);

        await bob.AddAsync("point", Drawings.Marseille, "b");
        var cleared = await host.Connection.InvokeAsync<WorkshopEvent>("ClearAnnotations", host.WorkshopId);
        Assert.Equal(2, cleared.AnnotationIds!.Count);
        await using var connection = await atlas.Db.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("select count(*) from annotation where workshop_id = @WorkshopId and not deleted", new { host.WorkshopId }));

        // A connection that has not entered this room can do nothing in it.
        await using var stranger = await WorkshopClient.ConnectAsync(atlas.App.Server);
        var refused = await Assert.ThrowsAsync<HubException>(() => stranger.Connection.InvokeAsync<WorkshopEvent>("AddAnnotation", host.WorkshopId, WorkshopClient.Input("point", Drawings.Lyon)));
        Assert.Contains("Join or enter", refused.Message);
    }

    [Fact]
    public async Task A_hidden_annotation_reaches_the_hosts_only_live_and_in_the_replay()
    {
        var (room, host, alice, bob) = await WorkshopWithTwoParticipantsAsync();
        await using var _h = host;
        await using var _a = alice;
        await using var _b = bob;
        await using var secondHost = await WorkshopClient.ConnectAsync(atlas.App.Server);
        await secondHost.EnterAsync(room.JoinCode, room.HostToken);
        var added = await alice.AddAsync("point", Drawings.Lyon, "propos à modérer");
        // Both saw it created before it is hidden.
        Assert.Equal(added.Seq, (await bob.NextEventAsync()).Seq);
        Assert.Equal(added.Seq, (await secondHost.NextEventAsync()).Seq);

        var hidden = await host.Connection.InvokeAsync<WorkshopEvent>("SetHidden", host.WorkshopId, added.Annotation!.Id, true);

        // Live: the other host gets it whole, participants (the author too) only that it is hidden.
        Assert.Equal("propos à modérer", hidden.Annotation!.Note);
        var toHost = await secondHost.NextEventAsync();
        Assert.Equal(("hidden", "propos à modérer", false), (toHost.Type, toHost.Annotation!.Note, toHost.Annotation.Geometry.IsEmpty));
        foreach (var participant in new[] { bob, alice })
        {
            var told = await participant.NextEventAsync();
            Assert.Equal(("hidden", added.Annotation.Id, true, "", true), (told.Type, told.Annotation!.Id, told.Annotation.Hidden, told.Annotation.Note, told.Annotation.Geometry.IsEmpty));
        }

        // Replayed: for a participant every event of a hidden annotation is redacted, also its creation; not for a host.
        Assert.All((await bob.SyncSinceAsync(0)).Where(e => e.Annotation?.Id == added.Annotation.Id),
            e => Assert.Equal(("", true), (e.Annotation!.Note, e.Annotation.Geometry.IsEmpty)));
        Assert.Contains(await secondHost.SyncSinceAsync(0), e => e.Type == "created" && e.Annotation!.Note == "propos à modérer");

        // Shown again, it reaches everyone whole, and the replay gives participants its creation again.
        await host.Connection.InvokeAsync<WorkshopEvent>("SetHidden", host.WorkshopId, added.Annotation.Id, false);
        var shown = await bob.NextEventAsync();
        Assert.Equal(("shown", "propos à modérer", false), (shown.Type, shown.Annotation!.Note, shown.Annotation.Geometry.IsEmpty));
        Assert.Contains(await bob.SyncSinceAsync(0), e => e.Type == "created" && e.Annotation!.Note == "propos à modérer");
    }

    [Fact]
    public async Task A_locked_room_refuses_participants_writes_until_the_host_unlocks_it()
    {
        var (_, host, alice, bob) = await WorkshopWithTwoParticipantsAsync();
        await using var _h = host;
        await using var _a = alice;
        await using var _b = bob;

        var locked = await host.Connection.InvokeAsync<WorkshopEvent>("SetLocked", host.WorkshopId, true);
        Assert.Equal("locked", (await alice.NextEventAsync()).Type);
        var refused = await Assert.ThrowsAsync<HubException>(() => alice.AddAsync("point", Drawings.Lyon, "trop tard"));
        Assert.Contains("locked", refused.Message);
        Assert.Equal(0, await AnnotationRowsAsync(alice.WorkshopId));
        // The host still may write; the refused attempt took no sequence number.
        var byHost = await host.AddAsync("point", Drawings.Lyon, "synthèse");
        Assert.Equal(locked.Seq + 1, byHost.Seq);

        await host.Connection.InvokeAsync<WorkshopEvent>("SetLocked", host.WorkshopId, false);
        Assert.Equal("created", (await alice.AddAsync("point", Drawings.Lyon, "enfin")).Type);
    }

    public static TheoryData<string, string, string, string> Refused => new()
    {
        { "point", """{"type":"Point","coordinates":"4.8,45.7"}""", "", "not valid GeoJSON" },
        { "point", """{"type":"Pointy","coordinates":[4.8,45.7]}""", "", "not valid GeoJSON" },
        { "point", "\"POINT(4.8 45.7)\"", "", "GeoJSON geometry object" },
        { "point", Drawings.MultiPoint, "", "not allowed" },
        { "line", Drawings.Lyon, "", "needs a GeoJSON LineString" },
        { "circle", Drawings.Lyon, "", "Unknown annotation kind" },
        { "point", Drawings.London, "", "outside France" },
        { "point", """{"type":"Point","coordinates":[-30.0,45.0]}""", "", "outside France" },
        { "line", Drawings.LongLine(AnnotationRules.MaxVertices + 1), "", "Too many vertices" },
        { "polygon", Drawings.Bowtie, "", "cross" },
        { "point", """{"type":"Point","coordinates":[400.0,45.0]}""", "", "longitude, latitude" },
        { "point", Drawings.Lyon, new string('x', AnnotationRules.MaxNoteLength + 1), "at most 2000" },
        { "label", Drawings.Lyon, "  ", "label needs its text" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Bad_drawings_are_refused_to_their_author_only_and_nothing_is_written(string kind, string geometry, string note, string expected)
    {
        var (_, host, alice, bob) = await WorkshopWithTwoParticipantsAsync();
        await using var _h = host;
        await using var _a = alice;
        await using var _b = bob;

        // Every message is JSON (the protocol sees to that); what can be wrong is the GeoJSON inside and the rest.
        var input = WorkshopClient.Input(kind, geometry, note);
        var error = await Assert.ThrowsAsync<HubException>(() => alice.Connection.InvokeAsync<WorkshopEvent>("AddAnnotation", alice.WorkshopId, input));
        Assert.Contains(expected, error.Message);
        Assert.Equal(0, await AnnotationRowsAsync(alice.WorkshopId));
        // Alice's connection is still usable and the room's numbering has no hole.
        var fine = await alice.AddAsync("point", Drawings.Lyon, "ok");
        Assert.Equal(1, fine.Seq);
        // Bob's first event is that one: the refused drawing was never broadcast (events reach him in order).
        Assert.Equal(fine.Seq, (await bob.NextEventAsync()).Seq);
    }

    [Fact]
    public async Task A_message_over_the_size_limit_closes_only_its_senders_connection_and_writes_nothing()
    {
        var (_, host, alice, bob) = await WorkshopWithTwoParticipantsAsync();
        await using var _h = host;
        await using var _a = alice;
        await using var _b = bob;

        var huge = WorkshopClient.Input("point", Drawings.Lyon, new string('x', WorkshopEndpoints.MaxMessageBytes + 10));
        await Assert.ThrowsAnyAsync<Exception>(() => alice.Connection.InvokeAsync<WorkshopEvent>("AddAnnotation", alice.WorkshopId, huge));
        Assert.Equal(0, await AnnotationRowsAsync(alice.WorkshopId));
        Assert.Equal("created", (await bob.AddAsync("point", Drawings.Lyon, "toujours là")).Type);
    }

    [Fact]
    public async Task Flooding_is_refused_beyond_the_burst_and_the_connection_recovers()
    {
        var (_, host, alice, bob) = await WorkshopWithTwoParticipantsAsync();
        await using var _h = host;
        await using var _a = alice;
        await using var _b = bob;

        // A hundred writes sent at once: the burst goes through, the rest is refused until the bucket refills.
        var attempts = Enumerable.Range(0, 100).Select(async i =>
        {
            try
            {
                await alice.AddAsync("point", Drawings.Lyon, $"n° {i}");
                return null;
            }
            catch (HubException e)
            {
                return e;
            }
        }).ToList();
        var outcomes = await Task.WhenAll(attempts);
        var accepted = outcomes.Count(o => o is null);
        var refused = outcomes.Where(o => o is not null).ToList();

        Assert.NotEmpty(refused);
        Assert.All(refused, e => Assert.Contains("Too many changes", e!.Message));
        Assert.InRange(accepted, (int)TokenBucket.Burst - 1, 99);
        Assert.Equal(accepted, await AnnotationRowsAsync(alice.WorkshopId));
        // Once the bucket has refilled (a tenth of a second per token), writes go through again.
        WorkshopEvent? afterPause = null;
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                afterPause = await alice.AddAsync("point", Drawings.Lyon, "après une pause");
                return true;
            }
            catch (HubException e) when (e.Message.Contains("Too many changes", StringComparison.Ordinal))
            {
                return false;
            }
        }, "a write accepted once the bucket refilled");
        Assert.Equal("created", afterPause!.Type);
    }

    [Fact]
    public async Task A_client_that_reconnects_gets_exactly_the_events_it_missed()
    {
        var (room, host, alice, bob) = await WorkshopWithTwoParticipantsAsync();
        await using var _h = host;
        await using var _b = bob;
        var first = await alice.AddAsync("point", Drawings.Lyon, "avant la coupure");
        var token = alice.Session.Token!;
        await alice.DisposeAsync();

        var missed = new List<WorkshopEvent>
        {
            await bob.AddAsync("point", Drawings.Marseille, "pendant"),
            await bob.AddAsync("line", Drawings.ParisToLyon, "pendant aussi"),
            await host.EditAsync(first.Annotation!.Id, "point", Drawings.Lyon, "corrigé"),
        };

        await using var again = await WorkshopClient.ConnectAsync(atlas.App.Server);
        var session = await again.EnterAsync(room.JoinCode, token);
        Assert.Equal("Alice", session.DisplayName);
        var caughtUp = await again.SyncSinceAsync(first.Seq);
        Assert.Equal(missed.Select(e => e.Seq), caughtUp.Select(e => e.Seq));
        Assert.Equal("corrigé", caughtUp[^1].Annotation!.Note);
        Assert.Equal(missed[^1].Seq, session.LastSeq);
        Assert.Empty(await again.SyncSinceAsync(session.LastSeq));
    }

    [Fact]
    public async Task Presence_lists_who_is_in_the_room_and_a_removed_participant_can_no_longer_write()
    {
        var (room, host, alice, bob) = await WorkshopWithTwoParticipantsAsync();
        await using var _h = host;
        await using var _a = alice;
        await using var _b = bob;
        await Eventually.HoldsAsync(() => host.Present.Count == 3, "the host hears that the three are present");
        Assert.Equal(["Animation", "Alice", "Bob"], host.Present.Select(p => p.DisplayName));

        await host.Connection.InvokeAsync<WorkshopEvent>("RemoveParticipant", host.WorkshopId, bob.Session.ParticipantId);
        await Eventually.HoldsAsync(() => bob.Removed, "Bob is told he was removed");
        await Eventually.HoldsAsync(() => host.Present.Count == 2, "the host's presence list drops Bob");
        Assert.Equal(["Animation", "Alice"], host.Present.Select(p => p.DisplayName));
        await Assert.ThrowsAsync<HubException>(() => bob.AddAsync("point", Drawings.Lyon, "encore"));
        await using var back = await WorkshopClient.ConnectAsync(atlas.App.Server);
        var refused = await Assert.ThrowsAsync<HubException>(() => back.EnterAsync(room.JoinCode, bob.Session.Token!));
        Assert.Contains("removed", refused.Message);
    }

    [Fact]
    public async Task Tokens_open_only_their_own_room_and_a_participant_cannot_act_as_host()
    {
        using var http = atlas.App.CreateClient();
        var first = await WorkshopClient.CreateWorkshopAsync(http, "Premier");
        var second = await WorkshopClient.CreateWorkshopAsync(http, "Second");
        Assert.NotEqual(first.JoinCode, second.JoinCode);
        Assert.DoesNotContain(first.JoinCode, first.HostToken, StringComparison.OrdinalIgnoreCase);
        Assert.True(first.HostToken.Length >= 43);

        await using var client = await WorkshopClient.ConnectAsync(atlas.App.Server);
        await Assert.ThrowsAsync<HubException>(() => client.EnterAsync(second.JoinCode, first.HostToken));
        var unknown = await Assert.ThrowsAsync<HubException>(() => client.JoinAsync("ZZZZZZZZ", "Eve"));
        Assert.Contains("No workshop", unknown.Message);
        await Assert.ThrowsAsync<HubException>(() => client.JoinAsync(first.JoinCode, ""));

        // Join codes are typed by people: case, spaces and dashes do not matter.
        var session = await client.JoinAsync(first.JoinCode.ToLowerInvariant().Insert(4, "-"), "Eve");
        Assert.Equal("participant", session.Role);
        await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("ShareView", session.WorkshopId, new WorkshopView(2, 46, 6, null, null, null)));

        // The projection watches and cannot write.
        await using var screen = await WorkshopClient.ConnectAsync(atlas.App.Server);
        await screen.WatchAsync(first.JoinCode);
        var readOnly = await Assert.ThrowsAsync<HubException>(() => screen.AddAsync("point", Drawings.Lyon));
        Assert.Contains("read-only", readOnly.Message);
    }

    [Fact]
    public async Task Refusals_come_in_the_language_the_page_connects_with()
    {
        using var http = atlas.App.CreateClient();
        var room = await WorkshopClient.CreateWorkshopAsync(http, "Langues");

        await using var french = await WorkshopClient.ConnectAsync(atlas.App.Server, "fr");
        await french.WatchAsync(room.JoinCode);
        var refused = await Assert.ThrowsAsync<HubException>(() => french.AddAsync("point", Drawings.Lyon));
        Assert.Contains("L'écran de projection est en lecture seule.", refused.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<HubException>(() => french.JoinAsync("ZZZZZZZZ", "Eve"));
        Assert.Contains("Aucun atelier n'a le code", unknown.Message, StringComparison.Ordinal);

        // English when the page is English, and for API clients that say nothing.
        foreach (var lang in new[] { "en", null })
        {
            await using var english = await WorkshopClient.ConnectAsync(atlas.App.Server, lang);
            await english.WatchAsync(room.JoinCode);
            var readOnly = await Assert.ThrowsAsync<HubException>(() => english.AddAsync("point", Drawings.Lyon));
            Assert.Contains("The projection view is read-only.", readOnly.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_host_leads_the_view_and_followers_receive_it()
    {
        var (room, host, alice, bob) = await WorkshopWithTwoParticipantsAsync();
        await using var _h = host;
        await using var _a = alice;
        await using var _b = bob;
        await host.Connection.InvokeAsync("ShareView", host.WorkshopId, new WorkshopView(5.37, 43.3, 9, "commune", "taux_pauvrete_60", 2019));
        await Eventually.HoldsAsync(() => alice.LastView is not null, "Alice receives the host's view");
        Assert.Equal(new WorkshopView(5.37, 43.3, 9, "commune", "taux_pauvrete_60", 2019), alice.LastView);
        await using var late = await WorkshopClient.ConnectAsync(atlas.App.Server);
        var session = await late.WatchAsync(room.JoinCode);
        Assert.Equal(9, session.View.Zoom);
    }

    [Fact]
    public async Task The_host_exports_annotations_as_geojson_and_a_csv_naming_their_commune()
    {
        var (room, host, alice, bob) = await WorkshopWithTwoParticipantsAsync();
        await using var _h = host;
        await using var _a = alice;
        await using var _b = bob;
        await alice.AddAsync("point", Drawings.Lyon, "=HYPERLINK(\"x\"), \"cité\"");
        await bob.AddAsync("polygon", Drawings.AroundParis, "Paris");
        var gone = await bob.AddAsync("point", Drawings.Marseille, "effacé");
        await bob.DeleteAsync(gone.Annotation!.Id);

        using var http = atlas.App.CreateClient();
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync($"/api/workshops/{room.WorkshopId}/summary.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync($"/api/workshops/{room.WorkshopId}/summary.csv?host={alice.Session.Token}")).StatusCode);

        var geojson = await http.GetFromJsonAsync<JsonElement>($"/api/workshops/{room.WorkshopId}/annotations.geojson?host={room.HostToken}");
        var features = geojson.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(2, features.Count);
        Assert.Equal("Point", features[0].GetProperty("geometry").GetProperty("type").GetString());
        Assert.Equal("Alice", features[0].GetProperty("properties").GetProperty("author").GetString());

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/workshops/{room.WorkshopId}/summary.csv");
        request.Headers.Add("X-Workshop-Host", room.HostToken);
        var csv = await (await http.SendAsync(request)).Content.ReadAsStringAsync();
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("id,kind,note,author", lines[0]);
        // Lyon 1er arrondissement's point lies in the commune of Lyon (69123 in COG 2018) in the Rhône.
        Assert.Contains("\"'=HYPERLINK(\"\"x\"\"), \"\"cité\"\"\",\"Alice\"", lines[1]);
        Assert.Contains(",69123,\"Lyon\",69,\"Rhône\"", lines[1]);
        Assert.Contains(",75,\"Paris\"", lines[2]);
    }
}
