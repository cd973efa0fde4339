namespace Hangar.Storage;

/// <summary>
/// The two credentials of self-hosted workers, shaped like the hosted service's and stored only
/// as hashes (<see cref="ApiKeys.Hash"/>): environment keys, created by the operator, and the
/// sessions token a poll hands out with each claim.
/// </summary>
public static class WorkCredentials
{
    public const string EnvironmentKeyPrefix = "sk-ant-oat01-";
    public const string SessionsTokenPrefix = "sk-ant-req-";
    public const string EnvironmentKeyIdPrefix = "envkey_";

    public static string NewEnvironmentKey() => EnvironmentKeyPrefix + ApiKeys.Generate()[ApiKeys.Prefix.Length..];

    public static string NewSessionsToken() => SessionsTokenPrefix + ApiKeys.Generate()[ApiKeys.Prefix.Length..];

    /// <summary>Mints a key for the environment; returns the key (shown once) and its stored record.</summary>
    public static async Task<(string Key, EnvironmentKeyRecord Record)> CreateEnvironmentKeyAsync(
        IEnvironmentKeys keys, string workspaceId, string environmentId, DateTimeOffset now, CancellationToken ct)
    {
        var key = NewEnvironmentKey();
        var record = new EnvironmentKeyRecord(Contracts.Ids.New(EnvironmentKeyIdPrefix, now), workspaceId, environmentId, now, null);
        await keys.AddAsync(record, ApiKeys.Hash(key), ct);
        return (key, record);
    }
}
