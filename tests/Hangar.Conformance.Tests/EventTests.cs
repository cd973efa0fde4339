using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Beta.Sessions.Events;
using Hangar.Conformance.Tests.Hosting;

namespace Hangar.Conformance.Tests;

[Collection(HangarCollection.Name)]
public sealed class EventTests(HangarServers servers)
{
    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Sending_a_batch_returns_each_stored_event_with_an_event_id(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var session = await client.FreshSessionAsync(ct);

        var sent = await client.Beta.Sessions.Events.Send(session.ID, Messages.Send("one", "two", "three"), ct);
        sent.Validate();

        var stored = Messages.Stored(sent);
        Assert.Equal(3, stored.Count);
        Assert.All(stored, e => Assert.StartsWith("sevt_", e.ID));
        Assert.Equal(3, stored.Select(e => e.ID).Distinct().Count());
        Assert.Equal(["one", "two", "three"], stored.Select(e => Messages.TextOf(e.Value)));
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Listing_events_pages_through_them_in_the_order_they_were_sent(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var session = await client.FreshSessionAsync(ct);
        var first = await client.Beta.Sessions.Events.Send(session.ID, Messages.Send("a", "b", "c"), ct);
        var second = await client.Beta.Sessions.Events.Send(session.ID, Messages.Send("d", "e"), ct);
        var sentIds = Messages.Stored(first).Concat(Messages.Stored(second)).Select(e => e.ID).ToList();

        var firstPage = await client.Beta.Sessions.Events.List(
            session.ID, new EventListParams { Limit = 2, Types = [BetaManagedAgentsSessionEventType.UserMessage] }, ct);
        firstPage.Validate();
        var listed = await firstPage.Paginate(ct).ToListAsync(ct);

        Assert.Equal(2, firstPage.Items.Count);
        Assert.True(firstPage.HasNext());
        Assert.Equal(sentIds, listed.Select(e => e.ID));
        Assert.Equal(["a", "b", "c", "d", "e"], listed.Select(e => Messages.TextOf(e.Value)));
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Every_listed_event_has_an_event_id_and_a_processed_at_where_required(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var session = await client.FreshSessionAsync(ct);
        await client.Beta.Sessions.Events.Send(session.ID, Messages.Send("hi"), ct);

        var events = await (await client.Beta.Sessions.Events.List(session.ID, cancellationToken: ct)).Paginate(ct).ToListAsync(ct);

        Assert.NotEmpty(events);
        Assert.All(events, e =>
        {
            e.Validate();
            Assert.StartsWith("sevt_", e.ID);
            var type = e.Type.Raw();
            if (type.StartsWith("agent.", StringComparison.Ordinal) || type.StartsWith("session.", StringComparison.Ordinal)
                || type.StartsWith("span.", StringComparison.Ordinal))
            {
                Assert.True(e.ProcessedAt.HasValue, $"{type} {e.ID} must carry processed_at");
            }
        });
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Sending_to_an_archived_session_is_a_409_the_SDK_does_not_retry(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        var session = await hangar.Client().FreshSessionAsync(ct);
        await hangar.Client().Beta.Sessions.Archive(session.ID, cancellationToken: ct);
        var attempts = new RequestCounter();

        await Assert.ThrowsAsync<AnthropicConflictException>(() =>
            hangar.Client(attempts).Beta.Sessions.Events.Send(session.ID, Messages.Send("too late"), ct));

        Assert.Equal(1, attempts.Count);
    }
}
