namespace Hangar.Storage.Tests;

/// <summary>
/// A lease's successive fenced writes (on PostgreSQL the second and later go in one command, built from
/// the row the lease last wrote), and what happens when someone else changes the row in between.
/// </summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task SuccessiveFencedWritesNumberEventsUpdateTheRowAndClearWorkAsOneWriteWould()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        var queued = await Store.Leases.AppendWithWorkAsync(workspace, session, [Event(), Event()], Ct);
        var lease = await Store.Leases.TryAcquireAsync(session, "a", LongTtl, Ct);
        var at = DateTimeOffset.UtcNow;

        await Store.Leases.AppendFencedAsync(lease!, new FencedWrite([Event("session.status_running")]) { UpdateSession = Running, ProcessedEventIds = [queued[0].Id] }, at, Ct);
        var second = await Store.Leases.AppendFencedAsync(lease!, new FencedWrite([Event(), Event(), Event()]) { UpdateSession = Status("thinking"), ProcessedEventIds = [queued[1].Id] }, at, Ct);
        // Someone else changes the row (a metadata update): the next write starts from the row as it is now.
        var current = await Store.Resources.GetAsync(ResourceKind.Session, workspace, session, Ct);
        Assert.True(await Store.Resources.ReplaceAsync(current! with { Json = """{"status":"thinking","title":"renamed"}""" }, current.Revision, Ct));
        var third = await Store.Leases.AppendFencedAsync(lease!, new FencedWrite([Event("session.status_idle")]) { UpdateSession = Status("idle"), WorkDone = true, WorkSeenThroughSeq = 6 }, at, Ct);
        var fourth = await Store.Leases.AppendFencedAsync(lease!, new FencedWrite([]) { UpdateSession = Status("idle"), WorkDone = true }, at, Ct);

        Assert.Equal([4L, 5, 6], second.Select(e => e.Seq));
        Assert.Equal(7, Assert.Single(third).Seq);
        Assert.Empty(fourth);
        var events = await Store.Events.ReadAsync(session, 0, 100, Ct);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.All(events.Take(2), e => Assert.Equal(SqlTime(at), e.ProcessedAt));
        Assert.Equal(second.Select(e => e.Position), events.Skip(3).Take(3).Select(e => e.Position));
        var row = await Store.Resources.GetAsync(ResourceKind.Session, workspace, session, Ct);
        Assert.Equal(6, row!.Revision);
        Assert.Equal("""{"status":"idle","title":"renamed"}""", row.Json);
        await Store.Leases.ReleaseAsync(lease!, Ct);
        Assert.DoesNotContain(session, await ClaimableAsync());
    }

    [Fact]
    public async Task AFencedWriteAfterALaterClaimWritesNothingEvenWhenItsRowWasKept()
    {
        var workspace = await NewWorkspaceAsync();
        var session = await NewSessionAsync(workspace);
        var first = await Store.Leases.TryAcquireAsync(session, "a", LongTtl, Ct);
        await Store.Leases.AppendFencedAsync(first!, new FencedWrite([Event()]) { UpdateSession = Status("running") }, DateTimeOffset.UtcNow, Ct);
        await Store.Leases.AppendFencedAsync(first!, new FencedWrite([Event()]) { UpdateSession = Status("running") }, DateTimeOffset.UtcNow, Ct);
        Assert.True(await Store.Leases.RenewAsync(first!, AlreadyExpired, Ct));
        var second = await Store.Leases.TryAcquireAsync(session, "b", LongTtl, Ct);

        await Assert.ThrowsAsync<LeaseLostException>(() => Store.Leases.AppendFencedAsync(
            first!, new FencedWrite([Event()]) { UpdateSession = Status("stale"), WorkDone = true }, DateTimeOffset.UtcNow, Ct));

        Assert.Equal(2, (await Store.Events.ReadAsync(session, 0, 100, Ct)).Count);
        var row = await Store.Resources.GetAsync(ResourceKind.Session, workspace, session, Ct);
        Assert.Equal("running", row!.Session!.Status);
        Assert.Equal(3, (await Store.Leases.AppendFencedAsync(second!, new FencedWrite([Event()]), DateTimeOffset.UtcNow, Ct))[0].Seq);
    }

    /// <summary>Sets the status, keeping the rest of the JSON (a title someone else set survives).</summary>
    private static Func<ResourceRecord, ResourceRecord> Status(string status) => row =>
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(row.Json)!.AsObject();
        json["status"] = status;
        return row with { Json = json.ToJsonString(), Session = row.Session! with { Status = status } };
    };
}
