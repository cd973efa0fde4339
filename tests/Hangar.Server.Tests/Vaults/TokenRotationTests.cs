using System.Text.Json.Nodes;
using Hangar.Storage;
using Hangar.Vault;

namespace Hangar.Server.Tests.Vaults;

/// <summary>
/// Repository tokens live in the stored session's private section: key rotation re-seals them and seals the
/// plaintext ones older versions wrote; the start-up check refuses tokens sealed under a key it lacks.
/// </summary>
public sealed class TokenRotationTests : IAsyncLifetime
{
    private const string Legacy = "ghp_LEGACY-PLAINTEXT-0d9f";
    private const string Rotated = "ghp_SEALED-UNDER-OLD-71ce";
    private readonly string _directory = Directory.CreateTempSubdirectory("hangar-token-rotation-").FullName;
    private readonly MasterKey _old = MasterKey.Generate();
    private readonly MasterKey _next = MasterKey.Generate();
    private readonly CancellationToken _ct = CancellationToken.None;
    private IHangarStore _store = null!;
    private string _sessionId = "";

    public async Task InitializeAsync()
    {
        _store = await HangarStore.OpenAsync(new StoreOptions(_directory), _ct);
        var workspace = await _store.Workspaces.EnsureAsync("w", _ct);
        _sessionId = Hangar.Contracts.Ids.New(Hangar.Contracts.Ids.Session);
        // As an older Hangar left it: one token in plaintext (no key was configured), one sealed under the old key.
        var json = new JsonObject
        {
            ["id"] = _sessionId,
            ["status"] = "idle",
            ["_hangar"] = new JsonObject
            {
                ["resource_tokens"] = new JsonObject
                {
                    ["sesrsc_legacy"] = Legacy,
                    ["sesrsc_sealed"] = ResourceTokens.Seal(new SecretCipher(_old), _sessionId, "sesrsc_sealed", Rotated),
                },
            },
        };
        await _store.Resources.InsertAsync(new ResourceRecord(ResourceKind.Session, workspace, _sessionId, json.ToJsonString(), 1,
            DateTimeOffset.UtcNow, null, Session: new SessionColumns("agent_x", 1, "idle")), _ct);
    }

    [Fact]
    public async Task Rotation_seals_legacy_plaintext_and_reseals_old_tokens_so_the_old_key_can_go()
    {
        var refused = await Assert.ThrowsAsync<VaultKeyException>(() => VaultStartup.CheckAsync(_store.Vaults, new SecretCipher(_next), _ct));
        Assert.Contains(_old.Id, refused.Message);
        await Assert.ThrowsAsync<VaultKeyException>(() => VaultStartup.CheckAsync(_store.Vaults, new SecretCipher(null), _ct));
        Assert.Equal(1, (await VaultStartup.CheckAsync(_store.Vaults, new SecretCipher(_next, _old), _ct)).PlaintextTokens);

        var result = await KeyRotation.RotateAsync(_store, new SecretCipher(_next, _old), TimeProvider.System, _ct);
        Assert.Equal((1, 1, 0, 0), (result.TokensResealed, result.PlaintextTokensSealed, result.TokensAlreadyCurrent, result.TokenSessionsSkipped));

        var stored = (await _store.Resources.FindAsync(ResourceKind.Session, _sessionId, _ct))!;
        Assert.DoesNotContain(Legacy, stored.Json, StringComparison.Ordinal);
        Assert.DoesNotContain(Rotated, stored.Json, StringComparison.Ordinal);
        var tokens = JsonNode.Parse(stored.Json)!["_hangar"]!["resource_tokens"]!.AsObject();
        var alone = new SecretCipher(_next);
        Assert.Equal(Legacy, ResourceTokens.Open(alone, _sessionId, "sesrsc_legacy", tokens["sesrsc_legacy"]!));
        Assert.Equal(Rotated, ResourceTokens.Open(alone, _sessionId, "sesrsc_sealed", tokens["sesrsc_sealed"]!));
        Assert.Equal(0, (await VaultStartup.CheckAsync(_store.Vaults, alone, _ct)).PlaintextTokens);

        var again = await KeyRotation.RotateAsync(_store, alone, TimeProvider.System, _ct);
        Assert.Equal((0, 0, 2), (again.TokensResealed, again.PlaintextTokensSealed, again.TokensAlreadyCurrent));
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
