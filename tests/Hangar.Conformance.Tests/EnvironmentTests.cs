using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Beta.Environments;
using Hangar.Conformance.Tests.Hosting;

namespace Hangar.Conformance.Tests;

[Collection(HangarCollection.Name)]
public sealed class EnvironmentTests(HangarServers servers)
{
    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_cloud_environment_keeps_its_packages_and_limited_networking(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var name = Arrange.Name("python-dev");

        var created = await client.Beta.Environments.Create(
            new EnvironmentCreateParams
            {
                Name = name,
                Config = new BetaCloudConfigParams
                {
                    Networking = new BetaLimitedNetworkParams { AllowedHosts = ["api.example.com"], AllowPackageManagers = true },
                    Packages = new BetaPackagesParams { Pip = ["pandas==2.2.0"], Npm = ["left-pad"] },
                },
            },
            ct);
        created.Validate();
        var fetched = await client.Beta.Environments.Retrieve(created.ID, cancellationToken: ct);
        fetched.Validate();

        Assert.StartsWith("env_", created.ID);
        Assert.Equal("environment", fetched.Type.GetString());
        Assert.Equal(name, fetched.Name);
        Assert.Null(fetched.ArchivedAt);
        Assert.True(fetched.Config.TryPickBetaCloud(out var cloud), "config.type should be cloud");
        Assert.True(cloud.Networking.TryPickBetaLimitedNetwork(out var limited), "networking.type should be limited");
        Assert.Equal(["api.example.com"], limited.AllowedHosts);
        Assert.True(limited.AllowPackageManagers);
        Assert.False(limited.AllowMcpServers); // omitted in the request → false, but present
        Assert.Equal(["pandas==2.2.0"], cloud.Packages.Pip);
        Assert.Equal(["left-pad"], cloud.Packages.Npm);
        Assert.Empty(cloud.Packages.Apt); // all six arrays are required, even when empty
        Assert.Empty(cloud.Packages.Cargo);
        Assert.Empty(cloud.Packages.Gem);
        Assert.Empty(cloud.Packages.Go);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_self_hosted_environment_reads_back_as_self_hosted(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();

        var created = await client.Beta.Environments.Create(
            new EnvironmentCreateParams { Name = Arrange.Name("runner"), Config = new BetaSelfHostedConfigParams() },
            ct);
        created.Validate();
        var fetched = await client.Beta.Environments.Retrieve(created.ID, cancellationToken: ct);

        Assert.True(fetched.Config.TryPickBetaSelfHosted(out _), "config.type should be self_hosted");
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_second_environment_with_the_same_name_is_a_409_the_SDK_does_not_retry(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        var first = await hangar.Client().CloudEnvironmentAsync(ct);
        var attempts = new RequestCounter();

        var conflict = await Assert.ThrowsAsync<AnthropicConflictException>(() =>
            hangar.Client(attempts).Beta.Environments.Create(
                new EnvironmentCreateParams { Name = first.Name, Config = new BetaCloudConfigParams() }, ct));

        Assert.Equal(1, attempts.Count);
        Assert.StartsWith("req_", conflict.RequestID);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task An_update_changes_only_the_fields_it_names_and_patches_metadata(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var environment = await client.Beta.Environments.Create(
            new EnvironmentCreateParams
            {
                Name = Arrange.Name("env"),
                Description = "before",
                Config = new BetaCloudConfigParams { Packages = new BetaPackagesParams { Apt = ["jq"] } },
                Metadata = new Dictionary<string, string> { ["keep"] = "1", ["drop"] = "2" },
            },
            ct);

        var updated = await client.Beta.Environments.Update(
            environment.ID,
            new EnvironmentUpdateParams
            {
                Description = "after",
                Metadata = new Dictionary<string, string?> { ["drop"] = null, ["add"] = "3" },
            },
            ct);
        updated.Validate();

        Assert.Equal("after", updated.Description);
        Assert.Equal(environment.Name, updated.Name);
        Assert.True(updated.Config.TryPickBetaCloud(out var cloud));
        Assert.Equal(["jq"], cloud.Packages.Apt);
        Assert.Equal(new Dictionary<string, string> { ["keep"] = "1", ["add"] = "3" }, updated.Metadata);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task An_archived_environment_leaves_the_default_list_and_refuses_updates(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var environment = await client.CloudEnvironmentAsync(ct);

        var archived = await client.Beta.Environments.Archive(environment.ID, cancellationToken: ct);
        archived.Validate();
        var visible = await (await client.Beta.Environments.List(new EnvironmentListParams { Limit = 100 }, ct)).Paginate(ct).ToListAsync(ct);
        var everything = await (await client.Beta.Environments.List(new EnvironmentListParams { IncludeArchived = true }, ct)).Paginate(ct).ToListAsync(ct);

        Assert.NotNull(archived.ArchivedAt);
        Assert.DoesNotContain(visible, e => e.ID == environment.ID);
        Assert.Contains(everything, e => e.ID == environment.ID);
        await Assert.ThrowsAsync<AnthropicBetaEnvironmentArchivedException>(() =>
            client.Beta.Environments.Update(environment.ID, new EnvironmentUpdateParams { Description = "x" }, ct));
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_deleted_environment_is_gone(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var environment = await client.CloudEnvironmentAsync(ct);

        var deleted = await client.Beta.Environments.Delete(environment.ID, cancellationToken: ct);
        deleted.Validate();

        Assert.Equal(environment.ID, deleted.ID);
        Assert.Equal("environment_deleted", deleted.Type.GetString());
        await Assert.ThrowsAnyAsync<AnthropicNotFoundException>(() =>
            client.Beta.Environments.Retrieve(environment.ID, cancellationToken: ct));
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Changing_an_environment_config_type_is_a_typed_400(StoreKind store)
    {
        var ct = Timeouts.Test();
        var client = (await servers.For(store)).Client();
        var environment = await client.CloudEnvironmentAsync(ct);

        await Assert.ThrowsAsync<AnthropicBetaInvalidConfigTypeChangeException>(() =>
            client.Beta.Environments.Update(environment.ID, new EnvironmentUpdateParams { Config = new BetaSelfHostedConfigParams() }, ct));
    }
}
