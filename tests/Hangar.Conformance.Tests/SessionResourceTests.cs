using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Beta.Sessions;
using Anthropic.Models.Beta.Sessions.Resources;
using Hangar.Conformance.Tests.Hosting;

namespace Hangar.Conformance.Tests;

[Collection(HangarCollection.Name)]
public sealed class SessionResourceTests(HangarServers servers)
{
    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_file_given_at_session_creation_is_mounted_at_the_default_path(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var file = await FileTests.UploadAsync(client, "data"u8.ToArray(), "data.csv", "text/csv", ct);
        var agent = await client.AgentAsync(ct);
        var environment = await client.CloudEnvironmentAsync(ct);

        var session = await client.Beta.Sessions.Create(
            new SessionCreateParams
            {
                Agent = agent.ID,
                EnvironmentID = environment.ID,
                Resources = [new BetaManagedAgentsFileResourceParams { FileID = file.ID }],
            },
            ct);
        session.Validate();
        var listed = await (await client.Beta.Sessions.Resources.List(session.ID, cancellationToken: ct)).Paginate(ct).ToListAsync(ct);

        var resource = Assert.Single(session.Resources);
        Assert.Equal($"/mnt/session/uploads/{file.ID}", resource.MountPath);
        Assert.StartsWith("sesrsc_", resource.ID);
        Assert.Equal([resource.ID], listed.Select(r => r.ID));
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_file_resource_can_be_added_read_and_removed(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var session = await client.FreshSessionAsync(ct);
        var file = await FileTests.UploadAsync(client, "x"u8.ToArray(), "x.txt", "text/plain", ct);

        var added = await client.Beta.Sessions.Resources.Add(
            session.ID, new ResourceAddParams { FileID = file.ID, MountPath = "/workspace/x.txt" }, ct);
        added.Validate();
        var fetched = await client.Beta.Sessions.Resources.Retrieve(added.ID, new ResourceRetrieveParams { SessionID = session.ID }, ct);
        fetched.Validate();
        var deleted = await client.Beta.Sessions.Resources.Delete(added.ID, new ResourceDeleteParams { SessionID = session.ID }, ct);
        deleted.Validate();
        var remaining = await (await client.Beta.Sessions.Resources.List(session.ID, cancellationToken: ct)).Paginate(ct).ToListAsync(ct);

        Assert.Equal(file.ID, added.FileID);
        Assert.Equal("/workspace/x.txt", added.MountPath);
        Assert.True(fetched.TryPickBetaManagedAgentsFileResource(out var asFile));
        Assert.Equal(file.ID, asFile.FileID);
        Assert.Equal("session_resource_deleted", deleted.Type.GetString());
        Assert.Empty(remaining);
        await Assert.ThrowsAsync<AnthropicNotFoundException>(() =>
            client.Beta.Sessions.Resources.Retrieve(added.ID, new ResourceRetrieveParams { SessionID = session.ID }, ct));
    }
}
